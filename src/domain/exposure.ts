import type { SecurityGroupRule } from './security-group-rule.js';
import { WORLD_IPV4, WORLD_IPV6 } from './security-group-rule.js';

/** How wide a rule opens: one port, a range, every port of a protocol (0-65535), or every protocol (`-1`). */
export type PortShape = 'single-port' | 'port-range' | 'all-ports' | 'all-traffic';

/** What a control considers "exposed"; read from the control catalog. */
export type ExposureCheck =
  /** Any of these ports (tcp, udp or all-traffic rules) open to the world, on the given address families. */
  | {
      readonly kind: 'world-ports';
      readonly ports: readonly number[];
      readonly families: readonly AddressFamily[];
    }
  /**
   * Any world-open tcp/udp port except the authorized ones (EC2.18: its `authorizedTcpPorts` and
   * `authorizedUdpPorts` parameters; by default tcp 80 and 443, no udp port).
   */
  | {
      readonly kind: 'world-unauthorized-ports';
      readonly authorizedTcpPorts: readonly PortRange[];
      readonly authorizedUdpPorts: readonly PortRange[];
    }
  /** Any ingress rule at all (EC2.2: the default security group should allow nothing). */
  | { readonly kind: 'any-ingress' };

export type AddressFamily = 'ipv4' | 'ipv6';

/** An inclusive span of ports: `{ from: 22, to: 22 }` is port 22 alone. */
export interface PortRange {
  readonly from: number;
  readonly to: number;
}

/** An ingress rule that a control flags, with why. */
export interface ExposedRule {
  readonly rule: SecurityGroupRule;
  /** The world CIDR it is open to; undefined for `any-ingress` rules that are not world-open. */
  readonly world?: typeof WORLD_IPV4 | typeof WORLD_IPV6;
  readonly shape: PortShape;
  /**
   * The flagged ports this rule opens, as ascending, non-overlapping ranges with adjacent ones merged; `'all'`
   * when the rule opens every port. Ranges, not port lists: a tcp 1024-65535 rule is one entry, not 64,512
   * (the result is stored and shown to people). Empty for port-less rules (icmp) under `any-ingress`.
   */
  readonly ports: readonly PortRange[] | 'all';
}

// ---------------------------------------------------------------------------------------------------------------
// Analysis. A rule is "open to the world" only when its source is the whole address space of a family. Security
// Hub's controls name exactly `0.0.0.0/0` and `::/0`: a narrower block such as `0.0.0.0/1` (half the internet)
// passes EC2.13/EC2.19/… and counts as restricted here too, so that our "fixed" agrees with the control.
// ---------------------------------------------------------------------------------------------------------------

const IPV4_ADDRESS = /^\d{1,3}(\.\d{1,3}){3}$/;
const IPV6_ADDRESS = /^[0-9a-f:.]*:[0-9a-f:.]*$/i;
const MAX_PORT = 65535;

/**
 * Whether `cidr` spans every address of `family`. A zero-length prefix matches every address whatever its
 * address part, so `::/0`, `0::/0` and `0:0:0:0:0:0:0:0/0` all count (EC2 stores the canonical form anyway).
 */
export function isWorldCidr(cidr: string, family: AddressFamily): boolean {
  const parts = cidr.trim().split('/');
  if (parts.length !== 2 || parts[1] !== '0') return false;
  const address = parts[0] ?? '';
  return family === 'ipv4' ? IPV4_ADDRESS.test(address) : IPV6_ADDRESS.test(address);
}

/** The family whose whole address space the rule's source is, or undefined (restricted, group, prefix list). */
export function worldFamily(rule: Pick<SecurityGroupRule, 'source'>): AddressFamily | undefined {
  const { source } = rule;
  if (source.kind !== 'ipv4' && source.kind !== 'ipv6') return undefined;
  return isWorldCidr(source.cidr, source.kind) ? source.kind : undefined;
}

type PortProtocol = 'all' | 'tcp' | 'udp' | 'other';

/** `-1` is every protocol; tcp/udp by name or IANA number; everything else (icmp, esp, …) has no ports. */
function portProtocol(protocol: string): PortProtocol {
  const name = protocol.trim().toLowerCase();
  if (name === '-1') return 'all';
  if (name === 'tcp' || name === '6') return 'tcp';
  if (name === 'udp' || name === '17') return 'udp';
  return 'other';
}

/** The inclusive port span of a tcp/udp rule; EC2 writes "every port" as -1 or leaves the ports out. */
function portSpan(rule: Pick<SecurityGroupRule, 'fromPort' | 'toPort'>): PortRange {
  const from = rule.fromPort;
  const to = rule.toPort ?? from;
  if (from === undefined || from === -1 || to === undefined || to === -1) return { from: 0, to: MAX_PORT };
  return { from, to };
}

/**
 * How wide a rule opens. For protocols without ports (icmp, esp, …) the shape reads EC2's type/code fields the
 * same way; it only decides exposure for tcp/udp.
 */
export function portShape(rule: Pick<SecurityGroupRule, 'protocol' | 'fromPort' | 'toPort'>): PortShape {
  if (portProtocol(rule.protocol) === 'all') return 'all-traffic';
  const { from, to } = portSpan(rule);
  if (from <= 0 && to >= MAX_PORT) return 'all-ports';
  return from === to ? 'single-port' : 'port-range';
}

/** Whether the rule lets tcp or udp traffic reach `port`. ICMP and other port-less protocols open no port. */
export function opensPort(
  rule: Pick<SecurityGroupRule, 'protocol' | 'fromPort' | 'toPort'>,
  port: number,
): boolean {
  const protocol = portProtocol(rule.protocol);
  if (protocol === 'all') return true;
  if (protocol === 'other') return false;
  const { from, to } = portSpan(rule);
  return from <= port && port <= to;
}

