/**
 * A worker process for crash tests: runs the real executeRemediation over the parent's embedded DynamoDB (on
 * 127.0.0.1) with EC2 mocked in this process. The revoke never answers, so the parent can SIGKILL the process
 * mid-remediation, after the PENDING decision is written. Prints `REVOKING` when EC2 is asked to change the group.
 *
 * Environment: CRASH_ENDPOINT, CRASH_TABLE, CRASH_FINDING_ID, CRASH_NOW.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { DirectRemediator } from '../../src/aws/direct-remediator.js';
import { AwsResourceStateReader } from '../../src/aws/resource-state-reader.js';
import { createCspmTable } from '../../src/store/cspm-table.js';
import { DecisionRepository } from '../../src/store/decision-repository.js';
import { FindingRepository } from '../../src/store/finding-repository.js';
import { executeRemediation } from '../../src/usecases/execute-remediation.js';
import type { RemediationDeps } from '../../src/usecases/remediation-deps.js';
import {
  describeNetworkInterfacesOutput,
  describeRouteTablesOutput,
  describeSecurityGroupRulesOutput,
  describeSecurityGroupsOutput,
  makeSdkRouteTable,
  makeSdkRule,
  makeSdkSecurityGroup,
} from '../fixtures/ec2.js';
import { RecordingResourceClients } from './account-clients.js';
import { fixedClock } from './fixed-clock.js';
import { recordingLog } from './recording-log.js';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

const ec2 = mockClient(EC2Client);
ec2.on(DescribeSecurityGroupsCommand).resolves(describeSecurityGroupsOutput([makeSdkSecurityGroup()]));
ec2
  .on(DescribeSecurityGroupRulesCommand)
  .resolves(
    describeSecurityGroupRulesOutput([makeSdkRule({ SecurityGroupRuleId: 'sgr-0a1b2c3d4e5f60001' })]),
  );
ec2.on(DescribeNetworkInterfacesCommand).resolves(describeNetworkInterfacesOutput([]));
ec2.on(DescribeRouteTablesCommand).resolves(describeRouteTablesOutput([makeSdkRouteTable()]));
ec2.on(RevokeSecurityGroupIngressCommand).callsFake(() => {
  process.stdout.write('REVOKING\n');
  return new Promise(() => undefined);
});

const client = new DynamoDBClient({
  endpoint: env('CRASH_ENDPOINT'),
  region: 'local',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});
const table = createCspmTable(client, env('CRASH_TABLE'));
const clients = new RecordingResourceClients();
const unused = async (): Promise<never> => {
  throw new Error('not reached before the crash');
};
let counter = 0;
const deps: RemediationDeps = {
  findings: new FindingRepository(table),
  decisions: new DecisionRepository(table),
  stateReader: new AwsResourceStateReader(clients),
  remediator: new DirectRemediator(clients),
  workflow: { updateWorkflow: unused },
  messenger: { post: unused, update: unused, retire: unused, notify: unused, findPosted: unused },
  users: { userGroupsOf: async () => [], displayName: async () => 'alice' },
  ids: { newId: () => `killed-${String((counter += 1)).padStart(4, '0')}` },
  policy: { users: ['U0ALICE01'], userGroups: [] },
  planOptions: { imdsHopLimit: 1 },
  clock: fixedClock(env('CRASH_NOW')),
  log: recordingLog(),
};

await executeRemediation(deps, {
  findingId: env('CRASH_FINDING_ID'),
  actor: { kind: 'user', userId: 'U0ALICE01', name: 'alice' },
});
process.stdout.write('FINISHED\n');
