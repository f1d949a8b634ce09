import { DateTime, IANAZone, type Zone } from 'luxon';
import { AppError } from './app-error.js';

/** When the weekly digest is posted: a weekday and an hour, on the wall clock of the configured zone. */
export interface DigestSchedule {
  /** ISO weekday, 1 = Monday … 7 = Sunday. */
  readonly weekday: 1 | 2 | 3 | 4 | 5 | 6 | 7;
  /** Local hour, 0-23 (minute 0). */
  readonly hour: number;
  /** IANA zone, e.g. `Europe/Paris`. */
  readonly timeZone: string;
}

/**
 * What one digest covers: the 7 local calendar days that end at its scheduled moment, e.g. for Monday 09:00
 * Europe/Paris, last Monday 09:00 to this Monday 09:00. Seven calendar days, not 168 hours: a week that contains a
 * DST change lasts 167 or 169 hours. Consecutive weeks tile exactly (one week's `end` is the next one's `start`).
 */
export interface DigestWeek {
  /**
   * ISO week-year and week of `start` in the zone, e.g. `2026-W47`. Taken from the start so that the id is stable
   * however the schedule's weekday falls; at a year end this is ISO's, not the calendar's: a week starting Monday
   * 2026-12-28 (or Sunday 2027-01-03) is `2026-W53`.
   */
  readonly weekId: string;
  readonly start: DateTime;
  /** Exclusive. */
  readonly end: DateTime;
}

/** A digest schedule or week id that cannot be used; configuration validation should have caught it. */
export class DigestScheduleError extends AppError {
  readonly code = 'DIGEST_SCHEDULE_INVALID';
}

const WEEK_ID = /^(\d{4})-W(\d{2})$/;
const MS_PER_DAY = 86_400_000;
const MS_PER_WEEK = 7 * MS_PER_DAY;

/**
 * The digest due at or before `now`: the week that ends at the latest scheduled moment ≤ `now`.
 *
 * A scheduled hour that does not exist that day (spring-forward, e.g. 02:00 in Europe/Paris on 2026-03-29) moves
 * forward by the gap (03:00), as luxon does, so that week's digest is still due exactly once. An hour that happens
 * twice (fall-back) is the first of the two.
 */
export function dueDigest(now: DateTime, schedule: DigestSchedule): { dueAt: DateTime; week: DigestWeek } {
  const zone = zoneNamed(schedule.timeZone);
  if (!Number.isInteger(schedule.hour) || schedule.hour < 0 || schedule.hour > 23) {
    throw new DigestScheduleError(`Digest hour must be an integer 0-23, got ${schedule.hour}.`, {
      hour: schedule.hour,
    });
  }
  if (!Number.isInteger(schedule.weekday) || schedule.weekday < 1 || schedule.weekday > 7) {
    throw new DigestScheduleError(
      `Digest weekday must be 1 (Monday) to 7 (Sunday), got ${schedule.weekday}.`,
      {
        weekday: schedule.weekday,
      },
    );
  }
  if (!now.isValid)
    throw new DigestScheduleError('`now` is not a valid DateTime.', { reason: now.invalidReason });

  const local = now.setZone(zone);
  let endDay = localDay(local) - ((local.weekday - schedule.weekday + 7) % 7) * MS_PER_DAY;
  let dueAt = scheduledInstant(endDay, schedule.hour, zone);
  // Today's (or a moved-forward) moment may still be ahead: then the due one is a week earlier.
  while (dueAt > now.toMillis()) {
    endDay -= MS_PER_WEEK;
    dueAt = scheduledInstant(endDay, schedule.hour, zone);
  }
  const week = weekOf(scheduledInstant(endDay - MS_PER_WEEK, schedule.hour, zone), dueAt, zone);
  return { dueAt: week.end, week };
}

/** The digest week just before `week` (its end is `week.start`). */
export function previousWeek(week: DigestWeek): DigestWeek {
  const zone = week.start.zone;
  // The schedule is not carried in the week, so recover its hour. A moment only ever moves *forward* (out of a DST
  // gap) and two consecutive same-weekday moments never both fall in a gap: the earlier local time is the real one.
  const hour = Math.floor(Math.min(minuteOfDay(week.start), minuteOfDay(week.end)) / 60);
  return weekOf(
    scheduledInstant(localDay(week.start) - MS_PER_WEEK, hour, zone),
    week.start.toMillis(),
    zone,
  );
}

