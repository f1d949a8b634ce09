import { describe, expect, it } from 'vitest';
import { isTransientDynamoDbError, retryTransient } from '../../../src/store/transient-retry.js';

const awsError = (name: string) => Object.assign(new Error(name), { name });

describe('retryTransient', () => {
  it('sends the write again while DynamoDB throttles, and returns its answer', async () => {
    const seen: number[] = [];
    const result = await retryTransient(
      async (attempt) => {
        seen.push(attempt);
        if (attempt < 4)
          throw awsError(
            attempt % 2 === 0 ? 'ProvisionedThroughputExceededException' : 'ThrottlingException',
          );
        return 'written';
      },
      { baseDelayMs: 1 },
    );
    expect(result).toBe('written');
    expect(seen).toEqual([1, 2, 3, 4]);
  });

  it('gives up after the bounded number of attempts with the last error', async () => {
    let attempts = 0;
    await expect(
      retryTransient(
        async () => {
          attempts += 1;
          throw awsError('InternalServerError');
        },
        { maxAttempts: 3, baseDelayMs: 1 },
      ),
    ).rejects.toThrow('InternalServerError');
    expect(attempts).toBe(3);
  });

  it('never repeats a write DynamoDB refused for a reason (a failed condition, a validation error)', async () => {
    for (const name of ['ConditionalCheckFailedException', 'ValidationException']) {
      let attempts = 0;
      await expect(
        retryTransient(async () => {
          attempts += 1;
          throw awsError(name);
        }),
      ).rejects.toThrow(name);
      expect(attempts).toBe(1);
      expect(isTransientDynamoDbError(awsError(name))).toBe(false);
    }
  });
});
