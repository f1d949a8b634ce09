import { afterAll, beforeAll } from 'vitest';
import { createCspmTable } from '../../src/store/cspm-table.js';
import type { CspmTable } from '../../src/store/cspm-table.js';
import { ensureTable, startEmbeddedDynamoDb } from '../../src/store/embedded-dynamodb.js';
import type { EmbeddedDynamoDb } from '../../src/store/embedded-dynamodb.js';

let tableCount = 0;

/** One in-memory dynalite per test file; each call gets a fresh table so tests do not share state. */
export function useEmbeddedDynamoDb(): { freshTable(): Promise<CspmTable> } {
  let dynamo: EmbeddedDynamoDb | undefined;
  beforeAll(async () => {
    dynamo = await startEmbeddedDynamoDb();
  });
  afterAll(async () => {
    await dynamo?.close();
  });
  return {
    async freshTable() {
      if (!dynamo) throw new Error('embedded DynamoDB is not started');
      tableCount += 1;
      const name = `cspm-test-${tableCount}`;
      await ensureTable(dynamo.client, name);
      return createCspmTable(dynamo.client, name);
    },
  };
}
