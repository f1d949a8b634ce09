import { describe, expect, it } from 'vitest';
import type { ExposedRule } from '../../../src/domain/exposure.js';
import type {
  NetworkAclEntryFacts,
  NetworkAclFacts,
  NetworkInterfaceFacts,
  NetworkReach,
  RouteTableFacts,
} from '../../../src/domain/reachability.js';
import {
  isInternetReachable,
  networkReach,
  routeTableOf,
  ruleReach,
} from '../../../src/domain/reachability.js';
import type { SecurityGroupRule } from '../../../src/domain/security-group-rule.js';

const VPC = 'vpc-0a1b2c3d4e5f67890';
const PUBLIC_SUBNET = 'subnet-0public00000000001';
const PRIVATE_SUBNET = 'subnet-0private0000000001';
const IMPLICIT_SUBNET = 'subnet-0implicit000000001';

function eni(overrides: Partial<NetworkInterfaceFacts> = {}): NetworkInterfaceFacts {
  return {
    networkInterfaceId: 'eni-0a1b2c3d4e5f60001',
    subnetId: PUBLIC_SUBNET,
    vpcId: VPC,
    ipv6Addresses: [],
    attachedTo: 'i-0abc1234def567890',
    ...overrides,
  };
}

function routeTable(overrides: Partial<RouteTableFacts> = {}): RouteTableFacts {
  return {
    routeTableId: 'rtb-0public000000001',
    vpcId: VPC,
    isMain: false,
    subnetIds: [],
    internetGatewayDestinations: [],
    ...overrides,
  };
}

const publicTable = routeTable({ subnetIds: [PUBLIC_SUBNET], internetGatewayDestinations: ['0.0.0.0/0'] });
const dualStackTable = routeTable({
  routeTableId: 'rtb-0dualstack00000001',
  subnetIds: [PUBLIC_SUBNET],
  internetGatewayDestinations: ['0.0.0.0/0', '::/0'],
});
const ipv6OnlyTable = routeTable({
  routeTableId: 'rtb-0ipv6only000000001',
  subnetIds: [PUBLIC_SUBNET],
  internetGatewayDestinations: ['::/0'],
});
const privateTable = routeTable({ routeTableId: 'rtb-0private00000001', subnetIds: [PRIVATE_SUBNET] });
const publicMainTable = routeTable({
  routeTableId: 'rtb-0main0000000001',
  isMain: true,
  internetGatewayDestinations: ['0.0.0.0/0'],
});
const privateMainTable = routeTable({ routeTableId: 'rtb-0main0000000002', isMain: true });

describe('routeTableOf', () => {
  it('prefers the explicit association over the main table', () => {
    expect(routeTableOf(PRIVATE_SUBNET, VPC, [publicMainTable, privateTable])).toBe(privateTable);
  });

  it('falls back to the main table of the subnet’s VPC', () => {
    expect(routeTableOf(IMPLICIT_SUBNET, VPC, [privateTable, publicMainTable])).toBe(publicMainTable);
  });

  it('does not use the main table of another VPC', () => {
    const otherMain = routeTable({ vpcId: 'vpc-0other000000000001', isMain: true });
    expect(routeTableOf(IMPLICIT_SUBNET, VPC, [otherMain])).toBeUndefined();
  });
});

describe('isInternetReachable', () => {
  it.each([
    ['public IPv4 and a 0.0.0.0/0 igw route', eni({ publicIp: '203.0.113.10' }), [publicTable], true],
    [
      'public IPv4 without an igw route',
      eni({ publicIp: '203.0.113.10' }),
      [privateTable, privateMainTable],
      false,
    ],
    ['no public IPv4 but an igw route (NAT-less private host)', eni(), [publicTable], false],
    ['public IPv4 but only a ::/0 igw route', eni({ publicIp: '203.0.113.10' }), [ipv6OnlyTable], false],
    ['IPv6 address and a ::/0 igw route', eni({ ipv6Addresses: ['2001:db8::10'] }), [ipv6OnlyTable], true],
    [
      'IPv6 address and only a 0.0.0.0/0 igw route',
      eni({ ipv6Addresses: ['2001:db8::10'] }),
      [publicTable],
      false,
    ],
    [
      'unique local IPv6 (fd00::/8) and a ::/0 igw route',
      eni({ ipv6Addresses: ['fd12:3456::10'] }),
      [ipv6OnlyTable],
      false,
    ],
    [
      'public IPv4 via a narrower igw route only',
      eni({ publicIp: '203.0.113.10' }),
      [routeTable({ subnetIds: [PUBLIC_SUBNET], internetGatewayDestinations: ['198.51.100.0/24'] })],
      false,
    ],
    ['no route table at all', eni({ publicIp: '203.0.113.10' }), [], undefined],
  ] as const)('with %s: %s', (_label, networkInterface, tables, expected) => {
    expect(isInternetReachable(networkInterface, tables)).toBe(expected);
  });
});

