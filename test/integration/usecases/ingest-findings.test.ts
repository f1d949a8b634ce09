import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AwsAccessDeniedError } from '../../../src/aws/errors.js';
import { SlackFindingMessenger } from '../../../src/slack/finding-messenger.js';
import { SlackSender } from '../../../src/slack/sender.js';
import { FindingRepository } from '../../../src/store/finding-repository.js';
import { deliverOwedMessages } from '../../../src/usecases/deliver-finding-message.js';
import type { IngestDeps } from '../../../src/usecases/ingest-findings.js';
import { ingestFindings } from '../../../src/usecases/ingest-findings.js';
import type { SecurityGroupInspector } from '../../../src/usecases/ports.js';
import { makeFinding, makeRule } from '../../fixtures/finding.js';
import { useEmbeddedDynamoDb } from '../../support/embedded-table.js';
import { FakeSlackApi } from '../../support/fake-slack-api.js';
import { fixedClock } from '../../support/fixed-clock.js';
import { recordingLog } from '../../support/recording-log.js';
import { findingKeyOf } from '../../../src/domain/finding-key.js';

const dynamo = useEmbeddedDynamoDb();
const slack = new FakeSlackApi();
beforeAll(() => slack.start());
afterAll(() => slack.stop());
beforeEach(() => slack.reset());

const publicInspector: SecurityGroupInspector = {
  inspect: async () => ({
    ingressRules: [makeRule()],
    reach: {
      kind: 'internet',
      via: [
        {
          networkInterfaceId: 'eni-0a1b2c3d4e5f60001',
          subnetId: 'subnet-0a1b2c3d4e5f60001',
          vpcId: 'vpc-0a1b2c3d4e5f67890',
          publicIp: '203.0.113.10',
          ipv6Addresses: [],
          attachedTo: 'i-0a1b2c3d4e5f60001',
        },
      ],
    },
  }),
};

async function ingestDeps(overrides: Partial<IngestDeps> = {}) {
  const log = recordingLog();
  const client = new WebClient('xoxb-test', {
    slackApiUrl: slack.url,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
  });
  const deps: IngestDeps = {
    findings: new FindingRepository(await dynamo.freshTable()),
    messenger: new SlackFindingMessenger(
      new SlackSender(client, { minIntervalPerChannelMs: 0, maxWaitMs: 5_000 }),
    ),
    inspector: publicInspector,
    routing: { rules: [], defaultChannel: 'C0FINDINGS' },
    severityThreshold: 'HIGH',
    clock: fixedClock('2026-11-22T10:00:00.000Z'),
    log,
    ...overrides,
  };
  return { deps, log };
}

const ok = (finding = makeFinding()) => ({ ok: true as const, finding });

describe('ingestFindings', () => {
  it('keeps a finding whose post Slack rate-limited, and posts it exactly once on the next sweep', async () => {
    // Prepare
    const { deps } = await ingestDeps();
    slack.script('chat.postMessage', {
      status: 429,
      headers: { 'retry-after': '60' },
      body: { ok: false, error: 'ratelimited' },
    });

    // Act
    const report = await ingestFindings(deps, [ok()]);

    // Assess: stored, not lost, not yet posted
    expect(report.outcomes[0]).toMatchObject({ kind: 'alerted' });
    expect(await deps.findings.owedDeliveries()).toEqual([findingKeyOf(makeFinding())]);

    // Act: the next sync sweeps owed messages (twice, to prove it is not posted twice)
    await deliverOwedMessages(deps);
    await deliverOwedMessages(deps);

    // Assess
    expect(slack.callsOf('chat.postMessage')).toHaveLength(2);
    expect(await deps.findings.owedDeliveries()).toEqual([]);
    expect(await ingestFindings(deps, [ok()])).toMatchObject({ counts: { unchanged: 1 } });
  });

  it('posts one message when two deliveries of the same finding race', async () => {
    const { deps } = await ingestDeps();

    await Promise.all([
      ingestFindings(deps, [ok()]),
      ingestFindings(deps, [ok()]),
      ingestFindings(deps, [ok()]),
    ]);

    expect(slack.callsOf('chat.postMessage')).toHaveLength(1);
  });

  it('still alerts when EC2 cannot be read, and says why the exposure is unknown', async () => {
    const denied = new AwsAccessDeniedError('denied', {
      service: 'EC2',
      operation: 'DescribeSecurityGroupRules',
      accountId: '111122223333',
      region: 'ap-northeast-1',
    });
    const { deps, log } = await ingestDeps({ inspector: { inspect: () => Promise.reject(denied) } });

    await ingestFindings(deps, [ok()]);

    const blocks = JSON.stringify(slack.callsOf('chat.postMessage')[0]?.body['blocks']);
    expect(blocks).toContain('tcp/22 from 0.0.0.0/0');
    expect(blocks).toContain(denied.userMessage.slice(0, 40).replaceAll('"', '\\"'));
    expect(log.entries).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        message: 'could not read the security group; using the rules in the finding',
      }),
    );
  });

  it('ignores an older copy of a finding that arrives after a newer one', async () => {
    const { deps } = await ingestDeps();
    await ingestFindings(deps, [ok(makeFinding({ updatedAt: '2026-11-02T12:00:00.000Z' }))]);

    const report = await ingestFindings(deps, [
      ok(makeFinding({ workflowStatus: 'RESOLVED', updatedAt: '2026-11-02T11:00:00.000Z' })),
    ]);

    expect(report.counts).toMatchObject({ unchanged: 1 });
    expect(slack.callsOf('chat.update')).toHaveLength(0);
  });

  it('shows a finding that came back NEW after it was resolved as re-opened, with its buttons', async () => {
    const { deps } = await ingestDeps();
    await ingestFindings(deps, [ok()]);
    await ingestFindings(deps, [
      ok(makeFinding({ workflowStatus: 'RESOLVED', updatedAt: '2026-11-03T09:00:00.000Z' })),
    ]);

    const report = await ingestFindings(deps, [
      ok(makeFinding({ workflowStatus: 'NEW', updatedAt: '2026-11-04T09:00:00.000Z' })),
    ]);

    expect(report.counts).toMatchObject({ updated: 1 });
    const updates = slack.callsOf('chat.update');
    expect(updates).toHaveLength(2);
    const last = JSON.stringify(updates[1]?.body['blocks']);
    expect(last).toContain('re-opened');
    expect(last).toContain('finding.remediate');
    expect(slack.callsOf('chat.postMessage')).toHaveLength(1);
  });

  it('never turns a finding first seen as resolved or suppressed into an alert', async () => {
    const { deps } = await ingestDeps();

    const report = await ingestFindings(deps, [
      ok(makeFinding({ workflowStatus: 'SUPPRESSED' })),
      ok(makeFinding({ id: 'other', recordState: 'ARCHIVED' })),
    ]);

    expect(report.counts).toMatchObject({ dropped: 2 });
    expect(slack.calls.filter((call) => call.method.startsWith('chat.'))).toHaveLength(0);
  });
});
