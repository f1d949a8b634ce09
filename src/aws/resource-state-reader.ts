import {
  DescribeAutoScalingGroupsCommand,
  DescribeLaunchConfigurationsCommand,
  paginateDescribeAutoScalingGroups,
} from '@aws-sdk/client-auto-scaling';
import type {
  AutoScalingClient,
  AutoScalingGroup,
  LaunchConfiguration,
  LaunchTemplateSpecification,
} from '@aws-sdk/client-auto-scaling';
import {
  DescribeLaunchTemplateVersionsCommand,
  DescribeLaunchTemplatesCommand,
  DescribeSecurityGroupsCommand,
} from '@aws-sdk/client-ec2';
import type { EC2Client, LaunchTemplate, LaunchTemplateVersion, SecurityGroup } from '@aws-sdk/client-ec2';
import type {
  CurrentResource,
  LaunchTemplateInUse,
  MigratedTemplate,
  LaunchTemplateUser,
  LaunchTemplateVersionOptions,
} from '../domain/current-resource.js';
import type { Finding } from '../domain/finding.js';
import type { LaunchConfigurationSettings } from '../domain/launch-configuration-migration.js';
import {
  MIGRATION_VERSION_DESCRIPTION,
  migratedTemplateName,
} from '../domain/launch-configuration-migration.js';
import { networkReach } from '../domain/reachability.js';
import type { ResourceStateReader } from '../usecases/ports.js';
import type { ResourceClientProvider } from './aws-clients.js';
import { Ec2NetworkReader } from './ec2-network.js';
import { readNetworkAcl } from './network-acl-reader.js';
import { readAccountPublicAccess, readBucketAccess } from './s3-bucket-reader.js';
import type { AwsCallContext } from './errors.js';
import { AwsResourceNotFoundError, AwsUnexpectedResponseError, translateAwsError } from './errors.js';
import { UnsupportedResourceTypeError } from './remediation-errors.js';

/** The account and region the resource lives in. */
interface Scope {
  readonly accountId: string;
  readonly region: string;
}

/** Instances in these states are on their way out (or out): there is nothing left to fix. */
const ENDED_INSTANCE_STATES: ReadonlySet<string> = new Set(['shutting-down', 'terminated']);

/**
 * Reads the finding's resource from EC2 and Auto Scaling as it is now, in the finding's account and region.
 * A deleted resource reads as `gone`, never as an empty (and so "fixed") one.
 */
export class AwsResourceStateReader implements ResourceStateReader {
  readonly #clients: ResourceClientProvider;

  constructor(clients: ResourceClientProvider) {
    this.#clients = clients;
  }

