import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DirectRemediator } from '../../../src/aws/direct-remediator.js';
import { AwsResourceStateReader } from '../../../src/aws/resource-state-reader.js';
import { findingKeyOf } from '../../../src/domain/finding-key.js';
import { createCspmTable } from '../../../src/store/cspm-table.js';
import type { CspmTable } from '../../../src/store/cspm-table.js';
import { ensureTable, startEmbeddedDynamoDb } from '../../../src/store/embedded-dynamodb.js';
import type { EmbeddedDynamoDb } from '../../../src/store/embedded-dynamodb.js';
import { ingestFindings } from '../../../src/usecases/ingest-findings.js';
import { prepareRemediation } from '../../../src/usecases/prepare-remediation.js';
import { reconcileInterruptedActions } from '../../../src/usecases/reconcile-interrupted-actions.js';
import type { RiskDeps } from '../../../src/usecases/risk-deps.js';
import {
  describeNetworkInterfacesOutput,
  describeRouteTablesOutput,
  describeSecurityGroupRulesOutput,
  describeSecurityGroupsOutput,
  makeSdkRouteTable,
  makeSdkRule,
  makeSdkSecurityGroup,
} from '../../fixtures/ec2.js';
import { makeFinding } from '../../fixtures/finding.js';
import { RecordingResourceClients } from '../../support/account-clients.js';
import { FakeSlackApi } from '../../support/fake-slack-api.js';
import { riskDeps } from '../../support/risk-deps.js';

const WORKER = fileURLToPath(new URL('../../support/remediation-worker-process.ts', import.meta.url));
const STARTED = '2026-11-22T10:00:00.000Z';
const OPEN_SSH = makeSdkRule({ SecurityGroupRuleId: 'sgr-0a1b2c3d4e5f60001' });
const ANOTHER_OPEN_SSH = makeSdkRule({ SecurityGroupRuleId: 'sgr-0a1b2c3d4e5f60002' });

const slack = new FakeSlackApi();
const ec2 = mockClient(EC2Client);
let dynamo: EmbeddedDynamoDb;
let tables = 0;

beforeAll(async () => {
  await slack.start();
  dynamo = await startEmbeddedDynamoDb();
});
afterAll(async () => {
  await slack.stop();
  await dynamo.close();
  ec2.restore();
});
beforeEach(() => {
  slack.reset();
  ec2.reset();
});

/** EC2 as the restarted bot finds the group: these ingress rules now. */
function groupNow(rules: (typeof OPEN_SSH)[]): void {
  ec2.on(DescribeSecurityGroupsCommand).resolves(describeSecurityGroupsOutput([makeSdkSecurityGroup()]));
  ec2.on(DescribeSecurityGroupRulesCommand).resolves(describeSecurityGroupRulesOutput(rules));
  ec2.on(DescribeNetworkInterfacesCommand).resolves(describeNetworkInterfacesOutput([]));
  ec2.on(DescribeRouteTablesCommand).resolves(describeRouteTablesOutput([makeSdkRouteTable()]));
}

/** A posted EC2.13 finding on a fresh table, and the bot's dependencies after a restart (real EC2 adapters). */
async function postedFinding(): Promise<{
  table: CspmTable;
  tableName: string;
  deps: RiskDeps;
  clock: ReturnType<typeof riskDeps>['clock'];
  findingId: string;
}> {
  tables += 1;
  const tableName = `cspm-killed-${tables}`;
  await ensureTable(dynamo.client, tableName);
  const table = createCspmTable(dynamo.client, tableName);
  const { deps: base, clock } = riskDeps(table, slack, { now: STARTED });
  const clients = new RecordingResourceClients();
  const deps: RiskDeps = {
    ...base,
    stateReader: new AwsResourceStateReader(clients),
    remediator: new DirectRemediator(clients),
  };
  const finding = makeFinding();
  await ingestFindings(
    { ...deps, routing: { rules: [], defaultChannel: 'C0FINDINGS' }, severityThreshold: 'HIGH' },
    [{ ok: true, finding }],
  );
  slack.reset();
  return { table, tableName, deps, clock, findingId: findingKeyOf(finding) };
}

/** Run the real executeRemediation in a child process and SIGKILL it while EC2 is revoking. */
async function killMidRemediation(tableName: string, findingId: string): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER], {
    env: {
      ...process.env,
      CRASH_ENDPOINT: dynamo.endpoint,
      CRASH_TABLE: tableName,
      CRASH_FINDING_ID: findingId,
      CRASH_NOW: STARTED,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let errors = '';
  child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.once('exit', (_code, signal) => resolve(signal)),
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`worker never reached the revoke: ${output}${errors}`)),
      20_000,
    );
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('REVOKING')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', () => reject(new Error(`worker exited early: ${output}${errors}`)));
  });
  child.kill('SIGKILL');
  expect(await exited).toBe('SIGKILL');
  expect(output).not.toContain('FINISHED');
}

