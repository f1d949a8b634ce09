import type { NetworkAclEntry } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { CONTROL_CATALOG } from '../../../src/domain/control-catalog.js';
import type { CurrentResource } from '../../../src/domain/current-resource.js';
import type { PlanOutcome } from '../../../src/domain/remediation-plan.js';
import { planRemediation, verifyRemediation } from '../../../src/domain/remediation-plan.js';
import type { PlannedNetworkAclDeny, RemediationPlan } from '../../../src/domain/remediation-plan-types.js';
import {
  CATCH_ALL_ENTRIES,
  DEFAULT_DUAL_STACK_ENTRIES,
  NACL_SUBNETS,
  NETWORK_ACL_ID,
  inboundEntry,
  makeNetworkAclFinding,
  networkAclFacts,
} from '../../fixtures/network-acl.js';

const EC2_21 = CONTROL_CATALOG['EC2.21'];
const OPTIONS = { imdsHopLimit: 1 };
const finding = makeNetworkAclFinding();

function aclResource(entries: readonly NetworkAclEntry[], subnetIds?: readonly string[]): CurrentResource {
  return { kind: 'network-acl', acl: networkAclFacts(entries, subnetIds ? { subnetIds } : {}) };
}

function plan(entries: readonly NetworkAclEntry[], subnetIds?: readonly string[]): PlanOutcome {
  return planRemediation(finding, EC2_21, aclResource(entries, subnetIds), OPTIONS);
}

type DenyPlan = Extract<RemediationPlan, { kind: 'deny-network-acl-ingress' }>;

function denyPlanOf(outcome: PlanOutcome): DenyPlan {
  if (outcome.kind !== 'plan' || outcome.plan.kind !== 'deny-network-acl-ingress')
    throw new Error(`expected a network ACL plan, got ${JSON.stringify(outcome)}`);
  return outcome.plan;
}

/** "ipv4 tcp/22 as 99 ahead of 100" for each planned deny. */
function denySummary(outcome: PlanOutcome): string[] {
  return denyPlanOf(outcome).denies.map(
    (deny) => `${deny.family} tcp/${deny.port} as ${deny.ruleNumber} ahead of ${deny.aheadOfRuleNumber}`,
  );
}

/** The entry the executor adds for a planned deny, as DescribeNetworkAcls returns it afterwards. */
function addedEntry(deny: PlannedNetworkAclDeny): NetworkAclEntry {
  return inboundEntry(deny.ruleNumber, 'deny', deny.cidr, '6', [deny.port, deny.port]);
}

const office = '203.0.113.0/24';

