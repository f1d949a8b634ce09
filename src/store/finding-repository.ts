import { claimedDelivery } from '../domain/delivery-retry.js';
import {
  $add,
  $remove,
  BatchGetCommand,
  BatchGetRequest,
  BatchPutRequest,
  BatchWriteCommand,
  executeBatchGet,
  executeBatchWrite,
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
import { randomUUID } from 'node:crypto';
import type { DecisionKind } from '../domain/decision.js';
import type { Finding, WorkflowStatus } from '../domain/finding.js';
import type { FindingNotice } from '../domain/finding-notice.js';
import { isOpen } from '../domain/finding.js';
import { findingKeyOf } from '../domain/finding-key.js';
import type { Suppression } from '../domain/suppression.js';
import type { Resolution } from '../domain/resolution.js';
import type { Triage } from '../domain/triage.js';
import type { SecurityHubExposure } from '../domain/security-hub-exposure.js';
import type { CspmTable } from './cspm-table.js';
import type { StatsRepository } from './stats-repository.js';
import { countedState, counterDeltas } from '../domain/finding-stats.js';
import { CounterTally } from '../domain/counter-tally.js';
import type { FindingRecordLike } from '../domain/finding-stats.js';
import { queryAllPages } from './query-pages.js';
import { replaceWhole } from './replace-whole.js';
import { groupMemberEntity } from './finding-group-repository.js';

/**
 * Whether the finding's Slack message is up to date: `pending` means a post or update is owed, `stuck` that the
 * bot gave up (permanent error or attempts used up) until the finding changes or someone retries it.
 */
export type DeliveryState = 'pending' | 'in-flight' | 'done' | 'stuck';

export interface FindingRecord {
  /** `findingKeyOf(finding)`: product ARN, account and id, as Security Hub identifies a finding. */
  readonly findingId: string;
  readonly finding: Finding;
  readonly triage: Triage;
  readonly channel: string;
  readonly messageTs?: string;
  readonly delivery: DeliveryState;
  readonly deliveryClaimedAt?: string;
  readonly deliveryError?: string;
  /** Failed attempts since the message was last delivered (backoff and the bound before `stuck`). */
  readonly deliveryAttempts?: number;
  /** Not retried by the sweep before this time. */
  readonly deliveryNextAt?: string;
  /** A post whose answer was lost was claimed at this time: the message may be in the channel from then on. */
  readonly deliveryUncertainSince?: string;
  /** When a post was repeated without finding the lost one: a second lost answer is never repeated blindly. */
  readonly deliveryRepostedAt?: string;
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
  /** Set while the bot holds it SUPPRESSED (suppressed or risk-accepted from Slack). */
  readonly suppression?: Suppression;
  /**
   * When a person (or the bot on their behalf) last set the workflow from Slack, and what to. A delivered state
   * not newer than this never overrides it (EventBridge re-delivers old events).
   */
  readonly decidedAt?: string;
  readonly decidedWorkflowStatus?: WorkflowStatus;
  /**
   * Set when the finding was posted as part of a grouped message (see `FindingGroup`): its own message is then a
   * reply in that message's thread, and later changes update that reply and the group's counts, never the channel.
   */
  readonly groupId?: string;
  /** The grouped message this finding's message replies under (set once the reply is delivered). */
  readonly threadTs?: string;
  /** A thread notice (auto-remediation started or capped) to post once the message is in Slack. */
  readonly owedNotice?: FindingNotice;
  readonly owedNoticeAt?: string;
  /**
   * The newer Security Hub's exposure finding that concerns this finding (its own resource, or the instance a group
   * exposes): shown beside the bot's own reachability check. Kept apart from `finding`, which each copy replaces.
   */
  readonly securityHubExposure?: SecurityHubExposure;
}

export interface ActiveAction {
  readonly decisionId: string;
  readonly kind: DecisionKind;
  /** Slack user id, or `cspm-bot` for automatic actions. */
  readonly by: string;
  readonly since: string;
}

export type ClaimResult =
  { readonly claimed: true } | { readonly claimed: false; readonly heldBy?: ActiveAction };

const DELIVERY_OWED = 'DELIVERY#pending';
/** A delivered message owes nothing: its failure history is forgotten. */
const DELIVERED = {
  deliveryError: $remove(),
  deliveryAttempts: $remove(),
  deliveryNextAt: $remove(),
  deliveryUncertainSince: $remove(),
  deliveryRepostedAt: $remove(),
};
/** Deliveries the bot gave up on, listed for `/cspm status` (sparse: only stuck ones carry it). */
const DELIVERY_STUCK = 'DELIVERY#stuck';

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
      delivery: string().enum('pending', 'in-flight', 'done', 'stuck'),
      deliveryClaimedAt: string().optional(),
      deliveryError: string().optional(),
      deliveryAttempts: number().optional(),
      deliveryNextAt: string().optional(),
      deliveryUncertainSince: string().optional(),
      deliveryRepostedAt: string().optional(),
      version: number(),
      firstIngestedAt: string(),
      lastIngestedAt: string(),
      reopenedAt: string().optional(),
      resolution: any().castAs<Resolution>().optional(),
      suppression: any().castAs<Suppression>().optional(),
      decidedAt: string().optional(),
      decidedWorkflowStatus: string().enum('NEW', 'NOTIFIED', 'RESOLVED', 'SUPPRESSED').optional(),
      actionDecisionId: string().optional(),
      actionKind: string().optional(),
      actionBy: string().optional(),
      actionSince: string().optional(),
      groupId: string().optional(),
      threadTs: string().optional(),
      owedNotice: any().castAs<FindingNotice>().optional(),
      owedNoticeAt: string().optional(),
      securityHubExposure: any().castAs<SecurityHubExposure>().optional(),
      gsi1pk: string().optional().hidden(),
      gsi1sk: string().optional().hidden(),
      gsi2pk: string().optional().hidden(),
      gsi2sk: string().optional().hidden(),
      gsi3pk: string().optional().hidden(),
      gsi3sk: string().optional().hidden(),
      gsi4pk: string().optional().hidden(),
      gsi4sk: string().optional().hidden(),
      gsi5pk: string().optional().hidden(),
      gsi5sk: string().optional().hidden(),
    }),
    computeKey: ({ findingId }: { findingId: string }) => ({ pk: `FINDING#${findingId}`, sk: '#FINDING' }),
  });
}

