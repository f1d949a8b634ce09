import {
  $remove,
  $set,
  Entity,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
  any,
  isConditionCheckFailed,
  item,
  number,
  string,
} from 'dynamodb-toolbox';
import type { Condition } from 'dynamodb-toolbox';
import type { DecisionKind } from '../domain/decision.js';
import type { Finding } from '../domain/finding.js';
import type { Resolution } from '../domain/resolution.js';
import type { Triage } from '../domain/triage.js';
import type { CspmTable } from './cspm-table.js';

/** Whether the finding's Slack message is up to date: `pending` means a post or update is owed. */
export type DeliveryState = 'pending' | 'in-flight' | 'done';

export interface FindingRecord {
  readonly findingId: string;
  readonly finding: Finding;
  readonly triage: Triage;
  readonly channel: string;
  readonly messageTs?: string;
  readonly delivery: DeliveryState;
  readonly deliveryClaimedAt?: string;
  readonly deliveryError?: string;
  /** Bumped on every change; a delivery only marks `done` the version it rendered. */
  readonly version: number;
  readonly firstIngestedAt: string;
  readonly lastIngestedAt: string;
  /** When Security Hub last set this finding back to NEW after it was resolved or closed. */
  readonly reopenedAt?: string;
  /** Set when the bot resolved the finding (remediated, or found it already fixed). */
  readonly resolution?: Resolution;
  /** The one action in progress on this finding: a second click is told who runs it. */
  readonly activeAction?: ActiveAction;
}

export interface ActiveAction {
  readonly decisionId: string;
  readonly kind: DecisionKind;
  /** Slack user id, or `cspm-bot` for automatic actions. */
  readonly by: string;
  readonly since: string;
}

export type ClaimResult = { readonly claimed: true } | { readonly claimed: false; readonly heldBy?: ActiveAction };

const DELIVERY_OWED = 'DELIVERY#pending';

/**
 * In an update, a plain object is written path by path (merged into what is stored, and refused by DynamoDB when
 * the map does not exist yet). `$set` replaces the whole value; the typings only admit it for typed maps.
 */
function replaceWhole<T>(value: T): T {
  return $set(value) as unknown as T;
}

function findingEntity(table: CspmTable) {
  return new Entity({
    name: 'Finding',
    table,
    timestamps: false,
    schema: item({
      findingId: string().key(),
      finding: any().castAs<Finding>(),
      triage: any().castAs<Triage>(),
      channel: string(),
      messageTs: string().optional(),
      delivery: string().enum('pending', 'in-flight', 'done'),
      deliveryClaimedAt: string().optional(),
      deliveryError: string().optional(),
      version: number(),
      firstIngestedAt: string(),
      lastIngestedAt: string(),
      reopenedAt: string().optional(),
      resolution: any().castAs<Resolution>().optional(),
      actionDecisionId: string().optional(),
      actionKind: string().optional(),
      actionBy: string().optional(),
      actionSince: string().optional(),
      gsi1pk: string().optional().hidden(),
      gsi1sk: string().optional().hidden(),
    }),
    computeKey: ({ findingId }: { findingId: string }) => ({ pk: `FINDING#${findingId}`, sk: '#FINDING' }),
  });
}

type FindingEntity = ReturnType<typeof findingEntity>;

function toRecord(stored: Record<string, unknown>): FindingRecord {
  const { gsi1pk: _gsi1pk, gsi1sk: _gsi1sk, actionDecisionId, actionKind, actionBy, actionSince, ...record } = stored;
  const activeAction =
    typeof actionDecisionId === 'string'
      ? { activeAction: { decisionId: actionDecisionId, kind: actionKind as DecisionKind, by: String(actionBy), since: String(actionSince) } }
      : {};
  return { ...record, ...activeAction } as unknown as FindingRecord;
}

/** Findings, their triage and where their Slack message lives. Conditional writes only: no transactions. */
export class FindingRepository {
  private readonly entity: FindingEntity;

  constructor(table: CspmTable) {
    this.entity = findingEntity(table);
  }

  /** Read error → throws; only a missing item is `undefined`. */
  async get(findingId: string): Promise<FindingRecord | undefined> {
    const { Item } = await this.entity.build(GetItemCommand).key({ findingId }).options({ consistent: true }).send();
    return Item ? toRecord(Item) : undefined;
  }

  /**
   * Store a finding seen for the first time, owing its first post. Returns false when another delivery of the
   * same finding got there first (the caller then treats it as known).
   */
  async insertNew(input: { finding: Finding; triage: Triage; channel: string; now: string }): Promise<boolean> {
    const notStoredYet: Condition<FindingEntity> = { attr: 'findingId', exists: false };
    try {
      await this.entity
        .build(PutItemCommand)
        .item({
          findingId: input.finding.id,
          finding: input.finding,
          triage: input.triage,
          channel: input.channel,
          delivery: 'pending',
          version: 1,
          firstIngestedAt: input.now,
          lastIngestedAt: input.now,
          gsi1pk: DELIVERY_OWED,
          gsi1sk: `${input.now}#${input.finding.id}`,
        })
        .options({ condition: notStoredYet })
        .send();
      return true;
    } catch (error) {
      if (isConditionCheckFailed(error)) return false;
      throw error;
    }
  }

