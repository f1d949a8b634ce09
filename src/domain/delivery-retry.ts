import type { DateTime } from 'luxon';

/**
 * Why a finding's message did not reach Slack, which decides what happens to it:
 * - `rate-limited`: Slack asked to wait (429) longer than the sender may; no attempt counted, due at the next sweep.
 * - `transient`: certainly not delivered (connection refused, Slack unavailable); retried with backoff.
 * - `uncertain`: a post that may have gone through (timeout, dropped connection, 5xx); the next attempt looks
 *   for it in the channel before posting again.
 * - `message`: Slack refuses this message; retrying cannot help.
 * - `channel`: the channel cannot take messages (archived, not found, bot not in it).
 * - `workspace`: the token or workspace is unusable; every message fails the same way, none is to blame.
 */
export type DeliveryFailureKind =
  'rate-limited' | 'transient' | 'uncertain' | 'message' | 'channel' | 'workspace';

const KINDS: ReadonlySet<string> = new Set<DeliveryFailureKind>([
  'rate-limited',
  'transient',
  'uncertain',
  'message',
  'channel',
  'workspace',
]);

/** Errors from the messenger that know their kind carry it as `deliveryFailure`; any other error is `transient`. */
export function deliveryFailureKindOf(error: unknown): DeliveryFailureKind {
  if (
    typeof error === 'object' &&
    error !== null &&
    'deliveryFailure' in error &&
    typeof error.deliveryFailure === 'string'
  ) {
    if (KINDS.has(error.deliveryFailure)) return error.deliveryFailure as DeliveryFailureKind;
  }
  return 'transient';
}

/** Attempts a message gets before it is marked stuck: with the backoff below, about four hours of trying. */
export const MAX_DELIVERY_ATTEMPTS = 10;
const FIRST_RETRY_MINUTES = 1;
const LONGEST_RETRY_MINUTES = 60;
/** A workspace-wide failure (revoked token) is retried at this pace without counting against any message. */
const WORKSPACE_RETRY_MINUTES = 5;

export type DeliveryRetry =
  | { readonly state: 'retry'; readonly attempts: number; readonly nextAttemptAt: string }
  | { readonly state: 'stuck'; readonly attempts: number };

/** Minutes before the next try after `attempts` failed ones: 1, 2, 4 … 60. */
export function retryDelayMinutes(attempts: number): number {
  return Math.min(FIRST_RETRY_MINUTES * 2 ** Math.max(0, attempts - 1), LONGEST_RETRY_MINUTES);
}

/**
 * What becomes of a message after a failed attempt: tried again later (backing off per message, so a few
 * failing messages never hold up the others), or stuck (needs a person) once retrying cannot help or the
 * attempts ran out.
 */
export function afterFailedDelivery(input: {
  failure: DeliveryFailureKind;
  attemptsBefore: number;
  now: DateTime;
}): DeliveryRetry {
  const { failure, attemptsBefore, now } = input;
  const at = (minutes: number) => now.plus({ minutes }).toUTC().toISO()!;
  switch (failure) {
    case 'message':
    case 'channel':
      return { state: 'stuck', attempts: attemptsBefore + 1 };
    case 'workspace':
      return { state: 'retry', attempts: attemptsBefore, nextAttemptAt: at(WORKSPACE_RETRY_MINUTES) };
    case 'rate-limited':
      // Slack asked the sender to wait longer than its budget: the next sweep (minutes away) is late enough.
      return { state: 'retry', attempts: attemptsBefore, nextAttemptAt: at(0) };
    case 'transient':
    case 'uncertain': {
      const attempts = attemptsBefore + 1;
      if (attempts >= MAX_DELIVERY_ATTEMPTS) return { state: 'stuck', attempts };
      return { state: 'retry', attempts, nextAttemptAt: at(retryDelayMinutes(attempts)) };
    }
  }
}

/** The delivery fields a claim reads: the same for a finding's message and a grouped message. */
export interface ClaimableDelivery {
  readonly delivery: string;
  readonly messageTs?: string;
  readonly deliveryClaimedAt?: string;
  readonly deliveryUncertainSince?: string;
}

/**
 * A delivery as its new claimer holds it. A claim taken over from a run that died while posting may have posted:
 * it is marked uncertain from the dead run's claim, so the next post looks for the message first.
 */
export function claimedDelivery<T extends ClaimableDelivery>(before: T, now: string): T {
  const diedPosting = before.delivery === 'in-flight' && !before.messageTs && !before.deliveryUncertainSince;
  return {
    ...before,
    delivery: 'in-flight',
    deliveryClaimedAt: now,
    ...(diedPosting && before.deliveryClaimedAt && { deliveryUncertainSince: before.deliveryClaimedAt }),
  };
}