/** Every tcp/udp port: all traffic, or tcp/udp 0-65535. ICMP "all types" opens no port at all. */
function opensEveryPort(rule: SecurityGroupRule, shape: PortShape): boolean {
  if (shape === 'all-traffic') return true;
  return shape === 'all-ports' && portProtocol(rule.protocol) !== 'other';
}

function worldCidrOf(family: AddressFamily): typeof WORLD_IPV4 | typeof WORLD_IPV6 {
  return family === 'ipv4' ? WORLD_IPV4 : WORLD_IPV6;
}

/** Sorts ranges and merges those that overlap or touch, so 20-21 and 22 read as 20-22. */
function mergePortRanges(ranges: readonly PortRange[]): PortRange[] {
  const sorted = ranges.filter((range) => range.from <= range.to).sort((a, b) => a.from - b.from);
  const merged: PortRange[] = [];
  for (const range of sorted) {
    const last = merged.at(-1);
    if (last !== undefined && range.from <= last.to + 1) {
      merged[merged.length - 1] = { from: last.from, to: Math.max(last.to, range.to) };
    } else {
      merged.push(range);
    }
  }
  return merged;
}

/** `span` minus the `excluded` ranges, as ascending ranges. */
function rangesExcept(span: PortRange, excluded: readonly PortRange[]): PortRange[] {
  let remaining: PortRange[] = [span];
  for (const hole of excluded) {
    remaining = remaining.flatMap((range) => {
      if (hole.to < range.from || hole.from > range.to) return [range];
      const pieces: PortRange[] = [];
      if (hole.from > range.from) pieces.push({ from: range.from, to: hole.from - 1 });
      if (hole.to < range.to) pieces.push({ from: hole.to + 1, to: range.to });
      return pieces;
    });
  }
  return remaining;
}

/** The ports a tcp/udp rule opens that are not authorized for its protocol. */
function rangesOutside(
  rule: SecurityGroupRule,
  authorized: { readonly tcp: readonly PortRange[]; readonly udp: readonly PortRange[] },
): PortRange[] {
  const protocol = portProtocol(rule.protocol);
  if (protocol === 'other') return [];
  const excluded = protocol === 'tcp' ? authorized.tcp : protocol === 'udp' ? authorized.udp : [];
  return rangesExcept(portSpan(rule), excluded);
}

function exposedIfWorldPorts(
  rule: SecurityGroupRule,
  family: AddressFamily,
  check: Extract<ExposureCheck, { kind: 'world-ports' }>,
): ExposedRule | undefined {
  if (!check.families.includes(family)) return undefined;
  const opened = check.ports.filter((port) => opensPort(rule, port));
  if (opened.length === 0) return undefined;
  const shape = portShape(rule);
  const ports = opensEveryPort(rule, shape)
    ? 'all'
    : mergePortRanges(opened.map((port) => ({ from: port, to: port })));
  return { rule, world: worldCidrOf(family), shape, ports };
}

function exposedIfUnauthorized(
  rule: SecurityGroupRule,
  family: AddressFamily,
  check: Extract<ExposureCheck, { kind: 'world-unauthorized-ports' }>,
): ExposedRule | undefined {
  const shape = portShape(rule);
  if (portProtocol(rule.protocol) === 'other') return undefined;
  if (opensEveryPort(rule, shape)) return { rule, world: worldCidrOf(family), shape, ports: 'all' };
  const ports = rangesOutside(rule, { tcp: check.authorizedTcpPorts, udp: check.authorizedUdpPorts });
  return ports.length === 0 ? undefined : { rule, world: worldCidrOf(family), shape, ports };
}

/** EC2.2: any ingress rule of the default group counts, whatever its source. */
function exposedAsIngress(rule: SecurityGroupRule): ExposedRule {
  const shape = portShape(rule);
  const family = worldFamily(rule);
  const ports = opensEveryPort(rule, shape) ? 'all' : rangesOutside(rule, { tcp: [], udp: [] });
  return family === undefined ? { rule, shape, ports } : { rule, world: worldCidrOf(family), shape, ports };
}

/** Ports for a reader: "22", "20-21, 3389", "all ports"; "no ports" for a port-less rule (icmp). */
export function describePortRanges(ports: readonly PortRange[] | 'all'): string {
  if (ports === 'all') return 'all ports';
  if (ports.length === 0) return 'no ports';
  return ports.map(({ from, to }) => (from === to ? `${from}` : `${from}-${to}`)).join(', ');
}

/**
 * The ingress rules a control flags, in input order. Egress rules never count. Rules whose source is a security
 * group or a prefix list are never exposed (and so never revoked), except under `any-ingress` (EC2.2), which is
 * about the default group allowing anything at all.
 */
export function exposedIngressRules(
  rules: readonly SecurityGroupRule[],
  check: ExposureCheck,
): ExposedRule[] {
  const exposed: ExposedRule[] = [];
  for (const rule of rules) {
    if (rule.isEgress) continue;
    if (check.kind === 'any-ingress') {
      exposed.push(exposedAsIngress(rule));
      continue;
    }
    const family = worldFamily(rule);
    if (family === undefined) continue;
    const hit =
      check.kind === 'world-ports'
        ? exposedIfWorldPorts(rule, family, check)
        : exposedIfUnauthorized(rule, family, check);
    if (hit) exposed.push(hit);
  }
  return exposed;
}