  async read(finding: Finding): Promise<CurrentResource> {
    const scope: Scope = { accountId: finding.accountId, region: finding.resource.region || finding.region };
    const { details, resource } = finding;
    switch (resource.type) {
      case 'AwsEc2SecurityGroup':
        return this.#securityGroup(
          scope,
          details.kind === 'security-group' ? details.groupId : resource.shortId,
        );
      case 'AwsEc2Instance':
        return this.#instance(scope, details.kind === 'instance' ? details.instanceId : resource.shortId);
      case 'AwsAutoScalingLaunchConfiguration': {
        const name =
          details.kind === 'launch-configuration' ? details.launchConfigurationName : resource.shortId;
        return this.#launchConfiguration(scope, name);
      }
      case 'AwsAutoScalingAutoScalingGroup':
        return this.#autoScalingGroup(
          scope,
          details.kind === 'auto-scaling-group' ? details.groupName : resource.shortId,
        );
      case 'AwsEc2LaunchTemplate':
        return this.#launchTemplate(scope, resource.shortId);
      case 'AwsEc2NetworkAcl':
        return this.#networkAcl(scope, resource.shortId);
      case 'AwsS3Bucket': {
        const name = details.kind === 'bucket' ? details.bucketName : resource.shortId;
        const bucket = await readBucketAccess(this.#clients, scope, name);
        return bucket ? { kind: 'bucket', bucket } : gone(name, 'the bucket no longer exists');
      }
      case 'AwsAccount':
        // `AWS::::Account:<id>`: the finding's own account, whose S3 Block Public Access S3.1 checks.
        return {
          kind: 'account-public-access',
          account: await readAccountPublicAccess(this.#clients, {
            accountId: finding.accountId,
            region: scope.region,
          }),
        };
      default:
        throw new UnsupportedResourceTypeError(resource.type, resource.id);
    }
  }

  /** EC2.170: the template itself, its default version (what the control checks) and every group using it. */
  async #launchTemplate(scope: Scope, launchTemplateId: string): Promise<CurrentResource> {
    const ec2 = await this.#clients.ec2(scope.accountId, scope.region);
    let template: TemplateVersions;
    try {
      template = await describeLaunchTemplate(ec2, scope, { LaunchTemplateId: launchTemplateId });
    } catch (error) {
      if (error instanceof AwsResourceNotFoundError)
        return gone(launchTemplateId, 'the launch template no longer exists');
      throw error;
    }
    const autoScaling = await this.#clients.autoScaling(scope.accountId, scope.region);
    const templateCall = ec2Call(scope, 'DescribeLaunchTemplates', template.id);
    const users = usersOfTemplate(await allAutoScalingGroups(autoScaling, scope), template, templateCall);
    const versions = await describeVersionOptions(ec2, scope, template.id, [
      ...new Set([template.defaultVersion, ...users.map((user) => user.runs)]),
    ]);
    const inUse: LaunchTemplateInUse = {
      launchTemplateId: template.id,
      ...(template.name ? { launchTemplateName: template.name } : {}),
      defaultVersion: template.defaultVersion,
      latestVersion: template.latestVersion,
      users,
      versions,
    };
    return { kind: 'launch-template', template: inUse };
  }

  async #networkAcl(scope: Scope, networkAclId: string): Promise<CurrentResource> {
    const ec2 = await this.#clients.ec2(scope.accountId, scope.region);
    const acl = await readNetworkAcl(ec2, scope, networkAclId);
    return acl ? { kind: 'network-acl', acl } : gone(networkAclId, 'the network ACL no longer exists');
  }

  async #securityGroup(scope: Scope, groupId: string): Promise<CurrentResource> {
    const ec2 = await this.#clients.ec2(scope.accountId, scope.region);
    // DescribeSecurityGroupRules answers a deleted group with no rules; only DescribeSecurityGroups tells.
    const group = await describeSecurityGroup(ec2, scope, groupId);
    if (!group) return gone(groupId, 'the security group no longer exists');
    const reader = new Ec2NetworkReader(ec2, scope);
    const [rules, facts] = await Promise.all([
      reader.rules(groupId),
      reader.networkFacts(groupId, group.VpcId),
    ]);
    return {
      kind: 'security-group',
      groupId,
      ...(group.GroupName ? { groupName: group.GroupName } : {}),
      ...(group.VpcId ? { vpcId: group.VpcId } : {}),
      ingressRules: rules.filter((rule) => !rule.isEgress),
      egressRules: rules.filter((rule) => rule.isEgress),
      interfaces: facts.interfaces.map((eni) => ({
        networkInterfaceId: eni.networkInterfaceId,
        ...(eni.attachedTo ? { attachedTo: eni.attachedTo } : {}),
      })),
      reach: networkReach(facts.interfaces, facts.routeTables, facts.networkAcls),
    };
  }

  async #instance(scope: Scope, instanceId: string): Promise<CurrentResource> {
    const ec2 = await this.#clients.ec2(scope.accountId, scope.region);
    let options;
    try {
      options = await new Ec2NetworkReader(ec2, scope).instanceMetadataOptions(instanceId);
    } catch (error) {
      if (error instanceof AwsResourceNotFoundError) return gone(instanceId, 'the instance no longer exists');
      throw error;
    }
    if (options.instanceState && ENDED_INSTANCE_STATES.has(options.instanceState)) {
      return gone(instanceId, `the instance is ${options.instanceState}`);
    }
    return {
      kind: 'instance',
      instanceId,
      httpTokens: options.httpTokens,
      ...(options.httpPutResponseHopLimit !== undefined
        ? { httpPutResponseHopLimit: options.httpPutResponseHopLimit }
        : {}),
      ...(options.httpEndpoint ? { httpEndpoint: options.httpEndpoint } : {}),
      ...(options.instanceState ? { instanceState: options.instanceState } : {}),
    };
  }

  async #launchConfiguration(scope: Scope, name: string): Promise<CurrentResource> {
    const autoScaling = await this.#clients.autoScaling(scope.accountId, scope.region);
    const call = autoScalingCall(scope, 'DescribeLaunchConfigurations', name);
    let launchConfiguration;
    try {
      const output = await autoScaling.send(
        new DescribeLaunchConfigurationsCommand({ LaunchConfigurationNames: [name] }),
      );
      // An unknown name is not an error here: the list is just empty.
      launchConfiguration = output.LaunchConfigurations?.find(
        (candidate) => candidate.LaunchConfigurationName === name,
      );
    } catch (error) {
      throw translateAwsError(error, call);
    }
    if (!launchConfiguration) return gone(name, 'the launch configuration no longer exists');
    const groups = await allAutoScalingGroups(autoScaling, scope);
    const hopLimit = launchConfiguration.MetadataOptions?.HttpPutResponseHopLimit;
    const ec2 = await this.#clients.ec2(scope.accountId, scope.region);
    const migratedTemplate = await readMigratedTemplate(ec2, scope, name, groups);
    return {
      kind: 'launch-configuration',
      launchConfigurationName: name,
      // Without MetadataOptions (or HttpTokens) instances launch with the default, `optional` (AutoScaling.3 fails it).
      httpTokens: launchConfiguration.MetadataOptions?.HttpTokens === 'required' ? 'required' : 'optional',
      usedBy: groupNames(groups.filter((group) => group.LaunchConfigurationName === name)),
      ...(hopLimit !== undefined && { httpPutResponseHopLimit: hopLimit }),
      settings: launchConfigurationSettings(launchConfiguration),
      ...(migratedTemplate && { migratedTemplate }),
    };
  }

  async #autoScalingGroup(scope: Scope, groupName: string): Promise<CurrentResource> {
    const autoScaling = await this.#clients.autoScaling(scope.accountId, scope.region);
    const call = autoScalingCall(scope, 'DescribeAutoScalingGroups', groupName);
    let group: AutoScalingGroup | undefined;
    try {
      const output = await autoScaling.send(
        new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [groupName] }),
      );
      group = output.AutoScalingGroups?.find((candidate) => candidate.AutoScalingGroupName === groupName);
    } catch (error) {
      throw translateAwsError(error, call);
    }
    if (!group) return gone(groupName, 'the Auto Scaling group no longer exists');
    if (group.Status === 'Delete in progress')
      return gone(groupName, 'the Auto Scaling group is being deleted');
    if (group.LaunchConfigurationName) return this.#launchConfiguration(scope, group.LaunchConfigurationName);
    const spec = launchTemplateSpecOf(group);
    if (!spec?.LaunchTemplateId && !spec?.LaunchTemplateName) {
      throw new AwsUnexpectedResponseError(
        `Auto Scaling group ${groupName} has neither a launch configuration nor a launch template`,
        call,
      );
    }
    const ec2 = await this.#clients.ec2(scope.accountId, scope.region);
    const template = await describeLaunchTemplate(ec2, scope, spec);
    const templateCall = ec2Call(scope, 'DescribeLaunchTemplates', template.id);
    const users = usersOfTemplate(await allAutoScalingGroups(autoScaling, scope), template, templateCall);
    // The finding's group as just read, even if the list (read a moment later) no longer shows it.
    const findingUser = toUser(group, spec, template, templateCall);
    const everyUser = users.some((user) => user.groupName === groupName) ? users : [findingUser, ...users];
    const versions = await describeVersionOptions(ec2, scope, template.id, [
      ...new Set(everyUser.map((user) => user.runs)),
    ]);
    const inUse: LaunchTemplateInUse = {
      launchTemplateId: template.id,
      ...(template.name ? { launchTemplateName: template.name } : {}),
      defaultVersion: template.defaultVersion,
      latestVersion: template.latestVersion,
      findingGroup: groupName,
      users: everyUser,
      versions,
    };
    return { kind: 'launch-template', template: inUse };
  }
}

