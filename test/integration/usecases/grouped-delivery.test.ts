import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { findingKeyOf } from '../../../src/domain/finding-key.js';
import type { Finding } from '../../../src/domain/finding.js';
import { SlackFindingMessenger } from '../../../src/slack/finding-messenger.js';
import { SlackSender } from '../../../src/slack/sender.js';
import { FindingGroupRepository } from '../../../src/store/finding-group-repository.js';
import { FindingRepository } from '../../../src/store/finding-repository.js';
import type { IngestDeps } from '../../../src/usecases/ingest-findings.js';
import { ingestFindings } from '../../../src/usecases/ingest-findings.js';
import { deliverUntilDone } from '../../../src/usecases/run-deliveries.js';
import { makeFinding } from '../../fixtures/finding.js';
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

/** Slack's pacing in virtual time: the sender waits 1.1 s per message per channel, the test does not. */
function virtualTime() {
  let nowMs = 0;
  return { nowMs: () => nowMs, sleep: async (ms: number) => void (nowMs += ms) };
}

/** Finding `index` of a control, on its own security group (ids shaped like Security Hub's). */
function findingOf(controlId: string, index: number, overrides: Partial<Finding> = {}): Finding {
  const groupId = `sg-0${controlId.replace('.', '').toLowerCase()}0000${String(index).padStart(5, '0')}`;
  const base = makeFinding();
  return makeFinding({
    id: `arn:aws:securityhub:ap-northeast-1:111122223333:security-control/${controlId}/finding/1f2e3d4c-5b6a-4789-8a0b-c1d2e${String(index).padStart(7, '0')}`,
    controlId,
    generatorId: `security-control/${controlId}`,
    resource: {
      ...base.resource,
      id: `arn:aws:ec2:ap-northeast-1:111122223333:security-group/${groupId}`,
      shortId: groupId,
      name: `app-${index}`,
    },
    details: {
      kind: 'security-group',
      groupId,
      ingressRules: [
        {
          groupId,
          isEgress: false,
          protocol: 'tcp',
          fromPort: 22,
          toPort: 22,
          source: { kind: 'ipv4', cidr: '0.0.0.0/0' },
        },
      ],
    },
    ...overrides,
  });
}

async function groupedDeps() {
  const table = await dynamo.freshTable();
  const time = virtualTime();
  const client = new WebClient('xoxb-test', {
    slackApiUrl: slack.url,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
  });
  const messenger = new SlackFindingMessenger(
    new SlackSender(client, { minIntervalPerChannelMs: 1100, maxWaitMs: 5_000, ...time }),
  );
  const handedOff: string[] = [];
  const deps: IngestDeps = {
    findings: new FindingRepository(table),
    messenger,
    grouping: {
      groups: new FindingGroupRepository(table),
      messenger,
      settings: { threshold: 5, windowSeconds: 60 },
    },
    routing: { rules: [], defaultChannel: 'C0FINDINGS' },
    severityThreshold: 'HIGH',
    clock: fixedClock(NOW),
    log: recordingLog(),
    deliveries: { deliveryOwed: async () => void handedOff.push('deliver') },
  };
  // When Slack saw each message, in Slack-paced time.
  const postedAt = new Map<string, number>();
  slack.subscribe((change) => {
    if (change.kind === 'message' && !postedAt.has(change.ts)) postedAt.set(change.ts, time.nowMs());
  });
  return { deps, handedOff, postedAt };
}

const topLevel = () =>
  slack.callsOf('chat.postMessage').filter((call) => call.body['thread_ts'] === undefined);
const replies = () =>
  slack.callsOf('chat.postMessage').filter((call) => call.body['thread_ts'] !== undefined);
const keyOf = (call: { body: Record<string, unknown> }) =>
  (call.body['metadata'] as { event_payload: { finding_key: string } }).event_payload.finding_key;

