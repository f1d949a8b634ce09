import { describe, expect, it } from 'vitest';
import { ReadsOnce } from '../../../src/usecases/reads-once.js';

describe('ReadsOnce', () => {
  it('reads each key once until it is forgotten', async () => {
    const reads = new ReadsOnce<string>();
    let loads = 0;
    const load = async () => `read ${++loads}`;

    expect(await Promise.all([reads.read('a', load), reads.read('a', load)])).toEqual(['read 1', 'read 1']);
    expect(await reads.read('b', load)).toBe('read 2');
    reads.forget('a');
    expect(reads.readIfAny('a')).toBeUndefined();
    expect(await reads.read('a', load)).toBe('read 3');
    expect(await reads.readIfAny('b')).toBe('read 2');
  });

  it('forgets a failed read, so the next caller reads again', async () => {
    const reads = new ReadsOnce<string>();
    await expect(reads.read('a', async () => Promise.reject(new Error('throttled')))).rejects.toThrow(
      'throttled',
    );
    expect(await reads.read('a', async () => 'second try')).toBe('second try');
  });
});
