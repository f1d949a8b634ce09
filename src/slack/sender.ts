import type {
  ChatPostMessageArguments,
  ChatUpdateArguments,
  ConversationsHistoryArguments,
  ConversationsHistoryResponse,
  ConversationsRepliesArguments,
  ConversationsRepliesResponse,
  WebClient,
} from '@slack/web-api';
import { SlackDeliveryError, classifySlackFailure, slackErrorName } from './slack-delivery-error.js';

export interface SenderOptions {
  /** Slack allows about one message per second per channel (short bursts tolerated). */
  readonly minIntervalPerChannelMs: number;
  /** Most time to spend waiting on one call (Retry-After and backoff) before giving it back as transient. */
  readonly maxWaitMs: number;
  readonly maxAttempts: number;
  /**
   * Longest one call may take before it is given up (and its channel lane freed), even if the WebClient was built
   * without its own `timeout`. A post given up this way is `uncertain`: Slack may still have taken it.
   */
  readonly callDeadlineMs: number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly nowMs: () => number;
}

/** A Lambda must not sleep for minutes: its runtime passes a smaller budget. */
export const DEFAULT_SENDER_OPTIONS: SenderOptions = {
  minIntervalPerChannelMs: 1100,
  maxWaitMs: 60_000,
  maxAttempts: 5,
  callDeadlineMs: 15_000,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  nowMs: () => Date.now(),
};

/**
 * Sends messages through the Web API with our own retry policy: paced per channel, honouring 429 Retry-After,
 * backing off on failures that certainly did not deliver, within a time budget. A permanent error is never
 * retried, and neither is a post that may have gone through (timeout, dropped connection, 5xx): that one is
 * thrown as `uncertain` so the caller looks for the message before posting again.
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

  async postMessage(
    args: ChatPostMessageArguments & { channel: string },
  ): Promise<{ channel: string; ts: string }> {
    const result = await this.paced(args.channel, 'chat.postMessage', () =>
      this.client.chat.postMessage(args),
    );
    if (!result.ts || !result.channel) {
      throw new SlackDeliveryError({
        method: 'chat.postMessage',
        channel: args.channel,
        slackError: 'no ts in response',
        kind: 'uncertain',
      });
    }
    return { channel: result.channel, ts: result.ts };
  }

  async update(args: ChatUpdateArguments & { channel: string; ts: string }): Promise<void> {
    // chat.update is Tier 3 (about 50 per minute per workspace), not per channel; pacing per channel keeps bursts fair.
    await this.paced(args.channel, 'chat.update', () => this.client.chat.update(args));
  }

  /** One page of a channel's history. Reads are not paced per channel (Tier 3, per workspace) and may be retried. */
  async history(
    args: ConversationsHistoryArguments & { channel: string },
  ): Promise<ConversationsHistoryResponse> {
    return this.withRetries(args.channel, 'conversations.history', () =>
      this.client.conversations.history(args),
    );
  }

  /** One page of a thread (the parent and its replies), read like `history`. */
  async replies(
    args: ConversationsRepliesArguments & { channel: string; ts: string },
  ): Promise<ConversationsRepliesResponse> {
    return this.withRetries(args.channel, 'conversations.replies', () =>
      this.client.conversations.replies(args),
    );
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
    const posting = method === 'chat.postMessage';
    let waitedMs = 0;
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.withinDeadline(call);
      } catch (error) {
        const kind = classifySlackFailure(error, posting);
        // Only a call that certainly did not deliver is repeated here; an uncertain post goes back to the caller.
        const retryable = kind === 'rate-limited' || kind === 'transient';
        const delayMs = this.retryDelayMs(error, attempt);
        const giveUp =
          !retryable || attempt >= this.options.maxAttempts || waitedMs + delayMs > this.options.maxWaitMs;
        if (giveUp) {
          throw new SlackDeliveryError(
            { method, channel, slackError: slackErrorName(error), kind },
            { cause: error },
          );
        }
        await this.options.sleep(delayMs);
        waitedMs += delayMs;
      }
    }
  }

  /** A call that never answers must not hold its channel's lane forever. */
  private withinDeadline<T>(call: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('timeout')), this.options.callDeadlineMs);
    });
    return Promise.race([call(), deadline]).finally(() => clearTimeout(timer));
  }

  private retryDelayMs(error: unknown, attempt: number): number {
    if (error instanceof Error && 'retryAfter' in error && typeof error.retryAfter === 'number') {
      return error.retryAfter * 1000;
    }
    return Math.min(1000 * 2 ** (attempt - 1), 8000);
  }
}
