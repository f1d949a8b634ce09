import {
  BatchGetCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand as QueryItemsCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { BatchGetCommandOutput, QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import {
  DeleteItemCommand,
  Entity,
  PutItemCommand,
  QueryCommand,
  isConditionCheckFailed,
  item,
  string,
} from 'dynamodb-toolbox';
import type { Condition } from 'dynamodb-toolbox';
import { CounterTally } from '../domain/counter-tally.js';
import type { CounterDelta } from '../domain/counter-tally.js';
import type { CspmTable } from './cspm-table.js';

function digestLockEntity(table: CspmTable) {
  return new Entity({
    name: 'DigestPost',
    table,
    timestamps: false,
    schema: item({
      weekId: string().key(),
      postedAt: string(),
      channel: string(),
      chartMissing: string().optional(),
    }),
    computeKey: ({ weekId }: { weekId: string }) => ({ pk: 'DIGEST', sk: weekId }),
  });
}

/**
 * Counter items: every counter of a group (`OPEN`, `ACCOUNT#…`, `CONTROL#…`, `DAY#…`, `MTTR`) lives in one item,
 * and the groups are spread over this many items. A batch's changes then cost one update per item it touches (at
 * most this many), a group is read with one GetItem, and no item nears DynamoDB's 400 KB limit: 16 items hold
 * about 70,000 account×control pairs with open findings (more shards: fewer per item, more updates per batch).
 */
const COUNTER_ITEMS = 16;
/** Counter changes per UpdateItem: keeps the update expression far below DynamoDB's 4 KB limit. */
const CHANGES_PER_UPDATE = 100;

/** FNV-1a: a stable spread of group names over the counter items. */
function counterItemOf(group: string): string {
  let hash = 0x811c9dc5;
  for (let index = 0; index < group.length; index += 1) {
    hash ^= group.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return `COUNTERS#${String(hash % COUNTER_ITEMS).padStart(2, '0')}`;
}

const COUNTERS_PK = 'STATS';
const attributeOf = (group: string, key: string) => `${group}|${key}`;

/** One group's counters out of the counter item it lives in, as key → value. */
function countersOf(group: string, item: Record<string, unknown> | undefined): Map<string, number> {
  const prefix = `${group}|`;
  const counters = new Map<string, number>();
  for (const [name, value] of Object.entries(item ?? {})) {
    if (name.startsWith(prefix) && typeof value === 'number') counters.set(name.slice(prefix.length), value);
  }
  return counters;
}

/**
 * Counters for `/cspm status` and the digest, kept up to date on every write (ADD, no transactions), so status
 * reads a few small items and never scans the table or the decisions.
 * Groups: OPEN / ACCOUNT#<id> / CONTROL#<id> (open counts), DAY#<yyyy-mm-dd> (new, reopened, open at end of day,
 * decisions that went through, in UTC days), MTTR (count and sum of hours).
 */
export class StatsRepository {
  private readonly digests: ReturnType<typeof digestLockEntity>;

  constructor(private readonly table: CspmTable) {
    this.digests = digestLockEntity(table);
  }

  /** Apply counter changes at once (a single write outside a batch). */
  async add(deltas: Iterable<CounterDelta>): Promise<void> {
    const tally = new CounterTally();
    tally.add(deltas);
    await this.flush(tally);
  }

  /**
   * Write what a tally gathered: one ADD per counter item touched (in parallel), then the tally is empty. ADD
   * commutes, so concurrent batches never overwrite each other's counts.
   */
  async flush(tally: CounterTally): Promise<void> {
    const byItem = new Map<string, CounterDelta[]>();
    for (const change of tally.take()) {
      const sk = counterItemOf(change.key.group);
      byItem.set(sk, [...(byItem.get(sk) ?? []), change]);
    }
    const updates: Promise<unknown>[] = [];
    for (const [sk, changes] of byItem) {
      for (let start = 0; start < changes.length; start += CHANGES_PER_UPDATE) {
        updates.push(this.addToItem(sk, changes.slice(start, start + CHANGES_PER_UPDATE)));
      }
    }
    await Promise.all(updates);
  }

  private async addToItem(sk: string, changes: readonly CounterDelta[]): Promise<void> {
    const names: Record<string, string> = {};
    const values: Record<string, number> = {};
    const adds = changes.map(({ key, delta }, index) => {
      names[`#c${index}`] = attributeOf(key.group, key.key);
      values[`:c${index}`] = delta;
      return `#c${index} :c${index}`;
    });
    await this.table.getDocumentClient().send(
      new UpdateCommand({
        TableName: this.table.getName(),
        Key: { pk: COUNTERS_PK, sk },
        UpdateExpression: `ADD ${adds.join(', ')}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  }

  /** Every counter of one group (`OPEN`, `ACCOUNT#…`, `CONTROL#…`, `DAY#…`), as key → value. */
  async group(group: string): Promise<Map<string, number>> {
    const { Item } = await this.table.getDocumentClient().send(
      new GetCommand({
        TableName: this.table.getName(),
        Key: { pk: COUNTERS_PK, sk: counterItemOf(group) },
      }),
    );
    return countersOf(group, Item);
  }

  /**
   * Every open-finding counter (groups OPEN, ACCOUNT#…, CONTROL#…) as `group|key` → value: the recount compares
   * them with the open index.
   */
  async openCounters(): Promise<Map<string, number>> {
    const all = new Map<string, number>();
    const itemKeys = Array.from({ length: COUNTER_ITEMS }, (_, index) => ({
      pk: COUNTERS_PK,
      sk: `COUNTERS#${String(index).padStart(2, '0')}`,
    }));
    let pending: Record<string, unknown>[] | undefined = itemKeys;
    for (let attempt = 0; pending && pending.length > 0 && attempt < 5; attempt += 1) {
      const answer: BatchGetCommandOutput = await this.table.getDocumentClient().send(
        new BatchGetCommand({
          RequestItems: { [this.table.getName()]: { Keys: pending, ConsistentRead: true } },
        }),
      );
      for (const item of answer.Responses?.[this.table.getName()] ?? []) {
        for (const [name, value] of Object.entries(item)) {
          if (typeof value === 'number' && /^(OPEN|ACCOUNT#[^|]*|CONTROL#[^|]*)\|/.test(name))
            all.set(name, value);
        }
      }
      pending = answer.UnprocessedKeys?.[this.table.getName()]?.Keys;
    }
    if (pending && pending.length > 0)
      throw new Error(
        `counter items not read after 5 attempts (DynamoDB kept them unprocessed): ${pending.length}`,
      );
    return all;
  }

  /**
   * Mark an ingest batch as started: its counter changes are written at its end, so until then a recount cannot
   * tell its stored findings from lost counts. Removed by `endBatch`; one left behind is a batch that died.
   */
  async beginBatch(batchId: string, startedAt: string): Promise<void> {
    await this.table.getDocumentClient().send(
      new PutCommand({
        TableName: this.table.getName(),
        Item: { pk: COUNTERS_PK, sk: `BATCH#${batchId}`, startedAt },
      }),
    );
  }

  async endBatch(batchId: string): Promise<void> {
    await this.table.getDocumentClient().send(
      new DeleteCommand({
        TableName: this.table.getName(),
        Key: { pk: COUNTERS_PK, sk: `BATCH#${batchId}` },
      }),
    );
  }

  /** Batches started and not ended (running now, or died before writing their counts), with when they started. */
  async batchesNotEnded(): Promise<{ batchId: string; startedAt: string }[]> {
    const batches: { batchId: string; startedAt: string }[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page: QueryCommandOutput = await this.table.getDocumentClient().send(
        new QueryItemsCommand({
          TableName: this.table.getName(),
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :batch)',
          ExpressionAttributeValues: { ':pk': COUNTERS_PK, ':batch': 'BATCH#' },
          ConsistentRead: true,
          ...(start && { ExclusiveStartKey: start }),
        }),
      );
      for (const item of page.Items ?? [])
        batches.push({
          batchId: String(item['sk']).slice('BATCH#'.length),
          startedAt: String(item['startedAt']),
        });
      start = page.LastEvaluatedKey;
    } while (start);
    return batches;
  }

  /** Several groups with one read (a BatchGetItem of the counter items they live in), in the order asked. */
  async groups(groups: readonly string[]): Promise<Map<string, number>[]> {
    const keys = [...new Set(groups.map(counterItemOf))];
    const items = new Map<string, Record<string, unknown>>();
    for (let start = 0; start < keys.length; start += 100) {
      let pending: Record<string, unknown>[] | undefined = keys
        .slice(start, start + 100)
        .map((sk) => ({ pk: COUNTERS_PK, sk }));
      // Unprocessed keys (throttling) are asked again, a bounded number of times.
      for (let attempt = 0; pending && pending.length > 0 && attempt < 5; attempt += 1) {
        const answer: BatchGetCommandOutput = await this.table
          .getDocumentClient()
          .send(new BatchGetCommand({ RequestItems: { [this.table.getName()]: { Keys: pending } } }));
        for (const item of answer.Responses?.[this.table.getName()] ?? [])
          items.set(String(item['sk']), item);
        pending = answer.UnprocessedKeys?.[this.table.getName()]?.Keys;
      }
      if (pending && pending.length > 0)
        throw new Error(
          `counter items not read after 5 attempts (DynamoDB kept them unprocessed): ${pending.length}`,
        );
    }
    return groups.map((group) => countersOf(group, items.get(counterItemOf(group))));
  }

  async countDay(day: string, event: 'new' | 'reopened'): Promise<void> {
    const tally = new CounterTally();
    tally.countDay(day, event);
    await this.flush(tally);
  }

  /** Open findings at the end of a day (the last snapshot of the day wins). */
  async snapshotDay(day: string, open: number, openHighCritical: number): Promise<void> {
    const group = `DAY#${day}`;
    await this.table.getDocumentClient().send(
      new UpdateCommand({
        TableName: this.table.getName(),
        Key: { pk: COUNTERS_PK, sk: counterItemOf(group) },
        UpdateExpression: 'SET #open = :open, #high = :high',
        ExpressionAttributeNames: {
          '#open': attributeOf(group, 'open'),
          '#high': attributeOf(group, 'openHighCritical'),
        },
        ExpressionAttributeValues: { ':open': open, ':high': openHighCritical },
      }),
    );
  }

  async day(day: string): Promise<Map<string, number>> {
    return this.group(`DAY#${day}`);
  }

  async addRemediationTime(hours: number): Promise<void> {
    const tally = new CounterTally();
    tally.addRemediationTime(hours);
    await this.flush(tally);
  }

  async meanTimeToRemediateHours(): Promise<number | undefined> {
    const mttr = await this.group('MTTR');
    const count = mttr.get('count') ?? 0;
    const sum = mttr.get('sumHours');
    return count > 0 && sum !== undefined ? sum / count : undefined;
  }

  /** Claim the digest of a week once; false when it was already posted (a second run or a double trigger). */
  async claimDigest(weekId: string, channel: string, postedAt: string): Promise<boolean> {
    const notYet: Condition<ReturnType<typeof digestLockEntity>> = { attr: 'weekId', exists: false };
    try {
      await this.digests
        .build(PutItemCommand)
        .item({ weekId, channel, postedAt })
        .options({ condition: notYet })
        .send();
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

  /** The week's digest was posted but its chart was not: the week stays posted, and says what is missing. */
  async recordDigestChartMissing(
    weekId: string,
    channel: string,
    postedAt: string,
    reason: string,
  ): Promise<void> {
    await this.digests
      .build(PutItemCommand)
      .item({ weekId, channel, postedAt, chartMissing: reason.slice(0, 1000) })
      .send();
  }

  async lastDigestWeek(): Promise<string | undefined> {
    const { Items = [] } = await this.digests.table
      .build(QueryCommand)
      .entities(this.digests)
      .query({ partition: 'DIGEST' })
      .options({ reverse: true, limit: 1 })
      .send();
    return Items[0]?.weekId;
  }
}
