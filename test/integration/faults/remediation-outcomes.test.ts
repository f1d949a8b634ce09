import {
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import { WebClient } from '@slack/web-api';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DirectRemediator } from '../../../src/aws/direct-remediator.js';
import { AwsResourceStateReader } from '../../../src/aws/resource-state-reader.js';
import { findingKeyOf } from '../../../src/domain/finding-key.js';
import { runSlackJob } from '../../../src/slack/slack-jobs.js';
import type { SlackJobDeps } from '../../../src/slack/slack-jobs.js';
import { createCspmTable } from '../../../src/store/cspm-table.js';
import { ensureTable, startEmbeddedDynamoDb } from '../../../src/store/embedded-dynamodb.js';
import type { EmbeddedDynamoDb } from '../../../src/store/embedded-dynamodb.js';
import { executeRemediation } from '../../../src/usecases/execute-remediation.js';
import { ingestFindings } from '../../../src/usecases/ingest-findings.js';
import { planDigest } from '../../../src/usecases/plan-digest.js';
import { prepareRemediation } from '../../../src/usecases/prepare-remediation.js';
import {
  describeNetworkInterfacesOutput,
  describeRouteTablesOutput,
  describeSecurityGroupRulesOutput,
  describeSecurityGroupsOutput,
  makeSdkRouteTable,
  makeSdkRule,
  makeSdkSecurityGroup,
  revokeSecurityGroupIngressOutput,
} from '../../fixtures/ec2.js';
import { makeFinding } from '../../fixtures/finding.js';
import { RecordingResourceClients } from '../../support/account-clients.js';
import { FakeSlackApi } from '../../support/fake-slack-api.js';
import type { LogEntry } from '../../support/recording-log.js';
import { riskDeps } from '../../support/risk-deps.js';

const OPEN_SSH = makeSdkRule({ SecurityGroupRuleId: 'sgr-0a1b2c3d4e5f60001' });
const ALICE = { kind: 'user' as const, userId: 'U0ALICE01', name: 'alice' };
const THROTTLE_MIDDLEWARE = 'throttle-succeeded-decisions';

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
afterEach(() => {
  dynamo.client.middlewareStack.remove(THROTTLE_MIDDLEWARE);
});

/** EC2 answers for the group: its rules at each read, in order (plan, then verification…). */
function groupRules(...answers: (typeof OPEN_SSH)[][]): void {
  ec2.on(DescribeSecurityGroupsCommand).resolves(describeSecurityGroupsOutput([makeSdkSecurityGroup()]));
  const rules = ec2.on(DescribeSecurityGroupRulesCommand);
  for (const answer of answers) rules.resolvesOnce(describeSecurityGroupRulesOutput(answer));
  ec2.on(DescribeNetworkInterfacesCommand).resolves(describeNetworkInterfacesOutput([]));
  ec2.on(DescribeRouteTablesCommand).resolves(describeRouteTablesOutput([makeSdkRouteTable()]));
}

async function postedFinding() {
  tables += 1;
  const tableName = `cspm-outcomes-${tables}`;
  await ensureTable(dynamo.client, tableName);
  const { deps: base, workflow } = riskDeps(createCspmTable(dynamo.client, tableName), slack);
  const clients = new RecordingResourceClients();
  const deps: SlackJobDeps = {
    ...base,
    stateReader: new AwsResourceStateReader(clients),
    remediator: new DirectRemediator(clients),
    client: new WebClient('xoxb-test', {
      slackApiUrl: slack.url,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
    }),
    executor: 'direct',
  };
  const finding = makeFinding();
  await ingestFindings(
    { ...deps, routing: { rules: [], defaultChannel: 'C0FINDINGS' }, severityThreshold: 'HIGH' },
    [{ ok: true, finding }],
  );
  slack.reset();
  return {
    deps,
    workflow,
    findingId: findingKeyOf(finding),
    log: base.log as typeof base.log & { entries: LogEntry[] },
  };
}

/** DynamoDB throttles the first `times` writes of a SUCCEEDED decision (before the SDK's own retries). */
function throttleSucceededDecisionWrites(times: number): { readonly throttled: () => number } {
  let throttled = 0;
  dynamo.client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = JSON.stringify((args as { input?: unknown }).input ?? {});
      if (
        context.commandName === 'PutItemCommand' &&
        input.includes('DECISION#') &&
        input.includes('"SUCCEEDED"') &&
        throttled < times
      ) {
        throttled += 1;
        throw Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), {
          name: 'ThrottlingException',
          $fault: 'client',
        });
      }
      return next(args);
    },
    { step: 'initialize', name: THROTTLE_MIDDLEWARE },
  );
  return { throttled: () => throttled };
}

const threadReplies = () =>
  slack
    .callsOf('chat.postMessage')
    .filter((call) => call.body['thread_ts'])
    .map((call) => String(call.body['text']));

