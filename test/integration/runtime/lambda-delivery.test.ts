import {
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupRulesCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { handler as ingestQueue } from '../../../src/runtime/lambda-ingest.js';
import { queuedEvents } from '../../support/ingest-queue-event.js';
import { handler as worker } from '../../../src/runtime/lambda-worker.js';
import type { SlackJob } from '../../../src/slack/slack-jobs.js';
import { ensureTable, startEmbeddedDynamoDb } from '../../../src/store/embedded-dynamodb.js';
import type { EmbeddedDynamoDb } from '../../../src/store/embedded-dynamodb.js';
import { makeAsffFinding, makeImportedEvent } from '../../fixtures/asff.js';
import {
  PUBLIC_SUBNET_ID,
  describeNetworkInterfacesOutput,
  describeRouteTablesOutput,
  describeSecurityGroupRulesOutput,
  internetRoute,
  makeSdkNetworkInterface,
  makeSdkRouteTable,
  makeSdkRule,
  subnetAssociation,
} from '../../fixtures/ec2.js';
import { FakeSlackApi } from '../../support/fake-slack-api.js';

/** One EventBridge event, as the ingest queue hands it to the Ingest Lambda. */
const ingest = (event: unknown) => ingestQueue(queuedEvents([event]));

const slack = new FakeSlackApi();
const ec2 = mockClient(EC2Client);
const sts = mockClient(STSClient);
const lambda = mockClient(LambdaClient);
let dynamo: EmbeddedDynamoDb;
/** Jobs ingest handed to the Worker (asynchronous invokes), in order. */
const invoked: SlackJob[] = [];

/** The EC2.13 finding of security group number `index`, all in one account and control: one burst. */
function sshFinding(index: number, overrides: Record<string, unknown> = {}) {
  const groupId = `sg-0abc1234def5${String(index).padStart(5, '0')}`;
  const base = makeAsffFinding();
  const [resource] = base['Resources'] as Record<string, unknown>[];
  const details = (resource!['Details'] as Record<string, Record<string, unknown>>)['AwsEc2SecurityGroup']!;
  return makeAsffFinding({
    Id: `arn:aws:securityhub:ap-northeast-1:111122223333:security-control/EC2.13/finding/1f2e3d4c-5b6a-4789-8a0b-c1d2e3f${String(index).padStart(5, '0')}`,
    Resources: [
      {
        ...resource,
        Id: `arn:aws:ec2:ap-northeast-1:111122223333:security-group/${groupId}`,
        Details: { AwsEc2SecurityGroup: { ...details, GroupId: groupId, GroupName: `web-${index}` } },
      },
    ],
    ...overrides,
  });
}

function groupOnPublicInstance(): void {
  ec2.on(DescribeSecurityGroupRulesCommand).resolves(describeSecurityGroupRulesOutput([makeSdkRule()]));
  ec2
    .on(DescribeNetworkInterfacesCommand)
    .resolves(describeNetworkInterfacesOutput([makeSdkNetworkInterface()]));
  ec2.on(DescribeRouteTablesCommand).resolves(
    describeRouteTablesOutput([
      makeSdkRouteTable(),
      makeSdkRouteTable({
        RouteTableId: 'rtb-0a1b2c3d4e5f60002',
        Associations: [subnetAssociation('rtb-0a1b2c3d4e5f60002', PUBLIC_SUBNET_ID)],
        Routes: [internetRoute({ cidr: '0.0.0.0/0' })],
      }),
    ]),
  );
}

const topLevelPosts = () =>
  slack.callsOf('chat.postMessage').filter((call) => call.body['thread_ts'] === undefined);
const threadPosts = () =>
  slack.callsOf('chat.postMessage').filter((call) => call.body['thread_ts'] !== undefined);
const findingKeyOfCall = (call: { body: Record<string, unknown> }) =>
  ((call.body['metadata'] as { event_payload?: Record<string, unknown> } | undefined)?.event_payload ?? {})[
    'finding_key'
  ];

beforeAll(async () => {
  await slack.start();
  dynamo = await startEmbeddedDynamoDb();
  await ensureTable(dynamo.client, 'cspm-delivery-test');
  Object.assign(process.env, {
    CSPM_TABLE_NAME: 'cspm-delivery-test',
    CSPM_DYNAMODB_ENDPOINT: dynamo.endpoint,
    CSPM_SLACK_API_URL: slack.url,
    SLACK_BOT_TOKEN: 'xoxb-test-token',
    CSPM_DEFAULT_CHANNEL: 'C0DEFAULT1',
    CSPM_ROUTES: JSON.stringify([{ accounts: ['111122223333'], channel: 'C0PROD0001' }]),
    CSPM_WORKER_FUNCTION_NAME: 'cspm-bot-worker',
    AWS_REGION: 'ap-northeast-1',
    CSPM_HOME_ACCOUNT_ID: '111122223333',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
  });
});

afterAll(async () => {
  await slack.stop();
  await dynamo.close();
  ec2.restore();
  sts.restore();
  lambda.restore();
});

beforeEach(() => {
  slack.reset();
  ec2.reset();
  lambda.reset();
  invoked.length = 0;
  groupOnPublicInstance();
  lambda
    .on(InvokeCommand)
    .callsFake((input: { FunctionName?: string; InvocationType?: string; Payload?: Uint8Array }) => {
      expect(input).toMatchObject({ FunctionName: 'cspm-bot-worker', InvocationType: 'Event' });
      invoked.push(JSON.parse(new TextDecoder().decode(input.Payload)) as SlackJob);
      return { StatusCode: 202 };
    });
});

describe('ingest Lambda → Worker delivery run → Slack', () => {
  it('stores a burst without calling Slack, starts one delivery run, and the run posts one grouped message with a reply per finding', async () => {
    // Act: six events (EventBridge sends one finding each), as concurrent batches of the ingest queue would come
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, index) => ingest(makeImportedEvent([sshFinding(index)]))),
    );

    // Assess: stored, nothing sent to Slack, one delivery run handed to the Worker (the others saw it in flight)
    expect(answers.every((answer) => answer.batchItemFailures.length === 0)).toBe(true);
    expect(slack.calls).toEqual([]);
    expect(invoked).toEqual([{ kind: 'deliver' }]);

    // Act: the Worker runs the delivery job
    await worker(invoked[0]!);

    // Assess: one channel message, grouped, with the bulk button naming its group
    const [parent] = topLevelPosts();
    expect(topLevelPosts()).toHaveLength(1);
    expect(parent?.body['channel']).toBe('C0PROD0001');
    const parentBlocks = JSON.stringify(parent?.body['blocks']);
    expect(parentBlocks).toContain('6 security groups');
    expect(parentBlocks).toContain('group.remediate_reachable');
    const groupId = (parent?.body['metadata'] as { event_payload: { group_id: string } }).event_payload
      .group_id;
    expect(parentBlocks).toContain(`"value":"${groupId}"`);
    // Each finding exactly once, as a reply under it, with its own buttons
    const parentTs = slack.messagesIn('C0PROD0001')[0]!.ts;
    const replies = threadPosts();
    expect(replies).toHaveLength(6);
    expect(replies.every((reply) => reply.body['thread_ts'] === parentTs)).toBe(true);
    expect(new Set(replies.map(findingKeyOfCall)).size).toBe(6);
    expect(replies.every((reply) => JSON.stringify(reply.body['blocks']).includes('finding.remediate'))).toBe(
      true,
    );

    // Act: a late finding of the same burst, then a resolve of one member in Security Hub
    slack.reset();
    invoked.length = 0;
    await ingest(makeImportedEvent([sshFinding(6)]));
    expect(slack.calls).toEqual([]);
    await worker(invoked[0]!);

    // Assess: the late one joins the thread, never the channel, and the count follows
    expect(topLevelPosts()).toEqual([]);
    expect(threadPosts()).toHaveLength(1);
    expect(threadPosts()[0]?.body['thread_ts']).toBe(parentTs);
    expect(JSON.stringify(slack.callsOf('chat.update').at(-1)?.body['blocks'])).toContain(
      '7 security groups',
    );

    // Act
    slack.reset();
    invoked.length = 0;
    const changed = await ingest(
      makeImportedEvent([
        sshFinding(0, { Workflow: { Status: 'RESOLVED' }, UpdatedAt: '2026-11-02T11:00:00.000Z' }),
      ]),
    );
    expect(changed).toEqual({ batchItemFailures: [] });
    expect(slack.calls).toEqual([]);
    await worker(invoked[0]!);

    // Assess: its reply is updated in place (no buttons), the grouped message now counts 6 open; nothing posted
    expect(slack.callsOf('chat.postMessage')).toEqual([]);
    const updates = slack.callsOf('chat.update');
    expect(updates.map((update) => update.body['ts'])).toEqual([
      expect.not.stringMatching(`^${parentTs}$`),
      parentTs,
    ]);
    expect(JSON.stringify(updates[0]?.body['blocks'])).not.toContain('finding.remediate');
    expect(JSON.stringify(updates[1]?.body['blocks'])).toContain('6 open');
  }, 60_000);
});
