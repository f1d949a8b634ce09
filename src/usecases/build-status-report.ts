import type { DateTime } from 'luxon';
import type { Acceptance } from '../domain/acceptance.js';
import type { Decision, DecisionKind } from '../domain/decision.js';
import { decisionCounterKey } from '../domain/decision-counters.js';
import { countedState } from '../domain/finding-stats.js';
import { SEVERITY_LABELS } from '../domain/severity.js';
import type { Severity } from '../domain/severity.js';
import type {
  AcceptanceSummary,
  CountByKey,
  OpenFindingSummary,
  QuarantinedFindingSummary,
  StatusReport,
  StatusScope,
  StuckDeliveryGroup,
  WeekCounts,
} from '../domain/status-report.js';
import type { AcceptanceRepository } from '../store/acceptance-repository.js';
import type { DecisionRepository } from '../store/decision-repository.js';
import type { FindingRecord, FindingRepository } from '../store/finding-repository.js';
import type { QuarantineRepository } from '../store/quarantine-repository.js';
import type { StatsRepository } from '../store/stats-repository.js';
import type { Clock } from './ports.js';

export interface StatusDeps {
  readonly findings: FindingRepository;
  readonly decisions: DecisionRepository;
  readonly acceptances: AcceptanceRepository;
  readonly stats: StatsRepository;
  readonly clock: Clock;
  /** Findings that failed to ingest; absent, the status does not mention them. */
  readonly quarantine?: QuarantineRepository;
}

export function openFindingSummary(record: FindingRecord): OpenFindingSummary {
  const { finding } = record;
  return {
    findingId: record.findingId,
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
    ...(acceptance.resourceId && {
      resourceShortId: acceptance.resourceId.split('/').at(-1) ?? acceptance.resourceId,
    }),
    until: acceptance.until,
    acceptedBy: acceptance.acceptedBy,
    reason: acceptance.reason,
  };
}

function groupOf(scope: StatusScope): string {
  return scope.kind === 'all'
    ? 'OPEN'
    : scope.kind === 'account'
      ? `ACCOUNT#${scope.accountId}`
      : `CONTROL#${scope.controlId}`;
}

export function topCounts(
  counters: ReadonlyMap<string, number>,
  prefix: string,
  limit: number,
): CountByKey[] {
  return [...counters]
    .filter(([key, count]) => key.startsWith(prefix) && count > 0)
    .map(([key, count]) => ({ key: key.slice(prefix.length), count }))
    .sort((a, b) => b.count - a.count || a.key.localeCompare(b.key))
    .slice(0, limit);
}

function inScope(scope: StatusScope, target: { accountId: string; controlId?: string | undefined }): boolean {
  return (
    scope.kind === 'all' ||
    (scope.kind === 'account' ? target.accountId === scope.accountId : target.controlId === scope.controlId)
  );
}

/** Remediated, suppressed and accepted in [from, to), from the decisions (only those that went through). */
export async function decisionCounts(
  deps: StatusDeps,
  from: DateTime,
  to: DateTime,
  scope: StatusScope,
): Promise<Pick<WeekCounts, 'remediated' | 'suppressed' | 'accepted'>> {
  let decisions: Decision[] = (
    await deps.decisions.between(from.toUTC().toISO()!, to.toUTC().toISO()!)
  ).filter((decision) => decision.status === 'SUCCEEDED');
  if (scope.kind !== 'all') {
    const records = new Map<string, FindingRecord | undefined>();
    for (const decision of decisions)
      if (!records.has(decision.findingId))
        records.set(decision.findingId, await deps.findings.get(decision.findingId));
    decisions = decisions.filter((decision) => {
      const record = records.get(decision.findingId);
      return record !== undefined && inScope(scope, record.finding);
    });
  }
  const count = (kinds: readonly DecisionKind[]) =>
    decisions.filter((decision) => kinds.includes(decision.kind)).length;
  return {
    remediated: count(COUNTED_KINDS.remediated),
    suppressed: count(COUNTED_KINDS.suppressed),
    accepted: count(COUNTED_KINDS.accepted),
  };
}

/** Decision kinds each "last 7 days" figure counts. */
const COUNTED_KINDS: Readonly<Record<'remediated' | 'suppressed' | 'accepted', readonly DecisionKind[]>> = {
  remediated: ['remediate', 'auto-remediate', 'mark-fixed'],
  suppressed: ['suppress'],
  accepted: ['accept-risk'],
};

/**
 * Remediated, suppressed and accepted over the whole UTC days from `from`'s day up to `to`, from the day counters
 * kept as decisions finish (one small read per day, however many decisions there are). Equal to `decisionCounts`
 * over the same days.
 */
export async function weekDecisionCounts(
  deps: Pick<StatusDeps, 'stats'>,
  from: DateTime,
  to: DateTime,
  scope: StatusScope,
): Promise<Pick<WeekCounts, 'remediated' | 'suppressed' | 'accepted'>> {
  return decisionCountsOfDays(await dayCounters(deps, from, to), scope);
}

/** The day counters of the UTC days from `from`'s day up to `to`, with one read. */
async function dayCounters(
  deps: Pick<StatusDeps, 'stats'>,
  from: DateTime,
  to: DateTime,
): Promise<Map<string, number>[]> {
  const days: string[] = [];
  for (let day = from.toUTC().startOf('day'); day < to; day = day.plus({ days: 1 }))
    days.push(`DAY#${day.toISODate()!}`);
  return deps.stats.groups(days);
}

