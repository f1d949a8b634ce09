import { $add, DeleteItemCommand, Entity, GetItemCommand, PutItemCommand, QueryCommand, UpdateItemCommand, isConditionCheckFailed, item, number, string } from 'dynamodb-toolbox';
import type { Condition } from 'dynamodb-toolbox';
import type { CounterKey } from '../domain/finding-stats.js';
import type { CspmTable } from './cspm-table.js';
import { queryAllPages } from './query-pages.js';

function counterEntity(table: CspmTable) {
  return new Entity({
    name: 'Counter',
    table,
    timestamps: false,
    schema: item({ group: string().key(), key: string().key(), value: number().default(0), sum: number().optional() }),
    computeKey: ({ group, key }: { group: string; key: string }) => ({ pk: `STATS#${group}`, sk: key }),
  });
}

function digestLockEntity(table: CspmTable) {
  return new Entity({
    name: 'DigestPost',
    table,
    timestamps: false,
    schema: item({ weekId: string().key(), postedAt: string(), channel: string() }),
    computeKey: ({ weekId }: { weekId: string }) => ({ pk: 'DIGEST', sk: weekId }),
  });
}

/**
 * Counters for `/cspm status` and the digest, kept up to date on every write (ADD, no transactions), so status
 * reads a handful of small partitions and never scans the table.
 * Partitions: OPEN / ACCOUNT#<id> / CONTROL#<id> (open counts), DAY#<yyyy-mm-dd> (new, reopened, open at end of
 * day, in UTC days), MTTR (sum of hours and count).
 */
export class StatsRepository {
  private readonly counters: ReturnType<typeof counterEntity>;
  private readonly digests: ReturnType<typeof digestLockEntity>;

  constructor(table: CspmTable) {
    this.counters = counterEntity(table);
    this.digests = digestLockEntity(table);
  }

  async add(deltas: Iterable<{ key: CounterKey; delta: number }>): Promise<void> {
    const all = [...deltas];
    // A bulk load touches thousands of counters: 25 at a time keeps within the client's connection pool.
    for (let start = 0; start < all.length; start += 25) {
      await Promise.all(
        all.slice(start, start + 25).map(({ key, delta }) => this.counters.build(UpdateItemCommand).item({ group: key.group, key: key.key, value: $add(delta) }).send()),
      );
    }
  }

  /** Every counter of one group (`OPEN`, `ACCOUNT#…`, `CONTROL#…`), as key → value. */
  async group(group: string): Promise<Map<string, number>> {
    const stored = await queryAllPages((start) =>
      this.counters.table.build(QueryCommand).entities(this.counters).query({ partition: `STATS#${group}` }).options({ ...start }).send(),
    );
    return new Map(stored.map((counter) => [counter.key, counter.value]));
  }

  async countDay(day: string, event: 'new' | 'reopened'): Promise<void> {
    await this.counters.build(UpdateItemCommand).item({ group: `DAY#${day}`, key: event, value: $add(1) }).send();
  }

  /** Open findings at the end of a day (the last snapshot of the day wins). */
  async snapshotDay(day: string, open: number, openHighCritical: number): Promise<void> {
    await Promise.all([
      this.counters.build(PutItemCommand).item({ group: `DAY#${day}`, key: 'open', value: open }).send(),
      this.counters.build(PutItemCommand).item({ group: `DAY#${day}`, key: 'openHighCritical', value: openHighCritical }).send(),
    ]);
  }

  async day(day: string): Promise<Map<string, number>> {
    return this.group(`DAY#${day}`);
  }

  async addRemediationTime(hours: number): Promise<void> {
    await this.counters.build(UpdateItemCommand).item({ group: 'MTTR', key: 'ALL', value: $add(1), sum: $add(hours) }).send();
  }

  async meanTimeToRemediateHours(): Promise<number | undefined> {
    const { Item } = await this.counters.build(GetItemCommand).key({ group: 'MTTR', key: 'ALL' }).send();
    return Item && Item.value > 0 && Item.sum !== undefined ? Item.sum / Item.value : undefined;
  }

  /** Claim the digest of a week once; false when it was already posted (a second run or a double trigger). */
  async claimDigest(weekId: string, channel: string, postedAt: string): Promise<boolean> {
    const notYet: Condition<ReturnType<typeof digestLockEntity>> = { attr: 'weekId', exists: false };
    try {
      await this.digests.build(PutItemCommand).item({ weekId, channel, postedAt }).options({ condition: notYet }).send();
      return true;
    } catch (error) {
      if (isConditionCheckFailed(error)) return false;
      throw error;
    }
  }

  /** Give the week back after a failed post, so the next run posts it. */
  async releaseDigest(weekId: string): Promise<void> {
    await this.digests.build(DeleteItemCommand).key({ weekId }).send();
  }

  async lastDigestWeek(): Promise<string | undefined> {
    const { Items = [] } = await this.digests.table.build(QueryCommand).entities(this.digests).query({ partition: 'DIGEST' }).options({ reverse: true, limit: 1 }).send();
    return Items[0]?.weekId;
  }
}
