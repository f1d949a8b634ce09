import { describe, expect, it } from 'vitest';
import { CONTROL_CATALOG } from '../../../src/domain/control-catalog.js';
import type {
  CurrentResource,
  LaunchTemplateUser,
  LaunchTemplateVersionOptions,
} from '../../../src/domain/current-resource.js';
import { planRemediation, verifyRemediation } from '../../../src/domain/remediation-plan.js';
import type { SecurityGroupRule } from '../../../src/domain/security-group-rule.js';
import { makeFinding, makeRule } from '../../fixtures/finding.js';

const OPTIONS = { imdsHopLimit: 1 };
const EC2_13 = CONTROL_CATALOG['EC2.13'];
const EC2_19 = CONTROL_CATALOG['EC2.19'];
const EC2_2 = CONTROL_CATALOG['EC2.2'];

function group(rules: SecurityGroupRule[], groupName = 'web-prod'): CurrentResource {
  return {
    kind: 'security-group',
    groupId: 'sg-0abc1234def567890',
    groupName,
    ingressRules: rules,
    reach: { kind: 'unknown', reason: 'not checked' },
  };
}

let ruleCounter = 0;
function rule(overrides: Partial<SecurityGroupRule>): SecurityGroupRule {
  ruleCounter += 1;
  return makeRule({ ruleId: `sgr-0a1b2c3d4e5f6${String(ruleCounter).padStart(4, '0')}`, ...overrides });
}

const ipv6World = { kind: 'ipv6', cidr: '::/0' } as const;

describe('planRemediation for security groups (revoke-exposed-ingress)', () => {
  it.each([
    ['a single port 22 from 0.0.0.0/0', rule({}), 'tcp/22 from 0.0.0.0/0'],
    ['a range 20-25 that contains 22', rule({ fromPort: 20, toPort: 25 }), 'tcp/20-25 from 0.0.0.0/0'],
    ['all TCP 0-65535', rule({ fromPort: 0, toPort: 65535 }), 'tcp/0-65535 from 0.0.0.0/0'],
    [
      'all traffic (protocol -1)',
      rule({ protocol: '-1', fromPort: -1, toPort: -1 }),
      'all traffic from 0.0.0.0/0',
    ],
    ['SSH from ::/0', rule({ source: ipv6World }), 'tcp/22 from ::/0'],
    [
      'all traffic from ::/0',
      rule({ protocol: '-1', fromPort: -1, toPort: -1, source: ipv6World }),
      'all traffic from ::/0',
    ],
  ])('revokes %s by its rule id', (_case, open, words) => {
    const outcome = planRemediation(makeFinding(), EC2_13, group([open]), OPTIONS);

    expect(outcome).toMatchObject({
      kind: 'plan',
      plan: {
        kind: 'revoke-ingress',
        groupId: 'sg-0abc1234def567890',
        revocations: [{ ruleId: open.ruleId, words }],
      },
    });
  });

  it('revokes only the open rules of a mixed group and says it in words', () => {
    const ssh = rule({});
    const allV6 = rule({ protocol: '-1', fromPort: -1, toPort: -1, source: ipv6World });
    const https = rule({ fromPort: 443, toPort: 443 });
    const office = rule({ source: { kind: 'ipv4', cidr: '203.0.113.0/24' } });
    const peers = rule({
      source: { kind: 'security-group', groupId: 'sg-0peer000000000001', userId: '111122223333' },
    });
    const prefixList = rule({ source: { kind: 'prefix-list', prefixListId: 'pl-63a5400a' } });

    const outcome = planRemediation(
      makeFinding(),
      EC2_13,
      group([ssh, https, office, allV6, peers, prefixList]),
      OPTIONS,
    );

    expect(outcome.kind).toBe('plan');
    if (outcome.kind !== 'plan' || outcome.plan.kind !== 'revoke-ingress') return;
    expect(outcome.plan.revocations.map((revocation) => revocation.ruleId)).toEqual([
      ssh.ruleId,
      allV6.ruleId,
    ]);
    expect(outcome.words).toBe(
      'Revoke tcp/22 from 0.0.0.0/0 and all traffic from ::/0 on sg-0abc1234def567890 (web-prod) in 111122223333/ap-northeast-1',
    );
  });

  it('never plans to touch a rule that references a group or a prefix list, or a restricted CIDR', () => {
    const restricted = [
      rule({ source: { kind: 'security-group', groupId: 'sg-0peer000000000001' } }),
      rule({ source: { kind: 'prefix-list', prefixListId: 'pl-63a5400a' } }),
      rule({ source: { kind: 'ipv4', cidr: '10.0.0.0/8' } }),
    ];

    expect(planRemediation(makeFinding(), EC2_13, group(restricted), OPTIONS)).toEqual({
      kind: 'already-fixed',
      words:
        'sg-0abc1234def567890 (web-prod) in 111122223333/ap-northeast-1 has no rule open to the internet any more',
    });
  });

  it('uses the control ports: MySQL 3306 open counts for EC2.19, not for EC2.13', () => {
    const mysql = rule({ fromPort: 3306, toPort: 3306 });

    expect(planRemediation(makeFinding(), EC2_19, group([mysql]), OPTIONS).kind).toBe('plan');
    expect(planRemediation(makeFinding(), EC2_13, group([mysql]), OPTIONS).kind).toBe('already-fixed');
  });

  it('says a deleted group is already fixed', () => {
    expect(
      planRemediation(
        makeFinding(),
        EC2_13,
        { kind: 'gone', resourceId: 'sg-0abc1234def567890', detail: 'InvalidGroup.NotFound' },
        OPTIONS,
      ).kind,
    ).toBe('already-fixed');
  });
});

