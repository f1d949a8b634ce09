import { DateTime } from 'luxon';
import type { Finding } from './finding.js';

export type AcceptanceScope = 'resource' | 'control-in-account';
export type AcceptanceStatus = 'active' | 'expired' | 'revoked';

/** A time-boxed risk acceptance: who accepted what, why, until which day. */
export interface Acceptance {
  readonly acceptanceId: string;
  readonly scope: AcceptanceScope;
  readonly accountId: string;
  /** The control it covers (both scopes); absent only for findings without a control. */
  readonly controlId?: string;
  /** For `resource` scope: the resource (ASFF `Resources[].Id`) it covers. */
  readonly resourceId?: string;
  /** The finding it was accepted from: its thread gets the reminders. */
  readonly originFindingId: string;
  /** Last day covered (ISO date) in `timeZone`. */
  readonly until: string;
  /** The instant it ends: the start of the day after `until` in `timeZone` (ISO, UTC). */
  readonly expiresAt: string;
  readonly timeZone: string;
  readonly acceptedBy: string;
  readonly acceptedByName?: string;
  readonly reason: string;
  readonly ticketUrl?: string;
  readonly createdAt: string;
  readonly status: AcceptanceStatus;
  readonly reminderSentAt?: string;
}

export interface AcceptanceRules {
  readonly timeZone: string;
  readonly defaultDays: number;
  readonly maxDays: number;
}

/** The datepicker's default: today + defaultDays in the configured zone. */
export function defaultAcceptanceUntil(now: DateTime, rules: AcceptanceRules): string {
  return now.setZone(rules.timeZone).startOf('day').plus({ days: rules.defaultDays }).toISODate()!;
}

export function latestAcceptanceUntil(now: DateTime, rules: AcceptanceRules): string {
  return now.setZone(rules.timeZone).startOf('day').plus({ days: rules.maxDays }).toISODate()!;
}

/**
 * The chosen last day must be a real date after today (in the configured zone: "today" in Tokyo is not "today"
 * in Paris) and at most `maxDays` away. It ends at the start of the next local day, whatever DST does that night.
 */
export function validateAcceptanceUntil(
  until: string | undefined,
  now: DateTime,
  rules: AcceptanceRules,
): { ok: true; until: string; expiresAt: string } | { ok: false; error: string } {
  if (!until) return { ok: false, error: 'Pick the last day the acceptance covers.' };
  const day = DateTime.fromISO(until, { zone: rules.timeZone });
  if (!/^\d{4}-\d{2}-\d{2}$/.test(until) || !day.isValid)
    return { ok: false, error: `${until} is not a date.` };
  const today = now.setZone(rules.timeZone).startOf('day');
  if (day <= today)
    return { ok: false, error: `Pick a day after today (${today.toISODate()} in ${rules.timeZone}).` };
  const latest = today.plus({ days: rules.maxDays });
  if (day > latest)
    return { ok: false, error: `At most ${rules.maxDays} days ahead: ${latest.toISODate()} or earlier.` };
  return { ok: true, until, expiresAt: day.plus({ days: 1 }).startOf('day').toUTC().toISO()! };
}

/** Whether an active acceptance covers a finding now. */
export function acceptanceCovers(
  acceptance: Acceptance,
  finding: Pick<Finding, 'accountId' | 'controlId' | 'resource'>,
  now: DateTime,
): boolean {
  if (acceptance.status !== 'active' || now.toUTC().toISO()! >= acceptance.expiresAt) return false;
  if (acceptance.accountId !== finding.accountId || acceptance.controlId !== finding.controlId) return false;
  return acceptance.scope === 'control-in-account' || acceptance.resourceId === finding.resource.id;
}

export function isExpired(acceptance: Pick<Acceptance, 'status' | 'expiresAt'>, now: DateTime): boolean {
  return acceptance.status === 'active' && now.toUTC().toISO()! >= acceptance.expiresAt;
}

/** One reminder, `reminderDays` before the end, to the person who accepted. */
export function isDueForReminder(
  acceptance: Pick<Acceptance, 'status' | 'expiresAt' | 'reminderSentAt'>,
  now: DateTime,
  reminderDays: number,
): boolean {
  if (acceptance.status !== 'active' || acceptance.reminderSentAt) return false;
  const end = DateTime.fromISO(acceptance.expiresAt, { zone: 'utc' });
  return now >= end.minus({ days: reminderDays }) && now < end;
}
