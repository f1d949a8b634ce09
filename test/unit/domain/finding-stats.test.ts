import { describe, expect, it } from 'vitest';
import type { CountedState } from '../../../src/domain/finding-stats.js';
import { countedState, counterDeltas } from '../../../src/domain/finding-stats.js';
import { triage } from '../../../src/domain/triage.js';
import { makeFinding, makeRule } from '../../fixtures/finding.js';

const open: CountedState = {
  open: true,
  severity: 'HIGH',
  accountId: '111122223333',
  controlId: 'EC2.13',
  exposed: false,
};

/** Apply a sequence of transitions and return the resulting counters, as the store would. */
function replay(states: (CountedState | undefined)[]): Record<string, number> {
  const counters: Record<string, number> = {};
  for (let i = 1; i < states.length; i += 1) {
    for (const [id, { delta }] of counterDeltas(states[i - 1], states[i]))
      counters[id] = (counters[id] ?? 0) + delta;
  }
  return Object.fromEntries(Object.entries(counters).filter(([, value]) => value !== 0));
}

describe('counterDeltas', () => {
  it('counts a new open finding once in every dimension', () => {
    expect(replay([undefined, open])).toEqual({
      'OPEN|ALL': 1,
      'OPEN|SEVERITY#HIGH': 1,
      'OPEN|CONTROL#EC2.13': 1,
      'OPEN|ACCOUNT#111122223333': 1,
      'ACCOUNT#111122223333|ALL': 1,
      'ACCOUNT#111122223333|SEVERITY#HIGH': 1,
      'ACCOUNT#111122223333|CONTROL#EC2.13': 1,
      'CONTROL#EC2.13|ALL': 1,
      'CONTROL#EC2.13|SEVERITY#HIGH': 1,
      'CONTROL#EC2.13|ACCOUNT#111122223333': 1,
    });
  });

  it('returns to zero through ingest → resolve → reopen → suppress → accept → expire sequences', () => {
    const closed = { ...open, open: false };
    const sequences: (CountedState | undefined)[][] = [
      [undefined, open, closed],
      [undefined, open, closed, open, closed],
      [undefined, open, { ...open, exposed: true }, { ...open, severity: 'CRITICAL', exposed: true }, closed],
      [undefined, closed, closed, open, open, closed],
    ];
    for (const sequence of sequences) expect(replay(sequence)).toEqual({});
  });

  it('moves a finding between severities without changing the totals', () => {
    const counters = replay([undefined, open, { ...open, severity: 'CRITICAL' }]);

    expect(counters['OPEN|ALL']).toBe(1);
    expect(counters['OPEN|SEVERITY#HIGH']).toBeUndefined();
    expect(counters['OPEN|SEVERITY#CRITICAL']).toBe(1);
  });

  it('matches a recount from scratch for random sequences of states (property)', () => {
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
    for (let run = 0; run < 200; run += 1) {
      const states: (CountedState | undefined)[] = [undefined];
      for (let step = 0; step < 8; step += 1) {
        states.push({
          open: random() < 0.6,
          severity: pick(['HIGH', 'CRITICAL']),
          accountId: pick(['111122223333', '444455556666']),
          controlId: pick(['EC2.13', 'EC2.19']),
          exposed: random() < 0.3,
        });
      }
      expect(replay(states)).toEqual(replay([undefined, states.at(-1)]));
    }
  });
});

describe('countedState', () => {
  it('counts a world-open group on an internet-facing interface as exposed, and a resolved finding as not open', () => {
    const finding = makeFinding();
    const exposed = triage(finding, {
      ingressRules: [makeRule()],
      reach: {
        kind: 'internet',
        via: [
          {
            networkInterfaceId: 'eni-1',
            subnetId: 'subnet-1',
            vpcId: 'vpc-1',
            publicIp: '203.0.113.10',
            ipv6Addresses: [],
          },
        ],
      },
    });

    expect(countedState({ finding, triage: exposed })).toMatchObject({ open: true, exposed: true });
    expect(countedState({ finding: { ...finding, workflowStatus: 'RESOLVED' }, triage: exposed }).open).toBe(
      false,
    );
    expect(countedState({ finding, triage: triage(finding) }).exposed).toBe(false);
  });

  it("does not count a world-open rule that the subnet's network ACL blocks as exposed", () => {
    const finding = makeFinding();
    const denySsh = {
      networkAclId: 'acl-0deny22',
      vpcId: 'vpc-1',
      isDefault: false,
      subnetIds: ['subnet-1'],
      entries: [
        {
          ruleNumber: 100,
          action: 'deny' as const,
          egress: false,
          protocol: '6',
          source: { family: 'ipv4' as const, cidr: '0.0.0.0/0' },
          portRange: { from: 22, to: 22 },
        },
        {
          ruleNumber: 200,
          action: 'allow' as const,
          egress: false,
          protocol: '-1',
          source: { family: 'ipv4' as const, cidr: '0.0.0.0/0' },
        },
      ],
    };
    const blocked = triage(finding, {
      ingressRules: [makeRule()],
      reach: {
        kind: 'internet',
        via: [
          {
            networkInterfaceId: 'eni-1',
            subnetId: 'subnet-1',
            vpcId: 'vpc-1',
            publicIp: '203.0.113.10',
            ipv6Addresses: [],
          },
        ],
        networkAcls: { kind: 'read', networkAcls: [denySsh] },
      },
    });

    expect(countedState({ finding, triage: blocked }).exposed).toBe(false);
  });
});