type FindingEntity = ReturnType<typeof findingEntity>;

function toRecord(stored: Record<string, unknown>): FindingRecord {
  const {
    gsi2pk: _9,
    gsi2sk: _10,
    gsi1pk: _1,
    gsi1sk: _2,
    gsi3pk: _3,
    gsi3sk: _4,
    gsi4pk: _5,
    gsi4sk: _6,
    gsi5pk: _7,
    gsi5sk: _8,
    actionDecisionId,
    actionKind,
    actionBy,
    actionSince,
    ...record
  } = stored;
  const activeAction =
    typeof actionDecisionId === 'string'
      ? {
          activeAction: {
            decisionId: actionDecisionId,
            kind: actionKind as DecisionKind,
            by: String(actionBy),
            since: String(actionSince),
          },
        }
      : {};
  return { ...record, ...activeAction } as unknown as FindingRecord;
}

/** Open findings are listed oldest first, overall, by account and by control; closed ones leave the indexes. */
function openIndexValues(finding: Finding, findingId: string) {
  if (!isOpen(finding) || finding.complianceStatus === 'PASSED') return undefined;
  const sortKey = `${finding.firstObservedAt}#${findingId}`;
  return {
    gsi3pk: 'OPEN',
    gsi3sk: sortKey,
    gsi4pk: `OPEN#ACCOUNT#${finding.accountId}`,
    gsi4sk: sortKey,
    gsi5pk: `OPEN#CONTROL#${finding.controlId ?? '-'}`,
    gsi5sk: sortKey,
  };
}

/** The attributes every newly stored finding starts with. */
function newItem(input: {
  finding: Finding;
  triage: Triage;
  channel: string;
  now: string;
  findingId?: string;
  securityHubExposure?: SecurityHubExposure;
}) {
  const findingId = input.findingId ?? findingKeyOf(input.finding);
  return {
    findingId,
    finding: input.finding,
    triage: input.triage,
    channel: input.channel,
    version: 1,
    firstIngestedAt: input.now,
    lastIngestedAt: input.now,
    ...(input.securityHubExposure && { securityHubExposure: input.securityHubExposure }),
    ...openIndexValues(input.finding, findingId),
  };
}

