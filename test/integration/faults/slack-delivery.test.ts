import { WebClient } from '@slack/web-api';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { statusMessage } from '../../../blocks/status-message.js';
import { MAX_DELIVERY_ATTEMPTS } from '../../../src/domain/delivery-retry.js';
import type { Finding } from '../../../src/domain/finding.js';
import { findingKeyOf } from '../../../src/domain/finding-key.js';
import { triage } from '../../../src/domain/triage.js';
import { slackClientOptions } from '../../../src/runtime/slack-web-client.js';
import { SlackDigestPublisher } from '../../../src/slack/digest-publisher.js';
import { SlackFindingMessenger } from '../../../src/slack/finding-messenger.js';
import { SlackSender } from '../../../src/slack/sender.js';
import { AcceptanceRepository } from '../../../src/store/acceptance-repository.js';
import { DecisionRepository } from '../../../src/store/decision-repository.js';
import { FindingRepository } from '../../../src/store/finding-repository.js';
import { StatsRepository } from '../../../src/store/stats-repository.js';
import { buildStatusReport } from '../../../src/usecases/build-status-report.js';
import { postWeeklyDigest } from '../../../src/usecases/post-digest.js';
import {
  deliverFindingMessage,
  deliverOwedMessages,
  retryStuckDeliveries,
} from '../../../src/usecases/deliver-finding-message.js';
import type { DeliverDeps, DeliveryOutcome } from '../../../src/usecases/deliver-finding-message.js';
import { makeFinding } from '../../fixtures/finding.js';
import { sectionText } from '../../support/block-text.js';
import { useEmbeddedDynamoDb } from '../../support/embedded-table.js';
import { FakeSlackApi } from '../../support/fake-slack-api.js';
import { fixedClock } from '../../support/fixed-clock.js';
import { recordingLog } from '../../support/recording-log.js';

const dynamo = useEmbeddedDynamoDb();
const slack = new FakeSlackApi();
beforeAll(() => slack.start());
afterAll(() => slack.stop());
beforeEach(() => slack.reset());

const NOW = '2026-11-22T10:00:00.000Z';

/** The n-th distinct finding (its own id and security group). */
function findingNumber(n: number): Finding {
  const base = makeFinding();
  return makeFinding({
    id: base.id.replace(/0001$/, String(n).padStart(4, '0')),
    resource: {
      ...base.resource,
      id: `${base.resource.id}-${n}`,
      shortId: `sg-0abc1234def5${String(n).padStart(5, '0')}`,
    },
  });
}

/** Real WebClient (as the bot builds it) against the fake, real sender and messenger, embedded table. */
async function setUp(options: { timeoutMs?: number; senderAttempts?: number } = {}) {
  const table = await dynamo.freshTable();
  const stats = new StatsRepository(table);
  const findings = new FindingRepository(table, stats);
  const clock = fixedClock(NOW);
  const sleeps: number[] = [];
  const client = new WebClient('xoxb-test', slackClientOptions(slack.url, options.timeoutMs ?? 2_000));
  const sender = new SlackSender(client, {
    minIntervalPerChannelMs: 0,
    maxWaitMs: 10_000,
    maxAttempts: options.senderAttempts ?? 3,
    sleep: async (ms) => void sleeps.push(ms),
  });
  const deps: DeliverDeps = {
    findings,
    messenger: new SlackFindingMessenger(sender),
    clock,
    log: recordingLog(),
  };
  const status = {
    findings,
    decisions: new DecisionRepository(table),
    acceptances: new AcceptanceRepository(table),
    stats,
    clock,
  };
  /** Store findings owing their first post in `channel`; returns their keys. */
  const store = async (channel: string, numbers: readonly number[]): Promise<string[]> => {
    const keys: string[] = [];
    for (const n of numbers) {
      const finding = findingNumber(n);
      await findings.insertNew({
        finding,
        triage: triage(finding),
        channel,
        now: clock.now().toUTC().toISO()!,
      });
      keys.push(findingKeyOf(finding));
    }
    return keys;
  };
  // Slack stamps messages with its own clock: kept in step with the bot's.
  slack.setTime(NOW);
  const later = (minutes: number) => {
    const at = DateTime.fromISO(NOW, { zone: 'utc' }).plus({ minutes }).toISO()!;
    clock.set(at);
    slack.setTime(at);
  };
  return { deps, findings, clock, sleeps, status, store, later, client, sender };
}

