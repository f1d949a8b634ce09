import type { AddressFamily, ExposedRule, PortRange } from './exposure.js';
import { isWorldCidr, worldFamily } from './exposure.js';

/** Facts about one network interface that uses the security group (from EC2 DescribeNetworkInterfaces). */
export interface NetworkInterfaceFacts {
  readonly networkInterfaceId: string;
  readonly subnetId: string;
  readonly vpcId: string;
  /** Public IPv4 (an Elastic IP or an auto-assigned public address). */
  readonly publicIp?: string;
  readonly ipv6Addresses: readonly string[];
  /** What the interface belongs to, for the message ("i-0abc", "ELB app/web/…"). */
  readonly attachedTo?: string;
}

/** Facts about one route table (from EC2 DescribeRouteTables). */
export interface RouteTableFacts {
  readonly routeTableId: string;
  readonly vpcId: string;
  readonly isMain: boolean;
  /** Subnets explicitly associated; subnets of the VPC without one use the main table. */
  readonly subnetIds: readonly string[];
  /** Destinations routed to an internet gateway (`igw-…`): `0.0.0.0/0`, `::/0`, or narrower. */
  readonly internetGatewayDestinations: readonly string[];
}

/** One entry of a network ACL (from EC2 DescribeNetworkAcls); entries without a CIDR are left out by the reader. */
export interface NetworkAclEntryFacts {
  readonly ruleNumber: number;
  readonly action: 'allow' | 'deny';
  /** False for inbound entries, the ones that decide whether the internet gets in. */
  readonly egress: boolean;
  /** `-1` for all traffic, else a protocol number as text (`6` tcp, `17` udp); names are accepted too. */
  readonly protocol: string;
  readonly source: { readonly family: AddressFamily; readonly cidr: string };
  /** Absent for all-traffic entries (and read as "every port" for a tcp/udp entry without one). */
  readonly portRange?: PortRange;
}

/** Facts about one network ACL (from EC2 DescribeNetworkAcls). */
export interface NetworkAclFacts {
  readonly networkAclId: string;
  readonly vpcId: string;
  /** The VPC's default ACL: used by every subnet without an explicit association. */
  readonly isDefault: boolean;
  readonly subnetIds: readonly string[];
  readonly entries: readonly NetworkAclEntryFacts[];
}

/** The network ACLs of the subnets a group sits in, or why they could not be read. */
export type NetworkAclReading =
  | { readonly kind: 'read'; readonly networkAcls: readonly NetworkAclFacts[] }
  | { readonly kind: 'unread'; readonly reason: string };

/** An interface the internet reaches, and over which address families (absent in records made before). */
export interface ReachableInterface extends NetworkInterfaceFacts {
  readonly internetFamilies?: readonly AddressFamily[];
}

/**
 * Whether a security group sits on something the internet can reach. An open group on a private subnet
 * is less urgent than one on a public subnet, and the message says which.
 */
export type NetworkReach =
  | {
      readonly kind: 'internet';
      readonly via: readonly ReachableInterface[];
      /** The subnets' network ACLs, judged per open rule by `ruleReach`; absent when not read. */
      readonly networkAcls?: NetworkAclReading;
    }
  | { readonly kind: 'private'; readonly attachments: number }
  | { readonly kind: 'unattached' }
  | { readonly kind: 'unknown'; readonly reason: string };

// Only a default route (0.0.0.0/0, ::/0) counts: narrower routes that together cover the internet are rare
// enough to be reported as private rather than guessed at.

/** Unique local IPv6 addresses (fc00::/7) are private by definition, like 10.0.0.0/8. */
function isUniqueLocalIpv6(address: string): boolean {
  return /^f[cd]/i.test(address.trim());
}

function routesToInternetGateway(table: RouteTableFacts, family: AddressFamily): boolean {
  return table.internetGatewayDestinations.some((destination) => isWorldCidr(destination, family));
}