/** Findings held under a risk acceptance are listed by it, so revoking or expiring it finds them all. */
function acceptanceIndexKeys(findingId: string, suppression: Suppression | null) {
  const acceptanceId = suppression?.acceptance?.acceptanceId;
  return acceptanceId
    ? { gsi2pk: `ACCEPTED#${acceptanceId}`, gsi2sk: findingId }
    : { gsi2pk: $remove(), gsi2sk: $remove() };
}

function openIndexKeys(finding: Finding, findingId: string) {
  return (
    openIndexValues(finding, findingId) ?? {
      gsi3pk: $remove(),
      gsi3sk: $remove(),
      gsi4pk: $remove(),
      gsi4sk: $remove(),
      gsi5pk: $remove(),
      gsi5sk: $remove(),
    }
  );
}

/** Findings, their triage and where their Slack message lives. Conditional writes only: no transactions. */
export class FindingRepository {
  private readonly entity: FindingEntity;

  /**
   * With `stats`, every write keeps the status counters in step (after its condition held, so never twice). With a
   * `tally` too (see `countingInto`), the changes are gathered and written when the owner flushes it.
   */
  constructor(
    private readonly table: CspmTable,
    private readonly stats?: StatsRepository,
    private readonly tally?: CounterTally,
  ) {
    this.entity = findingEntity(table);
  }

  /** The same store, gathering counter changes into `tally` (an ingest batch) instead of writing each at once. */
  countingInto(tally: CounterTally): FindingRepository {
    return new FindingRepository(this.table, this.stats, tally);
  }

  /**
   * Start an ingest batch whose counter changes are gathered and written once, by `finish` (call it in `finally`).
   * The batch is marked in the store until then, so a recount never mistakes its unwritten counts for lost ones; a
   * batch that died leaves its mark, and the recount (`recountOpenCounters`) repairs what it did not write.
   */
  async beginCountedBatch(
    now: string,
  ): Promise<{ readonly findings: FindingRepository; finish(): Promise<void> }> {
    const tally = new CounterTally();
    const stats = this.stats;
    const batchId = randomUUID();
    await stats?.beginBatch(batchId, now);
    return {
      findings: this.countingInto(tally),
      async finish() {
        if (!stats) return;
        await stats.flush(tally);
        await stats.endBatch(batchId);
      },
    };
  }

  private async count(
    before: FindingRecordLike | undefined,
    after: FindingRecordLike,
    events: { day: string; event?: 'new' | 'reopened'; resolvedHours?: number },
  ): Promise<void> {
    if (!this.stats) return;
    const tally = this.tally ?? new CounterTally();
    tally.add(counterDeltas(before && countedState(before), countedState(after)).values());
    if (events.event) tally.countDay(events.day, events.event);
    if (events.resolvedHours !== undefined) tally.addRemediationTime(events.resolvedHours);
    if (!this.tally) await this.stats.flush(tally);
  }

  /** Read error → throws; only a missing item is `undefined`. */
  async get(findingId: string): Promise<FindingRecord | undefined> {
    const { Item } = await this.entity
      .build(GetItemCommand)
      .key({ findingId })
      .options({ consistent: true })
      .send();
    return Item ? toRecord(Item) : undefined;
  }

  /** Many records at once (an ingest batch reads its findings in one request per 100), by finding id. */
  async getMany(findingIds: readonly string[]): Promise<Map<string, FindingRecord>> {
    const records = new Map<string, FindingRecord>();
    const unique = [...new Set(findingIds)];
    for (let start = 0; start < unique.length; start += 100) {
      const keys = unique
        .slice(start, start + 100)
        .map((findingId) => this.entity.build(BatchGetRequest).key({ findingId }));
      const { Responses } = await executeBatchGet(
        { maxAttempts: 5 },
        this.entity.table
          .build(BatchGetCommand)
          .requests(...keys)
          .options({ consistent: true }),
      );
      for (const stored of Responses?.[0] ?? []) {
        if (stored) {
          const record = toRecord(stored as Record<string, unknown>);
          records.set(record.findingId, record);
        }
      }
    }
    return records;
  }

