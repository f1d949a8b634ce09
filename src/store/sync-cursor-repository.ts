import { Entity, GetItemCommand, PutItemCommand, item, string } from 'dynamodb-toolbox';
import type { CspmTable } from './cspm-table.js';

/** Where a GetFindings sync resumes: the newest `UpdatedAt` fully ingested, per region. */
export interface SyncCursor {
  readonly region: string;
  readonly updatedSince: string;
  readonly lastRunAt: string;
}

function syncCursorEntity(table: CspmTable) {
  return new Entity({
    name: 'SyncCursor',
    table,
    timestamps: false,
    schema: item({
      region: string().key(),
      updatedSince: string(),
      lastRunAt: string(),
    }),
    computeKey: ({ region }: { region: string }) => ({ pk: `SYNC#securityhub#${region}`, sk: '#CURSOR' }),
  });
}

export class SyncCursorRepository {
  private readonly entity: ReturnType<typeof syncCursorEntity>;

  constructor(table: CspmTable) {
    this.entity = syncCursorEntity(table);
  }

  async get(region: string): Promise<SyncCursor | undefined> {
    const { Item } = await this.entity
      .build(GetItemCommand)
      .key({ region })
      .options({ consistent: true })
      .send();
    return Item;
  }

  async save(cursor: SyncCursor): Promise<void> {
    await this.entity.build(PutItemCommand).item(cursor).send();
  }
}