function decisionCountsOfDays(
  counters: readonly ReadonlyMap<string, number>[],
  scope: StatusScope,
): Pick<WeekCounts, 'remediated' | 'suppressed' | 'accepted'> {
  const sum = (kinds: readonly DecisionKind[]) =>
    counters.reduce(
      (total, day) =>
        total +
        kinds.reduce(
          (subtotal, kind) => subtotal + (day.get(decisionCounterKey(kind, 'SUCCEEDED', scope)) ?? 0),
          0,
        ),
      0,
    );
  return {
    remediated: sum(COUNTED_KINDS.remediated),
    suppressed: sum(COUNTED_KINDS.suppressed),
    accepted: sum(COUNTED_KINDS.accepted),
  };
}

/** Sum a day counter over the UTC days of [from, to). */
export async function dayCounterSum(
  deps: StatusDeps,
  from: DateTime,
  to: DateTime,
  event: 'new' | 'reopened',
): Promise<number> {
  let sum = 0;
  for (let day = from.toUTC().startOf('day'); day < to; day = day.plus({ days: 1 }))
    sum += (await deps.stats.day(day.toISODate()!)).get(event) ?? 0;
  return sum;
}

/** Stuck deliveries read for the status: enough to count a broken channel's backlog without a scan. */
const STUCK_DELIVERIES_READ = 100;

/** Stuck finding messages in scope, grouped by channel and reason (a whole channel usually fails for one reason). */
export async function stuckDeliveryGroups(
  deps: StatusDeps,
  scope: StatusScope,
): Promise<StatusReport['stuckDeliveries']> {
  const stuck = await deps.findings.stuckDeliveries(STUCK_DELIVERIES_READ + 1);
  const more = stuck.length > STUCK_DELIVERIES_READ;
  const inScopeStuck = stuck
    .slice(0, STUCK_DELIVERIES_READ)
    .filter((record) => inScope(scope, record.finding));
  if (inScopeStuck.length === 0) return undefined;
  const groups = new Map<string, StuckDeliveryGroup>();
  for (const record of inScopeStuck) {
    const reason = record.deliveryError ?? 'Not delivered.';
    const key = `${record.channel}\u0000${reason}`;
    const group = groups.get(key);
    groups.set(key, { channel: record.channel, reason, count: (group?.count ?? 0) + 1 });
  }
  return { groups: [...groups.values()].sort((a, b) => b.count - a.count), total: inScopeStuck.length, more };
}

/** Quarantined findings read for the status: a handful is enough to act on; the total says how many. */
const QUARANTINED_SHOWN = 5;

/** Quarantined findings in scope, most recently failed first; undefined when there are none. */
export async function quarantinedFindings(
  deps: StatusDeps,
  scope: StatusScope,
): Promise<StatusReport['quarantined']> {
  if (!deps.quarantine) return undefined;
  const { total, recent } = await deps.quarantine.quarantined(
    scope.kind === 'all' ? QUARANTINED_SHOWN : Number.MAX_SAFE_INTEGER,
  );
  const shown = recent.filter((entry) => inScope(scope, entry));
  if (shown.length === 0) return undefined;
  const summaries = shown.slice(0, QUARANTINED_SHOWN).map((entry): QuarantinedFindingSummary => ({
    id: entry.id,
    accountId: entry.accountId,
    region: entry.region,
    ...(entry.controlId !== undefined && { controlId: entry.controlId }),
    reason: entry.reason,
    attempts: entry.attempts,
    lastFailedAt: entry.lastFailedAt,
  }));
  return { recent: summaries, total: scope.kind === 'all' ? total : shown.length };
}

/**
 * `/cspm status` and the App Home: counters kept on every write, the oldest open findings from a sparse index,
 * the last 7 days (the UTC days from a week ago to today) of decisions and reopened findings from day counters,
 * acceptances ending within 14 days. No table scan and no read of decisions, whatever the table holds.
 */
export async function buildStatusReport(deps: StatusDeps, scope: StatusScope): Promise<StatusReport> {
  const now = deps.clock.now();
  const weekAgo = now.minus({ days: 7 });
  const [counters, oldest, days, expiring, mttr, stuckDeliveries, quarantined] = await Promise.all([
    deps.stats.group(groupOf(scope)),
    deps.findings.openFindings({
      ...(scope.kind === 'account' && { accountId: scope.accountId }),
      ...(scope.kind === 'control' && { controlId: scope.controlId }),
      limit: 5,
    }),
    dayCounters(deps, weekAgo, now.plus({ milliseconds: 1 })),
    deps.acceptances.activeEndingBefore(now.plus({ days: 14 }).toUTC().toISO()!),
    deps.stats.meanTimeToRemediateHours(),
    stuckDeliveryGroups(deps, scope),
    quarantinedFindings(deps, scope),
  ]);
  const recent = decisionCountsOfDays(days, scope);
  const reopened = scope.kind === 'all' ? days.reduce((sum, day) => sum + (day.get('reopened') ?? 0), 0) : 0;
  const bySeverity = Object.fromEntries(
    SEVERITY_LABELS.map((label) => [label, counters.get(`SEVERITY#${label}`) ?? 0]),
  ) as Record<Severity, number>;
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
    ...(stuckDeliveries && { stuckDeliveries }),
    ...(quarantined && { quarantined }),
  };
}

/** End-of-day snapshot for the digest chart and trend (the last one of a UTC day wins). */
export async function snapshotOpenCounts(deps: Pick<StatusDeps, 'stats' | 'clock'>): Promise<void> {
  const counters = await deps.stats.group('OPEN');
  const highCritical = (counters.get('SEVERITY#HIGH') ?? 0) + (counters.get('SEVERITY#CRITICAL') ?? 0);
  await deps.stats.snapshotDay(deps.clock.now().toUTC().toISODate()!, counters.get('ALL') ?? 0, highCritical);
}