describe('planRemediation for EC2.21 network ACLs (deny-network-acl-ingress)', () => {
  it.each([
    [
      'a dual-stack default ACL that allows all traffic (100 for IPv4, 101 for IPv6)',
      DEFAULT_DUAL_STACK_ENTRIES,
      [
        'ipv4 tcp/22 as 99 ahead of 100',
        'ipv4 tcp/3389 as 98 ahead of 100',
        // 100 is the IPv4 allow: IPv4 and IPv6 entries share one inbound number space.
        'ipv6 tcp/22 as 97 ahead of 101',
        'ipv6 tcp/3389 as 96 ahead of 101',
      ],
    ],
    [
      'an IPv4-only ACL that allows all traffic',
      [inboundEntry(100, 'allow', '0.0.0.0/0'), ...CATCH_ALL_ENTRIES],
      ['ipv4 tcp/22 as 99 ahead of 100', 'ipv4 tcp/3389 as 98 ahead of 100'],
    ],
    [
      'an IPv6 entry for tcp/3389 alone',
      [inboundEntry(200, 'allow', '::/0', '6', [3389, 3389]), ...CATCH_ALL_ENTRIES],
      ['ipv6 tcp/3389 as 199 ahead of 200'],
    ],
    [
      'the user’s own deny entries taking the numbers just below the allow',
      [
        inboundEntry(96, 'deny', '198.51.100.0/24'),
        inboundEntry(97, 'deny', '192.0.2.0/24', '6', [22, 22]),
        inboundEntry(98, 'deny', '198.18.0.0/15'),
        inboundEntry(99, 'deny', '0.0.0.0/0', '17', [53, 53]),
        inboundEntry(100, 'allow', '0.0.0.0/0'),
        ...CATCH_ALL_ENTRIES,
      ],
      ['ipv4 tcp/22 as 95 ahead of 100', 'ipv4 tcp/3389 as 94 ahead of 100'],
    ],
    [
      'a tcp range that covers 22 but not 3389',
      [inboundEntry(120, 'allow', '0.0.0.0/0', '6', [0, 1023]), ...CATCH_ALL_ENTRIES],
      ['ipv4 tcp/22 as 119 ahead of 120'],
    ],
    [
      'a narrower allow ahead of the world allow, left to decide its own traffic',
      [
        inboundEntry(90, 'allow', office, '6', [22, 22]),
        inboundEntry(100, 'allow', '0.0.0.0/0'),
        ...CATCH_ALL_ENTRIES,
      ],
      ['ipv4 tcp/22 as 99 ahead of 100', 'ipv4 tcp/3389 as 98 ahead of 100'],
    ],
    [
      'each port ahead of the first world allow that lets it in',
      [
        inboundEntry(100, 'allow', '0.0.0.0/0', '6', [22, 22]),
        inboundEntry(200, 'allow', '0.0.0.0/0', '6', [1024, 65535]),
        inboundEntry(300, 'allow', '0.0.0.0/0'),
        ...CATCH_ALL_ENTRIES,
      ],
      ['ipv4 tcp/22 as 99 ahead of 100', 'ipv4 tcp/3389 as 199 ahead of 200'],
    ],
  ])('plans denies for %s', (_case, entries, expected) => {
    expect(denySummary(plan(entries))).toEqual(expected);
  });

  it('denies exactly tcp to the port from the whole address space, and names the allow each goes ahead of', () => {
    const outcome = plan(DEFAULT_DUAL_STACK_ENTRIES);

    expect(denyPlanOf(outcome)).toEqual({
      kind: 'deny-network-acl-ingress',
      accountId: finding.accountId,
      region: finding.region,
      networkAclId: NETWORK_ACL_ID,
      subnetIds: [...NACL_SUBNETS],
      denies: [
        {
          ruleNumber: 99,
          cidr: '0.0.0.0/0',
          family: 'ipv4',
          port: 22,
          aheadOfRuleNumber: 100,
          words: 'rule 99: deny tcp/22 from 0.0.0.0/0, ahead of rule 100 (allow all traffic from 0.0.0.0/0)',
        },
        expect.objectContaining({ ruleNumber: 98, cidr: '0.0.0.0/0', port: 3389 }),
        {
          ruleNumber: 97,
          cidr: '::/0',
          family: 'ipv6',
          port: 22,
          aheadOfRuleNumber: 101,
          words: 'rule 97: deny tcp/22 from ::/0, ahead of rule 101 (allow all traffic from ::/0)',
        },
        expect.objectContaining({ ruleNumber: 96, cidr: '::/0', port: 3389 }),
      ],
    });
  });

  it('says which subnets lose SSH and RDP from the internet, before the confirm button', () => {
    const outcome = plan(DEFAULT_DUAL_STACK_ENTRIES);
    if (outcome.kind !== 'plan') throw new Error('expected a plan');

    expect(outcome.words).toContain(`network ACL ${NETWORK_ACL_ID}`);
    expect(outcome.words).toContain('subnets subnet-0a1b2c3d4e5f6a001 and subnet-0f1e2d3c4b5a60002');
    expect(outcome.words).toContain('Your own entries stay as they are');
    expect(outcome.notes[0]).toBe(
      'What stops working: SSH (tcp/22) and RDP (tcp/3389) from the internet (0.0.0.0/0 and ::/0) into subnets ' +
        'subnet-0a1b2c3d4e5f6a001 and subnet-0f1e2d3c4b5a60002.',
    );
    // The allow-all entries let udp in too, and Security Hub may keep the finding open while they exist.
    expect(outcome.notes).toContainEqual(expect.stringContaining('Only tcp is denied'));
    expect(outcome.notes).toContainEqual(
      expect.stringContaining('may stay FAILED while rule 100 and rule 101 exist'),
    );
  });

  it('says narrower allows ahead of the deny keep working, and which ones after it stop', () => {
    const outcome = plan([
      inboundEntry(90, 'allow', office, '6', [22, 22]),
      inboundEntry(100, 'allow', '0.0.0.0/0'),
      inboundEntry(150, 'allow', '198.51.100.0/24', '6', [3389, 3389]),
      ...CATCH_ALL_ENTRIES,
    ]);
    if (outcome.kind !== 'plan') throw new Error('expected a plan');

    expect(outcome.notes).toContainEqual(
      `Traffic your narrower entries ahead of the denies allow keeps flowing: rule 90 (allow tcp/22 from ${office}).`,
    );
    expect(outcome.notes).toContainEqual(
      expect.stringContaining(
        'no longer let their sources in on those ports: rule 150 (allow tcp/3389 from 198.51.100.0/24)',
      ),
    );
  });

  it('says nothing stops working today when no subnet uses the ACL', () => {
    const outcome = plan([inboundEntry(100, 'allow', '0.0.0.0/0'), ...CATCH_ALL_ENTRIES], []);
    if (outcome.kind !== 'plan') throw new Error('expected a plan');

    expect(outcome.notes[0]).toContain(`Nothing stops working today: no subnet uses ${NETWORK_ACL_ID}`);
  });

  it.each([
    [
      'every number below the allow is taken',
      [
        inboundEntry(1, 'deny', '198.51.100.0/24'),
        inboundEntry(2, 'deny', '192.0.2.0/24'),
        inboundEntry(3, 'deny', '10.0.0.0/8', '17', [0, 65535]),
        inboundEntry(4, 'deny', '198.18.0.0/15'),
        inboundEntry(5, 'allow', '0.0.0.0/0'),
        ...CATCH_ALL_ENTRIES,
      ],
      'every rule number from 1 to 4 is taken',
    ],
    [
      'the only free numbers lie ahead of the user’s narrower allow for the port',
      [
        inboundEntry(90, 'allow', office, '6', [22, 22]),
        inboundEntry(91, 'allow', '0.0.0.0/0'),
        ...CATCH_ALL_ENTRIES,
      ],
      `ahead of your rule 90 (allow tcp/22 from ${office})`,
    ],
  ])('refuses, saying why and what to do, when %s', (_case, entries, why) => {
    const outcome = plan(entries);

    expect(outcome.kind).toBe('not-remediable');
    if (outcome.kind !== 'not-remediable') return;
    expect(outcome.reason).toContain(why);
    expect(outcome.reason).toContain('never renumbers or deletes your entries');
    expect(outcome.reason).toContain('then press Remediate again');
  });

  it('leaves it open, and says why, when world denies already block the ports but an allow for the internet remains', () => {
    // Security Hub judges each allow entry on its own, so the control still fails: never "already fixed" (resolved).
    const outcome = plan([
      inboundEntry(50, 'deny', '0.0.0.0/0', '6', [22, 22]),
      inboundEntry(51, 'deny', '0.0.0.0/0', '6', [3389, 3389]),
      inboundEntry(100, 'allow', '0.0.0.0/0'),
      ...CATCH_ALL_ENTRIES,
    ]);

    expect(outcome.kind).toBe('not-remediable');
    if (outcome.kind === 'not-remediable') {
      expect(outcome.reason).toContain('rule 100 (allow all traffic from 0.0.0.0/0)');
      expect(outcome.reason).toContain('narrow or delete that entry, or accept the risk');
    }
  });

  it.each([
    [
      'allows for narrower sources only',
      [
        inboundEntry(100, 'allow', office, '6', [22, 22]),
        inboundEntry(110, 'allow', '0.0.0.0/0', '6', [443, 443]),
      ],
    ],
    ['an allow-all outbound entry only', [{ ...inboundEntry(100, 'allow', '0.0.0.0/0'), Egress: true }]],
  ])('calls the ACL fixed for %s', (_case, entries) => {
    expect(plan(entries).kind).toBe('already-fixed');
  });
});