function gone(resourceId: string, detail: string): CurrentResource {
  return { kind: 'gone', resourceId, detail };
}

function ec2Call(scope: Scope, operation: string, resourceId?: string): AwsCallContext {
  return { service: 'EC2', operation, ...scope, resourceId };
}

function autoScalingCall(scope: Scope, operation: string, resourceId?: string): AwsCallContext {
  return { service: 'Auto Scaling', operation, ...scope, resourceId };
}

/** `undefined` when EC2 says the group does not exist (`InvalidGroup.NotFound`). */
async function describeSecurityGroup(
  ec2: EC2Client,
  scope: Scope,
  groupId: string,
): Promise<SecurityGroup | undefined> {
  const call = ec2Call(scope, 'DescribeSecurityGroups', groupId);
  try {
    const output = await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }));
    return output.SecurityGroups?.find((group) => group.GroupId === groupId);
  } catch (error) {
    const translated = translateAwsError(error, call);
    if (translated instanceof AwsResourceNotFoundError) return undefined;
    throw translated;
  }
}

/** Every group in the account and region; Auto Scaling filters only by tag, so matching happens here. */
async function allAutoScalingGroups(
  autoScaling: AutoScalingClient,
  scope: Scope,
): Promise<AutoScalingGroup[]> {
  const groups: AutoScalingGroup[] = [];
  try {
    for await (const page of paginateDescribeAutoScalingGroups(
      { client: autoScaling },
      { MaxRecords: 100 },
    )) {
      groups.push(...(page.AutoScalingGroups ?? []));
    }
  } catch (error) {
    throw translateAwsError(error, autoScalingCall(scope, 'DescribeAutoScalingGroups'));
  }
  return groups;
}

