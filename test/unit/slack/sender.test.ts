import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SlackDeliveryError } from '../../../src/slack/slack-delivery-error.js';
import { SlackSender } from '../../../src/slack/sender.js';
import { FakeSlackApi } from '../../support/fake-slack-api.js';

const slack = new FakeSlackApi();
beforeAll(() => slack.start());
afterAll(() => slack.stop());
beforeEach(() => slack.reset());

/** A sender on a virtual clock: sleeping advances time instantly and is recorded. */
function senderWithVirtualClock(options: { maxWaitMs?: number } = {}) {
  let nowMs = 0;
  const sleeps: number[] = [];
  const client = new WebClient('xoxb-test', { slackApiUrl: slack.url, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true });
  const sender = new SlackSender(client, {
    minIntervalPerChannelMs: 1000,
    maxWaitMs: options.maxWaitMs ?? 60_000,
    sleep: async (ms) => {
      sleeps.push(ms);
      nowMs += ms;
    },
    nowMs: () => nowMs,
  });
  return { sender, sleeps };
}

describe('SlackSender', () => {
  it('posts and returns where the message lives', async () => {
    const { sender } = senderWithVirtualClock();

    const posted = await sender.postMessage({ channel: 'C0FINDINGS', text: 'hello' });

    expect(posted).toEqual({ channel: 'C0FINDINGS', ts: expect.stringMatching(/^\d+\.\d{6}$/) });
    expect(slack.callsOf('chat.postMessage')).toHaveLength(1);
  });

  it('paces messages to one channel at about one per second, but not messages to different channels', async () => {
    const { sender, sleeps } = senderWithVirtualClock();

    await Promise.all([
      sender.postMessage({ channel: 'C0AAAAAAA', text: '1' }),
      sender.postMessage({ channel: 'C0AAAAAAA', text: '2' }),
      sender.postMessage({ channel: 'C0AAAAAAA', text: '3' }),
      sender.postMessage({ channel: 'C0BBBBBBB', text: 'other' }),
    ]);

    expect(sleeps).toEqual([1000, 1000]);
    expect(slack.callsOf('chat.postMessage').filter((call) => call.body['channel'] === 'C0AAAAAAA').map((call) => call.body['text'])).toEqual(['1', '2', '3']);
  });

  it('waits as long as a 429 Retry-After says, then delivers', async () => {
    const { sender, sleeps } = senderWithVirtualClock();
    slack.script('chat.postMessage', { status: 429, headers: { 'retry-after': '7' }, body: { ok: false, error: 'ratelimited' } });

    await sender.postMessage({ channel: 'C0FINDINGS', text: 'after the wait' });

    expect(sleeps).toEqual([7000]);
    expect(slack.callsOf('chat.postMessage')).toHaveLength(2);
  });

  it('gives a call back as transient when Retry-After exceeds its time budget, so it stays queued', async () => {
    const { sender } = senderWithVirtualClock({ maxWaitMs: 10_000 });
    slack.script('chat.postMessage', { status: 429, headers: { 'retry-after': '30' }, body: { ok: false, error: 'ratelimited' } });

    const failure = await sender.postMessage({ channel: 'C0FINDINGS', text: 'x' }).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(SlackDeliveryError);
    expect((failure as SlackDeliveryError).transient).toBe(true);
    expect(slack.callsOf('chat.postMessage')).toHaveLength(1);
  });

  it('retries a Slack server error with backoff', async () => {
    const { sender, sleeps } = senderWithVirtualClock();
    slack.script('chat.postMessage', { status: 503, body: { ok: false } }, { status: 200, body: { ok: false, error: 'internal_error' } });

    await sender.postMessage({ channel: 'C0FINDINGS', text: 'x' });

    expect(sleeps).toEqual([1000, 2000]);
    expect(slack.callsOf('chat.postMessage')).toHaveLength(3);
  });

  it('never retries a permanent error and tells the user what to do', async () => {
    const { sender } = senderWithVirtualClock();
    slack.script('chat.postMessage', { body: { ok: false, error: 'not_in_channel' } });

    const failure = (await sender.postMessage({ channel: 'C0FINDINGS', text: 'x' }).catch((error: unknown) => error)) as SlackDeliveryError;

    expect(failure.transient).toBe(false);
    expect(failure.userMessage).toContain('/invite @cspm-bot');
    expect(slack.callsOf('chat.postMessage')).toHaveLength(1);
  });
});
