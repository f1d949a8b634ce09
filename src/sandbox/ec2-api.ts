import { createHash } from 'node:crypto';
import type {
  CreateLaunchTemplateRequest,
  CreateLaunchTemplateResult,
  CreateLaunchTemplateVersionRequest,
  CreateLaunchTemplateVersionResult,
  DescribeInstancesRequest,
  DescribeInstancesResult,
  DescribeLaunchTemplateVersionsRequest,
  DescribeLaunchTemplateVersionsResult,
  DescribeLaunchTemplatesRequest,
  DescribeLaunchTemplatesResult,
  CreateNetworkAclEntryRequest,
  DescribeNetworkAclsRequest,
  DescribeNetworkAclsResult,
  DescribeNetworkInterfacesResult,
  DescribeRouteTablesResult,
  DescribeSecurityGroupRulesRequest,
  DescribeSecurityGroupRulesResult,
  DescribeSecurityGroupsRequest,
  DescribeSecurityGroupsResult,
  Filter,
  GetInstanceMetadataDefaultsResult,
  InstanceMetadataDefaultsResponse,
  IpPermission,
  LaunchTemplate,
  LaunchTemplateVersion,
  ModifyInstanceMetadataDefaultsRequest,
  ModifyInstanceMetadataDefaultsResult,
  ModifyInstanceMetadataOptionsRequest,
  ModifyInstanceMetadataOptionsResult,
  ModifyLaunchTemplateRequest,
  ModifyLaunchTemplateResult,
  RevokeSecurityGroupIngressRequest,
  RevokeSecurityGroupIngressResult,
  SecurityGroup,
  SecurityGroupRule,
} from '@aws-sdk/client-ec2';
import type { RegionEstate } from './estate.js';
import { ec2Refusal } from './service-errors.js';

/** How a filter name reads its values off a resource; a name EC2 would refuse is refused here too. */
type FilterFields<T> = Readonly<Record<string, (item: T) => readonly (string | undefined)[]>>;

function matchesFilters<T>(
  item: T,
  filters: readonly Filter[] | undefined,
  fields: FilterFields<T>,
): boolean {
  return (filters ?? []).every((filter) => {
    const read = filter.Name ? fields[filter.Name] : undefined;
    if (!read) throw ec2Refusal('InvalidParameterValue', `The filter '${filter.Name ?? ''}' is invalid`);
    const values = read(item);
    return (filter.Values ?? []).some((wanted) => values.includes(wanted));
  });
}

const RULE_FILTERS: FilterFields<SecurityGroupRule> = {
  'group-id': (rule) => [rule.GroupId],
  'security-group-rule-id': (rule) => [rule.SecurityGroupRuleId],
};

const INTERFACE_FILTERS: FilterFields<
  NonNullable<DescribeNetworkInterfacesResult['NetworkInterfaces']>[number]
> = {
  'group-id': (eni) => (eni.Groups ?? []).map((group) => group.GroupId),
  'subnet-id': (eni) => [eni.SubnetId],
  'vpc-id': (eni) => [eni.VpcId],
  'network-interface-id': (eni) => [eni.NetworkInterfaceId],
};

const ROUTE_TABLE_FILTERS: FilterFields<NonNullable<DescribeRouteTablesResult['RouteTables']>[number]> = {
  'vpc-id': (table) => [table.VpcId],
  'association.subnet-id': (table) => (table.Associations ?? []).map((association) => association.SubnetId),
  'route-table-id': (table) => [table.RouteTableId],
};

const NETWORK_ACL_FILTERS: FilterFields<NonNullable<DescribeNetworkAclsResult['NetworkAcls']>[number]> = {
  'vpc-id': (acl) => [acl.VpcId],
  'association.subnet-id': (acl) => (acl.Associations ?? []).map((association) => association.SubnetId),
  default: (acl) => [String(acl.IsDefault === true)],
  'network-acl-id': (acl) => [acl.NetworkAclId],
};

/** EC2 as the bot's adapters call it, over one account's resources in one region (absent: it has none there). */
export class SandboxEc2 {
  constructor(
    private readonly estate: RegionEstate | undefined,
    private readonly now: () => Date,
  ) {}