function groupNames(groups: readonly AutoScalingGroup[]): string[] {
  return groups.flatMap((group) => (group.AutoScalingGroupName ? [group.AutoScalingGroupName] : []));
}

/** The group's launch template, directly or through its mixed instances policy. */
export function launchTemplateSpecOf(group: AutoScalingGroup): LaunchTemplateSpecification | undefined {
  return group.LaunchTemplate ?? group.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification;
}

interface TemplateVersions {
  readonly id: string;
  readonly name?: string;
  readonly defaultVersion: number;
  readonly latestVersion: number;
}

async function describeLaunchTemplate(
  ec2: EC2Client,
  scope: Scope,
  spec: LaunchTemplateSpecification,
): Promise<TemplateVersions> {
  const call = ec2Call(scope, 'DescribeLaunchTemplates', spec.LaunchTemplateId ?? spec.LaunchTemplateName);
  let template: LaunchTemplate | undefined;
  try {
    const output = await ec2.send(
      new DescribeLaunchTemplatesCommand(
        spec.LaunchTemplateId
          ? { LaunchTemplateIds: [spec.LaunchTemplateId] }
          : { LaunchTemplateNames: [spec.LaunchTemplateName ?? ''] },
      ),
    );
    template = output.LaunchTemplates?.[0];
  } catch (error) {
    throw translateAwsError(error, call);
  }
  if (!template)
    throw new AwsResourceNotFoundError(`EC2 did not return launch template ${call.resourceId}`, call);
  const { LaunchTemplateId, LaunchTemplateName, DefaultVersionNumber, LatestVersionNumber } = template;
  if (!LaunchTemplateId || DefaultVersionNumber === undefined || LatestVersionNumber === undefined) {
    throw new AwsUnexpectedResponseError(
      'EC2 returned a launch template without its id or version numbers',
      call,
    );
  }
  return {
    id: LaunchTemplateId,
    ...(LaunchTemplateName ? { name: LaunchTemplateName } : {}),
    defaultVersion: DefaultVersionNumber,
    latestVersion: LatestVersionNumber,
  };
}

/** Auto Scaling's version spec: `$Default` (also when absent), `$Latest`, or a version number. */
function resolveVersion(spec: string | undefined, template: TemplateVersions, call: AwsCallContext): number {
  if (spec === undefined || spec === '$Default') return template.defaultVersion;
  if (spec === '$Latest') return template.latestVersion;
  const version = Number(spec);
  if (!Number.isInteger(version) || version < 1) {
    throw new AwsUnexpectedResponseError(`Auto Scaling named launch template version "${spec}"`, call);
  }
  return version;
}

type MetadataSetting = 'enabled' | 'disabled';

function setting(value: string | undefined): MetadataSetting | undefined {
  return value === 'enabled' || value === 'disabled' ? value : undefined;
}

