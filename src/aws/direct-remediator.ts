import {
  UpdateAutoScalingGroupCommand,
  paginateDescribeAutoScalingGroups,
} from '@aws-sdk/client-auto-scaling';
import type {
  AutoScalingClient,
  AutoScalingGroup,
  UpdateAutoScalingGroupType,
} from '@aws-sdk/client-auto-scaling';
import {
  CreateLaunchTemplateVersionCommand,
  ModifyInstanceMetadataOptionsCommand,
  ModifyLaunchTemplateCommand,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import type { RemediationExecution, RemediationPlan } from '../domain/remediation-plan-types.js';
import type { Remediator } from '../usecases/ports.js';
import type { ResourceClientProvider } from './aws-clients.js';
import type { AwsCallContext } from './errors.js';
import { AwsResourceNotFoundError, AwsUnexpectedResponseError, translateAwsError } from './errors.js';
import {
  RemediationIncompleteError,
  RevokeNotConfirmedError,
  SecurityGroupRuleGoneError,
} from './remediation-errors.js';
import { launchTemplateSpecOf } from './resource-state-reader.js';

type Plan<K extends RemediationPlan['kind']> = Extract<RemediationPlan, { kind: K }>;

const VERSION_DESCRIPTION = 'cspm-bot: require IMDSv2';

/** Carries out a plan with EC2 and Auto Scaling API calls in the plan's account and region, exactly as planned. */
export class DirectRemediator implements Remediator {
  readonly #clients: ResourceClientProvider;

  constructor(clients: ResourceClientProvider) {
    this.#clients = clients;
  }

  async execute(
    plan: RemediationPlan,
    _context: { readonly findingId: string; readonly decisionId: string },
  ): Promise<RemediationExecution> {
    switch (plan.kind) {
      case 'revoke-ingress':
        return { executor: 'direct', steps: await this.#revokeIngress(plan) };
      case 'require-imdsv2-instance':
        return { executor: 'direct', steps: await this.#requireImdsv2OnInstance(plan) };
      case 'require-imdsv2-launch-template':
        return { executor: 'direct', steps: await this.#requireImdsv2InLaunchTemplate(plan) };
    }
  }

  async #revokeIngress(plan: Plan<'revoke-ingress'>): Promise<string[]> {
    const ruleIds = plan.revocations.map((revocation) => revocation.ruleId);
    if (ruleIds.length === 0) return [`nothing to revoke in ${groupLabel(plan)}: the plan lists no rules`];
    const ec2 = await this.#clients.ec2(plan.accountId, plan.region);
    const call = callOf(plan, 'EC2', 'RevokeSecurityGroupIngress', plan.groupId);
    let output;
    try {
      // Rule ids only: revoking by IpPermissions could match (and remove) a rule the plan never showed.
      output = await ec2.send(
        new RevokeSecurityGroupIngressCommand({ GroupId: plan.groupId, SecurityGroupRuleIds: ruleIds }),
      );
    } catch (error) {
      const translated = translateAwsError(error, call);
      if (
        translated instanceof AwsResourceNotFoundError &&
        translated.awsErrorName === 'InvalidSecurityGroupRuleId.NotFound'
      ) {
        throw new SecurityGroupRuleGoneError(call, ruleIds, { cause: error });
      }
      throw translated;
    }
    const unknown = output.UnknownIpPermissions ?? [];
    if (output.Return === false || unknown.length > 0) {
      throw new RevokeNotConfirmedError(
        `EC2 answered Return=${String(output.Return)} with ${unknown.length} unknown permission(s) for ${plan.groupId}`,
        call,
      );
    }
    const revoked = output.RevokedSecurityGroupRules;
    if (revoked && revoked.length > 0) {
      const missing = ruleIds.filter(
        (ruleId) => !revoked.some((rule) => rule.SecurityGroupRuleId === ruleId),
      );
      if (missing.length > 0) {
        throw new RevokeNotConfirmedError(`EC2 did not list ${missing.join(', ')} as revoked`, call);
      }
    }
    return plan.revocations.map(
      (revocation) => `revoked ${revocation.ruleId} (${revocation.words}) from ${groupLabel(plan)}`,
    );
  }

  async #requireImdsv2OnInstance(plan: Plan<'require-imdsv2-instance'>): Promise<string[]> {
    const ec2 = await this.#clients.ec2(plan.accountId, plan.region);
    const call = callOf(plan, 'EC2', 'ModifyInstanceMetadataOptions', plan.instanceId);
    let output;
    try {
      output = await ec2.send(
        new ModifyInstanceMetadataOptionsCommand({
          InstanceId: plan.instanceId,
          HttpTokens: 'required',
          // HttpEndpoint is left out on purpose: EC2 keeps its current value, so an instance whose metadata
          // service was switched off stays off (same as the SSM document).
          HttpPutResponseHopLimit: plan.httpPutResponseHopLimit,
        }),
      );
    } catch (error) {
      throw translateAwsError(error, call);
    }
    const options = output.InstanceMetadataOptions;
    if (options?.HttpTokens !== undefined && options.HttpTokens !== 'required') {
      throw new AwsUnexpectedResponseError(
        `EC2 answered HttpTokens=${options.HttpTokens} after requiring IMDSv2 on ${plan.instanceId}`,
        call,
      );
    }
    const state = options?.State ? ` (EC2 reports the change as ${options.State})` : '';
    return [
      `required IMDSv2 on ${plan.instanceId} (HttpTokens required, hop limit ${plan.httpPutResponseHopLimit})${state}`,
    ];
  }

  async #requireImdsv2InLaunchTemplate(plan: Plan<'require-imdsv2-launch-template'>): Promise<string[]> {
    const ec2 = await this.#clients.ec2(plan.accountId, plan.region);
    const template = plan.launchTemplateName
      ? `${plan.launchTemplateId} (${plan.launchTemplateName})`
      : plan.launchTemplateId;
    const createCall = callOf(plan, 'EC2', 'CreateLaunchTemplateVersion', plan.launchTemplateId);
    let created;
    try {
      created = await ec2.send(
        new CreateLaunchTemplateVersionCommand({
          LaunchTemplateId: plan.launchTemplateId,
          SourceVersion: String(plan.sourceVersion),
          VersionDescription: VERSION_DESCRIPTION,
          LaunchTemplateData: {
            MetadataOptions: {
              HttpTokens: 'required',
              HttpEndpoint: 'enabled',
              HttpPutResponseHopLimit: plan.httpPutResponseHopLimit,
            },
          },
        }),
      );
    } catch (error) {
      throw translateAwsError(error, createCall);
    }
    const version = created.LaunchTemplateVersion?.VersionNumber;
    if (version === undefined) {
      throw new AwsUnexpectedResponseError(
        'EC2 created a launch template version without a number',
        createCall,
      );
    }
    const steps = [
      `created version ${version} of launch template ${template} from version ${plan.sourceVersion}, requiring ` +
        `IMDSv2 (hop limit ${plan.httpPutResponseHopLimit})`,
      ...(created.Warning?.Errors ?? []).map((warning) =>
        `EC2 warned about version ${version}: ${warning.Code ?? ''} ${warning.Message ?? ''}`.trim(),
      ),
    ];
    // From here on a failure leaves a half-done change: say what was done.
    try {
      const defaultCall = callOf(plan, 'EC2', 'ModifyLaunchTemplate', plan.launchTemplateId);
      try {
        await ec2.send(
          new ModifyLaunchTemplateCommand({
            LaunchTemplateId: plan.launchTemplateId,
            DefaultVersion: String(version),
          }),
        );
      } catch (error) {
        throw translateAwsError(error, defaultCall);
      }
      steps.push(`made version ${version} the default: groups on $Default or $Latest launch from it`);
      if (plan.pinnedGroups.length > 0) {
        const autoScaling = await this.#clients.autoScaling(plan.accountId, plan.region);
        await this.#repointPinnedGroups(autoScaling, plan, version, steps);
      }
    } catch (error) {
      throw new RemediationIncompleteError(steps, error);
    }
    steps.push('running instances change when each group next replaces them (instance refresh)');
    return steps;
  }

  /** Points each group still pinned to the source version at the new one; appends a line per group to `steps`. */
  async #repointPinnedGroups(
    autoScaling: AutoScalingClient,
    plan: Plan<'require-imdsv2-launch-template'>,
    version: number,
    steps: string[],
  ): Promise<void> {
    const groups = await describeGroups(autoScaling, plan);
    for (const name of plan.pinnedGroups) {
      const group = groups.find((candidate) => candidate.AutoScalingGroupName === name);
      if (!group) {
        steps.push(`left Auto Scaling group ${name} alone: it no longer exists`);
        continue;
      }
      const spec = launchTemplateSpecOf(group);
      if (group.LaunchConfigurationName || spec?.LaunchTemplateId !== plan.launchTemplateId) {
        steps.push(
          `left Auto Scaling group ${name} alone: it no longer launches from ${plan.launchTemplateId}`,
        );
        continue;
      }
      if (spec.Version !== String(plan.sourceVersion)) {
        // Changed since the plan: re-pinning it would change more than IMDS.
        steps.push(
          `left Auto Scaling group ${name} alone: it now uses version ${spec.Version ?? '$Default'}`,
        );
        continue;
      }
      const call = callOf(plan, 'Auto Scaling', 'UpdateAutoScalingGroup', name);
      try {
        await autoScaling.send(
          new UpdateAutoScalingGroupCommand(repointInput(group, name, plan.launchTemplateId, version)),
        );
      } catch (error) {
        throw translateAwsError(error, call);
      }
      steps.push(`pointed Auto Scaling group ${name} at version ${version}`);
    }
  }
}

