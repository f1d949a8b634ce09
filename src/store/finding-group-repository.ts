import { claimedDelivery } from '../domain/delivery-retry.js';
import { createHash } from 'node:crypto';
import {
  $add,
  $remove,
  BatchPutRequest,
  BatchWriteCommand,
  Entity,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
  any,
  executeBatchWrite,
  isConditionCheckFailed,
  item,
  number,
  string,
} from 'dynamodb-toolbox';
import type { Condition } from 'dynamodb-toolbox';
import type { FindingGroupCounts } from '../domain/message-grouping.js';

export type { FindingGroupCounts };
import type { CspmTable } from './cspm-table.js';
import type { DeliveryState } from './finding-repository.js';
import { queryAllPages } from './query-pages.js';
import { replaceWhole } from './replace-whole.js';

/**
 * Findings of one control, new in one channel within one window, shown as one grouped message with one thread
 * reply per finding (the finding's own message, with its buttons). Stored as `GROUP#<groupId>` / `#GROUP`; its
 * members as `GROUP#<groupId>` / `MEMBER#<findingId>` (read with `FindingRepository.inGroup`), and each member
 * record carries `groupId`. The group id is the value of the grouped message's "Remediate all reachable…" button.
 */
export interface FindingGroup {
  readonly groupId: string;
  readonly channel: string;
  readonly controlId: string;
  /** First ingest of the earliest member; findings of this control new before `windowEnd` join the group. */
  readonly windowStart: string;
  readonly windowEnd: string;
  /** The grouped message in `channel`, once posted; member replies are posted in its thread. */
  readonly messageTs?: string;
  readonly counts: FindingGroupCounts;
  /** The grouped message's own delivery (post, or update with fresh counts), like a finding's. */
  readonly delivery: DeliveryState;
  readonly deliveryClaimedAt?: string;
  readonly deliveryError?: string;
  readonly deliveryAttempts?: number;
  readonly deliveryNextAt?: string;
  /** A post whose answer was lost was claimed then: the next attempt looks for it in the channel first. */
  readonly deliveryUncertainSince?: string;
  /** Bumped whenever the message owes a render (a member joined or changed); a delivery completes the version it showed. */
  readonly version: number;
  readonly createdAt: string;
}

const GROUP_OWED = 'DELIVERY#group-pending';
const GROUP_STUCK = 'DELIVERY#group-stuck';
const NO_COUNTS: FindingGroupCounts = {
  members: 0,
  open: 0,
  reachable: 0,
  openByUrgency: { 'act-now': 0, high: 0, normal: 0 },
};

function groupEntity(table: CspmTable) {
  return new Entity({
    name: 'FindingGroup',
    table,
    timestamps: false,
    schema: item({
      groupId: string().key(),
      channel: string(),
      controlId: string(),
      windowStart: string(),
      windowEnd: string(),
      messageTs: string().optional(),
      counts: any().castAs<FindingGroupCounts>(),
      delivery: string().enum('pending', 'in-flight', 'done', 'stuck'),
      deliveryClaimedAt: string().optional(),
      deliveryError: string().optional(),
      deliveryAttempts: number().optional(),
      deliveryNextAt: string().optional(),
      deliveryUncertainSince: string().optional(),
      version: number(),
      createdAt: string(),
      gsi1pk: string().optional().hidden(),
      gsi1sk: string().optional().hidden(),
      gsi2pk: string().optional().hidden(),
      gsi2sk: string().optional().hidden(),
    }),
    computeKey: ({ groupId }: { groupId: string }) => ({ pk: `GROUP#${groupId}`, sk: '#GROUP' }),
  });
}

/** Membership rows in the group's partition: `FindingRepository.inGroup` reads them too. */
export function groupMemberEntity(table: CspmTable) {
  return new Entity({
    name: 'FindingGroupMember',
    table,
    timestamps: false,
    schema: item({ groupId: string().key(), findingId: string().key() }),
    computeKey: ({ groupId, findingId }: { groupId: string; findingId: string }) => ({
      pk: `GROUP#${groupId}`,
      sk: `MEMBER#${findingId}`,
    }),
  });
}

type GroupEntity = ReturnType<typeof groupEntity>;
type MemberEntity = ReturnType<typeof groupMemberEntity>;

function toGroup(stored: Record<string, unknown>): FindingGroup {
  const { gsi1pk: _1, gsi1sk: _2, gsi2pk: _3, gsi2sk: _4, ...group } = stored;
  return group as unknown as FindingGroup;
}

/** One id per channel, control and window: two runs planning the same group agree on it. */
export function groupIdOf(channel: string, controlId: string, windowStart: string): string {
  return `g-${createHash('sha256').update(`${channel}\n${controlId}\n${windowStart}`).digest('hex').slice(0, 20)}`;
}

/** Groups and their membership. Conditional writes only: no transactions. */
export class FindingGroupRepository {
  private readonly entity: GroupEntity;
  private readonly members: MemberEntity;

  constructor(table: CspmTable) {
    this.entity = groupEntity(table);
    this.members = groupMemberEntity(table);
  }