/** The metadata options of each listed version, read in one call (a version EC2 does not return is an error). */
async function describeVersionOptions(
  ec2: EC2Client,
  scope: Scope,
  launchTemplateId: string,
  versions: readonly number[],
): Promise<LaunchTemplateVersionOptions[]> {
  if (versions.length === 0) return [];
  const call = ec2Call(
    scope,
    'DescribeLaunchTemplateVersions',
    `${launchTemplateId} version ${versions.join(', ')}`,
  );
  let found: LaunchTemplateVersion[];
  try {
    const output = await ec2.send(
      new DescribeLaunchTemplateVersionsCommand({
        LaunchTemplateId: launchTemplateId,
        Versions: versions.map(String),
      }),
    );
    found = output.LaunchTemplateVersions ?? [];
  } catch (error) {
    throw translateAwsError(error, call);
  }
  return versions.map((version) => {
    const entry = found.find((candidate) => candidate.VersionNumber === version);
    if (!entry) {
      throw new AwsResourceNotFoundError(
        `EC2 did not return version ${version} of ${launchTemplateId}`,
        {
          ...call,
          resourceId: `${launchTemplateId} version ${version}`,
        },
        'InvalidLaunchTemplateId.VersionNotFound',
      );
    }
    const options = entry.LaunchTemplateData?.MetadataOptions;
    const httpEndpoint = setting(options?.HttpEndpoint);
    const httpProtocolIpv6 = setting(options?.HttpProtocolIpv6);
    const instanceMetadataTags = setting(options?.InstanceMetadataTags);
    return {
      version,
      // Without HttpTokens the instances get `optional` (or an account default the bot cannot see): not fixed.
      httpTokens: options?.HttpTokens === 'required' ? 'required' : 'optional',
      ...(options?.HttpPutResponseHopLimit !== undefined
        ? { httpPutResponseHopLimit: options.HttpPutResponseHopLimit }
        : {}),
      ...(httpEndpoint ? { httpEndpoint } : {}),
      ...(httpProtocolIpv6 ? { httpProtocolIpv6 } : {}),
      ...(instanceMetadataTags ? { instanceMetadataTags } : {}),
    };
  });
}

function usesTemplate(spec: LaunchTemplateSpecification, template: TemplateVersions): boolean {
  return spec.LaunchTemplateId
    ? spec.LaunchTemplateId === template.id
    : spec.LaunchTemplateName !== undefined && spec.LaunchTemplateName === template.name;
}

function toUser(
  group: AutoScalingGroup,
  spec: LaunchTemplateSpecification,
  template: TemplateVersions,
  call: AwsCallContext,
): LaunchTemplateUser {
  return {
    groupName: group.AutoScalingGroupName ?? '',
    // Auto Scaling uses the default version when a group names none.
    versionSpec: spec.Version ?? '$Default',
    runs: resolveVersion(spec.Version, template, call),
    mixedInstancesPolicy: group.LaunchTemplate === undefined && group.MixedInstancesPolicy !== undefined,
  };
}

/**
 * Every group that launches from the template, directly or through a mixed instances policy, with the version it
 * runs resolved *now* (before any change): the plan needs them all, since a new version moves `$Latest` for all.
 */
function usersOfTemplate(
  groups: readonly AutoScalingGroup[],
  template: TemplateVersions,
  call: AwsCallContext,
): LaunchTemplateUser[] {
  return groups.flatMap((group) => {
    const spec = launchTemplateSpecOf(group);
    if (
      !spec ||
      !group.AutoScalingGroupName ||
      group.LaunchConfigurationName ||
      !usesTemplate(spec, template)
    )
      return [];
    return [toUser(group, spec, template, call)];
  });
}

/** Fields of a launch configuration that say what it is, not how instances launch: never carried over. */
const IDENTITY_FIELDS: ReadonlySet<string> = new Set([
  'LaunchConfigurationName',
  'LaunchConfigurationARN',
  'CreatedTime',
]);

/** The fields the migration translates (see launchTemplateDataOf). */
const TRANSLATED_FIELDS: ReadonlySet<string> = new Set([
  'ImageId',
  'InstanceType',
  'KeyName',
  'SecurityGroups',
  'ClassicLinkVPCId',
  'ClassicLinkVPCSecurityGroups',
  'UserData',
  'KernelId',
  'RamdiskId',
  'IamInstanceProfile',
  'BlockDeviceMappings',
  'InstanceMonitoring',
  'SpotPrice',
  'EbsOptimized',
  'AssociatePublicIpAddress',
  'PlacementTenancy',
  'MetadataOptions',
]);

function hasValue(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return false;
  return !Array.isArray(value) || value.length > 0;
}