  DescribeSecurityGroups(input: DescribeSecurityGroupsRequest): DescribeSecurityGroupsResult {
    const ids = input.GroupIds ?? [];
    const groups = (this.estate?.SecurityGroups ?? []).filter(
      (group) => ids.length === 0 || ids.includes(group.GroupId ?? ''),
    );
    const missing = ids.find((id) => !groups.some((group) => group.GroupId === id));
    if (missing) throw ec2Refusal('InvalidGroup.NotFound', `The security group '${missing}' does not exist`);
    return { SecurityGroups: groups.map((group) => this.#withPermissions(group)) };
  }

  /** A deleted (or unknown) group has no rules: EC2 answers with an empty list, not an error. */
  DescribeSecurityGroupRules(input: DescribeSecurityGroupRulesRequest): DescribeSecurityGroupRulesResult {
    const ids = input.SecurityGroupRuleIds ?? [];
    const rules = (this.estate?.SecurityGroupRules ?? []).filter(
      (rule) =>
        (ids.length === 0 || ids.includes(rule.SecurityGroupRuleId ?? '')) &&
        matchesFilters(rule, input.Filters, RULE_FILTERS),
    );
    const missing = ids.find((id) => !rules.some((rule) => rule.SecurityGroupRuleId === id));
    if (missing) {
      throw ec2Refusal(
        'InvalidSecurityGroupRuleId.NotFound',
        `The security group rule ID '${missing}' does not exist`,
      );
    }
    return { SecurityGroupRules: structuredClone(rules) };
  }

  DescribeNetworkInterfaces(input: { Filters?: Filter[] }): DescribeNetworkInterfacesResult {
    return {
      NetworkInterfaces: structuredClone(
        (this.estate?.NetworkInterfaces ?? []).filter((eni) =>
          matchesFilters(eni, input.Filters, INTERFACE_FILTERS),
        ),
      ),
    };
  }

  DescribeRouteTables(input: { Filters?: Filter[] }): DescribeRouteTablesResult {
    return {
      RouteTables: structuredClone(
        (this.estate?.RouteTables ?? []).filter((table) =>
          matchesFilters(table, input.Filters, ROUTE_TABLE_FILTERS),
        ),
      ),
    };
  }

  DescribeNetworkAcls(input: DescribeNetworkAclsRequest): DescribeNetworkAclsResult {
    const ids = input.NetworkAclIds ?? [];
    const acls = (this.estate?.NetworkAcls ?? []).filter(
      (acl) =>
        (ids.length === 0 || ids.includes(acl.NetworkAclId ?? '')) &&
        matchesFilters(acl, input.Filters, NETWORK_ACL_FILTERS),
    );
    const missing = ids.find((id) => !acls.some((acl) => acl.NetworkAclId === id));
    if (missing)
      throw ec2Refusal('InvalidNetworkAclID.NotFound', `The networkAcl ID '${missing}' does not exist`);
    return { NetworkAcls: structuredClone(acls) };
  }

  /** Adds one entry; a number the direction already uses is refused, as EC2 does (IPv4 and IPv6 share numbers). */
  CreateNetworkAclEntry(input: CreateNetworkAclEntryRequest): Record<string, never> {
    const acl = (this.estate?.NetworkAcls ?? []).find(
      (candidate) => candidate.NetworkAclId === input.NetworkAclId,
    );
    if (!acl)
      throw ec2Refusal(
        'InvalidNetworkAclID.NotFound',
        `The networkAcl ID '${input.NetworkAclId ?? ''}' does not exist`,
      );
    const egress = input.Egress === true;
    const entries = (acl.Entries ??= []);
    if (
      entries.some((entry) => entry.RuleNumber === input.RuleNumber && (entry.Egress === true) === egress)
    ) {
      throw ec2Refusal(
        'NetworkAclEntryAlreadyExists',
        `The network acl entry identified by ${input.RuleNumber ?? ''} already exists.`,
      );
    }
    entries.push({
      RuleNumber: input.RuleNumber,
      Protocol: input.Protocol,
      RuleAction: input.RuleAction,
      Egress: egress,
      ...(input.CidrBlock ? { CidrBlock: input.CidrBlock } : {}),
      ...(input.Ipv6CidrBlock ? { Ipv6CidrBlock: input.Ipv6CidrBlock } : {}),
      ...(input.PortRange ? { PortRange: { ...input.PortRange } } : {}),
    });
    return {};
  }

  DescribeInstances(input: DescribeInstancesRequest): DescribeInstancesResult {
    const ids = input.InstanceIds ?? [];
    const reservations = (this.estate?.Reservations ?? []).flatMap((reservation) => {
      const instances = (reservation.Instances ?? []).filter(
        (instance) => ids.length === 0 || ids.includes(instance.InstanceId ?? ''),
      );
      return instances.length > 0 ? [{ ...reservation, Instances: instances }] : [];
    });
    const found = reservations.flatMap((reservation) => reservation.Instances ?? []);
    const missing = ids.find((id) => !found.some((instance) => instance.InstanceId === id));
    if (missing)
      throw ec2Refusal('InvalidInstanceID.NotFound', `The instance ID '${missing}' does not exist`);
    return { Reservations: structuredClone(reservations) };
  }

  /** The account's IMDS defaults in this region; a fresh account has none ("no preference" for every option). */
  GetInstanceMetadataDefaults(): GetInstanceMetadataDefaultsResult {
    return { AccountLevel: { ...this.estate?.InstanceMetadataDefaults } };
  }

  /** As EC2 does: an option left out stays as it is, `no-preference` (hop limit -1) clears it. */
  ModifyInstanceMetadataDefaults(
    input: ModifyInstanceMetadataDefaultsRequest,
  ): ModifyInstanceMetadataDefaultsResult {
    if (!this.estate)
      throw ec2Refusal(
        'UnauthorizedOperation',
        'The sandbox has no resources for this account in this region',
      );
    const defaults: InstanceMetadataDefaultsResponse = { ...this.estate.InstanceMetadataDefaults };
    if (defaults.ManagedBy === 'declarative-policy')
      throw ec2Refusal(
        'UnauthorizedOperation',
        defaults.ManagedExceptionMessage ?? 'The IMDS defaults are managed by a declarative policy',
      );
    const set = <K extends keyof InstanceMetadataDefaultsResponse>(
      key: K,
      value: InstanceMetadataDefaultsResponse[K] | 'no-preference' | undefined,
    ) => {
      if (value === undefined) return;
      if (value === 'no-preference' || value === -1) delete defaults[key];
      else defaults[key] = value as InstanceMetadataDefaultsResponse[K];
    };
    if (input.HttpPutResponseHopLimit !== undefined && input.HttpPutResponseHopLimit !== -1) {
      const hop = input.HttpPutResponseHopLimit;
      if (!Number.isInteger(hop) || hop < 1 || hop > 64)
        throw ec2Refusal('InvalidParameterValue', `Invalid HttpPutResponseHopLimit: ${hop}`);
    }
    set('HttpTokens', input.HttpTokens);
    set('HttpPutResponseHopLimit', input.HttpPutResponseHopLimit);
    set('HttpEndpoint', input.HttpEndpoint);
    set('InstanceMetadataTags', input.InstanceMetadataTags);
    set('HttpTokensEnforced', input.HttpTokensEnforced);
    this.estate.InstanceMetadataDefaults = defaults;
    return { Return: true };
  }

  ModifyInstanceMetadataOptions(
    input: ModifyInstanceMetadataOptionsRequest,
  ): ModifyInstanceMetadataOptionsResult {
    const instance = (this.estate?.Reservations ?? [])
      .flatMap((reservation) => reservation.Instances ?? [])
      .find((candidate) => candidate.InstanceId === input.InstanceId);
    if (!instance) {
      throw ec2Refusal(
        'InvalidInstanceID.NotFound',
        `The instance ID '${input.InstanceId ?? ''}' does not exist`,
      );
    }
    // Options left out stay as they are; the sandbox applies the change at once (EC2 reports `pending` first).
    const options = { ...instance.MetadataOptions };
    if (input.HttpTokens !== undefined) options.HttpTokens = input.HttpTokens;
    if (input.HttpPutResponseHopLimit !== undefined)
      options.HttpPutResponseHopLimit = input.HttpPutResponseHopLimit;
    if (input.HttpEndpoint !== undefined) options.HttpEndpoint = input.HttpEndpoint;
    if (input.HttpProtocolIpv6 !== undefined) options.HttpProtocolIpv6 = input.HttpProtocolIpv6;
    if (input.InstanceMetadataTags !== undefined) options.InstanceMetadataTags = input.InstanceMetadataTags;
    instance.MetadataOptions = { ...options, State: 'applied' };
    return { InstanceId: instance.InstanceId, InstanceMetadataOptions: { ...options, State: 'pending' } };
  }

  RevokeSecurityGroupIngress(input: RevokeSecurityGroupIngressRequest): RevokeSecurityGroupIngressResult {
    return this.#revoke(input, false);
  }

  RevokeSecurityGroupEgress(input: RevokeSecurityGroupIngressRequest): RevokeSecurityGroupIngressResult {
    return this.#revoke(input, true);
  }

  DescribeLaunchTemplates(input: DescribeLaunchTemplatesRequest): DescribeLaunchTemplatesResult {
    const templates = this.estate?.LaunchTemplates ?? [];
    const byId = input.LaunchTemplateIds ?? [];
    const byName = input.LaunchTemplateNames ?? [];
    for (const id of byId) {
      if (!templates.some((template) => template.LaunchTemplateId === id)) {
        throw ec2Refusal(
          'InvalidLaunchTemplateId.NotFound',
          `The specified launch template, with template ID ${id}, does not exist.`,
        );
      }
    }
    for (const name of byName) {
      if (!templates.some((template) => template.LaunchTemplateName === name)) {
        throw ec2Refusal(
          'InvalidLaunchTemplateName.NotFoundException',
          `At least one of the launch templates specified in the request does not exist.`,
        );
      }
    }
    return {
      LaunchTemplates: structuredClone(
        templates.filter(
          (template) =>
            (byId.length === 0 && byName.length === 0) ||
            byId.includes(template.LaunchTemplateId ?? '') ||
            byName.includes(template.LaunchTemplateName ?? ''),
        ),
      ),
    };
  }

  DescribeLaunchTemplateVersions(
    input: DescribeLaunchTemplateVersionsRequest,
  ): DescribeLaunchTemplateVersionsResult {
    const template = this.#template(input.LaunchTemplateId, input.LaunchTemplateName);
    const versions = this.#versionsOf(template);
    const wanted = (input.Versions ?? []).map((spec) => {
      const number = resolveVersionSpec(spec, template);
      const version = versions.find((candidate) => candidate.VersionNumber === number);
      if (!version) {
        throw ec2Refusal(
          'InvalidLaunchTemplateId.VersionNotFound',
          `Could not find launch template version ${spec} for the launch template with ID ${template.LaunchTemplateId ?? ''}.`,
        );
      }
      return version;
    });
    return { LaunchTemplateVersions: structuredClone(wanted.length > 0 ? wanted : versions) };
  }

  /**
   * A new template whose version 1 is `LaunchTemplateData`. Its id follows from its name. A repeated request
   * (same name and data, as with the same ClientToken) answers the template made the first time; another request
   * for a name in use is refused, as EC2 does.
   */
  CreateLaunchTemplate(input: CreateLaunchTemplateRequest): CreateLaunchTemplateResult {
    const name = input.LaunchTemplateName ?? '';
    const existing = (this.estate?.LaunchTemplates ?? []).find(
      (template) => template.LaunchTemplateName === name,
    );
    if (existing) {
      const first = this.#versionsOf(existing).find((version) => version.VersionNumber === 1);
      if (JSON.stringify(first?.LaunchTemplateData) === JSON.stringify(input.LaunchTemplateData ?? {}))
        return { LaunchTemplate: structuredClone(existing) };
      throw ec2Refusal(
        'InvalidLaunchTemplateName.AlreadyExistsException',
        `Launch template name already in use.`,
      );
    }
    if (!this.estate)
      throw ec2Refusal('UnauthorizedOperation', 'The sandbox has no resources in this region.');
    const id = `lt-${createHash('sha256').update(name).digest('hex').slice(0, 17)}`;
    const template: LaunchTemplate = {
      LaunchTemplateId: id,
      LaunchTemplateName: name,
      CreateTime: this.now(),
      CreatedBy: 'arn:aws:sts::sandbox:assumed-role/cspm-bot',
      DefaultVersionNumber: 1,
      LatestVersionNumber: 1,
    };
    this.estate.LaunchTemplates.push(template);
    this.estate.LaunchTemplateVersions.push({
      LaunchTemplateId: id,
      LaunchTemplateName: name,
      VersionNumber: 1,
      ...(input.VersionDescription !== undefined && { VersionDescription: input.VersionDescription }),
      CreateTime: this.now(),
      CreatedBy: template.CreatedBy,
      DefaultVersion: true,
      LaunchTemplateData: structuredClone(
        input.LaunchTemplateData ?? {},
      ) as LaunchTemplateVersion['LaunchTemplateData'],
    });
    return { LaunchTemplate: structuredClone(template) };
  }

  /** The new version starts from the source version's data; each top-level field given replaces the source's whole. */
  CreateLaunchTemplateVersion(input: CreateLaunchTemplateVersionRequest): CreateLaunchTemplateVersionResult {
    const template = this.#template(input.LaunchTemplateId, input.LaunchTemplateName);
    const versions = this.#versionsOf(template);
    const sourceNumber =
      input.SourceVersion !== undefined ? resolveVersionSpec(input.SourceVersion, template) : undefined;
    const source =
      sourceNumber === undefined
        ? undefined
        : versions.find((version) => version.VersionNumber === sourceNumber);
    if (sourceNumber !== undefined && !source) {
      throw ec2Refusal(
        'InvalidLaunchTemplateId.VersionNotFound',
        `Could not find launch template version ${input.SourceVersion ?? ''} for the launch template with ID ${template.LaunchTemplateId ?? ''}.`,
      );
    }
    const number = (template.LatestVersionNumber ?? 0) + 1;
    const version: LaunchTemplateVersion = {
      LaunchTemplateId: template.LaunchTemplateId,
      LaunchTemplateName: template.LaunchTemplateName,
      VersionNumber: number,
      ...(input.VersionDescription !== undefined && { VersionDescription: input.VersionDescription }),
      CreateTime: this.now(),
      CreatedBy: template.CreatedBy,
      DefaultVersion: false,
      LaunchTemplateData: {
        ...structuredClone(source?.LaunchTemplateData ?? {}),
        ...structuredClone(input.LaunchTemplateData ?? {}),
      } as LaunchTemplateVersion['LaunchTemplateData'],
    };
    this.estate?.LaunchTemplateVersions.push(version);
    template.LatestVersionNumber = number;
    return { LaunchTemplateVersion: structuredClone(version) };
  }

  ModifyLaunchTemplate(input: ModifyLaunchTemplateRequest): ModifyLaunchTemplateResult {
    const template = this.#template(input.LaunchTemplateId, input.LaunchTemplateName);
    if (input.DefaultVersion !== undefined) {
      const number = Number(input.DefaultVersion);
      const versions = this.#versionsOf(template);
      if (!versions.some((version) => version.VersionNumber === number)) {
        throw ec2Refusal(
          'InvalidLaunchTemplateId.VersionNotFound',
          `Could not find launch template version ${input.DefaultVersion} for the launch template with ID ${template.LaunchTemplateId ?? ''}.`,
        );
      }
      template.DefaultVersionNumber = number;
      for (const version of versions) version.DefaultVersion = version.VersionNumber === number;
    }
    return { LaunchTemplate: structuredClone(template) };
  }

  #template(id: string | undefined, name: string | undefined): LaunchTemplate {
    const template = (this.estate?.LaunchTemplates ?? []).find((candidate) =>
      id ? candidate.LaunchTemplateId === id : candidate.LaunchTemplateName === name,
    );
    if (template) return template;
    if (id)
      throw ec2Refusal(
        'InvalidLaunchTemplateId.NotFound',
        `The specified launch template, with template ID ${id}, does not exist.`,
      );
    throw ec2Refusal(
      'InvalidLaunchTemplateName.NotFoundException',
      `The specified launch template, with template name ${name ?? ''}, does not exist.`,
    );
  }

  #versionsOf(template: LaunchTemplate): LaunchTemplateVersion[] {
    return (this.estate?.LaunchTemplateVersions ?? []).filter(
      (version) => version.LaunchTemplateId === template.LaunchTemplateId,
    );
  }

