import {
  Entity,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  any,
  isConditionCheckFailed,
  item,
  string,
} from 'dynamodb-toolbox';
import type { Condition } from 'dynamodb-toolbox';
import type { Decision } from '../domain/decision.js';
import { decisionCounterKeys } from '../domain/decision-counters.js';
import type { Finding } from '../domain/finding.js';
import type { StatsRepository } from './stats-repository.js';
import type { CspmTable } from './cspm-table.js';
import { queryAllPages } from './query-pages.js';
import { retryTransient } from './transient-retry.js';

/** PENDING decisions are listed in this sparse gsi1 partition until completed, so interrupted ones are found. */
const PENDING = 'DECISIONS#pending';

/** Decisions by time live in one gsi2 partition per month, so a digest reads a week with one or two queries. */
function monthPartition(iso: string): string {
  return `DECISIONS#${iso.slice(0, 7)}`;
}

function decisionEntity(table: CspmTable) {
  return new Entity({
    name: 'Decision',
    table,
    timestamps: false,
    schema: item({
      findingId: string().key(),
      decisionKey: string().key(),
      status: string().enum('PENDING', 'SUCCEEDED', 'FAILED'),
      decision: any().castAs<Decision>(),
      gsi2pk: string(),
      gsi2sk: string(),
      gsi1pk: string().optional(),
      gsi1sk: string().optional(),
    }),
    computeKey: ({ findingId, decisionKey }: { findingId: string; decisionKey: string }) => ({
      pk: `FINDING#${findingId}`,
      sk: `DECISION#${decisionKey}`,
    }),
  });
}

type DecisionEntity = ReturnType<typeof decisionEntity>;

/** "This confirmation was used": one item per confirmed modal, written once, so a redelivered job runs nothing. */
function confirmationEntity(table: CspmTable) {
  return new Entity({
    name: 'Confirmation',
    table,
    timestamps: false,
    schema: item({
      findingId: string().key(),
      confirmationId: string().key(),
      decisionId: string(),
      usedAt: string(),
    }),
    computeKey: ({ findingId, confirmationId }: { findingId: string; confirmationId: string }) => ({
      pk: `FINDING#${findingId}`,
      sk: `CONFIRMATION#${confirmationId}`,
    }),
  });
}

type ConfirmationEntity = ReturnType<typeof confirmationEntity>;

const keyOf = (decision: Pick<Decision, 'requestedAt' | 'decisionId'>) =>
  `${decision.requestedAt}#${decision.decisionId}`;

export class DecisionAlreadyFinishedError extends Error {
  constructor(readonly decisionId: string) {
    super(`decision ${decisionId} is not PENDING any more`);
    this.name = 'DecisionAlreadyFinishedError';
  }
}

/**
 * The append-only audit trail: a decision is written PENDING before its action and completed exactly once.
 * Nothing here deletes or rewrites a finished decision. Writes outlast throttling (bounded retries): the record
 * of a change made in AWS must not be lost to a busy table.
 */
export class DecisionRepository {
  private readonly entity: DecisionEntity;
  private readonly confirmations: ConfirmationEntity;

  /**
   * With `weekCounters`, every finished decision is counted by day, kind and outcome, overall and for its finding's
   * account and control (`decisionCounterKeys`), so `/cspm status` never reads the decisions themselves.
   */
  constructor(
    table: CspmTable,
    private readonly weekCounters?: {
      readonly stats: StatsRepository;
      readonly findings: {
        get(findingId: string): Promise<{ finding: Pick<Finding, 'accountId' | 'controlId'> } | undefined>;
      };
    },
  ) {
    this.entity = decisionEntity(table);
    this.confirmations = confirmationEntity(table);
  }

  /** Count a finished decision, once: called only after the write that finished it went through. */
  private async countFinished(decision: Decision): Promise<void> {
    if (!this.weekCounters || decision.status === 'PENDING') return;
    const record = await this.weekCounters.findings.get(decision.findingId);
    await this.weekCounters.stats.add(
      decisionCounterKeys(decision, record?.finding).map((key) => ({ key, delta: 1 })),
    );
  }

  private stored(decision: Decision) {
    return {
      findingId: decision.findingId,
      decisionKey: keyOf(decision),
      status: decision.status,
      decision,
      gsi2pk: monthPartition(decision.requestedAt),
      gsi2sk: keyOf(decision),
      ...(decision.status === 'PENDING' && { gsi1pk: PENDING, gsi1sk: keyOf(decision) }),
    };
  }

  /** Whether an earlier attempt of this very write landed (its answer was lost to a transient fault). */
  private async alreadyWritten(decision: Decision): Promise<boolean> {
    const current = await this.get(decision.findingId, decision);
    return current?.status === decision.status && current.finishedAt === decision.finishedAt;
  }