/**
 * Whether to post a digest now, given the week id of the last one posted (persisted by the caller). Posts the due
 * week only once; weeks missed while the bot was down are not back-filled (only the latest digest is worth
 * posting). A last-posted week *after* the due one (the schedule moved, or a clock went back) waits: `not-yet`.
 */
export function shouldPostDigest(
  now: DateTime,
  schedule: DigestSchedule,
  lastPostedWeekId: string | undefined,
): { post: true; week: DigestWeek } | { post: false; reason: 'already-posted' | 'not-yet' } {
  const { week } = dueDigest(now, schedule);
  if (lastPostedWeekId === undefined) return { post: true, week };
  const order = compareWeekIds(lastPostedWeekId, week.weekId);
  if (order === 0) return { post: false, reason: 'already-posted' };
  if (order > 0) return { post: false, reason: 'not-yet' };
  return { post: true, week };
}

/**
 * ISO dates of the local days whose end falls in (start, end]: from `start`'s local date up to, not including,
 * `end`'s local date. For a digest week ending Monday 09:00 that is Monday … Sunday, the days that are complete
 * when the digest is posted (the chart shows open findings at the end of each day). Calendar days, so a DST
 * change neither repeats nor skips a date.
 */
export function daysBetween(start: DateTime, end: DateTime, timeZone: string): string[] {
  const zone = zoneNamed(timeZone);
  const days: string[] = [];
  const last = localDay(end.setZone(zone));
  for (let day = localDay(start.setZone(zone)); day < last; day += MS_PER_DAY) {
    days.push(new Date(day).toISOString().slice(0, 10));
  }
  return days;
}

function weekOf(startMs: number, endMs: number, zone: Zone): DigestWeek {
  const start = DateTime.fromMillis(startMs, { zone });
  return {
    weekId: `${start.weekYear}-W${String(start.weekNumber).padStart(2, '0')}`,
    start,
    end: DateTime.fromMillis(endMs, { zone }),
  };
}

/**
 * The instant the wall clock of `zone` shows `hour`:00 on `day`. Not `DateTime.fromObject`: for an hour that
 * happens twice, luxon picks by the offset in force at the *real* current time (`Settings.now()`), so the same
 * input would give different instants in summer and in winter. Here the choice depends on the inputs only.
 */
function scheduledInstant(day: number, hour: number, zone: Zone): number {
  const wallClockAsUtc = day + hour * 3_600_000;
  const offsetBefore = zone.offset(wallClockAsUtc - MS_PER_DAY);
  const offsetAfter = zone.offset(wallClockAsUtc + MS_PER_DAY);
  if (offsetBefore === offsetAfter) return wallClockAsUtc - offsetBefore * 60_000;
  const matches = [offsetBefore, offsetAfter]
    .map((offset) => ({ offset, instant: wallClockAsUtc - offset * 60_000 }))
    .filter(({ offset, instant }) => zone.offset(instant) === offset)
    .map(({ instant }) => instant);
  // No offset matches inside a DST gap: read the wall clock with the offset from before the jump, i.e. move forward.
  return matches.length > 0 ? Math.min(...matches) : wallClockAsUtc - offsetBefore * 60_000;
}

/**
 * A local calendar date as the epoch milliseconds of its midnight *in UTC*: adding whole days to it is exact
 * calendar arithmetic (UTC has no DST), and the zone is applied only when a wall-clock hour becomes an instant.
 */
function localDay(local: DateTime): number {
  return Date.UTC(local.year, local.month - 1, local.day);
}

function minuteOfDay(moment: DateTime): number {
  return moment.hour * 60 + moment.minute;
}

function compareWeekIds(a: string, b: string): number {
  const [yearA, weekA] = parseWeekId(a);
  const [yearB, weekB] = parseWeekId(b);
  return yearA !== yearB ? yearA - yearB : weekA - weekB;
}

function parseWeekId(weekId: string): [number, number] {
  const match = WEEK_ID.exec(weekId);
  if (!match) throw new DigestScheduleError(`"${weekId}" is not an ISO week id like 2026-W47.`, { weekId });
  return [Number(match[1]), Number(match[2])];
}

function zoneNamed(timeZone: string): IANAZone {
  const zone = IANAZone.create(timeZone);
  if (!zone.isValid) throw new DigestScheduleError(`"${timeZone}" is not an IANA time zone.`, { timeZone });
  return zone;
}
