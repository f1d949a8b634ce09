import type { ChatPostMessageArguments, ChatUpdateArguments, WebClient } from '@slack/web-api';
import { ErrorCode } from '@slack/web-api';
import { SlackDeliveryError } from './slack-delivery-error.js';

export interface SenderOptions {
  /** Slack allows about one message per second per channel (short bursts tolerated). */
  readonly minIntervalPerChannelMs: number;
  /** Most time to spend waiting on one call (Retry-After and backoff) before giving it back as transient. */
  readonly maxWaitMs: number;
  readonly maxAttempts: number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly nowMs: () => number;
}

/** A Lambda must not sleep for minutes: its runtime passes a smaller budget. */
export const DEFAULT_SENDER_OPTIONS: SenderOptions = {
  minIntervalPerChannelMs: 1100,
  maxWaitMs: 60_000,
  maxAttempts: 5,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  nowMs: () => Date.now(),
};

/** Errors Slack documents as permanent for this request: retrying cannot help. */
function isTransient(error: unknown): boolean {
  if (!(error instanceof Error) || !('code' in error)) return false;
  switch (error.code) {
    case ErrorCode.RateLimitedError:
    case ErrorCode.RequestError:
      return true;
    case ErrorCode.HTTPError:
      return 'statusCode' in error && typeof error.statusCode === 'number' && error.statusCode >= 500;
    case ErrorCode.PlatformError: {
      const slackError = 'data' in error ? (error.data as { error?: string }).error : undefined;
      return slackError === 'internal_error' || slackError === 'fatal_error' || slackError === 'service_unavailable';
    }
    default:
      return false;
  }
}

function slackErrorName(error: unknown): string {
  if (error instanceof Error && 'data' in error) {
    const data = error.data as { error?: unknown };
    if (typeof data.error === 'string') return data.error;
  }
  if (error instanceof Error && 'code' in error && error.code === ErrorCode.RateLimitedError) return 'ratelimited';
  return error instanceof Error ? error.message : String(error);
}

/**
 * Sends messages through the Web API with our own retry policy: paced per channel, honouring 429 Retry-After,
 * backing off on transient failures within a time budget, never retrying a permanent error.
 * The WebClient must be built with `retryConfig: { retries: 0 }` and `rejectRateLimitedCalls: true`.
 */
export class SlackSender {
  private readonly options: SenderOptions;
  /** Per channel: when the next message may go, and the tail of the queue so calls go in order. */
  private readonly channels = new Map<string, { nextAtMs: number; tail: Promise<unknown> }>();

  constructor(
    private readonly client: WebClient,
    options: Partial<SenderOptions> = {},
  ) {
    this.options = { ...DEFAULT_SENDER_OPTIONS, ...options };
  }

  async postMessage(args: ChatPostMessageArguments & { channel: string }): Promise<{ channel: string; ts: string }> {
    const result = await this.paced(args.channel, 'chat.postMessage', () => this.client.chat.postMessage(args));
    if (!result.ts || !result.channel) {
      throw new SlackDeliveryError({ method: 'chat.postMessage', channel: args.channel, slackError: 'no ts in response', transient: false });
    }
    return { channel: result.channel, ts: result.ts };
  }

  async update(args: ChatUpdateArguments & { channel: string; ts: string }): Promise<void> {
    // chat.update is Tier 3 (about 50 per minute per workspace), not per channel; pacing per channel keeps bursts fair.
    await this.paced(args.channel, 'chat.update', () => this.client.chat.update(args));
  }

  private paced<T>(channel: string, method: string, call: () => Promise<T>): Promise<T> {
    const lane = this.channels.get(channel) ?? { nextAtMs: 0, tail: Promise.resolve() };
    this.channels.set(channel, lane);
    const run = lane.tail.then(async () => {
      const waitMs = lane.nextAtMs - this.options.nowMs();
      if (waitMs > 0) await this.options.sleep(waitMs);
      try {
        return await this.withRetries(channel, method, call);
      } finally {
        lane.nextAtMs = this.options.nowMs() + this.options.minIntervalPerChannelMs;
      }
    });
    lane.tail = run.catch(() => undefined);
    return run;
  }

  private async withRetries<T>(channel: string, method: string, call: () => Promise<T>): Promise<T> {
    let waitedMs = 0;
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await call();
      } catch (error) {
        const transient = isTransient(error);
        const delayMs = this.retryDelayMs(error, attempt);
        const giveUp = !transient || attempt >= this.options.maxAttempts || waitedMs + delayMs > this.options.maxWaitMs;
        if (giveUp) {
          throw new SlackDeliveryError({ method, channel, slackError: slackErrorName(error), transient }, { cause: error });
        }
        await this.options.sleep(delayMs);
        waitedMs += delayMs;
      }
    }
  }

  private retryDelayMs(error: unknown, attempt: number): number {
    if (error instanceof Error && 'retryAfter' in error && typeof error.retryAfter === 'number') {
      return error.retryAfter * 1000;
    }
    return Math.min(1000 * 2 ** (attempt - 1), 8000);
  }
}