/** The table a subnet uses: its explicit association, else its VPC's main table; undefined when neither is known. */
export function routeTableOf(
  subnetId: string,
  vpcId: string,
  routeTables: readonly RouteTableFacts[],
): RouteTableFacts | undefined {
  return (
    routeTables.find((table) => table.subnetIds.includes(subnetId)) ??
    routeTables.find((table) => table.isMain && table.vpcId === vpcId)
  );
}

/** The address families the internet reaches the interface over; undefined when its route table is unknown. */
export function internetFamilies(
  networkInterface: NetworkInterfaceFacts,
  routeTables: readonly RouteTableFacts[],
): AddressFamily[] | undefined {
  const table = routeTableOf(networkInterface.subnetId, networkInterface.vpcId, routeTables);
  if (!table) return undefined;
  const viaIpv4 = networkInterface.publicIp !== undefined && routesToInternetGateway(table, 'ipv4');
  const hasPublicIpv6 = networkInterface.ipv6Addresses.some((address) => !isUniqueLocalIpv6(address));
  const viaIpv6 = hasPublicIpv6 && routesToInternetGateway(table, 'ipv6');
  return [...(viaIpv4 ? (['ipv4'] as const) : []), ...(viaIpv6 ? (['ipv6'] as const) : [])];
}

/** `true`/`false` when the route table is known, `undefined` when it is not. */
export function isInternetReachable(
  networkInterface: NetworkInterfaceFacts,
  routeTables: readonly RouteTableFacts[],
): boolean | undefined {
  const families = internetFamilies(networkInterface, routeTables);
  return families === undefined ? undefined : families.length > 0;
}

/**
 * Where a security group's network interfaces sit. One reachable interface is enough for `internet`; `unknown`
 * only when none is reachable and at least one could not be decided (its subnet's route table is missing).
 */
export function networkReach(
  interfaces: readonly NetworkInterfaceFacts[],
  routeTables: readonly RouteTableFacts[],
  networkAcls?: NetworkAclReading,
): NetworkReach {
  if (interfaces.length === 0) return { kind: 'unattached' };
  const reachable: ReachableInterface[] = [];
  const undecidedSubnets = new Set<string>();
  for (const networkInterface of interfaces) {
    const families = internetFamilies(networkInterface, routeTables);
    if (families === undefined) undecidedSubnets.add(networkInterface.subnetId);
    else if (families.length > 0) reachable.push({ ...networkInterface, internetFamilies: families });
  }
  if (reachable.length > 0) {
    return { kind: 'internet', via: reachable, ...(networkAcls !== undefined && { networkAcls }) };
  }
  if (undecidedSubnets.size > 0) {
    return {
      kind: 'unknown',
      reason: `no route table found for subnet ${[...undecidedSubnets].join(', ')} (no explicit association and no main table of its VPC)`,
    };
  }
  return { kind: 'private', attachments: interfaces.length };
}

// ---------------------------------------------------------------------------------------------------------------
// Per open rule: does the subnet's network ACL let the internet in on the rule's ports? Only inbound entries are
// judged. Return traffic (egress to ephemeral ports 1024-65535) is deliberately not checked: a request that gets in
// can already do harm (udp needs no reply), and a misread egress entry must never hide a live exposure.
// ---------------------------------------------------------------------------------------------------------------

/** Where one open rule can be reached from. */
export type RuleReach =
  /** `networkAclsUnchecked` says why the ACLs were not judged (old record, or they could not be read). */
  | { readonly kind: 'internet'; readonly via: readonly string[]; readonly networkAclsUnchecked?: string }
  | { readonly kind: 'blocked'; readonly networkAclId: string; readonly ruleNumber: number }
  /** No interface is reachable over the rule's address family (private subnets, or no public address). */
  | { readonly kind: 'private' }
  | { readonly kind: 'unattached' }
  | { readonly kind: 'unknown'; readonly reason: string };

/** DescribeNetworkAcls lists the catch-all `*` entry as rule 32767 (32768 for IPv6). */
const CATCH_ALL_RULE_NUMBER = 32767;
const EVERY_PORT: PortRange = { from: 0, to: 65535 };

export type PortProtocol = 'tcp' | 'udp';

