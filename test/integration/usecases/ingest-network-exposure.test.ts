import 'aws-sdk-client-mock-vitest/extend';
import {
  DescribeNetworkAclsCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupRulesCommand,
  EC2Client,
  EC2ServiceException,
} from '@aws-sdk/client-ec2';
import { WebClient } from '@slack/web-api';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { normalizeAsffFinding } from '../../../src/aws/asff-finding.js';
import { Ec2SecurityGroupInspector } from '../../../src/aws/security-group-inspector.js';
import type { Finding } from '../../../src/domain/finding.js';
import { SlackFindingMessenger } from '../../../src/slack/finding-messenger.js';
import { SlackSender } from '../../../src/slack/sender.js';
import { FindingRepository } from '../../../src/store/finding-repository.js';
import type { IngestDeps } from '../../../src/usecases/ingest-findings.js';
import { ingestFindings } from '../../../src/usecases/ingest-findings.js';
import { loadAsffFixture } from '../../fixtures/asff.js';
import {
  PUBLIC_NETWORK_ACL_ID,
  PUBLIC_SUBNET_ID,
  describeNetworkAclsOutput,
  describeNetworkInterfacesOutput,
  describeRouteTablesOutput,
  describeSecurityGroupRulesOutput,
  internetRoute,
  makeSdkDefaultNetworkAcl,
  makeSdkNetworkAcl,
  makeSdkNetworkAclEntry,
  makeSdkNetworkInterface,
  makeSdkRouteTable,
  makeSdkRule,
  subnetAssociation,
} from '../../fixtures/ec2.js';
import { makeFinding } from '../../fixtures/finding.js';
import { useEmbeddedDynamoDb } from '../../support/embedded-table.js';
import { FakeSlackApi } from '../../support/fake-slack-api.js';
import { fixedClock } from '../../support/fixed-clock.js';
import { recordingLog } from '../../support/recording-log.js';

// Ingest with the real EC2 inspector over a mocked EC2 API: which group is read, and what the message says about
// the network ACL of the group's subnet.

const dynamo = useEmbeddedDynamoDb();
const slack = new FakeSlackApi();
const ec2 = mockClient(EC2Client);
beforeAll(() => slack.start());
afterAll(async () => {
  await slack.stop();
  ec2.restore();
});
beforeEach(() => {
  slack.reset();
  ec2.reset();
});

const LEGACY_GROUP_ID = 'sg-0b2c3d4e5f6a70812';

async function ingestDeps(): Promise<IngestDeps> {
  const client = new WebClient('xoxb-test', { slackApiUrl: slack.url, retryConfig: { retries: 0 } });
  return {
    findings: new FindingRepository(await dynamo.freshTable()),
    messenger: new SlackFindingMessenger(
      new SlackSender(client, { minIntervalPerChannelMs: 0, maxWaitMs: 5_000 }),
    ),
    inspector: new Ec2SecurityGroupInspector({
      ec2: async () => new EC2Client({ region: 'ap-northeast-1' }),
    }),
    routing: { rules: [], defaultChannel: 'C0FINDINGS' },
    severityThreshold: 'HIGH',
    clock: fixedClock('2026-11-22T10:00:00.000Z'),
    log: recordingLog(),
  };
}