describe('planRemediation for the EC2.2 default security group (empty-default-group)', () => {
  const finding = makeFinding({ controlId: 'EC2.2' });
  const self = rule({
    protocol: '-1',
    fromPort: -1,
    toPort: -1,
    source: { kind: 'security-group', groupId: 'sg-0abc1234def567890' },
  });
  const office = rule({ fromPort: 443, toPort: 443, source: { kind: 'ipv4', cidr: '10.0.0.0/8' } });
  const egressV4 = rule({ isEgress: true, protocol: '-1', fromPort: -1, toPort: -1 });
  const egressV6 = rule({ isEgress: true, protocol: '-1', fromPort: -1, toPort: -1, source: ipv6World });

  function defaultGroup(
    overrides: Partial<Extract<CurrentResource, { kind: 'security-group' }>> = {},
  ): CurrentResource {
    return {
      ...(group([self, office], 'default') as Extract<CurrentResource, { kind: 'security-group' }>),
      egressRules: [egressV4, egressV6],
      interfaces: [],
      ...overrides,
    };
  }

  it('removes every inbound and outbound rule, the self-reference and restricted ones included', () => {
    const outcome = planRemediation(finding, EC2_2, defaultGroup(), OPTIONS);

    expect(outcome).toEqual({
      kind: 'plan',
      plan: {
        kind: 'empty-default-group',
        accountId: '111122223333',
        region: 'ap-northeast-1',
        groupId: 'sg-0abc1234def567890',
        groupName: 'default',
        ingress: [
          { ruleId: self.ruleId, words: 'inbound all traffic from sg-0abc1234def567890' },
          { ruleId: office.ruleId, words: 'inbound tcp/443 from 10.0.0.0/8' },
        ],
        egress: [
          { ruleId: egressV4.ruleId, words: 'outbound all traffic to 0.0.0.0/0' },
          { ruleId: egressV6.ruleId, words: 'outbound all traffic to ::/0' },
        ],
        interfacesInUse: [],
      },
      words:
        'Remove every rule of the default security group sg-0abc1234def567890 (default) in 111122223333/ap-northeast-1: ' +
        'inbound all traffic from sg-0abc1234def567890, inbound tcp/443 from 10.0.0.0/8, outbound all traffic to 0.0.0.0/0 and outbound all traffic to ::/0',
      notes: [expect.stringContaining('Nothing stops working today: no network interface uses this group')],
    });
  });

  it('asks for an explicit confirmation of the group when network interfaces use it, naming them', () => {
    const outcome = planRemediation(
      finding,
      EC2_2,
      defaultGroup({
        interfaces: [
          { networkInterfaceId: 'eni-0a1b2c3d4e5f60001', attachedTo: 'i-0a1b2c3d4e5f60001' },
          { networkInterfaceId: 'eni-0a1b2c3d4e5f60002' },
        ],
      }),
      OPTIONS,
    );

    expect(outcome.kind).toBe('plan');
    if (outcome.kind !== 'plan' || outcome.plan.kind !== 'empty-default-group') return;
    expect(outcome.plan.interfacesInUse).toEqual(['eni-0a1b2c3d4e5f60001', 'eni-0a1b2c3d4e5f60002']);
    expect(outcome.confirmation).toEqual({
      groupId: 'sg-0abc1234def567890',
      words: expect.stringContaining(
        '2 network interface(s) use sg-0abc1234def567890 (default): eni-0a1b2c3d4e5f60001 (i-0a1b2c3d4e5f60001) and eni-0a1b2c3d4e5f60002',
      ),
    });
  });

  it('says a default group without any rule is fixed, and one with only egress rules is not', () => {
    expect(
      planRemediation(finding, EC2_2, defaultGroup({ ingressRules: [], egressRules: [] }), OPTIONS).kind,
    ).toBe('already-fixed');
    expect(planRemediation(finding, EC2_2, defaultGroup({ ingressRules: [] }), OPTIONS)).toMatchObject({
      kind: 'plan',
      plan: { ingress: [], egress: [{ ruleId: egressV4.ruleId }, { ruleId: egressV6.ruleId }] },
    });
  });

  it('touches no group that is not a default group', () => {
    expect(planRemediation(finding, EC2_2, defaultGroup({ groupName: 'web-prod' }), OPTIONS)).toMatchObject({
      kind: 'not-remediable',
      reason: expect.stringContaining('not a VPC default security group'),
    });
  });
});