  async get(groupId: string): Promise<FindingGroup | undefined> {
    const { Item } = await this.entity
      .build(GetItemCommand)
      .key({ groupId })
      .options({ consistent: true })
      .send();
    return Item ? toGroup(Item) : undefined;
  }

  /** Create the group, its message owed. Returns false when it exists already (another run planned it). */
  async create(input: {
    channel: string;
    controlId: string;
    windowStart: string;
    windowEnd: string;
    now: string;
  }): Promise<{ groupId: string; created: boolean }> {
    const groupId = groupIdOf(input.channel, input.controlId, input.windowStart);
    const notStoredYet: Condition<GroupEntity> = { attr: 'groupId', exists: false };
    try {
      await this.entity
        .build(PutItemCommand)
        .item({
          groupId,
          channel: input.channel,
          controlId: input.controlId,
          windowStart: input.windowStart,
          windowEnd: input.windowEnd,
          counts: NO_COUNTS,
          delivery: 'pending',
          version: 1,
          createdAt: input.now,
          gsi1pk: GROUP_OWED,
          gsi1sk: `${input.now}#${groupId}`,
          gsi2pk: `GROUPS#${input.channel}#${input.controlId}`,
          gsi2sk: `${input.windowStart}#${groupId}`,
        })
        .options({ condition: notStoredYet })
        .send();
      return { groupId, created: true };
    } catch (error) {
      if (isConditionCheckFailed(error)) return { groupId, created: false };
      throw error;
    }
  }

  /** The newest groups of this control in this channel, newest window first (the ones a late finding may join). */
  async recentGroupsFor(channel: string, controlId: string, limit: number): Promise<FindingGroup[]> {
    const { Items } = await this.entity.table
      .build(QueryCommand)
      .entities(this.entity)
      .query({ index: 'gsi2', partition: `GROUPS#${channel}#${controlId}` })
      .options({ reverse: true, limit })
      .send();
    return (Items ?? []).map(toGroup);
  }

  /** Record that these findings belong to the group (the finding records carry `groupId` too). */
  async addMembers(groupId: string, findingIds: readonly string[]): Promise<void> {
    for (let start = 0; start < findingIds.length; start += 25) {
      const batch = findingIds.slice(start, start + 25);
      await executeBatchWrite(
        { maxAttempts: 5 },
        this.members.table
          .build(BatchWriteCommand)
          .requests(
            ...batch.map((findingId) => this.members.build(BatchPutRequest).item({ groupId, findingId })),
          ),
      );
    }
  }

  /** Ids of the group's members (one partition, no scan). */
  async memberIds(groupId: string): Promise<string[]> {
    const stored = await queryAllPages((start) =>
      this.members.table
        .build(QueryCommand)
        .entities(this.members)
        .query({ partition: `GROUP#${groupId}`, range: { beginsWith: 'MEMBER#' } })
        .options({ ...start })
        .send(),
    );
    return stored.map((member) => member.findingId);
  }

  /** A member joined or changed: the grouped message owes a render with fresh counts. */
  async oweRender(groupId: string, now: string, attempt = 1): Promise<void> {
    const stored: Condition<GroupEntity> = { attr: 'groupId', exists: true };
    const notBeingPosted: Condition<GroupEntity> = { attr: 'delivery', ne: 'in-flight' };
    try {
      await this.entity
        .build(UpdateItemCommand)
        .item({
          groupId,
          version: $add(1),
          delivery: 'pending',
          deliveryNextAt: $remove(),
          gsi1pk: GROUP_OWED,
          gsi1sk: `${now}#${groupId}`,
        })
        .options({ condition: { and: [stored, notBeingPosted] } })
        .send();
      return;
    } catch (error) {
      if (!isConditionCheckFailed(error)) throw error;
    }
    // Being posted right now: marking it owed would let a second run claim it before the first stores its ts and
    // post it twice. A new version is enough: the poster's completion sees it and leaves the render owed.
    try {
      await this.entity
        .build(UpdateItemCommand)
        .item({ groupId, version: $add(1), gsi1pk: GROUP_OWED, gsi1sk: `${now}#${groupId}` })
        .options({ condition: { and: [stored, { attr: 'delivery', eq: 'in-flight' }] } })
        .send();
    } catch (error) {
      if (!isConditionCheckFailed(error)) throw error;
      // It left in-flight between the two writes (or is gone): owe it the ordinary way, a bounded number of times.
      if (attempt < 3) await this.oweRender(groupId, now, attempt + 1);
    }
  }

  /** Take the owed render for this process (a claim older than `staleBefore` was left by a crashed run). */
  async claimDelivery(groupId: string, now: string, staleBefore: string): Promise<FindingGroup | undefined> {
    const owed: Condition<GroupEntity> = { attr: 'delivery', eq: 'pending' };
    const abandoned: Condition<GroupEntity> = {
      and: [
        { attr: 'delivery', eq: 'in-flight' },
        { attr: 'deliveryClaimedAt', lt: staleBefore },
      ],
    };
    try {
      const { Attributes } = await this.entity
        .build(UpdateItemCommand)
        .item({ groupId, delivery: 'in-flight', deliveryClaimedAt: now })
        .options({ condition: { or: [owed, abandoned] }, returnValues: 'ALL_OLD' })
        .send();
      if (!Attributes) return undefined;
      return claimedDelivery(toGroup(Attributes), now);
    } catch (error) {
      if (isConditionCheckFailed(error)) return undefined;
      throw error;
    }
  }

