import 'aws-sdk-client-mock-vitest/extend';
import {
  AutoScalingClient,
  AutoScalingServiceException,
  DescribeAutoScalingGroupsCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  CreateLaunchTemplateVersionCommand,
  EC2Client,
  ModifyInstanceMetadataOptionsCommand,
  ModifyLaunchTemplateCommand,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DirectRemediator } from '../../../src/aws/direct-remediator.js';
import {
  AwsAccessDeniedError,
  AwsResourceNotFoundError,
  AwsThrottledError,
  AwsUnexpectedResponseError,
} from '../../../src/aws/errors.js';
import {
  LaunchTemplateGroupsChangedError,
  RemediationIncompleteError,
  RevokeNotConfirmedError,
  SecurityGroupRuleGoneError,
} from '../../../src/aws/remediation-errors.js';
import type { PlannedGroupChange } from '../../../src/domain/remediation-plan-types.js';
import {
  GROUP_NAME,
  LAUNCH_TEMPLATE_ID,
  LAUNCH_TEMPLATE_NAME,
  createLaunchTemplateVersionOutput,
  describeAutoScalingGroupsOutput,
  makeSdkAutoScalingGroup,
  makeSdkMixedInstancesGroup,
  modifyLaunchTemplateOutput,
  templateSpec,
} from '../../fixtures/autoscaling.js';
import {
  GROUP_ID,
  INSTANCE_ID,
  makeSdkRule,
  modifyInstanceMetadataOptionsOutput,
  revokeSecurityGroupIngressOutput,
} from '../../fixtures/ec2.js';
import { ACCOUNT } from '../../fixtures/finding.js';
import {
  DEFAULT_GROUP_ID,
  EGRESS_RULE_ID,
  EGRESS_V6_RULE_ID,
  PLAN_REGION,
  RDP_RULE_ID,
  SELF_RULE_ID,
  SSH_RULE_ID,
  makeDefaultGroupPlan,
  makeInstancePlan,
  makeLaunchTemplatePlan,
  revokePlan,
} from '../../fixtures/remediation-plan.js';
import { RecordingResourceClients } from '../../support/account-clients.js';
import { ec2Error } from '../../support/ec2-error.js';

const ec2 = mockClient(EC2Client);
const autoScaling = mockClient(AutoScalingClient);

const CONTEXT = { findingId: 'finding-1', decisionId: 'decision-1' };
const instancePlan = makeInstancePlan();

let clients: RecordingResourceClients;
let remediator: DirectRemediator;

beforeEach(() => {
  ec2.reset();
  autoScaling.reset();
  clients = new RecordingResourceClients();
  remediator = new DirectRemediator(clients);
});