  /** By rule id only, as the bot revokes: every id must be a rule of the group in that direction, or nothing changes. */
  #revoke(input: RevokeSecurityGroupIngressRequest, egress: boolean): RevokeSecurityGroupIngressResult {
    const groupId = input.GroupId ?? '';
    if (!(this.estate?.SecurityGroups ?? []).some((group) => group.GroupId === groupId)) {
      throw ec2Refusal('InvalidGroup.NotFound', `The security group '${groupId}' does not exist`);
    }
    const estate = this.estate!;
    const ids = input.SecurityGroupRuleIds ?? [];
    const revoked = ids.map((id) => {
      const rule = estate.SecurityGroupRules.find(
        (candidate) =>
          candidate.SecurityGroupRuleId === id &&
          candidate.GroupId === groupId &&
          (candidate.IsEgress === true) === egress,
      );
      if (!rule) {
        throw ec2Refusal(
          'InvalidSecurityGroupRuleId.NotFound',
          `The security group rule ID '${id}' does not exist in security group '${groupId}'`,
        );
      }
      return rule;
    });
    estate.SecurityGroupRules = estate.SecurityGroupRules.filter((rule) => !revoked.includes(rule));
    return {
      Return: true,
      RevokedSecurityGroupRules: revoked.map((rule) => ({
        SecurityGroupRuleId: rule.SecurityGroupRuleId,
        GroupId: rule.GroupId,
        IsEgress: rule.IsEgress,
        IpProtocol: rule.IpProtocol,
        FromPort: rule.FromPort,
        ToPort: rule.ToPort,
        ...(rule.CidrIpv4 && { CidrIpv4: rule.CidrIpv4 }),
        ...(rule.CidrIpv6 && { CidrIpv6: rule.CidrIpv6 }),
        ...(rule.PrefixListId && { PrefixListId: rule.PrefixListId }),
        ...(rule.ReferencedGroupInfo?.GroupId && { ReferencedGroupId: rule.ReferencedGroupInfo.GroupId }),
        ...(rule.Description && { Description: rule.Description }),
      })),
    };
  }

  /** The group as DescribeSecurityGroups shows it: its rules folded into `IpPermissions`, one entry per rule. */
  #withPermissions(group: SecurityGroup): SecurityGroup {
    const rules = (this.estate?.SecurityGroupRules ?? []).filter((rule) => rule.GroupId === group.GroupId);
    return {
      ...structuredClone(group),
      IpPermissions: rules.filter((rule) => rule.IsEgress !== true).map(toPermission),
      IpPermissionsEgress: rules.filter((rule) => rule.IsEgress === true).map(toPermission),
    };
  }
}

