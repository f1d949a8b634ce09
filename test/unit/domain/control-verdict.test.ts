import { describe, expect, it } from 'vitest';
import { CONTROL_CATALOG } from '../../../src/domain/control-catalog.js';
import { controlVerdict } from '../../../src/domain/control-verdict.js';
import type { CurrentResource } from '../../../src/domain/current-resource.js';
import type { SecurityGroupRule } from '../../../src/domain/security-group-rule.js';
import { makeRule } from '../../fixtures/finding.js';

const GROUP = 'sg-0abc1234def567890';

function group(ingressRules: SecurityGroupRule[], egressRules?: SecurityGroupRule[]): CurrentResource {
  return {
    kind: 'security-group',
    groupId: GROUP,
    groupName: 'default',
    ingressRules,
    ...(egressRules && { egressRules }),
    reach: { kind: 'unknown', reason: 'not checked' },
  };
}

const self = makeRule({
  ruleId: 'sgr-0a1b2c3d4e5f60011',
  protocol: '-1',
  fromPort: -1,
  toPort: -1,
  source: { kind: 'security-group', groupId: GROUP },
});
const egress = makeRule({
  ruleId: 'sgr-0a1b2c3d4e5f60012',
  isEgress: true,
  protocol: '-1',
  fromPort: -1,
  toPort: -1,
});
const office = makeRule({ ruleId: 'sgr-0a1b2c3d4e5f60013', source: { kind: 'ipv4', cidr: '10.0.0.0/8' } });
const world = makeRule({ ruleId: 'sgr-0a1b2c3d4e5f60014' });

describe('controlVerdict', () => {
  it('fails EC2.2 on any rule of the default group, inbound or outbound, restricted or not', () => {
    const EC2_2 = CONTROL_CATALOG['EC2.2'];

    expect(controlVerdict(EC2_2, group([], []))).toEqual({ passes: true });
    expect(controlVerdict(EC2_2, group([self], []))).toEqual({
      passes: false,
      why: `the default group still has 1 rule(s): inbound all traffic from ${GROUP}`,
    });
    expect(controlVerdict(EC2_2, group([], [egress]))).toEqual({
      passes: false,
      why: 'the default group still has 1 rule(s): outbound all traffic to 0.0.0.0/0',
    });
    expect(controlVerdict(EC2_2, group([]))).toEqual({
      passes: false,
      why: 'its outbound rules were not read',
    });
  });

  it('fails EC2.13 only on rules open to the internet', () => {
    const EC2_13 = CONTROL_CATALOG['EC2.13'];

    expect(controlVerdict(EC2_13, group([office, self], [egress]))).toEqual({ passes: true });
    expect(controlVerdict(EC2_13, group([office, world]))).toEqual({
      passes: false,
      why: 'open to the internet: tcp/22 from 0.0.0.0/0',
    });
  });

  it('fails IMDSv2 controls while IMDSv1 is allowed, including an unused launch configuration', () => {
    expect(
      controlVerdict(CONTROL_CATALOG['EC2.8'], {
        kind: 'instance',
        instanceId: 'i-0a1b2c3d4e5f60001',
        httpTokens: 'optional',
      }).passes,
    ).toBe(false);
    expect(
      controlVerdict(CONTROL_CATALOG['EC2.8'], {
        kind: 'instance',
        instanceId: 'i-0a1b2c3d4e5f60001',
        httpTokens: 'required',
      }).passes,
    ).toBe(true);
    expect(
      controlVerdict(CONTROL_CATALOG['AutoScaling.3'], {
        kind: 'launch-configuration',
        launchConfigurationName: 'legacy-lc',
        httpTokens: 'optional',
        usedBy: [],
      }),
    ).toEqual({
      passes: false,
      why: 'launch configuration legacy-lc still allows IMDSv1',
    });
  });

  it('judges a launch template by the version the finding’s group runs now', () => {
    const template = (runs: number): CurrentResource => ({
      kind: 'launch-template',
      template: {
        launchTemplateId: 'lt-0a1b2c3d4e5f60001',
        defaultVersion: 1,
        latestVersion: 2,
        findingGroup: 'web-asg',
        users: [{ groupName: 'web-asg', versionSpec: String(runs), runs, mixedInstancesPolicy: false }],
        versions: [
          { version: 1, httpTokens: 'optional' },
          { version: 2, httpTokens: 'required' },
        ],
      },
    });

    expect(controlVerdict(CONTROL_CATALOG['AutoScaling.3'], template(2))).toEqual({ passes: true });
    expect(controlVerdict(CONTROL_CATALOG['AutoScaling.3'], template(1))).toEqual({
      passes: false,
      why: 'web-asg launches version 1 of lt-0a1b2c3d4e5f60001, which allows IMDSv1',
    });
  });
});
