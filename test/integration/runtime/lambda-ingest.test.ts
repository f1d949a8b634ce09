import {
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupRulesCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { handler } from '../../../src/runtime/lambda-ingest.js';
import { queuedEvents } from '../../support/ingest-queue-event.js';
import { ensureTable, startEmbeddedDynamoDb } from '../../../src/store/embedded-dynamodb.js';
import type { EmbeddedDynamoDb } from '../../../src/store/embedded-dynamodb.js';
import { loadAsffFixture, makeAsffFinding, makeImportedEvent } from '../../fixtures/asff.js';
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

const slack = new FakeSlackApi();
const ec2 = mockClient(EC2Client);
// Nothing may reach AWS: STS answers nothing unless a test says so.
const sts = mockClient(STSClient);
let dynamo: EmbeddedDynamoDb;

/** The EC2.13 group as EC2 describes it now: SSH open to the world, on an instance in a public subnet. */
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

function blocksText(blocks: unknown): string {
  return JSON.stringify(blocks);
}

beforeAll(async () => {
  await slack.start();
  dynamo = await startEmbeddedDynamoDb();
  await ensureTable(dynamo.client, 'cspm-lambda-test');
  Object.assign(process.env, {
    CSPM_TABLE_NAME: 'cspm-lambda-test',
    CSPM_DYNAMODB_ENDPOINT: dynamo.endpoint,
    CSPM_SLACK_API_URL: slack.url,
    SLACK_BOT_TOKEN: 'xoxb-test-token',
    CSPM_DEFAULT_CHANNEL: 'C0DEFAULT1',
    CSPM_ROUTES: JSON.stringify([{ accounts: ['111122223333'], channel: 'C0PROD0001' }]),
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
});

beforeEach(() => {
  slack.reset();
  ec2.reset();
  groupOnPublicInstance();
});

describe('EventBridge "Findings - Imported" → DynamoDB → Slack', () => {
  it('posts one message to the routed channel with the open rule, the exposure and the buttons; a re-delivery posts nothing; a state change updates it', async () => {
    // Act: first delivery
    const first = await handler(queuedEvents([makeImportedEvent([makeAsffFinding()])]));

    // Assess
    expect(first).toEqual({ batchItemFailures: [] });
    const posts = slack.callsOf('chat.postMessage');
    expect(posts).toHaveLength(1);
    expect(posts[0]?.body['channel']).toBe('C0PROD0001');
    const text = blocksText(posts[0]?.body['blocks']);
    expect(text).toContain('tcp/22 from 0.0.0.0/0');
    expect(text).toContain('sgr-');
    expect(text).toContain('Reachable from the internet');
    expect(text).toContain('finding.remediate');
    expect(text).toContain('finding.suppress');
    expect(text).toContain('finding.accept_risk');

    // Act: EventBridge delivers the same event again (at least once), and the aggregator's copy arrives too
    slack.reset();
    const again = await handler(queuedEvents([makeImportedEvent([makeAsffFinding()])]));
    const fromAggregator = await handler(
      queuedEvents([makeImportedEvent([makeAsffFinding()], { region: 'us-east-1', id: 'aggregated-copy' })]),
    );

    // Assess
    expect(again).toEqual({ batchItemFailures: [] });
    expect(fromAggregator).toEqual({ batchItemFailures: [] });
    expect(slack.calls.filter((call) => call.method.startsWith('chat.'))).toEqual([]);

    // Act: resolved in Security Hub
    const resolved = makeAsffFinding({
      Workflow: { Status: 'RESOLVED' },
      UpdatedAt: '2026-11-02T11:00:00.000Z',
    });
    const change = await handler(queuedEvents([makeImportedEvent([resolved])]));

    // Assess
    expect(change).toEqual({ batchItemFailures: [] });
    expect(slack.callsOf('chat.postMessage')).toHaveLength(0);
    const updates = slack.callsOf('chat.update');
    expect(updates).toHaveLength(1);
    // The fake answered the first post with ts 1763805600.000001: the update edits that very message.
    expect(updates[0]?.body['ts']).toBe('1763805600.000001');
    expect(updates[0]?.body['channel']).toBe('C0PROD0001');
    expect(blocksText(updates[0]?.body['blocks'])).not.toContain('finding.remediate');
  });

  it('skips a malformed finding with its reason and still ingests the rest of the batch', async () => {
    const event = makeImportedEvent([
      loadAsffFixture('malformed/missing-resources'),
      loadAsffFixture('ec2.14-rdp-ipv6'),
    ]);

    const answer = await handler(queuedEvents([event]));

    // Not returned to the queue: a retry cannot mend a malformed finding.
    expect(answer).toEqual({ batchItemFailures: [] });
    expect(slack.callsOf('chat.postMessage')).toHaveLength(1);
  });

  it('never alerts on a finding below the threshold', async () => {
    const answer = await handler(queuedEvents([makeImportedEvent([loadAsffFixture('ec2.17-low-severity')])]));

    expect(answer).toEqual({ batchItemFailures: [] });
    expect(slack.callsOf('chat.postMessage')).toHaveLength(0);
  });
});