describe('delivery of a burst', () => {
  it('posts a 500-finding burst for one channel as at most 10 channel messages, all within 15 s, and every finding once in a thread', async () => {
    // Prepare: 500 new findings in one batch (a sync page, or EventBridge events seconds apart): three controls,
    // one of them with only three findings
    const { deps, handedOff, postedAt } = await groupedDeps();
    const burst = [
      ...Array.from({ length: 400 }, (_, index) => findingOf('EC2.13', index)),
      ...Array.from({ length: 97 }, (_, index) => findingOf('EC2.19', index)),
      ...Array.from({ length: 3 }, (_, index) => findingOf('EC2.18', index)),
    ];

    // Act: ingest returns without calling Slack
    const report = await ingestFindings(
      deps,
      burst.map((finding) => ({ ok: true as const, finding })),
    );

    // Assess
    expect(report.counts.alerted).toBe(500);
    expect(slack.calls).toEqual([]);
    expect(handedOff).toEqual(['deliver']);

    // Act: the delivery step
    const run = await deliverUntilDone(deps);

    // Assess: two grouped messages and the three findings of the small control alone; replies only after them
    expect(run.complete).toBe(true);
    const channelMessages = topLevel();
    expect(channelMessages.length).toBeLessThanOrEqual(10);
    expect(channelMessages).toHaveLength(5);
    const lastChannelMessageAt = Math.max(
      ...slack.messagesIn('C0FINDINGS').map((message) => postedAt.get(message.ts)!),
    );
    expect(lastChannelMessageAt).toBeLessThanOrEqual(15_000);
    const firstReply = slack.calls.findIndex(
      (call) => call.method === 'chat.postMessage' && call.body['thread_ts'] !== undefined,
    );
    const lastTopLevel = slack.calls.findLastIndex(
      (call) => call.method === 'chat.postMessage' && call.body['thread_ts'] === undefined,
    );
    expect(lastTopLevel).toBeLessThan(firstReply);
    // Every finding exactly once: 497 replies under the two grouped messages, 3 alone
    const grouped = channelMessages.filter(
      (call) => (call.body['metadata'] as { event_type: string }).event_type === 'cspm_finding_group',
    );
    expect(grouped).toHaveLength(2);
    const keys = [
      ...replies().map(keyOf),
      ...channelMessages.filter((call) => !grouped.includes(call)).map(keyOf),
    ];
    expect(keys).toHaveLength(500);
    expect(new Set(keys)).toEqual(new Set(burst.map(findingKeyOf)));
    expect(
      replies().every((reply) => JSON.stringify(reply.body['blocks']).includes('finding.remediate')),
    ).toBe(true);
    const parents = new Set(slack.messagesIn('C0FINDINGS').map((message) => message.ts));
    expect(replies().every((reply) => parents.has(String(reply.body['thread_ts'])))).toBe(true);
    expect(JSON.stringify(grouped.map((call) => call.body['blocks']))).toContain('400 security groups');
    // The replies follow at Slack's pace: about 1.1 s each in one channel
    const lastReplyAt = Math.max(...[...postedAt.values()]);
    expect(lastReplyAt).toBeGreaterThan(497 * 1000);

    // Act: nothing is posted twice by another run
    slack.reset();
    await deliverUntilDone(deps);
    expect(slack.calls).toEqual([]);
  }, 180_000);

  it('posts fewer than the threshold of one control on their own, as before', async () => {
    const { deps } = await groupedDeps();

    await ingestFindings(
      deps,
      Array.from({ length: 4 }, (_, index) => ({ ok: true as const, finding: findingOf('EC2.13', index) })),
    );
    await deliverUntilDone(deps);

    expect(topLevel()).toHaveLength(4);
    expect(replies()).toEqual([]);
    expect(
      topLevel().every((call) => JSON.stringify(call.body['blocks']).includes('finding.remediate')),
    ).toBe(true);
  });

  it('keeps everything owed while Slack fails, then posts the grouped message and each reply once', async () => {
    const { deps } = await groupedDeps();
    await ingestFindings(
      deps,
      Array.from({ length: 6 }, (_, index) => ({ ok: true as const, finding: findingOf('EC2.13', index) })),
    );
    slack.fail('chat.postMessage', { kind: 'slack-error', error: 'fatal_error' }, { times: Infinity });

    // Act: Slack refuses every post for certain (nothing delivered)
    await deliverUntilDone(deps);

    // Assess: the grouped message and every finding still owed
    expect(slack.messagesIn('C0FINDINGS')).toEqual([]);
    expect((await deps.findings.owedDeliveries()).length).toBe(6);

    // Act: Slack is back and the backoff has passed
    slack.heal();
    slack.reset();
    (deps.clock as ReturnType<typeof fixedClock>).set('2026-11-22T11:00:00.000Z');
    await deliverUntilDone(deps);

    // Assess
    expect(topLevel()).toHaveLength(1);
    expect(replies().map(keyOf).sort()).toEqual(
      Array.from({ length: 6 }, (_, index) => findingKeyOf(findingOf('EC2.13', index))).sort(),
    );
    expect(await deps.findings.owedDeliveries()).toEqual([]);
  });
});