  /**
   * Replace the finding and triage if nobody changed the record since `expectedVersion` was read.
   * `owesDelivery` marks the message for an update. Returns false on a lost race (re-read and retry).
   */
  async updateFinding(input: {
    record: FindingRecord;
    finding: Finding;
    triage: Triage;
    owesDelivery: boolean;
    reopened?: boolean;
    /** Record (or, with `null`, forget) how the bot resolved it. */
    resolution?: Resolution | null;
    now: string;
  }): Promise<boolean> {
    const unchangedSinceRead: Condition<FindingEntity> = { attr: 'version', eq: input.record.version };
    const delivery = input.owesDelivery
      ? { delivery: 'pending' as const, gsi1pk: DELIVERY_OWED, gsi1sk: `${input.now}#${input.record.findingId}` }
      : {};
    try {
      await this.entity
        .build(UpdateItemCommand)
        .item({
          findingId: input.record.findingId,
          // $set replaces the whole map: a plain object would be merged path by path and keep stale fields.
          finding: replaceWhole(input.finding),
          triage: replaceWhole(input.triage),
          version: input.record.version + 1,
          lastIngestedAt: input.now,
          ...(input.reopened && { reopenedAt: input.now }),
          ...(input.resolution !== undefined && { resolution: input.resolution === null ? $remove() : replaceWhole(input.resolution) }),
          ...delivery,
        })
        .options({ condition: unchangedSinceRead })
        .send();
      return true;
    } catch (error) {
      if (isConditionCheckFailed(error)) return false;
      throw error;
    }
  }

  /**
   * Take the owed delivery for this process. A claim older than `staleBefore` was left by a crashed worker
   * and may be taken over. Returns the claimed record (to render), or undefined if nothing is owed or taken.
   */
  async claimDelivery(findingId: string, now: string, staleBefore: string): Promise<FindingRecord | undefined> {
    const owed: Condition<FindingEntity> = { attr: 'delivery', eq: 'pending' };
    const abandoned: Condition<FindingEntity> = {
      and: [
        { attr: 'delivery', eq: 'in-flight' },
        { attr: 'deliveryClaimedAt', lt: staleBefore },
      ],
    };
    try {
      const { Attributes } = await this.entity
        .build(UpdateItemCommand)
        .item({ findingId, delivery: 'in-flight', deliveryClaimedAt: now })
        .options({ condition: { or: [owed, abandoned] }, returnValues: 'ALL_NEW' })
        .send();
      return Attributes ? toRecord(Attributes) : undefined;
    } catch (error) {
      if (isConditionCheckFailed(error)) return undefined;
      throw error;
    }
  }

  /**
   * Record where the message lives. If the record changed while we were posting (a newer state arrived),
   * the delivery stays owed so the newer state is rendered too: nothing lost.
   */
  async completeDelivery(claimed: FindingRecord, message: { channel: string; ts: string }): Promise<'done' | 'still-owed'> {
    const renderedVersionIsCurrent: Condition<FindingEntity> = { attr: 'version', eq: claimed.version };
    try {
      await this.entity
        .build(UpdateItemCommand)
        .item({
          findingId: claimed.findingId,
          channel: message.channel,
          messageTs: message.ts,
          delivery: 'done',
          deliveryClaimedAt: $remove(),
          deliveryError: $remove(),
          gsi1pk: $remove(),
          gsi1sk: $remove(),
        })
        .options({ condition: renderedVersionIsCurrent })
        .send();
      return 'done';
    } catch (error) {
      if (!isConditionCheckFailed(error)) throw error;
    }
    await this.entity
      .build(UpdateItemCommand)
      .item({ findingId: claimed.findingId, channel: message.channel, messageTs: message.ts, delivery: 'pending' })
      .send();
    return 'still-owed';
  }

  /** Give a failed delivery back: it stays owed and is retried by the next sweep of pending deliveries. */
  async releaseDelivery(findingId: string, reason: string): Promise<void> {
    await this.entity
      .build(UpdateItemCommand)
      .item({ findingId, delivery: 'pending', deliveryClaimedAt: $remove(), deliveryError: reason.slice(0, 1000) })
      .send();
  }

  /**
   * Take the finding for one action (one remediation at a time). An action older than `staleBefore` was left by a
   * worker that died and may be taken over. When refused, says who holds it.
   */
  async claimAction(findingId: string, action: ActiveAction, staleBefore: string): Promise<ClaimResult> {
    const stored: Condition<FindingEntity> = { attr: 'findingId', exists: true };
    const free: Condition<FindingEntity> = { attr: 'actionDecisionId', exists: false };
    const abandoned: Condition<FindingEntity> = { attr: 'actionSince', lt: staleBefore };
    try {
      await this.entity
        .build(UpdateItemCommand)
        .item({ findingId, actionDecisionId: action.decisionId, actionKind: action.kind, actionBy: action.by, actionSince: action.since })
        .options({ condition: { and: [stored, { or: [free, abandoned] }] } })
        .send();
      return { claimed: true };
    } catch (error) {
      if (!isConditionCheckFailed(error)) throw error;
    }
    const current = await this.get(findingId);
    return current?.activeAction ? { claimed: false, heldBy: current.activeAction } : { claimed: false };
  }

  /** Let go of the action this decision holds (never someone else's). */
  async releaseAction(findingId: string, decisionId: string): Promise<void> {
    const heldByThisDecision: Condition<FindingEntity> = { attr: 'actionDecisionId', eq: decisionId };
    try {
      await this.entity
        .build(UpdateItemCommand)
        .item({ findingId, actionDecisionId: $remove(), actionKind: $remove(), actionBy: $remove(), actionSince: $remove() })
        .options({ condition: heldByThisDecision })
        .send();
    } catch (error) {
      if (!isConditionCheckFailed(error)) throw error;
    }
  }

  /** Findings whose message is owed (oldest first), from the sparse gsi1. */
  async owedDeliveries(limit = 100): Promise<string[]> {
    const { Items = [] } = await this.entity.table
      .build(QueryCommand)
      .entities(this.entity)
      .query({ index: 'gsi1', partition: DELIVERY_OWED })
      .options({ limit, attributes: ['findingId'] })
      .send();
    return Items.map((stored) => stored.findingId);
  }
}
