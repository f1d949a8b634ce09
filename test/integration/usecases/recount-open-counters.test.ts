import { describe, expect, it } from 'vitest';
import { triage } from '../../../src/domain/triage.js';
import { FindingRepository } from '../../../src/store/finding-repository.js';
import { StatsRepository } from '../../../src/store/stats-repository.js';
import { buildStatusReport } from '../../../src/usecases/build-status-report.js';
import { ingestFindings } from '../../../src/usecases/ingest-findings.js';
import { recountOpenCounters } from '../../../src/usecases/recount-open-counters.js';
import { makeFinding } from '../../fixtures/finding.js';
import { useEmbeddedDynamoDb } from '../../support/embedded-table.js';
import { fixedClock } from '../../support/fixed-clock.js';
import { recordingLog } from '../../support/recording-log.js';
import { AcceptanceRepository } from '../../../src/store/acceptance-repository.js';
import { DecisionRepository } from '../../../src/store/decision-repository.js';

const dynamo = useEmbeddedDynamoDb();

function findingNumber(n: number, overrides: Parameters<typeof makeFinding>[0] = {}) {
  const base = makeFinding();
  return makeFinding({
    id: base.id.replace(/0001$/, String(n).padStart(4, '0')),
    resource: { ...base.resource, id: `${base.resource.id}-${n}` },
    ...overrides,
  });
}

async function setUp() {
  const table = await dynamo.freshTable();
  const stats = new StatsRepository(table);
  const findings = new FindingRepository(table, stats);
  const clock = fixedClock('2026-11-22T10:00:00.000Z');
  const log = recordingLog();
  const status = {
    findings,
    stats,
    clock,
    decisions: new DecisionRepository(table),
    acceptances: new AcceptanceRepository(table),
  };
  const openTotal = async () => (await buildStatusReport(status, { kind: 'all' })).open;
  return { findings, stats, clock, log, openTotal };
}

describe('recountOpenCounters', () => {
  it('finds nothing to correct after batches that finished', async () => {
    const { findings, clock, log, stats } = await setUp();
    const messenger = {
      post: async (channel: string) => ({ channel, ts: '1.1' }),
      findPosted: async () => ({ kind: 'not-found' as const, complete: true }),
      update: async () => undefined,
      retire: async () => undefined,
      notify: async () => undefined,
    };
    await ingestFindings(
      {
        findings,
        messenger,
        clock,
        log,
        routing: { rules: [], defaultChannel: 'C0FINDINGS' },
        severityThreshold: 'HIGH',
      },
      [1, 2, 3].map((n) => ({ ok: true as const, finding: findingNumber(n) })),
    );

    expect(await recountOpenCounters({ findings, stats, clock, log })).toEqual({
      kind: 'recounted',
      corrected: 0,
      openFindings: 3,
    });
  });

  it('repairs the counts a batch that died before writing them left out, once the batch is surely dead', async () => {
    const { findings, stats, clock, log, openTotal } = await setUp();
    const kept = await findings.beginCountedBatch('2026-11-22T10:00:00.000Z');
    await kept.findings.insertNew({
      finding: findingNumber(1),
      triage: triage(findingNumber(1)),
      channel: 'C0FINDINGS',
      now: '2026-11-22T10:00:00.000Z',
    });
    await kept.finish();
    // The process dies after storing two findings, before its counts are written.
    const died = await findings.beginCountedBatch('2026-11-22T10:00:00.000Z');
    for (const n of [2, 3]) {
      const finding = findingNumber(n, { severity: 'CRITICAL', accountId: '444455556666' });
      await died.findings.insertNew({
        finding,
        triage: triage(finding),
        channel: 'C0FINDINGS',
        now: '2026-11-22T10:00:00.000Z',
      });
    }
    expect((await openTotal()).total).toBe(1);

    // Minutes later the batch may still be running: the recount must not count its findings twice.
    clock.set('2026-11-22T10:05:00.000Z');
    expect(await recountOpenCounters({ findings, stats, clock, log })).toMatchObject({ kind: 'busy' });
    expect((await openTotal()).total).toBe(1);

    clock.set('2026-11-22T10:30:00.000Z');
    const repaired = await recountOpenCounters({ findings, stats, clock, log });

    expect(repaired).toMatchObject({ kind: 'recounted', openFindings: 3 });
    expect(await openTotal()).toMatchObject({
      total: 3,
      bySeverity: { HIGH: 1, CRITICAL: 2 },
      byAccount: expect.arrayContaining([{ key: '444455556666', count: 2 }]),
    });
    expect(log.entries).toContainEqual(
      expect.objectContaining({ level: 'warn', message: expect.stringContaining('repaired') }),
    );
    expect(await stats.batchesNotEnded()).toEqual([]);
    expect(await recountOpenCounters({ findings, stats, clock, log })).toMatchObject({
      kind: 'recounted',
      corrected: 0,
    });
  });
});
