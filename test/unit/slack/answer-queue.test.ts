import { describe, expect, it } from 'vitest';
import { AnswerQueue } from '../../../src/slack/answer-queue.js';

/** A build that finishes only when the test says so, recording when it started. */
function gatedBuild<T>(name: string, started: string[], value: T) {
  let finish!: () => void;
  let fail!: (error: Error) => void;
  const gate = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  const build = async (): Promise<T> => {
    started.push(name);
    await gate;
    return value;
  };
  return { build, finish, fail };
}

/** Lets every pending promise callback run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('AnswerQueue', () => {
  it('runs no more builds at once than its concurrency, and starts the rest as slots free up', async () => {
    const queue = new AnswerQueue(2);
    const started: string[] = [];
    const builds = ['a', 'b', 'c', 'd'].map((name) => gatedBuild(name, started, name.toUpperCase()));
    const answers = builds.map((build) => queue.run(build.build));
    await settle();
    expect(started).toEqual(['a', 'b']);
    expect(queue.pending).toBe(4);

    builds[1]!.finish();
    await settle();
    expect(started).toEqual(['a', 'b', 'c']);

    builds[0]!.finish();
    builds[2]!.finish();
    builds[3]!.finish();
    expect(await Promise.all(answers)).toEqual(['A', 'B', 'C', 'D']);
    expect(queue.pending).toBe(0);
  });

  it('starts queued builds in the order they were asked for, a later one never jumping ahead', async () => {
    const queue = new AnswerQueue(1);
    const started: string[] = [];
    const [first, second, third, late] = ['first', 'second', 'third', 'late'].map((name) =>
      gatedBuild(name, started, name),
    ) as [ReturnType<typeof gatedBuild<string>>, ...ReturnType<typeof gatedBuild<string>>[]];
    const answers = [queue.run(first.build), queue.run(second!.build), queue.run(third!.build)];
    first.finish();
    await settle();
    const lateAnswer = queue.run(late!.build);
    second!.finish();
    await settle();
    expect(started).toEqual(['first', 'second', 'third']);
    third!.finish();
    late!.finish();
    expect(await Promise.all([...answers, lateAnswer])).toEqual(['first', 'second', 'third', 'late']);
    expect(started).toEqual(['first', 'second', 'third', 'late']);
  });

  it('hands a failed build back to its caller and keeps answering the ones behind it', async () => {
    const queue = new AnswerQueue(1);
    const failing = queue.run(async () => {
      throw new Error('the table did not answer');
    });
    const throwingAtOnce = queue.run((): Promise<string> => {
      throw new Error('could not start');
    });
    const after = queue.run(async () => 'still answered');

    await expect(failing).rejects.toThrow('the table did not answer');
    await expect(throwingAtOnce).rejects.toThrow('could not start');
    expect(await after).toBe('still answered');
    expect(queue.pending).toBe(0);
  });

  it('answers every one of many builds asked for at once', async () => {
    const queue = new AnswerQueue(2);
    let running = 0;
    let mostAtOnce = 0;
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, n) =>
        queue.run(async () => {
          running += 1;
          mostAtOnce = Math.max(mostAtOnce, running);
          await settle();
          running -= 1;
          return n;
        }),
      ),
    );
    expect(answers).toEqual(Array.from({ length: 50 }, (_, n) => n));
    expect(mostAtOnce).toBe(2);
  });

  it('refuses a concurrency that would never run anything', () => {
    expect(() => new AnswerQueue(0)).toThrow(RangeError);
  });
});