describe('networkReach', () => {
  it('is unattached when no interface uses the group', () => {
    expect(networkReach([], [publicTable])).toEqual({ kind: 'unattached' });
  });

  it('is internet when an interface has a public IPv4 and its subnet routes 0.0.0.0/0 to an igw', () => {
    const web = eni({ publicIp: '203.0.113.10' });
    expect(networkReach([web], [publicTable])).toEqual({
      kind: 'internet',
      via: [{ ...web, internetFamilies: ['ipv4'] }],
    });
  });

  it('is private when the public IPv4 has no igw route', () => {
    const host = eni({ subnetId: PRIVATE_SUBNET, publicIp: '203.0.113.10' });
    expect(networkReach([host], [privateTable])).toEqual({ kind: 'private', attachments: 1 });
  });

  it('is private for interfaces on private subnets, counting them', () => {
    // Prepare
    const interfaces = [
      eni({ networkInterfaceId: 'eni-0a', subnetId: PRIVATE_SUBNET }),
      eni({ networkInterfaceId: 'eni-0b', subnetId: PRIVATE_SUBNET }),
    ];
    // Act
    const reach = networkReach(interfaces, [privateTable, publicTable]);
    // Assess
    expect(reach).toEqual({ kind: 'private', attachments: 2 });
  });

  it('uses the VPC main table for a subnet without an explicit association', () => {
    const host = eni({ subnetId: IMPLICIT_SUBNET, publicIp: '198.51.100.7' });
    expect(networkReach([host], [privateTable, publicMainTable])).toEqual({
      kind: 'internet',
      via: [{ ...host, internetFamilies: ['ipv4'] }],
    });
  });

  it('is internet through IPv6 alone when the subnet routes ::/0 to an igw', () => {
    const host = eni({ ipv6Addresses: ['2001:db8::10'] });
    expect(networkReach([host], [dualStackTable])).toEqual({
      kind: 'internet',
      via: [{ ...host, internetFamilies: ['ipv6'] }],
    });
  });

  it('lists only the reachable interfaces', () => {
    // Prepare
    const web = eni({ networkInterfaceId: 'eni-0web', publicIp: '203.0.113.10' });
    const db = eni({ networkInterfaceId: 'eni-0db', subnetId: PRIVATE_SUBNET });
    const lost = eni({
      networkInterfaceId: 'eni-0lost',
      subnetId: 'subnet-0unknown000000001',
      vpcId: 'vpc-0unknown0001',
    });
    // Act
    const reach = networkReach([db, web, lost], [publicTable, privateTable]);
    // Assess: one reachable interface decides, even if another one is unknown.
    expect(reach).toEqual({ kind: 'internet', via: [{ ...web, internetFamilies: ['ipv4'] }] });
  });

  it('is unknown, naming the subnet, when a subnet has no table and the VPC no main table in the facts', () => {
    // Prepare
    const known = eni({ networkInterfaceId: 'eni-0known', subnetId: PRIVATE_SUBNET });
    const unknown = eni({
      networkInterfaceId: 'eni-0unknown',
      subnetId: IMPLICIT_SUBNET,
      publicIp: '203.0.113.10',
    });
    // Act
    const reach = networkReach([known, unknown], [privateTable]);
    // Assess
    expect(reach.kind).toBe('unknown');
    expect(reach.kind === 'unknown' && reach.reason).toContain(IMPLICIT_SUBNET);
    expect(reach.kind === 'unknown' && reach.reason).not.toContain(PRIVATE_SUBNET);
  });
});

