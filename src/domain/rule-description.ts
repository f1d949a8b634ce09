import type { RuleSource, SecurityGroupRule } from './security-group-rule.js';

const PROTOCOL_NAMES: Readonly<Record<string, string>> = {
  '6': 'tcp',
  '17': 'udp',
  '1': 'icmp',
  '58': 'icmpv6',
};

export function protocolName(protocol: string): string {
  return PROTOCOL_NAMES[protocol] ?? protocol.toLowerCase();
}

/** "tcp/22", "tcp/0-65535", "all traffic", "icmp". */
export function describePorts(rule: Pick<SecurityGroupRule, 'protocol' | 'fromPort' | 'toPort'>): string {
  const protocol = protocolName(rule.protocol);
  if (protocol === '-1') return 'all traffic';
  const from = rule.fromPort;
  const to = rule.toPort ?? from;
  if (from === undefined || from === -1 || protocol === 'icmp' || protocol === 'icmpv6') return protocol;
  return from === to ? `${protocol}/${from}` : `${protocol}/${from}-${to}`;
}

export function describeSource(source: RuleSource): string {
  switch (source.kind) {
    case 'ipv4':
    case 'ipv6':
      return source.cidr;
    case 'security-group':
      return source.userId ? `${source.userId}/${source.groupId}` : source.groupId;
    case 'prefix-list':
      return source.prefixListId;
  }
}

/** "tcp/22 from 0.0.0.0/0", "all traffic from ::/0". */
export function describeRule(rule: SecurityGroupRule): string {
  return `${describePorts(rule)} from ${describeSource(rule.source)}`;
}

/** "inbound tcp/22 from 0.0.0.0/0", "outbound all traffic to 0.0.0.0/0": for lists that mix both directions. */
export function describeDirectedRule(rule: SecurityGroupRule): string {
  return rule.isEgress
    ? `outbound ${describePorts(rule)} to ${describeSource(rule.source)}`
    : `inbound ${describeRule(rule)}`;
}
