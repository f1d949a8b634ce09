import type { DateTime } from 'luxon';

/**
 * How long one action holds a finding. Longer than any worker can run (a Lambda stops at 15 minutes; SSM waits
 * at most 10), so an action older than this was interrupted (process killed, timeout) and is reconciled, not awaited.
 */
export const ACTION_LEASE_MINUTES = 20;

/** Actions (and PENDING decisions) that started before this instant have outlived their lease. */
export function leaseExpiredBefore(now: DateTime): string {
  return now.minus({ minutes: ACTION_LEASE_MINUTES }).toUTC().toISO()!;
}

export function isLeaseExpired(since: string, now: DateTime): boolean {
  return since < leaseExpiredBefore(now);
}