describe('ruleReach (network ACLs)', () => {
  const PUBLIC_ACL = 'acl-0public0000000001';
  const DEFAULT_ACL = 'acl-0default000000001';
  const web = eni({ publicIp: '203.0.113.10', ipv6Addresses: ['2001:db8:1234:1a00::10'] });

  /** The `*` entries AWS ends every ACL with. */
  const catchAll: NetworkAclEntryFacts[] = [
    {
      ruleNumber: 32767,
      action: 'deny',
      egress: false,
      protocol: '-1',
      source: { family: 'ipv4', cidr: '0.0.0.0/0' },
    },
    {
      ruleNumber: 32768,
      action: 'deny',
      egress: false,
      protocol: '-1',
      source: { family: 'ipv6', cidr: '::/0' },
    },
  ];

  function entry(overrides: Partial<NetworkAclEntryFacts> = {}): NetworkAclEntryFacts {
    return {
      ruleNumber: 100,
      action: 'allow',
      egress: false,
      protocol: '6',
      source: { family: 'ipv4', cidr: '0.0.0.0/0' },
      portRange: { from: 22, to: 22 },
      ...overrides,
    };
  }

  function acl(entries: NetworkAclEntryFacts[], overrides: Partial<NetworkAclFacts> = {}): NetworkAclFacts {
    return {
      networkAclId: PUBLIC_ACL,
      vpcId: VPC,
      isDefault: false,
      subnetIds: [PUBLIC_SUBNET],
      entries: [...entries, ...catchAll],
      ...overrides,
    };
  }

  function reachWith(networkAcls: NetworkAclFacts[], via = web): NetworkReach {
    return networkReach([via], [dualStackTable], { kind: 'read', networkAcls });
  }

  function open(
    rule: Partial<SecurityGroupRule> = {},
    ports: ExposedRule['ports'] = [{ from: 22, to: 22 }],
  ): ExposedRule {
    const full: SecurityGroupRule = {
      groupId: 'sg-0abc1234def567890',
      isEgress: false,
      protocol: 'tcp',
      fromPort: 22,
      toPort: 22,
      source: { kind: 'ipv4', cidr: '0.0.0.0/0' },
      ...rule,
    };
    return {
      rule: full,
      world: full.source.kind === 'ipv6' ? '::/0' : '0.0.0.0/0',
      shape: 'single-port',
      ports,
    };
  }

  it('is blocked by the first matching rule when a deny comes before an allow', () => {
    const reach = reachWith([
      acl([entry({ ruleNumber: 90, action: 'deny' }), entry({ ruleNumber: 100, protocol: '-1' })]),
    ]);

    expect(ruleReach(open(), reach)).toEqual({ kind: 'blocked', networkAclId: PUBLIC_ACL, ruleNumber: 90 });
  });

  it('is reachable when an allow comes before a deny', () => {
    const reach = reachWith([acl([entry({ ruleNumber: 90 }), entry({ ruleNumber: 100, action: 'deny' })])]);

    expect(ruleReach(open(), reach)).toEqual({ kind: 'internet', via: [web.networkInterfaceId] });
  });

  it('judges an IPv6 rule by the IPv6 entries only', () => {
    const entries = [
      entry({ ruleNumber: 100, action: 'deny' }),
      entry({ ruleNumber: 110, source: { family: 'ipv6', cidr: '::/0' } }),
    ];
    const ipv6Rule = open({ source: { kind: 'ipv6', cidr: '::/0' } });

    expect(ruleReach(ipv6Rule, reachWith([acl(entries)]))).toMatchObject({ kind: 'internet' });
    expect(ruleReach(open(), reachWith([acl(entries)]))).toMatchObject({ kind: 'blocked', ruleNumber: 100 });
  });

  it('lets an all-traffic entry (protocol -1) decide every port', () => {
    const denyAll: NetworkAclEntryFacts = {
      ruleNumber: 50,
      action: 'deny',
      egress: false,
      protocol: '-1',
      source: { family: 'ipv4', cidr: '0.0.0.0/0' },
    };
    const reach = reachWith([acl([denyAll, entry({ ruleNumber: 100, protocol: '-1' })])]);

    expect(
      ruleReach(open({ fromPort: 3389, toPort: 3389 }, [{ from: 3389, to: 3389 }]), reach),
    ).toMatchObject({
      kind: 'blocked',
      ruleNumber: 50,
    });
  });

  it('finds an all-traffic security group rule reachable through a udp allow', () => {
    const reach = reachWith([acl([entry({ protocol: '17', portRange: { from: 53, to: 53 } })])]);
    const allTraffic = open({ protocol: '-1', fromPort: -1, toPort: -1 }, 'all');

    expect(ruleReach(allTraffic, reach)).toMatchObject({ kind: 'internet' });
  });

  it.each<[string, NetworkAclEntryFacts[], string]>([
    [
      'a deny of the whole range',
      [entry({ ruleNumber: 80, action: 'deny', portRange: { from: 20, to: 21 } }), entry({ protocol: '-1' })],
      'blocked',
    ],
    [
      'a deny of port 21 alone (20 still gets in)',
      [entry({ ruleNumber: 80, action: 'deny', portRange: { from: 21, to: 21 } }), entry({ protocol: '-1' })],
      'internet',
    ],
    ['an allow of 1024-65535 only', [entry({ portRange: { from: 1024, to: 65535 } })], 'blocked'],
  ])('checks every port of a range: %s', (_label, entries, kind) => {
    const ftp = open({ fromPort: 20, toPort: 21 }, [{ from: 20, to: 21 }]);

    expect(ruleReach(ftp, reachWith([acl(entries)]))?.kind).toBe(kind);
  });

  it('names the catch-all rule when nothing else matches', () => {
    const reach = reachWith([acl([entry({ portRange: { from: 443, to: 443 } })])]);

    expect(ruleReach(open(), reach)).toEqual({
      kind: 'blocked',
      networkAclId: PUBLIC_ACL,
      ruleNumber: 32767,
    });
  });

  it('does not let a deny of a narrower block stop the rest of the internet', () => {
    const entries = [
      entry({ ruleNumber: 90, action: 'deny', source: { family: 'ipv4', cidr: '198.51.100.0/24' } }),
      entry(),
    ];

    expect(ruleReach(open(), reachWith([acl(entries)]))).toMatchObject({ kind: 'internet' });
  });

  it('does not count an allow of private addresses as the internet', () => {
    const entries = [entry({ source: { family: 'ipv4', cidr: '10.0.0.0/16' } })];

    expect(ruleReach(open(), reachWith([acl(entries)]))).toMatchObject({
      kind: 'blocked',
      ruleNumber: 32767,
    });
  });

  it('uses the VPC’s default ACL for a subnet without an explicit association', () => {
    const otherSubnetAcl = acl([entry({ action: 'deny', protocol: '-1' })], {
      subnetIds: ['subnet-0other0000000001'],
    });
    const defaultAcl = acl([entry({ ruleNumber: 100, action: 'deny' })], {
      networkAclId: DEFAULT_ACL,
      isDefault: true,
      subnetIds: [],
    });

    expect(ruleReach(open(), reachWith([otherSubnetAcl, defaultAcl]))).toEqual({
      kind: 'blocked',
      networkAclId: DEFAULT_ACL,
      ruleNumber: 100,
    });
  });

  it('never treats egress entries as deciding inbound traffic (return traffic is not checked)', () => {
    const entries = [entry({ ruleNumber: 10, egress: true, action: 'deny', protocol: '-1' }), entry()];

    expect(ruleReach(open(), reachWith([acl(entries)]))).toMatchObject({ kind: 'internet' });
  });

  it('says an IPv6 rule is private when the interface has only a public IPv4', () => {
    const ipv4Only = eni({ publicIp: '203.0.113.10' });
    const reach = reachWith([acl([entry({ protocol: '-1' })])], ipv4Only);

    expect(ruleReach(open({ source: { kind: 'ipv6', cidr: '::/0' } }), reach)).toEqual({ kind: 'private' });
  });

  it('keeps the route verdict and says why when the ACLs could not be read', () => {
    const reach = networkReach([web], [dualStackTable], {
      kind: 'unread',
      reason: 'EC2 refused DescribeNetworkAcls',
    });

    expect(ruleReach(open(), reach)).toEqual({
      kind: 'internet',
      via: [web.networkInterfaceId],
      networkAclsUnchecked: 'EC2 refused DescribeNetworkAcls',
    });
  });

  it.each<[string, NetworkReach, string]>([
    ['private subnets', { kind: 'private', attachments: 1 }, 'private'],
    ['no attachment', { kind: 'unattached' }, 'unattached'],
    ['an unknown reach', { kind: 'unknown', reason: 'EC2 not read' }, 'unknown'],
  ])('follows the group for %s', (_label, reach, kind) => {
    expect(ruleReach(open(), reach)?.kind).toBe(kind);
  });
});