/**
 * A mixed instances group keeps its policy: only the template version inside it changes. Giving such a group a
 * plain `LaunchTemplate` would replace the policy (and its Spot/On-Demand mix).
 */
function repointInput(
  group: AutoScalingGroup,
  name: string,
  launchTemplateId: string,
  version: number,
): UpdateAutoScalingGroupType {
  const specification = { LaunchTemplateId: launchTemplateId, Version: String(version) };
  if (group.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification) {
    return {
      AutoScalingGroupName: name,
      MixedInstancesPolicy: { LaunchTemplate: { LaunchTemplateSpecification: specification } },
    };
  }
  return { AutoScalingGroupName: name, LaunchTemplate: specification };
}

async function describeGroups(
  autoScaling: AutoScalingClient,
  plan: Plan<'require-imdsv2-launch-template'>,
): Promise<AutoScalingGroup[]> {
  const call = callOf(plan, 'Auto Scaling', 'DescribeAutoScalingGroups');
  const groups: AutoScalingGroup[] = [];
  const pages = paginateDescribeAutoScalingGroups(
    { client: autoScaling },
    { AutoScalingGroupNames: [...plan.pinnedGroups], MaxRecords: 100 },
  );
  try {
    for await (const page of pages) groups.push(...(page.AutoScalingGroups ?? []));
  } catch (error) {
    throw translateAwsError(error, call);
  }
  return groups;
}

function callOf(
  plan: RemediationPlan,
  service: string,
  operation: string,
  resourceId?: string,
): AwsCallContext {
  return { service, operation, accountId: plan.accountId, region: plan.region, resourceId };
}

function groupLabel(plan: Plan<'revoke-ingress'>): string {
  return plan.groupName ? `${plan.groupId} (${plan.groupName})` : plan.groupId;
}
