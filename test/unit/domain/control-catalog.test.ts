import { describe, expect, it } from 'vitest';
import type { ControlId, ControlSpec } from '../../../src/domain/control-catalog.js';
import {
  CONTROL_CATALOG,
  HIGH_RISK_PORTS,
  controlSpec,
  isControlId,
} from '../../../src/domain/control-catalog.js';
import { exposedIngressRules } from '../../../src/domain/exposure.js';
import { makeRule } from '../../fixtures/finding.js';

const specs: ControlSpec[] = Object.values(CONTROL_CATALOG);

function exposureOf(id: ControlId) {
  const { check } = CONTROL_CATALOG[id];
  if (check.kind !== 'security-group') throw new Error(`${id} is not a security group control`);
  return check.exposure;
}

describe('CONTROL_CATALOG', () => {
  it('keys every spec by its own id', () => {
    for (const [key, spec] of Object.entries(CONTROL_CATALOG)) expect(spec.id).toBe(key);
  });

  // Titles and default severities as the Security Hub CSPM user guide lists them.
  it.each([
    ['EC2.2', 'VPC default security groups should not allow inbound or outbound traffic', 'HIGH'],
    ['EC2.8', 'EC2 instances should use Instance Metadata Service Version 2 (IMDSv2)', 'HIGH'],
    ['EC2.13', 'Security groups should not allow ingress from 0.0.0.0/0 or ::/0 to port 22', 'HIGH'],
    ['EC2.14', 'Security groups should not allow ingress from 0.0.0.0/0 or ::/0 to port 3389', 'HIGH'],
    [
      'EC2.18',
      'Security groups should only allow unrestricted incoming traffic for authorized ports',
      'HIGH',
    ],
    ['EC2.19', 'Security groups should not allow unrestricted access to ports with high risk', 'CRITICAL'],
    [
      'EC2.53',
      'EC2 security groups should not allow ingress from 0.0.0.0/0 to remote server administration ports',
      'HIGH',
    ],
    [
      'EC2.54',
      'EC2 security groups should not allow ingress from ::/0 to remote server administration ports',
      'HIGH',
    ],
    ['EC2.21', 'Network ACLs should not allow ingress from 0.0.0.0/0 to port 22 or port 3389', 'MEDIUM'],
    ['EC2.170', 'EC2 launch templates should use Instance Metadata Service Version 2 (IMDSv2)', 'LOW'],
    [
      'AutoScaling.3',
      'Auto Scaling group launch configurations should configure EC2 instances to require Instance Metadata Service Version 2 (IMDSv2)',
      'HIGH',
    ],
    ['S3.5', 'S3 general purpose buckets should require requests to use SSL', 'MEDIUM'],
    ['S3.1', 'S3 general purpose buckets should have block public access settings enabled', 'MEDIUM'],
    ['S3.8', 'S3 general purpose buckets should block public access', 'HIGH'],
    [
      'AutoScaling.4',
      'Auto Scaling group launch configuration should not have a metadata response hop limit greater than 1',
      'HIGH',
    ],
  ] as const)('records %s as "%s" with default severity %s', (id, title, severity) => {
    expect(CONTROL_CATALOG[id].title).toBe(title);
    expect(CONTROL_CATALOG[id].defaultSeverity).toBe(severity);
  });

  it.each(specs.map((spec) => [spec.id, spec] as const))(
    'pairs %s’s check with a matching resource type and remediation',
    (_id, spec) => {
      const expected = {
        'security-group': { resourceType: 'AwsEc2SecurityGroup', remediation: 'revoke-exposed-ingress' },
        'instance-imdsv2': { resourceType: 'AwsEc2Instance', remediation: 'require-imdsv2-instance' },
        'auto-scaling-imdsv2': {
          resourceType: 'AwsAutoScalingLaunchConfiguration',
          remediation: 'migrate-launch-configuration',
        },
        'auto-scaling-hop-limit': {
          resourceType: 'AwsAutoScalingLaunchConfiguration',
          remediation: 'migrate-launch-configuration',
        },
        'launch-template-imdsv2': {
          resourceType: 'AwsEc2LaunchTemplate',
          remediation: 'require-imdsv2-launch-template',
        },
        'network-acl-world-ports': {
          resourceType: 'AwsEc2NetworkAcl',
          remediation: 'deny-network-acl-ingress',
        },
        'bucket-tls-only': { resourceType: 'AwsS3Bucket', remediation: 'require-tls-only-bucket-policy' },
        'bucket-public-access-block': {
          resourceType: 'AwsS3Bucket',
          remediation: 'block-bucket-public-access',
        },
        'account-public-access-block': {
          resourceType: 'AwsAccount',
          remediation: 'block-account-public-access',
        },
      }[spec.check.kind];
      // EC2.2 fails on any rule of a default group, so its remediation empties the group instead.
      const remediation = spec.id === 'EC2.2' ? 'empty-default-group' : expected.remediation;
      expect({ resourceType: spec.resourceType, remediation: spec.remediation }).toEqual({
        ...expected,
        remediation,
      });
    },
  );

  it.each(specs.map((spec) => [spec.id, spec.summary] as const))(
    'gives %s a one-line summary short enough for a message headline',
    (_id, summary) => {
      expect(summary.trim()).not.toBe('');
      expect(summary).not.toContain('\n');
      expect(summary.length).toBeLessThanOrEqual(75);
    },
  );

  it('lists EC2.19’s 24 high-risk ports once each, ascending', () => {
    expect(HIGH_RISK_PORTS).toHaveLength(24);
    expect(new Set(HIGH_RISK_PORTS).size).toBe(24);
    expect([...HIGH_RISK_PORTS].sort((a, b) => a - b)).toEqual(HIGH_RISK_PORTS);
    expect(exposureOf('EC2.19')).toMatchObject({ ports: HIGH_RISK_PORTS });
  });

  it.each([
    ['EC2.13', '0.0.0.0/0', 22, true],
    ['EC2.13', '::/0', 22, true],
    ['EC2.13', '0.0.0.0/0', 3389, false],
    ['EC2.14', '::/0', 3389, true],
    ['EC2.14', '0.0.0.0/0', 22, false],
    ['EC2.53', '0.0.0.0/0', 22, true],
    ['EC2.53', '0.0.0.0/0', 3389, true],
    ['EC2.53', '::/0', 22, false],
    ['EC2.54', '::/0', 3389, true],
    ['EC2.54', '0.0.0.0/0', 3389, false],
    ['EC2.19', '::/0', 5432, true],
    ['EC2.19', '0.0.0.0/0', 443, false],
    ['EC2.18', '0.0.0.0/0', 443, false],
    ['EC2.18', '::/0', 8080, true],
    ['EC2.2', '0.0.0.0/0', 443, true],
  ] as const)('%s flags tcp from %s to port %i: %s', (id, cidr, port, flagged) => {
    const source = cidr === '::/0' ? ({ kind: 'ipv6', cidr } as const) : ({ kind: 'ipv4', cidr } as const);
    const rule = makeRule({ fromPort: port, toPort: port, source });
    expect(exposedIngressRules([rule], exposureOf(id))).toHaveLength(flagged ? 1 : 0);
  });

  it('cannot be extended at run time', () => {
    expect(Object.isFrozen(CONTROL_CATALOG)).toBe(true);
  });
});

describe('isControlId', () => {
  it.each(Object.keys(CONTROL_CATALOG))('accepts %s', (id) => {
    expect(isControlId(id)).toBe(true);
  });

  it.each(['EC2.1', 'ec2.13', 'EC2.13 ', 'CIS.4.1', '', 'toString', '__proto__', 'constructor'])(
    'rejects %j',
    (id) => {
      expect(isControlId(id)).toBe(false);
    },
  );
});

describe('controlSpec', () => {
  it('returns the spec of a known control', () => {
    expect(controlSpec('EC2.19')).toBe(CONTROL_CATALOG['EC2.19']);
  });

  it.each([undefined, 'S3.2', 'hasOwnProperty'])('returns undefined for %j', (id) => {
    expect(controlSpec(id)).toBeUndefined();
  });
});
