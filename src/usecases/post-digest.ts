import type { DateTime } from 'luxon';
import { deliveryFailureKindOf } from '../domain/delivery-retry.js';
import type { DigestSchedule, DigestWeek } from '../domain/digest-schedule.js';
import { previousWeek, shouldPostDigest } from '../domain/digest-schedule.js';
import type { DigestReport, WeekCounts } from '../domain/status-report.js';
import type { StatusDeps } from './build-status-report.js';
import type { Log } from './ports.js';
import {
  acceptanceSummary,
  dayCounterSum,
  decisionCounts,
  openFindingSummary,
  topCounts,
} from './build-status-report.js';

/** A posted digest: its chart uploaded, or missing (the message went out; the chart upload failed, with why). */
export type DigestPublication =
  { readonly chart: 'uploaded' } | { readonly chart: 'missing'; readonly reason: string };

/** Posts a digest (message, then its chart) to a channel: Slack in production. Throws only if the message failed. */
export interface DigestPublisher {
  publish(channel: string, report: DigestReport): Promise<DigestPublication>;
}

export interface DigestDeps extends StatusDeps {
  readonly publisher: DigestPublisher;
  readonly schedule: DigestSchedule;
  readonly channel: string;
  /** Where a digest posted without its chart is reported (absent: only the outcome says so). */
  readonly log?: Log;
}

async function weekCounts(deps: StatusDeps, week: DigestWeek): Promise<WeekCounts> {
  const [decided, created, reopened] = await Promise.all([
    decisionCounts(deps, week.start, week.end, { kind: 'all' }),
    dayCounterSum(deps, week.start, week.end, 'new'),
    dayCounterSum(deps, week.start, week.end, 'reopened'),
  ]);
  return { new: created, reopened, ...decided };
}

/** The digest of one week: this week against the one before, what is open, and 8 weeks of open counts per day. */
export async function buildDigestReport(
  deps: StatusDeps,
  week: DigestWeek,
  timeZone: string,
): Promise<DigestReport> {
  const now = deps.clock.now();
  const [thisWeek, lastWeek, counters, oldest, expiring, mttr, weekAgoDay] = await Promise.all([
    weekCounts(deps, week),
    weekCounts(deps, previousWeek(week)),
    deps.stats.group('OPEN'),
    deps.findings.openFindings({ limit: 5 }),
    deps.acceptances.activeEndingBefore(now.plus({ days: 14 }).toUTC().toISO()!),
    deps.stats.meanTimeToRemediateHours(),
    deps.stats.day(week.end.minus({ days: 7 }).toUTC().toISODate()!),
  ]);
  const openPerDay: { day: string; open: number }[] = [];
  const today = now.toUTC().toISODate()!;
  for (
    let day = week.end.toUTC().startOf('day').minus({ days: 55 });
    day.toISODate()! <= week.end.toUTC().toISODate()!;
    day = day.plus({ days: 1 })
  ) {
    const iso = day.toISODate()!;
    const open = iso === today ? counters.get('ALL') : (await deps.stats.day(iso)).get('open');
    if (open !== undefined) openPerDay.push({ day: iso, open });
  }
  const weekAgo = weekAgoDay.get('openHighCritical');
  return {
    weekId: week.weekId,
    weekStart: week.start.setZone(timeZone).toISODate()!,
    weekEnd: week.end.setZone(timeZone).minus({ days: 1 }).toISODate()!,
    timeZone,
    thisWeek,
    lastWeek,
    openHighCritical: {
      now: (counters.get('SEVERITY#HIGH') ?? 0) + (counters.get('SEVERITY#CRITICAL') ?? 0),
      ...(weekAgo !== undefined && { weekAgo }),
    },
    topControls: topCounts(counters, 'CONTROL#', 5),
    topAccounts: topCounts(counters, 'ACCOUNT#', 5),
    oldestOpen: oldest.map(openFindingSummary),
    expiringSoon: expiring.map(acceptanceSummary),
    ...(mttr !== undefined && { meanTimeToRemediateHours: mttr }),
    openPerDay,
  };
}

export type DigestOutcome =
  /** `chartMissing`: the message was posted but its chart was not (why); the week counts as posted all the same. */
  | { readonly kind: 'posted'; readonly weekId: string; readonly chartMissing?: string }
  | { readonly kind: 'not-due' }
  | { readonly kind: 'already-posted'; readonly weekId?: string };

/**
 * Scheduled (every sync run; locally a timer): post the week's digest once it is due. The week is claimed with a
 * conditional write first, so two runs, two containers or a retry never post the same week twice.
 */
export async function postWeeklyDigest(deps: DigestDeps): Promise<DigestOutcome> {
  const now = deps.clock.now();
  const decision = shouldPostDigest(now, deps.schedule, await deps.stats.lastDigestWeek());
  if (!decision.post)
    return decision.reason === 'already-posted' ? { kind: 'already-posted' } : { kind: 'not-due' };
  const postedAt = now.toUTC().toISO()!;
  const { weekId } = decision.week;
  if (!(await deps.stats.claimDigest(weekId, deps.channel, postedAt)))
    return { kind: 'already-posted', weekId };
  let publication: DigestPublication;
  try {
    publication = await deps.publisher.publish(
      deps.channel,
      await buildDigestReport(deps, decision.week, deps.schedule.timeZone),
    );
  } catch (error) {
    // A post that may have gone through keeps the week claimed: a missed digest beats a second one every sync.
    if (deliveryFailureKindOf(error) !== 'uncertain') await deps.stats.releaseDigest(weekId);
    throw error;
  }
  if (publication.chart === 'uploaded') return { kind: 'posted', weekId };
  // The message is in the channel: giving the week back would post the whole digest again. Keep it, say what is missing.
  deps.log?.warn('weekly digest posted without its chart (the chart upload failed); the week stays posted', {
    weekId,
    channel: deps.channel,
    reason: publication.reason,
  });
  await deps.stats.recordDigestChartMissing(weekId, deps.channel, postedAt, publication.reason);
  return { kind: 'posted', weekId, chartMissing: publication.reason };
}

/** The 7 days up to now, for a digest asked for on demand. */
export function onDemandWeek(now: DateTime, timeZone: string): DigestWeek {
  const end = now.setZone(timeZone);
  return { weekId: `${end.toISOWeekDate()!.slice(0, 8)} (on demand)`, start: end.minus({ days: 7 }), end };
}

/** `/cspm digest`: the last 7 days up to now, posted at once (it does not take the week's scheduled slot). */
export async function postDigestNow(deps: DigestDeps): Promise<void> {
  const week = onDemandWeek(deps.clock.now(), deps.schedule.timeZone);
  await deps.publisher.publish(deps.channel, await buildDigestReport(deps, week, deps.schedule.timeZone));
}