/** The launch configuration as the migration reads it; fields it does not know, if set, are named so it refuses. */
function launchConfigurationSettings(configuration: LaunchConfiguration): LaunchConfigurationSettings {
  const untranslatedFields = Object.entries(configuration)
    .filter(
      ([field, value]) => !IDENTITY_FIELDS.has(field) && !TRANSLATED_FIELDS.has(field) && hasValue(value),
    )
    .map(([field]) => field);
  const { MetadataOptions: options } = configuration;
  return {
    ...(configuration.ImageId !== undefined && { ImageId: configuration.ImageId }),
    ...(configuration.InstanceType !== undefined && { InstanceType: configuration.InstanceType }),
    ...(configuration.KeyName !== undefined && { KeyName: configuration.KeyName }),
    ...(configuration.SecurityGroups && { SecurityGroups: configuration.SecurityGroups }),
    ...(configuration.ClassicLinkVPCId !== undefined && { ClassicLinkVPCId: configuration.ClassicLinkVPCId }),
    ...(configuration.ClassicLinkVPCSecurityGroups && {
      ClassicLinkVPCSecurityGroups: configuration.ClassicLinkVPCSecurityGroups,
    }),
    ...(configuration.UserData !== undefined && { UserData: configuration.UserData }),
    ...(configuration.KernelId !== undefined && { KernelId: configuration.KernelId }),
    ...(configuration.RamdiskId !== undefined && { RamdiskId: configuration.RamdiskId }),
    ...(configuration.IamInstanceProfile !== undefined && {
      IamInstanceProfile: configuration.IamInstanceProfile,
    }),
    ...(configuration.BlockDeviceMappings && { BlockDeviceMappings: configuration.BlockDeviceMappings }),
    ...(configuration.InstanceMonitoring && { InstanceMonitoring: configuration.InstanceMonitoring }),
    ...(configuration.SpotPrice !== undefined && { SpotPrice: configuration.SpotPrice }),
    ...(configuration.EbsOptimized !== undefined && { EbsOptimized: configuration.EbsOptimized }),
    ...(configuration.AssociatePublicIpAddress !== undefined && {
      AssociatePublicIpAddress: configuration.AssociatePublicIpAddress,
    }),
    ...(configuration.PlacementTenancy !== undefined && { PlacementTenancy: configuration.PlacementTenancy }),
    ...(options && {
      MetadataOptions: {
        ...(options.HttpTokens !== undefined && { HttpTokens: options.HttpTokens }),
        ...(options.HttpPutResponseHopLimit !== undefined && {
          HttpPutResponseHopLimit: options.HttpPutResponseHopLimit,
        }),
        ...(options.HttpEndpoint !== undefined && { HttpEndpoint: options.HttpEndpoint }),
      },
    }),
    untranslatedFields,
  };
}

/**
 * The launch template a migration of `launchConfigurationName` makes (found by its fixed name), its default
 * version's metadata options and the groups that launch from it; `undefined` when there is none yet.
 */
async function readMigratedTemplate(
  ec2: EC2Client,
  scope: Scope,
  launchConfigurationName: string,
  groups: readonly AutoScalingGroup[],
): Promise<MigratedTemplate | undefined> {
  const name = migratedTemplateName(launchConfigurationName);
  let template: TemplateVersions;
  try {
    template = await describeLaunchTemplate(ec2, scope, { LaunchTemplateName: name });
  } catch (error) {
    if (error instanceof AwsResourceNotFoundError) return undefined;
    throw error;
  }
  const call = ec2Call(scope, 'DescribeLaunchTemplateVersions', `${template.id} version $Default`);
  let version: LaunchTemplateVersion | undefined;
  try {
    const output = await ec2.send(
      new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: template.id, Versions: ['$Default'] }),
    );
    version = output.LaunchTemplateVersions?.[0];
  } catch (error) {
    throw translateAwsError(error, call);
  }
  if (!version)
    throw new AwsUnexpectedResponseError(`EC2 did not return the default version of ${name}`, call);
  const options = version.LaunchTemplateData?.MetadataOptions;
  const users = groups.flatMap((group) => {
    const spec = group.LaunchTemplate;
    if (!group.AutoScalingGroupName || !spec || !usesTemplate(spec, template)) return [];
    return [{ groupName: group.AutoScalingGroupName, versionSpec: spec.Version ?? '$Default' }];
  });
  return {
    launchTemplateId: template.id,
    launchTemplateName: name,
    defaultVersion: template.defaultVersion,
    httpTokens: options?.HttpTokens === 'required' ? 'required' : 'optional',
    ...(options?.HttpPutResponseHopLimit !== undefined && {
      httpPutResponseHopLimit: options.HttpPutResponseHopLimit,
    }),
    madeByBot: version.VersionDescription === MIGRATION_VERSION_DESCRIPTION,
    users,
  };
}
