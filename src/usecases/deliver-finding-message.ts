import type { DateTime } from 'luxon';
import { toAppError } from '../domain/app-error.js';
import { afterFailedDelivery, deliveryFailureKindOf } from '../domain/delivery-retry.js';
import type { DeliveryFailureKind } from '../domain/delivery-retry.js';
import { deliverGroupMessage, groupNeverPosted } from './deliver-grouped-message.js';
import type { GroupDeliveryOutcome } from './deliver-grouped-message.js';
import type { GroupingSettings } from '../domain/message-grouping.js';
import type { FindingGroupRepository } from '../store/finding-group-repository.js';
import type { FindingRecord, FindingRepository } from '../store/finding-repository.js';
import { oldestOwedAgeMs } from '../domain/owed-message-age.js';
import { COUNT_METRICS, DURATION_METRICS } from './bot-metrics.js';
import type { Clock, FindingMessenger, GroupMessenger, Log, Metrics } from './ports.js';

/** Many new findings of one control in one channel become one grouped message (see domain/message-grouping). */
export interface MessageGrouping {
  readonly groups: FindingGroupRepository;
  readonly messenger: GroupMessenger;
  readonly settings: GroupingSettings;
}

export interface DeliverDeps {
  readonly findings: FindingRepository;
  readonly messenger: FindingMessenger;
  readonly clock: Clock;
  readonly log: Log;
  /** Absent: every finding is posted on its own. */
  readonly grouping?: MessageGrouping;
  /** Absent (locally, in tests): nothing is measured. */
  readonly metrics?: Metrics;
}

export type DeliveryOutcome =
  | { readonly kind: 'posted'; readonly channel: string; readonly ts: string }
  | { readonly kind: 'updated'; readonly channel: string; readonly ts: string }
  /** A post whose answer was lost was in the channel after all: adopted, not posted again. */
  | { readonly kind: 'found'; readonly channel: string; readonly ts: string }
  | { readonly kind: 'not-owed' }
  /** A grouped finding whose grouped message is not in the channel yet: its reply stays owed until it is. */
  | { readonly kind: 'waiting-for-group'; readonly groupId: string }
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
export async function deliverFindingMessage(
  deps: DeliverDeps,
  findingId: string,
  /** `later`: a grouped finding's change leaves the grouped message's counts owed for the delivery run (bulk changes). */
  options: { groupCounts?: 'now' | 'later' } = {},
): Promise<DeliveryOutcome> {
  const now = deps.clock.now();
  const claimed = await deps.findings.claimDelivery(
    findingId,
    iso(now),
    iso(now.minus({ minutes: CLAIM_LEASE_MINUTES })),
  );
  if (!claimed) return { kind: 'not-owed' };
  const { channel } = claimed;
  // A grouped finding's message is a reply under the grouped message: never posted before it, never alone.
  const group =
    claimed.groupId && deps.grouping ? await deps.grouping.groups.get(claimed.groupId) : undefined;
  if (claimed.groupId && !claimed.messageTs && !group?.messageTs) {
    await deps.findings.unclaimDelivery(findingId, iso(now));
    return { kind: 'waiting-for-group', groupId: claimed.groupId };
  }
  const threadTs = group?.messageTs;
  // Where the attempt got to: a post that went out but was not recorded is as uncertain as a lost answer.
  let stage: 'before-post' | 'posting' | 'posted' = 'before-post';
  try {
    if (claimed.messageTs) {
      await deps.messenger.update(channel, claimed.messageTs, claimed);
      await deps.findings.completeDelivery(claimed, { channel, ts: claimed.messageTs });
      await postOwedNotice(deps, claimed, claimed.messageTs);
      // The grouped message's counts follow its members' states.
      if (group) await refreshGroupCounts(deps, group.groupId, options.groupCounts ?? 'now');
      return { kind: 'updated', channel, ts: claimed.messageTs };
    }
    if (claimed.deliveryUncertainSince) {
      const lookup = await deps.messenger.findPosted(
        channel,
        claimed,
        claimed.deliveryUncertainSince,
        threadTs,
      );
      if (lookup.kind === 'found') {
        // It may show the state of an earlier attempt: bring it up to date before recording it.
        if (lookup.version !== claimed.version) await deps.messenger.update(channel, lookup.ts, claimed);
        await deps.findings.completeDelivery(claimed, {
          channel,
          ts: lookup.ts,
          ...(threadTs && { threadTs }),
        });
        await postOwedNotice(deps, { ...claimed, ...(threadTs && { threadTs }) }, lookup.ts);
        return { kind: 'found', channel, ts: lookup.ts };
      }
      if (!lookup.complete && claimed.deliveryRepostedAt) {
        return await giveUpOnLostPost(deps, claimed, iso(now));
      }
    }
    stage = 'posting';
    const message = await deps.messenger.post(channel, claimed, threadTs);
    stage = 'posted';
    await deps.findings.completeDelivery(claimed, { ...message, ...(threadTs && { threadTs }) });
    await postOwedNotice(deps, { ...claimed, ...(threadTs && { threadTs }) }, message.ts);
    return { kind: 'posted', ...message };
  } catch (error) {
    const lostPost =
      stage === 'posted' || (stage === 'posting' && deliveryFailureKindOf(error) === 'uncertain');
    return await recordFailure(deps, claimed, error, { lostPost, now });
  }
}