/** How many top-level messages of each finding the channel holds, by the finding key in their metadata. */
function messagesPerFinding(channel: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const message of slack.messagesIn(channel)) {
    const key = String(
      (message.metadata as { event_payload?: { finding_key?: unknown } } | undefined)?.event_payload
        ?.finding_key,
    );
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

function postsTo(channel: string): number {
  return slack.callsOf('chat.postMessage').filter((call) => call.body['channel'] === channel).length;
}

const range = (from: number, count: number) => Array.from({ length: count }, (_, index) => from + index);

describe('Slack delivery under faults', () => {
  it('gives up on a post Slack never answers, frees the channel for the next post, and later posts it once', async () => {
    // Prepare
    const { deps, findings, store, later } = await setUp({ timeoutMs: 300 });
    const [hung, next] = await store('C0FINDINGS', [1, 2]);
    slack.fail('chat.postMessage', { kind: 'hang' }, { channel: 'C0FINDINGS' });

    // Act: both queued on the same channel lane, the first one hangs
    const started = Date.now();
    const [first, second] = await Promise.all([
      deliverFindingMessage(deps, hung!),
      deliverFindingMessage(deps, next!),
    ]);

    // Assess: the hang cost one timeout, not the channel
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(first).toMatchObject({ kind: 'failed', failure: 'uncertain', stuck: false });
    expect(second).toMatchObject({ kind: 'posted', channel: 'C0FINDINGS' });
    expect(await findings.get(hung!)).toMatchObject({
      delivery: 'pending',
      deliveryAttempts: 1,
      deliveryUncertainSince: NOW,
    });

    // Act: the next sweep looks for the lost post (not there), then posts it
    later(2);
    const swept = await deliverOwedMessages(deps);

    // Assess
    expect(swept).toEqual([{ kind: 'posted', channel: 'C0FINDINGS', ts: expect.any(String) }]);
    expect(slack.callsOf('conversations.history')).toHaveLength(1);
    expect(messagesPerFinding('C0FINDINGS')).toEqual(
      new Map([
        [next, 1],
        [hung, 1],
      ]),
    );
    expect(await findings.owedDeliveries()).toEqual([]);
  });

  it('posts each finding exactly once when Slack takes the posts but every answer is lost, and learns their ts', async () => {
    // Prepare: every post is recorded by Slack, then the connection drops before the answer
    const { deps, findings, store, later } = await setUp();
    const keys = await store('C0FINDINGS', [1, 2, 3]);
    slack.fail('chat.postMessage', { kind: 'drop-after-accept' }, { channel: 'C0FINDINGS', times: Infinity });

    // Act: delivered at ingest, then several sweeps and direct deliveries
    const firstTries = await Promise.all(keys.map((key) => deliverFindingMessage(deps, key)));
    for (let run = 1; run <= 3; run += 1) {
      later(run * 10);
      await deliverOwedMessages(deps);
      for (const key of keys) await deliverFindingMessage(deps, key);
    }

    // Assess
    expect(firstTries.map((outcome) => outcome.kind === 'failed' && outcome.failure)).toEqual([
      'uncertain',
      'uncertain',
      'uncertain',
    ]);
    expect(messagesPerFinding('C0FINDINGS')).toEqual(new Map(keys.map((key) => [key, 1])));
    expect(postsTo('C0FINDINGS')).toBe(3);
    for (const key of keys) {
      const message = slack
        .messagesIn('C0FINDINGS')
        .find(
          (posted) =>
            (posted.metadata as { event_payload: { finding_key: string } }).event_payload.finding_key === key,
        );
      expect(await findings.get(key)).toMatchObject({ delivery: 'done', messageTs: message?.ts });
      expect((await findings.get(key))?.deliveryUncertainSince).toBeUndefined();
    }
  });

  it('brings an adopted message up to date when the finding changed after its lost post', async () => {
    // Prepare
    const { deps, findings, store, later } = await setUp();
    const [key] = await store('C0FINDINGS', [1]);
    slack.fail('chat.postMessage', { kind: 'drop-after-accept' }, { channel: 'C0FINDINGS' });
    await deliverFindingMessage(deps, key!);
    const record = (await findings.get(key!))!;
    const changed = {
      ...record.finding,
      severity: 'CRITICAL' as const,
      updatedAt: '2026-11-22T10:01:00.000Z',
    };
    await findings.updateFinding({
      record,
      finding: changed,
      triage: triage(changed),
      owesDelivery: true,
      now: '2026-11-22T10:01:00.000Z',
    });

    // Act
    later(5);
    const outcome = await deliverFindingMessage(deps, key!);

    // Assess: found, updated in place to the new state, not posted again
    expect(outcome).toMatchObject({ kind: 'found', ts: slack.messagesIn('C0FINDINGS')[0]?.ts });
    expect(postsTo('C0FINDINGS')).toBe(1);
    expect(slack.callsOf('chat.update')).toHaveLength(1);
    expect(JSON.stringify(slack.messagesIn('C0FINDINGS')[0]?.blocks)).toContain('CRITICAL');
    expect(await findings.get(key!)).toMatchObject({ delivery: 'done', version: 2 });
  });

  it('adopts the post of a worker that died before recording it, instead of posting again', async () => {
    // Prepare: a worker claimed the delivery, posted, and died before recording the ts
    const { deps, findings, store, later } = await setUp();
    const [key] = await store('C0FINDINGS', [1]);
    const claimed = await findings.claimDelivery(key!, NOW, '2026-11-22T09:55:00.000Z');
    const posted = await deps.messenger.post('C0FINDINGS', claimed!);

    // Act: its lease runs out and another worker takes over
    later(6);
    const outcome = await deliverFindingMessage(deps, key!);

    // Assess
    expect(outcome).toEqual({ kind: 'found', channel: 'C0FINDINGS', ts: posted.ts });
    expect(postsTo('C0FINDINGS')).toBe(1);
    expect(await findings.get(key!)).toMatchObject({ delivery: 'done', messageTs: posted.ts });
  });

  it('adopts a post whose ts could not be stored (database fault right after it), instead of posting again', async () => {
    // Prepare: the store refuses the first "delivered" write
    const { deps, findings, store, later } = await setUp();
    const [key] = await store('C0FINDINGS', [1]);
    let refuse = true;
    const flaky = Object.create(findings) as FindingRepository;
    flaky.completeDelivery = async (...args) => {
      if (!refuse) return findings.completeDelivery(...args);
      refuse = false;
      throw new Error('ProvisionedThroughputExceededException');
    };

    // Act
    const first = await deliverFindingMessage({ ...deps, findings: flaky }, key!);
    later(2);
    const second = await deliverFindingMessage({ ...deps, findings: flaky }, key!);

    // Assess
    expect(first).toMatchObject({ kind: 'failed', failure: 'uncertain' });
    expect(second).toMatchObject({ kind: 'found', ts: slack.messagesIn('C0FINDINGS')[0]?.ts });
    expect(postsTo('C0FINDINGS')).toBe(1);
  });

  it('posts again, once, when the answer was a 5xx and the post is not in the channel', async () => {
    // Prepare
    const { deps, findings, store, later } = await setUp();
    const [key] = await store('C0FINDINGS', [1]);
    slack.fail('chat.postMessage', { kind: 'server-error', status: 503 }, { channel: 'C0FINDINGS' });

    // Act
    const first = await deliverFindingMessage(deps, key!);
    later(2);
    await deliverOwedMessages(deps);
    await deliverOwedMessages(deps);

    // Assess: not retried inside the sender, looked for, posted once
    expect(first).toMatchObject({ kind: 'failed', failure: 'uncertain' });
    expect(postsTo('C0FINDINGS')).toBe(2);
    expect(messagesPerFinding('C0FINDINGS')).toEqual(new Map([[key, 1]]));
    expect(await findings.get(key!)).toMatchObject({
      delivery: 'done',
      messageTs: slack.messagesIn('C0FINDINGS')[0]?.ts,
    });
  });

  it('repeats a lost post at most once when the channel is too busy to read back, then asks a person', async () => {
    // Prepare: Slack answers 5xx twice (nothing kept), and the channel fills with chatter
    const { deps, findings, store, later } = await setUp();
    const [key] = await store('C0BUSY', [1]);
    slack.fail('chat.postMessage', { kind: 'server-error', status: 502 }, { channel: 'C0BUSY', times: 2 });
    await deliverFindingMessage(deps, key!);
    slack.seedChatter('C0BUSY', 1_001);

    // Act: the repeat is lost too, and the next attempt cannot read far enough back
    later(2);
    const repeat = await deliverFindingMessage(deps, key!);
    later(10);
    const third = await deliverFindingMessage(deps, key!);
    later(60);
    await deliverOwedMessages(deps);

    // Assess
    expect(repeat).toMatchObject({ kind: 'failed', failure: 'uncertain', stuck: false });
    expect(third).toMatchObject({
      kind: 'failed',
      stuck: true,
      reason: expect.stringContaining('look for the message there'),
    });
    expect(postsTo('C0BUSY')).toBe(2);
    expect(await findings.stuckDeliveries(10)).toEqual([
      expect.objectContaining({ findingId: key, delivery: 'stuck' }),
    ]);
  });

  it('repeats a lost post at most once when the app may not read history (installed before the history scopes)', async () => {
    const { deps, store, later } = await setUp();
    const [key] = await store('C0FINDINGS', [1]);
    slack.fail(
      'chat.postMessage',
      { kind: 'server-error', status: 503 },
      { channel: 'C0FINDINGS', times: 2 },
    );
    slack.fail('conversations.history', { kind: 'slack-error', error: 'missing_scope' }, { times: Infinity });

    await deliverFindingMessage(deps, key!);
    later(2);
    await deliverFindingMessage(deps, key!);
    later(10);
    const third = await deliverFindingMessage(deps, key!);

    expect(third).toMatchObject({
      kind: 'failed',
      stuck: true,
      reason: expect.stringContaining('channels:history'),
    });
    expect(postsTo('C0FINDINGS')).toBe(2);
  });

  it('does not post the weekly digest again when the answer to its post was lost', async () => {
    const { status, client, sender, clock } = await setUp();
    const deps = {
      ...status,
      channel: 'C0DIGEST01',
      schedule: { weekday: 1 as const, hour: 9, timeZone: 'UTC' },
      publisher: new SlackDigestPublisher(client, sender),
    };
    clock.set('2026-11-23T09:00:00.000Z');
    slack.fail('chat.postMessage', { kind: 'drop-after-accept' }, { channel: 'C0DIGEST01' });

    await expect(postWeeklyDigest(deps)).rejects.toThrow();
    clock.set('2026-11-23T09:05:00.000Z');
    const next = await postWeeklyDigest(deps);

    expect(next).toMatchObject({ kind: 'already-posted' });
    expect(slack.messagesIn('C0DIGEST01')).toHaveLength(1);
  });

  it('closes a hung connection on stop(), so no test waits on it', async () => {
    const fake = await new FakeSlackApi().start();
    fake.fail('chat.postMessage', { kind: 'hang' });
    const hanging = fetch(`${fake.url}chat.postMessage`, { method: 'POST', body: 'channel=C0FINDINGS' }).then(
      () => 'answered',
      () => 'closed',
    );
    await new Promise((resolve) => setTimeout(resolve, 50));

    const started = Date.now();
    await fake.stop();

    expect(await hanging).toBe('closed');
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('waits as long as a 429 Retry-After says, then posts once', async () => {
    const { deps, store, sleeps } = await setUp();
    const [key] = await store('C0FINDINGS', [1]);
    slack.fail('chat.postMessage', { kind: 'rate-limited', retryAfterSeconds: 3 }, { channel: 'C0FINDINGS' });

    const outcome = await deliverFindingMessage(deps, key!);

    expect(outcome).toMatchObject({ kind: 'posted' });
    expect(sleeps).toEqual([3_000]);
    expect(postsTo('C0FINDINGS')).toBe(2);
    expect(messagesPerFinding('C0FINDINGS')).toEqual(new Map([[key, 1]]));
  });

  it('leaves a channel alone for the rest of a sweep after a 429 longer than the budget, without counting it', async () => {
    // Prepare
    const { deps, findings, store } = await setUp();
    const busy = await store('C0BUSY', [1, 2, 3]);
    const [quiet] = await store('C0QUIET', [4]);
    slack.fail(
      'chat.postMessage',
      { kind: 'rate-limited', retryAfterSeconds: 120 },
      { channel: 'C0BUSY', times: Infinity },
    );

    // Act
    const outcomes = await deliverOwedMessages(deps);

    // Assess: one try in the busy channel, the quiet one delivered, nothing counted against the busy ones
    expect(outcomes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'failed', failure: 'rate-limited', channel: 'C0BUSY' }),
        expect.objectContaining({ kind: 'posted', channel: 'C0QUIET' }),
      ]),
    );
    expect(outcomes).toHaveLength(2);
    expect(postsTo('C0BUSY')).toBe(1);
    expect(messagesPerFinding('C0QUIET')).toEqual(new Map([[quiet, 1]]));
    for (const key of busy) expect((await findings.get(key))?.deliveryAttempts ?? 0).toBe(0);
    expect(await findings.dueDeliveries(NOW, 10)).toHaveLength(3);
  });

  it('delivers healthy channels in the first sweep past 150 failing messages, which back off, stop at the bound and show in /cspm status', async () => {
    // Prepare: 150 older findings in a channel where Slack keeps failing, 5 newer in a healthy one
    const { deps, findings, store, later, status } = await setUp({ senderAttempts: 1 });
    const failing = await store('C0FAILING', range(1, 150));
    later(1);
    const healthy = await store('C0HEALTHY', range(1001, 5));
    slack.fail(
      'chat.postMessage',
      { kind: 'slack-error', error: 'service_unavailable' },
      { channel: 'C0FAILING', times: Infinity },
    );

    // Act: first sweep
    later(2);
    const first = await deliverOwedMessages(deps);

    // Assess: all healthy ones delivered at once; failing ones tried once each so far
    expect(first.filter((outcome) => outcome.kind === 'posted')).toHaveLength(5);
    expect(messagesPerFinding('C0HEALTHY')).toEqual(new Map(healthy.map((key) => [key, 1])));

    // Act: sweep every hour until nothing is due any more
    let minutes = 2;
    const triesPerSweep: number[] = [];
    for (
      let sweep = 0;
      sweep < 3 * MAX_DELIVERY_ATTEMPTS && (await findings.owedDeliveries()).length > 0;
      sweep += 1
    ) {
      minutes += 61;
      later(minutes);
      const outcomes: DeliveryOutcome[] = await deliverOwedMessages(deps);
      triesPerSweep.push(outcomes.length);
    }

    // Assess: a sweep right after a failure finds nothing due (backoff), then every failing one hit the bound
    later(minutes + 0.5);
    expect(await deliverOwedMessages(deps)).toEqual([]);
    expect(postsTo('C0FAILING')).toBe(150 * MAX_DELIVERY_ATTEMPTS);
    expect(await findings.owedDeliveries()).toEqual([]);
    const stuck = await findings.stuckDeliveries(200);
    expect(stuck.map((record) => record.findingId).sort()).toEqual([...failing].sort());
    expect(stuck[0]).toMatchObject({
      delivery: 'stuck',
      deliveryAttempts: MAX_DELIVERY_ATTEMPTS,
      deliveryError: expect.stringContaining(`after ${MAX_DELIVERY_ATTEMPTS} attempts`),
    });
    expect(stuck[0]?.deliveryError).toContain('service_unavailable');

    // Assess: /cspm status lists them under "Needs attention"
    const report = await buildStatusReport(status, { kind: 'all' });
    expect(report.stuckDeliveries).toMatchObject({
      groups: [{ channel: 'C0FAILING', count: 100 }],
      total: 100,
      more: true,
    });
    const text = sectionText(statusMessage(report).blocks, 'Needs attention');
    expect(text).toContain('<#C0FAILING>');
    expect(text).toContain(`after ${MAX_DELIVERY_ATTEMPTS} attempts`);
    expect(text).toContain('100+ stuck');
  }, 120_000);

  it('marks a whole archived channel stuck after one try, with the reason, and still delivers the others', async () => {
    // Prepare
    const { deps, findings, store, later, status } = await setUp();
    const archived = await store('C0ARCHIVED', range(1, 150));
    later(1);
    const healthy = await store('C0HEALTHY', range(1001, 5));
    slack.fail(
      'chat.postMessage',
      { kind: 'slack-error', error: 'is_archived' },
      { channel: 'C0ARCHIVED', times: Infinity },
    );

    // Act
    later(2);
    await deliverOwedMessages(deps, 100);
    await deliverOwedMessages(deps, 100);

    // Assess: no message hammered an archived channel; every one of them is listed with what to do
    expect(postsTo('C0ARCHIVED')).toBe(1);
    expect(messagesPerFinding('C0HEALTHY')).toEqual(new Map(healthy.map((key) => [key, 1])));
    expect(await findings.owedDeliveries()).toEqual([]);
    const stuck = await findings.stuckDeliveries(200);
    expect(stuck.map((record) => record.findingId).sort()).toEqual([...archived].sort());
    expect(new Set(stuck.map((record) => record.deliveryError))).toEqual(
      new Set([expect.stringContaining('is archived: unarchive it')]),
    );
    const text = sectionText(
      statusMessage(await buildStatusReport(status, { kind: 'all' })).blocks,
      'Needs attention',
    );
    expect(text).toContain('<#C0ARCHIVED> is archived');
  });

  it('ends a sweep at a revoked token without marking any message stuck or counting an attempt', async () => {
    const { deps, findings, store, later, status } = await setUp();
    const keys = await store('C0FINDINGS', [1, 2, 3]);
    slack.fail('chat.postMessage', { kind: 'slack-error', error: 'invalid_auth' }, { times: Infinity });

    later(1);
    const outcomes = await deliverOwedMessages(deps);

    expect(outcomes).toEqual([
      expect.objectContaining({
        kind: 'failed',
        failure: 'workspace',
        stuck: false,
        reason: expect.stringContaining('SLACK_BOT_TOKEN'),
      }),
    ]);
    expect(slack.callsOf('chat.postMessage')).toHaveLength(1);
    expect(await findings.stuckDeliveries(10)).toEqual([]);
    expect(await findings.owedDeliveries()).toHaveLength(3);
    for (const key of keys) expect((await findings.get(key))?.deliveryAttempts ?? 0).toBe(0);
    expect((await buildStatusReport(status, { kind: 'all' })).stuckDeliveries).toBeUndefined();
  });

  it('owes a stuck message again when its finding changes, or when someone retries it', async () => {
    // Prepare: two messages stuck in a channel the bot was removed from
    const { deps, findings, store, later } = await setUp();
    const [changes, retried] = await store('C0FINDINGS', [1, 2]);
    slack.fail(
      'chat.postMessage',
      { kind: 'slack-error', error: 'not_in_channel' },
      { channel: 'C0FINDINGS', times: 2 },
    );
    await deliverFindingMessage(deps, changes!);
    await deliverFindingMessage(deps, retried!);
    expect(await findings.stuckDeliveries(10)).toHaveLength(2);

    // Act: the bot is invited back; one finding changes, the other is retried by hand
    later(30);
    const record = (await findings.get(changes!))!;
    const changed = {
      ...record.finding,
      updatedAt: '2026-11-22T10:30:00.000Z',
      lastObservedAt: '2026-11-22T10:30:00.000Z',
    };
    await findings.updateFinding({
      record,
      finding: changed,
      triage: triage(changed),
      owesDelivery: true,
      now: '2026-11-22T10:30:00.000Z',
    });
    expect(await retryStuckDeliveries(deps)).toBe(1);
    await deliverOwedMessages(deps);

    // Assess
    expect(messagesPerFinding('C0FINDINGS')).toEqual(
      new Map([
        [changes, 1],
        [retried, 1],
      ]),
    );
    expect(await findings.stuckDeliveries(10)).toEqual([]);
    expect(await findings.get(retried!)).toMatchObject({ delivery: 'done' });
    expect((await findings.get(retried!))?.deliveryError).toBeUndefined();
  });
});
