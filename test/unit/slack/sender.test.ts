import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SlackDeliveryError } from '../../../src/slack/slack-delivery-error.js';
import { SlackSender } from '../../../src/slack/sender.js';
import { slackClientOptions } from '../../../src/runtime/slack-web-client.js';
import { FakeSlackApi } from '../../support/fake-slack-api.js';

const slack = new FakeSlackApi();
beforeAll(() => slack.start());
afterAll(() => slack.stop());
beforeEach(() => slack.reset());

/** A sender on a virtual clock: sleeping advances time instantly and is recorded. */
function senderWithVirtualClock(
  options: { maxWaitMs?: number; client?: WebClient; callDeadlineMs?: number } = {},
) {
  let nowMs = 0;
  const sleeps: number[] = [];
  const client =
    options.client ??
    new WebClient('xoxb-test', {
      slackApiUrl: slack.url,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
    });
  const sender = new SlackSender(client, {
    minIntervalPerChannelMs: 1000,
    maxWaitMs: options.maxWaitMs ?? 60_000,
    ...(options.callDeadlineMs !== undefined && { callDeadlineMs: options.callDeadlineMs }),
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
    expect(
      slack
        .callsOf('chat.postMessage')
        .filter((call) => call.body['channel'] === 'C0AAAAAAA')
        .map((call) => call.body['text']),
    ).toEqual(['1', '2', '3']);
  });

  it('waits as long as a 429 Retry-After says, then delivers', async () => {
    const { sender, sleeps } = senderWithVirtualClock();
    slack.script('chat.postMessage', {
      status: 429,
      headers: { 'retry-after': '7' },
      body: { ok: false, error: 'ratelimited' },
    });

    await sender.postMessage({ channel: 'C0FINDINGS', text: 'after the wait' });

    expect(sleeps).toEqual([7000]);
    expect(slack.callsOf('chat.postMessage')).toHaveLength(2);
  });

  it('gives a call back as transient when Retry-After exceeds its time budget, so it stays queued', async () => {
    const { sender } = senderWithVirtualClock({ maxWaitMs: 10_000 });
    slack.script('chat.postMessage', {
      status: 429,
      headers: { 'retry-after': '30' },
      body: { ok: false, error: 'ratelimited' },
    });

    const failure = await sender
      .postMessage({ channel: 'C0FINDINGS', text: 'x' })
      .catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(SlackDeliveryError);
    expect((failure as SlackDeliveryError).transient).toBe(true);
    expect(slack.callsOf('chat.postMessage')).toHaveLength(1);
  });

  it('retries an update after a Slack server error with backoff (repeating an update is harmless)', async () => {
    const { sender, sleeps } = senderWithVirtualClock();
    slack.script(
      'chat.update',
      { status: 503, body: { ok: false } },
      { status: 200, body: { ok: false, error: 'internal_error' } },
    );

    await sender.update({ channel: 'C0FINDINGS', ts: '1763805600.000001', text: 'x' });

    expect(sleeps).toEqual([1000, 2000]);
    expect(slack.callsOf('chat.update')).toHaveLength(3);
  });

  it.each([
    ['HTTP 503', { status: 503, body: { ok: false } }],
    ['internal_error', { status: 200, body: { ok: false, error: 'internal_error' } }],
  ])(
    'never repeats a post that may have gone through (%s): it is given back as uncertain',
    async (_, reply) => {
      const { sender, sleeps } = senderWithVirtualClock();
      slack.script('chat.postMessage', reply);

      const failure = (await sender
        .postMessage({ channel: 'C0FINDINGS', text: 'x' })
        .catch((error: unknown) => error)) as SlackDeliveryError;

      expect(failure.kind).toBe('uncertain');
      expect(sleeps).toEqual([]);
      expect(slack.callsOf('chat.postMessage')).toHaveLength(1);
    },
  );

  it('retries a post Slack certainly did not take (service_unavailable)', async () => {
    const { sender } = senderWithVirtualClock();
    slack.fail('chat.postMessage', { kind: 'slack-error', error: 'service_unavailable' });

    await sender.postMessage({ channel: 'C0FINDINGS', text: 'x' });

    expect(slack.messagesIn('C0FINDINGS')).toHaveLength(1);
    expect(slack.callsOf('chat.postMessage')).toHaveLength(2);
  });

  it('never retries a permanent error and tells the user what to do', async () => {
    const { sender } = senderWithVirtualClock();
    slack.script('chat.postMessage', { body: { ok: false, error: 'not_in_channel' } });

    const failure = (await sender
      .postMessage({ channel: 'C0FINDINGS', text: 'x' })
      .catch((error: unknown) => error)) as SlackDeliveryError;

    expect(failure.transient).toBe(false);
    expect(failure.userMessage).toContain('/invite @cspm-bot');
    expect(slack.callsOf('chat.postMessage')).toHaveLength(1);
  });

  it("times out a post Slack never answers (the bot's client timeout) and frees the channel for the next post", async () => {
    const client = new WebClient('xoxb-test', slackClientOptions(slack.url, 200));
    const { sender } = senderWithVirtualClock({ client });
    slack.fail('chat.postMessage', { kind: 'hang' }, { channel: 'C0FINDINGS' });

    const [hung, next] = await Promise.allSettled([
      sender.postMessage({ channel: 'C0FINDINGS', text: 'hangs' }),
      sender.postMessage({ channel: 'C0FINDINGS', text: 'goes' }),
    ]);

    expect(hung.status === 'rejected' && (hung.reason as SlackDeliveryError).kind).toBe('uncertain');
    expect(hung.status === 'rejected' && (hung.reason as SlackDeliveryError).slackError).toBe('timeout');
    expect(next).toMatchObject({ status: 'fulfilled', value: { channel: 'C0FINDINGS' } });
    expect(slack.callsOf('chat.postMessage')).toHaveLength(2);
  });

  it('gives a call up at its own deadline even when the WebClient has no timeout', async () => {
    const { sender } = senderWithVirtualClock({ callDeadlineMs: 200 });
    slack.fail('chat.postMessage', { kind: 'hang' }, { channel: 'C0FINDINGS' });

    const failure = (await sender
      .postMessage({ channel: 'C0FINDINGS', text: 'x' })
      .catch((error: unknown) => error)) as SlackDeliveryError;
    const next = await sender.postMessage({ channel: 'C0FINDINGS', text: 'next' });

    expect(failure.kind).toBe('uncertain');
    expect(next.channel).toBe('C0FINDINGS');
  });

  it('reports a post whose connection dropped after Slack took it as uncertain, without repeating it', async () => {
    const { sender } = senderWithVirtualClock();
    slack.fail('chat.postMessage', { kind: 'drop-after-accept' });

    const failure = (await sender
      .postMessage({ channel: 'C0FINDINGS', text: 'x' })
      .catch((error: unknown) => error)) as SlackDeliveryError;

    expect(failure.kind).toBe('uncertain');
    expect(slack.callsOf('chat.postMessage')).toHaveLength(1);
    expect(slack.messagesIn('C0FINDINGS')).toHaveLength(1);
  });

  it('retries a post that could not connect at all (nothing was sent), then reports it as not sent', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', () => resolve()));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const client = new WebClient('xoxb-test', slackClientOptions(`http://127.0.0.1:${port}/api/`, 1_000));
    const { sender, sleeps } = senderWithVirtualClock({ client });

    const failure = (await sender
      .postMessage({ channel: 'C0FINDINGS', text: 'x' })
      .catch((error: unknown) => error)) as SlackDeliveryError;

    expect(failure.kind).toBe('transient');
    expect(failure.slackError).toBe('ECONNREFUSED');
    expect(sleeps).toEqual([1000, 2000, 4000, 8000]);
  });
});