describe('verifyRemediation for EC2.21 network ACLs', () => {
  const planned = denyPlanOf(plan(DEFAULT_DUAL_STACK_ENTRIES));

  it('verifies when every planned deny is in the ACL read back and the internet gets in on neither port', () => {
    const after = aclResource([...planned.denies.map(addedEntry), ...DEFAULT_DUAL_STACK_ENTRIES]);

    // Done as planned, but Security Hub judges each allow entry on its own: the finding must not be resolved.
    expect(verifyRemediation(planned, EC2_21, after)).toEqual({
      verified: true,
      stillFails: expect.stringContaining('rule 100 (allow all traffic from 0.0.0.0/0)'),
    });
  });

  it('passes the control only once no allow entry for the whole internet covers 22 or 3389', () => {
    const narrowed = DEFAULT_DUAL_STACK_ENTRIES.filter(
      (entry) => entry.RuleAction !== 'allow' || entry.Egress,
    );
    const after = aclResource([...planned.denies.map(addedEntry), ...narrowed]);

    expect(verifyRemediation(planned, EC2_21, after)).toEqual({ verified: true });
  });

  it('does not verify when a planned deny is missing, and names it', () => {
    const after = aclResource([...planned.denies.slice(1).map(addedEntry), ...DEFAULT_DUAL_STACK_ENTRIES]);

    const verification = verifyRemediation(planned, EC2_21, after);

    expect(verification).toEqual({
      verified: false,
      why: `not in ${NETWORK_ACL_ID} as planned: rule 99: deny tcp/22 from 0.0.0.0/0, ahead of rule 100 (allow all traffic from 0.0.0.0/0)`,
    });
  });

  it('does not verify when a planned number holds an entry other than the planned deny', () => {
    const [first, ...rest] = planned.denies;
    const after = aclResource([
      inboundEntry(first!.ruleNumber, 'deny', '0.0.0.0/0', '-1'),
      ...rest.map(addedEntry),
      ...DEFAULT_DUAL_STACK_ENTRIES,
    ]);

    const verification = verifyRemediation(planned, EC2_21, after);

    expect(verification.verified).toBe(false);
    if (!verification.verified) expect(verification.why).toContain(first!.words);
  });

  it('does not verify when someone added a world allow ahead of the denies meanwhile', () => {
    const after = aclResource([
      inboundEntry(10, 'allow', '::/0', '6', [22, 22]),
      ...planned.denies.map(addedEntry),
      ...DEFAULT_DUAL_STACK_ENTRIES,
    ]);

    const verification = verifyRemediation(planned, EC2_21, after);

    expect(verification).toEqual({
      verified: false,
      why: expect.stringContaining(`it lets in tcp/22 from ::/0 through rule 10 (allow tcp/22 from ::/0)`),
    });
  });

  it('verifies a deleted ACL: nothing is left to fix', () => {
    expect(
      verifyRemediation(planned, EC2_21, { kind: 'gone', resourceId: NETWORK_ACL_ID, detail: 'gone' }),
    ).toEqual({
      verified: true,
    });
  });
});
