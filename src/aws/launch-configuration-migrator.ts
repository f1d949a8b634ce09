import {
  StartInstanceRefreshCommand,
  UpdateAutoScalingGroupCommand,
  paginateDescribeAutoScalingGroups,
} from '@aws-sdk/client-auto-scaling';
import type { AutoScalingClient, AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import { CreateLaunchTemplateCommand } from '@aws-sdk/client-ec2';
import type { EC2Client, RequestLaunchTemplateData } from '@aws-sdk/client-ec2';
import {
  MIGRATION_VERSION_DESCRIPTION,
  migrationClientToken,
} from '../domain/launch-configuration-migration.js';
import { MIGRATED_GROUP_VERSION } from '../domain/launch-configuration-plan.js';
import type { RemediationPlan } from '../domain/remediation-plan-types.js';
import type { AwsCallContext } from './errors.js';
import { AwsUnexpectedResponseError, translateAwsError } from './errors.js';
import { LaunchTemplateGroupsChangedError, RemediationIncompleteError } from './remediation-errors.js';

type MigrationPlan = Extract<RemediationPlan, { kind: 'migrate-launch-configuration' }>;

function callOf(
  plan: MigrationPlan,
  service: string,
  operation: string,
  resourceId?: string,
): AwsCallContext {
  return { service, operation, accountId: plan.accountId, region: plan.region, resourceId };
}

/**
 * Carries out a migration exactly as planned: checks every planned group still launches from the configuration
 * (else nothing is done), creates the launch template (or reuses the bot's own from an earlier run), moves each
 * group to it, and starts an instance refresh only when the person asked for one. The configuration is untouched.
 */
export async function migrateLaunchConfiguration(
  ec2: EC2Client,
  autoScaling: AutoScalingClient,
  plan: MigrationPlan,
): Promise<string[]> {
  const groups = await describeGroups(autoScaling, plan);
  const changed = plan.groups.flatMap((name) => {
    const group = groups.find((candidate) => candidate.AutoScalingGroupName === name);
    if (!group) return [`${name} no longer exists`];
    return group.LaunchConfigurationName === plan.launchConfigurationName
      ? []
      : [`${name} no longer launches from ${plan.launchConfigurationName}`];
  });
  if (changed.length > 0)
    throw new LaunchTemplateGroupsChangedError(
      callOf(plan, 'Auto Scaling', 'DescribeAutoScalingGroups', plan.launchConfigurationName),
      changed,
    );
  const steps: string[] = [];
  try {
    let launchTemplateId = plan.existingLaunchTemplateId;
    if (launchTemplateId === undefined) {
      const created = await createTemplate(ec2, plan);
      launchTemplateId = created.launchTemplateId;
      steps.push(
        `created launch template ${plan.launchTemplateName} (${launchTemplateId}) from launch configuration ${plan.launchConfigurationName}, requiring IMDSv2 (hop limit ${plan.httpPutResponseHopLimit})`,
        ...created.warnings,
      );
    } else {
      steps.push(
        `reused launch template ${plan.launchTemplateName} (${launchTemplateId}), made from ${plan.launchConfigurationName} by an earlier run`,
      );
    }
    for (const name of plan.groups) {
      const call = callOf(plan, 'Auto Scaling', 'UpdateAutoScalingGroup', name);
      try {
        await autoScaling.send(
          new UpdateAutoScalingGroupCommand({
            AutoScalingGroupName: name,
            LaunchTemplate: { LaunchTemplateId: launchTemplateId, Version: MIGRATED_GROUP_VERSION },
          }),
        );
      } catch (error) {
        throw translateAwsError(error, call);
      }
      steps.push(
        `moved Auto Scaling group ${name} from launch configuration ${plan.launchConfigurationName} to ${plan.launchTemplateName} (${MIGRATED_GROUP_VERSION})`,
      );
    }
    if (!plan.startInstanceRefresh) {
      steps.push(
        'running instances keep their settings until each group replaces them (no instance refresh asked)',
      );
      return steps;
    }
    for (const name of plan.groups) {
      const call = callOf(plan, 'Auto Scaling', 'StartInstanceRefresh', name);
      let refreshId: string | undefined;
      try {
        const output = await autoScaling.send(
          new StartInstanceRefreshCommand({ AutoScalingGroupName: name, Strategy: 'Rolling' }),
        );
        refreshId = output.InstanceRefreshId;
      } catch (error) {
        throw translateAwsError(error, call);
      }
      steps.push(`started instance refresh ${refreshId ?? '(no id returned)'} on ${name}, as asked`);
    }
  } catch (error) {
    if (steps.length === 0) throw error;
    throw new RemediationIncompleteError(steps, error);
  }
  return steps;
}

async function createTemplate(
  ec2: EC2Client,
  plan: MigrationPlan,
): Promise<{ launchTemplateId: string; warnings: string[] }> {
  const call = callOf(plan, 'EC2', 'CreateLaunchTemplate', plan.launchTemplateName);
  let output;
  try {
    output = await ec2.send(
      new CreateLaunchTemplateCommand({
        LaunchTemplateName: plan.launchTemplateName,
        ClientToken: migrationClientToken(plan, plan.launchTemplateName, plan.launchTemplateData),
        VersionDescription: MIGRATION_VERSION_DESCRIPTION,
        // The plan's data uses EC2's names and values exactly (its strings are EC2's enum values).
        LaunchTemplateData: structuredClone(plan.launchTemplateData) as RequestLaunchTemplateData,
      }),
    );
  } catch (error) {
    throw translateAwsError(error, call);
  }
  const launchTemplateId = output.LaunchTemplate?.LaunchTemplateId;
  if (!launchTemplateId)
    throw new AwsUnexpectedResponseError('EC2 created a launch template without an id', call);
  const warnings = (output.Warning?.Errors ?? []).map((warning) =>
    `EC2 warned about ${plan.launchTemplateName}: ${warning.Code ?? ''} ${warning.Message ?? ''}`.trim(),
  );
  return { launchTemplateId, warnings };
}

async function describeGroups(
  autoScaling: AutoScalingClient,
  plan: MigrationPlan,
): Promise<AutoScalingGroup[]> {
  const groups: AutoScalingGroup[] = [];
  try {
    for await (const page of paginateDescribeAutoScalingGroups(
      { client: autoScaling },
      { AutoScalingGroupNames: [...plan.groups], MaxRecords: 100 },
    ))
      groups.push(...(page.AutoScalingGroups ?? []));
  } catch (error) {
    throw translateAwsError(error, callOf(plan, 'Auto Scaling', 'DescribeAutoScalingGroups'));
  }
  return groups;
}
