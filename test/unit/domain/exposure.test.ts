import { describe, expect, it } from 'vitest';
import { HIGH_RISK_PORTS } from '../../../src/domain/control-catalog.js';
import type { ExposureCheck, PortRange } from '../../../src/domain/exposure.js';
import {
  describePortRanges,
  exposedIngressRules,
  isWorldCidr,
  opensPort,
  portShape,
  worldFamily,
} from '../../../src/domain/exposure.js';
import type { SecurityGroupRule } from '../../../src/domain/security-group-rule.js';
import { makeRule } from '../../fixtures/finding.js';

const V4 = { kind: 'ipv4', cidr: '0.0.0.0/0' } as const;
const V6 = { kind: 'ipv6', cidr: '::/0' } as const;
const PRIVATE_V4 = { kind: 'ipv4', cidr: '10.0.0.0/8' } as const;
const HALF_V4 = { kind: 'ipv4', cidr: '0.0.0.0/1' } as const;
const PEER_GROUP = {
  kind: 'security-group',
  groupId: 'sg-0peer000000000001',
  userId: '111122223333',
} as const;
const PREFIX_LIST = { kind: 'prefix-list', prefixListId: 'pl-63a5400a' } as const;

// The checks the controls use, written out here so these tests do not depend on the catalog.
const SSH_ANY: ExposureCheck = { kind: 'world-ports', ports: [22], families: ['ipv4', 'ipv6'] };
const RDP_ANY: ExposureCheck = { kind: 'world-ports', ports: [3389], families: ['ipv4', 'ipv6'] };
const ADMIN_V4: ExposureCheck = { kind: 'world-ports', ports: [22, 3389], families: ['ipv4'] };
const ADMIN_V6: ExposureCheck = { kind: 'world-ports', ports: [3389, 22], families: ['ipv6'] };
const HIGH_RISK: ExposureCheck = { kind: 'world-ports', ports: HIGH_RISK_PORTS, families: ['ipv4', 'ipv6'] };
const UNAUTHORIZED: ExposureCheck = {
  kind: 'world-unauthorized-ports',
  authorizedTcpPorts: [
    { from: 80, to: 80 },
    { from: 443, to: 443 },
  ],
  authorizedUdpPorts: [],
};
const ANY_INGRESS: ExposureCheck = { kind: 'any-ingress' };

/** Port `from` alone, or `from` to `to` inclusive. */
const range = (from: number, to = from): PortRange => ({ from, to });

const tcp = (fromPort: number, toPort = fromPort, source: SecurityGroupRule['source'] = V4) =>
  makeRule({ protocol: 'tcp', fromPort, toPort, source });
const udp = (fromPort: number, toPort = fromPort, source: SecurityGroupRule['source'] = V4) =>
  makeRule({ protocol: 'udp', fromPort, toPort, source });
const allTraffic = (source: SecurityGroupRule['source'] = V4) =>
  makeRule({ protocol: '-1', fromPort: -1, toPort: -1, source });
/** A rule as EC2 returns it when the ports are left out. */
function withoutPorts(protocol: string): SecurityGroupRule {
  const { fromPort: _from, toPort: _to, ...rule } = makeRule({ protocol });
  void _from;
  void _to;
  return rule;
}
const icmp = (source: SecurityGroupRule['source'] = V4) =>
  makeRule({ protocol: 'icmp', fromPort: -1, toPort: -1, source });

describe('isWorldCidr', () => {
  it.each([
    ['0.0.0.0/0', 'ipv4', true],
    [' 0.0.0.0/0 ', 'ipv4', true],
    ['0.0.0.0/1', 'ipv4', false],
    ['128.0.0.0/1', 'ipv4', false],
    ['10.0.0.0/8', 'ipv4', false],
    // A zero-length prefix matches every address, whatever the address part says.
    ['10.1.2.3/0', 'ipv4', true],
    ['0.0.0.0', 'ipv4', false],
    ['::/0', 'ipv4', false],
    ['::/0', 'ipv6', true],
    ['0::/0', 'ipv6', true],
    ['0:0:0:0:0:0:0:0/0', 'ipv6', true],
    ['::/1', 'ipv6', false],
    ['2001:db8::/32', 'ipv6', false],
    ['0.0.0.0/0', 'ipv6', false],
  ] as const)('treats %s as the whole %s space: %s', (cidr, family, expected) => {
    expect(isWorldCidr(cidr, family)).toBe(expected);
  });
});