describe('planRemediation for IMDSv2 on instances (require-imdsv2-instance)', () => {
  const EC2_8 = CONTROL_CATALOG['EC2.8'];
  const instanceFinding = makeFinding({ controlId: 'EC2.8' });
  const instance = (hop?: number): CurrentResource => ({
    kind: 'instance',
    instanceId: 'i-0a1b2c3d4e5f60001',
    httpTokens: 'optional',
    ...(hop !== undefined && { httpPutResponseHopLimit: hop }),
  });

  it('plans HttpTokens=required and keeps hop limit 1', () => {
    const outcome = planRemediation(instanceFinding, EC2_8, instance(1), OPTIONS);

    expect(outcome).toMatchObject({
      kind: 'plan',
      plan: {
        kind: 'require-imdsv2-instance',
        instanceId: 'i-0a1b2c3d4e5f60001',
        httpPutResponseHopLimit: 1,
        hopLimitBefore: 1,
      },
    });
    expect(outcome.kind === 'plan' && outcome.words).toBe(
      'Require IMDSv2 (HttpTokens=required, hop limit 1 (unchanged)) on i-0a1b2c3d4e5f60001 in 111122223333/ap-northeast-1; the metadata endpoint and every other option stay as they are',
    );
  });

  it.each([
    ['the default hop limit (not set by the operator)', { imdsHopLimit: 1 }, 2, 'hop limit 2 (unchanged)'],
    [
      'auto-remediation, even with the operator’s 1',
      { imdsHopLimit: 1, imdsHopLimitSetByOperator: true, automatic: true },
      2,
      'hop limit 2 (unchanged)',
    ],
    [
      'a person, with the operator’s explicit 1',
      { imdsHopLimit: 1, imdsHopLimitSetByOperator: true },
      1,
      'hop limit 2 → 1',
    ],
  ] as const)(
    'with %s, lowers a hop limit of 2 only when the operator set the lower one',
    (_case, options, after, words) => {
      const outcome = planRemediation(instanceFinding, EC2_8, instance(2), options);

      expect(outcome).toMatchObject({
        kind: 'plan',
        plan: { httpPutResponseHopLimit: after, hopLimitBefore: 2 },
        words: expect.stringContaining(words),
      });
      const warned =
        outcome.kind === 'plan' && outcome.notes.some((note) => note.includes('goes down from 2 to 1'));
      expect(warned).toBe(after === 1);
    },
  );

  it('raises a hop limit to the configured one', () => {
    expect(
      planRemediation(instanceFinding, EC2_8, instance(1), {
        imdsHopLimit: 2,
        imdsHopLimitSetByOperator: true,
      }),
    ).toMatchObject({
      plan: { httpPutResponseHopLimit: 2, hopLimitBefore: 1 },
      words: expect.stringContaining('hop limit 1 → 2'),
    });
  });

  it('does nothing to an instance that already requires IMDSv2', () => {
    expect(
      planRemediation(
        instanceFinding,
        EC2_8,
        { kind: 'instance', instanceId: 'i-0a1b2c3d4e5f60001', httpTokens: 'required' },
        OPTIONS,
      ).kind,
    ).toBe('already-fixed');
  });
});

