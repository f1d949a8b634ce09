import { Entity, GetItemCommand, PutItemCommand, QueryCommand, any, isConditionCheckFailed, item, string } from 'dynamodb-toolbox';
import type { Condition } from 'dynamodb-toolbox';
import type { Decision } from '../domain/decision.js';
import type { CspmTable } from './cspm-table.js';
import { queryAllPages } from './query-pages.js';

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
    }),
    computeKey: ({ findingId, decisionKey }: { findingId: string; decisionKey: string }) => ({
      pk: `FINDING#${findingId}`,
      sk: `DECISION#${decisionKey}`,
    }),
  });
}

type DecisionEntity = ReturnType<typeof decisionEntity>;

const keyOf = (decision: Pick<Decision, 'requestedAt' | 'decisionId'>) => `${decision.requestedAt}#${decision.decisionId}`;

export class DecisionAlreadyFinishedError extends Error {
  constructor(readonly decisionId: string) {
    super(`decision ${decisionId} is not PENDING any more`);
    this.name = 'DecisionAlreadyFinishedError';
  }
}

/**
 * The append-only audit trail: a decision is written PENDING before its action and completed exactly once.
 * Nothing here deletes or rewrites a finished decision.
 */
export class DecisionRepository {
  private readonly entity: DecisionEntity;

  constructor(table: CspmTable) {
    this.entity = decisionEntity(table);
  }

  /** Write a new decision; refuses to overwrite one with the same id (a retried write is not a second decision). */
  async record(decision: Decision): Promise<void> {
    const isNew: Condition<DecisionEntity> = { attr: 'decisionKey', exists: false };
    await this.entity
      .build(PutItemCommand)
      .item({
        findingId: decision.findingId,
        decisionKey: keyOf(decision),
        status: decision.status,
        decision,
        gsi2pk: monthPartition(decision.requestedAt),
        gsi2sk: keyOf(decision),
      })
      .options({ condition: isNew })
      .send();
  }

  /** PENDING → SUCCEEDED or FAILED, once. */
  async complete(finished: Decision): Promise<void> {
    const stillPending: Condition<DecisionEntity> = { attr: 'status', eq: 'PENDING' };
    try {
      await this.entity
        .build(PutItemCommand)
        .item({
          findingId: finished.findingId,
          decisionKey: keyOf(finished),
          status: finished.status,
          decision: finished,
          gsi2pk: monthPartition(finished.requestedAt),
          gsi2sk: keyOf(finished),
        })
        .options({ condition: stillPending })
        .send();
    } catch (error) {
      if (isConditionCheckFailed(error)) throw new DecisionAlreadyFinishedError(finished.decisionId);
      throw error;
    }
  }

  async get(findingId: string, key: Pick<Decision, 'requestedAt' | 'decisionId'>): Promise<Decision | undefined> {
    const { Item } = await this.entity.build(GetItemCommand).key({ findingId, decisionKey: keyOf(key) }).options({ consistent: true }).send();
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
    for (let cursor = new Date(`${from.slice(0, 7)}-01T00:00:00.000Z`); cursor.toISOString() < to; cursor.setUTCMonth(cursor.getUTCMonth() + 1)) {
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
