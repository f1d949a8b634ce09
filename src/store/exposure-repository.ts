import {
  Entity,
  PutItemCommand,
  QueryCommand,
  any,
  isConditionCheckFailed,
  item,
  string,
} from 'dynamodb-toolbox';
import type { ExposureFinding } from '../domain/security-hub-exposure.js';
import type { CspmTable } from './cspm-table.js';
import { queryAllPages } from './query-pages.js';

function exposureEntity(table: CspmTable) {
  return new Entity({
    name: 'Exposure',
    table,
    timestamps: false,
    schema: item({
      accountId: string().key(),
      region: string().key(),
      exposureId: string().key(),
      exposure: any().castAs<ExposureFinding>(),
      updatedAt: string(),
      storedAt: string(),
    }),
    computeKey: ({
      accountId,
      region,
      exposureId,
    }: {
      accountId: string;
      region: string;
      exposureId: string;
    }) => ({
      pk: `EXPOSURE#${accountId}#${region}`,
      sk: exposureId,
    }),
  });
}

/**
 * The newer Security Hub's exposure findings, one per exposed resource, by account and region. Kept so that a
 * control finding arriving after the exposure that concerns it still gets it, and so that an older update of an
 * exposure (EventBridge delivers at least once, in any order) never overrides a newer one.
 */
export class ExposureRepository {
  private readonly entity: ReturnType<typeof exposureEntity>;

  constructor(table: CspmTable) {
    this.entity = exposureEntity(table);
  }

  /** Stores the exposure unless a newer update of it is stored already: false then (the caller ignores it). */
  async save(exposure: ExposureFinding, now: string): Promise<boolean> {
    try {
      await this.entity
        .build(PutItemCommand)
        .item({
          accountId: exposure.accountId,
          region: exposure.region,
          exposureId: exposure.id,
          exposure,
          updatedAt: exposure.updatedAt,
          storedAt: now,
        })
        .options({
          condition: {
            or: [
              { attr: 'exposureId', exists: false },
              { attr: 'updatedAt', lte: exposure.updatedAt },
            ],
          },
        })
        .send();
      return true;
    } catch (error) {
      if (isConditionCheckFailed(error)) return false;
      throw error;
    }
  }

  /** The open exposures of one account and region (a few per exposed resource at most: one query). */
  async openIn(accountId: string, region: string): Promise<ExposureFinding[]> {
    const stored = await queryAllPages((start) =>
      this.entity.table
        .build(QueryCommand)
        .entities(this.entity)
        .query({ partition: `EXPOSURE#${accountId}#${region}` })
        .options({ ...start })
        .send(),
    );
    return stored.map((entry) => entry.exposure).filter((exposure) => exposure.open);
  }
}