const threadReplies = () =>
  slack
    .callsOf('chat.postMessage')
    .filter((call) => call.body['thread_ts'])
    .map((call) => String(call.body['text']));

describe('a worker killed mid-remediation', () => {
  it('leaves a PENDING decision with its plan; before the lease a click is told it is running, after it the sweeper finds the change made and records SUCCEEDED', async () => {
    const { deps, clock, tableName, findingId } = await postedFinding();
    await killMidRemediation(tableName, findingId);

    const [pending] = await deps.decisions.ofFinding(findingId);
    expect(pending).toMatchObject({
      status: 'PENDING',
      kind: 'remediate',
      plan: { kind: 'revoke-ingress', revocations: [{ ruleId: 'sgr-0a1b2c3d4e5f60001' }] },
    });

    clock.set('2026-11-22T10:05:00.000Z');
    expect(await prepareRemediation(deps, { findingId, userId: 'U0ALICE01' })).toMatchObject({
      kind: 'in-progress',
      by: 'U0ALICE01',
    });
    expect(await reconcileInterruptedActions(deps)).toEqual({ reconciled: 0, busy: 0 });

    // The revoke went through before the process died: the rule is gone.
    groupNow([]);
    clock.set('2026-11-22T10:21:00.000Z');
    expect(await reconcileInterruptedActions(deps)).toEqual({ reconciled: 1, busy: 0 });

    expect(await deps.decisions.ofFinding(findingId)).toEqual([
      expect.objectContaining({
        decisionId: pending!.decisionId,
        status: 'SUCCEEDED',
        workflowAfter: 'RESOLVED',
      }),
    ]);
    const record = await deps.findings.get(findingId);
    expect(record?.finding.workflowStatus).toBe('RESOLVED');
    expect(record?.activeAction).toBeUndefined();
    expect(threadReplies()).toEqual([expect.stringContaining('Done, confirmed after an interruption')]);
    expect(ec2.commandCalls(RevokeSecurityGroupIngressCommand)).toHaveLength(0);
    // Settled once: the next run finds nothing.
    expect(await reconcileInterruptedActions(deps)).toEqual({ reconciled: 0, busy: 0 });
  }, 40_000);

  it('after the lease, a Remediate click records the interrupted run FAILED (nothing changed), says so, and offers a fresh plan without running the old one', async () => {
    const { deps, clock, tableName, findingId } = await postedFinding();
    await killMidRemediation(tableName, findingId);

    groupNow([OPEN_SSH]);
    clock.set('2026-11-22T10:21:00.000Z');
    const prepared = await prepareRemediation(deps, { findingId, userId: 'U0ALICE01' });

    expect(prepared.kind).toBe('plan');
    expect(await deps.decisions.ofFinding(findingId)).toEqual([
      expect.objectContaining({ status: 'FAILED', error: expect.objectContaining({ code: 'INTERRUPTED' }) }),
    ]);
    expect(threadReplies()).toEqual([expect.stringContaining('Interrupted, nothing changed')]);
    expect((await deps.findings.get(findingId))?.activeAction).toBeUndefined();
    expect(ec2.commandCalls(RevokeSecurityGroupIngressCommand)).toHaveLength(0);
  }, 40_000);

  it('records the outcome as unknown when AWS shows something else than before or after the plan, and asks a person to check', async () => {
    const { deps, clock, tableName, findingId } = await postedFinding();
    await killMidRemediation(tableName, findingId);

    // The planned rule is gone but another rule opens SSH to the world: not what the plan would leave.
    groupNow([ANOTHER_OPEN_SSH]);
    clock.set('2026-11-22T10:21:00.000Z');
    expect(await reconcileInterruptedActions(deps)).toEqual({ reconciled: 1, busy: 0 });

    const [decision] = await deps.decisions.ofFinding(findingId);
    expect(decision).toMatchObject({ status: 'FAILED', error: { code: 'OUTCOME_UNKNOWN' } });
    expect(decision?.error?.message).toContain('a new plan would revoke tcp/22 from 0.0.0.0/0');
    expect(threadReplies()).toEqual([expect.stringContaining('outcome unknown')]);
    expect((await deps.findings.get(findingId))?.finding.workflowStatus).toBe('NEW');
    expect(ec2.commandCalls(RevokeSecurityGroupIngressCommand)).toHaveLength(0);
  }, 40_000);
});
