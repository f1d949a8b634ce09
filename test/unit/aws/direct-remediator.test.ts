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
  RemediationIncompleteError,
  RevokeNotConfirmedError,
  SecurityGroupRuleGoneError,
} from '../../../src/aws/remediation-errors.js';
import type { RemediationPlan } from '../../../src/domain/remediation-plan-types.js';
import {
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
  PLAN_REGION,
  RDP_RULE_ID,
  SSH_RULE_ID,
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

/** The plan of the launch template, named so that the steps can name it. */
function templatePlan(pinnedGroups: string[] = []): RemediationPlan {
  return makeLaunchTemplatePlan({ launchTemplateName: LAUNCH_TEMPLATE_NAME, pinnedGroups });
}

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

    it('says the group changed since the plan when a rule id is no longer there', async () => {
      // Prepare
      ec2
        .on(RevokeSecurityGroupIngressCommand)
        .rejects(
          ec2Error(
            'InvalidSecurityGroupRuleId.NotFound',
            `The security group rule ID '${RDP_RULE_ID}' does not exist`,
          ),
        );

      // Act
      const error = await remediator.execute(revokePlan, CONTEXT).catch((caught: unknown) => caught);

      // Assess
      expect(error).toBeInstanceOf(SecurityGroupRuleGoneError);
      const gone = error as SecurityGroupRuleGoneError;
      expect(gone.code).toBe('SECURITY_GROUP_RULE_GONE');
      expect(gone.ruleIds).toEqual([SSH_RULE_ID, RDP_RULE_ID]);
      expect(gone.userMessage).toMatch(/changed the group since the plan/);
      expect(gone.userMessage).toMatch(/nothing was revoked/);
      expect(gone.userMessage).toMatch(/Re-check/);
      expect(gone.userMessage).toContain(`account ${ACCOUNT} (${PLAN_REGION})`);
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
    it('requires tokens with the planned hop limit', async () => {
      ec2
        .on(ModifyInstanceMetadataOptionsCommand)
        .resolves(modifyInstanceMetadataOptionsOutput(INSTANCE_ID, 2));

      const execution = await remediator.execute(instancePlan, CONTEXT);

      expect(ec2.commandCalls(ModifyInstanceMetadataOptionsCommand)[0]?.args[0].input).toStrictEqual({
        InstanceId: INSTANCE_ID,
        HttpTokens: 'required',
        HttpPutResponseHopLimit: 2,
      });
      expect(execution).toEqual({
        executor: 'direct',
        steps: [
          `required IMDSv2 on ${INSTANCE_ID} (HttpTokens required, hop limit 2) (EC2 reports the change as pending)`,
        ],
      });
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

    it('translates an instance that no longer exists', async () => {
      ec2
        .on(ModifyInstanceMetadataOptionsCommand)
        .rejects(ec2Error('InvalidInstanceID.NotFound', `The instance ID '${INSTANCE_ID}' does not exist`));

      await expect(remediator.execute(instancePlan, CONTEXT)).rejects.toBeInstanceOf(
        AwsResourceNotFoundError,
      );
    });
  });

  describe('require-imdsv2-launch-template', () => {
    function templateCalls(): void {
      ec2.on(CreateLaunchTemplateVersionCommand).resolves(createLaunchTemplateVersionOutput(6));
      ec2.on(ModifyLaunchTemplateCommand).resolves(modifyLaunchTemplateOutput(6));
    }

    it('copies the source version into one that requires IMDSv2 and makes it the default', async () => {
      // Prepare
      templateCalls();

      // Act
      const execution = await remediator.execute(templatePlan(), CONTEXT);

      // Assess
      expect(ec2.commandCalls(CreateLaunchTemplateVersionCommand)[0]?.args[0].input).toStrictEqual({
        LaunchTemplateId: LAUNCH_TEMPLATE_ID,
        SourceVersion: '3',
        VersionDescription: 'cspm-bot: require IMDSv2',
        LaunchTemplateData: {
          MetadataOptions: { HttpTokens: 'required', HttpEndpoint: 'enabled', HttpPutResponseHopLimit: 2 },
        },
      });
      expect(ec2.commandCalls(ModifyLaunchTemplateCommand)[0]?.args[0].input).toStrictEqual({
        LaunchTemplateId: LAUNCH_TEMPLATE_ID,
        DefaultVersion: '6',
      });
      expect(autoScaling).not.toHaveReceivedAnyCommand();
      expect(execution).toEqual({
        executor: 'direct',
        steps: [
          `created version 6 of launch template ${LAUNCH_TEMPLATE_ID} (${LAUNCH_TEMPLATE_NAME}) from version 3, requiring IMDSv2 (hop limit 2)`,
          'made version 6 the default: groups on $Default or $Latest launch from it',
          'running instances change when each group next replaces them (instance refresh)',
        ],
      });
    });

    it('points each group still pinned to the source version at the new one, keeping mixed instances policies', async () => {
      // Prepare
      templateCalls();
      autoScaling.on(DescribeAutoScalingGroupsCommand).resolves(
        describeAutoScalingGroupsOutput([
          makeSdkAutoScalingGroup({ AutoScalingGroupName: 'batch-asg', LaunchTemplate: templateSpec('3') }),
          makeSdkMixedInstancesGroup(templateSpec('3'), { AutoScalingGroupName: 'spot-asg' }),
          makeSdkAutoScalingGroup({
            AutoScalingGroupName: 'moved-asg',
            LaunchTemplate: templateSpec('$Default'),
          }),
          makeSdkAutoScalingGroup({
            AutoScalingGroupName: 'elsewhere-asg',
            LaunchTemplate: templateSpec('3', 'lt-0fedcba9876543210'),
          }),
        ]),
      );
      autoScaling.on(UpdateAutoScalingGroupCommand).resolves({});

      // Act
      const execution = await remediator.execute(
        templatePlan(['batch-asg', 'spot-asg', 'moved-asg', 'elsewhere-asg', 'deleted-asg']),
        CONTEXT,
      );

      // Assess
      expect(autoScaling).toHaveReceivedCommandWith(DescribeAutoScalingGroupsCommand, {
        AutoScalingGroupNames: ['batch-asg', 'spot-asg', 'moved-asg', 'elsewhere-asg', 'deleted-asg'],
      });
      expect(
        autoScaling.commandCalls(UpdateAutoScalingGroupCommand).map((call) => call.args[0].input),
      ).toStrictEqual([
        {
          AutoScalingGroupName: 'batch-asg',
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
      expect(execution.steps).toEqual([
        expect.stringMatching(/^created version 6 /),
        'made version 6 the default: groups on $Default or $Latest launch from it',
        'pointed Auto Scaling group batch-asg at version 6',
        'pointed Auto Scaling group spot-asg at version 6',
        'left Auto Scaling group moved-asg alone: it now uses version $Default',
        `left Auto Scaling group elsewhere-asg alone: it no longer launches from ${LAUNCH_TEMPLATE_ID}`,
        'left Auto Scaling group deleted-asg alone: it no longer exists',
        'running instances change when each group next replaces them (instance refresh)',
      ]);
      expect(clients.asked).toEqual([
        `ec2 ${ACCOUNT} ${PLAN_REGION}`,
        `autoScaling ${ACCOUNT} ${PLAN_REGION}`,
      ]);
    });

    it('reports the warnings EC2 gives about the new version', async () => {
      templateCalls();
      ec2.on(CreateLaunchTemplateVersionCommand).resolves({
        ...createLaunchTemplateVersionOutput(6),
        Warning: {
          Errors: [{ Code: 'InvalidKeyPair.NotFound', Message: "The key pair 'web-prod' does not exist" }],
        },
      });

      const execution = await remediator.execute(templatePlan(), CONTEXT);

      expect(execution.steps).toContain(
        "EC2 warned about version 6: InvalidKeyPair.NotFound The key pair 'web-prod' does not exist",
      );
    });

    it('fails plainly when the version cannot be created: nothing changed', async () => {
      ec2
        .on(CreateLaunchTemplateVersionCommand)
        .rejects(ec2Error('UnauthorizedOperation', 'You are not authorized to perform this operation.'));

      const error = await remediator
        .execute(templatePlan(['batch-asg']), CONTEXT)
        .catch((caught: unknown) => caught);

      expect(error).toBeInstanceOf(AwsAccessDeniedError);
      expect(ec2).not.toHaveReceivedCommand(ModifyLaunchTemplateCommand);
    });

    it('says what was already done when making it the default fails', async () => {
      // Prepare
      ec2.on(CreateLaunchTemplateVersionCommand).resolves(createLaunchTemplateVersionOutput(6));
      ec2
        .on(ModifyLaunchTemplateCommand)
        .rejects(ec2Error('UnauthorizedOperation', 'You are not authorized to perform this operation.'));

      // Act
      const error = await remediator
        .execute(templatePlan(['batch-asg']), CONTEXT)
        .catch((caught: unknown) => caught);

      // Assess
      expect(error).toBeInstanceOf(RemediationIncompleteError);
      const incomplete = error as RemediationIncompleteError;
      expect(incomplete.completedSteps).toEqual([expect.stringMatching(/^created version 6 /)]);
      expect(incomplete.cause).toBeInstanceOf(AwsAccessDeniedError);
      expect(incomplete.userMessage).toContain('ModifyLaunchTemplate');
      expect(incomplete.userMessage).toContain('created version 6');
      expect(autoScaling).not.toHaveReceivedAnyCommand();
    });

    it('says what was already done when re-pointing a pinned group fails', async () => {
      templateCalls();
      autoScaling
        .on(DescribeAutoScalingGroupsCommand)
        .resolves(
          describeAutoScalingGroupsOutput([
            makeSdkAutoScalingGroup({ AutoScalingGroupName: 'batch-asg', LaunchTemplate: templateSpec('3') }),
          ]),
        );
      autoScaling.on(UpdateAutoScalingGroupCommand).rejects(
        new AutoScalingServiceException({
          name: 'AccessDenied',
          message: 'User is not authorized to perform: autoscaling:UpdateAutoScalingGroup',
          $fault: 'client',
          $metadata: { httpStatusCode: 403 },
        }),
      );

      const error = await remediator
        .execute(templatePlan(['batch-asg']), CONTEXT)
        .catch((caught: unknown) => caught);

      expect(error).toBeInstanceOf(RemediationIncompleteError);
      expect((error as RemediationIncompleteError).completedSteps).toEqual([
        expect.stringMatching(/^created version 6 /),
        'made version 6 the default: groups on $Default or $Latest launch from it',
      ]);
      expect((error as RemediationIncompleteError).cause).toBeInstanceOf(AwsAccessDeniedError);
    });
  });
});
