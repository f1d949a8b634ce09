import { toAppError } from '../domain/app-error.js';
import { afterFailedDelivery, deliveryFailureKindOf } from '../domain/delivery-retry.js';
import type { DeliveryFailureKind } from '../domain/delivery-retry.js';
import { groupCountsOf, planMessageGrouping } from '../domain/message-grouping.js';
import type { ExistingGroup, GroupingCandidate } from '../domain/message-grouping.js';
import type { FindingGroup } from '../store/finding-group-repository.js';
import type { FindingRecord } from '../store/finding-repository.js';
import type { DeliverDeps, MessageGrouping } from './deliver-finding-message.js';

export type GroupDeliveryOutcome =
  | {
      readonly kind: 'posted' | 'updated' | 'found';
      readonly groupId: string;
      readonly channel: string;
      readonly ts: string;
    }
  | { readonly kind: 'not-owed'; readonly groupId: string }
  | {
      readonly kind: 'failed';
      readonly groupId: string;
      readonly channel: string;
      readonly reason: string;
      readonly failure: DeliveryFailureKind;
      readonly stuck: boolean;
    };

/** A claim older than this was left by a run that died mid-post and may be taken over. */
const CLAIM_LEASE_MINUTES = 5;

/** The grouped messages a record can join: the last few of its channel and control are enough (windows do not overlap). */
const RECENT_GROUPS_READ = 3;

/**
 * Post the grouped message, or update it with its members' current counts. Like a finding's message: only the
 * claimer sends, a post whose answer was lost is looked for (by its metadata) before it is sent again, and failures
 * back off per message. When the channel cannot take it, its members that were never posted are marked stuck too.
 */
export async function deliverGroupMessage(deps: DeliverDeps, groupId: string): Promise<GroupDeliveryOutcome> {
  const grouping = deps.grouping;
  if (!grouping) return { kind: 'not-owed', groupId };
  const now = deps.clock.now();
  const nowIso = now.toUTC().toISO()!;
  const claimed = await grouping.groups.claimDelivery(
    groupId,
    nowIso,
    now.minus({ minutes: CLAIM_LEASE_MINUTES }).toUTC().toISO()!,
  );
  if (!claimed) return { kind: 'not-owed', groupId };
  const { channel } = claimed;
  let stage: 'before-post' | 'posting' | 'posted' = 'before-post';
  try {
    const members = await deps.findings.inGroup(groupId);
    if (members.length === 0 && !claimed.messageTs) {
      // Made, but a run died before any member joined: the next sweep adds them (or it stays empty and unposted).
      await grouping.groups.releaseDelivery(groupId, 'no members yet', {
        attempts: claimed.deliveryAttempts ?? 0,
        nextAttemptAt: now.plus({ minutes: 1 }).toUTC().toISO()!,
      });
      return { kind: 'not-owed', groupId };
    }
    const counts = groupCountsOf(members);
    if (claimed.messageTs) {
      await grouping.messenger.updateGroup(claimed, claimed.messageTs, members);
      await grouping.groups.completeDelivery(claimed, claimed.messageTs, counts);
      return { kind: 'updated', groupId, channel, ts: claimed.messageTs };
    }
    if (claimed.deliveryUncertainSince) {
      const lookup = await grouping.messenger.findPostedGroup(claimed, claimed.deliveryUncertainSince);
      if (lookup.kind === 'found') {
        if (lookup.version !== claimed.version)
          await grouping.messenger.updateGroup(claimed, lookup.ts, members);
        await grouping.groups.completeDelivery(claimed, lookup.ts, counts);
        return { kind: 'found', groupId, channel, ts: lookup.ts };
      }
    }
    stage = 'posting';
    const message = await grouping.messenger.postGroup(claimed, members);
    stage = 'posted';
    await grouping.groups.completeDelivery(claimed, message.ts, counts, message.channel);
    return { kind: 'posted', groupId, channel, ts: message.ts };
  } catch (error) {
    const lostPost =
      stage === 'posted' || (stage === 'posting' && deliveryFailureKindOf(error) === 'uncertain');
    return recordGroupFailure(deps, grouping, claimed, error, lostPost);
  }
}

