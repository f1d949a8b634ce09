import { describe, expect, it } from 'vitest';
import { isSecurityControlId, legacyControlId } from '../../../src/domain/legacy-control-id.js';

const CIS_120 = 'arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0/rule/';

describe('legacyControlId', () => {
  it.each([
    // CIS v1.2.0 findings name the rule in the generator ARN and in ProductFields.RuleId.
    [`${CIS_120}4.1`, { RuleId: '4.1' }, 'EC2.13'],
    [`${CIS_120}4.2`, { RuleId: '4.2' }, 'EC2.14'],
    [`${CIS_120}4.3`, { RuleId: '4.3' }, 'EC2.2'],
    // CIS v1.4.0 and later: a plain generator path and ProductFields.ControlId.
    ['cis-aws-foundations-benchmark/v/1.4.0/5.3', { ControlId: '5.3' }, 'EC2.2'],
    ['cis-aws-foundations-benchmark/v/3.0.0/5.2', { ControlId: '5.2' }, 'EC2.53'],
    ['cis-aws-foundations-benchmark/v/3.0.0/5.3', { ControlId: '5.3' }, 'EC2.54'],
    ['cis-aws-foundations-benchmark/v/3.0.0/5.4', { ControlId: '5.4' }, 'EC2.2'],
    ['cis-aws-foundations-benchmark/v/3.0.0/5.6', { ControlId: '5.6' }, 'EC2.8'],
    ['cis-aws-foundations-benchmark/v/5.0.0/5.3', { ControlId: '5.3' }, 'EC2.53'],
    ['cis-aws-foundations-benchmark/v/5.0.0/5.4', { ControlId: '5.4' }, 'EC2.54'],
    ['cis-aws-foundations-benchmark/v/5.0.0/5.5', { ControlId: '5.5' }, 'EC2.2'],
    // EC2.21 (network ACLs open to the world on 22/3389).
    ['cis-aws-foundations-benchmark/v/1.4.0/5.1', { ControlId: '5.1' }, 'EC2.21'],
    ['cis-aws-foundations-benchmark/v/3.0.0/5.1', { ControlId: '5.1' }, 'EC2.21'],
    ['cis-aws-foundations-benchmark/v/5.0.0/5.2', { ControlId: '5.2' }, 'EC2.21'],
    // PCI DSS v3.2.1 has ids of its own.
    ['pci-dss/v/3.2.1/PCI.EC2.5', { ControlId: 'PCI.EC2.5' }, 'EC2.13'],
    ['pci-dss/v/3.2.1/PCI.EC2.2', { ControlId: 'PCI.EC2.2' }, 'EC2.2'],
    // Other standards already use the consolidated id: take the generator's tail.
    ['aws-foundational-security-best-practices/v/1.0.0/EC2.13', {}, 'EC2.13'],
    ['aws-foundational-security-best-practices/v/1.0.0/AutoScaling.3', {}, 'AutoScaling.3'],
    ['nist-800-53/v/5.0.0/EC2.19', {}, 'EC2.19'],
    ['service-managed-aws-control-tower/v/1.0.0/EC2.8', {}, 'EC2.8'],
    ['security-control/EC2.18', {}, 'EC2.18'],
  ])('maps %s to %s', (generatorId, productFields, controlId) => {
    expect(legacyControlId(generatorId, productFields)).toBe(controlId);
  });

  it('reads the CIS rule from the generator when ProductFields are absent', () => {
    expect(legacyControlId(`${CIS_120}4.1`)).toBe('EC2.13');
  });

  it('keys CIS rules by benchmark version, since the same number means different controls', () => {
    expect(legacyControlId('cis-aws-foundations-benchmark/v/1.4.0/5.3')).toBe('EC2.2');
    expect(legacyControlId('cis-aws-foundations-benchmark/v/3.0.0/5.3')).toBe('EC2.54');
  });

  it.each([
    ['a CIS rule outside the ones the bot acts on', `${CIS_120}2.7`, { RuleId: '2.7' }],
    [
      'a CIS version Security Hub never had',
      'cis-aws-foundations-benchmark/v/2.0.0/5.2',
      { ControlId: '5.2' },
    ],
    ['a PCI control the bot does not map', 'pci-dss/v/3.2.1/PCI.Lambda.2', { ControlId: 'PCI.Lambda.2' }],
    [
      'a GuardDuty finding type',
      'arn:aws:guardduty:us-east-1:111122223333:detector/12abc34d567e8fa901bc2d34e56789f0',
      {},
    ],
    ['a third-party generator', 'prowler-ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22', {}],
  ])('returns undefined for %s', (_case, generatorId, productFields) => {
    expect(legacyControlId(generatorId, productFields)).toBeUndefined();
  });
});

describe('isSecurityControlId', () => {
  it.each([
    ['EC2.13', true],
    ['AutoScaling.3', true],
    ['S3.1', true],
    ['4.1', false],
    ['PCI.EC2.5', false],
    ['CT.EC2.2', false],
    ['EC2.', false],
  ])('says %s is %s', (value, expected) => {
    expect(isSecurityControlId(value)).toBe(expected);
  });
});
