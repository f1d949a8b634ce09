import {
  DescribeInstancesCommand,
  paginateDescribeNetworkAcls,
  paginateDescribeNetworkInterfaces,
  paginateDescribeRouteTables,
  paginateDescribeSecurityGroupRules,
} from '@aws-sdk/client-ec2';
import type {
  EC2Client,
  Filter,
  Instance,
  NetworkAcl,
  NetworkAclEntry,
  NetworkInterface,
  RouteTable,
  SecurityGroupRule as Ec2SecurityGroupRule,
} from '@aws-sdk/client-ec2';
import { toAppError } from '../domain/app-error.js';
import type {
  NetworkAclEntryFacts,
  NetworkAclFacts,
  NetworkAclReading,
  NetworkInterfaceFacts,
  RouteTableFacts,
} from '../domain/reachability.js';
import type { RuleSource, SecurityGroupRule } from '../domain/security-group-rule.js';
import type { AwsCallContext, AwsScope } from './errors.js';
import {
  AwsResourceNotFoundError,
  AwsUnexpectedResponseError,
  clientRegion,
  translateAwsError,
} from './errors.js';

/** The instance metadata service settings of one instance, as EC2 reports them now. */
export interface InstanceMetadataOptions {
  /** `required` means IMDSv2 only; `optional` still allows IMDSv1. */
  readonly httpTokens: 'required' | 'optional';
  readonly httpPutResponseHopLimit?: number;
  readonly httpEndpoint?: 'enabled' | 'disabled';
  /** `pending` right after a change, `applied` once the instance uses it. */
  readonly state?: string;
  /** The instance's own state (`running`, `stopped`, `terminated`, …). */
  readonly instanceState?: string;
}

export interface NetworkFacts {
  readonly interfaces: NetworkInterfaceFacts[];
  readonly routeTables: RouteTableFacts[];
  /** The network ACLs of the subnets of interfaces with a public address, or why they could not be read. */
  readonly networkAcls: NetworkAclReading;
}

const NO_NETWORK_ACLS: NetworkAclReading = { kind: 'read', networkAcls: [] };

const SERVICE = 'EC2';

/** Reads what EC2 says about a security group's rules and where the group is attached. Reads only. */
export class Ec2NetworkReader {
  readonly #client: EC2Client;
  readonly #scope: AwsScope;

  /** `scope` names the account and region of `client` in errors; the region defaults to the client's. */
  constructor(client: EC2Client, scope: AwsScope = {}) {
    this.#client = client;
    this.#scope = scope;
  }

  /** The group's ingress rules, each with its `sgr-…` id; egress rules are left out. */
  async ingressRules(groupId: string): Promise<SecurityGroupRule[]> {
    return (await this.rules(groupId)).filter((rule) => !rule.isEgress);
  }