function toPermission(rule: SecurityGroupRule): IpPermission {
  const description = rule.Description ? { Description: rule.Description } : {};
  const referenced = rule.ReferencedGroupInfo;
  return {
    IpProtocol: rule.IpProtocol,
    ...(rule.IpProtocol !== '-1' && { FromPort: rule.FromPort, ToPort: rule.ToPort }),
    IpRanges: rule.CidrIpv4 ? [{ CidrIp: rule.CidrIpv4, ...description }] : [],
    Ipv6Ranges: rule.CidrIpv6 ? [{ CidrIpv6: rule.CidrIpv6, ...description }] : [],
    PrefixListIds: rule.PrefixListId ? [{ PrefixListId: rule.PrefixListId, ...description }] : [],
    UserIdGroupPairs: referenced?.GroupId ? [{ ...structuredClone(referenced), ...description }] : [],
  };
}

/** `$Default`, `$Latest` or a version number, as EC2 and Auto Scaling accept it. */
export function resolveVersionSpec(spec: string, template: LaunchTemplate): number {
  if (spec === '$Default') return template.DefaultVersionNumber ?? 1;
  if (spec === '$Latest') return template.LatestVersionNumber ?? 1;
  const number = Number(spec);
  if (!Number.isInteger(number) || number < 1) {
    throw ec2Refusal(
      'InvalidLaunchTemplateId.VersionNotFound',
      `Could not find launch template version ${spec}.`,
    );
  }
  return number;
}
