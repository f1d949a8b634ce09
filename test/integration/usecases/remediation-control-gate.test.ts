/**
 * A finding is set RESOLVED only when its control would pass on the resource read back from AWS: EC2.2 on a
 * default group in use needs the person to confirm the group, a vanished rule is re-planned rather than reported
 * as a deleted group, auto-remediation never lowers a hop limit, and an unused launch configuration is never
 * "fixed". Real reader and direct executor against aws-sdk-client-mock, embedded table, fake Slack Web API.
 */
import 'aws-sdk-client-mock-vitest/extend';
import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  DescribeLaunchConfigurationsCommand,
  StartInstanceRefreshCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import type { SecurityGroupRule as SdkSecurityGroupRule } from '@aws-sdk/client-ec2';
import {
  CreateLaunchTemplateCommand,
  DescribeInstancesCommand,
  DescribeLaunchTemplatesCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  ModifyInstanceMetadataOptionsCommand,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DirectRemediator } from '../../../src/aws/direct-remediator.js';
import { AwsResourceStateReader } from '../../../src/aws/resource-state-reader.js';
import type { Finding } from '../../../src/domain/finding.js';
import { findingKeyOf } from '../../../src/domain/finding-key.js';
import type { PlanOptions } from '../../../src/domain/remediation-plan.js';
import { createCspmTable } from '../../../src/store/cspm-table.js';
import { ensureTable, startEmbeddedDynamoDb } from '../../../src/store/embedded-dynamodb.js';
import type { EmbeddedDynamoDb } from '../../../src/store/embedded-dynamodb.js';
import { executeRemediation } from '../../../src/usecases/execute-remediation.js';
import { ingestFindings } from '../../../src/usecases/ingest-findings.js';
import { planDigest } from '../../../src/usecases/plan-digest.js';
import { prepareRemediation } from '../../../src/usecases/prepare-remediation.js';
import type { RemediationDeps } from '../../../src/usecases/remediation-deps.js';
import {
  LAUNCH_CONFIGURATION_NAME,
  describeAutoScalingGroupsOutput,
  describeLaunchConfigurationsOutput,
  makeLaunchConfigurationFinding,
  makeSdkAutoScalingGroup,
  makeSdkLaunchConfiguration,
  templateSpec,
} from '../../fixtures/autoscaling.js';
import {
  GROUP_ID,
  INSTANCE_ID,
  describeInstancesOutput,
  describeNetworkInterfacesOutput,
  describeRouteTablesOutput,
  describeSecurityGroupRulesOutput,
  describeSecurityGroupsOutput,
  makeSdkEgressRule,
  makeSdkInstance,
  makeSdkNetworkInterface,
  makeSdkRouteTable,
  makeSdkRule,
  makeSdkSecurityGroup,
  modifyInstanceMetadataOptionsOutput,
} from '../../fixtures/ec2.js';
import { ACCOUNT, REGION, makeFinding } from '../../fixtures/finding.js';
import { RecordingResourceClients } from '../../support/account-clients.js';
import { ec2Error } from '../../support/ec2-error.js';
import { FakeSlackApi } from '../../support/fake-slack-api.js';
import { riskDeps } from '../../support/risk-deps.js';

const ALICE = { kind: 'user' as const, userId: 'U0ALICE01', name: 'alice' };
const AUTO = { kind: 'bot' as const, reason: 'auto-remediation, attempt 1 of 3' };