describe('worldFamily', () => {
  it.each([
    ['0.0.0.0/0', V4, 'ipv4'],
    ['::/0', V6, 'ipv6'],
    ['0::/0', { kind: 'ipv6', cidr: '0::/0' }, 'ipv6'],
    ['10.0.0.0/8', PRIVATE_V4, undefined],
    // Security Hub's controls name exactly 0.0.0.0/0 and ::/0; half the internet passes them.
    ['0.0.0.0/1', HALF_V4, undefined],
    ['::/1', { kind: 'ipv6', cidr: '::/1' }, undefined],
    ['a referenced group', PEER_GROUP, undefined],
    ['a prefix list', PREFIX_LIST, undefined],
  ] as const)('reads %s as %s', (_label, source, expected) => {
    expect(worldFamily(makeRule({ source }))).toBe(expected);
  });
});

describe('portShape', () => {
  it.each([
    ['tcp/22', tcp(22), 'single-port'],
    ['tcp/20-25', tcp(20, 25), 'port-range'],
    ['tcp/0-65535', tcp(0, 65535), 'all-ports'],
    ['tcp -1/-1', tcp(-1, -1), 'all-ports'],
    ['tcp without ports', withoutPorts('tcp'), 'all-ports'],
    ['udp/0-65535', udp(0, 65535), 'all-ports'],
    ['udp/3389', udp(3389), 'single-port'],
    ['numeric 6, 1024-2048', makeRule({ protocol: '6', fromPort: 1024, toPort: 2048 }), 'port-range'],
    ['protocol -1', allTraffic(), 'all-traffic'],
    ['protocol -1 with stray ports', makeRule({ protocol: '-1', fromPort: 22, toPort: 22 }), 'all-traffic'],
  ])('classifies %s as %s', (_label, rule, expected) => {
    expect(portShape(rule)).toBe(expected);
  });
});

describe('opensPort', () => {
  it.each([
    ['tcp/22', tcp(22), 22, true],
    ['tcp/22', tcp(22), 23, false],
    ['tcp/20-25', tcp(20, 25), 22, true],
    ['tcp/20-25', tcp(20, 25), 25, true],
    ['tcp/20-25', tcp(20, 25), 26, false],
    ['tcp/23-3388', tcp(23, 3388), 22, false],
    ['tcp/23-3388', tcp(23, 3388), 3389, false],
    ['tcp/0-65535', tcp(0, 65535), 3389, true],
    ['tcp -1/-1', tcp(-1, -1), 3389, true],
    ['udp/3389', udp(3389), 3389, true],
    ['numeric 6 (tcp)', makeRule({ protocol: '6', fromPort: 22, toPort: 22 }), 22, true],
    ['numeric 17 (udp)', makeRule({ protocol: '17', fromPort: 3389, toPort: 3389 }), 3389, true],
    ['upper-case TCP', makeRule({ protocol: 'TCP' }), 22, true],
    ['protocol -1', allTraffic(), 22, true],
    ['icmp', icmp(), 22, false],
    ['icmp echo (type 8)', makeRule({ protocol: 'icmp', fromPort: 8, toPort: 0 }), 8, false],
    ['esp (50)', withoutPorts('50'), 22, false],
  ])('%s opens port %i: %s', (_label, rule, port, expected) => {
    expect(opensPort(rule, port)).toBe(expected);
  });
});