describe('the record of a remediation matches what AWS did', () => {
  it('records SUCCEEDED and updates the message when the thread reply fails after the change; the failure is a logged warning', async () => {
    const { deps, findingId, log } = await postedFinding();
    groupRules([OPEN_SSH], []);
    ec2.on(RevokeSecurityGroupIngressCommand).resolves(revokeSecurityGroupIngressOutput([OPEN_SSH]));
    slack.script('chat.postMessage', { body: { ok: false, error: 'channel_not_found' } });

    const outcome = await executeRemediation(deps, { findingId, actor: ALICE });

    expect(outcome.kind).toBe('succeeded');
    expect(await deps.decisions.ofFinding(findingId)).toEqual([
      expect.objectContaining({ status: 'SUCCEEDED', workflowAfter: 'RESOLVED' }),
    ]);
    expect((await deps.findings.get(findingId))?.finding.workflowStatus).toBe('RESOLVED');
    expect(JSON.stringify(slack.callsOf('chat.update').at(-1)?.body['blocks'])).toContain(
      '*Resolved* by <@U0ALICE01>',
    );
    expect(log.entries).toContainEqual(
      expect.objectContaining({ level: 'warn', message: expect.stringContaining('thread reply not posted') }),
    );
    expect(log.entries.filter((entry) => entry.level === 'error')).toEqual([]);
  });

  it('records SUCCEEDED when DynamoDB throttles the first writes of the outcome', async () => {
    const { deps, findingId } = await postedFinding();
    groupRules([OPEN_SSH], []);
    ec2.on(RevokeSecurityGroupIngressCommand).resolves(revokeSecurityGroupIngressOutput([OPEN_SSH]));
    const throttle = throttleSucceededDecisionWrites(3);

    const outcome = await executeRemediation(deps, { findingId, actor: ALICE });

    expect(throttle.throttled()).toBe(3);
    expect(outcome.kind).toBe('succeeded');
    expect(await deps.decisions.ofFinding(findingId)).toEqual([
      expect.objectContaining({ status: 'SUCCEEDED' }),
    ]);
    expect(await deps.decisions.pendingRequestedBefore('9999')).toEqual([]);
    expect(threadReplies()).toEqual([expect.stringContaining('Remediated')]);
  });

  it('leaves the decision PENDING (for the reconciler), never FAILED, when the throttling outlasts every retry', async () => {
    const { deps, findingId, log } = await postedFinding();
    groupRules([OPEN_SSH], []);
    ec2.on(RevokeSecurityGroupIngressCommand).resolves(revokeSecurityGroupIngressOutput([OPEN_SSH]));
    throttleSucceededDecisionWrites(100);

    const outcome = await executeRemediation(deps, { findingId, actor: ALICE });

    expect(outcome.kind).toBe('succeeded');
    expect(await deps.decisions.ofFinding(findingId)).toEqual([
      expect.objectContaining({ status: 'PENDING' }),
    ]);
    expect(log.entries).toContainEqual(
      expect.objectContaining({ level: 'error', message: expect.stringContaining('stays PENDING') }),
    );
    expect(threadReplies()).toEqual([expect.stringContaining('Remediated')]);
  });
});

describe('one confirmation runs once', () => {
  async function confirmedJob(deps: SlackJobDeps, findingId: string) {
    const prepared = await prepareRemediation(deps, { findingId, userId: 'U0ALICE01' });
    if (prepared.kind !== 'plan') throw new Error(`expected a plan, got ${prepared.kind}`);
    return {
      kind: 'execute-remediation' as const,
      findingId,
      userId: 'U0ALICE01',
      planDigest: planDigest(prepared.plan),
      viewId: 'V0CONFIRM01',
    };
  }

  it('after a FAILED run, the same job delivered again runs nothing and says the confirmation was used', async () => {
    const { deps, findingId } = await postedFinding();
    groupRules([OPEN_SSH], [OPEN_SSH], [OPEN_SSH]);
    ec2.on(RevokeSecurityGroupIngressCommand).rejects(
      Object.assign(new Error('You are not authorized to perform this operation.'), {
        name: 'UnauthorizedOperation',
      }),
    );
    const job = await confirmedJob(deps, findingId);

    await runSlackJob(deps, job);
    await runSlackJob(deps, job);

    expect(ec2.commandCalls(RevokeSecurityGroupIngressCommand)).toHaveLength(1);
    expect(await deps.decisions.ofFinding(findingId)).toEqual([
      expect.objectContaining({ status: 'FAILED' }),
    ]);
    const views = slack.callsOf('views.update').map((call) => JSON.stringify(call.body['view']));
    expect(views[0]).toContain('Remediation failed');
    expect(views[1]).toContain('This confirmation was already used');
  });

  it('after a SUCCEEDED run, the same job delivered again runs nothing', async () => {
    const { deps, findingId } = await postedFinding();
    groupRules([OPEN_SSH], [OPEN_SSH], [], []);
    ec2.on(RevokeSecurityGroupIngressCommand).resolves(revokeSecurityGroupIngressOutput([OPEN_SSH]));
    const job = await confirmedJob(deps, findingId);

    await runSlackJob(deps, job);
    await runSlackJob(deps, job);

    expect(ec2.commandCalls(RevokeSecurityGroupIngressCommand)).toHaveLength(1);
    expect(await deps.decisions.ofFinding(findingId)).toEqual([
      expect.objectContaining({ status: 'SUCCEEDED' }),
    ]);
    expect(JSON.stringify(slack.callsOf('views.update').at(-1)?.body['view'])).toContain(
      'This confirmation was already used',
    );
  });
});
