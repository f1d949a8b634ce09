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
