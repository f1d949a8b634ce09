import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetFindingsCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import type { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import { WebClient } from '@slack/web-api';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { statusMessage } from '../../../blocks/status-message.js';
import { SecurityHubFindingSource } from '../../../src/aws/security-hub-finding-source.js';
import { SecurityHubFindings } from '../../../src/aws/security-hub-findings.js';
import { findingKeyOf } from '../../../src/domain/finding-key.js';
import type { Finding } from '../../../src/domain/finding.js';
import { SlackFindingMessenger } from '../../../src/slack/finding-messenger.js';
import { SlackSender } from '../../../src/slack/sender.js';
import { AcceptanceRepository } from '../../../src/store/acceptance-repository.js';
import { createCspmTable } from '../../../src/store/cspm-table.js';
import { DecisionRepository } from '../../../src/store/decision-repository.js';
import { ensureTable, startEmbeddedDynamoDb } from '../../../src/store/embedded-dynamodb.js';
import type { EmbeddedDynamoDb } from '../../../src/store/embedded-dynamodb.js';
import { FindingRepository } from '../../../src/store/finding-repository.js';
import { QuarantineRepository } from '../../../src/store/quarantine-repository.js';
import { StatsRepository } from '../../../src/store/stats-repository.js';
import { SyncCursorRepository } from '../../../src/store/sync-cursor-repository.js';
import { buildStatusReport } from '../../../src/usecases/build-status-report.js';
import type { IngestDeps } from '../../../src/usecases/ingest-findings.js';
import { ingestFindings } from '../../../src/usecases/ingest-findings.js';
import { syncFindings } from '../../../src/usecases/sync-findings.js';
import { makeAsffFinding } from '../../fixtures/asff.js';
import { makeFinding } from '../../fixtures/finding.js';
import { FakeSlackApi } from '../../support/fake-slack-api.js';
import { fixedClock } from '../../support/fixed-clock.js';
import { recordingLog } from '../../support/recording-log.js';

const slack = new FakeSlackApi();
const securityHub = mockClient(SecurityHubClient);
let dynamo: EmbeddedDynamoDb;
let tables = 0;
beforeAll(async () => {
  dynamo = await startEmbeddedDynamoDb();
  await slack.start();
});
afterAll(async () => {
  await slack.stop();
  await dynamo.close();
  securityHub.restore();
});
beforeEach(() => {
  slack.reset();
  securityHub.reset();
});

const NOW = '2026-11-22T10:00:00.000Z';

/**
 * A client of the embedded DynamoDB that answers a PutItem for the finding stored under `refusedKey` as DynamoDB
 * answers an item it will not take. Everything else reaches dynalite unchanged.
 */
function refusingClient(refusal: { refusedKey?: string }): DynamoDBClient {
  const client = new DynamoDBClient({
    endpoint: dynamo.endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  client.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { headers?: Record<string, string>; body?: unknown };
      const isPut = request.headers?.['x-amz-target']?.endsWith('.PutItem') === true;
      if (isPut && refusal.refusedKey && String(request.body).includes(`FINDING#${refusal.refusedKey}`)) {
        throw Object.assign(new Error('Item size has exceeded the maximum allowed size'), {
          name: 'ValidationException',
          $fault: 'client',
        });
      }
      return next(args);
    },
    { step: 'build', name: 'refuseOneFinding' },
  );
  return client;
}

async function store(client: DynamoDBClient = dynamo.client) {
  tables += 1;
  const name = `cspm-quarantine-${tables}`;
  await ensureTable(client, name);
  const table = createCspmTable(client, name);
  const stats = new StatsRepository(table);
  return {
    findings: new FindingRepository(table, stats),
    quarantine: new QuarantineRepository(table),
    cursors: new SyncCursorRepository(table),
    decisions: new DecisionRepository(table),
    acceptances: new AcceptanceRepository(table),
    stats,
  };
}

function ingestDeps(stored: Awaited<ReturnType<typeof store>>) {
  const log = recordingLog();
  const clock = fixedClock(NOW);
  const client = new WebClient('xoxb-test', {
    slackApiUrl: slack.url,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
  });
  const deps: IngestDeps = {
    findings: stored.findings,
    quarantine: stored.quarantine,
    messenger: new SlackFindingMessenger(new SlackSender(client, { minIntervalPerChannelMs: 0 })),
    routing: { rules: [], defaultChannel: 'C0FINDINGS' },
    severityThreshold: 'HIGH',
    clock,
    log,
  };
  return { deps, log, clock };
}

const numbered = (n: number, overrides: Partial<Finding> = {}) =>
  makeFinding({ id: makeFinding().id.replace(/0001$/, String(n).padStart(4, '0')), ...overrides });
const ok = (finding: Finding) => ({ ok: true as const, finding });
const posts = () => slack.callsOf('chat.postMessage').filter((call) => !call.body['thread_ts']);

describe('one finding DynamoDB refuses never costs the others', () => {
  it('stores and posts the rest of the batch, counts the refused one as failed, logs it and quarantines it', async () => {
    const stored = await store();
    const { deps, log } = ingestDeps(stored);
    // Not bounded by the normalizer (a source that skipped it): DynamoDB itself refuses the 500 KB item.
    const oversized = numbered(2, { description: 'x'.repeat(500_000) });

    const report = await ingestFindings(deps, [ok(numbered(1)), ok(oversized), ok(numbered(3))]);

    expect(report.outcomes.map((outcome) => outcome.kind)).toEqual(['alerted', 'failed', 'alerted']);
    expect(report.counts).toMatchObject({ alerted: 2, failed: 1 });
    expect(report.outcomes[1]).toEqual({
      kind: 'failed',
      findingId: findingKeyOf(oversized),
      reason: expect.stringContaining('Item size has exceeded'),
    });
    expect(posts()).toHaveLength(2);
    expect(log.entries).toContainEqual(
      expect.objectContaining({
        level: 'error',
        extra: [expect.objectContaining({ findingId: oversized.id, accountId: oversized.accountId })],
      }),
    );
    const { total, recent } = await stored.quarantine.quarantined(10);
    expect(total).toBe(1);
    expect(recent[0]).toMatchObject({
      findingKey: findingKeyOf(oversized),
      id: oversized.id,
      controlId: 'EC2.13',
      attempts: 1,
      firstFailedAt: NOW,
      lastFailedAt: NOW,
    });
  });

  it('counts every further failure of the same finding and releases it once it is stored', async () => {
    const stored = await store();
    const { deps, clock } = ingestDeps(stored);
    const oversized = numbered(2, { description: 'x'.repeat(500_000) });
    await ingestFindings(deps, [ok(oversized)]);
    clock.set('2026-11-22T11:00:00.000Z');

    await ingestFindings(deps, [ok(oversized)]);

    expect((await stored.quarantine.quarantined(10)).recent[0]).toMatchObject({
      attempts: 2,
      firstFailedAt: NOW,
      lastFailedAt: '2026-11-22T11:00:00.000Z',
    });

    const report = await ingestFindings(deps, [ok(numbered(2, { updatedAt: '2026-11-22T10:30:00.000Z' }))]);

    expect(report.counts.alerted).toBe(1);
    expect(await stored.quarantine.quarantined(10)).toEqual({ total: 0, recent: [] });
  });

  it('skips nothing silently when the store itself is down: the batch fails and is retried whole', async () => {
    const stored = await store();
    const { deps } = ingestDeps(stored);
    const failingQuarantine = Object.assign(
      Object.create(QuarantineRepository.prototype) as QuarantineRepository,
      {
        record: async () => {
          throw Object.assign(new Error('connect ECONNREFUSED'), { name: 'TimeoutError' });
        },
      },
    );

    const batch = ingestFindings({ ...deps, quarantine: failingQuarantine }, [
      ok(numbered(2, { description: 'x'.repeat(500_000) })),
    ]);

    await expect(batch).rejects.toThrow('ECONNREFUSED');
  });
});

describe('the sync moves past a finding DynamoDB keeps refusing', () => {
  /** Finding n as GetFindings returns it, updated n minutes after 10:00. */
  function asffFinding(n: number, overrides: Record<string, unknown> = {}): AwsSecurityFinding {
    return makeAsffFinding({
      Id: makeFinding().id.replace(/0001$/, String(n).padStart(4, '0')),
      UpdatedAt: `2026-11-02T10:${String(n).padStart(2, '0')}:00.000Z`,
      ...overrides,
    }) as unknown as AwsSecurityFinding;
  }

  it('advances the cursor past it, quarantines it, shows it in /cspm status, and releases it once stored', async () => {
    // Prepare: finding 3 is the newest of the run and DynamoDB refuses it.
    const refused = asffFinding(3);
    const refusal: { refusedKey?: string } = {
      refusedKey: findingKeyOf({
        id: String(refused.Id),
        productArn: String(refused.ProductArn),
        accountId: String(refused.AwsAccountId),
      }),
    };
    const stored = await store(refusingClient(refusal));
    const { deps, clock } = ingestDeps(stored);
    const syncDeps = {
      ...deps,
      cursors: stored.cursors,
      source: new SecurityHubFindingSource(
        new SecurityHubFindings(new SecurityHubClient({ region: 'ap-northeast-1' })),
        'HIGH',
      ),
    };
    securityHub
      .on(GetFindingsCommand)
      .resolvesOnce({ Findings: [asffFinding(1), asffFinding(2)], NextToken: 'page-2' })
      .resolvesOnce({ Findings: [refused] });

    // Act
    const report = await syncFindings(syncDeps, { region: 'ap-northeast-1' });

    // Assess: the others are stored and posted, the cursor is past the refused one
    expect(report.counts).toMatchObject({ alerted: 2, failed: 1 });
    expect(posts()).toHaveLength(2);
    expect((await stored.cursors.get('ap-northeast-1'))?.updatedSince).toBe('2026-11-02T10:03:00.000Z');
    const status = await buildStatusReport({ ...stored, clock }, { kind: 'all' });
    expect(status.quarantined).toEqual({
      total: 1,
      recent: [
        expect.objectContaining({
          id: refused.Id,
          accountId: '111122223333',
          controlId: 'EC2.13',
          attempts: 1,
          reason: expect.stringContaining('ValidationException'),
        }),
      ],
    });
    expect(JSON.stringify(statusMessage(status).blocks)).toContain('could not be stored');

    // Act: DynamoDB takes it now; Security Hub updates the finding, the next sync resumes from the cursor
    delete refusal.refusedKey;
    securityHub.reset();
    securityHub
      .on(GetFindingsCommand)
      .resolvesOnce({ Findings: [asffFinding(3, { UpdatedAt: '2026-11-02T10:04:00.000Z' })] });
    const again = await syncFindings(syncDeps, { region: 'ap-northeast-1' });

    // Assess
    expect(again).toMatchObject({
      resumedFrom: '2026-11-02T10:03:00.000Z',
      counts: { alerted: 1, failed: 0 },
    });
    expect((await buildStatusReport({ ...stored, clock }, { kind: 'all' })).quarantined).toBeUndefined();
  });
});
