import type { AddressInfo } from 'node:net';
import { DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureTable } from '../../../src/store/embedded-dynamodb.js';

// dynalite keeps a new table CREATING for a while (on a busy machine, longer): every request to it meanwhile fails
// with ResourceNotFoundException. `npm start` crashed on its first query that way under load.

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

async function slowDynalite(createTableMs: number): Promise<DynamoDBClient> {
  const server = dynalite({ createTableMs });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  close = async () => {
    client.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return client;
}

const queryOpenFindings = (client: DynamoDBClient) =>
  client.send(
    new QueryCommand({
      TableName: 'cspm-bot',
      IndexName: 'gsi3',
      KeyConditionExpression: 'gsi3pk = :open',
      ExpressionAttributeValues: { ':open': { S: 'OPEN' } },
    }),
  );

describe('ensureTable on the embedded DynamoDB', () => {
  it('returns only once the new table answers queries, however long it stays CREATING', async () => {
    const client = await slowDynalite(400);

    await ensureTable(client, 'cspm-bot');

    await expect(queryOpenFindings(client)).resolves.toMatchObject({ Items: [] });
  });

  it('waits the same for a table another start is still creating', async () => {
    const client = await slowDynalite(400);
    const first = ensureTable(client, 'cspm-bot');
    await new Promise((resolve) => setTimeout(resolve, 50));

    await ensureTable(client, 'cspm-bot');

    await expect(queryOpenFindings(client)).resolves.toMatchObject({ Items: [] });
    await first;
  });
});
