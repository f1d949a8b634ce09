import type { DateTime } from 'luxon';
import { toAppError } from '../domain/app-error.js';
import { afterFailedDelivery, deliveryFailureKindOf } from '../domain/delivery-retry.js';
import type { DeliveryFailureKind } from '../domain/delivery-retry.js';
import type { FindingRecord, FindingRepository } from '../store/finding-repository.js';
import type { Clock, FindingMessenger, Log } from './ports.js';

export interface DeliverDeps {
  readonly findings: FindingRepository;
  readonly messenger: FindingMessenger;
  readonly clock: Clock;
  readonly log: Log;
}

export type DeliveryOutcome =
  | { readonly kind: 'posted'; readonly channel: string; readonly ts: string }
  | { readonly kind: 'updated'; readonly channel: string; readonly ts: string }
  /** A post whose answer was lost was in the channel after all: adopted, not posted again. */
  | { readonly kind: 'found'; readonly channel: string; readonly ts: string }
  | { readonly kind: 'not-owed' }
  | {
      readonly kind: 'failed';
      readonly reason: string;
      readonly channel: string;
      readonly failure: DeliveryFailureKind;
      /** Given up on: listed under "Needs attention" in `/cspm status` until the finding changes or it is retried. */
      readonly stuck: boolean;
    };

/** A claim older than this was left by a worker that died mid-post and may be taken over. */
const CLAIM_LEASE_MINUTES = 5;
/** A sweep reads this many times more due deliveries than it attempts, to share its attempts across channels. */
const DUE_READ_FACTOR = 5;

function iso(time: DateTime): string {
  return time.toUTC().toISO()!;
}

/**
 * Bring a finding's Slack message up to date: post it if it has none, else update it in place.
 * Only the worker that claims the owed delivery sends, so a finding gets one message however often it arrives.
 * A post whose answer was lost (timeout, dropped connection) is never repeated blindly: the next attempt first looks
 * for it in the channel and adopts it; at most one repeat is made without having read the whole window.
 */
export async function deliverFindingMessage(deps: DeliverDeps, findingId: string): Promise<DeliveryOutcome> {
  const now = deps.clock.now();
  const claimed = await deps.findings.claimDelivery(
    findingId,
    iso(now),
    iso(now.minus({ minutes: CLAIM_LEASE_MINUTES })),
  );
  if (!claimed) return { kind: 'not-owed' };
  const { channel } = claimed;
  // Where the attempt got to: a post that went out but was not recorded is as uncertain as a lost answer.
  let stage: 'before-post' | 'posting' | 'posted' = 'before-post';
  try {
    if (claimed.messageTs) {
      await deps.messenger.update(channel, claimed.messageTs, claimed);
      await deps.findings.completeDelivery(claimed, { channel, ts: claimed.messageTs });
      return { kind: 'updated', channel, ts: claimed.messageTs };
    }
    if (claimed.deliveryUncertainSince) {
      const lookup = await deps.messenger.findPosted(channel, claimed, claimed.deliveryUncertainSince);
      if (lookup.kind === 'found') {
        // It may show the state of an earlier attempt: bring it up to date before recording it.
        if (lookup.version !== claimed.version) await deps.messenger.update(channel, lookup.ts, claimed);
        await deps.findings.completeDelivery(claimed, { channel, ts: lookup.ts });
        return { kind: 'found', channel, ts: lookup.ts };
      }
      if (!lookup.complete && claimed.deliveryRepostedAt) {
        return await giveUpOnLostPost(deps, claimed, iso(now));
      }
    }
    stage = 'posting';
    const message = await deps.messenger.post(channel, claimed);
    stage = 'posted';
    await deps.findings.completeDelivery(claimed, message);
    return { kind: 'posted', ...message };
  } catch (error) {
    const lostPost =
      stage === 'posted' || (stage === 'posting' && deliveryFailureKindOf(error) === 'uncertain');
    return await recordFailure(deps, claimed, error, { lostPost, now });
  }
}

/** The one blind repeat was spent and the channel could not be read back far enough: a person checks. */
async function giveUpOnLostPost(
  deps: DeliverDeps,
  claimed: FindingRecord,
  now: string,
): Promise<DeliveryOutcome> {
  const reason =
    `Slack did not confirm the post twice and the bot could not read <#${claimed.channel}> far enough back to check ` +
    '(a very busy channel, or the app lacks channels:history/groups:history): look for the message there, then retry.';
  await deps.findings.markDeliveryStuck(claimed.findingId, {
    reason,
    attempts: (claimed.deliveryAttempts ?? 0) + 1,
    now,
    ...(claimed.deliveryUncertainSince && { uncertainSince: claimed.deliveryUncertainSince }),
  });
  deps.log.warn('finding message not confirmed and not repeated again; marked stuck', {
    findingId: claimed.findingId,
    channel: claimed.channel,
  });
  return { kind: 'failed', reason, channel: claimed.channel, failure: 'uncertain', stuck: true };
}