describe('exposedIngressRules', () => {
  describe('with the SSH check (EC2.13)', () => {
    it.each([
      ['tcp/22 from 0.0.0.0/0', tcp(22), '0.0.0.0/0', 'single-port', [range(22)]],
      ['tcp/22 from ::/0', tcp(22, 22, V6), '::/0', 'single-port', [range(22)]],
      ['tcp/22 from 0::/0', tcp(22, 22, { kind: 'ipv6', cidr: '0::/0' }), '::/0', 'single-port', [range(22)]],
      ['tcp/20-25 (contains 22)', tcp(20, 25), '0.0.0.0/0', 'port-range', [range(22)]],
      ['tcp/0-65535', tcp(0, 65535), '0.0.0.0/0', 'all-ports', 'all'],
      ['tcp with ports -1', tcp(-1, -1), '0.0.0.0/0', 'all-ports', 'all'],
      ['udp/22', udp(22), '0.0.0.0/0', 'single-port', [range(22)]],
      ['numeric 6, port 22', makeRule({ protocol: '6' }), '0.0.0.0/0', 'single-port', [range(22)]],
      ['all traffic from 0.0.0.0/0', allTraffic(), '0.0.0.0/0', 'all-traffic', 'all'],
      ['all traffic from ::/0', allTraffic(V6), '::/0', 'all-traffic', 'all'],
    ] as const)('flags %s', (_label, rule, world, shape, ports) => {
      expect(exposedIngressRules([rule], SSH_ANY)).toEqual([{ rule, world, shape, ports }]);
    });

    it.each([
      ['tcp/23-3388 (contains neither 22 nor 3389)', tcp(23, 3388)],
      ['tcp/3389', tcp(3389)],
      ['icmp from 0.0.0.0/0', icmp()],
      ['tcp/22 from 10.0.0.0/8 (restricted)', tcp(22, 22, PRIVATE_V4)],
      ['tcp/22 from 0.0.0.0/1 (not the world for Security Hub)', tcp(22, 22, HALF_V4)],
      ['tcp/22 from a referenced group', tcp(22, 22, PEER_GROUP)],
      ['all traffic from a referenced group', allTraffic(PEER_GROUP)],
      ['tcp/22 from a prefix list', tcp(22, 22, PREFIX_LIST)],
      ['an egress rule to 0.0.0.0/0', makeRule({ isEgress: true })],
    ])('ignores %s', (_label, rule) => {
      expect(exposedIngressRules([rule], SSH_ANY)).toEqual([]);
    });

    it('keeps only the open rules of a mixed group, in input order', () => {
      // Prepare
      const rules = [
        tcp(443),
        tcp(22, 22, V6),
        tcp(22, 22, PRIVATE_V4),
        tcp(22, 22, PEER_GROUP),
        makeRule({ isEgress: true, protocol: '-1', fromPort: -1, toPort: -1 }),
        tcp(20, 25),
        icmp(),
      ];
      // Act
      const exposed = exposedIngressRules(rules, SSH_ANY);
      // Assess
      expect(exposed.map((e) => e.rule)).toEqual([rules[1], rules[5]]);
    });

    it('returns nothing for a group without rules', () => {
      expect(exposedIngressRules([], SSH_ANY)).toEqual([]);
    });
  });

  describe('with the RDP check (EC2.14)', () => {
    it.each([
      ['tcp/3389', tcp(3389), [range(3389)]],
      ['udp/3389', udp(3389), [range(3389)]],
      ['tcp/3000-4000', tcp(3000, 4000), [range(3389)]],
      ['all traffic', allTraffic(), 'all'],
    ] as const)('flags %s', (_label, rule, ports) => {
      expect(exposedIngressRules([rule], RDP_ANY).map((e) => e.ports)).toEqual([ports]);
    });

    it.each([
      ['tcp/22', tcp(22)],
      ['tcp/23-3388', tcp(23, 3388)],
    ])('ignores %s', (_label, rule) => {
      expect(exposedIngressRules([rule], RDP_ANY)).toEqual([]);
    });
  });

  describe('with the remote administration checks (EC2.53 IPv4, EC2.54 IPv6)', () => {
    it.each([
      ['EC2.53', ADMIN_V4, tcp(22), [range(22)]],
      ['EC2.53', ADMIN_V4, udp(3389), [range(3389)]],
      ['EC2.53', ADMIN_V4, tcp(20, 4000), [range(22), range(3389)]],
      ['EC2.54', ADMIN_V6, tcp(22, 22, V6), [range(22)]],
      // The check lists 3389 before 22; the result is ascending anyway.
      ['EC2.54', ADMIN_V6, tcp(1, 5000, V6), [range(22), range(3389)]],
      ['EC2.54', ADMIN_V6, allTraffic(V6), 'all'],
    ] as const)('%s flags the rule and lists ports %j', (_control, check, rule, ports) => {
      expect(exposedIngressRules([rule], check).map((e) => e.ports)).toEqual([ports]);
    });

    it.each([
      ['EC2.53 ignores ::/0', ADMIN_V4, tcp(22, 22, V6)],
      ['EC2.53 ignores all traffic from ::/0', ADMIN_V4, allTraffic(V6)],
      ['EC2.54 ignores 0.0.0.0/0', ADMIN_V6, tcp(3389)],
      ['EC2.54 ignores all traffic from 0.0.0.0/0', ADMIN_V6, allTraffic(V4)],
    ])('%s', (_label, check, rule) => {
      expect(exposedIngressRules([rule], check)).toEqual([]);
    });
  });

  describe('with the high-risk ports check (EC2.19)', () => {
    it.each([
      ['mysql from 0.0.0.0/0', tcp(3306), '0.0.0.0/0', [range(3306)]],
      ['opensearch from ::/0', tcp(9200, 9300, V6), '::/0', [range(9200), range(9300)]],
      ['udp/8080 from ::/0', udp(8080, 8080, V6), '::/0', [range(8080)]],
      // 20, 21, 22 and 23 are each high-risk and adjacent, so they read as one range.
      [
        'tcp/1-1000 from 0.0.0.0/0',
        tcp(1, 1000),
        '0.0.0.0/0',
        [range(20, 23), range(25), range(110), range(135), range(143), range(445)],
      ],
      ['all traffic from ::/0', allTraffic(V6), '::/0', 'all'],
    ] as const)('flags %s', (_label, rule, world, ports) => {
      const [exposed] = exposedIngressRules([rule], HIGH_RISK);
      expect(exposed?.world).toBe(world);
      expect(exposed?.ports).toEqual(ports);
    });

    it.each([
      ['tcp/80', tcp(80)],
      ['tcp/443 from ::/0', tcp(443, 443, V6)],
      ['tcp/3306 from 10.0.0.0/8', tcp(3306, 3306, PRIVATE_V4)],
      ['tcp/10000-20000', tcp(10000, 20000)],
    ])('ignores %s', (_label, rule) => {
      expect(exposedIngressRules([rule], HIGH_RISK)).toEqual([]);
    });

    it('merges checked ports listed out of order and twice into one range', () => {
      // Prepare
      const ftp: ExposureCheck = { kind: 'world-ports', ports: [21, 20, 21], families: ['ipv4'] };
      // Act
      const exposed = exposedIngressRules([tcp(0, 1000)], ftp);
      // Assess
      expect(exposed.map((e) => e.ports)).toEqual([[range(20, 21)]]);
    });
  });

  describe('with the authorized ports check (EC2.18, tcp 80 and 443 authorized)', () => {
    it.each([
      ['tcp/8080', tcp(8080), 'single-port', [range(8080)]],
      ['tcp/8080 from ::/0', tcp(8080, 8080, V6), 'single-port', [range(8080)]],
      ['tcp/79-81 (80 is authorized, 79 and 81 are not)', tcp(79, 81), 'port-range', [range(79), range(81)]],
      ['tcp/80-81 (the range starts on an authorized port)', tcp(80, 81), 'port-range', [range(81)]],
      ['tcp/442-443 (the range ends on an authorized port)', tcp(442, 443), 'port-range', [range(442)]],
      ['tcp/80-443 (both ends authorized)', tcp(80, 443), 'port-range', [range(81, 442)]],
      [
        'tcp/0-1000 (both authorized ports inside the range)',
        tcp(0, 1000),
        'port-range',
        [range(0, 79), range(81, 442), range(444, 1000)],
      ],
      // A wide rule stays one range: 64,512 ports listed one by one would not fit a DynamoDB item.
      ['tcp/1024-65535 (no authorized port inside)', tcp(1024, 65535), 'port-range', [range(1024, 65535)]],
      ['udp/0-1000 (only tcp ports are authorized)', udp(0, 1000), 'port-range', [range(0, 1000)]],
      ['udp/80 (only tcp ports are authorized)', udp(80), 'single-port', [range(80)]],
      ['udp/443 from ::/0', udp(443, 443, V6), 'single-port', [range(443)]],
      ['tcp/0-65535', tcp(0, 65535), 'all-ports', 'all'],
      ['all traffic', allTraffic(), 'all-traffic', 'all'],
    ] as const)('flags %s', (_label, rule, shape, ports) => {
      expect(
        exposedIngressRules([rule], UNAUTHORIZED).map((e) => ({ shape: e.shape, ports: e.ports })),
      ).toEqual([{ shape, ports }]);
    });

    it.each([
      ['tcp/80', tcp(80)],
      ['tcp/443 from ::/0', tcp(443, 443, V6)],
      ['tcp/8080 from 10.0.0.0/8', tcp(8080, 8080, PRIVATE_V4)],
      ['tcp/8080 from 0.0.0.0/1', tcp(8080, 8080, HALF_V4)],
      ['tcp/8080 from a referenced group', tcp(8080, 8080, PEER_GROUP)],
      ['all traffic from a prefix list', allTraffic(PREFIX_LIST)],
      ['icmp from 0.0.0.0/0 (opens no port)', icmp()],
      ['an egress rule', makeRule({ isEgress: true, fromPort: 8080, toPort: 8080 })],
    ])('ignores %s', (_label, rule) => {
      expect(exposedIngressRules([rule], UNAUTHORIZED)).toEqual([]);
    });

    it('flags the rules of a web group that open more than 80 and 443', () => {
      // Prepare
      const rules = [tcp(80), tcp(443), tcp(443, 443, V6), tcp(8443), udp(53, 53, PRIVATE_V4)];
      // Act
      const exposed = exposedIngressRules(rules, UNAUTHORIZED);
      // Assess
      expect(exposed.map((e) => e.rule)).toEqual([rules[3]]);
    });
  });

  describe('with the any-ingress check (EC2.2 default group)', () => {
    it.each([
      ['tcp/22 from 0.0.0.0/0', tcp(22), '0.0.0.0/0', [range(22)]],
      ['all traffic from ::/0', allTraffic(V6), '::/0', 'all'],
      ['all traffic from the group itself', allTraffic(PEER_GROUP), undefined, 'all'],
      ['tcp/5432 from a prefix list', tcp(5432, 5432, PREFIX_LIST), undefined, [range(5432)]],
      ['tcp/22-23 from 10.0.0.0/8', tcp(22, 23, PRIVATE_V4), undefined, [range(22, 23)]],
      ['tcp/80-443 from 0.0.0.0/0 (nothing is authorized here)', tcp(80, 443), '0.0.0.0/0', [range(80, 443)]],
      ['udp/1024-65535 from the group itself', udp(1024, 65535, PEER_GROUP), undefined, [range(1024, 65535)]],
      ['icmp from 10.0.0.0/8 (no port)', icmp(PRIVATE_V4), undefined, []],
    ] as const)('flags %s', (_label, rule, world, ports) => {
      const exposed = exposedIngressRules([rule], ANY_INGRESS);
      expect(exposed).toHaveLength(1);
      expect(exposed[0]?.world).toBe(world);
      expect(exposed[0]?.ports).toEqual(ports);
    });

    it('sets world only on world-open rules', () => {
      const exposed = exposedIngressRules([allTraffic(PEER_GROUP)], ANY_INGRESS);
      expect(exposed[0]).not.toHaveProperty('world');
    });

    it('ignores egress rules, which the default group has too', () => {
      // Prepare: a fresh default group: all traffic in from itself, all traffic out to the world.
      const inbound = allTraffic(PEER_GROUP);
      const outbound = makeRule({ isEgress: true, protocol: '-1', fromPort: -1, toPort: -1 });
      // Act
      const exposed = exposedIngressRules([outbound, inbound], ANY_INGRESS);
      // Assess
      expect(exposed.map((e) => e.rule)).toEqual([inbound]);
    });
  });
});

describe('describePortRanges', () => {
  it.each([
    ['one port', [range(22)], '22'],
    ['a range and a port', [range(20, 21), range(3389)], '20-21, 3389'],
    ['a wide range', [range(1024, 65535)], '1024-65535'],
    ['every port', 'all', 'all ports'],
    ['no port (icmp)', [], 'no ports'],
  ] as const)('describes %s as %j', (_label, ports, expected) => {
    expect(describePortRanges(ports)).toBe(expected);
  });

  it('describes what the authorized ports check found in a wide rule', () => {
    // Prepare
    const rule = tcp(0, 1000);
    // Act
    const [exposed] = exposedIngressRules([rule], UNAUTHORIZED);
    // Assess
    expect(exposed && describePortRanges(exposed.ports)).toBe('0-79, 81-442, 444-1000');
  });
});
