import type { AddressInfo } from 'node:net';
import { mkdir } from 'node:fs/promises';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { TABLE_INDEXES, TABLE_KEYS } from './table-definition.js';

export interface EmbeddedDynamoDb {
  readonly endpoint: string;
  readonly client: DynamoDBClient;
  close(): Promise<void>;
}

/**
 * dynalite in-process on 127.0.0.1 (loopback only): in memory, or persisted under `path`.
 * Used by `npm start` and the tests; production uses the real table.
 */
export async function startEmbeddedDynamoDb(options: { path?: string } = {}): Promise<EmbeddedDynamoDb> {
  if (options.path) await mkdir(options.path, { recursive: true });
  const server = dynalite({
    ...(options.path && { path: options.path }),
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'local',
    // dynalite accepts any credentials; fixed ones keep the SDK from searching the machine for real ones.
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 2,
  });
  return {
    endpoint,
    client,
    close: async () => {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** How long a new embedded table may take to become ACTIVE (dynalite flips it on a timer, later on a busy machine). */
const TABLE_ACTIVE_WITHIN_MS = 30_000;

/** The table's status, or undefined when there is no such table. */
async function tableStatus(client: DynamoDBClient, tableName: string): Promise<string | undefined> {
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    return Table?.TableStatus;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}

/**
 * Waits for the table to be ACTIVE: while dynalite still says CREATING, every read and write of it fails with
 * ResourceNotFoundException, which would crash the first ingest of `npm start` on a loaded machine.
 */
async function untilActive(client: DynamoDBClient, tableName: string): Promise<void> {
  const deadline = Date.now() + TABLE_ACTIVE_WITHIN_MS;
  for (let status = await tableStatus(client, tableName); status !== 'ACTIVE';) {
    if (Date.now() > deadline)
      throw new Error(
        `the embedded table ${tableName} is still ${status ?? 'missing'} after ${TABLE_ACTIVE_WITHIN_MS / 1000} s`,
      );
    await new Promise((resolve) => setTimeout(resolve, 20));
    status = await tableStatus(client, tableName);
  }
}

/** Create the table with its indexes unless it exists, and wait until it is ACTIVE (embedded only: CDK owns the real table). */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  if ((await tableStatus(client, tableName)) !== undefined) return untilActive(client, tableName);
  const keyAttributes = [TABLE_KEYS.partitionKey, TABLE_KEYS.sortKey];
  const indexAttributes = Object.values(TABLE_INDEXES).flatMap((index) => [
    index.partitionKey,
    index.sortKey,
  ]);
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [...keyAttributes, ...indexAttributes].map(({ name }) => ({
        AttributeName: name,
        AttributeType: 'S',
      })),
      KeySchema: [
        { AttributeName: TABLE_KEYS.partitionKey.name, KeyType: 'HASH' },
        { AttributeName: TABLE_KEYS.sortKey.name, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: Object.entries(TABLE_INDEXES).map(([indexName, index]) => ({
        IndexName: indexName,
        KeySchema: [
          { AttributeName: index.partitionKey.name, KeyType: 'HASH' },
          { AttributeName: index.sortKey.name, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      })),
    }),
  );
  await untilActive(client, tableName);
}
