import type { DateTime } from 'luxon';
import type { Acceptance } from '../domain/acceptance.js';
import type { Decision } from '../domain/decision.js';
import { countedState } from '../domain/finding-stats.js';
import { SEVERITY_LABELS } from '../domain/severity.js';
import type { Severity } from '../domain/severity.js';
import type { AcceptanceSummary, CountByKey, OpenFindingSummary, StatusReport, StatusScope, WeekCounts } from '../domain/status-report.js';
import type { AcceptanceRepository } from '../store/acceptance-repository.js';
import type { DecisionRepository } from '../store/decision-repository.js';
import type { FindingRecord, FindingRepository } from '../store/finding-repository.js';
import type { StatsRepository } from '../store/stats-repository.js';
import type { Clock } from './ports.js';

export interface StatusDeps {
  readonly findings: FindingRepository;
  readonly decisions: DecisionRepository;
  readonly acceptances: AcceptanceRepository;
  readonly stats: StatsRepository;
  readonly clock: Clock;
}

export function openFindingSummary(record: FindingRecord): OpenFindingSummary {
  const { finding } = record;
  return {
    findingId: finding.id,
    ...(finding.controlId && { controlId: finding.controlId }),
    title: finding.title,
    severity: finding.severity,
    accountId: finding.accountId,
    region: finding.region,
    resourceShortId: finding.resource.shortId,
    firstObservedAt: finding.firstObservedAt,
    exposed: countedState(record).exposed,
    channel: record.channel,
    ...(record.messageTs && { messageTs: record.messageTs }),
  };
}

export function acceptanceSummary(acceptance: Acceptance): AcceptanceSummary {
  return {
    acceptanceId: acceptance.acceptanceId,
    scope: acceptance.scope,
    accountId: acceptance.accountId,
    ...(acceptance.controlId && { controlId: acceptance.controlId }),
    ...(acceptance.resourceId && { resourceShortId: acceptance.resourceId.split('/').at(-1) ?? acceptance.resourceId }),
    until: acceptance.until,
    acceptedBy: acceptance.acceptedBy,
    reason: acceptance.reason,
  };
}

function groupOf(scope: StatusScope): string {
  return scope.kind === 'all' ? 'OPEN' : scope.kind === 'account' ? `ACCOUNT#${scope.accountId}` : `CONTROL#${scope.controlId}`;
}

export function topCounts(counters: ReadonlyMap<string, number>, prefix: string, limit: number): CountByKey[] {
  return [...counters]
    .filter(([key, count]) => key.startsWith(prefix) && count > 0)
    .map(([key, count]) => ({ key: key.slice(prefix.length), count }))
    .sort((a, b) => b.count - a.count || a.key.localeCompare(b.key))
    .slice(0, limit);
}

function inScope(scope: StatusScope, target: { accountId: string; controlId?: string | undefined }): boolean {
  return scope.kind === 'all' || (scope.kind === 'account' ? target.accountId === scope.accountId : target.controlId === scope.controlId);
}

/** Remediated, suppressed and accepted in [from, to), from the decisions (only those that went through). */
export async function decisionCounts(deps: StatusDeps, from: DateTime, to: DateTime, scope: StatusScope): Promise<Pick<WeekCounts, 'remediated' | 'suppressed' | 'accepted'>> {
  let decisions: Decision[] = (await deps.decisions.between(from.toUTC().toISO()!, to.toUTC().toISO()!)).filter((decision) => decision.status === 'SUCCEEDED');
  if (scope.kind !== 'all') {
    const records = new Map<string, FindingRecord | undefined>();
    for (const decision of decisions) if (!records.has(decision.findingId)) records.set(decision.findingId, await deps.findings.get(decision.findingId));
    decisions = decisions.filter((decision) => {
      const record = records.get(decision.findingId);
      return record !== undefined && inScope(scope, record.finding);
    });
  }
  const count = (...kinds: Decision['kind'][]) => decisions.filter((decision) => kinds.includes(decision.kind)).length;
  return { remediated: count('remediate', 'auto-remediate', 'mark-fixed'), suppressed: count('suppress'), accepted: count('accept-risk') };
}

/** Sum a day counter over the UTC days of [from, to). */
export async function dayCounterSum(deps: StatusDeps, from: DateTime, to: DateTime, event: 'new' | 'reopened'): Promise<number> {
  let sum = 0;
  for (let day = from.toUTC().startOf('day'); day < to; day = day.plus({ days: 1 })) sum += (await deps.stats.day(day.toISODate()!)).get(event) ?? 0;
  return sum;
}

/**
 * `/cspm status` and the App Home: counters kept on every write, the oldest open findings from a sparse index,
 * the last 7 days of decisions, acceptances ending within 14 days. No table scan, whatever the table holds.
 */
export async function buildStatusReport(deps: StatusDeps, scope: StatusScope): Promise<StatusReport> {
  const now = deps.clock.now();
  const weekAgo = now.minus({ days: 7 });
  const [counters, oldest, recent, reopened, expiring, mttr] = await Promise.all([
    deps.stats.group(groupOf(scope)),
    deps.findings.openFindings({ ...(scope.kind === 'account' && { accountId: scope.accountId }), ...(scope.kind === 'control' && { controlId: scope.controlId }), limit: 5 }),
    decisionCounts(deps, weekAgo, now.plus({ milliseconds: 1 }), scope),
    scope.kind === 'all' ? dayCounterSum(deps, weekAgo, now, 'reopened') : Promise.resolve(0),
    deps.acceptances.activeEndingBefore(now.plus({ days: 14 }).toUTC().toISO()!),
    deps.stats.meanTimeToRemediateHours(),
  ]);
  const bySeverity = Object.fromEntries(SEVERITY_LABELS.map((label) => [label, counters.get(`SEVERITY#${label}`) ?? 0])) as Record<Severity, number>;
  return {
    scope,
    generatedAt: now.toUTC().toISO()!,
    open: {
      total: counters.get('ALL') ?? 0,
      bySeverity,
      byControl: scope.kind === 'control' ? [] : topCounts(counters, 'CONTROL#', 10),
      byAccount: scope.kind === 'account' ? [] : topCounts(counters, 'ACCOUNT#', 10),
      exposed: counters.get('EXPOSED') ?? 0,
    },
    oldestOpen: oldest.map(openFindingSummary),
    last7Days: { ...recent, reopened },
    expiringSoon: expiring.filter((acceptance) => inScope(scope, acceptance)).map(acceptanceSummary),
    ...(mttr !== undefined && { meanTimeToRemediateHours: mttr }),
  };
}

/** End-of-day snapshot for the digest chart and trend (the last one of a UTC day wins). */
export async function snapshotOpenCounts(deps: Pick<StatusDeps, 'stats' | 'clock'>): Promise<void> {
  const counters = await deps.stats.group('OPEN');
  const highCritical = (counters.get('SEVERITY#HIGH') ?? 0) + (counters.get('SEVERITY#CRITICAL') ?? 0);
  await deps.stats.snapshotDay(deps.clock.now().toUTC().toISODate()!, counters.get('ALL') ?? 0, highCritical);
}