  /** Every rule of the group, inbound and outbound, each with its `sgr-…` id. */
  async rules(groupId: string): Promise<SecurityGroupRule[]> {
    const rules: SecurityGroupRule[] = [];
    const pages = paginateDescribeSecurityGroupRules(
      { client: this.#client },
      { Filters: [{ Name: 'group-id', Values: [groupId] }] },
    );
    try {
      for await (const page of pages) {
        for (const rule of page.SecurityGroupRules ?? []) {
          const converted = toSecurityGroupRule(rule, groupId);
          if (converted) rules.push(converted);
        }
      }
    } catch (error) {
      throw translateAwsError(error, await this.#call('DescribeSecurityGroupRules', groupId));
    }
    return rules;
  }

  /**
   * The network interfaces that use the group and the route tables of their VPCs (plus `vpcId`, the group's own
   * VPC, when given). No interface means nothing to route, so route tables are then not read.
   */
  async networkFacts(groupId: string, vpcId?: string): Promise<NetworkFacts> {
    const interfaces = await this.#interfacesUsing(groupId);
    if (interfaces.length === 0) return { interfaces, routeTables: [], networkAcls: NO_NETWORK_ACLS };
    const vpcIds = [...new Set([...interfaces.map((facts) => facts.vpcId), ...(vpcId ? [vpcId] : [])])];
    const [routeTables, networkAcls] = await Promise.all([
      this.#routeTablesOf(vpcIds, groupId),
      this.#networkAclsOf(interfaces, groupId),
    ]);
    return { interfaces, routeTables, networkAcls };
  }

  /**
   * The ACLs of the subnets whose interfaces have a public address (no other can be reached from the internet):
   * those associated with the subnets, then the VPC's default ACL for any subnet none names. A failure (say, a
   * member role deployed before `ec2:DescribeNetworkAcls` was granted) is reported, not thrown: the reach is then
   * judged from routes alone and the message says the ACLs were not checked.
   */
  async #networkAclsOf(
    interfaces: readonly NetworkInterfaceFacts[],
    groupId: string,
  ): Promise<NetworkAclReading> {
    const exposed = interfaces.filter(
      (facts) => facts.publicIp !== undefined || facts.ipv6Addresses.length > 0,
    );
    if (exposed.length === 0) return NO_NETWORK_ACLS;
    const call = await this.#call('DescribeNetworkAcls', groupId);
    try {
      const subnetIds = [...new Set(exposed.map((facts) => facts.subnetId))];
      const associated = await this.#describeNetworkAcls(
        [{ Name: 'association.subnet-id', Values: subnetIds }],
        call,
      );
      const covered = new Set(associated.flatMap((acl) => acl.subnetIds));
      const vpcIds = [
        ...new Set(exposed.filter((facts) => !covered.has(facts.subnetId)).map((facts) => facts.vpcId)),
      ];
      const defaults =
        vpcIds.length === 0
          ? []
          : await this.#describeNetworkAcls(
              [
                { Name: 'vpc-id', Values: vpcIds },
                { Name: 'default', Values: ['true'] },
              ],
              call,
            );
      return { kind: 'read', networkAcls: [...associated, ...defaults] };
    } catch (error) {
      return { kind: 'unread', reason: toAppError(translateAwsError(error, call)).userMessage };
    }
  }

  async #describeNetworkAcls(filters: Filter[], call: AwsCallContext): Promise<NetworkAclFacts[]> {
    const networkAcls: NetworkAclFacts[] = [];
    for await (const page of paginateDescribeNetworkAcls({ client: this.#client }, { Filters: filters })) {
      for (const networkAcl of page.NetworkAcls ?? []) networkAcls.push(toNetworkAclFacts(networkAcl, call));
    }
    return networkAcls;
  }

  async instanceMetadataOptions(instanceId: string): Promise<InstanceMetadataOptions> {
    const call = await this.#call('DescribeInstances', instanceId);
    let instance: Instance | undefined;
    try {
      const output = await this.#client.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
      instance = (output.Reservations ?? [])
        .flatMap((reservation) => reservation.Instances ?? [])
        .find((candidate) => candidate.InstanceId === instanceId);
    } catch (error) {
      throw translateAwsError(error, call);
    }
    if (!instance) throw new AwsResourceNotFoundError(`EC2 did not return instance ${instanceId}`, call);
    return toInstanceMetadataOptions(instance, call);
  }

  async #interfacesUsing(groupId: string): Promise<NetworkInterfaceFacts[]> {
    const call = await this.#call('DescribeNetworkInterfaces', groupId);
    const interfaces: NetworkInterfaceFacts[] = [];
    const pages = paginateDescribeNetworkInterfaces(
      { client: this.#client },
      { Filters: [{ Name: 'group-id', Values: [groupId] }] },
    );
    try {
      for await (const page of pages) {
        for (const networkInterface of page.NetworkInterfaces ?? []) {
          interfaces.push(toNetworkInterfaceFacts(networkInterface, call));
        }
      }
    } catch (error) {
      throw translateAwsError(error, call);
    }
    return interfaces;
  }

  async #routeTablesOf(vpcIds: readonly string[], groupId: string): Promise<RouteTableFacts[]> {
    const call = await this.#call('DescribeRouteTables', groupId);
    const routeTables: RouteTableFacts[] = [];
    const pages = paginateDescribeRouteTables(
      { client: this.#client },
      { Filters: [{ Name: 'vpc-id', Values: [...vpcIds] }] },
    );
    try {
      for await (const page of pages) {
        for (const routeTable of page.RouteTables ?? [])
          routeTables.push(toRouteTableFacts(routeTable, call));
      }
    } catch (error) {
      throw translateAwsError(error, call);
    }
    return routeTables;
  }

  async #call(operation: string, resourceId: string): Promise<AwsCallContext> {
    return {
      service: SERVICE,
      operation,
      accountId: this.#scope.accountId,
      region: this.#scope.region ?? (await clientRegion(this.#client)),
      resourceId,
    };
  }
}