/** The ACL a subnet uses: its explicit association, else its VPC's default ACL. */
export function networkAclOf(
  subnetId: string,
  vpcId: string,
  networkAcls: readonly NetworkAclFacts[],
): NetworkAclFacts | undefined {
  return (
    networkAcls.find((acl) => acl.subnetIds.includes(subnetId)) ??
    networkAcls.find((acl) => acl.isDefault && acl.vpcId === vpcId)
  );
}

export function entryMatchesProtocol(entryProtocol: string, protocol: PortProtocol): boolean {
  const name = entryProtocol.trim().toLowerCase();
  if (name === '-1' || name === 'all') return true;
  return protocol === 'tcp' ? name === '6' || name === 'tcp' : name === '17' || name === 'udp';
}

export function entrySpan(entry: NetworkAclEntryFacts): PortRange {
  const name = entry.protocol.trim();
  if (name === '-1' || entry.portRange === undefined) return EVERY_PORT;
  return entry.portRange;
}

function overlaps(ranges: readonly PortRange[], span: PortRange): boolean {
  return ranges.some((range) => range.from <= span.to && span.from <= range.to);
}

function without(ranges: readonly PortRange[], span: PortRange): PortRange[] {
  return ranges.flatMap((range) => {
    if (range.to < span.from || range.from > span.to) return [range];
    return [
      ...(range.from < span.from ? [{ from: range.from, to: span.from - 1 }] : []),
      ...(range.to > span.to ? [{ from: span.to + 1, to: range.to }] : []),
    ];
  });
}

const PRIVATE_IPV4_BLOCKS: readonly (readonly [number, number])[] = [
  [0x0a000000, 8], // 10.0.0.0/8
  [0xac100000, 12], // 172.16.0.0/12
  [0xc0a80000, 16], // 192.168.0.0/16
  [0x64400000, 10], // 100.64.0.0/10 (carrier-grade NAT)
];

/** Whether a narrower CIDR lies inside private address space: an allow for it lets nobody on the internet in. */
function isPrivateCidr(source: NetworkAclEntryFacts['source']): boolean {
  const [address = '', prefixText = ''] = source.cidr.trim().split('/');
  const prefix = Number(prefixText);
  if (source.family === 'ipv6') return /^f[cd]/i.test(address) && prefix >= 7;
  const octets = address.split('.').map(Number);
  if (octets.length !== 4 || octets.some((octet) => !Number.isInteger(octet))) return false;
  const value = octets.reduce((sum, octet) => sum * 256 + octet, 0);
  return PRIVATE_IPV4_BLOCKS.some(([block, length]) => {
    if (prefix < length) return false;
    const size = 2 ** (32 - length);
    return Math.floor(value / size) === Math.floor(block / size);
  });
}

export type NetworkAclVerdict =
  | { readonly kind: 'allowed'; readonly ruleNumber: number }
  | { readonly kind: 'denied'; readonly ruleNumber: number };

/**
 * Whether the ACL lets traffic from the internet (any address of `family`) in on any of `ports`: inbound entries
 * in ascending rule order, the first that matches a port decides it. A deny for the whole address space closes
 * the ports it covers; a deny for a narrower block leaves the rest of the internet to later entries; an allow for
 * a public block lets (part of) the internet in. Denied names the lowest rule that closed a port.
 */
export function networkAclVerdict(
  acl: NetworkAclFacts,
  family: AddressFamily,
  protocol: PortProtocol,
  ports: readonly PortRange[],
  /**
   * `whole-address-space` judges traffic from any address of the family as one source (EC2.21's question): an
   * allow for a narrower public block then decides nothing, only entries for 0.0.0.0/0 or ::/0 do.
   */
  sources: 'any-public-address' | 'whole-address-space' = 'any-public-address',
): NetworkAclVerdict {
  let undecided: PortRange[] = [...ports];
  let firstDeny: number | undefined;
  const inbound = acl.entries
    .filter((entry) => !entry.egress && entry.source.family === family)
    .sort((a, b) => a.ruleNumber - b.ruleNumber);
  for (const entry of inbound) {
    if (!entryMatchesProtocol(entry.protocol, protocol)) continue;
    const span = entrySpan(entry);
    if (!overlaps(undecided, span)) continue;
    const wholeInternet = isWorldCidr(entry.source.cidr, family);
    if (entry.action === 'allow') {
      if (wholeInternet || (sources === 'any-public-address' && !isPrivateCidr(entry.source)))
        return { kind: 'allowed', ruleNumber: entry.ruleNumber };
      continue;
    }
    if (!wholeInternet) continue;
    firstDeny ??= entry.ruleNumber;
    undecided = without(undecided, span);
    if (undecided.length === 0) break;
  }
  return { kind: 'denied', ruleNumber: firstDeny ?? CATCH_ALL_RULE_NUMBER };
}

