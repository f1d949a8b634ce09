import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createCspmTable } from '../store/cspm-table.js';
import { AcceptanceRepository } from '../store/acceptance-repository.js';
import { DecisionRepository } from '../store/decision-repository.js';
import { FindingRepository } from '../store/finding-repository.js';
import { QuarantineRepository } from '../store/quarantine-repository.js';
import { StatsRepository } from '../store/stats-repository.js';
import { SyncCursorRepository } from '../store/sync-cursor-repository.js';

export interface Store {
  readonly findings: FindingRepository;
  readonly cursors: SyncCursorRepository;
  readonly decisions: DecisionRepository;
  readonly acceptances: AcceptanceRepository;
  readonly stats: StatsRepository;
  /** Findings that failed to ingest, shown in /cspm status until they are stored. */
  readonly quarantine: QuarantineRepository;
}

export function createStore(client: DynamoDBClient, tableName: string): Store {
  const table = createCspmTable(client, tableName);
  const stats = new StatsRepository(table);
  return {
    findings: new FindingRepository(table, stats),
    cursors: new SyncCursorRepository(table),
    decisions: new DecisionRepository(table),
    acceptances: new AcceptanceRepository(table),
    stats,
    quarantine: new QuarantineRepository(table),
  };
}

/** The deployed table, or another endpoint (DynamoDB Local, the tests' embedded one) when configured. */
export function dynamoDbClient(endpoint: string | undefined): DynamoDBClient {
  return new DynamoDBClient({ maxAttempts: 5, ...(endpoint && { endpoint }) });
}
