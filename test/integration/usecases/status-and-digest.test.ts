import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DigestReport } from '../../../src/domain/status-report.js';
import { acceptRisk } from '../../../src/usecases/accept-risk.js';
import { buildStatusReport, snapshotOpenCounts } from '../../../src/usecases/build-status-report.js';
import type { StatusDeps } from '../../../src/usecases/build-status-report.js';
import { sweepAcceptances } from '../../../src/usecases/end-acceptance.js';
import { ingestFindings } from '../../../src/usecases/ingest-findings.js';
import { postWeeklyDigest } from '../../../src/usecases/post-digest.js';
import { suppressFinding } from '../../../src/usecases/suppress-finding.js';
import { makeFinding } from '../../fixtures/finding.js';
import { useEmbeddedDynamoDb } from '../../support/embedded-table.js';
import { FakeSlackApi } from '../../support/fake-slack-api.js';
import { riskDeps } from '../../support/risk-deps.js';
import { findingKeyOf } from '../../../src/domain/finding-key.js';

const dynamo = useEmbeddedDynamoDb();
const slack = new FakeSlackApi();
beforeAll(() => slack.start());
afterAll(() => slack.stop());
beforeEach(() => slack.reset());

function findingNumber(n: number, overrides: Parameters<typeof makeFinding>[0] = {}) {
  const base = makeFinding();
  return makeFinding({
    id: base.id.replace(/0001$/, String(n).padStart(4, '0')),
    resource: { ...base.resource, id: `${base.resource.id}-${n}` },
    ...overrides,
  });
}

async function setUp() {
  const { deps, clock, stats } = riskDeps(await dynamo.freshTable(), slack);
  const ingest = (...findings: ReturnType<typeof makeFinding>[]) =>
    ingestFindings(
      { ...deps, routing: { rules: [], defaultChannel: 'C0FINDINGS' }, severityThreshold: 'HIGH' },
      findings.map((finding) => ({ ok: true as const, finding })),
    );
  const status: StatusDeps = {
    findings: deps.findings,
    decisions: deps.decisions,
    acceptances: deps.acceptances,
    stats,
    clock,
  };
  return { deps, clock, stats, ingest, status };
}

describe('status aggregates', () => {
  it('stay equal to a recount through ingest, resolve in Security Hub, suppress, accept and expiry', async () => {
    const { deps, clock, ingest, status } = await setUp();
    await ingest(
      findingNumber(1),
      findingNumber(2, { severity: 'CRITICAL', controlId: 'EC2.19' }),
      findingNumber(3, { accountId: '444455556666' }),
      findingNumber(4),
    );
    const totals = async () => (await buildStatusReport(status, { kind: 'all' })).open;

    expect(await totals()).toMatchObject({ total: 4, bySeverity: { HIGH: 3, CRITICAL: 1 } });

    await ingest(findingNumber(1, { workflowStatus: 'RESOLVED', updatedAt: '2026-11-03T00:00:00.000Z' }));
    expect(await totals()).toMatchObject({ total: 3 });

    await suppressFinding(deps, {
      findingId: findingKeyOf(findingNumber(2)),
      userId: 'U0ALICE01',
      reason: 'Decommissioned next week',
    });
    expect(await totals()).toMatchObject({ total: 2, bySeverity: { HIGH: 2, CRITICAL: 0 } });

    await acceptRisk(deps, {
      findingId: findingKeyOf(findingNumber(4)),
      userId: 'U0ALICE01',
      until: '2026-11-30',
      reason: 'Partner VPN cut-over',
      scope: 'resource',
    });
    expect(await totals()).toMatchObject({ total: 1, byAccount: [{ key: '444455556666', count: 1 }] });

    clock.set('2026-12-01T00:00:00.000Z');
    await sweepAcceptances(deps);
    const after = await totals();
    expect(after).toMatchObject({ total: 2, bySeverity: { HIGH: 2 } });
    expect(after.byControl).toEqual([{ key: 'EC2.13', count: 2 }]);

    // The counters agree with a recount of the open index.
    expect((await deps.findings.openFindings({ limit: 100 })).length).toBe(after.total);
  });

  it('narrows to an account and reports the last 7 days of decisions', async () => {
    const { deps, ingest, status } = await setUp();
    await ingest(findingNumber(1), findingNumber(3, { accountId: '444455556666' }));
    await suppressFinding(deps, {
      findingId: findingKeyOf(findingNumber(1)),
      userId: 'U0ALICE01',
      reason: 'Lab account, no data',
    });

    const all = await buildStatusReport(status, { kind: 'all' });
    const other = await buildStatusReport(status, { kind: 'account', accountId: '444455556666' });

    expect(all.last7Days).toMatchObject({ suppressed: 1 });
    expect(other.open.total).toBe(1);
    expect(other.last7Days).toMatchObject({ suppressed: 0 });
    expect(other.oldestOpen.map((finding) => finding.accountId)).toEqual(['444455556666']);
  });
});

describe('postWeeklyDigest', () => {
  it('posts once when due and never twice for the same week', async () => {
    const { clock, ingest, status } = await setUp();
    await ingest(findingNumber(1), findingNumber(2));
    const published: { channel: string; report: DigestReport }[] = [];
    const deps = {
      ...status,
      channel: 'C0DIGEST01',
      schedule: { weekday: 1 as const, hour: 9, timeZone: 'Europe/Paris' },
      publisher: {
        publish: async (channel: string, report: DigestReport) => (
          published.push({ channel, report }),
          { chart: 'uploaded' as const }
        ),
      },
    };

    // Monday 2026-11-23 08:59 in Paris: not due yet; first ever run posts the week that ended last Monday.
    clock.set('2026-11-23T07:59:00.000Z');
    await snapshotOpenCounts(deps);
    expect(await postWeeklyDigest(deps)).toMatchObject({ kind: 'posted', weekId: '2026-W46' });
    expect(await postWeeklyDigest(deps)).toMatchObject({ kind: 'already-posted' });

    clock.set('2026-11-23T08:00:00.000Z');
    expect(await postWeeklyDigest(deps)).toEqual({ kind: 'posted', weekId: '2026-W47' });
    expect(await postWeeklyDigest(deps)).toMatchObject({ kind: 'already-posted' });

    expect(published.map((item) => item.report.weekId)).toEqual(['2026-W46', '2026-W47']);
    expect(published[1]?.report).toMatchObject({
      weekStart: '2026-11-16',
      weekEnd: '2026-11-22',
      openHighCritical: { now: 2 },
    });
    expect(published[1]?.report.openPerDay.at(-1)).toMatchObject({ day: '2026-11-23', open: 2 });
  });

  it('gives the week back when Slack fails, so the next run posts it', async () => {
    const { clock, status } = await setUp();
    let fail = true;
    const deps = {
      ...status,
      channel: 'C0DIGEST01',
      schedule: { weekday: 1 as const, hour: 9, timeZone: 'UTC' },
      publisher: {
        publish: async () => {
          if (fail) throw new Error('Slack is down');
          return { chart: 'uploaded' as const };
        },
      },
    };
    clock.set('2026-11-23T09:00:00.000Z');

    await expect(postWeeklyDigest(deps)).rejects.toThrow('Slack is down');
    fail = false;

    expect(await postWeeklyDigest(deps)).toEqual({ kind: 'posted', weekId: '2026-W47' });
  });
});