async function recordGroupFailure(
  deps: DeliverDeps,
  grouping: MessageGrouping,
  claimed: FindingGroup,
  error: unknown,
  lostPost: boolean,
): Promise<GroupDeliveryOutcome> {
  const { groupId, channel } = claimed;
  const appError = toAppError(error);
  const failure = lostPost ? 'uncertain' : deliveryFailureKindOf(error);
  const now = deps.clock.now();
  const nowIso = now.toUTC().toISO()!;
  const uncertainSince =
    claimed.deliveryUncertainSince ?? (lostPost ? (claimed.deliveryClaimedAt ?? nowIso) : undefined);
  const retry = afterFailedDelivery({ failure, attemptsBefore: claimed.deliveryAttempts ?? 0, now });
  if (retry.state === 'stuck') {
    const reason =
      failure === 'transient' || failure === 'uncertain'
        ? `Grouped message not delivered after ${retry.attempts} attempts; last error: ${appError.message}`
        : appError.userMessage;
    await grouping.groups.markDeliveryStuck(groupId, { reason, attempts: retry.attempts, now: nowIso });
    // Its members wait for it: listed as stuck with the same reason, so `/cspm status` shows every one.
    for (const member of await deps.findings.inGroup(groupId)) {
      if (!member.messageTs)
        await deps.findings.markDeliveryStuck(member.findingId, {
          reason,
          now: nowIso,
          onlyIfOwedIn: channel,
        });
    }
    deps.log.warn('grouped message not delivered; gave up until someone retries', {
      groupId,
      channel,
      error: appError,
    });
    return { kind: 'failed', groupId, channel, reason, failure, stuck: true };
  }
  await grouping.groups.releaseDelivery(groupId, appError.userMessage, {
    attempts: retry.attempts,
    nextAttemptAt: retry.nextAttemptAt,
    ...(uncertainSince && { uncertainSince }),
  });
  deps.log.warn('grouped message not delivered; it stays queued', {
    groupId,
    channel,
    nextAttemptAt: retry.nextAttemptAt,
    error: appError,
  });
  return { kind: 'failed', groupId, channel, reason: appError.userMessage, failure, stuck: false };
}

/** Never posted, nothing possibly posted, not grouped yet: the records the grouping rule decides on. */
function isCandidate(record: FindingRecord): boolean {
  return (
    record.delivery === 'pending' && !record.messageTs && !record.deliveryUncertainSince && !record.groupId
  );
}

/**
 * Apply the grouping rule to the owed records of this sweep: members join an existing group whose window holds
 * their first ingest, or a new group; the rest stay to be posted alone. Returns the group id of each grouped one.
 */
export async function groupNeverPosted(
  deps: DeliverDeps,
  owed: readonly FindingRecord[],
): Promise<Map<string, string>> {
  const grouping = deps.grouping;
  const grouped = new Map<string, string>();
  if (!grouping) return grouped;
  const candidates: GroupingCandidate[] = owed.filter(isCandidate).map((record) => ({
    findingId: record.findingId,
    channel: record.channel,
    controlId: record.finding.controlId,
    firstIngestedAt: record.firstIngestedAt,
  }));
  if (candidates.length === 0) return grouped;
  const pairs = new Map<string, { channel: string; controlId: string }>();
  for (const candidate of candidates) {
    if (candidate.controlId !== undefined)
      pairs.set(`${candidate.channel}\n${candidate.controlId}`, {
        channel: candidate.channel,
        controlId: candidate.controlId,
      });
  }
  const existing: ExistingGroup[] = [];
  for (const { channel, controlId } of pairs.values()) {
    existing.push(...(await grouping.groups.recentGroupsFor(channel, controlId, RECENT_GROUPS_READ)));
  }
  const plan = planMessageGrouping({ candidates, existingGroups: existing, settings: grouping.settings });
  const now = deps.clock.now().toUTC().toISO()!;
  for (const join of plan.join) {
    const joined = await joinAll(deps, grouping, join.groupId, join.findingIds);
    joined.forEach((id) => grouped.set(id, join.groupId));
    if (joined.length > 0) await grouping.groups.oweRender(join.groupId, now);
  }
  for (const group of plan.create) {
    const { groupId } = await grouping.groups.create({ ...group, now });
    const joined = await joinAll(deps, grouping, groupId, group.findingIds);
    joined.forEach((id) => grouped.set(id, groupId));
    deps.log.info('grouped new findings into one message', {
      groupId,
      channel: group.channel,
      controlId: group.controlId,
      members: joined.length,
    });
  }
  return grouped;
}

async function joinAll(
  deps: DeliverDeps,
  grouping: MessageGrouping,
  groupId: string,
  findingIds: readonly string[],
): Promise<string[]> {
  const joined: string[] = [];
  for (const findingId of findingIds)
    if (await deps.findings.joinGroup(findingId, groupId)) joined.push(findingId);
  await grouping.groups.addMembers(groupId, joined);
  return joined;
}
