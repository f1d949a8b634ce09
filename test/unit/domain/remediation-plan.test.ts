import { describe, expect, it } from 'vitest';
import { CONTROL_CATALOG } from '../../../src/domain/control-catalog.js';
import type { CurrentResource } from '../../../src/domain/current-resource.js';
import { planRemediation, verifyRemediation } from '../../../src/domain/remediation-plan.js';
import type { SecurityGroupRule } from '../../../src/domain/security-group-rule.js';
import { makeFinding, makeRule } from '../../fixtures/finding.js';

const OPTIONS = { imdsHopLimit: 1 };
const EC2_13 = CONTROL_CATALOG['EC2.13'];
const EC2_19 = CONTROL_CATALOG['EC2.19'];
const EC2_2 = CONTROL_CATALOG['EC2.2'];

function group(rules: SecurityGroupRule[], groupName = 'web-prod'): CurrentResource {
  return { kind: 'security-group', groupId: 'sg-0abc1234def567890', groupName, ingressRules: rules, reach: { kind: 'unknown', reason: 'not checked' } };
}

let ruleCounter = 0;
function rule(overrides: Partial<SecurityGroupRule>): SecurityGroupRule {
  ruleCounter += 1;
  return makeRule({ ruleId: `sgr-0a1b2c3d4e5f6${String(ruleCounter).padStart(4, '0')}`, ...overrides });
}

const ipv6World = { kind: 'ipv6', cidr: '::/0' } as const;

describe('planRemediation for security groups', () => {
  it.each([
    ['a single port 22 from 0.0.0.0/0', rule({}), 'tcp/22 from 0.0.0.0/0'],
    ['a range 20-25 that contains 22', rule({ fromPort: 20, toPort: 25 }), 'tcp/20-25 from 0.0.0.0/0'],
    ['all TCP 0-65535', rule({ fromPort: 0, toPort: 65535 }), 'tcp/0-65535 from 0.0.0.0/0'],
    ['all traffic (protocol -1)', rule({ protocol: '-1', fromPort: -1, toPort: -1 }), 'all traffic from 0.0.0.0/0'],
    ['SSH from ::/0', rule({ source: ipv6World }), 'tcp/22 from ::/0'],
    ['all traffic from ::/0', rule({ protocol: '-1', fromPort: -1, toPort: -1, source: ipv6World }), 'all traffic from ::/0'],
  ])('revokes %s by its rule id', (_case, open, words) => {
    const outcome = planRemediation(makeFinding(), EC2_13, group([open]), OPTIONS);

    expect(outcome).toMatchObject({ kind: 'plan', plan: { kind: 'revoke-ingress', groupId: 'sg-0abc1234def567890', revocations: [{ ruleId: open.ruleId, words }] } });
  });

  it('revokes only the open rules of a mixed group and says it in words', () => {
    const ssh = rule({});
    const allV6 = rule({ protocol: '-1', fromPort: -1, toPort: -1, source: ipv6World });
    const https = rule({ fromPort: 443, toPort: 443 });
    const office = rule({ source: { kind: 'ipv4', cidr: '203.0.113.0/24' } });
    const peers = rule({ source: { kind: 'security-group', groupId: 'sg-0peer000000000001', userId: '111122223333' } });
    const prefixList = rule({ source: { kind: 'prefix-list', prefixListId: 'pl-63a5400a' } });

    const outcome = planRemediation(makeFinding(), EC2_13, group([ssh, https, office, allV6, peers, prefixList]), OPTIONS);

    expect(outcome.kind).toBe('plan');
    if (outcome.kind !== 'plan' || outcome.plan.kind !== 'revoke-ingress') return;
    expect(outcome.plan.revocations.map((revocation) => revocation.ruleId)).toEqual([ssh.ruleId, allV6.ruleId]);
    expect(outcome.words).toBe('Revoke tcp/22 from 0.0.0.0/0 and all traffic from ::/0 on sg-0abc1234def567890 (web-prod) in 111122223333/ap-northeast-1');
  });

  it('never plans to touch a rule that references a group or a prefix list, or a restricted CIDR', () => {
    const restricted = [
      rule({ source: { kind: 'security-group', groupId: 'sg-0peer000000000001' } }),
      rule({ source: { kind: 'prefix-list', prefixListId: 'pl-63a5400a' } }),
      rule({ source: { kind: 'ipv4', cidr: '10.0.0.0/8' } }),
    ];

    expect(planRemediation(makeFinding(), EC2_13, group(restricted), OPTIONS)).toEqual({
      kind: 'already-fixed',
      words: 'sg-0abc1234def567890 (web-prod) in 111122223333/ap-northeast-1 has no rule open to the internet any more',
    });
  });

  it('reports EC2.2 group references as kept, not revoked, and warns the control may still fail', () => {
    const world = rule({ protocol: '-1', fromPort: -1, toPort: -1 });
    const self = rule({ protocol: '-1', fromPort: -1, toPort: -1, source: { kind: 'security-group', groupId: 'sg-0abc1234def567890' } });

    const outcome = planRemediation(makeFinding({ controlId: 'EC2.2' }), EC2_2, group([world, self], 'default'), OPTIONS);

    expect(outcome).toMatchObject({ kind: 'plan', plan: { revocations: [{ ruleId: world.ruleId }] } });
    expect(outcome.kind === 'plan' && outcome.notes[0]).toContain('EC2.2 may still fail');
  });

  it('says an EC2.2 group with only group references is not something the bot changes', () => {
    const self = rule({ protocol: '-1', fromPort: -1, toPort: -1, source: { kind: 'security-group', groupId: 'sg-0abc1234def567890' } });

    expect(planRemediation(makeFinding({ controlId: 'EC2.2' }), EC2_2, group([self], 'default'), OPTIONS).kind).toBe('not-remediable');
  });

  it('uses the control ports: MySQL 3306 open counts for EC2.19, not for EC2.13', () => {
    const mysql = rule({ fromPort: 3306, toPort: 3306 });

    expect(planRemediation(makeFinding(), EC2_19, group([mysql]), OPTIONS).kind).toBe('plan');
    expect(planRemediation(makeFinding(), EC2_13, group([mysql]), OPTIONS).kind).toBe('already-fixed');
  });

  it('says a deleted group is already fixed', () => {
    expect(planRemediation(makeFinding(), EC2_13, { kind: 'gone', resourceId: 'sg-0abc1234def567890', detail: 'InvalidGroup.NotFound' }, OPTIONS).kind).toBe('already-fixed');
  });
});

