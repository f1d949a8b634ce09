import type { AddressFamily } from './exposure.js';
import { isWorldCidr } from './exposure.js';

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

/**
 * Whether a security group sits on something the internet can reach. An open group on a private subnet
 * is less urgent than one on a public subnet, and the message says which.
 */
export type NetworkReach =
  | { readonly kind: 'internet'; readonly via: readonly NetworkInterfaceFacts[] }
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

/** `true`/`false` when the route table is known, `undefined` when it is not. */
export function isInternetReachable(
  networkInterface: NetworkInterfaceFacts,
  routeTables: readonly RouteTableFacts[],
): boolean | undefined {
  const table = routeTableOf(networkInterface.subnetId, networkInterface.vpcId, routeTables);
  if (!table) return undefined;
  const viaIpv4 = networkInterface.publicIp !== undefined && routesToInternetGateway(table, 'ipv4');
  const hasPublicIpv6 = networkInterface.ipv6Addresses.some((address) => !isUniqueLocalIpv6(address));
  const viaIpv6 = hasPublicIpv6 && routesToInternetGateway(table, 'ipv6');
  return viaIpv4 || viaIpv6;
}

/**
 * Where a security group's network interfaces sit. One reachable interface is enough for `internet`; `unknown`
 * only when none is reachable and at least one could not be decided (its subnet's route table is missing).
 */
export function networkReach(
  interfaces: readonly NetworkInterfaceFacts[],
  routeTables: readonly RouteTableFacts[],
): NetworkReach {
  if (interfaces.length === 0) return { kind: 'unattached' };
  const reachable: NetworkInterfaceFacts[] = [];
  const undecidedSubnets = new Set<string>();
  for (const networkInterface of interfaces) {
    const reach = isInternetReachable(networkInterface, routeTables);
    if (reach === true) reachable.push(networkInterface);
    else if (reach === undefined) undecidedSubnets.add(networkInterface.subnetId);
  }
  if (reachable.length > 0) return { kind: 'internet', via: reachable };
  if (undecidedSubnets.size > 0) {
    return {
      kind: 'unknown',
      reason: `no route table found for subnet ${[...undecidedSubnets].join(', ')} (no explicit association and no main table of its VPC)`,
    };
  }
  return { kind: 'private', attachments: interfaces.length };
}
