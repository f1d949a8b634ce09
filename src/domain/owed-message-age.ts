import type { DateTime } from 'luxon';

/** What a message owed to Slack tells about when it became owed (the time itself is not stored). */
export interface OwedMessageTimes {
  readonly lastIngestedAt: string;
  /** A decision from Slack owes an update of the message. */
  readonly decidedAt?: string;
  /** A thread notice (auto-remediation) owed with it. */
  readonly owedNoticeAt?: string;
}

/**
 * How long the longest-waiting of these due messages has waited, in milliseconds; undefined when none is due. Each
 * waits since the latest change that could have made it owed, failed attempts included (a Slack outage shows as a
 * growing wait, not one reset by every retry). It never overstates the wait of a message owed by a change; a stuck
 * message someone retried counts from its last change.
 */
export function oldestOwedAgeMs(due: readonly OwedMessageTimes[], now: DateTime): number | undefined {
  if (due.length === 0) return undefined;
  const nowMs = now.toMillis();
  const waits = due.map((message) => {
    const since = [message.lastIngestedAt, message.decidedAt, message.owedNoticeAt]
      .filter((time): time is string => time !== undefined)
      .map((time) => Date.parse(time))
      .filter((ms) => !Number.isNaN(ms));
    return Math.max(0, nowMs - Math.max(...since));
  });
  return Math.max(...waits);
}