  /**
   * Store a finding seen for the first time, owing its first post. Returns false when another delivery of the
   * same finding got there first (the caller then treats it as known).
   */
  async insertNew(input: {
    finding: Finding;
    triage: Triage;
    channel: string;
    now: string;
    /** Already covered by a risk acceptance: stored (status, digest) but not posted as a new alert. */
    suppression?: Suppression;
    /**
     * The key to store it under when it is not its own (`findingKeyOf`): the other Security Hub's copy of a finding
     * already claimed that key (see same-finding-repository.ts).
     */
    findingId?: string;
    /** An exposure finding stored before this finding arrived that concerns it. */
    securityHubExposure?: SecurityHubExposure;
  }): Promise<boolean> {
    const notStoredYet: Condition<FindingEntity> = { attr: 'findingId', exists: false };
    const findingId = input.findingId ?? findingKeyOf(input.finding);
    try {
      await this.entity
        .build(PutItemCommand)
        .item({
          ...newItem(input),
          ...(input.suppression
            ? {
                suppression: input.suppression,
                // Held under an acceptance is a decision too: a re-delivered NEW event must not undo it.
                decidedAt: input.now,
                decidedWorkflowStatus: input.finding.workflowStatus,
                delivery: 'done' as const,
                ...(input.suppression.acceptance && {
                  gsi2pk: `ACCEPTED#${input.suppression.acceptance.acceptanceId}`,
                  gsi2sk: findingId,
                }),
              }
            : { delivery: 'pending' as const, gsi1pk: DELIVERY_OWED, gsi1sk: `${input.now}#${findingId}` }),
        })
        .options({ condition: notStoredYet })
        .send();
    } catch (error) {
      if (isConditionCheckFailed(error)) return false;
      throw error;
    }
    await this.count(undefined, input, { day: input.now.slice(0, 10), event: 'new' });
    return true;
  }