// The default group's rules as EC2 lists them: a self-reference, a restricted inbound rule and both default egress rules.
const SELF = makeSdkRule({
  SecurityGroupRuleId: 'sgr-0d1e2f3a4b5c60011',
  IpProtocol: '-1',
  FromPort: -1,
  ToPort: -1,
  source: { ReferencedGroupInfo: { GroupId: GROUP_ID, UserId: ACCOUNT } },
});
const OFFICE_HTTPS = makeSdkRule({
  SecurityGroupRuleId: 'sgr-0d1e2f3a4b5c60014',
  FromPort: 443,
  ToPort: 443,
  source: { CidrIpv4: '10.0.0.0/8' },
});
const EGRESS_V4 = makeSdkEgressRule({ SecurityGroupRuleId: 'sgr-0d1e2f3a4b5c60012' });
const EGRESS_V6 = makeSdkEgressRule({
  SecurityGroupRuleId: 'sgr-0d1e2f3a4b5c60013',
  source: { CidrIpv6: '::/0' },
});
const OPEN_SSH = makeSdkRule({ SecurityGroupRuleId: 'sgr-0a1b2c3d4e5f60001' });
const OPEN_RDP = makeSdkRule({ SecurityGroupRuleId: 'sgr-0a1b2c3d4e5f60002', FromPort: 3389, ToPort: 3389 });

const slack = new FakeSlackApi();
const ec2 = mockClient(EC2Client);
const autoScaling = mockClient(AutoScalingClient);
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
  autoScaling.restore();
});
beforeEach(() => {
  slack.reset();
  ec2.reset();
  autoScaling.reset();
});

function defaultGroupFinding(): Finding {
  const base = makeFinding();
  return makeFinding({
    id: `arn:aws:securityhub:${REGION}:${ACCOUNT}:security-control/EC2.2/finding/2a3b4c5d-6e7f-4a8b-9c0d-e1f2a3b40002`,
    controlId: 'EC2.2',
    generatorId: 'security-control/EC2.2',
    title: 'VPC default security groups should not allow inbound or outbound traffic',
    resource: { ...base.resource, name: 'default' },
    details: {
      ...(base.details as Extract<Finding['details'], { kind: 'security-group' }>),
      groupName: 'default',
    },
  });
}

/** The group and its rules at each read, in order (plan, then verification…); `interfaces` use the group. */
function groupReads(name: string, interfaces: number, ...answers: SdkSecurityGroupRule[][]): void {
  ec2
    .on(DescribeSecurityGroupsCommand)
    .resolves(describeSecurityGroupsOutput([makeSdkSecurityGroup({ GroupName: name })]));
  const rules = ec2.on(DescribeSecurityGroupRulesCommand);
  for (const answer of answers) rules.resolvesOnce(describeSecurityGroupRulesOutput(answer));
  ec2
    .on(DescribeNetworkInterfacesCommand)
    .resolves(describeNetworkInterfacesOutput(interfaces > 0 ? [makeSdkNetworkInterface()] : []));
  ec2.on(DescribeRouteTablesCommand).resolves(describeRouteTablesOutput([makeSdkRouteTable()]));
}

async function postedFinding(finding: Finding, planOptions: PlanOptions = { imdsHopLimit: 1 }) {
  tables += 1;
  const tableName = `cspm-gate-${tables}`;
  await ensureTable(dynamo.client, tableName);
  const { deps: base, workflow } = riskDeps(createCspmTable(dynamo.client, tableName), slack);
  const clients = new RecordingResourceClients();
  const deps: RemediationDeps = {
    ...base,
    stateReader: new AwsResourceStateReader(clients),
    remediator: new DirectRemediator(clients),
    planOptions,
  };
  await ingestFindings(
    { ...deps, routing: { rules: [], defaultChannel: 'C0FINDINGS' }, severityThreshold: 'HIGH' },
    [{ ok: true, finding }],
  );
  slack.reset();
  return { deps, workflow, findingId: findingKeyOf(finding) };
}

