import 'aws-sdk-client-mock-vitest/extend';
import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  StartInstanceRefreshCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { CreateLaunchTemplateCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { migrateLaunchConfiguration } from '../../../src/aws/launch-configuration-migrator.js';
import {
  LaunchTemplateGroupsChangedError,
  RemediationIncompleteError,
} from '../../../src/aws/remediation-errors.js';
import {
  MIGRATION_VERSION_DESCRIPTION,
  migratedTemplateName,
  migrationClientToken,
} from '../../../src/domain/launch-configuration-migration.js';
import type { RemediationPlan } from '../../../src/domain/remediation-plan-types.js';
import {
  LAUNCH_CONFIGURATION_NAME,
  describeAutoScalingGroupsOutput,
  makeSdkAutoScalingGroup,
} from '../../fixtures/autoscaling.js';
import { ACCOUNT, REGION } from '../../fixtures/finding.js';

const ec2 = mockClient(EC2Client);
const autoScaling = mockClient(AutoScalingClient);
const TEMPLATE_ID = 'lt-0f1e2d3c4b5a69788';

const PLAN: Extract<RemediationPlan, { kind: 'migrate-launch-configuration' }> = {
  kind: 'migrate-launch-configuration',
  accountId: ACCOUNT,
  region: REGION,
  launchConfigurationName: LAUNCH_CONFIGURATION_NAME,
  launchTemplateName: migratedTemplateName(LAUNCH_CONFIGURATION_NAME),
  launchTemplateData: {
    ImageId: 'ami-0528a5175983e7f28',
    InstanceType: 'm5.large',
    UserData: 'IyEvYmluL2Jhc2gKZWNobyBoZWxsbw==',
    NetworkInterfaces: [
      {
        DeviceIndex: 0,
        AssociatePublicIpAddress: false,
        Groups: ['sg-05eaec502fcdadc2e'],
        DeleteOnTermination: true,
      },
    ],
    MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 1, HttpEndpoint: 'enabled' },
  },
  httpPutResponseHopLimit: 1,
  hopLimitBefore: 1,
  groups: ['batch-a', 'batch-c'],
  startInstanceRefresh: false,
};

function groupsOnTheConfiguration(): void {
  autoScaling.on(DescribeAutoScalingGroupsCommand).resolves(
    describeAutoScalingGroupsOutput([
      makeSdkAutoScalingGroup({
        AutoScalingGroupName: 'batch-a',
        LaunchConfigurationName: LAUNCH_CONFIGURATION_NAME,
      }),
      makeSdkAutoScalingGroup({
        AutoScalingGroupName: 'batch-c',
        LaunchConfigurationName: LAUNCH_CONFIGURATION_NAME,
      }),
    ]),
  );
}

describe('migrateLaunchConfiguration', () => {
  beforeEach(() => {
    ec2.reset();
    autoScaling.reset();
    ec2.on(CreateLaunchTemplateCommand).resolves({
      LaunchTemplate: {
        LaunchTemplateId: TEMPLATE_ID,
        LaunchTemplateName: PLAN.launchTemplateName,
        DefaultVersionNumber: 1,
        LatestVersionNumber: 1,
      },
    });
    autoScaling.on(UpdateAutoScalingGroupCommand).resolves({});
    autoScaling
      .on(StartInstanceRefreshCommand)
      .resolves({ InstanceRefreshId: '08b91cf7-8fa6-48af-b6a6-d227f40f1b9b' });
  });

  it('creates the template exactly as planned, idempotently, then moves each group to its $Default and nothing else', async () => {
    groupsOnTheConfiguration();

    const steps = await migrateLaunchConfiguration(new EC2Client({}), new AutoScalingClient({}), PLAN);

    expect(ec2).toHaveReceivedCommandTimes(CreateLaunchTemplateCommand, 1);
    expect(ec2).toHaveReceivedCommandWith(CreateLaunchTemplateCommand, {
      LaunchTemplateName: PLAN.launchTemplateName,
      ClientToken: migrationClientToken(PLAN, PLAN.launchTemplateName, PLAN.launchTemplateData),
      VersionDescription: MIGRATION_VERSION_DESCRIPTION,
      LaunchTemplateData: PLAN.launchTemplateData as never,
    });
    expect(autoScaling.commandCalls(UpdateAutoScalingGroupCommand).map((call) => call.args[0].input)).toEqual(
      [
        {
          AutoScalingGroupName: 'batch-a',
          LaunchTemplate: { LaunchTemplateId: TEMPLATE_ID, Version: '$Default' },
        },
        {
          AutoScalingGroupName: 'batch-c',
          LaunchTemplate: { LaunchTemplateId: TEMPLATE_ID, Version: '$Default' },
        },
      ],
    );
    expect(autoScaling).not.toHaveReceivedCommand(StartInstanceRefreshCommand);
    expect(steps.at(-1)).toBe(
      'running instances keep their settings until each group replaces them (no instance refresh asked)',
    );
  });

  it('starts a rolling instance refresh on each group only when the person asked for it', async () => {
    groupsOnTheConfiguration();

    await migrateLaunchConfiguration(new EC2Client({}), new AutoScalingClient({}), {
      ...PLAN,
      startInstanceRefresh: true,
    });

    expect(autoScaling.commandCalls(StartInstanceRefreshCommand).map((call) => call.args[0].input)).toEqual([
      { AutoScalingGroupName: 'batch-a', Strategy: 'Rolling' },
      { AutoScalingGroupName: 'batch-c', Strategy: 'Rolling' },
    ]);
  });

  it('reuses the template an earlier run made, creating none', async () => {
    groupsOnTheConfiguration();

    const steps = await migrateLaunchConfiguration(new EC2Client({}), new AutoScalingClient({}), {
      ...PLAN,
      existingLaunchTemplateId: TEMPLATE_ID,
    });

    expect(ec2).not.toHaveReceivedCommand(CreateLaunchTemplateCommand);
    expect(autoScaling).toHaveReceivedCommandTimes(UpdateAutoScalingGroupCommand, 2);
    expect(steps[0]).toContain('reused launch template');
  });

  it('changes nothing when a planned group left the configuration since the plan', async () => {
    autoScaling.on(DescribeAutoScalingGroupsCommand).resolves(
      describeAutoScalingGroupsOutput([
        makeSdkAutoScalingGroup({
          AutoScalingGroupName: 'batch-a',
          LaunchConfigurationName: LAUNCH_CONFIGURATION_NAME,
        }),
        makeSdkAutoScalingGroup({ AutoScalingGroupName: 'batch-c' }),
      ]),
    );

    const error = await migrateLaunchConfiguration(new EC2Client({}), new AutoScalingClient({}), PLAN).catch(
      (caught: unknown) => caught,
    );

    expect(error).toBeInstanceOf(LaunchTemplateGroupsChangedError);
    expect(ec2).not.toHaveReceivedCommand(CreateLaunchTemplateCommand);
    expect(autoScaling).not.toHaveReceivedCommand(UpdateAutoScalingGroupCommand);
  });

  it('says what it had done when a later group fails', async () => {
    groupsOnTheConfiguration();
    autoScaling
      .on(UpdateAutoScalingGroupCommand, { AutoScalingGroupName: 'batch-c' })
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ValidationError' }));

    const error = await migrateLaunchConfiguration(new EC2Client({}), new AutoScalingClient({}), PLAN).catch(
      (caught: unknown) => caught,
    );

    expect(error).toBeInstanceOf(RemediationIncompleteError);
    expect((error as RemediationIncompleteError).completedSteps).toHaveLength(2);
  });
});