  /**
   * Bulk load (backfills, benchmarks): batches of 25 without per-item conditions, so only for findings known to
   * be new; the counters are added once for the whole load.
   */
  async importNew(
    inputs: readonly { finding: Finding; triage: Triage; channel: string; now: string }[],
  ): Promise<void> {
    for (let start = 0; start < inputs.length; start += 25) {
      const batch = inputs.slice(start, start + 25);
      // Unprocessed items (throttling) are retried by the toolbox, a bounded number of times.
      await executeBatchWrite(
        { maxAttempts: 5 },
        this.entity.table
          .build(BatchWriteCommand)
          .requests(
            ...batch.map((input) =>
              this.entity.build(BatchPutRequest).item({ ...newItem(input), delivery: 'done' }),
            ),
          ),
      );
    }
    if (!this.stats) return;
    const tally = new CounterTally();
    for (const input of inputs) tally.add(counterDeltas(undefined, countedState(input)).values());
    await this.stats.flush(tally);
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
    /** Record (or, with `null`, forget) why the bot holds it suppressed. */
    suppression?: Suppression | null;
    /** Record (or, with `null`, forget) the exposure finding that concerns it. */
    securityHubExposure?: SecurityHubExposure | null;
    now: string;
  }): Promise<boolean> {
    const unchangedSinceRead: Condition<FindingEntity> = { attr: 'version', eq: input.record.version };
    // A message being posted right now is not marked owed: a second run could claim it before the first stores its
    // ts and post it twice. The new version is enough: the poster's completion sees it and leaves the update owed.
    const beingPosted = input.record.delivery === 'in-flight';
    const delivery =
      input.owesDelivery && !beingPosted
        ? {
            delivery: 'pending' as const,
            gsi1pk: DELIVERY_OWED,
            gsi1sk: `${input.now}#${input.record.findingId}`,
          }
        : {};
    const deliveryAsRead: Condition<FindingEntity> = beingPosted
      ? { attr: 'delivery', eq: 'in-flight' }
      : { attr: 'delivery', ne: 'in-flight' };
    // A resolution or suppression (set or forgotten) is a decision from Slack: remembered so stale events cannot undo it.
    const decided = input.resolution !== undefined || input.suppression !== undefined;
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
          ...(input.resolution !== undefined && {
            resolution: input.resolution === null ? $remove() : replaceWhole(input.resolution),
          }),
          ...(input.suppression !== undefined && {
            suppression: input.suppression === null ? $remove() : replaceWhole(input.suppression),
            ...acceptanceIndexKeys(input.record.findingId, input.suppression),
          }),
          ...(decided && { decidedAt: input.now, decidedWorkflowStatus: input.finding.workflowStatus }),
          ...(input.securityHubExposure !== undefined && {
            securityHubExposure:
              input.securityHubExposure === null ? $remove() : replaceWhole(input.securityHubExposure),
          }),
          ...openIndexKeys(input.finding, input.record.findingId),
          ...delivery,
        })
        .options({
          condition: input.owesDelivery ? { and: [unchangedSinceRead, deliveryAsRead] } : unchangedSinceRead,
        })
        .send();
    } catch (error) {
      if (isConditionCheckFailed(error)) return false;
      throw error;
    }
    const newlyResolved =
      input.resolution && !input.record.resolution && input.finding.workflowStatus === 'RESOLVED';
    await this.count(input.record, input, {
      day: input.now.slice(0, 10),
      ...(input.reopened && { event: 'reopened' as const }),
      ...(newlyResolved && {
        resolvedHours: Math.max(
          0,
          (Date.parse(input.resolution!.at) - Date.parse(input.finding.firstObservedAt)) / 3_600_000,
        ),
      }),
    });
    return true;
  }

  /**
   * Take the owed delivery for this process. A claim older than `staleBefore` was left by a crashed worker
   * and may be taken over. Returns the claimed record (to render), or undefined if nothing is owed or taken.
   */
  async claimDelivery(
    findingId: string,
    now: string,
    staleBefore: string,
  ): Promise<FindingRecord | undefined> {
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
        .options({ condition: { or: [owed, abandoned] }, returnValues: 'ALL_OLD' })
        .send();
      if (!Attributes) return undefined;
      return claimedDelivery(toRecord(Attributes), now);
    } catch (error) {
      if (isConditionCheckFailed(error)) return undefined;
      throw error;
    }
  }

  /**
   * Record where the message lives. If the record changed while we were posting (a newer state arrived),
   * the delivery stays owed so the newer state is rendered too: nothing lost.
   */
  async completeDelivery(
    claimed: FindingRecord,
    /** `threadTs`: the grouped message the finding's message replies under. */
    message: { channel: string; ts: string; threadTs?: string },
  ): Promise<'done' | 'still-owed'> {
    const thread = message.threadTs ? { threadTs: message.threadTs } : {};
    const renderedVersionIsCurrent: Condition<FindingEntity> = { attr: 'version', eq: claimed.version };
    try {
      await this.entity
        .build(UpdateItemCommand)
        .item({
          findingId: claimed.findingId,
          channel: message.channel,
          messageTs: message.ts,
          ...thread,
          delivery: 'done',
          deliveryClaimedAt: $remove(),
          ...DELIVERED,
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
      .item({
        findingId: claimed.findingId,
        channel: message.channel,
        messageTs: message.ts,
        ...thread,
        delivery: 'pending',
        deliveryClaimedAt: $remove(),
        ...DELIVERED,
      })
      .send();
    return 'still-owed';
  }

  /**
   * A notice for the finding's thread, posted by the delivery after the message itself (it needs the message to
   * reply under). Bumps the version, so a delivery in flight does not mark the finding done without posting it.
   */
  async oweNotice(findingId: string, notice: FindingNotice, now: string): Promise<void> {
    const stored: Condition<FindingEntity> = { attr: 'findingId', exists: true };
    try {
      await this.entity
        .build(UpdateItemCommand)
        .item({
          findingId,
          owedNotice: replaceWhole(notice),
          owedNoticeAt: now,
          version: $add(1),
          delivery: 'pending',
          gsi1pk: DELIVERY_OWED,
          gsi1sk: `${now}#${findingId}`,
        })
        .options({ condition: stored })
        .send();
    } catch (error) {
      if (!isConditionCheckFailed(error)) throw error;
    }
  }

  /** The notice was posted: forget it, unless a newer one was owed meanwhile. */
  async clearNotice(findingId: string, owedAt: string): Promise<void> {
    const sameNotice: Condition<FindingEntity> = { attr: 'owedNoticeAt', eq: owedAt };
    try {
      await this.entity
        .build(UpdateItemCommand)
        .item({ findingId, owedNotice: $remove(), owedNoticeAt: $remove() })
        .options({ condition: sameNotice })
        .send();
    } catch (error) {
      if (!isConditionCheckFailed(error)) throw error;
    }
  }

  /** Give a claim back untouched (nothing was attempted): owed as before, due as before. */
  async unclaimDelivery(findingId: string, claimedAt: string): Promise<void> {
    const ourClaim: Condition<FindingEntity> = {
      and: [
        { attr: 'delivery', eq: 'in-flight' },
        { attr: 'deliveryClaimedAt', eq: claimedAt },
      ],
    };
    try {
      await this.entity
        .build(UpdateItemCommand)
        .item({ findingId, delivery: 'pending', deliveryClaimedAt: $remove() })
        .options({ condition: ourClaim })
        .send();
    } catch (error) {
      if (!isConditionCheckFailed(error)) throw error;
    }
  }

  /**
   * Give a failed delivery back: it stays owed and is retried by the next sweep of pending deliveries once
   * `retry.nextAttemptAt` has passed (at once without `retry`). `uncertainSince` records a post that may have gone
   * through, so the next attempt looks for it first.
   */
  async releaseDelivery(
    findingId: string,
    reason: string,
    retry?: { attempts: number; nextAttemptAt: string; uncertainSince?: string; repostedAt?: string },
  ): Promise<void> {
    await this.entity
      .build(UpdateItemCommand)
      .item({
        findingId,
        delivery: 'pending',
        deliveryClaimedAt: $remove(),
        deliveryError: reason.slice(0, 1000),
        ...(retry && {
          deliveryAttempts: retry.attempts,
          deliveryNextAt: retry.nextAttemptAt,
          ...(retry.uncertainSince && { deliveryUncertainSince: retry.uncertainSince }),
          ...(retry.repostedAt && { deliveryRepostedAt: retry.repostedAt }),
          gsi1pk: DELIVERY_OWED,
          gsi1sk: `${retry.nextAttemptAt}#${findingId}`,
        }),
      })
      .send();
  }

  /**
   * Give up on a delivery: it leaves the owed list (so it no longer holds up others) and is listed as stuck with
   * the reason. With `onlyIfOwedIn`, only a delivery still owed in that channel is marked (one that was not tried
   * itself, but whose channel just failed for good).
   */
  async markDeliveryStuck(
    findingId: string,
    input: { reason: string; attempts?: number; now: string; uncertainSince?: string; onlyIfOwedIn?: string },
  ): Promise<boolean> {
    const stillOwedThere: Condition<FindingEntity> | undefined = input.onlyIfOwedIn
      ? {
          and: [
            { attr: 'delivery', eq: 'pending' },
            { attr: 'channel', eq: input.onlyIfOwedIn },
          ],
        }
      : undefined;
    try {
      await this.entity
        .build(UpdateItemCommand)
        .item({
          findingId,
          delivery: 'stuck',
          deliveryClaimedAt: $remove(),
          deliveryError: input.reason.slice(0, 1000),
          ...(input.attempts !== undefined && { deliveryAttempts: input.attempts }),
          deliveryNextAt: $remove(),
          ...(input.uncertainSince && { deliveryUncertainSince: input.uncertainSince }),
          gsi1pk: DELIVERY_STUCK,
          gsi1sk: `${input.now}#${findingId}`,
        })
        .options(stillOwedThere ? { condition: stillOwedThere } : {})
        .send();
      return true;
    } catch (error) {
      if (isConditionCheckFailed(error)) return false;
      throw error;
    }
  }

  /** Someone asked to try a stuck delivery again: owed at once, with a fresh count of attempts. */
  async retryStuckDelivery(findingId: string, now: string): Promise<boolean> {
    const stuck: Condition<FindingEntity> = { attr: 'delivery', eq: 'stuck' };
    try {
      await this.entity
        .build(UpdateItemCommand)
        .item({
          findingId,
          delivery: 'pending',
          deliveryAttempts: $remove(),
          deliveryNextAt: $remove(),
          gsi1pk: DELIVERY_OWED,
          gsi1sk: `${now}#${findingId}`,
        })
        .options({ condition: stuck })
        .send();
      return true;
    } catch (error) {
      if (isConditionCheckFailed(error)) return false;
      throw error;
    }
  }

  /**
   * Take the finding for one action (one remediation at a time). An action older than `staleBefore` (callers pass
   * `leaseExpiredBefore(now)`, domain/action-lease) was left by a worker that died and may be taken over; the caller
   * then reconciles what it left PENDING. When refused, says who holds it.
   */
  async claimAction(findingId: string, action: ActiveAction, staleBefore: string): Promise<ClaimResult> {
    const stored: Condition<FindingEntity> = { attr: 'findingId', exists: true };
    const free: Condition<FindingEntity> = { attr: 'actionDecisionId', exists: false };
    const abandoned: Condition<FindingEntity> = { attr: 'actionSince', lt: staleBefore };
    try {
      await this.entity
        .build(UpdateItemCommand)
        .item({
          findingId,
          actionDecisionId: action.decisionId,
          actionKind: action.kind,
          actionBy: action.by,
          actionSince: action.since,
        })
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
        .item({
          findingId,
          actionDecisionId: $remove(),
          actionKind: $remove(),
          actionBy: $remove(),
          actionSince: $remove(),
        })
        .options({ condition: heldByThisDecision })
        .send();
    } catch (error) {
      if (!isConditionCheckFailed(error)) throw error;
    }
  }

  /**
   * Open findings, oldest first, overall or within one account or control (sparse indexes: no scan). With both an
   * account and a control, the smaller control partition is read and filtered by account.
   */
  async openFindings(
    filter: { accountId?: string; controlId?: string; limit?: number } = {},
  ): Promise<FindingRecord[]> {
    const limit = filter.limit ?? 100;
    const [index, partition] =
      filter.controlId !== undefined
        ? (['gsi5', `OPEN#CONTROL#${filter.controlId}`] as const)
        : filter.accountId !== undefined
          ? (['gsi4', `OPEN#ACCOUNT#${filter.accountId}`] as const)
          : (['gsi3', 'OPEN'] as const);
    const stored = await queryAllPages(
      (start) =>
        this.entity.table
          .build(QueryCommand)
          .entities(this.entity)
          .query({ index, partition })
          .options({ limit: 100, ...start })
          .send(),
      {
        limit,
        keep: (item) => filter.accountId === undefined || item.finding.accountId === filter.accountId,
      },
    );
    return stored.map(toRecord);
  }

  /** Ids of the findings held under one risk acceptance. */
  async underAcceptance(acceptanceId: string): Promise<string[]> {
    const stored = await queryAllPages((start) =>
      this.entity.table
        .build(QueryCommand)
        .entities(this.entity)
        .query({ index: 'gsi2', partition: `ACCEPTED#${acceptanceId}` })
        .options({ attributes: ['findingId'], ...start })
        .send(),
    );
    return stored.map((item) => item.findingId);
  }

  /** Forget the Slack message so the next delivery posts a fresh one (an expired acceptance is re-announced). */
  async owePost(findingId: string, now: string): Promise<void> {
    await this.entity
      .build(UpdateItemCommand)
      .item({
        findingId,
        messageTs: $remove(),
        delivery: 'pending',
        ...DELIVERED,
        gsi1pk: DELIVERY_OWED,
        gsi1sk: `${now}#${findingId}`,
      })
      .send();
  }

  /** Findings whose message is owed, soonest next attempt first (sparse gsi1; backing-off ones included). */
  async owedDeliveries(limit = 100): Promise<string[]> {
    return (await this.owedQuery(undefined, limit)).map((owed) => owed.findingId);
  }

  /**
   * Owed deliveries whose next attempt is due by `dueBy`, soonest first, with their channel. The index is sorted by
   * next attempt time, so messages that keep failing (and back off) never hide the ones behind them.
   */
  async dueDeliveries(dueBy: string, limit: number): Promise<{ findingId: string; channel: string }[]> {
    return this.owedQuery(dueBy, limit);
  }

  private async owedQuery(
    dueBy: string | undefined,
    limit: number,
  ): Promise<{ findingId: string; channel: string }[]> {
    // Sort keys are `<time>#<findingId>`; `$` sorts right after `#`, so every key at or before `dueBy` is below it.
    const range = dueBy === undefined ? {} : { range: { lt: `${dueBy}$` } };
    const stored = await queryAllPages(
      (start) =>
        this.entity.table
          .build(QueryCommand)
          .entities(this.entity)
          .query({ index: 'gsi1', partition: DELIVERY_OWED, ...range })
          .options({ limit: Math.min(limit, 500), attributes: ['findingId', 'channel'], ...start })
          .send(),
      { limit },
    );
    return stored.map((item) => ({ findingId: item.findingId, channel: item.channel }));
  }

  /**
   * Owed records due by `dueBy`, whole (the delivery run groups never-posted ones by channel and control), soonest
   * first.
   */
  async dueRecords(dueBy: string, limit: number): Promise<FindingRecord[]> {
    const stored = await queryAllPages(
      (start) =>
        this.entity.table
          .build(QueryCommand)
          .entities(this.entity)
          .query({ index: 'gsi1', partition: DELIVERY_OWED, range: { lt: `${dueBy}$` } })
          .options({ limit: Math.min(limit, 500), ...start })
          .send(),
      { limit },
    );
    return stored.map(toRecord);
  }

  /**
   * Make a finding a member of a group, only while its first message is still owed and nothing was posted (no
   * message, no post that may have gone through): a finding already in the channel is never grouped afterwards.
   */
  async joinGroup(findingId: string, groupId: string): Promise<boolean> {
    const neverPosted: Condition<FindingEntity> = {
      and: [
        { attr: 'delivery', eq: 'pending' },
        { attr: 'messageTs', exists: false },
        { attr: 'deliveryUncertainSince', exists: false },
        { attr: 'groupId', exists: false },
      ],
    };
    try {
      await this.entity
        .build(UpdateItemCommand)
        .item({ findingId, groupId })
        .options({ condition: neverPosted })
        .send();
      return true;
    } catch (error) {
      if (isConditionCheckFailed(error)) return false;
      throw error;
    }
  }

  /**
   * The member records of a grouped message (its `GROUP#<groupId>` partition, then the records by key: no scan),
   * in no particular order. For bulk actions on a group ("Remediate all reachable…"); empty for an unknown group.
   */
  async inGroup(groupId: string): Promise<FindingRecord[]> {
    const members = groupMemberEntity(this.entity.table);
    const ids = (
      await queryAllPages((start) =>
        this.entity.table
          .build(QueryCommand)
          .entities(members)
          .query({ partition: `GROUP#${groupId}`, range: { beginsWith: 'MEMBER#' } })
          .options({ ...start })
          .send(),
      )
    ).map((member) => member.findingId);
    const records: FindingRecord[] = [];
    for (let start = 0; start < ids.length; start += 100) {
      const keys = ids
        .slice(start, start + 100)
        .map((findingId) => this.entity.build(BatchGetRequest).key({ findingId }));
      const { Responses } = await executeBatchGet(
        { maxAttempts: 5 },
        this.entity.table
          .build(BatchGetCommand)
          .requests(...keys)
          .options({ consistent: true }),
      );
      for (const stored of Responses?.[0] ?? [])
        if (stored) records.push(toRecord(stored as Record<string, unknown>));
    }
    return records;
  }

  /** Deliveries the bot gave up on, most recently stuck first, with the reason in `deliveryError`. */
  async stuckDeliveries(limit: number): Promise<FindingRecord[]> {
    const stored = await queryAllPages(
      (start) =>
        this.entity.table
          .build(QueryCommand)
          .entities(this.entity)
          .query({ index: 'gsi1', partition: DELIVERY_STUCK })
          .options({ limit, reverse: true, ...start })
          .send(),
      { limit },
    );
    return stored.map(toRecord);
  }
}