describe('EC2.2: a default security group is emptied, in both directions', () => {
  it('refuses, naming the interfaces, when a network interface uses the group and nobody confirmed it', async () => {
    const { deps, workflow, findingId } = await postedFinding(defaultGroupFinding());
    groupReads(
      'default',
      1,
      [SELF, OFFICE_HTTPS, EGRESS_V4, EGRESS_V6],
      [SELF, OFFICE_HTTPS, EGRESS_V4, EGRESS_V6],
    );

    const prepared = await prepareRemediation(deps, { findingId, userId: 'U0ALICE01' });
    const outcome = await executeRemediation(deps, {
      findingId,
      actor: ALICE,
      ...(prepared.kind === 'plan' && { confirmedPlanDigest: planDigest(prepared.plan) }),
    });

    expect(prepared).toMatchObject({ kind: 'plan', confirmation: { groupId: GROUP_ID } });
    expect(outcome).toEqual({
      kind: 'not-remediable',
      reason: expect.stringContaining(
        `Not run: 1 network interface(s) use ${GROUP_ID} (default): eni-0a1b2c3d4e5f60001 (${INSTANCE_ID})`,
      ),
    });
    expect(ec2).not.toHaveReceivedCommand(RevokeSecurityGroupIngressCommand);
    expect(ec2).not.toHaveReceivedCommand(RevokeSecurityGroupEgressCommand);
    expect(workflow.updates).toEqual([]);
  });

  it('never empties a group in use automatically', async () => {
    const { deps, findingId } = await postedFinding(defaultGroupFinding());
    groupReads('default', 1, [SELF, EGRESS_V4]);

    const outcome = await executeRemediation(deps, { findingId, actor: AUTO });

    expect(outcome.kind).toBe('not-remediable');
    expect(ec2).not.toHaveReceivedCommand(RevokeSecurityGroupIngressCommand);
  });

  it('revokes every rule once the person confirmed the group, and resolves it when none is left', async () => {
    const { deps, workflow, findingId } = await postedFinding(defaultGroupFinding());
    groupReads('default', 1, [SELF, OFFICE_HTTPS, EGRESS_V4, EGRESS_V6], []);
    ec2.on(RevokeSecurityGroupIngressCommand).resolves({ Return: true });
    ec2.on(RevokeSecurityGroupEgressCommand).resolves({ Return: true });

    const outcome = await executeRemediation(deps, { findingId, actor: ALICE, confirmedGroupId: GROUP_ID });

    expect(outcome.kind).toBe('succeeded');
    expect(ec2).toHaveReceivedCommandWith(RevokeSecurityGroupIngressCommand, {
      GroupId: GROUP_ID,
      SecurityGroupRuleIds: ['sgr-0d1e2f3a4b5c60011', 'sgr-0d1e2f3a4b5c60014'],
    });
    expect(ec2).toHaveReceivedCommandWith(RevokeSecurityGroupEgressCommand, {
      GroupId: GROUP_ID,
      SecurityGroupRuleIds: ['sgr-0d1e2f3a4b5c60012', 'sgr-0d1e2f3a4b5c60013'],
    });
    expect(workflow.updates.map((update) => update.status)).toEqual(['RESOLVED']);
  });

  it('does not resolve the finding while any rule is left on the group', async () => {
    const { deps, workflow, findingId } = await postedFinding(defaultGroupFinding());
    groupReads('default', 0, [SELF, EGRESS_V4], [EGRESS_V4]);
    ec2.on(RevokeSecurityGroupIngressCommand).resolves({ Return: true });
    ec2.on(RevokeSecurityGroupEgressCommand).resolves({ Return: true });

    const outcome = await executeRemediation(deps, { findingId, actor: ALICE });

    expect(outcome).toMatchObject({
      kind: 'failed',
      userMessage: expect.stringContaining(
        'EC2.2 would still fail: the default group still has 1 rule(s): outbound all traffic to 0.0.0.0/0',
      ),
    });
    expect(workflow.updates).toEqual([]);
    expect((await deps.findings.get(findingId))?.finding.workflowStatus).not.toBe('RESOLVED');
  });
});

