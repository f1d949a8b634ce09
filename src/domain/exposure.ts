import type { SecurityGroupRule } from './security-group-rule.js';
import { WORLD_IPV4, WORLD_IPV6 } from './security-group-rule.js';

/** How wide a rule opens: one port, a range, every port of a protocol (0-65535), or every protocol (`-1`). */
export type PortShape = 'single-port' | 'port-range' | 'all-ports' | 'all-traffic';

/** What a control considers "exposed"; read from the control catalog. */
export type ExposureCheck =
  /** Any of these ports (tcp, udp or all-traffic rules) open to the world, on the given address families. */
  | { readonly kind: 'world-ports'; readonly ports: readonly number[]; readonly families: readonly AddressFamily[] }
  /** Any world-open port except the authorized ones (EC2.18: by default tcp 80 and 443). */
  | { readonly kind: 'world-unauthorized-ports'; readonly authorizedTcpPorts: readonly number[] }
  /** Any ingress rule at all (EC2.2: the default security group should allow nothing). */
  | { readonly kind: 'any-ingress' };

export type AddressFamily = 'ipv4' | 'ipv6';

/** An ingress rule that a control flags, with why. */
export interface ExposedRule {
  readonly rule: SecurityGroupRule;
  /** The world CIDR it is open to; undefined for `any-ingress` rules that are not world-open. */
  readonly world?: typeof WORLD_IPV4 | typeof WORLD_IPV6;
  readonly shape: PortShape;
  /** The checked ports this rule opens, ascending; `'all'` when the rule opens every port. */
  readonly ports: readonly number[] | 'all';
}