/** SSH open to the world on an instance with a public IP in a subnet that routes 0.0.0.0/0 to an igw. */
function groupOnPublicSubnet(groupId = makeSdkRule().GroupId): void {
  ec2
    .on(DescribeSecurityGroupRulesCommand)
    .resolves(describeSecurityGroupRulesOutput([makeSdkRule({ GroupId: groupId })]));
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

async function postedBlocks(finding: Finding): Promise<string> {
  await ingestFindings(await ingestDeps(), [{ ok: true, finding }]);
  const [post] = slack.callsOf('chat.postMessage');
  return JSON.stringify(post?.body['blocks']);
}

function legacyFinding(): Finding {
  const result = normalizeAsffFinding(loadAsffFixture('variants/ec2.13-details-other'));
  if (!result.ok) throw new Error(result.reason);
  return result.finding;
}

describe('ingesting a security group finding', () => {
  it('reads the group named by the ARN of a legacy `Details.Other` finding and offers Remediate', async () => {
    groupOnPublicSubnet(LEGACY_GROUP_ID);
    ec2
      .on(DescribeNetworkAclsCommand)
      .resolves(describeNetworkAclsOutput([makeSdkDefaultNetworkAcl([PUBLIC_SUBNET_ID])]));

    const blocks = await postedBlocks(legacyFinding());

    expect(ec2).toHaveReceivedCommandWith(DescribeSecurityGroupRulesCommand, {
      Filters: [{ Name: 'group-id', Values: [LEGACY_GROUP_ID] }],
    });
    expect(blocks).toContain('finding.remediate');
    expect(blocks).toContain('🚨 *Act now*: reachable from the internet on tcp/22');
  });

  it('reads the group from the ARN of a finding stored without details', async () => {
    groupOnPublicSubnet();
    ec2
      .on(DescribeNetworkAclsCommand)
      .resolves(describeNetworkAclsOutput([makeSdkDefaultNetworkAcl([PUBLIC_SUBNET_ID])]));

    const blocks = await postedBlocks(makeFinding({ details: { kind: 'none' } }));

    expect(ec2).toHaveReceivedCommandWith(DescribeSecurityGroupRulesCommand, {
      Filters: [{ Name: 'group-id', Values: ['sg-0abc1234def567890'] }],
    });
    expect(blocks).toContain('tcp/22 from 0.0.0.0/0');
  });

  it('says a rule the subnet’s network ACL denies is blocked, and does not ask to act now', async () => {
    groupOnPublicSubnet();
    const acl = makeSdkNetworkAcl([
      makeSdkNetworkAclEntry({ RuleNumber: 90, RuleAction: 'deny' }),
      makeSdkNetworkAclEntry({ RuleNumber: 100, Protocol: '-1', PortRange: undefined }),
    ]);
    ec2.on(DescribeNetworkAclsCommand).resolves(describeNetworkAclsOutput([acl]));

    const blocks = await postedBlocks(makeFinding());

    expect(blocks).toContain(`blocked by \`${PUBLIC_NETWORK_ACL_ID}\` rule 90`);
    expect(blocks).not.toContain('Act now');
  });

  it('judges a subnet without an explicit association by the VPC’s default ACL', async () => {
    groupOnPublicSubnet();
    ec2
      .on(DescribeNetworkAclsCommand, {
        Filters: [{ Name: 'association.subnet-id', Values: [PUBLIC_SUBNET_ID] }],
      })
      .resolves(describeNetworkAclsOutput([]))
      .on(DescribeNetworkAclsCommand, {
        Filters: [
          { Name: 'vpc-id', Values: ['vpc-0a1b2c3d4e5f67890'] },
          { Name: 'default', Values: ['true'] },
        ],
      })
      .resolves(describeNetworkAclsOutput([makeSdkDefaultNetworkAcl()]));

    const blocks = await postedBlocks(makeFinding());

    expect(blocks).toContain('tcp/22 from 0.0.0.0/0 (`sgr-0a1b2c3d4e5f60001`) · reachable from the internet');
  });

  it('still judges by routes, and says so, when the network ACLs may not be read', async () => {
    groupOnPublicSubnet();
    ec2.on(DescribeNetworkAclsCommand).rejects(
      new EC2ServiceException({
        name: 'UnauthorizedOperation',
        message: 'You are not authorized to perform this operation.',
        $fault: 'client',
        $metadata: { httpStatusCode: 403 },
      }),
    );

    const blocks = await postedBlocks(makeFinding());

    expect(blocks).toContain('reachable from the internet (network ACL not checked:');
    expect(blocks).toContain('DescribeNetworkAcls');
    expect(blocks).toContain('🚨 *Act now*: reachable from the internet on tcp/22');
  });
});
