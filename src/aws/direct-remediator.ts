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
  ModifyInstanceMetadataDefaultsCommand,
  ModifyInstanceMetadataOptionsCommand,
  ModifyLaunchTemplateCommand,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import type {
  EC2Client,
  LaunchTemplateInstanceMetadataOptionsRequest,
  RevokeSecurityGroupEgressCommandOutput,
  RevokeSecurityGroupIngressCommandOutput,
} from '@aws-sdk/client-ec2';
import { groupChangeWords } from '../domain/remediation-plan.js';
import type {
  PlannedGroupChange,
  PlannedRevocation,
  RemediationExecution,
  RemediationPlan,
} from '../domain/remediation-plan-types.js';
import type { Remediator } from '../usecases/ports.js';
import type { ResourceClientProvider } from './aws-clients.js';
import type { AwsCallContext } from './errors.js';
import { AwsResourceNotFoundError, AwsUnexpectedResponseError, translateAwsError } from './errors.js';
import {
  LaunchTemplateGroupsChangedError,
  RemediationIncompleteError,
  RevokeNotConfirmedError,
  SecurityGroupRuleGoneError,
} from './remediation-errors.js';
import { addDenyEntries } from './network-acl-entries.js';
import { blockAccountPublicAccess, blockBucketPublicAccess } from './public-access-block.js';
import { migrateLaunchConfiguration } from './launch-configuration-migrator.js';
import { launchTemplateSpecOf } from './resource-state-reader.js';
import { putTlsOnlyBucketPolicy } from './tls-only-bucket-policy-writer.js';

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
      case 'empty-default-group':
        return { executor: 'direct', steps: await this.#emptyDefaultGroup(plan) };
      case 'require-imdsv2-instance':
        return { executor: 'direct', steps: await this.#requireImdsv2OnInstance(plan) };
      case 'require-imdsv2-launch-template':
        return { executor: 'direct', steps: await this.#requireImdsv2InLaunchTemplate(plan) };
      case 'deny-network-acl-ingress':
        return {
          executor: 'direct',
          steps: await addDenyEntries(await this.#clients.ec2(plan.accountId, plan.region), plan),
        };
      case 'require-imdsv2-account-defaults':
        return { executor: 'direct', steps: await this.#requireImdsv2AccountDefaults(plan) };
      case 'require-tls-only-bucket-policy':
        return {
          executor: 'direct',
          steps: await putTlsOnlyBucketPolicy(await this.#clients.s3(plan.accountId, plan.region), plan),
        };
      case 'block-bucket-public-access':
        return {
          executor: 'direct',
          steps: await blockBucketPublicAccess(await this.#clients.s3(plan.accountId, plan.region), plan),
        };
      case 'block-account-public-access':
        return {
          executor: 'direct',
          steps: await blockAccountPublicAccess(
            await this.#clients.s3Control(plan.accountId, plan.region),
            plan,
          ),
        };
      case 'migrate-launch-configuration':
        return {
          executor: 'direct',
          steps: await migrateLaunchConfiguration(
            await this.#clients.ec2(plan.accountId, plan.region),
            await this.#clients.autoScaling(plan.accountId, plan.region),
            plan,
          ),
        };
    }
  }

  /**
   * The account's IMDS defaults in the plan's Region: `HttpTokens` required, the hop limit only when it changes.
   * Nothing else is sent, so EC2 keeps the other defaults (and their "no preference") as they are.
   */
  async #requireImdsv2AccountDefaults(plan: Plan<'require-imdsv2-account-defaults'>): Promise<string[]> {
    const ec2 = await this.#clients.ec2(plan.accountId, plan.region);
    const call = callOf(plan, 'EC2', 'ModifyInstanceMetadataDefaults');
    const hopChanges = plan.hopLimitBefore !== plan.httpPutResponseHopLimit;
    let output;
    try {
      output = await ec2.send(
        new ModifyInstanceMetadataDefaultsCommand({
          HttpTokens: 'required',
          ...(hopChanges && { HttpPutResponseHopLimit: plan.httpPutResponseHopLimit }),
        }),
      );
    } catch (error) {
      throw translateAwsError(error, call);
    }
    if (output.Return !== true)
      throw new AwsUnexpectedResponseError(
        `EC2 answered Return=${String(output.Return)} to ModifyInstanceMetadataDefaults`,
        call,
      );
    const hop = hopChanges
      ? `hop limit ${plan.hopLimitBefore ?? 'no preference'} → ${plan.httpPutResponseHopLimit}`
      : `hop limit ${plan.httpPutResponseHopLimit} unchanged`;
    return [
      `set the account default in ${plan.accountId}/${plan.region} to require IMDSv2 for new instances (HttpTokens required, ${hop})`,
    ];
  }

  async #revokeIngress(plan: Plan<'revoke-ingress'>): Promise<string[]> {
    if (plan.revocations.length === 0)
      return [`nothing to revoke in ${groupLabel(plan)}: the plan lists no rules`];
    const ec2 = await this.#clients.ec2(plan.accountId, plan.region);
    await revokeRules(ec2, plan, 'ingress', plan.revocations);
    return plan.revocations.map(
      (revocation) => `revoked ${revocation.ruleId} (${revocation.words}) from ${groupLabel(plan)}`,
    );
  }

  /** EC2.2: every inbound rule, then every outbound rule, by id. */
  async #emptyDefaultGroup(plan: Plan<'empty-default-group'>): Promise<string[]> {
    const ec2 = await this.#clients.ec2(plan.accountId, plan.region);
    const steps: string[] = [];
    const lines = (revocations: readonly PlannedRevocation[]) =>
      revocations.map(
        (revocation) => `revoked ${revocation.ruleId} (${revocation.words}) from ${groupLabel(plan)}`,
      );
    if (plan.ingress.length > 0) {
      await revokeRules(ec2, plan, 'ingress', plan.ingress);
      steps.push(...lines(plan.ingress));
    }
    if (plan.egress.length > 0) {
      try {
        await revokeRules(ec2, plan, 'egress', plan.egress);
      } catch (error) {
        if (steps.length === 0) throw error;
        throw new RemediationIncompleteError(steps, error);
      }
      steps.push(...lines(plan.egress));
    }
    return steps;
  }

  async #requireImdsv2OnInstance(plan: Plan<'require-imdsv2-instance'>): Promise<string[]> {
    const ec2 = await this.#clients.ec2(plan.accountId, plan.region);
    const call = callOf(plan, 'EC2', 'ModifyInstanceMetadataOptions', plan.instanceId);
    const hopChanges = plan.hopLimitBefore !== plan.httpPutResponseHopLimit;
    let output;
    try {
      output = await ec2.send(
        new ModifyInstanceMetadataOptionsCommand({
          InstanceId: plan.instanceId,
          HttpTokens: 'required',
          // Only what changes is sent: EC2 keeps every option left out as it is. HttpEndpoint is never sent, so an
          // instance whose metadata service was switched off stays off.
          ...(hopChanges && { HttpPutResponseHopLimit: plan.httpPutResponseHopLimit }),
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
    const hop = hopChanges
      ? `hop limit ${plan.hopLimitBefore ?? 'not set'} → ${plan.httpPutResponseHopLimit}`
      : `hop limit ${plan.httpPutResponseHopLimit} unchanged`;
    return [`required IMDSv2 on ${plan.instanceId} (HttpTokens required, ${hop})${state}`];
  }

  /**
   * Pins the groups that follow `$Latest` to another version (before the new version moves `$Latest`), creates
   * the new version, makes it the default only if the plan says so, then points the groups that ran the source
   * version at it by number. Every group is checked against the plan first: if one changed, nothing is done.
   */
  async #requireImdsv2InLaunchTemplate(plan: Plan<'require-imdsv2-launch-template'>): Promise<string[]> {
    const ec2 = await this.#clients.ec2(plan.accountId, plan.region);
    const template = plan.launchTemplateName
      ? `${plan.launchTemplateId} (${plan.launchTemplateName})`
      : plan.launchTemplateId;
    const touched = plan.groups.filter((group) => group.change !== 'unchanged');
    const autoScaling =
      touched.length > 0 ? await this.#clients.autoScaling(plan.accountId, plan.region) : undefined;
    const current = autoScaling ? await describeGroups(autoScaling, plan, touched) : [];
    const changed = touched.flatMap((planned) => differenceFromPlan(planned, current, plan.launchTemplateId));
    if (changed.length > 0) {
      throw new LaunchTemplateGroupsChangedError(
        callOf(plan, 'Auto Scaling', 'DescribeAutoScalingGroups', plan.launchTemplateId),
        changed,
      );
    }
    const groupsNamed = new Map(current.map((group) => [group.AutoScalingGroupName, group]));
    const steps: string[] = [];
    try {
      for (const planned of plan.groups.filter((group) => group.change === 'pin')) {
        await updateGroupVersion(
          autoScaling!,
          plan,
          groupsNamed.get(planned.groupName)!,
          planned.groupName,
          planned.runs,
        );
        steps.push(
          `pinned Auto Scaling group ${planned.groupName} to version ${planned.runs} (it followed ${planned.versionBefore}; what it runs is unchanged)`,
        );
      }
      const version = await createVersion(ec2, plan);
      steps.push(
        `created version ${version.number} of launch template ${template} from version ${plan.sourceVersion}, requiring ` +
          `IMDSv2 (hop limit ${plan.httpPutResponseHopLimit}; other metadata options as in version ${plan.sourceVersion})`,
        ...version.warnings,
      );
      if (plan.makeDefault) {
        const defaultCall = callOf(plan, 'EC2', 'ModifyLaunchTemplate', plan.launchTemplateId);
        try {
          await ec2.send(
            new ModifyLaunchTemplateCommand({
              LaunchTemplateId: plan.launchTemplateId,
              DefaultVersion: String(version.number),
            }),
          );
        } catch (error) {
          throw translateAwsError(error, defaultCall);
        }
        steps.push(`made version ${version.number} the default version of ${template}`);
      }
      for (const planned of plan.groups.filter((group) => group.change === 'point-to-new')) {
        await updateGroupVersion(
          autoScaling!,
          plan,
          groupsNamed.get(planned.groupName)!,
          planned.groupName,
          version.number,
        );
        steps.push(
          `pointed Auto Scaling group ${groupChangeWords(planned, plan.sourceVersion, version.number)}`,
        );
      }
      for (const planned of plan.groups.filter((group) => group.change === 'follows-new')) {
        steps.push(`Auto Scaling group ${groupChangeWords(planned, plan.sourceVersion, version.number)}`);
      }
    } catch (error) {
      if (steps.length === 0) throw error;
      throw new RemediationIncompleteError(steps, error);
    }
    steps.push('running instances change when each group next replaces them (instance refresh)');
    return steps;
  }
}

/** Revokes rules by id only: revoking by IpPermissions could match (and remove) a rule the plan never showed. */
async function revokeRules(
  ec2: EC2Client,
  plan: Plan<'revoke-ingress'> | Plan<'empty-default-group'>,
  direction: 'ingress' | 'egress',
  revocations: readonly PlannedRevocation[],
): Promise<void> {
  const ruleIds = revocations.map((revocation) => revocation.ruleId);
  const operation = direction === 'ingress' ? 'RevokeSecurityGroupIngress' : 'RevokeSecurityGroupEgress';
  const call = callOf(plan, 'EC2', operation, plan.groupId);
  const input = { GroupId: plan.groupId, SecurityGroupRuleIds: ruleIds };
  let output: RevokeSecurityGroupIngressCommandOutput | RevokeSecurityGroupEgressCommandOutput;
  try {
    output =
      direction === 'ingress'
        ? await ec2.send(new RevokeSecurityGroupIngressCommand(input))
        : await ec2.send(new RevokeSecurityGroupEgressCommand(input));
  } catch (error) {
    const translated = translateAwsError(error, call);
    if (translated instanceof AwsResourceNotFoundError && translated.missing === 'security-group-rule') {
      throw new SecurityGroupRuleGoneError(
        call,
        ruleIds,
        translated.awsErrorName ?? 'InvalidSecurityGroupRuleId.NotFound',
        { cause: error },
      );
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
    const missing = ruleIds.filter((ruleId) => !revoked.some((rule) => rule.SecurityGroupRuleId === ruleId));
    if (missing.length > 0) {
      throw new RevokeNotConfirmedError(`EC2 did not list ${missing.join(', ')} as revoked`, call);
    }
  }
}

/**
 * The new version's metadata options: `MetadataOptions` replaces the source's whole, so every option the source
 * sets is sent again as it is, with only the tokens (and the planned hop limit) changed.
 */
export function newVersionMetadataOptions(
  plan: Plan<'require-imdsv2-launch-template'>,
): LaunchTemplateInstanceMetadataOptionsRequest {
  const kept = plan.keptMetadataOptions;
  return {
    HttpTokens: 'required',
    HttpPutResponseHopLimit: plan.httpPutResponseHopLimit,
    ...(kept.httpEndpoint && { HttpEndpoint: kept.httpEndpoint }),
    ...(kept.httpProtocolIpv6 && { HttpProtocolIpv6: kept.httpProtocolIpv6 }),
    ...(kept.instanceMetadataTags && { InstanceMetadataTags: kept.instanceMetadataTags }),
  };
}

async function createVersion(
  ec2: EC2Client,
  plan: Plan<'require-imdsv2-launch-template'>,
): Promise<{ number: number; warnings: string[] }> {
  const call = callOf(plan, 'EC2', 'CreateLaunchTemplateVersion', plan.launchTemplateId);
  let created;
  try {
    created = await ec2.send(
      new CreateLaunchTemplateVersionCommand({
        LaunchTemplateId: plan.launchTemplateId,
        SourceVersion: String(plan.sourceVersion),
        VersionDescription: VERSION_DESCRIPTION,
        LaunchTemplateData: { MetadataOptions: newVersionMetadataOptions(plan) },
      }),
    );
  } catch (error) {
    throw translateAwsError(error, call);
  }
  const number = created.LaunchTemplateVersion?.VersionNumber;
  if (number === undefined) {
    throw new AwsUnexpectedResponseError('EC2 created a launch template version without a number', call);
  }
  const warnings = (created.Warning?.Errors ?? []).map((warning) =>
    `EC2 warned about version ${number}: ${warning.Code ?? ''} ${warning.Message ?? ''}`.trim(),
  );
  return { number, warnings };
}

/** Why a group no longer matches the plan, or nothing when it does. */
function differenceFromPlan(
  planned: PlannedGroupChange,
  groups: readonly AutoScalingGroup[],
  launchTemplateId: string,
): string[] {
  const group = groups.find((candidate) => candidate.AutoScalingGroupName === planned.groupName);
  if (!group) return [`${planned.groupName} no longer exists`];
  const spec = launchTemplateSpecOf(group);
  if (group.LaunchConfigurationName || spec?.LaunchTemplateId !== launchTemplateId) {
    return [`${planned.groupName} no longer launches from ${launchTemplateId}`];
  }
  const version = spec.Version ?? '$Default';
  return version === planned.versionBefore
    ? []
    : [`${planned.groupName} now uses ${version} instead of ${planned.versionBefore}`];
}

async function updateGroupVersion(
  autoScaling: AutoScalingClient,
  plan: Plan<'require-imdsv2-launch-template'>,
  group: AutoScalingGroup,
  name: string,
  version: number,
): Promise<void> {
  const call = callOf(plan, 'Auto Scaling', 'UpdateAutoScalingGroup', name);
  try {
    await autoScaling.send(
      new UpdateAutoScalingGroupCommand(repointInput(group, name, plan.launchTemplateId, version)),
    );
  } catch (error) {
    throw translateAwsError(error, call);
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
  planned: readonly PlannedGroupChange[],
): Promise<AutoScalingGroup[]> {
  const call = callOf(plan, 'Auto Scaling', 'DescribeAutoScalingGroups');
  const groups: AutoScalingGroup[] = [];
  const pages = paginateDescribeAutoScalingGroups(
    { client: autoScaling },
    { AutoScalingGroupNames: planned.map((group) => group.groupName), MaxRecords: 100 },
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

function groupLabel(plan: Plan<'revoke-ingress'> | Plan<'empty-default-group'>): string {
  return plan.groupName ? `${plan.groupId} (${plan.groupName})` : plan.groupId;
}