describe('a planned rule that vanished meanwhile', () => {
  it('is re-planned: nothing left open reads as fixed, and the finding is resolved', async () => {
    const { deps, workflow, findingId } = await postedFinding(makeFinding());
    groupReads('web-prod', 0, [OPEN_SSH], [], []);
    ec2
      .on(RevokeSecurityGroupIngressCommand)
      .rejects(
        ec2Error(
          'InvalidSecurityGroupRuleId.NotFound',
          "The security group rule ID 'sgr-0a1b2c3d4e5f60001' does not exist",
        ),
      );

    const outcome = await executeRemediation(deps, { findingId, actor: ALICE });

    expect(outcome.kind).toBe('succeeded');
    expect(outcome.kind === 'succeeded' && outcome.decision.steps).toContainEqual(
      expect.stringContaining('a planned rule was already gone'),
    );
    expect(workflow.updates.map((update) => update.status)).toEqual(['RESOLVED']);
  });

  it('says what is still open and that nothing was changed, never that the group is gone', async () => {
    const { deps, workflow, findingId } = await postedFinding(makeFinding());
    groupReads(
      'web-prod',
      0,
      [OPEN_SSH],
      [OPEN_RDP, makeSdkRule({ SecurityGroupRuleId: 'sgr-0a1b2c3d4e5f60003' })],
    );
    ec2
      .on(RevokeSecurityGroupIngressCommand)
      .rejects(
        ec2Error('InvalidPermission.NotFound', 'The specified rule does not exist in this security group.'),
      );

    const outcome = await executeRemediation(deps, { findingId, actor: ALICE });

    expect(outcome.kind).toBe('failed');
    const message = outcome.kind === 'failed' ? outcome.userMessage : '';
    expect(message).toContain('Nothing was changed.');
    expect(message).toContain(`Still open now: Revoke tcp/22 from 0.0.0.0/0 on ${GROUP_ID} (web-prod)`);
    expect(message).not.toContain('no longer exists');
    expect(workflow.updates).toEqual([]);
  });
});

describe('hop limits', () => {
  const instanceFinding = makeFinding({
    id: `arn:aws:securityhub:${REGION}:${ACCOUNT}:security-control/EC2.8/finding/3b4c5d6e-7f8a-4b9c-8d0e-f1a2b3c40003`,
    controlId: 'EC2.8',
    generatorId: 'security-control/EC2.8',
    title: 'EC2 instances should use Instance Metadata Service Version 2 (IMDSv2)',
    resource: {
      type: 'AwsEc2Instance',
      id: `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/${INSTANCE_ID}`,
      shortId: INSTANCE_ID,
      region: REGION,
      partition: 'aws',
    },
    details: { kind: 'instance', instanceId: INSTANCE_ID, httpTokens: 'optional' },
  });
  const withHopLimit = (tokens: 'optional' | 'required') =>
    describeInstancesOutput([
      makeSdkInstance({
        MetadataOptions: {
          State: 'applied',
          HttpTokens: tokens,
          HttpPutResponseHopLimit: 2,
          HttpEndpoint: 'enabled',
        },
      }),
    ]);

  it('auto-remediation keeps a hop limit of 2 even where the operator configured 1', async () => {
    const { deps, findingId } = await postedFinding(instanceFinding, {
      imdsHopLimit: 1,
      imdsHopLimitSetByOperator: true,
    });
    ec2
      .on(DescribeInstancesCommand)
      .resolvesOnce(withHopLimit('optional'))
      .resolves(withHopLimit('required'));
    ec2
      .on(ModifyInstanceMetadataOptionsCommand)
      .resolves(modifyInstanceMetadataOptionsOutput(INSTANCE_ID, 2));

    const outcome = await executeRemediation(deps, { findingId, actor: AUTO });

    expect(outcome.kind).toBe('succeeded');
    expect(ec2.commandCalls(ModifyInstanceMetadataOptionsCommand)[0]?.args[0].input).toStrictEqual({
      InstanceId: INSTANCE_ID,
      HttpTokens: 'required',
    });
  });

  it('a person applies the operator’s explicit 1, as the confirmed plan said', async () => {
    const { deps, findingId } = await postedFinding(instanceFinding, {
      imdsHopLimit: 1,
      imdsHopLimitSetByOperator: true,
    });
    ec2
      .on(DescribeInstancesCommand)
      .resolvesOnce(withHopLimit('optional'))
      .resolvesOnce(withHopLimit('optional'))
      .resolves(withHopLimit('required'));
    ec2
      .on(ModifyInstanceMetadataOptionsCommand)
      .resolves(modifyInstanceMetadataOptionsOutput(INSTANCE_ID, 1));
    const prepared = await prepareRemediation(deps, { findingId, userId: 'U0ALICE01' });
    if (prepared.kind !== 'plan') throw new Error(`expected a plan, got ${prepared.kind}`);

    const outcome = await executeRemediation(deps, {
      findingId,
      actor: ALICE,
      confirmedPlanDigest: planDigest(prepared.plan),
    });

    expect(prepared.words).toContain('hop limit 2 → 1');
    expect(outcome.kind).toBe('succeeded');
    expect(ec2.commandCalls(ModifyInstanceMetadataOptionsCommand)[0]?.args[0].input).toStrictEqual({
      InstanceId: INSTANCE_ID,
      HttpTokens: 'required',
      HttpPutResponseHopLimit: 1,
    });
  });
});