/** `undefined` for a rule without any source EC2 documents; such a rule can open nothing to the world. */
export function toSecurityGroupRule(
  rule: Ec2SecurityGroupRule,
  groupId: string,
): SecurityGroupRule | undefined {
  const source = toRuleSource(rule);
  if (!source) return undefined;
  return {
    ...(rule.SecurityGroupRuleId ? { ruleId: rule.SecurityGroupRuleId } : {}),
    groupId: rule.GroupId ?? groupId,
    isEgress: rule.IsEgress === true,
    protocol: (rule.IpProtocol ?? '-1').toLowerCase(),
    ...(rule.FromPort !== undefined ? { fromPort: rule.FromPort } : {}),
    ...(rule.ToPort !== undefined ? { toPort: rule.ToPort } : {}),
    source,
    ...(rule.Description ? { description: rule.Description } : {}),
  };
}

function toRuleSource(rule: Ec2SecurityGroupRule): RuleSource | undefined {
  if (rule.CidrIpv4) return { kind: 'ipv4', cidr: rule.CidrIpv4 };
  if (rule.CidrIpv6) return { kind: 'ipv6', cidr: rule.CidrIpv6 };
  const referenced = rule.ReferencedGroupInfo;
  if (referenced?.GroupId) {
    return {
      kind: 'security-group',
      groupId: referenced.GroupId,
      ...(referenced.UserId ? { userId: referenced.UserId } : {}),
    };
  }
  if (rule.PrefixListId) return { kind: 'prefix-list', prefixListId: rule.PrefixListId };
  return undefined;
}

export function toNetworkInterfaceFacts(
  networkInterface: NetworkInterface,
  call: AwsCallContext,
): NetworkInterfaceFacts {
  const { NetworkInterfaceId, SubnetId, VpcId } = networkInterface;
  if (!NetworkInterfaceId || !SubnetId || !VpcId) {
    throw new AwsUnexpectedResponseError(
      'EC2 returned a network interface without its id, subnet or VPC',
      call,
    );
  }
  // The primary address's public IP first; an Elastic IP on a secondary private address also makes it reachable.
  const publicIp =
    networkInterface.Association?.PublicIp ??
    networkInterface.PrivateIpAddresses?.find((address) => address.Association?.PublicIp)?.Association
      ?.PublicIp;
  const attachedTo =
    networkInterface.Attachment?.InstanceId || networkInterface.Description || networkInterface.RequesterId;
  return {
    networkInterfaceId: NetworkInterfaceId,
    subnetId: SubnetId,
    vpcId: VpcId,
    ...(publicIp ? { publicIp } : {}),
    ipv6Addresses: (networkInterface.Ipv6Addresses ?? []).flatMap((address) =>
      address.Ipv6Address ? [address.Ipv6Address] : [],
    ),
    ...(attachedTo ? { attachedTo } : {}),
  };
}

const ENDED_ASSOCIATION_STATES: ReadonlySet<string> = new Set(['disassociating', 'disassociated', 'failed']);