describe('planRemediation for launch configurations', () => {
  const finding = makeFinding({ controlId: 'AutoScaling.3' });
  const AUTOSCALING_3 = CONTROL_CATALOG['AutoScaling.3'];

  it('says an unused one is unused, never fixed, while it still allows IMDSv1', () => {
    const outcome = planRemediation(
      finding,
      AUTOSCALING_3,
      {
        kind: 'launch-configuration',
        launchConfigurationName: 'legacy-lc',
        httpTokens: 'optional',
        usedBy: [],
      },
      OPTIONS,
    );

    expect(outcome.kind).toBe('not-remediable');
    expect(outcome.kind === 'not-remediable' && outcome.reason).toContain(
      'No Auto Scaling group uses legacy-lc; delete it or ignore it.',
    );
  });
});

describe('planRemediation for launch templates (require-imdsv2-launch-template)', () => {
  const finding = makeFinding({ controlId: 'AutoScaling.3' });
  const AUTOSCALING_3 = CONTROL_CATALOG['AutoScaling.3'];
  const LT = 'lt-0a1b2c3d4e5f60001';

  function version(
    number: number,
    options: Partial<LaunchTemplateVersionOptions> = {},
  ): LaunchTemplateVersionOptions {
    return {
      version: number,
      httpTokens: 'optional',
      httpPutResponseHopLimit: 1,
      httpEndpoint: 'enabled',
      ...options,
    };
  }

  function user(
    groupName: string,
    versionSpec: string,
    runs: number,
    mixedInstancesPolicy = false,
  ): LaunchTemplateUser {
    return { groupName, versionSpec, runs, mixedInstancesPolicy };
  }

  function template(
    findingGroup: string,
    users: LaunchTemplateUser[],
    versions: LaunchTemplateVersionOptions[],
    defaultVersion = 1,
    latestVersion = 2,
  ): CurrentResource {
    return {
      kind: 'launch-template',
      template: {
        launchTemplateId: LT,
        launchTemplateName: 'web',
        defaultVersion,
        latestVersion,
        findingGroup,
        users,
        versions,
      },
    };
  }

  // $Default = 1, $Latest = 2; web-asg (the finding's) follows $Default and runs 1.
  const defaultFollowers = template(
    'web-asg',
    [
      user('web-asg', '$Default', 1),
      user('batch-asg', '$Latest', 2),
      user('canary-asg', '1', 1),
      user('spot-asg', '1', 1, true),
      user('old-asg', '2', 2),
    ],
    [version(1), version(2)],
  );

  it('copies the version the finding’s group runs, makes it default, pins $Latest groups, re-points groups on that version', () => {
    const outcome = planRemediation(finding, AUTOSCALING_3, defaultFollowers, OPTIONS);

    expect(outcome).toMatchObject({
      kind: 'plan',
      plan: {
        kind: 'require-imdsv2-launch-template',
        launchTemplateId: LT,
        sourceVersion: 1,
        makeDefault: true,
        groups: [
          {
            groupName: 'web-asg',
            versionBefore: '$Default',
            runs: 1,
            change: 'follows-new',
            mixedInstancesPolicy: false,
          },
          {
            groupName: 'batch-asg',
            versionBefore: '$Latest',
            runs: 2,
            change: 'pin',
            mixedInstancesPolicy: false,
          },
          {
            groupName: 'canary-asg',
            versionBefore: '1',
            runs: 1,
            change: 'point-to-new',
            mixedInstancesPolicy: false,
          },
          {
            groupName: 'spot-asg',
            versionBefore: '1',
            runs: 1,
            change: 'point-to-new',
            mixedInstancesPolicy: true,
          },
          {
            groupName: 'old-asg',
            versionBefore: '2',
            runs: 2,
            change: 'unchanged',
            mixedInstancesPolicy: false,
          },
        ],
      },
    });
    expect(outcome.kind === 'plan' && outcome.words).toBe(
      `Create a new version of ${LT} (web) in 111122223333/ap-northeast-1, a copy of version 1 with IMDSv2 required (hop limit 1 (unchanged); kept as they are: metadata endpoint enabled), and make it the default version. ` +
        'Auto Scaling groups: web-asg: $Default (version 1) → $Default = the new version (copy of 1 with IMDSv2 required); ' +
        'batch-asg: $Latest → pinned to 2 (what it runs today; unchanged); ' +
        'canary-asg: version 1 → the new version (copy of 1 with IMDSv2 required); ' +
        'spot-asg: version 1 → the new version (copy of 1 with IMDSv2 required); ' +
        'old-asg: version 2 (unchanged)',
    );
    expect(outcome.kind === 'plan' && outcome.notes.at(-1)).toBe(
      'Running instances of web-asg, canary-asg and spot-asg keep IMDSv1 until they are replaced (start an instance refresh to roll them now).',
    );
  });

  it('keeps $Default where the finding’s group is pinned: groups on $Default that run the same version are re-pointed by number', () => {
    const outcome = planRemediation(
      finding,
      AUTOSCALING_3,
      template(
        'web-asg',
        [user('web-asg', '3', 3), user('api-asg', '$Default', 3), user('batch-asg', '$Latest', 5)],
        [version(3), version(5)],
        3,
        5,
      ),
      OPTIONS,
    );

    expect(outcome).toMatchObject({
      plan: {
        makeDefault: false,
        groups: [
          { groupName: 'web-asg', change: 'point-to-new' },
          { groupName: 'api-asg', change: 'point-to-new' },
          { groupName: 'batch-asg', change: 'pin', runs: 5 },
        ],
      },
      words: expect.stringContaining('(the default stays version 3)'),
    });
  });

  it('lets a $Latest group that ran the fixed version follow $Latest to the copy, and leaves $Default groups on another version alone', () => {
    const outcome = planRemediation(
      finding,
      AUTOSCALING_3,
      template(
        'web-asg',
        [user('web-asg', '$Latest', 5), user('api-asg', '$Default', 3)],
        [version(3), version(5)],
        3,
        5,
      ),
      OPTIONS,
    );

    expect(outcome).toMatchObject({
      plan: {
        sourceVersion: 5,
        makeDefault: false,
        groups: [
          { groupName: 'web-asg', change: 'follows-new' },
          { groupName: 'api-asg', change: 'unchanged' },
        ],
      },
    });
  });

  it('keeps every metadata option of the source version and never lowers its hop limit of 2', () => {
    const source = version(1, {
      httpEndpoint: 'disabled',
      httpProtocolIpv6: 'enabled',
      instanceMetadataTags: 'enabled',
      httpPutResponseHopLimit: 2,
    });

    const outcome = planRemediation(
      finding,
      AUTOSCALING_3,
      template('web-asg', [user('web-asg', '$Default', 1)], [source]),
      OPTIONS,
    );

    expect(outcome).toMatchObject({
      plan: {
        httpPutResponseHopLimit: 2,
        hopLimitBefore: 2,
        keptMetadataOptions: {
          httpEndpoint: 'disabled',
          httpProtocolIpv6: 'enabled',
          instanceMetadataTags: 'enabled',
        },
      },
      words: expect.stringContaining(
        'hop limit 2 (unchanged); kept as they are: metadata endpoint disabled, IPv6 endpoint enabled, tags in metadata enabled',
      ),
    });
  });

  it('says a group whose version already requires IMDSv2 is fixed', () => {
    expect(
      planRemediation(
        finding,
        AUTOSCALING_3,
        template('web-asg', [user('web-asg', '$Default', 1)], [version(1, { httpTokens: 'required' })]),
        OPTIONS,
      ).kind,
    ).toBe('already-fixed');
  });
});

