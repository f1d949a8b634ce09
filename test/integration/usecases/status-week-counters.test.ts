import { DateTime } from 'luxon';
import { describe, expect, it, vi } from 'vitest';
import type { Decision, DecisionKind } from '../../../src/domain/decision.js';
import { findingKeyOf } from '../../../src/domain/finding-key.js';
import type { StatusScope } from '../../../src/domain/status-report.js';
import { triage } from '../../../src/domain/triage.js';
import { AcceptanceRepository } from '../../../src/store/acceptance-repository.js';
import { DecisionRepository } from '../../../src/store/decision-repository.js';
import { FindingRepository } from '../../../src/store/finding-repository.js';
import { StatsRepository } from '../../../src/store/stats-repository.js';
import {
  buildStatusReport,
  decisionCounts,
  weekDecisionCounts,
} from '../../../src/usecases/build-status-report.js';
import { makeFinding } from '../../fixtures/finding.js';
import { useEmbeddedDynamoDb } from '../../support/embedded-table.js';
import { fixedClock } from '../../support/fixed-clock.js';

const dynamo = useEmbeddedDynamoDb();

const ACCOUNTS = ['111122223333', '444455556666', '777788889999'];
const CONTROLS = ['EC2.13', 'EC2.19', undefined];
const KINDS: DecisionKind[] = [
  'remediate',
  'auto-remediate',
  'mark-fixed',
  'suppress',
  'accept-risk',
  'reopen',
  'revoke-acceptance',
];

function finding(n: number) {
  const base = makeFinding();
  const controlId = CONTROLS[n % CONTROLS.length];
  const { controlId: _baseControl, ...withoutControl } = makeFinding({
    id: base.id.replace(/0001$/, String(n).padStart(4, '0')),
    accountId: ACCOUNTS[n % ACCOUNTS.length]!,
    resource: { ...base.resource, id: `${base.resource.id}-${n}` },
  });
  // A finding of another product carries no control id: its decisions count overall and for its account only.
  return controlId === undefined ? withoutControl : { ...withoutControl, controlId };
}

describe('last 7 days from day counters', () => {
  it('equal the counts read from the decisions, for every scope, over random histories', async () => {
    const table = await dynamo.freshTable();
    const stats = new StatsRepository(table);
    const findings = new FindingRepository(table, stats);
    const decisions = new DecisionRepository(table, { stats, findings });
    for (let n = 0; n < 9; n += 1) {
      const stored = finding(n);
      await findings.insertNew({
        finding: stored,
        triage: triage(stored),
        channel: 'C0FINDINGS',
        now: '2026-11-01T00:00:00.000Z',
      });
    }
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
    const start = DateTime.fromISO('2026-11-10T00:00:00.000Z', { zone: 'utc' });
    const history = Array.from({ length: 150 }, () =>
      start.plus({ minutes: Math.floor(random() * 14 * 24 * 60) }),
    ).sort((a, b) => a.toMillis() - b.toMillis());
    let recorded = 0;
    /** Decisions as they happen up to `now` (none is requested in the future). */
    const decideUntil = async (now: DateTime) => {
      for (; recorded < history.length && history[recorded]! <= now; recorded += 1) {
        const requestedAt = history[recorded]!.toISO()!;
        // Finding 9 was never stored: its decisions count overall only, as the decision-based count does.
        const findingId = findingKeyOf(finding(Math.floor(random() * 10)));
        const decision: Decision = {
          decisionId: `d-${recorded}`,
          findingId,
          kind: pick(KINDS),
          status: 'PENDING',
          actor: { kind: 'user', userId: 'U0ALICE01' },
          requestedAt,
          what: 'test',
        };
        const outcome = pick(['SUCCEEDED', 'FAILED', 'PENDING', 'direct'] as const);
        if (outcome === 'direct') {
          await decisions.record({ ...decision, status: 'SUCCEEDED', finishedAt: requestedAt });
          continue;
        }
        await decisions.record(decision);
        if (outcome !== 'PENDING')
          await decisions.complete({ ...decision, status: outcome, finishedAt: requestedAt });
      }
    };
    const scopes: StatusScope[] = [
      { kind: 'all' },
      ...ACCOUNTS.map((accountId): StatusScope => ({ kind: 'account', accountId })),
      ...['EC2.13', 'EC2.19'].map((controlId): StatusScope => ({ kind: 'control', controlId })),
    ];
    const deps = {
      findings,
      decisions,
      stats,
      acceptances: new AcceptanceRepository(table),
      clock: fixedClock('2026-11-20T00:00:00.000Z'),
    };
    let nonZero = 0;
    for (const day of [12, 17, 20, 24]) {
      const now = start.plus({ days: day - 10, hours: 13, minutes: 7 });
      await decideUntil(now);
      const from = now.minus({ days: 7 }).startOf('day');
      for (const scope of scopes) {
        const fromCounters = await weekDecisionCounts(deps, from, now.plus({ milliseconds: 1 }), scope);
        expect(fromCounters).toEqual(await decisionCounts(deps, from, now.plus({ milliseconds: 1 }), scope));
        nonZero += fromCounters.remediated + fromCounters.suppressed + fromCounters.accepted;
      }
    }
    expect(nonZero).toBeGreaterThan(50);
  });

  it('are what /cspm status shows, without reading a single decision', async () => {
    const table = await dynamo.freshTable();
    const stats = new StatsRepository(table);
    const findings = new FindingRepository(table, stats);
    const decisions = new DecisionRepository(table, { stats, findings });
    const stored = finding(1);
    await findings.insertNew({
      finding: stored,
      triage: triage(stored),
      channel: 'C0FINDINGS',
      now: '2026-11-01T00:00:00.000Z',
    });
    const base = {
      findingId: findingKeyOf(stored),
      actor: { kind: 'user' as const, userId: 'U0ALICE01' },
      what: 'test',
      status: 'SUCCEEDED' as const,
    };
    await decisions.record({
      ...base,
      decisionId: 'old',
      kind: 'suppress',
      requestedAt: '2026-11-10T23:59:59.000Z',
    });
    await decisions.record({
      ...base,
      decisionId: 'in',
      kind: 'suppress',
      requestedAt: '2026-11-13T00:00:00.000Z',
    });
    await decisions.record({
      ...base,
      decisionId: 'fix',
      kind: 'mark-fixed',
      requestedAt: '2026-11-20T09:00:00.000Z',
    });
    const between = vi.spyOn(decisions, 'between');

    const report = await buildStatusReport(
      {
        findings,
        decisions,
        stats,
        acceptances: new AcceptanceRepository(table),
        clock: fixedClock('2026-11-20T10:00:00.000Z'),
      },
      { kind: 'account', accountId: stored.accountId },
    );

    expect(report.last7Days).toMatchObject({ remediated: 1, suppressed: 1, accepted: 0 });
    expect(between).not.toHaveBeenCalled();
  });
});