export function toRouteTableFacts(routeTable: RouteTable, call: AwsCallContext): RouteTableFacts {
  const { RouteTableId, VpcId } = routeTable;
  if (!RouteTableId || !VpcId) {
    throw new AwsUnexpectedResponseError('EC2 returned a route table without its id or VPC', call);
  }
  const associations = (routeTable.Associations ?? []).filter(
    (association) => !ENDED_ASSOCIATION_STATES.has(association.AssociationState?.State ?? 'associated'),
  );
  return {
    routeTableId: RouteTableId,
    vpcId: VpcId,
    isMain: associations.some((association) => association.Main === true),
    subnetIds: associations.flatMap((association) => (association.SubnetId ? [association.SubnetId] : [])),
    // A blackhole route (its gateway deleted) carries no traffic, so only active routes count.
    internetGatewayDestinations: (routeTable.Routes ?? [])
      .filter((route) => route.GatewayId?.startsWith('igw-') && route.State === 'active')
      .flatMap((route) =>
        [route.DestinationCidrBlock, route.DestinationIpv6CidrBlock, route.DestinationPrefixListId].filter(
          (destination): destination is string => Boolean(destination),
        ),
      ),
  };
}

export function toNetworkAclFacts(networkAcl: NetworkAcl, call: AwsCallContext): NetworkAclFacts {
  const { NetworkAclId, VpcId } = networkAcl;
  if (!NetworkAclId || !VpcId) {
    throw new AwsUnexpectedResponseError('EC2 returned a network ACL without its id or VPC', call);
  }
  return {
    networkAclId: NetworkAclId,
    vpcId: VpcId,
    isDefault: networkAcl.IsDefault === true,
    subnetIds: (networkAcl.Associations ?? []).flatMap((association) =>
      association.SubnetId ? [association.SubnetId] : [],
    ),
    entries: (networkAcl.Entries ?? []).flatMap((entry) => {
      const facts = toNetworkAclEntryFacts(entry);
      return facts ? [facts] : [];
    }),
  };
}

/** `undefined` for an entry without a number, action, protocol or CIDR: it can decide nothing. */
function toNetworkAclEntryFacts(entry: NetworkAclEntry): NetworkAclEntryFacts | undefined {
  const { RuleNumber, RuleAction, Protocol } = entry;
  if (RuleNumber === undefined || (RuleAction !== 'allow' && RuleAction !== 'deny') || !Protocol)
    return undefined;
  const source = entry.CidrBlock
    ? { family: 'ipv4' as const, cidr: entry.CidrBlock }
    : entry.Ipv6CidrBlock
      ? { family: 'ipv6' as const, cidr: entry.Ipv6CidrBlock }
      : undefined;
  if (!source) return undefined;
  const from = entry.PortRange?.From;
  const to = entry.PortRange?.To;
  return {
    ruleNumber: RuleNumber,
    action: RuleAction,
    egress: entry.Egress === true,
    protocol: Protocol,
    source,
    ...(from !== undefined && to !== undefined ? { portRange: { from, to } } : {}),
  };
}

function toInstanceMetadataOptions(instance: Instance, call: AwsCallContext): InstanceMetadataOptions {
  const options = instance.MetadataOptions;
  const httpTokens = options?.HttpTokens;
  if (httpTokens !== 'required' && httpTokens !== 'optional') {
    throw new AwsUnexpectedResponseError(
      `EC2 returned instance ${call.resourceId} without MetadataOptions.HttpTokens`,
      call,
    );
  }
  const httpEndpoint = options?.HttpEndpoint;
  return {
    httpTokens,
    ...(options?.HttpPutResponseHopLimit !== undefined
      ? { httpPutResponseHopLimit: options.HttpPutResponseHopLimit }
      : {}),
    ...(httpEndpoint === 'enabled' || httpEndpoint === 'disabled' ? { httpEndpoint } : {}),
    ...(options?.State ? { state: options.State } : {}),
    ...(instance.State?.Name ? { instanceState: instance.State.Name } : {}),
  };
}
