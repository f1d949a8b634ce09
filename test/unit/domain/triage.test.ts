import { describe, expect, it } from 'vitest';
import type { ControlId } from '../../../src/domain/control-catalog.js';
import { CONTROL_CATALOG } from '../../../src/domain/control-catalog.js';
import type { Finding } from '../../../src/domain/finding.js';
import type { NetworkReach } from '../../../src/domain/reachability.js';
import type { SecurityGroupRule } from '../../../src/domain/security-group-rule.js';
import type { Severity } from '../../../src/domain/severity.js';
import { isStillExposed, triage } from '../../../src/domain/triage.js';
import { ACCOUNT, REGION, makeFinding, makeRule } from '../../fixtures/finding.js';

const GROUP_ID = 'sg-0abc1234def567890';
const V6 = { kind: 'ipv6', cidr: '::/0' } as const;
const PRIVATE_V4 = { kind: 'ipv4', cidr: '10.0.0.0/8' } as const;
const PEER_GROUP = { kind: 'security-group', groupId: 'sg-0peer000000000001' } as const;

const webInterface = {
  networkInterfaceId: 'eni-0web0000000000001',
  subnetId: 'subnet-0public00000000001',
  vpcId: 'vpc-0a1b2c3d4e5f67890',
  publicIp: '203.0.113.10',
  ipv6Addresses: [],
};
const INTERNET: NetworkReach = { kind: 'internet', via: [webInterface] };
const PRIVATE: NetworkReach = { kind: 'private', attachments: 2 };
const UNATTACHED: NetworkReach = { kind: 'unattached' };
const UNKNOWN: NetworkReach = { kind: 'unknown', reason: 'no route table found for subnet subnet-0x' };

/** A finding details rule: what ASFF carries, without a rule id. */
function detailsRule(overrides: Partial<SecurityGroupRule> = {}): SecurityGroupRule {
  const { ruleId: _ruleId, ...rule } = makeRule(overrides);
  void _ruleId;
  return rule;
}

function groupFinding(
  controlId: string,
  ingressRules: readonly SecurityGroupRule[],
  overrides: Partial<Finding> = {},
): Finding {
  return makeFinding({
    controlId,
    generatorId: `security-control/${controlId}`,
    details: { kind: 'security-group', groupId: GROUP_ID, groupName: 'web-prod', ingressRules },
    ...overrides,
  });
}

function instanceFinding(httpTokens?: 'required' | 'optional', overrides: Partial<Finding> = {}): Finding {
  const instanceId = 'i-0abc1234def567890';
  return makeFinding({
    controlId: 'EC2.8',
    generatorId: 'security-control/EC2.8',
    title: CONTROL_CATALOG['EC2.8'].title,
    resource: {
      type: 'AwsEc2Instance',
      id: `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/${instanceId}`,
      shortId: instanceId,
      region: REGION,
      partition: 'aws',
    },
    details: httpTokens ? { kind: 'instance', instanceId, httpTokens } : { kind: 'instance', instanceId },
    ...overrides,
  });
}

function launchConfigurationFinding(overrides: Partial<Finding> = {}): Finding {
  return makeFinding({
    controlId: 'AutoScaling.3',
    generatorId: 'security-control/AutoScaling.3',
    title: CONTROL_CATALOG['AutoScaling.3'].title,
    resource: {
      type: 'AwsAutoScalingLaunchConfiguration',
      id: `arn:aws:autoscaling:${REGION}:${ACCOUNT}:launchConfiguration:0a1b2c3d:launchConfigurationName/web-lc`,
      shortId: 'web-lc',
      region: REGION,
      partition: 'aws',
    },
    details: { kind: 'none' },
    ...overrides,
  });
}

/** A finding from a product that is not a Security Hub control (no `Compliance.SecurityControlId`). */
function findingWithoutControl(): Finding {
  const { controlId: _controlId, ...finding } = makeFinding();
  void _controlId;
  return finding;
}