describe('AutoScaling.3 on an unused launch configuration', () => {
  it('says it is unused and never resolves the finding', async () => {
    const { deps, workflow, findingId } = await postedFinding(makeLaunchConfigurationFinding());
    autoScaling
      .on(DescribeLaunchConfigurationsCommand)
      .resolves(describeLaunchConfigurationsOutput([makeSdkLaunchConfiguration()]));
    autoScaling.on(DescribeAutoScalingGroupsCommand).resolves(describeAutoScalingGroupsOutput([]));
    // No migration made its launch template either.
    ec2
      .on(DescribeLaunchTemplatesCommand)
      .rejects(
        ec2Error(
          'InvalidLaunchTemplateName.NotFoundException',
          'At least one of the launch templates specified in the request does not exist.',
        ),
      );

    const outcome = await executeRemediation(deps, { findingId, actor: ALICE });

    expect(outcome).toEqual({
      kind: 'not-remediable',
      reason: expect.stringContaining(
        'No Auto Scaling group uses legacy-batch-lc-2021; delete it or ignore it.',
      ),
    });
    expect(workflow.updates).toEqual([]);
    expect(await deps.decisions.ofFinding(findingId)).toEqual([]);
  });
});

describe('AutoScaling.3 on a launch configuration a group uses', () => {
  it('never starts an instance refresh for auto-remediation, even when asked to', async () => {
    const { deps, findingId } = await postedFinding(makeLaunchConfigurationFinding());
    let moved = false;
    autoScaling
      .on(DescribeLaunchConfigurationsCommand)
      .resolves(describeLaunchConfigurationsOutput([makeSdkLaunchConfiguration()]));
    autoScaling.on(DescribeAutoScalingGroupsCommand).callsFake(() =>
      describeAutoScalingGroupsOutput([
        makeSdkAutoScalingGroup(
          moved
            ? {
                AutoScalingGroupName: 'batch-a',
                LaunchTemplate: templateSpec('$Default', 'lt-0f1e2d3c4b5a69788'),
              }
            : { AutoScalingGroupName: 'batch-a', LaunchConfigurationName: LAUNCH_CONFIGURATION_NAME },
        ),
      ]),
    );
    autoScaling.on(UpdateAutoScalingGroupCommand).callsFake(() => {
      moved = true;
      return {};
    });
    ec2
      .on(DescribeLaunchTemplatesCommand)
      .rejects(
        ec2Error(
          'InvalidLaunchTemplateName.NotFoundException',
          'At least one of the launch templates specified in the request does not exist.',
        ),
      );
    ec2
      .on(CreateLaunchTemplateCommand)
      .resolves({ LaunchTemplate: { LaunchTemplateId: 'lt-0f1e2d3c4b5a69788' } });

    await executeRemediation(deps, { findingId, actor: AUTO, startInstanceRefresh: true });

    expect(autoScaling).toHaveReceivedCommandTimes(UpdateAutoScalingGroupCommand, 1);
    expect(autoScaling).not.toHaveReceivedCommand(StartInstanceRefreshCommand);
  });
});