/** Back off this message (or give up on it), keeping what the next attempt needs to know. */
async function recordFailure(
  deps: DeliverDeps,
  claimed: FindingRecord,
  error: unknown,
  context: { lostPost: boolean; now: DateTime },
): Promise<DeliveryOutcome> {
  const { findingId, channel } = claimed;
  const appError = toAppError(error);
  const { lostPost } = context;
  const failure = lostPost ? 'uncertain' : deliveryFailureKindOf(error);
  const now = iso(context.now);
  // The window to search starts at the first lost post, however many attempts followed.
  const uncertainSince =
    claimed.deliveryUncertainSince ?? (lostPost ? (claimed.deliveryClaimedAt ?? now) : undefined);
  // This post repeated a lost one and was lost too: the one repeat allowed without reading the channel is spent.
  const repostedAt = lostPost && claimed.deliveryUncertainSince ? now : claimed.deliveryRepostedAt;
  const retry = afterFailedDelivery({
    failure,
    attemptsBefore: claimed.deliveryAttempts ?? 0,
    now: context.now,
  });
  if (retry.state === 'stuck') {
    const reason =
      failure === 'transient' || failure === 'uncertain'
        ? `Not delivered after ${retry.attempts} attempts; last error: ${appError.message}`
        : appError.userMessage;
    await deps.findings.markDeliveryStuck(findingId, {
      reason,
      attempts: retry.attempts,
      now,
      ...(uncertainSince && { uncertainSince }),
    });
    deps.log.warn('finding message not delivered; gave up until the finding changes or someone retries', {
      findingId,
      channel,
      error: appError,
    });
    return { kind: 'failed', reason, channel, failure, stuck: true };
  }
  const reason = appError.userMessage;
  await deps.findings.releaseDelivery(findingId, reason, {
    attempts: retry.attempts,
    nextAttemptAt: retry.nextAttemptAt,
    ...(uncertainSince && { uncertainSince }),
    ...(repostedAt && { repostedAt }),
  });
  deps.log.warn('finding message not delivered; it stays queued', {
    findingId,
    channel,
    nextAttemptAt: retry.nextAttemptAt,
    error: appError,
  });
  return { kind: 'failed', reason, channel, failure, stuck: false };
}

/** Alternate between channels so one channel's backlog cannot use up a sweep. Keeps each channel's order. */
function interleavedByChannel<T extends { channel: string }>(items: readonly T[]): T[] {
  const byChannel = new Map<string, T[]>();
  for (const item of items) byChannel.set(item.channel, [...(byChannel.get(item.channel) ?? []), item]);
  const queues = [...byChannel.values()];
  const interleaved: T[] = [];
  for (let round = 0; interleaved.length < items.length; round += 1) {
    for (const queue of queues) if (round < queue.length) interleaved.push(queue[round]!);
  }
  return interleaved;
}

/**
 * Retry every message whose next attempt is due (after a Slack outage or a crash), at most `limit` attempts, shared
 * between channels. Within one sweep a channel that answered 429 or lost a post is left alone, a channel that cannot
 * take messages (archived, not found, bot removed) marks its other due messages stuck without calling Slack, and a
 * workspace-wide failure (revoked token) ends the sweep without counting against any message.
 */
export async function deliverOwedMessages(deps: DeliverDeps, limit = 100): Promise<DeliveryOutcome[]> {
  const now = deps.clock.now();
  const due = interleavedByChannel(await deps.findings.dueDeliveries(iso(now), limit * DUE_READ_FACTOR));
  const outcomes: DeliveryOutcome[] = [];
  const leftAlone = new Set<string>();
  const closed = new Map<string, string>();
  for (const { findingId, channel } of due) {
    if (outcomes.length >= limit) break;
    const closedReason = closed.get(channel);
    if (closedReason !== undefined) {
      await deps.findings.markDeliveryStuck(findingId, {
        reason: closedReason,
        now: iso(now),
        onlyIfOwedIn: channel,
      });
      continue;
    }
    if (leftAlone.has(channel)) continue;
    const outcome = await deliverFindingMessage(deps, findingId);
    outcomes.push(outcome);
    if (outcome.kind !== 'failed') continue;
    if (outcome.failure === 'workspace') break;
    if (outcome.failure === 'rate-limited' || outcome.failure === 'uncertain') leftAlone.add(channel);
    if (outcome.failure === 'channel') closed.set(channel, outcome.reason);
  }
  return outcomes;
}

/**
 * Once someone fixed the cause (unarchived the channel, invited the bot back, renewed the token): owe every stuck
 * message again, with a fresh count of attempts. The next sweep delivers them. Returns how many were re-owed.
 */
export async function retryStuckDeliveries(
  deps: Pick<DeliverDeps, 'findings' | 'clock'>,
  limit = 500,
): Promise<number> {
  const now = iso(deps.clock.now());
  let reowed = 0;
  for (const record of await deps.findings.stuckDeliveries(limit)) {
    if (await deps.findings.retryStuckDelivery(record.findingId, now)) reowed += 1;
  }
  return reowed;
}