describe('planRemediation for IMDSv2', () => {
  const EC2_8 = CONTROL_CATALOG['EC2.8'];
  const instanceFinding = makeFinding({ controlId: 'EC2.8' });

  it('plans HttpTokens=required with hop limit 1 on an instance that allows IMDSv1', () => {
    const outcome = planRemediation(instanceFinding, EC2_8, { kind: 'instance', instanceId: 'i-0a1b2c3d4e5f60001', httpTokens: 'optional', httpPutResponseHopLimit: 1 }, OPTIONS);

    expect(outcome).toMatchObject({ kind: 'plan', plan: { kind: 'require-imdsv2-instance', instanceId: 'i-0a1b2c3d4e5f60001', httpPutResponseHopLimit: 1 } });
    expect(outcome.kind === 'plan' && outcome.words).toBe('Require IMDSv2 (HttpTokens=required, hop limit 1) on i-0a1b2c3d4e5f60001 in 111122223333/ap-northeast-1');
  });

  it('warns when the hop limit goes down from 2, which containers may need', () => {
    const outcome = planRemediation(instanceFinding, EC2_8, { kind: 'instance', instanceId: 'i-0a1b2c3d4e5f60001', httpTokens: 'optional', httpPutResponseHopLimit: 2 }, OPTIONS);

    expect(outcome.kind === 'plan' && outcome.notes.join(' ')).toContain('from 2 to 1');
  });

  it('keeps a configured hop limit of 2', () => {
    const outcome = planRemediation(instanceFinding, EC2_8, { kind: 'instance', instanceId: 'i-0a1b2c3d4e5f60001', httpTokens: 'optional', httpPutResponseHopLimit: 2 }, { imdsHopLimit: 2 });

    expect(outcome).toMatchObject({ plan: { httpPutResponseHopLimit: 2 }, notes: [expect.stringContaining('IMDSv1')] });
  });

  it('does nothing to an instance that already requires IMDSv2', () => {
    expect(planRemediation(instanceFinding, EC2_8, { kind: 'instance', instanceId: 'i-0a1b2c3d4e5f60001', httpTokens: 'required' }, OPTIONS).kind).toBe('already-fixed');
  });

  it('plans a new default launch template version and re-points pinned groups', () => {
    const outcome = planRemediation(makeFinding({ controlId: 'AutoScaling.3' }), CONTROL_CATALOG['AutoScaling.3'], {
      kind: 'launch-template',
      template: { launchTemplateId: 'lt-0a1b2c3d4e5f60001', launchTemplateName: 'web', version: 4, httpTokens: 'optional', followingGroups: ['web-asg'], pinnedGroups: ['web-canary'] },
    }, OPTIONS);

    expect(outcome).toMatchObject({ kind: 'plan', plan: { kind: 'require-imdsv2-launch-template', sourceVersion: 4, pinnedGroups: ['web-canary'] } });
    expect(outcome.kind === 'plan' && outcome.notes[0]).toContain('instance refresh');
  });

  it('explains that a launch configuration in use cannot be changed', () => {
    const outcome = planRemediation(makeFinding({ controlId: 'AutoScaling.3' }), CONTROL_CATALOG['AutoScaling.3'], { kind: 'launch-configuration', launchConfigurationName: 'legacy-lc', httpTokens: 'optional', usedBy: ['legacy-asg'] }, OPTIONS);

    expect(outcome).toMatchObject({ kind: 'not-remediable', reason: expect.stringContaining('launch template') });
  });
});

describe('verifyRemediation', () => {
  const open = rule({});
  const plan = planRemediation(makeFinding(), EC2_13, group([open]), OPTIONS);
  if (plan.kind !== 'plan') throw new Error('expected a plan');

  it('verifies only when the revoked rules are gone and nothing else is open', () => {
    expect(verifyRemediation(plan.plan, EC2_13, group([]))).toEqual({ verified: true });
    expect(verifyRemediation(plan.plan, EC2_13, group([open]))).toMatchObject({ verified: false, why: expect.stringContaining('still present') });
    expect(verifyRemediation(plan.plan, EC2_13, group([rule({ source: ipv6World })]))).toMatchObject({ verified: false, why: expect.stringContaining('open to the internet now') });
  });
});
