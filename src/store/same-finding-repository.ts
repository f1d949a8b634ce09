import {
  BatchGetCommand,
  BatchGetRequest,
  Entity,
  GetItemCommand,
  PutItemCommand,
  executeBatchGet,
  isConditionCheckFailed,
  item,
  string,
} from 'dynamodb-toolbox';
import type { CspmTable } from './cspm-table.js';

function sameFindingEntity(table: CspmTable) {
  return new Entity({
    name: 'SameFinding',
    table,
    timestamps: false,
    schema: item({
      sameKey: string().key(),
      findingId: string(),
      claimedAt: string(),
    }),
    computeKey: ({ sameKey }: { sameKey: string }) => ({ pk: `SAME#${sameKey}`, sk: 'CLAIM' }),
  });
}

/**
 * Which stored finding holds a finding both Security Hubs publish (`sameFindingKeyOf` → the stored finding's key).
 * The first copy to arrive claims it with a conditional write, so two copies arriving at once, in any order or in
 * two Lambdas, still end up in one stored finding and one message. Only used with CSPM_FINDINGS_FORMAT=both.
 */
export class SameFindingRepository {
  private readonly entity: ReturnType<typeof sameFindingEntity>;

  constructor(table: CspmTable) {
    this.entity = sameFindingEntity(table);
  }

  /** The stored findings that already hold these same-finding keys (one read per 100 keys). */
  async holders(sameKeys: readonly string[]): Promise<Map<string, string>> {
    const holders = new Map<string, string>();
    const unique = [...new Set(sameKeys)];
    for (let start = 0; start < unique.length; start += 100) {
      const requests = unique
        .slice(start, start + 100)
        .map((sameKey) => this.entity.build(BatchGetRequest).key({ sameKey }));
      const { Responses } = await executeBatchGet(
        { maxAttempts: 5 },
        this.entity.table
          .build(BatchGetCommand)
          .requests(...requests)
          .options({ consistent: true }),
      );
      for (const claim of Responses?.[0] ?? []) if (claim) holders.set(claim.sameKey, claim.findingId);
    }
    return holders;
  }

  /** Claims `sameKey` for `findingId` unless another finding holds it already: returns the holder either way. */
  async claim(sameKey: string, findingId: string, now: string): Promise<string> {
    try {
      await this.entity
        .build(PutItemCommand)
        .item({ sameKey, findingId, claimedAt: now })
        .options({ condition: { attr: 'sameKey', exists: false } })
        .send();
      return findingId;
    } catch (error) {
      if (!isConditionCheckFailed(error)) throw error;
    }
    const { Item } = await this.entity
      .build(GetItemCommand)
      .key({ sameKey })
      .options({ consistent: true })
      .send();
    if (!Item) throw new Error(`same-finding claim ${sameKey} was refused but cannot be read`);
    return Item.findingId;
  }
}
