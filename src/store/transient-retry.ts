/**
 * DynamoDB errors that say "not now", not "no": the write did not happen (or its outcome is re-checked by the
 * caller's condition) and may be sent again after a pause.
 */
const TRANSIENT = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'LimitExceededException',
]);

export function isTransientDynamoDbError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const name = (error as { name?: unknown }).name;
  return typeof name === 'string' && TRANSIENT.has(name);
}

export interface TransientRetryOptions {
  /** Attempts in all, the first included. */
  readonly maxAttempts?: number;
  /** First pause; doubled after each attempt, with jitter. */
  readonly baseDelayMs?: number;
}

/**
 * Run `write` again while DynamoDB throttles or has a transient fault, a bounded number of times with exponential
 * backoff. Audit records of changes already made in AWS go through here: losing one to a throttle would make the
 * record contradict what AWS did. The SDK's own retries come first; this outlasts a longer burst.
 */
export async function retryTransient<T>(
  write: (attempt: number) => Promise<T>,
  options: TransientRetryOptions = {},
): Promise<T> {
  const maxAttempts = options.maxAttempts ?? 6;
  const baseDelayMs = options.baseDelayMs ?? 25;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await write(attempt);
    } catch (error) {
      if (attempt >= maxAttempts || !isTransientDynamoDbError(error)) throw error;
      const delay = baseDelayMs * 2 ** (attempt - 1);
      await new Promise((resolve) => setTimeout(resolve, delay / 2 + Math.random() * (delay / 2)));
    }
  }
}
