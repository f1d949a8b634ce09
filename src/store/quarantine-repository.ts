import {
  $add,
  $get,
  DeleteItemCommand,
  Entity,
  QueryCommand,
  UpdateItemCommand,
  item,
  number,
  string,
} from 'dynamodb-toolbox';
import { IDENTITY_LIMITS, TEXT_LIMITS, truncateText } from '../domain/finding-bounds.js';
import type { Finding } from '../domain/finding.js';
import type { CspmTable } from './cspm-table.js';
import { queryAllPages } from './query-pages.js';

/** A finding ingest could not store: kept visible for `/cspm status` until a later ingest of it succeeds. */
export interface QuarantinedFinding {
  /** `findingKeyOf(finding)`. */
  readonly findingKey: string;
  /** ASFF `Id`, `ProductArn` (cut to Security Hub's limits: the value may be why it failed). */
  readonly id: string;
  readonly productArn: string;
  readonly accountId: string;
  readonly region: string;
  readonly controlId?: string;
  /** Why the last attempt failed, e.g. DynamoDB's "Item size has exceeded the maximum allowed size". */
  readonly reason: string;
  readonly attempts: number;
  readonly firstFailedAt: string;
  readonly lastFailedAt: string;
}

const QUARANTINE = 'QUARANTINE';
const MAX_REASON = 500;

function quarantineEntity(table: CspmTable) {
  return new Entity({
    name: 'QuarantinedFinding',
    table,
    timestamps: false,
    schema: item({
      findingKey: string().key(),
      id: string(),
      productArn: string(),
      accountId: string(),
      region: string(),
      controlId: string().optional(),
      reason: string(),
      attempts: number(),
      firstFailedAt: string(),
      lastFailedAt: string(),
    }),
    computeKey: ({ findingKey }: { findingKey: string }) => ({ pk: QUARANTINE, sk: findingKey }),
  });
}

/**
 * Findings that failed to ingest (DynamoDB refused the item, or it kept changing under us). One small partition:
 * it is empty in normal running, so reading it whole per ingest batch costs next to nothing.
 */
export class QuarantineRepository {
  private readonly entity: ReturnType<typeof quarantineEntity>;

  constructor(table: CspmTable) {
    this.entity = quarantineEntity(table);
  }

  /** Record another failed attempt (the first creates the entry). */
  async record(input: { findingKey: string; finding: Finding; reason: string; now: string }): Promise<void> {
    const { finding } = input;
    await this.entity
      .build(UpdateItemCommand)
      .item({
        findingKey: input.findingKey,
        id: truncateText(finding.id, IDENTITY_LIMITS.id.max),
        productArn: truncateText(finding.productArn, IDENTITY_LIMITS.productArn.max),
        accountId: truncateText(finding.accountId, 12),
        region: truncateText(finding.region, TEXT_LIMITS.resourceText),
        ...(finding.controlId !== undefined && {
          controlId: truncateText(finding.controlId, TEXT_LIMITS.controlId),
        }),
        reason: truncateText(input.reason, MAX_REASON),
        attempts: $add(1),
        firstFailedAt: $get('firstFailedAt', input.now),
        lastFailedAt: input.now,
      })
      .send();
  }

  /** The finding was stored after all: it leaves the quarantine. */
  async release(findingKey: string): Promise<void> {
    await this.entity.build(DeleteItemCommand).key({ findingKey }).send();
  }

  /** Keys of every quarantined finding (to release those a batch stored). */
  async keys(): Promise<Set<string>> {
    const stored = await queryAllPages((start) =>
      this.entity.table
        .build(QueryCommand)
        .entities(this.entity)
        .query({ partition: QUARANTINE })
        .options({ attributes: ['findingKey'], consistent: true, ...start })
        .send(),
    );
    return new Set(stored.map((entry) => entry.findingKey));
  }

  /** How many findings are quarantined, and the `limit` most recently failed, for `/cspm status`. */
  async quarantined(limit: number): Promise<{ total: number; recent: QuarantinedFinding[] }> {
    const stored = await queryAllPages((start) =>
      this.entity.table
        .build(QueryCommand)
        .entities(this.entity)
        .query({ partition: QUARANTINE })
        .options(start)
        .send(),
    );
    const recent = stored
      .map(({ controlId, ...entry }): QuarantinedFinding => ({
        ...entry,
        ...(controlId !== undefined && { controlId }),
      }))
      .sort((a, b) => b.lastFailedAt.localeCompare(a.lastFailedAt))
      .slice(0, limit);
    return { total: stored.length, recent };
  }
}
