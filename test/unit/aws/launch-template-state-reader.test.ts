import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import {
  DescribeLaunchTemplateVersionsCommand,
  DescribeLaunchTemplatesCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import type { DescribeLaunchTemplateVersionsRequest } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { AwsResourceStateReader } from '../../../src/aws/resource-state-reader.js';
import {
  LAUNCH_TEMPLATE_ID,
  LAUNCH_TEMPLATE_NAME,
  makeLaunchTemplateFinding,
  makeSdkAutoScalingGroup,
  makeSdkLaunchTemplate,
  makeSdkLaunchTemplateVersion,
  templateSpec,
} from '../../fixtures/autoscaling.js';
import { RecordingResourceClients } from '../../support/account-clients.js';
import { ec2Error } from '../../support/ec2-error.js';

const ec2 = mockClient(EC2Client);
const autoScaling = mockClient(AutoScalingClient);
const reader = new AwsResourceStateReader(new RecordingResourceClients());

beforeEach(() => {
  ec2.reset();
  autoScaling.reset();
});
afterAll(() => {
  ec2.restore();
  autoScaling.restore();
});

describe('reading an EC2.170 finding’s launch template', () => {
  it('reads the template by the id in the finding, its default version and the version every group runs', async () => {
    ec2.on(DescribeLaunchTemplatesCommand).resolves({ LaunchTemplates: [makeSdkLaunchTemplate()] });
    ec2
      .on(DescribeLaunchTemplateVersionsCommand)
      .callsFake((input: DescribeLaunchTemplateVersionsRequest) => ({
        LaunchTemplateVersions: (input.Versions ?? []).map((version) =>
          makeSdkLaunchTemplateVersion(Number(version)),
        ),
      }));
    autoScaling.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [
        makeSdkAutoScalingGroup({
          AutoScalingGroupName: 'canary-asg',
          LaunchTemplate: templateSpec('$Latest'),
        }),
        makeSdkAutoScalingGroup({
          AutoScalingGroupName: 'other-asg',
          LaunchTemplate: templateSpec('1', 'lt-0ffff'),
        }),
      ],
    });

    const current = await reader.read(makeLaunchTemplateFinding());

    expect(ec2.commandCalls(DescribeLaunchTemplatesCommand)[0]?.args[0].input).toEqual({
      LaunchTemplateIds: [LAUNCH_TEMPLATE_ID],
    });
    expect(ec2.commandCalls(DescribeLaunchTemplateVersionsCommand)[0]?.args[0].input.Versions).toEqual([
      '3',
      '5',
    ]);
    expect(current).toEqual({
      kind: 'launch-template',
      template: {
        launchTemplateId: LAUNCH_TEMPLATE_ID,
        launchTemplateName: LAUNCH_TEMPLATE_NAME,
        defaultVersion: 3,
        latestVersion: 5,
        users: [{ groupName: 'canary-asg', versionSpec: '$Latest', runs: 5, mixedInstancesPolicy: false }],
        versions: [
          { version: 3, httpTokens: 'optional', httpPutResponseHopLimit: 2, httpEndpoint: 'enabled' },
          { version: 5, httpTokens: 'optional', httpPutResponseHopLimit: 2, httpEndpoint: 'enabled' },
        ],
      },
    });
  });

  it('reads a deleted template as gone, never as fixed by accident', async () => {
    ec2
      .on(DescribeLaunchTemplatesCommand)
      .rejects(
        ec2Error(
          'InvalidLaunchTemplateId.NotFound',
          `The specified launch template, with template ID ${LAUNCH_TEMPLATE_ID}, does not exist.`,
        ),
      );

    const current = await reader.read(makeLaunchTemplateFinding());

    expect(current).toEqual({
      kind: 'gone',
      resourceId: LAUNCH_TEMPLATE_ID,
      detail: 'the launch template no longer exists',
    });
    expect(autoScaling.commandCalls(DescribeAutoScalingGroupsCommand)).toEqual([]);
  });
});
