/**
 * EC2.2 through Slack with real Bolt receivers (the Lambda handlers): a VPC default group that a network interface
 * uses is emptied only after the person types its id in the confirmation modal; anything else keeps the modal
 * open with an error, and nothing runs.
 */
import 'aws-sdk-client-mock-vitest/extend';
import {
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import type { SecurityGroupRule } from '@aws-sdk/client-ec2';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { BatchUpdateFindingsCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { REMEDIATE_ACTION, findingButtonValue } from '../../../blocks/action-ids.js';
import {
  CONFIRM_GROUP_ACTION,
  CONFIRM_GROUP_BLOCK,
  REMEDIATION_CONFIRM_CALLBACK,
} from '../../../blocks/remediation-modal.js';
import { findingKeyOf } from '../../../src/domain/finding-key.js';
import { handler as ingestQueue } from '../../../src/runtime/lambda-ingest.js';
import { queuedEvents } from '../../support/ingest-queue-event.js';
import { handler as slackHandler } from '../../../src/runtime/lambda-slack.js';
import { handler as worker } from '../../../src/runtime/lambda-worker.js';
import { ensureTable, startEmbeddedDynamoDb } from '../../../src/store/embedded-dynamodb.js';
import type { EmbeddedDynamoDb } from '../../../src/store/embedded-dynamodb.js';
import { loadAsffFixture, makeImportedEvent } from '../../fixtures/asff.js';
import {
  describeNetworkInterfacesOutput,
  describeRouteTablesOutput,
  describeSecurityGroupRulesOutput,
  describeSecurityGroupsOutput,
  makeSdkEgressRule,
  makeSdkNetworkInterface,
  makeSdkRouteTable,
  makeSdkRule,
  makeSdkSecurityGroup,
} from '../../fixtures/ec2.js';
import { FakeSlackApi } from '../../support/fake-slack-api.js';
import { invokedJobs, lambdaContext, lambdaFlowEnvironment, signed } from '../../support/lambda-flow.js';
import { buttonClickBody, viewSubmissionBody } from '../../support/signed-slack-request.js';

/** One EventBridge event, as the ingest queue hands it to the Ingest Lambda. */
const ingest = (event: unknown) => ingestQueue(queuedEvents([event]));

const ACCOUNT = '444455556666';
const GROUP = 'sg-0f1e2d3c4b5a69788';
const ASFF = loadAsffFixture('ec2.2-default-sg-all-traffic');
const FINDING_KEY = findingKeyOf({
  productArn: String(ASFF['ProductArn']),
  accountId: ACCOUNT,
  id: String(ASFF['Id']),
});

const rule = (id: string, fields: Parameters<typeof makeSdkRule>[0] = {}) =>
  makeSdkRule({ SecurityGroupRuleId: id, GroupId: GROUP, GroupOwnerId: ACCOUNT, ...fields });
const SELF = rule('sgr-0f1e2d3c4b5a60001', {
  IpProtocol: '-1',
  FromPort: -1,
  ToPort: -1,
  source: { ReferencedGroupInfo: { GroupId: GROUP, UserId: ACCOUNT } },
});
const WORLD = rule('sgr-0f1e2d3c4b5a60002', { IpProtocol: '-1', FromPort: -1, ToPort: -1 });
const EGRESS = makeSdkEgressRule({
  SecurityGroupRuleId: 'sgr-0f1e2d3c4b5a60003',
  GroupId: GROUP,
  GroupOwnerId: ACCOUNT,
});

const slack = new FakeSlackApi();
const ec2 = mockClient(EC2Client);
const lambda = mockClient(LambdaClient);
const securityHub = mockClient(SecurityHubClient);
const sts = mockClient(STSClient);
let dynamo: EmbeddedDynamoDb;

/** The default group, used by one instance's interface, with its rules at each read in order. */
function defaultGroup(...answers: SecurityGroupRule[][]): void {
  ec2
    .on(DescribeSecurityGroupsCommand)
    .resolves(
      describeSecurityGroupsOutput([
        makeSdkSecurityGroup({ GroupId: GROUP, GroupName: 'default', OwnerId: ACCOUNT }),
      ]),
    );
  const rules = ec2.on(DescribeSecurityGroupRulesCommand);
  for (const answer of answers) rules.resolvesOnce(describeSecurityGroupRulesOutput(answer));
  ec2
    .on(DescribeNetworkInterfacesCommand)
    .resolves(
      describeNetworkInterfacesOutput([
        makeSdkNetworkInterface({ Groups: [{ GroupName: 'default', GroupId: GROUP }] }),
      ]),
    );
  ec2.on(DescribeRouteTablesCommand).resolves(describeRouteTablesOutput([makeSdkRouteTable()]));
}

/** Click Remediate, let the Worker plan, and return the confirmation modal Slack was asked to show. */
async function clickAndPlan(): Promise<{ viewId: string; view: Record<string, unknown> }> {
  await slackHandler(
    signed(
      buttonClickBody({
        actionId: REMEDIATE_ACTION,
        value: findingButtonValue(FINDING_KEY),
        user: 'U0ALICE01',
        responseUrl: `${slack.url}response`,
      }),
    ),
    lambdaContext,
  );
  const [planJob] = invokedJobs(lambda);
  if (planJob?.kind !== 'plan-remediation') throw new Error('expected a plan job');
  await worker(planJob);
  const update = slack.callsOf('views.update').at(-1);
  return { viewId: String(update?.body['view_id']), view: update?.body['view'] as Record<string, unknown> };
}

async function submit(viewId: string, view: Record<string, unknown>, typed?: string) {
  lambda.resetHistory();
  const values =
    typed === undefined
      ? {}
      : { [CONFIRM_GROUP_BLOCK]: { [CONFIRM_GROUP_ACTION]: { type: 'plain_text_input', value: typed } } };
  const response = await slackHandler(
    signed(
      viewSubmissionBody({
        callbackId: REMEDIATION_CONFIRM_CALLBACK,
        viewId,
        privateMetadata: String(view['private_metadata']),
        values,
      }),
    ),
    lambdaContext,
  );
  return JSON.parse(response.body || '{}') as Record<string, unknown>;
}

beforeAll(async () => {
  await slack.start();
  dynamo = await startEmbeddedDynamoDb();
  await ensureTable(dynamo.client, 'cspm-default-group');
  Object.assign(
    process.env,
    lambdaFlowEnvironment({
      dynamoEndpoint: dynamo.endpoint,
      slackUrl: slack.url,
      tableName: 'cspm-default-group',
      region: 'ap-northeast-1',
      overrides: { CSPM_HOME_ACCOUNT_ID: ACCOUNT },
    }),
  );
  lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
  defaultGroup([SELF, WORLD, EGRESS]);
  await ingest(makeImportedEvent([ASFF]));
});

afterAll(async () => {
  await slack.stop();
  await dynamo.close();
  for (const mock of [ec2, lambda, securityHub, sts]) mock.restore();
});

beforeEach(() => {
  slack.reset();
  for (const mock of [ec2, lambda, securityHub, sts]) mock.reset();
  lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
  securityHub.on(BatchUpdateFindingsCommand).callsFake((input: { FindingIdentifiers: unknown[] }) => ({
    ProcessedFindings: input.FindingIdentifiers,
    UnprocessedFindings: [],
  }));
});

describe('EC2.2 on a default group in use, from Slack', () => {
  it('asks for the group id, keeps the modal open until it is typed exactly, then empties the group and resolves', async () => {
    // Prepare: the group as planned, as re-read when the job runs, and empty after the change.
    defaultGroup([SELF, WORLD, EGRESS], [SELF, WORLD, EGRESS], []);
    ec2.on(RevokeSecurityGroupIngressCommand).resolves({ Return: true });
    ec2.on(RevokeSecurityGroupEgressCommand).resolves({ Return: true });

    // Act: click; the Worker plans
    const { viewId, view } = await clickAndPlan();

    // Assess: the plan names the interface and asks for the group id
    const shown = JSON.stringify(view);
    expect(shown).toContain(
      '1 network interface(s) use sg-0f1e2d3c4b5a69788 (default): eni-0a1b2c3d4e5f60001',
    );
    expect(view['blocks']).toContainEqual(
      expect.objectContaining({ type: 'input', block_id: CONFIRM_GROUP_BLOCK }),
    );

    // Act + assess: nothing typed, or the wrong id, keeps the modal open and runs nothing
    for (const typed of [undefined, 'sg-0000000000000000', ' default ']) {
      expect(await submit(viewId, view, typed)).toEqual({
        response_action: 'errors',
        errors: { [CONFIRM_GROUP_BLOCK]: `Type ${GROUP} exactly to confirm, or press Cancel.` },
      });
      expect(invokedJobs(lambda)).toEqual([]);
    }

    // Act: typed exactly; the Worker runs the job
    expect(await submit(viewId, view, ` ${GROUP} `)).toMatchObject({ response_action: 'update' });
    const [job] = invokedJobs(lambda);
    expect(job).toMatchObject({ kind: 'execute-remediation', confirmedGroupId: GROUP });
    await worker(job!);

    // Assess: every rule revoked in both directions, and the finding resolved
    expect(ec2).toHaveReceivedCommandWith(RevokeSecurityGroupIngressCommand, {
      GroupId: GROUP,
      SecurityGroupRuleIds: [SELF.SecurityGroupRuleId!, WORLD.SecurityGroupRuleId!],
    });
    expect(ec2).toHaveReceivedCommandWith(RevokeSecurityGroupEgressCommand, {
      GroupId: GROUP,
      SecurityGroupRuleIds: [EGRESS.SecurityGroupRuleId!],
    });
    expect(securityHub).toHaveReceivedCommandWith(BatchUpdateFindingsCommand, {
      Workflow: { Status: 'RESOLVED' },
    });
  });
});