  /** Record the message and the counts it shows; stays owed if a member changed meanwhile. */
  async completeDelivery(
    claimed: FindingGroup,
    messageTs: string,
    counts: FindingGroupCounts,
    /** The channel id Slack answered with (a route may name `#name`; chat.update needs the id). */
    channelId: string = claimed.channel,
  ): Promise<'done' | 'still-owed'> {
    const renderedVersionIsCurrent: Condition<GroupEntity> = { attr: 'version', eq: claimed.version };
    const delivered = {
      groupId: claimed.groupId,
      channel: channelId,
      messageTs,
      counts: replaceWhole(counts),
      deliveryClaimedAt: $remove(),
      deliveryError: $remove(),
      deliveryAttempts: $remove(),
      deliveryNextAt: $remove(),
      deliveryUncertainSince: $remove(),
    };
    try {
      await this.entity
        .build(UpdateItemCommand)
        .item({ ...delivered, delivery: 'done', gsi1pk: $remove(), gsi1sk: $remove() })
        .options({ condition: renderedVersionIsCurrent })
        .send();
      return 'done';
    } catch (error) {
      if (!isConditionCheckFailed(error)) throw error;
    }
    await this.entity
      .build(UpdateItemCommand)
      .item({ ...delivered, delivery: 'pending' })
      .send();
    return 'still-owed';
  }

  /** A failed render stays owed until `nextAttemptAt`; `uncertainSince` marks a post that may have gone through. */
  async releaseDelivery(
    groupId: string,
    reason: string,
    retry: { attempts: number; nextAttemptAt: string; uncertainSince?: string },
  ): Promise<void> {
    await this.entity
      .build(UpdateItemCommand)
      .item({
        groupId,
        delivery: 'pending',
        deliveryClaimedAt: $remove(),
        deliveryError: reason.slice(0, 1000),
        deliveryAttempts: retry.attempts,
        deliveryNextAt: retry.nextAttemptAt,
        ...(retry.uncertainSince && { deliveryUncertainSince: retry.uncertainSince }),
        gsi1pk: GROUP_OWED,
        gsi1sk: `${retry.nextAttemptAt}#${groupId}`,
      })
      .send();
  }

  /** Given up on (channel gone, attempts used up): the members' replies wait with it, listed as stuck. */
  async markDeliveryStuck(
    groupId: string,
    input: { reason: string; attempts: number; now: string },
  ): Promise<void> {
    await this.entity
      .build(UpdateItemCommand)
      .item({
        groupId,
        delivery: 'stuck',
        deliveryClaimedAt: $remove(),
        deliveryError: input.reason.slice(0, 1000),
        deliveryAttempts: input.attempts,
        deliveryNextAt: $remove(),
        gsi1pk: GROUP_STUCK,
        gsi1sk: `${input.now}#${groupId}`,
      })
      .send();
  }

  /** Someone fixed the cause: owe the grouped message again at once, with a fresh count of attempts. */
  async retryStuckDelivery(groupId: string, now: string): Promise<boolean> {
    const stuck: Condition<GroupEntity> = { attr: 'delivery', eq: 'stuck' };
    try {
      await this.entity
        .build(UpdateItemCommand)
        .item({
          groupId,
          delivery: 'pending',
          deliveryAttempts: $remove(),
          deliveryNextAt: $remove(),
          gsi1pk: GROUP_OWED,
          gsi1sk: `${now}#${groupId}`,
        })
        .options({ condition: stuck })
        .send();
      return true;
    } catch (error) {
      if (isConditionCheckFailed(error)) return false;
      throw error;
    }
  }

  /** Grouped messages owed by `dueBy`, soonest first. */
  async dueDeliveries(dueBy: string, limit: number): Promise<{ groupId: string; channel: string }[]> {
    const stored = await queryAllPages(
      (start) =>
        this.entity.table
          .build(QueryCommand)
          .entities(this.entity)
          .query({ index: 'gsi1', partition: GROUP_OWED, range: { lt: `${dueBy}$` } })
          .options({ limit: Math.min(limit, 500), attributes: ['groupId', 'channel'], ...start })
          .send(),
      { limit },
    );
    return stored.map((group) => ({ groupId: group.groupId, channel: group.channel }));
  }

  /** Grouped messages the bot gave up on, most recent first. */
  async stuckDeliveries(limit: number): Promise<FindingGroup[]> {
    const stored = await queryAllPages(
      (start) =>
        this.entity.table
          .build(QueryCommand)
          .entities(this.entity)
          .query({ index: 'gsi1', partition: GROUP_STUCK })
          .options({ limit, reverse: true, ...start })
          .send(),
      { limit },
    );
    return stored.map(toGroup);
  }
}
