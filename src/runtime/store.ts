import { SameFindingRepository } from '../store/same-finding-repository.js';
import { ExposureRepository } from '../store/exposure-repository.js';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createCspmTable } from '../store/cspm-table.js';
import { AcceptanceRepository } from '../store/acceptance-repository.js';
import { DecisionRepository } from '../store/decision-repository.js';
import { FindingRepository } from '../store/finding-repository.js';
import { FindingGroupRepository } from '../store/finding-group-repository.js';
import { DeliveryRunRepository } from '../store/delivery-run-repository.js';
import { GroupRunRepository } from '../store/group-run-repository.js';
import { QuarantineRepository } from '../store/quarantine-repository.js';
import { StatsRepository } from '../store/stats-repository.js';
import { SyncCursorRepository } from '../store/sync-cursor-repository.js';

export interface Store {
  readonly findings: FindingRepository;
  /** Grouped messages (many new findings of one control in one channel) and their members. */
  readonly groups: FindingGroupRepository;
  /** The one delivery run in flight (ingest hands owed messages to it). */
  readonly deliveryRuns: DeliveryRunRepository;
  /** "Remediate all reachable…" runs: the list confirmed and how far it got. */
  readonly groupRuns: GroupRunRepository;
  readonly cursors: SyncCursorRepository;
  readonly decisions: DecisionRepository;
  readonly acceptances: AcceptanceRepository;
  readonly stats: StatsRepository;
  /** Findings that failed to ingest, shown in /cspm status until they are stored. */
  readonly quarantine: QuarantineRepository;
  /** Which stored finding holds a finding both Security Hubs publish (CSPM_FINDINGS_FORMAT=both). */
  readonly sameFindings: SameFindingRepository;
  readonly exposures: ExposureRepository;
}

export function createStore(client: DynamoDBClient, tableName: string): Store {
  const table = createCspmTable(client, tableName);
  const stats = new StatsRepository(table);
  const findings = new FindingRepository(table, stats);
  return {
    findings,
    groups: new FindingGroupRepository(table),
    deliveryRuns: new DeliveryRunRepository(table),
    groupRuns: new GroupRunRepository(table),
    cursors: new SyncCursorRepository(table),
    decisions: new DecisionRepository(table, { stats, findings }),
    acceptances: new AcceptanceRepository(table),
    stats,
    quarantine: new QuarantineRepository(table),
    sameFindings: new SameFindingRepository(table),
    exposures: new ExposureRepository(table),
  };
}

/** The deployed table, or another endpoint (DynamoDB Local, the tests' embedded one) when configured. */
export function dynamoDbClient(endpoint: string | undefined): DynamoDBClient {
  return new DynamoDBClient({ maxAttempts: 5, ...(endpoint && { endpoint }) });
}
