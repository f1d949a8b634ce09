import { describe, expect, it } from 'vitest';
import type { NetworkInterfaceFacts, RouteTableFacts } from '../../../src/domain/reachability.js';
import { isInternetReachable, networkReach, routeTableOf } from '../../../src/domain/reachability.js';

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
    expect(networkReach([web], [publicTable])).toEqual({ kind: 'internet', via: [web] });
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
    expect(networkReach([host], [privateTable, publicMainTable])).toEqual({ kind: 'internet', via: [host] });
  });

  it('is internet through IPv6 alone when the subnet routes ::/0 to an igw', () => {
    const host = eni({ ipv6Addresses: ['2001:db8::10'] });
    expect(networkReach([host], [dualStackTable])).toEqual({ kind: 'internet', via: [host] });
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
    expect(reach).toEqual({ kind: 'internet', via: [web] });
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
