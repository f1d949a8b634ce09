import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLog } from '../../../src/runtime/log.js';

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

describe('the log', () => {
  it('shows invisible and bidi characters of finding text as markers, in fields and in error messages', () => {
    const written: string[] = [];
    // Powertools writes warnings and errors to stderr, the rest to stdout.
    for (const stream of [process.stdout, process.stderr]) {
      vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
        written.push(String(chunk));
        return true;
      });
    }
    // The test configuration silences the runtimes' loggers; this test reads one.
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'INFO');
    const log = createLog();

    log.warn('message not delivered', {
      title: 'Security group sg-prod\u202elanretni',
      error: new Error('channel_not_found for web\u200bprod'),
    });

    const line = written.join('');
    expect(line).toContain('sg-prod⟨U+202E⟩lanretni');
    expect(line).toContain('web⟨U+200B⟩prod');
    expect(line).not.toMatch(/[\u202e\u200b]/u);
  });
});