  /** Write a new decision; refuses to overwrite one with the same id (a retried write is not a second decision). */
  async record(decision: Decision): Promise<void> {
    const isNew: Condition<DecisionEntity> = { attr: 'decisionKey', exists: false };
    await retryTransient(async (attempt) => {
      try {
        await this.entity
          .build(PutItemCommand)
          .item(this.stored(decision))
          .options({ condition: isNew })
          .send();
      } catch (error) {
        if (attempt > 1 && isConditionCheckFailed(error) && (await this.alreadyWritten(decision))) return;
        throw error;
      }
    });
    await this.countFinished(decision);
  }

  /** PENDING → SUCCEEDED or FAILED, once. */
  async complete(finished: Decision): Promise<void> {
    const stillPending: Condition<DecisionEntity> = { attr: 'status', eq: 'PENDING' };
    await retryTransient(async (attempt) => {
      try {
        // A Put replaces the item whole, so the finished decision leaves the sparse PENDING list.
        await this.entity
          .build(PutItemCommand)
          .item(this.stored(finished))
          .options({ condition: stillPending })
          .send();
      } catch (error) {
        if (!isConditionCheckFailed(error)) throw error;
        if (attempt > 1 && (await this.alreadyWritten(finished))) return;
        throw new DecisionAlreadyFinishedError(finished.decisionId);
      }
    });
    await this.countFinished(finished);
  }

  /** Decisions still PENDING that were requested before `instant` (interrupted ones), oldest first. */
  async pendingRequestedBefore(instant: string, limit = 100): Promise<Decision[]> {
    const stored = await queryAllPages(
      (start) =>
        this.entity.table
          .build(QueryCommand)
          .entities(this.entity)
          .query({ index: 'gsi1', partition: PENDING, range: { lt: instant } })
          .options({ limit: 100, ...start })
          .send(),
      { limit },
    );
    return stored.map((item) => item.decision).filter((decision) => decision.status === 'PENDING');
  }

  /**
   * Mark a confirmation used by this decision; false when it was used before (the same job delivered again), so
   * a person's one confirmation runs one remediation whatever happened to the first run.
   */
  async useConfirmation(input: {
    findingId: string;
    confirmationId: string;
    decisionId: string;
    usedAt: string;
  }): Promise<boolean> {
    const notUsedYet: Condition<ConfirmationEntity> = { attr: 'confirmationId', exists: false };
    try {
      await retryTransient(() =>
        this.confirmations.build(PutItemCommand).item(input).options({ condition: notUsedYet }).send(),
      );
      return true;
    } catch (error) {
      if (!isConditionCheckFailed(error)) throw error;
      // Our own earlier attempt may have landed before its answer was lost.
      const { Item } = await this.confirmations
        .build(GetItemCommand)
        .key(input)
        .options({ consistent: true })
        .send();
      return Item?.decisionId === input.decisionId;
    }
  }

  async get(
    findingId: string,
    key: Pick<Decision, 'requestedAt' | 'decisionId'>,
  ): Promise<Decision | undefined> {
    const { Item } = await this.entity
      .build(GetItemCommand)
      .key({ findingId, decisionKey: keyOf(key) })
      .options({ consistent: true })
      .send();
    return Item?.decision;
  }

  /** Every decision on a finding, oldest first. */
  async ofFinding(findingId: string): Promise<Decision[]> {
    const stored = await queryAllPages((start) =>
      this.entity.table
        .build(QueryCommand)
        .entities(this.entity)
        .query({ partition: `FINDING#${findingId}`, range: { beginsWith: 'DECISION#' } })
        .options({ consistent: true, ...start })
        .send(),
    );
    return stored.map((item) => item.decision);
  }

  /** Decisions requested in [from, to), oldest first (digest, status). */
  async between(from: string, to: string): Promise<Decision[]> {
    const decisions: Decision[] = [];
    const months = new Set<string>();
    for (
      let cursor = new Date(`${from.slice(0, 7)}-01T00:00:00.000Z`);
      cursor.toISOString() < to;
      cursor.setUTCMonth(cursor.getUTCMonth() + 1)
    ) {
      months.add(monthPartition(cursor.toISOString()));
    }
    for (const partition of months) {
      const stored = await queryAllPages((start) =>
        this.entity.table
          .build(QueryCommand)
          .entities(this.entity)
          .query({ index: 'gsi2', partition, range: { between: [from, to] } })
          .options({ ...start })
          .send(),
      );
      decisions.push(...stored.map((item) => item.decision).filter((decision) => decision.requestedAt < to));
    }
    return decisions;
  }
}