describe('verifyRemediation', () => {
  const open = rule({});
  const plan = planRemediation(makeFinding(), EC2_13, group([open]), OPTIONS);
  if (plan.kind !== 'plan') throw new Error('expected a plan');

  it('verifies only when the revoked rules are gone and nothing else is open', () => {
    expect(verifyRemediation(plan.plan, EC2_13, group([]))).toEqual({ verified: true });
    expect(verifyRemediation(plan.plan, EC2_13, group([open]))).toMatchObject({
      verified: false,
      why: expect.stringContaining('still present'),
    });
    expect(verifyRemediation(plan.plan, EC2_13, group([rule({ source: ipv6World })]))).toMatchObject({
      verified: false,
      why: expect.stringContaining('EC2.13 would still fail: open to the internet'),
    });
  });

  it('verifies EC2.2 only when the default group has no rule left in either direction', () => {
    const self = rule({
      protocol: '-1',
      fromPort: -1,
      toPort: -1,
      source: { kind: 'security-group', groupId: 'sg-0abc1234def567890' },
    });
    const egress = rule({ isEgress: true, protocol: '-1', fromPort: -1, toPort: -1 });
    const before: CurrentResource = {
      ...(group([self], 'default') as Extract<CurrentResource, { kind: 'security-group' }>),
      egressRules: [egress],
      interfaces: [],
    };
    const planned = planRemediation(makeFinding({ controlId: 'EC2.2' }), EC2_2, before, OPTIONS);
    if (planned.kind !== 'plan') throw new Error('expected a plan');

    const leftEgress: CurrentResource = {
      ...(group([], 'default') as Extract<CurrentResource, { kind: 'security-group' }>),
      egressRules: [egress],
    };
    const empty: CurrentResource = {
      ...(group([], 'default') as Extract<CurrentResource, { kind: 'security-group' }>),
      egressRules: [],
    };

    expect(verifyRemediation(planned.plan, EC2_2, leftEgress)).toEqual({
      verified: false,
      why: 'EC2.2 would still fail: the default group still has 1 rule(s): outbound all traffic to 0.0.0.0/0',
    });
    expect(verifyRemediation(planned.plan, EC2_2, empty)).toEqual({ verified: true });
  });

  describe('launch templates', () => {
    const AUTOSCALING_3 = CONTROL_CATALOG['AutoScaling.3'];
    const users = (web: number, batch: number): LaunchTemplateUser[] => [
      { groupName: 'web-asg', versionSpec: '$Default', runs: web, mixedInstancesPolicy: false },
      {
        groupName: 'batch-asg',
        versionSpec: batch === 2 ? '2' : '$Latest',
        runs: batch,
        mixedInstancesPolicy: false,
      },
    ];
    const versions = [
      { version: 1, httpTokens: 'optional', httpPutResponseHopLimit: 1 },
      { version: 2, httpTokens: 'optional', httpPutResponseHopLimit: 1 },
      { version: 3, httpTokens: 'required', httpPutResponseHopLimit: 1 },
    ] as const;
    const read = (
      web: number,
      batch: number,
      list: readonly LaunchTemplateVersionOptions[] = versions,
    ): CurrentResource => ({
      kind: 'launch-template',
      template: {
        launchTemplateId: 'lt-0a1b2c3d4e5f60001',
        defaultVersion: web,
        latestVersion: 3,
        findingGroup: 'web-asg',
        users: users(web, batch),
        versions: list,
      },
    });
    const planned = planRemediation(
      makeFinding({ controlId: 'AutoScaling.3' }),
      AUTOSCALING_3,
      {
        kind: 'launch-template',
        template: {
          launchTemplateId: 'lt-0a1b2c3d4e5f60001',
          defaultVersion: 1,
          latestVersion: 2,
          findingGroup: 'web-asg',
          users: [
            users(1, 2)[0]!,
            { groupName: 'batch-asg', versionSpec: '$Latest', runs: 2, mixedInstancesPolicy: false },
          ],
          versions: versions.slice(0, 2),
        },
      },
      OPTIONS,
    );
    if (planned.kind !== 'plan') throw new Error('expected a plan');

    it('verifies when the finding’s group runs a version requiring IMDSv2 and the pinned group still runs its own', () => {
      expect(verifyRemediation(planned.plan, AUTOSCALING_3, read(3, 2))).toEqual({ verified: true });
    });

    it('fails when a group that was to stay put now runs another version', () => {
      expect(verifyRemediation(planned.plan, AUTOSCALING_3, read(3, 3))).toEqual({
        verified: false,
        why: 'batch-asg now runs version 3 instead of 2',
      });
    });

    it('fails when the finding’s group still launches a version that allows IMDSv1', () => {
      expect(verifyRemediation(planned.plan, AUTOSCALING_3, read(1, 2))).toEqual({
        verified: false,
        why: 'web-asg launches version 1, which allows IMDSv1',
      });
    });
  });
});
