import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createCspmTable } from '../store/cspm-table.js';
import { AcceptanceRepository } from '../store/acceptance-repository.js';
import { DecisionRepository } from '../store/decision-repository.js';
import { FindingRepository } from '../store/finding-repository.js';
import { SyncCursorRepository } from '../store/sync-cursor-repository.js';

export interface Store {
  readonly findings: FindingRepository;
  readonly cursors: SyncCursorRepository;
  readonly decisions: DecisionRepository;
  readonly acceptances: AcceptanceRepository;
}

export function createStore(client: DynamoDBClient, tableName: string): Store {
  const table = createCspmTable(client, tableName);
  return { findings: new FindingRepository(table), cursors: new SyncCursorRepository(table), decisions: new DecisionRepository(table), acceptances: new AcceptanceRepository(table) };
}

/** The deployed table, or another endpoint (DynamoDB Local, the tests' embedded one) when configured. */
export function dynamoDbClient(endpoint: string | undefined): DynamoDBClient {
  return new DynamoDBClient({ maxAttempts: 5, ...(endpoint && { endpoint }) });
}