describe('triage', () => {
  describe('for security group controls', () => {
    it.each([
      ['EC2.2', detailsRule({ protocol: '-1', fromPort: -1, toPort: -1, source: PEER_GROUP })],
      ['EC2.13', detailsRule()],
      ['EC2.14', detailsRule({ fromPort: 3389, toPort: 3389, source: V6 })],
      ['EC2.18', detailsRule({ fromPort: 8080, toPort: 8080 })],
      ['EC2.19', detailsRule({ fromPort: 3306, toPort: 3306 })],
      ['EC2.53', detailsRule({ protocol: 'udp', fromPort: 3389, toPort: 3389 })],
      ['EC2.54', detailsRule({ source: V6 })],
    ] as const)('%s flags the open rule the finding carries', (controlId, rule) => {
      // Act
      const result = triage(groupFinding(controlId, [rule]));
      // Assess
      expect(result).toMatchObject({
        kind: 'security-group',
        control: CONTROL_CATALOG[controlId],
        rulesFrom: 'finding',
        reach: { kind: 'unknown', reason: 'EC2 not read' },
      });
      expect(result.kind === 'security-group' && result.openRules.map((e) => e.rule)).toEqual([rule]);
      expect(isStillExposed(result)).toBe('exposed');
    });

    it.each([
      ['EC2.13', detailsRule({ fromPort: 3389, toPort: 3389 })],
      ['EC2.14', detailsRule({ fromPort: 22, toPort: 22 })],
      ['EC2.18', detailsRule({ fromPort: 443, toPort: 443, source: V6 })],
      ['EC2.19', detailsRule({ fromPort: 80, toPort: 80 })],
      ['EC2.53', detailsRule({ source: V6 })],
      ['EC2.54', detailsRule()],
    ] as const)('%s finds nothing open in a rule the control does not cover', (controlId, rule) => {
      const result = triage(groupFinding(controlId, [rule]));
      expect(result.kind === 'security-group' && result.openRules).toEqual([]);
      expect(isStillExposed(result)).toBe('fixed');
    });

    it('prefers the rules read from EC2 over the finding’s details', () => {
      // Prepare: the finding still shows SSH open; EC2 says someone removed it since.
      const finding = groupFinding('EC2.13', [detailsRule()]);
      const current = [makeRule({ source: PRIVATE_V4 })];
      // Act
      const result = triage(finding, { ingressRules: current });
      // Assess
      expect(result).toMatchObject({ kind: 'security-group', rulesFrom: 'current', openRules: [] });
      expect(isStillExposed(result)).toBe('fixed');
    });

    it('flags a rule opened after the finding was generated', () => {
      // Prepare
      const finding = groupFinding('EC2.13', [detailsRule({ source: PRIVATE_V4 })]);
      const opened = makeRule({ ruleId: 'sgr-0new0000000000001', fromPort: 0, toPort: 65535, source: V6 });
      // Act
      const result = triage(finding, { ingressRules: [opened] });
      // Assess
      expect(result.kind === 'security-group' && result.openRules).toEqual([
        {
          rule: opened,
          world: '::/0',
          shape: 'all-ports',
          ports: 'all',
          reach: { kind: 'unknown', reason: 'EC2 not read' },
        },
      ]);
      expect(isStillExposed(result)).toBe('exposed');
    });

    it('treats an empty current rule list as current, not as missing', () => {
      const result = triage(groupFinding('EC2.19', [detailsRule()]), { ingressRules: [] });
      expect(result).toMatchObject({ kind: 'security-group', rulesFrom: 'current', openRules: [] });
    });

    it('uses the finding’s rules when only the reach was read', () => {
      const result = triage(groupFinding('EC2.13', [detailsRule()]), { reach: PRIVATE });
      expect(result).toMatchObject({ kind: 'security-group', rulesFrom: 'finding', reach: PRIVATE });
      expect(isStillExposed(result)).toBe('exposed');
    });

    it('never calls a group fixed when neither EC2 nor the finding gave its rules', () => {
      // Prepare
      const finding = makeFinding({ details: { kind: 'none' } });
      // Act
      const result = triage(finding);
      // Assess: a security group finding whose rules are unknown, not one with nothing open
      expect(result).toMatchObject({
        kind: 'security-group',
        rulesFrom: 'unknown',
        openRules: [],
        urgency: 'high',
      });
      expect(result.urgencyBasis).toEqual({ kind: 'rules-unknown' });
      expect(isStillExposed(result)).toBe('exposed');
    });

    it('keeps "rules unknown" apart from "no open rules" for details without IpPermissions', () => {
      const unknown = triage(makeFinding({ details: { kind: 'security-group', groupId: GROUP_ID } }));
      const none = triage(groupFinding('EC2.13', []));

      expect([unknown.kind === 'security-group' && unknown.rulesFrom, isStillExposed(unknown)]).toEqual([
        'unknown',
        'exposed',
      ]);
      expect([none.kind === 'security-group' && none.rulesFrom, isStillExposed(none)]).toEqual([
        'finding',
        'fixed',
      ]);
    });

    it('keeps only the open rules of a mixed group', () => {
      // Prepare
      const rules = [
        makeRule({ ruleId: 'sgr-01', fromPort: 443, toPort: 443 }),
        makeRule({ ruleId: 'sgr-02', fromPort: 22, toPort: 22 }),
        makeRule({ ruleId: 'sgr-03', fromPort: 22, toPort: 22, source: PEER_GROUP }),
        makeRule({ ruleId: 'sgr-04', fromPort: 3389, toPort: 3389, source: V6 }),
        makeRule({ ruleId: 'sgr-05', fromPort: 3389, toPort: 3389, source: PRIVATE_V4 }),
      ];
      // Act
      const result = triage(groupFinding('EC2.53', []), { ingressRules: rules });
      // Assess: EC2.53 is IPv4 only; the group reference is never touched.
      expect(result.kind === 'security-group' && result.openRules.map((e) => e.rule.ruleId)).toEqual([
        'sgr-02',
      ]);
    });
  });

  describe('urgency of an open security group', () => {
    it.each<[string, ControlId, Severity, SecurityGroupRule, NetworkReach, string]>([
      ['world-open on the internet, even at MEDIUM', 'EC2.13', 'MEDIUM', makeRule(), INTERNET, 'act-now'],
      ['world-open on the internet at HIGH', 'EC2.13', 'HIGH', makeRule(), INTERNET, 'act-now'],
      // "Act now" rests on a known exposure: unknown reach asks for a review.
      ['CRITICAL with reach not checked', 'EC2.19', 'CRITICAL', makeRule(), UNKNOWN, 'high'],
      ['HIGH with reach not checked', 'EC2.13', 'HIGH', makeRule(), UNKNOWN, 'high'],
      ['CRITICAL on private subnets only', 'EC2.19', 'CRITICAL', makeRule(), PRIVATE, 'high'],
      ['HIGH on private subnets only', 'EC2.13', 'HIGH', makeRule(), PRIVATE, 'normal'],
      ['CRITICAL but attached to nothing', 'EC2.19', 'CRITICAL', makeRule(), UNATTACHED, 'high'],
      ['LOW with reach not checked', 'EC2.13', 'LOW', makeRule(), UNKNOWN, 'normal'],
      [
        'a default group open only to itself, on the internet',
        'EC2.2',
        'HIGH',
        makeRule({ protocol: '-1', fromPort: -1, toPort: -1, source: PEER_GROUP }),
        INTERNET,
        'high',
      ],
      [
        'nothing open any more, at CRITICAL',
        'EC2.19',
        'CRITICAL',
        makeRule({ source: PRIVATE_V4 }),
        INTERNET,
        'normal',
      ],
    ])('is right for %s', (_label, controlId, severity, rule, reach, urgency) => {
      const result = triage(groupFinding(controlId, [], { severity }), { ingressRules: [rule], reach });
      expect(result.urgency).toBe(urgency);
    });

    it('says what "act now" rests on: the open ports the internet reaches', () => {
      const result = triage(groupFinding('EC2.13', [detailsRule()]), { reach: INTERNET });

      expect([result.urgency, result.urgencyBasis]).toEqual([
        'act-now',
        { kind: 'reachable', ports: ['tcp/22'] },
      ]);
    });

    it('asks for a review, not action, while the reach is unknown', () => {
      const result = triage(groupFinding('EC2.19', [detailsRule()], { severity: 'CRITICAL' }));

      expect([result.urgency, result.urgencyBasis]).toEqual([
        'high',
        { kind: 'reach-unknown', reason: 'EC2 not read' },
      ]);
    });

    it('drops below the severity when a network ACL blocks every world-open rule', () => {
      // Prepare: a public interface whose subnet ACL denies tcp/22 before allowing everything
      const blockedReach: NetworkReach = {
        kind: 'internet',
        via: [{ ...webInterface, internetFamilies: ['ipv4'] }],
        networkAcls: {
          kind: 'read',
          networkAcls: [
            {
              networkAclId: 'acl-0public0000000001',
              vpcId: webInterface.vpcId,
              isDefault: false,
              subnetIds: [webInterface.subnetId],
              entries: [
                {
                  ruleNumber: 100,
                  action: 'deny',
                  egress: false,
                  protocol: '6',
                  source: { family: 'ipv4', cidr: '0.0.0.0/0' },
                  portRange: { from: 22, to: 22 },
                },
                {
                  ruleNumber: 200,
                  action: 'allow',
                  egress: false,
                  protocol: '-1',
                  source: { family: 'ipv4', cidr: '0.0.0.0/0' },
                },
              ],
            },
          ],
        },
      };
      // Act
      const result = triage(groupFinding('EC2.13', [detailsRule()]), { reach: blockedReach });
      // Assess
      expect(result.kind === 'security-group' && result.openRules.map((open) => open.reach)).toEqual([
        { kind: 'blocked', networkAclId: 'acl-0public0000000001', ruleNumber: 100 },
      ]);
      expect([result.urgency, result.urgencyBasis]).toEqual([
        'normal',
        { kind: 'not-reachable', why: 'network-acl' },
      ]);
      expect(isStillExposed(result)).toBe('exposed');
    });

    it('ranks a group open on a public subnet above the same group on a private subnet', () => {
      const finding = groupFinding('EC2.13', [detailsRule()]);
      const onPublic = triage(finding, { reach: INTERNET });
      const onPrivate = triage(finding, { reach: PRIVATE });
      expect([onPublic.urgency, onPrivate.urgency]).toEqual(['act-now', 'normal']);
    });
  });

  describe('for EC2.8 (instance IMDSv2)', () => {
    it.each([
      ['required', instanceFinding('required'), undefined, 'required', 'fixed', 'normal'],
      ['optional', instanceFinding('optional'), undefined, 'optional', 'exposed', 'high'],
      ['not in the finding', instanceFinding(), undefined, 'unknown', 'exposed', 'high'],
      [
        'optional in the finding, required now',
        instanceFinding('optional'),
        'required',
        'required',
        'fixed',
        'normal',
      ],
      [
        'required in the finding, optional now',
        instanceFinding('required'),
        'optional',
        'optional',
        'exposed',
        'high',
      ],
      ['unknown in the finding, read now', instanceFinding(), 'optional', 'optional', 'exposed', 'high'],
    ] as const)('reads HttpTokens %s', (_label, finding, httpTokens, expected, state, urgency) => {
      // Act
      const result = triage(finding, httpTokens ? { httpTokens } : undefined);
      // Assess
      expect(result).toEqual({
        kind: 'imdsv2',
        control: CONTROL_CATALOG['EC2.8'],
        httpTokens: expected,
        urgency,
        urgencyBasis:
          expected === 'required' ? { kind: 'imdsv2-required' } : { kind: 'severity', severity: 'HIGH' },
      });
      expect(isStillExposed(result)).toBe(state);
    });

    it('is act-now when someone raised the finding to CRITICAL', () => {
      expect(triage(instanceFinding('optional', { severity: 'CRITICAL' })).urgency).toBe('act-now');
    });
  });

  describe('for AutoScaling.3 (launch configuration IMDSv2)', () => {
    it('is unknown until the launch configuration is read', () => {
      const result = triage(launchConfigurationFinding());
      expect(result).toEqual({
        kind: 'imdsv2',
        control: CONTROL_CATALOG['AutoScaling.3'],
        httpTokens: 'unknown',
        urgency: 'high',
        urgencyBasis: { kind: 'severity', severity: 'HIGH' },
      });
      expect(isStillExposed(result)).toBe('exposed');
    });

    it.each([
      ['required', 'fixed'],
      ['optional', 'exposed'],
    ] as const)('uses the current HttpTokens %s', (httpTokens, state) => {
      const result = triage(launchConfigurationFinding(), { httpTokens });
      expect(result).toMatchObject({ kind: 'imdsv2', httpTokens });
      expect(isStillExposed(result)).toBe(state);
    });

    it('reads HttpTokens from the launch configuration details the finding carries', () => {
      const finding = launchConfigurationFinding({
        details: { kind: 'launch-configuration', launchConfigurationName: 'web-lc', httpTokens: 'optional' },
      });

      expect(triage(finding)).toMatchObject({ kind: 'imdsv2', httpTokens: 'optional' });
    });
  });

  describe('for findings the bot does not handle', () => {
    it.each([
      ['an unknown control', groupFinding('S3.1', [detailsRule()]), 'S3.1'],
      ['a control id in another case', groupFinding('ec2.13', [detailsRule()]), 'ec2.13'],
      ['a finding without a control id', findingWithoutControl(), 'no Security Hub control'],
      [
        'a security group control on an instance',
        instanceFinding('optional', { controlId: 'EC2.13' }),
        'AwsEc2Instance',
      ],
      [
        'an instance control on a security group',
        groupFinding('EC2.8', [detailsRule()]),
        'AwsEc2SecurityGroup',
      ],
    ])('is unsupported for %s, saying why', (_label, finding, why) => {
      // Act
      const result = triage(finding);
      // Assess
      expect(result.kind).toBe('unsupported');
      expect(result.kind === 'unsupported' && result.reason).toContain(why);
      expect(isStillExposed(result)).toBe('not-applicable');
    });

    it.each([
      ['CRITICAL', 'act-now'],
      ['HIGH', 'high'],
      ['MEDIUM', 'normal'],
    ] as const)('ranks an unsupported %s finding by severity: %s', (severity, urgency) => {
      expect(triage(groupFinding('S3.1', [], { severity })).urgency).toBe(urgency);
    });
  });
});
