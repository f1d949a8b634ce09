import { describe, expect, it } from 'vitest';
import { SharedAnswers } from '../../../src/slack/shared-answers.js';

const REUSE_MS = 3_000;

/** Shared answers on a clock the test moves; `builds` counts how often the store was really read. */
function sharedOnTestClock() {
  const clock = { ms: 10_000 };
  const shared = new SharedAnswers<string>(REUSE_MS, () => clock.ms);
  let builds = 0;
  const build = (answer: string) => async () => {
    builds += 1;
    return `${answer} #${builds}`;
  };
  return { shared, clock, build, builds: () => builds };
}

describe('SharedAnswers', () => {
  it('builds once for identical requests arriving while the build runs, and gives each of them the answer', async () => {
    const { shared, build, builds } = sharedOnTestClock();
    const answers = await Promise.all(
      Array.from({ length: 50 }, () => shared.get('status all', build('status'))),
    );
    expect(builds()).toBe(1);
    expect(new Set(answers)).toEqual(new Set(['status #1']));
  });

  it('builds separately for a different subcommand or scope', async () => {
    const { shared, build, builds } = sharedOnTestClock();
    const [all, account] = await Promise.all([
      shared.get('status all', build('all')),
      shared.get('status 111122223333', build('account')),
    ]);
    expect([all, account]).toEqual(['all #1', 'account #2']);
    expect(builds()).toBe(2);
  });

  it('reuses a finished answer only within the reuse window of when its build started, then reads again', async () => {
    const { shared, clock, build } = sharedOnTestClock();
    expect(await shared.get('status all', build('status'))).toBe('status #1');
    clock.ms += REUSE_MS;
    expect(await shared.get('status all', build('status'))).toBe('status #1');
    clock.ms += 1;
    expect(await shared.get('status all', build('status'))).toBe('status #2');
  });

  it('shares a build still running past the reuse window instead of starting a second one', async () => {
    const { shared, clock } = sharedOnTestClock();
    let finish!: (answer: string) => void;
    const slow = shared.get('status all', () => new Promise<string>((resolve) => (finish = resolve)));
    clock.ms += REUSE_MS * 2;
    const joined = shared.get('status all', async () => 'a second build');
    finish('slow answer');
    expect(await Promise.all([slow, joined])).toEqual(['slow answer', 'slow answer']);
  });

  it('tells every waiting request about a failed build, and does not keep the failure for the next one', async () => {
    const { shared, build } = sharedOnTestClock();
    const failing = async (): Promise<string> => {
      throw new Error('the table did not answer');
    };
    const waiting = [shared.get('status all', failing), shared.get('status all', failing)];
    for (const answer of waiting) await expect(answer).rejects.toThrow('the table did not answer');
    expect(await shared.get('status all', build('status'))).toBe('status #1');
  });

  it('turns a build that throws before it starts into a failed answer', async () => {
    const { shared } = sharedOnTestClock();
    await expect(
      shared.get('list', (): Promise<string> => {
        throw new Error('bad filter');
      }),
    ).rejects.toThrow('bad filter');
  });
});
