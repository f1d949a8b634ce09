import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  DescribeLaunchConfigurationsCommand,
  StartInstanceRefreshCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import type { AutoScalingGroup, UpdateAutoScalingGroupType } from '@aws-sdk/client-auto-scaling';
import {
  CreateLaunchTemplateCommand,
  DescribeLaunchTemplateVersionsCommand,
  DescribeLaunchTemplatesCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import type { CreateLaunchTemplateRequest, LaunchTemplate, LaunchTemplateVersion } from '@aws-sdk/client-ec2';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { BatchUpdateFindingsCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { REMEDIATE_ACTION, findingButtonValue } from '../../../blocks/action-ids.js';
import {
  INSTANCE_REFRESH_ACTION,
  INSTANCE_REFRESH_BLOCK,
  REMEDIATION_CONFIRM_CALLBACK,
} from '../../../blocks/remediation-modal.js';
import { handler as slackHandler } from '../../../src/runtime/lambda-slack.js';
import { handler as worker } from '../../../src/runtime/lambda-worker.js';
import { makeSdkAutoScalingGroup, makeSdkLaunchConfiguration } from '../../fixtures/autoscaling.js';
import { ec2Error } from '../../support/ec2-error.js';
import { lambdaContext, queuedJob, signed, useLambdaFlow } from '../../support/lambda-flow.js';
import { FakeSlackApi } from '../../support/fake-slack-api.js';
import { buttonClickBody, viewSubmissionBody } from '../../support/signed-slack-request.js';

const slack = new FakeSlackApi();
const ec2 = mockClient(EC2Client);
const autoScaling = mockClient(AutoScalingClient);
const lambda = mockClient(LambdaClient);
const securityHub = mockClient(SecurityHubClient);
const sts = mockClient(STSClient);
const LC_NAME = 'legacy-batch-lc-2021';
const GROUP = 'legacy-batch-asg';
const TEMPLATE_ID = 'lt-0f1e2d3c4b5a69788';

/** Auto Scaling and EC2 as they stand: the group moves, the template appears, as the calls make them. */
let group: AutoScalingGroup;
let template: { meta: LaunchTemplate; version: LaunchTemplateVersion } | undefined;

function emulateAccount(): void {
  group = makeSdkAutoScalingGroup({ AutoScalingGroupName: GROUP, LaunchConfigurationName: LC_NAME });
  template = undefined;
  autoScaling
    .on(DescribeLaunchConfigurationsCommand)
    .resolves({ LaunchConfigurations: [makeSdkLaunchConfiguration({ IamInstanceProfile: 'legacy-batch' })] });
  autoScaling
    .on(DescribeAutoScalingGroupsCommand)
    .callsFake(() => ({ AutoScalingGroups: [structuredClone(group)] }));
  autoScaling.on(UpdateAutoScalingGroupCommand).callsFake((input: UpdateAutoScalingGroupType) => {
    delete group.LaunchConfigurationName;
    group.LaunchTemplate = { ...input.LaunchTemplate };
    return {};
  });
  autoScaling
    .on(StartInstanceRefreshCommand)
    .resolves({ InstanceRefreshId: '08b91cf7-8fa6-48af-b6a6-d227f40f1b9b' });
  ec2.on(DescribeLaunchTemplatesCommand).callsFake(() => {
    if (!template)
      throw ec2Error(
        'InvalidLaunchTemplateName.NotFoundException',
        'The specified launch template does not exist.',
      );
    return { LaunchTemplates: [template.meta] };
  });
  ec2.on(CreateLaunchTemplateCommand).callsFake((input: CreateLaunchTemplateRequest) => {
    const meta = {
      LaunchTemplateId: TEMPLATE_ID,
      LaunchTemplateName: input.LaunchTemplateName,
      DefaultVersionNumber: 1,
      LatestVersionNumber: 1,
    };
    template = {
      meta,
      version: {
        LaunchTemplateId: TEMPLATE_ID,
        VersionNumber: 1,
        DefaultVersion: true,
        ...(input.VersionDescription !== undefined && { VersionDescription: input.VersionDescription }),
        LaunchTemplateData: input.LaunchTemplateData as LaunchTemplateVersion['LaunchTemplateData'],
      },
    };
    return { LaunchTemplate: meta };
  });
  ec2
    .on(DescribeLaunchTemplateVersionsCommand)
    .callsFake(() => ({ LaunchTemplateVersions: template ? [template.version] : [] }));
}

const flow = useLambdaFlow({
  tableName: 'cspm-lc-flow',
  region: 'us-east-1',
  // The finding's account is the bot's own: its groups are read and moved without assuming a member role.
  overrides: { CSPM_HOME_ACCOUNT_ID: '444455556666' },
  slack,
  lambda,
  securityHub,
  awsMocks: [ec2, autoScaling, sts],
  emulate: emulateAccount,
  fixture: 'autoscaling.3-launch-config',
});

/** Click Remediate, let the worker plan, and answer the dialog it shows (ticking the refresh or not). */
async function confirmMigration(tickRefresh: boolean): Promise<string> {
  slack.reset();
  await slackHandler(
    signed(
      buttonClickBody({
        actionId: REMEDIATE_ACTION,
        value: findingButtonValue(flow.findingKey()),
        user: 'U0ALICE01',
        responseUrl: `${slack.url}response`,
      }),
    ),
    lambdaContext,
  );
  const planJob = queuedJob(lambda, 'plan-remediation');
  await worker(planJob);
  const update = slack.callsOf('views.update').at(-1);
  const view = update?.body['view'] as Record<string, unknown>;
  lambda.resetHistory();
  await slackHandler(
    signed(
      viewSubmissionBody({
        callbackId: REMEDIATION_CONFIRM_CALLBACK,
        viewId: String(update?.body['view_id']),
        privateMetadata: String(view['private_metadata']),
        values: tickRefresh
          ? {
              [INSTANCE_REFRESH_BLOCK]: {
                [INSTANCE_REFRESH_ACTION]: {
                  type: 'checkboxes',
                  selected_options: [{ text: { type: 'plain_text', text: 'Also start' }, value: 'start' }],
                },
              },
            }
          : {},
      }),
    ),
    lambdaContext,
  );
  const executeJob = queuedJob(lambda, 'execute-remediation');
  await worker(executeJob);
  return JSON.stringify(view);
}

describe('Remediate AutoScaling.3 on a launch configuration from Slack', () => {
  it('shows the migration field by field with an unticked instance refresh, moves the group, refreshes nothing, and keeps the finding open', async () => {
    const shown = await confirmMigration(false);

    expect(shown).toContain('AMI ami-0528a5175983e7f28 → ImageId ami-0528a5175983e7f28');
    expect(shown).toContain('Running instances are not touched');
    expect(shown).toContain(INSTANCE_REFRESH_BLOCK);
    expect(shown).not.toContain('initial_options');
    expect(ec2.commandCalls(CreateLaunchTemplateCommand)).toHaveLength(1);
    expect(autoScaling.commandCalls(UpdateAutoScalingGroupCommand).map((call) => call.args[0].input)).toEqual(
      [
        {
          AutoScalingGroupName: GROUP,
          LaunchTemplate: { LaunchTemplateId: TEMPLATE_ID, Version: '$Default' },
        },
      ],
    );
    expect(autoScaling.commandCalls(StartInstanceRefreshCommand)).toEqual([]);
    // The launch configuration still fails AutoScaling.3: nothing is set RESOLVED.
    expect(securityHub.commandCalls(BatchUpdateFindingsCommand)).toEqual([]);
    const thread = slack.callsOf('chat.postMessage').find((call) => call.body['thread_ts']);
    expect(String(thread?.body['text'])).toContain('Done, but the finding stays open');
  });

  it('starts an instance refresh on the group only when the person ticked it', async () => {
    await confirmMigration(true);

    expect(autoScaling.commandCalls(StartInstanceRefreshCommand).map((call) => call.args[0].input)).toEqual([
      { AutoScalingGroupName: GROUP, Strategy: 'Rolling' },
    ]);
  });
});