function protocolsOf(protocol: string): PortProtocol[] | undefined {
  const name = protocol.trim().toLowerCase();
  if (name === '-1') return ['tcp', 'udp'];
  if (name === 'tcp' || name === '6') return ['tcp'];
  if (name === 'udp' || name === '17') return ['udp'];
  return undefined;
}

function reachesOver(networkInterface: ReachableInterface, family: AddressFamily): boolean {
  if (networkInterface.internetFamilies) return networkInterface.internetFamilies.includes(family);
  return family === 'ipv4'
    ? networkInterface.publicIp !== undefined
    : networkInterface.ipv6Addresses.length > 0;
}

/**
 * Where an open rule can be reached from: the group's reach narrowed to the rule's address family, and, when the
 * ACLs were read, to the ports the subnet's network ACL lets in. Undefined for rules not open to the world and for
 * port-less rules (icmp): the group's reach speaks for them.
 */
export function ruleReach(exposed: ExposedRule, reach: NetworkReach): RuleReach | undefined {
  const family = worldFamily(exposed.rule);
  const protocols = protocolsOf(exposed.rule.protocol);
  if (family === undefined || exposed.world === undefined || protocols === undefined) return undefined;
  const ports = exposed.ports === 'all' ? [EVERY_PORT] : exposed.ports;
  if (ports.length === 0) return undefined;
  switch (reach.kind) {
    case 'private':
      return { kind: 'private' };
    case 'unattached':
      return { kind: 'unattached' };
    case 'unknown':
      return { kind: 'unknown', reason: reach.reason };
    case 'internet':
      break;
  }
  const candidates = reach.via.filter((networkInterface) => reachesOver(networkInterface, family));
  if (candidates.length === 0) return { kind: 'private' };
  const ids = candidates.map((networkInterface) => networkInterface.networkInterfaceId);
  const reading = reach.networkAcls;
  if (reading === undefined)
    return { kind: 'internet', via: ids, networkAclsUnchecked: 'network ACLs not read' };
  if (reading.kind === 'unread') return { kind: 'internet', via: ids, networkAclsUnchecked: reading.reason };

  const allowedVia: string[] = [];
  const unknownSubnets: string[] = [];
  let blocked: Extract<RuleReach, { kind: 'blocked' }> | undefined;
  for (const networkInterface of candidates) {
    const acl = networkAclOf(networkInterface.subnetId, networkInterface.vpcId, reading.networkAcls);
    if (!acl) {
      unknownSubnets.push(networkInterface.subnetId);
      continue;
    }
    const verdicts = protocols.map((protocol) => networkAclVerdict(acl, family, protocol, ports));
    const denied = verdicts.find((verdict) => verdict.kind === 'denied');
    if (verdicts.some((verdict) => verdict.kind === 'allowed'))
      allowedVia.push(networkInterface.networkInterfaceId);
    else if (denied)
      blocked ??= { kind: 'blocked', networkAclId: acl.networkAclId, ruleNumber: denied.ruleNumber };
  }
  if (allowedVia.length > 0) return { kind: 'internet', via: allowedVia };
  if (unknownSubnets.length > 0) {
    return {
      kind: 'unknown',
      reason: `no network ACL found for subnet ${[...new Set(unknownSubnets)].join(', ')}`,
    };
  }
  return blocked ?? { kind: 'unknown', reason: 'no network ACL verdict' };
}
