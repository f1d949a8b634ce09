import {
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { BatchUpdateFindingsCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { REMEDIATE_ACTION, findingButtonValue } from '../../../blocks/action-ids.js';
import { REMEDIATION_CONFIRM_CALLBACK } from '../../../blocks/remediation-modal.js';
import { handler as ingestQueue } from '../../../src/runtime/lambda-ingest.js';
import { queuedEvents } from '../../support/ingest-queue-event.js';
import { handler as slackHandler } from '../../../src/runtime/lambda-slack.js';
import { handler as worker } from '../../../src/runtime/lambda-worker.js';
import type { SlackJob } from '../../../src/slack/slack-jobs.js';
import { createCspmTable } from '../../../src/store/cspm-table.js';
import { DecisionRepository } from '../../../src/store/decision-repository.js';
import { ensureTable, startEmbeddedDynamoDb } from '../../../src/store/embedded-dynamodb.js';
import type { EmbeddedDynamoDb } from '../../../src/store/embedded-dynamodb.js';
import { makeAsffFinding, makeImportedEvent } from '../../fixtures/asff.js';
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
import { FakeSlackApi } from '../../support/fake-slack-api.js';
import { invokedJobs, lambdaContext, lambdaFlowEnvironment, signed } from '../../support/lambda-flow.js';
import { buttonClickBody, viewSubmissionBody } from '../../support/signed-slack-request.js';
import { findingKeyOf } from '../../../src/domain/finding-key.js';

/** One EventBridge event, as the ingest queue hands it to the Ingest Lambda. */
const ingest = (event: unknown) => ingestQueue(queuedEvents([event]));

const slack = new FakeSlackApi();
const ec2 = mockClient(EC2Client);
const lambda = mockClient(LambdaClient);
const securityHub = mockClient(SecurityHubClient);
const sts = mockClient(STSClient);
const OPEN_SSH = makeSdkRule({ SecurityGroupRuleId: 'sgr-0a1b2c3d4e5f60001' });
const OFFICE_SSH = makeSdkRule({
  SecurityGroupRuleId: 'sgr-0a1b2c3d4e5f60009',
  source: { CidrIpv4: '203.0.113.0/24' },
});
let dynamo: EmbeddedDynamoDb;
let testNumber = 0;
/** Each test works on its own finding (the Lambda modules keep one table for the whole file, as a container would). */
let FINDING_ID = '';
/** The key the finding is stored under (and carried in button values). */
let FINDING_KEY = '';

/** EC2 answers for the group: its rules now (then after the change), unattached. */
function groupRules(...answers: (typeof OPEN_SSH)[][]): void {
  ec2.on(DescribeSecurityGroupsCommand).resolves(describeSecurityGroupsOutput([makeSdkSecurityGroup()]));
  const rules = ec2.on(DescribeSecurityGroupRulesCommand);
  for (const answer of answers) rules.resolvesOnce(describeSecurityGroupRulesOutput(answer));
  ec2.on(DescribeNetworkInterfacesCommand).resolves(describeNetworkInterfacesOutput([]));
  ec2.on(DescribeRouteTablesCommand).resolves(describeRouteTablesOutput([makeSdkRouteTable()]));
}

async function clickRemediate(user = 'U0ALICE01'): Promise<void> {
  await slackHandler(
    signed(
      buttonClickBody({
        actionId: REMEDIATE_ACTION,
        value: findingButtonValue(FINDING_KEY),
        user,
        responseUrl: `${slack.url}response`,
      }),
    ),
    lambdaContext,
  );
}

/** Click, let the Worker plan, and return the confirmation modal Slack was asked to show. */
async function clickAndPlan(): Promise<{ viewId: string; view: Record<string, unknown> }> {
  await clickRemediate();
  const [planJob] = invokedJobs(lambda);
  if (planJob?.kind !== 'plan-remediation') throw new Error('expected a plan job');
  await worker(planJob);
  const update = slack.callsOf('views.update').at(-1);
  return { viewId: String(update?.body['view_id']), view: update?.body['view'] as Record<string, unknown> };
}

async function confirm(
  viewId: string,
  view: Record<string, unknown>,
): Promise<Extract<SlackJob, { kind: 'execute-remediation' }>> {
  lambda.resetHistory();
  const response = await slackHandler(
    signed(
      viewSubmissionBody({
        callbackId: REMEDIATION_CONFIRM_CALLBACK,
        viewId,
        privateMetadata: String(view['private_metadata']),
      }),
    ),
    lambdaContext,
  );
  expect(JSON.parse(response.body)).toMatchObject({ response_action: 'update' });
  const [job] = invokedJobs(lambda);
  if (job?.kind !== 'execute-remediation') throw new Error('expected an execute job');
  return job;
}

beforeAll(async () => {
  await slack.start();
  dynamo = await startEmbeddedDynamoDb();
  await ensureTable(dynamo.client, 'cspm-remediation');
  Object.assign(
    process.env,
    lambdaFlowEnvironment({
      dynamoEndpoint: dynamo.endpoint,
      slackUrl: slack.url,
      tableName: 'cspm-remediation',
      region: 'ap-northeast-1',
    }),
  );
});

afterAll(async () => {
  await slack.stop();
  await dynamo.close();
  for (const mock of [ec2, lambda, securityHub, sts]) mock.restore();
});

beforeEach(async () => {
  testNumber += 1;
  FINDING_ID = makeFinding().id.replace(/0001$/, String(testNumber).padStart(4, '0'));
  FINDING_KEY = findingKeyOf({ ...makeFinding(), id: FINDING_ID });
  slack.reset();
  for (const mock of [ec2, lambda, securityHub, sts]) mock.reset();
  lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
  securityHub.on(BatchUpdateFindingsCommand).callsFake((input: { FindingIdentifiers: unknown[] }) => ({
    ProcessedFindings: input.FindingIdentifiers,
    UnprocessedFindings: [],
  }));
  groupRules([OPEN_SSH]);
  await ingest(makeImportedEvent([makeAsffFinding({ Id: FINDING_ID })]));
  // Ingest only stores it; the delivery run it handed to the Worker posts the message.
  for (const job of invokedJobs(lambda)) await worker(job);
  lambda.resetHistory();
  slack.reset();
  ec2.reset();
});

describe('Remediate from Slack', () => {
  it('plans from current AWS state, runs only after confirmation, revokes exactly the open rule id, verifies, resolves and reports', async () => {
    // Prepare: the group now has the open SSH rule and an office-only rule
    groupRules([OPEN_SSH, OFFICE_SSH], [OPEN_SSH, OFFICE_SSH], [OFFICE_SSH]);
    ec2.on(RevokeSecurityGroupIngressCommand).resolves(revokeSecurityGroupIngressOutput([OPEN_SSH]));

    // Act: click; the Worker plans
    const { viewId, view } = await clickAndPlan();

    // Assess: the plan in words, and nothing changed yet
    expect(view['callback_id']).toBe(REMEDIATION_CONFIRM_CALLBACK);
    expect(JSON.stringify(view)).toContain(
      'Revoke tcp/22 from 0.0.0.0/0 on sg-0abc1234def567890 (web-prod) in 111122223333/ap-northeast-1',
    );
    expect(ec2.commandCalls(RevokeSecurityGroupIngressCommand)).toHaveLength(0);

    // Act: confirm; the Worker executes
    const job = await confirm(viewId, view);
    await worker(job);

    // Assess: exactly the rule id, never the office rule, never by port or CIDR
    const revokes = ec2.commandCalls(RevokeSecurityGroupIngressCommand);
    expect(revokes).toHaveLength(1);
    expect(revokes[0]?.args[0].input).toStrictEqual({
      GroupId: 'sg-0abc1234def567890',
      SecurityGroupRuleIds: ['sgr-0a1b2c3d4e5f60001'],
    });
    const update = securityHub.commandCalls(BatchUpdateFindingsCommand)[0]?.args[0].input;
    expect(update).toMatchObject({
      Workflow: { Status: 'RESOLVED' },
      FindingIdentifiers: [{ Id: FINDING_ID }],
    });
    expect(update?.Note?.Text).toBe(
      'Remediated from Slack by alice: Revoke tcp/22 from 0.0.0.0/0 on sg-0abc1234def567890 (web-prod) in 111122223333/ap-northeast-1',
    );
    const message = slack.callsOf('chat.update').at(-1);
    expect(JSON.stringify(message?.body['blocks'])).toContain('Resolved* by <@U0ALICE01>');
    expect(JSON.stringify(message?.body['blocks'])).not.toContain('finding.remediate');
    const thread = slack.callsOf('chat.postMessage').find((call) => call.body['thread_ts']);
    expect(String(thread?.body['text'])).toContain('Remediated');
    const decisions = await new DecisionRepository(
      createCspmTable(dynamo.client, 'cspm-remediation'),
    ).ofFinding(FINDING_KEY);
    expect(decisions).toEqual([
      expect.objectContaining({
        kind: 'remediate',
        status: 'SUCCEEDED',
        actor: { kind: 'user', userId: 'U0ALICE01', name: 'alice' },
        workflowBefore: 'NEW',
        workflowAfter: 'RESOLVED',
      }),
    ]);
  });

  it('runs one remediation when the confirmation arrives twice (double click, Slack retry)', async () => {
    groupRules([OPEN_SSH], [OPEN_SSH], [OPEN_SSH], []);
    ec2.on(RevokeSecurityGroupIngressCommand).resolves(revokeSecurityGroupIngressOutput([OPEN_SSH]));
    const { viewId, view } = await clickAndPlan();
    const job = await confirm(viewId, view);

    await Promise.all([worker(job), worker(job)]);

    expect(ec2.commandCalls(RevokeSecurityGroupIngressCommand)).toHaveLength(1);
    const outcomes = slack.callsOf('views.update').map((call) => JSON.stringify(call.body['view']));
    // The second delivery of the same confirmation is refused as used (or meets the first one running).
    expect(
      outcomes.some(
        (text) =>
          text.includes('This confirmation was already used') ||
          text.includes('Already in progress by <@U0ALICE01>'),
      ),
    ).toBe(true);
  });

  it('reports a failure in the thread with the cause, keeps the buttons, and never retries', async () => {
    groupRules([OPEN_SSH], [OPEN_SSH]);
    ec2.on(RevokeSecurityGroupIngressCommand).rejects(
      Object.assign(new Error('You are not authorized to perform this operation.'), {
        name: 'UnauthorizedOperation',
      }),
    );
    const { viewId, view } = await clickAndPlan();

    await worker(await confirm(viewId, view));

    const thread = slack.callsOf('chat.postMessage').find((call) => call.body['thread_ts']);
    expect(String(thread?.body['text'])).toContain('Remediation failed');
    expect(String(thread?.body['text'])).toContain('nothing is retried automatically');
    expect(slack.callsOf('chat.update')).toHaveLength(0);
    expect(securityHub.commandCalls(BatchUpdateFindingsCommand)).toHaveLength(0);
    expect(ec2.commandCalls(RevokeSecurityGroupIngressCommand)).toHaveLength(1);
    const decisions = await new DecisionRepository(
      createCspmTable(dynamo.client, 'cspm-remediation'),
    ).ofFinding(FINDING_KEY);
    expect(decisions).toEqual([
      expect.objectContaining({
        status: 'FAILED',
        error: expect.objectContaining({ code: 'AWS_ACCESS_DENIED' }),
      }),
    ]);

    // The buttons still work: a new click plans again.
    lambda.resetHistory();
    groupRules([OPEN_SSH]);
    await clickRemediate();
    expect(invokedJobs(lambda)).toEqual([expect.objectContaining({ kind: 'plan-remediation' })]);
  });

  it('says a group that is already fixed needs nothing, and marks the finding resolved without changing AWS', async () => {
    groupRules([OFFICE_SSH], [OFFICE_SSH]);

    const { view } = await clickAndPlan();

    expect(JSON.stringify(view)).toContain('Nothing to change');
    expect(ec2.commandCalls(RevokeSecurityGroupIngressCommand)).toHaveLength(0);
    expect(securityHub.commandCalls(BatchUpdateFindingsCommand)[0]?.args[0].input).toMatchObject({
      Workflow: { Status: 'RESOLVED' },
    });
    expect(JSON.stringify(slack.callsOf('chat.update').at(-1)?.body['blocks'])).toContain('Resolved*');
  });

  it('runs nothing when AWS changed between the confirmation and the execution', async () => {
    const newOpenRule = makeSdkRule({
      SecurityGroupRuleId: 'sgr-0a1b2c3d4e5f60077',
      source: { CidrIpv6: '::/0' },
    });
    groupRules([OPEN_SSH], [OPEN_SSH, newOpenRule]);
    const { viewId, view } = await clickAndPlan();

    await worker(await confirm(viewId, view));

    expect(ec2.commandCalls(RevokeSecurityGroupIngressCommand)).toHaveLength(0);
    expect(JSON.stringify(slack.callsOf('views.update').at(-1)?.body['view'])).toContain(
      'The resource changed since you confirmed',
    );
  });
});
