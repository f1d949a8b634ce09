/**
 * One security group rule in our own words, whether it came from `DescribeSecurityGroupRules`
 * (then it has a `ruleId`) or from the ASFF `AwsEc2SecurityGroup` details of a finding (no rule id).
 */
export interface SecurityGroupRule {
  /** `sgr-…`; absent when the rule was read from finding details rather than from EC2. */
  readonly ruleId?: string;
  readonly groupId: string;
  readonly isEgress: boolean;
  /** Lower-case protocol name (`tcp`, `udp`, `icmp`, `icmpv6`), a protocol number as text, or `-1` for all traffic. */
  readonly protocol: string;
  /** -1 (or absent) together with protocol `-1`/icmp means "all ports". */
  readonly fromPort?: number;
  readonly toPort?: number;
  readonly source: RuleSource;
  readonly description?: string;
}

export type RuleSource =
  | { readonly kind: 'ipv4'; readonly cidr: string }
  | { readonly kind: 'ipv6'; readonly cidr: string }
  | { readonly kind: 'security-group'; readonly groupId: string; readonly userId?: string }
  | { readonly kind: 'prefix-list'; readonly prefixListId: string };

export const WORLD_IPV4 = '0.0.0.0/0';
export const WORLD_IPV6 = '::/0';