/**
 * The thread notice owed with this delivery (auto-remediation started or capped), now that the message exists to
 * reply under. A failure here does not undo the delivered message: the notice stays owed and is logged.
 */
async function postOwedNotice(deps: DeliverDeps, claimed: FindingRecord, messageTs: string): Promise<void> {
  const { owedNotice, owedNoticeAt } = claimed;
  if (!owedNotice || !owedNoticeAt) return;
  try {
    await deps.messenger.notify({ ...claimed, messageTs }, owedNotice);
    await deps.findings.clearNotice(claimed.findingId, owedNoticeAt);
  } catch (error) {
    deps.log.warn('thread notice not posted; it stays owed', {
      findingId: claimed.findingId,
      notice: owedNotice.kind,
      error: toAppError(error),
    });
  }
}

/**
 * A member changed: the grouped message owes fresh counts. `now` renders them at once (a click on one finding);
 * `later` leaves them to the delivery run, which renders each group once however many members changed.
 */
async function refreshGroupCounts(deps: DeliverDeps, groupId: string, when: 'now' | 'later'): Promise<void> {
  if (!deps.grouping) return;
  await deps.grouping.groups.oweRender(groupId, iso(deps.clock.now()));
  if (when === 'now') {
    await deliverGroupMessage(deps, groupId).catch((error: unknown) =>
      deps.log.warn('grouped message not updated; it stays owed', { groupId, error: toAppError(error) }),
    );
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

/** Within one sweep: channels to leave alone (429, lost post), channels that cannot take messages, a dead workspace. */
class SweepChannels {
  readonly leftAlone = new Set<string>();
  readonly closed = new Map<string, string>();
  workspaceDown = false;

  note(outcome: { kind: string; channel?: string; failure?: DeliveryFailureKind; reason?: string }): void {
    if (outcome.kind !== 'failed' || outcome.channel === undefined) return;
    if (outcome.failure === 'workspace') this.workspaceDown = true;
    if (outcome.failure === 'rate-limited' || outcome.failure === 'uncertain')
      this.leftAlone.add(outcome.channel);
    if (outcome.failure === 'channel' && outcome.reason !== undefined)
      this.closed.set(outcome.channel, outcome.reason);
  }
}

/** Owed grouped messages, due now: posted before any finding of the sweep so a burst's channel messages go first. */
async function deliverDueGroups(deps: DeliverDeps, channels: SweepChannels): Promise<GroupDeliveryOutcome[]> {
  if (!deps.grouping || channels.workspaceDown) return [];
  const outcomes: GroupDeliveryOutcome[] = [];
  for (const { groupId, channel } of await deps.grouping.groups.dueDeliveries(iso(deps.clock.now()), 100)) {
    if (channels.workspaceDown) break;
    if (channels.leftAlone.has(channel) || channels.closed.has(channel)) continue;
    const outcome = await deliverGroupMessage(deps, groupId);
    outcomes.push(outcome);
    channels.note(outcome);
  }
  return outcomes;
}

/**
 * Retry every message whose next attempt is due (after a Slack outage or a crash), at most `limit` attempts, shared
 * between channels. Never-posted findings are grouped first (domain/message-grouping) and the grouped messages
 * posted before anything else; then findings posted alone and updates; then the replies under grouped messages
 * (a reply waits until its grouped message is in the channel). Within one sweep a channel that answered 429 or lost
 * a post is left alone, a channel that cannot take messages (archived, not found, bot removed) marks its other due
 * messages stuck without calling Slack, and a workspace-wide failure (revoked token) ends the sweep without counting
 * against any message.
 */
export async function deliverOwedMessages(deps: DeliverDeps, limit = 100): Promise<DeliveryOutcome[]> {
  const now = deps.clock.now();
  const owed = await deps.findings.dueRecords(iso(now), limit * DUE_READ_FACTOR);
  const newlyGrouped = await groupNeverPosted(deps, owed);
  const channels = new SweepChannels();
  const groupOutcomes = await deliverDueGroups(deps, channels);
  const groupOf = (record: FindingRecord) => record.groupId ?? newlyGrouped.get(record.findingId);
  const isGrouped = (record: FindingRecord) => groupOf(record) !== undefined;
  // Channel messages first (alone and updates), then thread replies; each part shared fairly between channels.
  const due = [
    ...interleavedByChannel(owed.filter((record) => !isGrouped(record))),
    ...interleavedByChannel(owed.filter(isGrouped)),
  ];
  const groupPosted = new Map<string, boolean>();
  const outcomes: DeliveryOutcome[] = [];
  for (const record of due) {
    const { findingId, channel } = record;
    if (outcomes.length >= limit || channels.workspaceDown) break;
    const closedReason = channels.closed.get(channel);
    if (closedReason !== undefined) {
      await deps.findings.markDeliveryStuck(findingId, {
        reason: closedReason,
        now: iso(now),
        onlyIfOwedIn: channel,
      });
      continue;
    }
    if (channels.leftAlone.has(channel)) continue;
    const groupId = groupOf(record);
    if (groupId !== undefined && !record.messageTs && !(await isGroupPosted(deps, groupId, groupPosted)))
      continue;
    const outcome = await deliverFindingMessage(deps, findingId, { groupCounts: 'later' });
    if (outcome.kind === 'waiting-for-group') continue;
    outcomes.push(outcome);
    channels.note(outcome);
  }
  // Members that changed in this sweep left their grouped message's counts owed: one update per group.
  groupOutcomes.push(...(await deliverDueGroups(deps, channels)));
  measureSweep(deps, {
    owed,
    now,
    newlyGrouped: newlyGrouped.size,
    outcomes: [...outcomes, ...groupOutcomes],
  });
  return outcomes;
}

/** What a sweep saw and did, for the dashboard and the alarms (stuck messages, messages owed for too long). */
function measureSweep(
  deps: DeliverDeps,
  sweep: {
    owed: readonly FindingRecord[];
    now: DateTime;
    newlyGrouped: number;
    outcomes: readonly (DeliveryOutcome | GroupDeliveryOutcome)[];
  },
): void {
  const { metrics } = deps;
  if (!metrics) return;
  const age = oldestOwedAgeMs(sweep.owed, sweep.now);
  if (age !== undefined) metrics.duration(DURATION_METRICS.oldestOwedMessageAge, age);
  const counted = (test: (outcome: DeliveryOutcome | GroupDeliveryOutcome) => boolean) =>
    sweep.outcomes.filter(test).length;
  const counts = [
    [COUNT_METRICS.findingsGrouped, sweep.newlyGrouped],
    [COUNT_METRICS.groupedMessagesPosted, counted((o) => o.kind === 'posted' && 'groupId' in o)],
    [COUNT_METRICS.findingMessagesPosted, counted((o) => o.kind === 'posted' && !('groupId' in o))],
    [COUNT_METRICS.slackDeliveryRetries, counted((o) => o.kind === 'failed' && !o.stuck)],
    [COUNT_METRICS.slackDeliveryFailures, counted((o) => o.kind === 'failed' && o.stuck)],
  ] as const;
  for (const [name, n] of counts) if (n > 0) metrics.count(name, n);
}

/** Whether a grouped message is in the channel yet (read once per group per sweep). */
async function isGroupPosted(
  deps: DeliverDeps,
  groupId: string,
  cache: Map<string, boolean>,
): Promise<boolean> {
  if (!deps.grouping) return true;
  if (!cache.has(groupId)) cache.set(groupId, Boolean((await deps.grouping.groups.get(groupId))?.messageTs));
  return cache.get(groupId)!;
}

/**
 * Once someone fixed the cause (unarchived the channel, invited the bot back, renewed the token): owe every stuck
 * message again, with a fresh count of attempts. The next sweep delivers them. Returns how many were re-owed.
 */
export async function retryStuckDeliveries(
  deps: Pick<DeliverDeps, 'findings' | 'clock'> & {
    readonly groups?: Pick<MessageGrouping['groups'], 'stuckDeliveries' | 'retryStuckDelivery'>;
  },
  limit = 500,
): Promise<number> {
  const now = iso(deps.clock.now());
  let reowed = 0;
  // Grouped messages first: their members' replies wait for them.
  for (const group of (await deps.groups?.stuckDeliveries(limit)) ?? []) {
    await deps.groups?.retryStuckDelivery(group.groupId, now);
  }
  for (const record of await deps.findings.stuckDeliveries(limit)) {
    if (await deps.findings.retryStuckDelivery(record.findingId, now)) reowed += 1;
  }
  return reowed;
}