describe('DirectRemediator', () => {
  describe('revoke-ingress', () => {
    const revokedBoth = revokeSecurityGroupIngressOutput([
      makeSdkRule(),
      makeSdkRule({
        SecurityGroupRuleId: RDP_RULE_ID,
        FromPort: 3389,
        ToPort: 3389,
        source: { CidrIpv6: '::/0' },
      }),
    ]);

    it('revokes exactly the planned rule ids and nothing else, in the plan account and region', async () => {
      // Prepare
      ec2.on(RevokeSecurityGroupIngressCommand).resolves(revokedBoth);

      // Act
      const execution = await remediator.execute(revokePlan, CONTEXT);

      // Assess
      const calls = ec2.commandCalls(RevokeSecurityGroupIngressCommand);
      expect(calls).toHaveLength(1);
      expect(calls[0]?.args[0].input).toStrictEqual({
        GroupId: GROUP_ID,
        SecurityGroupRuleIds: [SSH_RULE_ID, RDP_RULE_ID],
      });
      expect(clients.asked).toEqual([`ec2 ${ACCOUNT} ${PLAN_REGION}`]);
      expect(execution).toEqual({
        executor: 'direct',
        steps: [
          `revoked ${SSH_RULE_ID} (tcp/22 from 0.0.0.0/0) from ${GROUP_ID} (web-prod)`,
          `revoked ${RDP_RULE_ID} (tcp/3389 from ::/0) from ${GROUP_ID} (web-prod)`,
        ],
      });
    });

    it.each([
      ['Return: false', { Return: false }],
      [
        'unknown IP permissions',
        {
          Return: true,
          UnknownIpPermissions: [
            { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
          ],
        },
      ],
      ['a planned rule missing from the revoked ones', revokeSecurityGroupIngressOutput([makeSdkRule()])],
    ])('fails when EC2 answers with %s', async (_label, output) => {
      ec2.on(RevokeSecurityGroupIngressCommand).resolves(output);

      const error = await remediator.execute(revokePlan, CONTEXT).catch((caught: unknown) => caught);

      expect(error).toBeInstanceOf(RevokeNotConfirmedError);
      expect((error as RevokeNotConfirmedError).userMessage).toContain(GROUP_ID);
    });

    it.each(['InvalidSecurityGroupRuleId.NotFound', 'InvalidPermission.NotFound'])(
      'says a rule vanished (%s) while the group still exists, and that nothing was revoked',
      async (code) => {
        // Prepare
        ec2
          .on(RevokeSecurityGroupIngressCommand)
          .rejects(ec2Error(code, `The security group rule ID '${RDP_RULE_ID}' does not exist`));

        // Act
        const error = await remediator.execute(revokePlan, CONTEXT).catch((caught: unknown) => caught);

        // Assess
        expect(error).toBeInstanceOf(SecurityGroupRuleGoneError);
        const gone = error as SecurityGroupRuleGoneError;
        expect(gone.code).toBe('SECURITY_GROUP_RULE_GONE');
        expect(gone.awsErrorName).toBe(code);
        expect(gone.ruleIds).toEqual([SSH_RULE_ID, RDP_RULE_ID]);
        expect(gone.userMessage).toContain('the group still exists');
        expect(gone.userMessage).toContain('this revocation changed nothing');
        expect(gone.userMessage).not.toContain('no longer exists in');
        expect(gone.userMessage).toContain(`account ${ACCOUNT} (${PLAN_REGION})`);
      },
    );

    it('says the group itself is gone, and that nothing needs fixing, on InvalidGroup.NotFound', async () => {
      ec2
        .on(RevokeSecurityGroupIngressCommand)
        .rejects(ec2Error('InvalidGroup.NotFound', `The security group '${GROUP_ID}' does not exist`));

      const error = await remediator.execute(revokePlan, CONTEXT).catch((caught: unknown) => caught);

      expect(error).toBeInstanceOf(AwsResourceNotFoundError);
      expect((error as AwsResourceNotFoundError).userMessage).toBe(
        `Security group ${GROUP_ID} no longer exists in account ${ACCOUNT} (${PLAN_REGION}): it was deleted since ` +
          'the finding was raised. Security Hub archives the finding at its next check; nothing needs fixing.',
      );
    });

    it.each([
      ['UnauthorizedOperation', AwsAccessDeniedError],
      ['RequestLimitExceeded', AwsThrottledError],
      ['InvalidGroup.NotFound', AwsResourceNotFoundError],
    ])('translates %s', async (name, type) => {
      ec2.on(RevokeSecurityGroupIngressCommand).rejects(ec2Error(name, 'refused'));

      await expect(remediator.execute(revokePlan, CONTEXT)).rejects.toBeInstanceOf(type);
    });

    it('calls nothing for a plan without rules', async () => {
      const execution = await remediator.execute({ ...revokePlan, revocations: [] }, CONTEXT);

      expect(ec2).not.toHaveReceivedCommand(RevokeSecurityGroupIngressCommand);
      expect(execution.steps).toEqual([
        `nothing to revoke in ${GROUP_ID} (web-prod): the plan lists no rules`,
      ]);
    });
  });

  describe('require-imdsv2-instance', () => {
    it('sends only HttpTokens when the hop limit stays, never HttpEndpoint', async () => {
      ec2
        .on(ModifyInstanceMetadataOptionsCommand)
        .resolves(modifyInstanceMetadataOptionsOutput(INSTANCE_ID, 2));

      const execution = await remediator.execute(instancePlan, CONTEXT);

      expect(ec2).toHaveReceivedCommandTimes(ModifyInstanceMetadataOptionsCommand, 1);
      expect(ec2.commandCalls(ModifyInstanceMetadataOptionsCommand)[0]?.args[0].input).toStrictEqual({
        InstanceId: INSTANCE_ID,
        HttpTokens: 'required',
      });
      expect(execution).toEqual({
        executor: 'direct',
        steps: [
          `required IMDSv2 on ${INSTANCE_ID} (HttpTokens required, hop limit 2 unchanged) (EC2 reports the change as pending)`,
        ],
      });
    });

    it('sends the hop limit too when the plan changes it', async () => {
      ec2
        .on(ModifyInstanceMetadataOptionsCommand)
        .resolves(modifyInstanceMetadataOptionsOutput(INSTANCE_ID, 1));

      const execution = await remediator.execute(
        makeInstancePlan({ hopLimitBefore: 2, httpPutResponseHopLimit: 1 }),
        CONTEXT,
      );

      expect(ec2.commandCalls(ModifyInstanceMetadataOptionsCommand)[0]?.args[0].input).toStrictEqual({
        InstanceId: INSTANCE_ID,
        HttpTokens: 'required',
        HttpPutResponseHopLimit: 1,
      });
      expect(execution.steps[0]).toContain('hop limit 2 → 1');
    });

    it('fails when EC2 answers with tokens still optional', async () => {
      const output = modifyInstanceMetadataOptionsOutput(INSTANCE_ID, 2);
      ec2.on(ModifyInstanceMetadataOptionsCommand).resolves({
        ...output,
        InstanceMetadataOptions: { ...output.InstanceMetadataOptions, HttpTokens: 'optional' },
      });

      await expect(remediator.execute(instancePlan, CONTEXT)).rejects.toBeInstanceOf(
        AwsUnexpectedResponseError,
      );
    });

    it('translates an instance that no longer exists, in words about the instance', async () => {
      ec2
        .on(ModifyInstanceMetadataOptionsCommand)
        .rejects(ec2Error('InvalidInstanceID.NotFound', `The instance ID '${INSTANCE_ID}' does not exist`));

      const error = await remediator.execute(instancePlan, CONTEXT).catch((caught: unknown) => caught);

      expect(error).toBeInstanceOf(AwsResourceNotFoundError);
      expect((error as AwsResourceNotFoundError).userMessage).toBe(
        `Instance ${INSTANCE_ID} no longer exists in account ${ACCOUNT} (${PLAN_REGION}) (terminated). ` +
          'Security Hub archives the finding at its next check; nothing needs fixing.',
      );
    });
  });

  describe('empty-default-group', () => {
    const plan = makeDefaultGroupPlan();

    it('revokes every inbound and then every outbound rule by id, and nothing else', async () => {
      // Prepare
      ec2.on(RevokeSecurityGroupIngressCommand).resolves({ Return: true });
      ec2.on(RevokeSecurityGroupEgressCommand).resolves({ Return: true });

      // Act
      const execution = await remediator.execute(plan, CONTEXT);

      // Assess
      expect(ec2).toHaveReceivedCommandTimes(RevokeSecurityGroupIngressCommand, 1);
      expect(ec2).toHaveReceivedCommandWith(RevokeSecurityGroupIngressCommand, {
        GroupId: DEFAULT_GROUP_ID,
        SecurityGroupRuleIds: [SELF_RULE_ID],
      });
      expect(ec2).toHaveReceivedCommandTimes(RevokeSecurityGroupEgressCommand, 1);
      expect(ec2.commandCalls(RevokeSecurityGroupEgressCommand)[0]?.args[0].input).toStrictEqual({
        GroupId: DEFAULT_GROUP_ID,
        SecurityGroupRuleIds: [EGRESS_RULE_ID, EGRESS_V6_RULE_ID],
      });
      expect(execution.steps).toEqual([
        `revoked ${SELF_RULE_ID} (inbound all traffic from ${DEFAULT_GROUP_ID}) from ${DEFAULT_GROUP_ID} (default)`,
        `revoked ${EGRESS_RULE_ID} (outbound all traffic to 0.0.0.0/0) from ${DEFAULT_GROUP_ID} (default)`,
        `revoked ${EGRESS_V6_RULE_ID} (outbound all traffic to ::/0) from ${DEFAULT_GROUP_ID} (default)`,
      ]);
    });

    it('skips a direction without rules', async () => {
      ec2.on(RevokeSecurityGroupEgressCommand).resolves({ Return: true });

      await remediator.execute(makeDefaultGroupPlan({ ingress: [] }), CONTEXT);

      expect(ec2).not.toHaveReceivedCommand(RevokeSecurityGroupIngressCommand);
      expect(ec2).toHaveReceivedCommandTimes(RevokeSecurityGroupEgressCommand, 1);
    });

    it('says the inbound rules went when an outbound rule vanished meanwhile', async () => {
      ec2.on(RevokeSecurityGroupIngressCommand).resolves({ Return: true });
      ec2
        .on(RevokeSecurityGroupEgressCommand)
        .rejects(
          ec2Error(
            'InvalidSecurityGroupRuleId.NotFound',
            `The security group rule ID '${EGRESS_V6_RULE_ID}' does not exist`,
          ),
        );

      const error = await remediator.execute(plan, CONTEXT).catch((caught: unknown) => caught);

      expect(error).toBeInstanceOf(RemediationIncompleteError);
      const incomplete = error as RemediationIncompleteError;
      expect(incomplete.completedSteps).toEqual([expect.stringContaining(`revoked ${SELF_RULE_ID}`)]);
      expect(incomplete.cause).toBeInstanceOf(SecurityGroupRuleGoneError);
      expect((incomplete.cause as SecurityGroupRuleGoneError).ruleIds).toEqual([
        EGRESS_RULE_ID,
        EGRESS_V6_RULE_ID,
      ]);
    });
  });

  describe('require-imdsv2-launch-template', () => {
    /**
     * The template's default is 3 and its latest 5. web-prod-asg (the finding's) follows `$Default`, batch-asg
     * `$Latest`; canary-asg and spot-asg (mixed instances) are pinned to 3, old-asg to 2.
     */
    const groups: PlannedGroupChange[] = [
      {
        groupName: GROUP_NAME,
        versionBefore: '$Default',
        runs: 3,
        change: 'follows-new',
        mixedInstancesPolicy: false,
      },
      {
        groupName: 'batch-asg',
        versionBefore: '$Latest',
        runs: 5,
        change: 'pin',
        mixedInstancesPolicy: false,
      },
      {
        groupName: 'canary-asg',
        versionBefore: '3',
        runs: 3,
        change: 'point-to-new',
        mixedInstancesPolicy: false,
      },
      {
        groupName: 'spot-asg',
        versionBefore: '3',
        runs: 3,
        change: 'point-to-new',
        mixedInstancesPolicy: true,
      },
      { groupName: 'old-asg', versionBefore: '2', runs: 2, change: 'unchanged', mixedInstancesPolicy: false },
    ];
    const sdkGroups = [
      makeSdkAutoScalingGroup({ AutoScalingGroupName: GROUP_NAME, LaunchTemplate: templateSpec('$Default') }),
      makeSdkAutoScalingGroup({ AutoScalingGroupName: 'batch-asg', LaunchTemplate: templateSpec('$Latest') }),
      makeSdkAutoScalingGroup({ AutoScalingGroupName: 'canary-asg', LaunchTemplate: templateSpec('3') }),
      makeSdkMixedInstancesGroup(templateSpec('3'), { AutoScalingGroupName: 'spot-asg' }),
    ];
    const plan = makeLaunchTemplatePlan({
      launchTemplateName: LAUNCH_TEMPLATE_NAME,
      keptMetadataOptions: {
        httpEndpoint: 'disabled',
        httpProtocolIpv6: 'enabled',
        instanceMetadataTags: 'enabled',
      },
      groups,
    });

    function templateCalls(): void {
      ec2.on(CreateLaunchTemplateVersionCommand).resolves(createLaunchTemplateVersionOutput(6));
      ec2.on(ModifyLaunchTemplateCommand).resolves(modifyLaunchTemplateOutput(6));
      autoScaling.on(DescribeAutoScalingGroupsCommand).resolves(describeAutoScalingGroupsOutput(sdkGroups));
      autoScaling.on(UpdateAutoScalingGroupCommand).resolves({});
    }

    it('pins $Latest groups first, copies the version with every metadata option kept, then re-points the groups that ran it', async () => {
      // Prepare
      templateCalls();

      // Act
      const execution = await remediator.execute(plan, CONTEXT);

      // Assess
      expect(autoScaling).toHaveReceivedCommandWith(DescribeAutoScalingGroupsCommand, {
        AutoScalingGroupNames: [GROUP_NAME, 'batch-asg', 'canary-asg', 'spot-asg'],
      });
      expect(ec2.commandCalls(CreateLaunchTemplateVersionCommand)[0]?.args[0].input).toStrictEqual({
        LaunchTemplateId: LAUNCH_TEMPLATE_ID,
        SourceVersion: '3',
        VersionDescription: 'cspm-bot: require IMDSv2',
        LaunchTemplateData: {
          MetadataOptions: {
            HttpTokens: 'required',
            HttpPutResponseHopLimit: 2,
            HttpEndpoint: 'disabled',
            HttpProtocolIpv6: 'enabled',
            InstanceMetadataTags: 'enabled',
          },
        },
      });
      expect(ec2.commandCalls(ModifyLaunchTemplateCommand)[0]?.args[0].input).toStrictEqual({
        LaunchTemplateId: LAUNCH_TEMPLATE_ID,
        DefaultVersion: '6',
      });
      const updates = autoScaling.commandCalls(UpdateAutoScalingGroupCommand);
      expect(updates.map((call) => call.args[0].input)).toStrictEqual([
        {
          AutoScalingGroupName: 'batch-asg',
          LaunchTemplate: { LaunchTemplateId: LAUNCH_TEMPLATE_ID, Version: '5' },
        },
        {
          AutoScalingGroupName: 'canary-asg',
          LaunchTemplate: { LaunchTemplateId: LAUNCH_TEMPLATE_ID, Version: '6' },
        },
        {
          AutoScalingGroupName: 'spot-asg',
          MixedInstancesPolicy: {
            LaunchTemplate: {
              LaunchTemplateSpecification: { LaunchTemplateId: LAUNCH_TEMPLATE_ID, Version: '6' },
            },
          },
        },
      ]);
      // batch-asg is pinned before the new version moves $Latest under it.
      expect(updates[0]!.calledBefore(ec2.commandCalls(CreateLaunchTemplateVersionCommand)[0]!)).toBe(true);
      expect(execution.steps).toEqual([
        'pinned Auto Scaling group batch-asg to version 5 (it followed $Latest; what it runs is unchanged)',
        `created version 6 of launch template ${LAUNCH_TEMPLATE_ID} (${LAUNCH_TEMPLATE_NAME}) from version 3, requiring IMDSv2 (hop limit 2; other metadata options as in version 3)`,
        `made version 6 the default version of ${LAUNCH_TEMPLATE_ID} (${LAUNCH_TEMPLATE_NAME})`,
        'pointed Auto Scaling group canary-asg: version 3 → version 6 (copy of 3 with IMDSv2 required)',
        'pointed Auto Scaling group spot-asg: version 3 → version 6 (copy of 3 with IMDSv2 required)',
        `Auto Scaling group ${GROUP_NAME}: $Default (version 3) → $Default = version 6 (copy of 3 with IMDSv2 required)`,
        'running instances change when each group next replaces them (instance refresh)',
      ]);
    });

    it('keeps the default version when the plan says so', async () => {
      templateCalls();

      await remediator.execute(
        makeLaunchTemplatePlan({
          makeDefault: false,
          groups: [
            {
              groupName: 'canary-asg',
              versionBefore: '3',
              runs: 3,
              change: 'point-to-new',
              mixedInstancesPolicy: false,
            },
          ],
        }),
        CONTEXT,
      );

      expect(ec2).not.toHaveReceivedCommand(ModifyLaunchTemplateCommand);
      expect(autoScaling).toHaveReceivedCommandTimes(UpdateAutoScalingGroupCommand, 1);
      expect(autoScaling).toHaveReceivedCommandWith(UpdateAutoScalingGroupCommand, {
        AutoScalingGroupName: 'canary-asg',
        LaunchTemplate: { LaunchTemplateId: LAUNCH_TEMPLATE_ID, Version: '6' },
      });
    });

    it('changes nothing when a group no longer uses what the plan says', async () => {
      templateCalls();
      autoScaling
        .on(DescribeAutoScalingGroupsCommand)
        .resolves(
          describeAutoScalingGroupsOutput([
            sdkGroups[0]!,
            makeSdkAutoScalingGroup({ AutoScalingGroupName: 'batch-asg', LaunchTemplate: templateSpec('4') }),
            sdkGroups[2]!,
          ]),
        );

      const error = await remediator.execute(plan, CONTEXT).catch((caught: unknown) => caught);

      expect(error).toBeInstanceOf(LaunchTemplateGroupsChangedError);
      expect((error as LaunchTemplateGroupsChangedError).changes).toEqual([
        'batch-asg now uses 4 instead of $Latest',
        'spot-asg no longer exists',
      ]);
      expect((error as LaunchTemplateGroupsChangedError).userMessage).toContain('so nothing was changed');
      expect(ec2).not.toHaveReceivedAnyCommand();
      expect(autoScaling).not.toHaveReceivedCommand(UpdateAutoScalingGroupCommand);
    });

    it('reports the warnings EC2 gives about the new version', async () => {
      templateCalls();
      ec2.on(CreateLaunchTemplateVersionCommand).resolves({
        ...createLaunchTemplateVersionOutput(6),
        Warning: {
          Errors: [{ Code: 'InvalidKeyPair.NotFound', Message: "The key pair 'web-prod' does not exist" }],
        },
      });

      const execution = await remediator.execute(plan, CONTEXT);

      expect(execution.steps).toContain(
        "EC2 warned about version 6: InvalidKeyPair.NotFound The key pair 'web-prod' does not exist",
      );
    });

    it('fails plainly when the version cannot be created and no group had to be pinned: nothing changed', async () => {
      templateCalls();
      ec2
        .on(CreateLaunchTemplateVersionCommand)
        .rejects(ec2Error('UnauthorizedOperation', 'You are not authorized to perform this operation.'));

      const error = await remediator
        .execute(makeLaunchTemplatePlan(), CONTEXT)
        .catch((caught: unknown) => caught);

      expect(error).toBeInstanceOf(AwsAccessDeniedError);
      expect(ec2).not.toHaveReceivedCommand(ModifyLaunchTemplateCommand);
    });

    it('says which groups were already pinned when the version cannot be created', async () => {
      templateCalls();
      ec2
        .on(CreateLaunchTemplateVersionCommand)
        .rejects(
          ec2Error('InvalidLaunchTemplateId.VersionNotFound', 'Could not find launch template version 3'),
        );

      const error = await remediator.execute(plan, CONTEXT).catch((caught: unknown) => caught);

      expect(error).toBeInstanceOf(RemediationIncompleteError);
      const incomplete = error as RemediationIncompleteError;
      expect(incomplete.completedSteps).toEqual([
        expect.stringMatching(/^pinned Auto Scaling group batch-asg to version 5/),
      ]);
      expect(incomplete.userMessage).toContain(
        `The launch template version the bot works from (${LAUNCH_TEMPLATE_ID}) no longer exists`,
      );
      expect(ec2).not.toHaveReceivedCommand(ModifyLaunchTemplateCommand);
    });

    it('says what was already done when making it the default fails', async () => {
      // Prepare
      templateCalls();
      ec2
        .on(ModifyLaunchTemplateCommand)
        .rejects(ec2Error('UnauthorizedOperation', 'You are not authorized to perform this operation.'));

      // Act
      const error = await remediator
        .execute(makeLaunchTemplatePlan(), CONTEXT)
        .catch((caught: unknown) => caught);

      // Assess
      expect(error).toBeInstanceOf(RemediationIncompleteError);
      const incomplete = error as RemediationIncompleteError;
      expect(incomplete.completedSteps).toEqual([expect.stringMatching(/^created version 6 /)]);
      expect(incomplete.cause).toBeInstanceOf(AwsAccessDeniedError);
      expect(incomplete.userMessage).toContain('ModifyLaunchTemplate');
      expect(incomplete.userMessage).toContain('created version 6');
    });

    it('says the group is gone, in words about the group, when Auto Scaling no longer knows it', async () => {
      templateCalls();
      autoScaling.on(UpdateAutoScalingGroupCommand, { AutoScalingGroupName: 'canary-asg' }).rejects(
        new AutoScalingServiceException({
          name: 'ValidationError',
          message: 'AutoScalingGroup name not found - null',
          $fault: 'client',
          $metadata: { httpStatusCode: 400 },
        }),
      );

      const error = await remediator.execute(plan, CONTEXT).catch((caught: unknown) => caught);

      expect(error).toBeInstanceOf(RemediationIncompleteError);
      const incomplete = error as RemediationIncompleteError;
      expect(incomplete.completedSteps).toEqual([
        expect.stringMatching(/^pinned Auto Scaling group batch-asg/),
        expect.stringMatching(/^created version 6 /),
        expect.stringMatching(/^made version 6 the default/),
      ]);
      expect(incomplete.cause).toBeInstanceOf(AwsResourceNotFoundError);
      expect((incomplete.cause as AwsResourceNotFoundError).missing).toBe('auto-scaling-group');
      expect(incomplete.userMessage).toContain(
        `Auto Scaling group canary-asg no longer exists in account ${ACCOUNT}`,
      );
    });
  });
});
