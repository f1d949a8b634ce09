import type { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import { describe, expect, it } from 'vitest';
import {
  findingsFromImportedEvent,
  normalizeAsffFinding,
  type NormalizeResult,
} from '../../../src/aws/asff-finding.js';
import type { Finding } from '../../../src/domain/finding.js';
import type { RuleSource, SecurityGroupRule } from '../../../src/domain/security-group-rule.js';
import {
  allSampleFindings,
  loadAsffFixture,
  makeAsffFinding,
  makeImportedEvent,
  sampleFindingNames,
} from '../../fixtures/asff.js';
import { makeFinding } from '../../fixtures/finding.js';

/** Normalizes and fails the test with the reason when the finding is rejected. */
function normalized(raw: unknown): Finding {
  const result = normalizeAsffFinding(raw);
  if (!result.ok) throw new Error(`expected a finding, got: ${result.reason}`);
  return result.finding;
}

function fixture(name: string): Finding {
  return normalized(loadAsffFixture(name));
}

function ingressRule(
  groupId: string,
  protocol: string,
  ports: readonly [number, number] | undefined,
  source: RuleSource,
): SecurityGroupRule {
  return ports === undefined
    ? { groupId, isEgress: false, protocol, source }
    : { groupId, isEgress: false, protocol, fromPort: ports[0], toPort: ports[1], source };
}

const ipv4 = (cidr: string): RuleSource => ({ kind: 'ipv4', cidr });
const ipv6 = (cidr: string): RuleSource => ({ kind: 'ipv6', cidr });

describe('normalizeAsffFinding', () => {
  it('turns the EC2.13 fixture into exactly the finding the other tests build with makeFinding()', () => {
    // Prepare
    const raw = loadAsffFixture('ec2.13-ssh-ipv4');

    // Act
    const finding = normalized(raw);

    // Assess
    expect(finding).toEqual(makeFinding({ description: raw['Description'] as string }));
  });

  it.each([
    // fixture, controlId, severity, resource type, shortId, account, region
    [
      'ec2.13-ssh-ipv4',
      'EC2.13',
      'HIGH',
      'AwsEc2SecurityGroup',
      'sg-0abc1234def567890',
      '111122223333',
      'ap-northeast-1',
    ],
    [
      'ec2.14-rdp-ipv6',
      'EC2.14',
      'HIGH',
      'AwsEc2SecurityGroup',
      'sg-0b7e2f1a9c3d45e61',
      '111122223333',
      'us-east-1',
    ],
    [
      'ec2.19-all-tcp',
      'EC2.19',
      'CRITICAL',
      'AwsEc2SecurityGroup',
      'sg-0e5d4c3b2a1908f7e',
      '444455556666',
      'eu-west-1',
    ],
    [
      'ec2.18-port-8080',
      'EC2.18',
      'HIGH',
      'AwsEc2SecurityGroup',
      'sg-0c4f7a2e9b1d36a05',
      '111122223333',
      'ap-northeast-1',
    ],
    [
      'ec2.53-admin-ports',
      'EC2.53',
      'HIGH',
      'AwsEc2SecurityGroup',
      'sg-0a9b8c7d6e5f40312',
      '444455556666',
      'us-east-1',
    ],
    [
      'ec2.54-admin-ports-ipv6',
      'EC2.54',
      'HIGH',
      'AwsEc2SecurityGroup',
      'sg-0d3c2b1a0f9e8d7c6',
      '111122223333',
      'eu-west-1',
    ],
    [
      'ec2.2-default-sg-all-traffic',
      'EC2.2',
      'HIGH',
      'AwsEc2SecurityGroup',
      'sg-0f1e2d3c4b5a69788',
      '444455556666',
      'ap-northeast-1',
    ],
    [
      'ec2.8-imdsv1-instance',
      'EC2.8',
      'HIGH',
      'AwsEc2Instance',
      'i-0a1b2c3d4e5f60789',
      '111122223333',
      'us-east-1',
    ],
    [
      'autoscaling.3-launch-config',
      'AutoScaling.3',
      'HIGH',
      'AwsAutoScalingLaunchConfiguration',
      'legacy-batch-lc-2021',
      '444455556666',
      'us-east-1',
    ],
    [
      'cis-1.2-4.1-legacy',
      'EC2.13',
      'HIGH',
      'AwsEc2SecurityGroup',
      'sg-0b1a2c3d4e5f60718',
      '444455556666',
      'eu-west-1',
    ],
    [
      'ec2.13-port-range-ipv4',
      'EC2.13',
      'HIGH',
      'AwsEc2SecurityGroup',
      'sg-0d4e5f6a7b8c9d0e1',
      '111122223333',
      'ap-northeast-1',
    ],
    [
      'ec2.17-low-severity',
      'EC2.17',
      'LOW',
      'AwsEc2Instance',
      'i-0f1e2d3c4b5a69870',
      '111122223333',
      'ap-northeast-1',
    ],
    [
      'malformed/unknown-control',
      'S3.8',
      'HIGH',
      'AwsS3Bucket',
      'web-prod-assets',
      '111122223333',
      'us-east-1',
    ],
  ])(
    'normalizes %s to control %s, severity %s, resource %s %s',
    (name, controlId, severity, type, shortId, accountId, region) => {
      const finding = fixture(name);

      expect(finding).toMatchObject({
        controlId,
        severity,
        accountId,
        region,
        resource: { type, shortId, region },
      });
    },
  );

  it('keeps the finding, product and generator ids Security Hub needs to update it', () => {
    const raw = loadAsffFixture('ec2.53-admin-ports');

    const finding = normalized(raw);

    expect(finding).toMatchObject({
      id: 'arn:aws:securityhub:us-east-1:444455556666:security-control/EC2.53/finding/9e1f3a5c-7b2d-4c8e-a0f6-1d3b5c7e9053',
      productArn: 'arn:aws:securityhub:us-east-1::product/aws/securityhub',
      generatorId: 'security-control/EC2.53',
    });
  });

  describe('security group rules', () => {
    it.each<[string, SecurityGroupRule[]]>([
      [
        'ec2.14-rdp-ipv6',
        [
          ingressRule('sg-0b7e2f1a9c3d45e61', 'tcp', [3389, 3389], ipv6('::/0')),
          ingressRule('sg-0b7e2f1a9c3d45e61', 'tcp', [22, 22], ipv4('203.0.113.0/24')),
        ],
      ],
      ['ec2.19-all-tcp', [ingressRule('sg-0e5d4c3b2a1908f7e', 'tcp', [0, 65535], ipv4('0.0.0.0/0'))]],
      [
        'ec2.18-port-8080',
        [
          ingressRule('sg-0c4f7a2e9b1d36a05', 'tcp', [443, 443], ipv4('0.0.0.0/0')),
          ingressRule('sg-0c4f7a2e9b1d36a05', 'tcp', [443, 443], ipv6('::/0')),
          ingressRule('sg-0c4f7a2e9b1d36a05', 'tcp', [8080, 8080], ipv4('0.0.0.0/0')),
        ],
      ],
      [
        'ec2.53-admin-ports',
        [
          ingressRule('sg-0a9b8c7d6e5f40312', 'tcp', [22, 22], ipv4('0.0.0.0/0')),
          ingressRule('sg-0a9b8c7d6e5f40312', 'udp', [3389, 3389], ipv4('0.0.0.0/0')),
          ingressRule('sg-0a9b8c7d6e5f40312', 'tcp', [3389, 3389], {
            kind: 'security-group',
            groupId: 'sg-0b7e2f1a9c3d45e61',
            userId: '111122223333',
          }),
          ingressRule('sg-0a9b8c7d6e5f40312', 'tcp', [443, 443], {
            kind: 'prefix-list',
            prefixListId: 'pl-0a1b2c3d4e5f67890',
          }),
        ],
      ],
      [
        'ec2.54-admin-ports-ipv6',
        [
          ingressRule('sg-0d3c2b1a0f9e8d7c6', 'tcp', [22, 22], ipv4('10.0.0.0/8')),
          ingressRule('sg-0d3c2b1a0f9e8d7c6', 'tcp', [22, 22], ipv6('::/0')),
        ],
      ],
      [
        'ec2.2-default-sg-all-traffic',
        [
          ingressRule('sg-0f1e2d3c4b5a69788', '-1', undefined, {
            kind: 'security-group',
            groupId: 'sg-0f1e2d3c4b5a69788',
            userId: '444455556666',
          }),
          ingressRule('sg-0f1e2d3c4b5a69788', '-1', undefined, ipv4('0.0.0.0/0')),
        ],
      ],
      ['ec2.13-port-range-ipv4', [ingressRule('sg-0d4e5f6a7b8c9d0e1', 'tcp', [20, 25], ipv4('0.0.0.0/0'))]],
    ])('flattens the ingress permissions of %s into one rule per source', (name, rules) => {
      const finding = fixture(name);

      expect(finding.details).toMatchObject({ kind: 'security-group' });
      expect(finding.details.kind === 'security-group' && finding.details.ingressRules).toEqual(rules);
    });

    it('reads group name and VPC from the details, and names the resource after the group', () => {
      const finding = fixture('ec2.2-default-sg-all-traffic');

      expect(finding.details).toMatchObject({
        groupId: 'sg-0f1e2d3c4b5a69788',
        groupName: 'default',
        vpcId: 'vpc-0a0b0c0d0e0f10203',
      });
      expect(finding.resource.name).toBe('default');
    });

    it.each([
      ['TCP', 'tcp'],
      ['6', '6'],
      ['-1', '-1'],
      ['icmpv6', 'icmpv6'],
    ])('keeps protocol %s as %s', (ipProtocol, protocol) => {
      const raw = withSecurityGroupPermissions([
        { IpProtocol: ipProtocol, FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
      ]);

      const finding = normalized(raw);

      expect(
        finding.details.kind === 'security-group' &&
          finding.details.ingressRules?.map((rule) => rule.protocol),
      ).toEqual([protocol]);
    });

    it('leaves ports out when the permission has none', () => {
      const raw = withSecurityGroupPermissions([{ IpProtocol: 'icmp', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }]);

      const finding = normalized(raw);

      expect(finding.details.kind === 'security-group' && finding.details.ingressRules).toEqual([
        { groupId: 'sg-0abc1234def567890', isEgress: false, protocol: 'icmp', source: ipv4('0.0.0.0/0') },
      ]);
    });

    it('reports a group with no ingress permissions as having no rules', () => {
      const raw = withSecurityGroupPermissions([]);

      const finding = normalized(raw);

      expect(finding.details).toMatchObject({ kind: 'security-group', ingressRules: [] });
    });

    it('takes the group id from the ARN and leaves the rules unknown when the finding carries no details', () => {
      const raw = makeAsffFinding();
      const [resource] = raw['Resources'] as Record<string, unknown>[];
      raw['Resources'] = [{ ...resource, Details: undefined }];

      const finding = normalized(raw);

      expect(finding.details).toEqual({ kind: 'security-group', groupId: 'sg-0abc1234def567890' });
      expect(finding.resource.shortId).toBe('sg-0abc1234def567890');
    });

    it('keeps the finding but drops details that do not have the documented shape (rules unknown)', () => {
      const raw = withSecurityGroupPermissions('tcp/22 from anywhere');

      const result = normalizeAsffFinding(raw);

      expect(result).toMatchObject({
        ok: true,
        finding: { controlId: 'EC2.13', details: { kind: 'security-group' } },
      });
      expect(
        result.ok && result.finding.details.kind === 'security-group' && result.finding.details.ingressRules,
      ).toBe(undefined);
    });
  });

  describe('legacy and partial security group details', () => {
    it('reads a group sent as `Type: Other` with flattened `Details.Other` keys, its id from the ARN', () => {
      const finding = fixture('variants/ec2.13-details-other');

      expect(finding.resource).toMatchObject({
        type: 'AwsEc2SecurityGroup',
        shortId: 'sg-0b2c3d4e5f6a70812',
      });
      expect(finding.details).toEqual({
        kind: 'security-group',
        groupId: 'sg-0b2c3d4e5f6a70812',
        groupName: 'bastion-legacy',
        vpcId: 'vpc-0a1b2c3d4e5f67890',
        // Egress keys (`ipPermissionsEgress:…`) are not ingress rules.
        ingressRules: [
          ingressRule('sg-0b2c3d4e5f6a70812', 'tcp', [22, 22], ipv4('0.0.0.0/0')),
          ingressRule('sg-0b2c3d4e5f6a70812', 'tcp', [22, 22], ipv6('::/0')),
          ingressRule('sg-0b2c3d4e5f6a70812', 'tcp', [443, 443], ipv4('10.20.0.0/16')),
          ingressRule('sg-0b2c3d4e5f6a70812', 'tcp', [443, 443], {
            kind: 'security-group',
            groupId: 'sg-0c3d4e5f6a7b80923',
            userId: '111122223333',
          }),
        ],
      });
    });

    it('reads `Details.Other` keys whatever their case, and leaves the rules unknown without any permission key', () => {
      const raw = loadAsffFixture('variants/ec2.13-details-other');
      const [resource] = raw['Resources'] as Record<string, unknown>[];
      const upper = {
        Other: {
          GroupId: 'sg-0b2c3d4e5f6a70812',
          'IpPermissions:0/IpProtocol': '-1',
          'IpPermissions:0/IpRanges:0/CidrIp': '0.0.0.0/0',
        },
      };
      const none = { Other: { groupName: 'bastion-legacy' } };

      const withUpper = normalized({ ...raw, Resources: [{ ...resource, Details: upper }] });
      const withNone = normalized({ ...raw, Resources: [{ ...resource, Details: none }] });

      expect(withUpper.details.kind === 'security-group' && withUpper.details.ingressRules).toEqual([
        { groupId: 'sg-0b2c3d4e5f6a70812', isEgress: false, protocol: '-1', source: ipv4('0.0.0.0/0') },
      ]);
      expect(withNone.details).toEqual({
        kind: 'security-group',
        groupId: 'sg-0b2c3d4e5f6a70812',
        groupName: 'bastion-legacy',
      });
    });

    it('leaves the rules unknown, not empty, when the details carry no IpPermissions', () => {
      const finding = fixture('variants/ec2.13-details-without-rules');

      expect(finding.details).toEqual({
        kind: 'security-group',
        groupId: 'sg-0abc1234def567890',
        groupName: 'web-prod',
        vpcId: 'vpc-0a1b2c3d4e5f67890',
      });
    });

    it('keeps an empty IpPermissions list as "no rules", which is known', () => {
      const finding = normalized(withSecurityGroupPermissions([]));

      expect(finding.details.kind === 'security-group' && finding.details.ingressRules).toEqual([]);
    });
  });

  describe('control parameters', () => {
    it('reads `Compliance.SecurityControlParameters` by name', () => {
      const finding = fixture('variants/ec2.18-custom-authorized-ports');

      expect(finding.controlParameters).toEqual({
        authorizedTcpPorts: ['80', '443', '8443'],
        authorizedUdpPorts: ['500'],
      });
    });

    it('has no parameters when the finding carries none', () => {
      expect(fixture('ec2.18-port-8080').controlParameters).toBeUndefined();
    });

    it('keeps the finding and drops parameters that do not have the documented shape', () => {
      const raw = loadAsffFixture('variants/ec2.18-custom-authorized-ports');
      const compliance = raw['Compliance'] as Record<string, unknown>;

      const finding = normalized({
        ...raw,
        Compliance: { ...compliance, SecurityControlParameters: 'authorizedTcpPorts=8443' },
      });

      expect(finding.controlId).toBe('EC2.18');
      expect(finding.controlParameters).toBeUndefined();
    });
  });

  describe('instances', () => {
    it('reads IMDS settings, network placement and the public address of an EC2.8 instance', () => {
      const finding = fixture('ec2.8-imdsv1-instance');

      expect(finding.details).toEqual({
        kind: 'instance',
        instanceId: 'i-0a1b2c3d4e5f60789',
        httpTokens: 'optional',
        httpPutResponseHopLimit: 1,
        subnetId: 'subnet-0a1b2c3d4e5f60001',
        vpcId: 'vpc-0c1d2e3f4a5b6c7d8',
        publicIp: '198.51.100.24',
      });
      expect(finding.resource).toMatchObject({
        name: 'legacy-batch',
        tags: { Name: 'legacy-batch', Environment: 'prod', 'aws:autoscaling:groupName': 'legacy-batch-asg' },
      });
    });

    it('has no public address when the instance has only private ones', () => {
      const finding = fixture('ec2.17-low-severity');

      expect(finding.details).toMatchObject({
        kind: 'instance',
        httpTokens: 'required',
        httpPutResponseHopLimit: 2,
      });
      expect(finding.details).not.toHaveProperty('publicIp');
    });
  });

  describe('Auto Scaling', () => {
    it('names an AutoScaling.3 finding after its launch configuration, which is the resource the control checks', () => {
      const finding = fixture('autoscaling.3-launch-config');

      expect(finding.resource).toMatchObject({
        type: 'AwsAutoScalingLaunchConfiguration',
        shortId: 'legacy-batch-lc-2021',
      });
      expect(finding.details).toEqual({
        kind: 'launch-configuration',
        launchConfigurationName: 'legacy-batch-lc-2021',
        httpTokens: 'optional',
        httpPutResponseHopLimit: 1,
      });
    });

    it.each<[string, Record<string, unknown>, Record<string, string>]>([
      [
        'a launch configuration',
        { LaunchConfigurationName: 'legacy-batch-lc-2021' },
        { launchConfigurationName: 'legacy-batch-lc-2021' },
      ],
      [
        'a launch template',
        {
          LaunchTemplate: {
            LaunchTemplateId: 'lt-0a1b2c3d4e5f60789',
            LaunchTemplateName: 'legacy-batch',
            Version: '$Latest',
          },
        },
        {
          launchTemplateId: 'lt-0a1b2c3d4e5f60789',
          launchTemplateName: 'legacy-batch',
          launchTemplateVersion: '$Latest',
        },
      ],
      [
        'a mixed instances policy',
        {
          MixedInstancesPolicy: {
            LaunchTemplate: {
              LaunchTemplateSpecification: { LaunchTemplateName: 'legacy-batch-spot', Version: '3' },
            },
          },
        },
        { launchTemplateName: 'legacy-batch-spot', launchTemplateVersion: '3' },
      ],
    ])('reads the group name and %s of an Auto Scaling group', (_case, groupDetails, expected) => {
      const raw = makeAsffFinding({
        Resources: [
          {
            Type: 'AwsAutoScalingAutoScalingGroup',
            Id: 'arn:aws:autoscaling:us-east-1:444455556666:autoScalingGroup:8a7b6c5d-4e3f-4a1b-9c8d-7e6f5a4b3c2d:autoScalingGroupName/legacy-batch-asg',
            Partition: 'aws',
            Region: 'us-east-1',
            Details: { AwsAutoScalingAutoScalingGroup: { HealthCheckType: 'EC2', ...groupDetails } },
          },
        ],
      });

      const finding = normalized(raw);

      expect(finding.resource.shortId).toBe('legacy-batch-asg');
      expect(finding.details).toEqual({
        kind: 'auto-scaling-group',
        groupName: 'legacy-batch-asg',
        ...expected,
      });
    });
  });

  describe('which resource', () => {
    it('picks the first resource the bot can describe, not simply the first one', () => {
      const raw = makeAsffFinding();
      const [securityGroup] = raw['Resources'] as unknown[];
      raw['Resources'] = [
        { Type: 'AwsAccount', Id: 'AWS::::Account:111122223333', Partition: 'aws', Region: 'ap-northeast-1' },
        securityGroup,
      ];

      expect(normalized(raw).resource.type).toBe('AwsEc2SecurityGroup');
    });

    it('falls back to the first resource and its id tail', () => {
      const raw = makeAsffFinding();
      raw['Resources'] = [
        {
          Type: 'AwsIamRole',
          Id: 'arn:aws:iam::111122223333:role/deploy',
          Partition: 'aws',
          Region: 'us-east-1',
        },
      ];
      const finding = normalized(raw);

      expect(finding.resource).toMatchObject({ type: 'AwsIamRole', shortId: 'deploy', partition: 'aws' });
      expect(finding.details).toEqual({ kind: 'none' });
    });

    it('reads an S3 bucket’s name and Block Public Access from its details (S3.8)', () => {
      const finding = fixture('malformed/unknown-control');

      expect(finding.resource).toMatchObject({
        type: 'AwsS3Bucket',
        shortId: 'web-prod-assets',
        partition: 'aws',
      });
      expect(finding.details).toMatchObject({ kind: 'bucket', bucketName: 'web-prod-assets' });
    });

    it('names the account of an S3.1 finding, whose resource is the account itself', () => {
      const finding = normalized(loadAsffFixture('s3.1-account-block-public-access'));

      expect(finding.resource).toMatchObject({ type: 'AwsAccount', shortId: '111122223333' });
      expect(finding.controlId).toBe('S3.1');
      expect(finding.details).toEqual({ kind: 'none' });
    });

    it('reads the S3.8 sample’s bucket, owner account and no Block Public Access from its details', () => {
      const finding = normalized(loadAsffFixture('s3.8-bucket-public-read'));

      expect(finding.resource).toMatchObject({
        type: 'AwsS3Bucket',
        shortId: 'cspm-demo-public-assets',
        region: 'us-east-1',
      });
      expect(finding.details).toEqual({
        kind: 'bucket',
        bucketName: 'cspm-demo-public-assets',
        ownerAccountId: '111122223333',
      });
    });
  });

  describe('control id', () => {
    it('maps a CIS v1.2.0 finding without Compliance.SecurityControlId through its rule id', () => {
      const raw = loadAsffFixture('cis-1.2-4.1-legacy');
      raw['Compliance'] = { Status: 'FAILED' };

      const finding = normalized(raw);

      expect(finding).toMatchObject({
        controlId: 'EC2.13',
        title: '4.1 Ensure no security groups allow ingress from 0.0.0.0/0 to port 22',
      });
    });

    it('uses ProductFields.ControlId of a per-standard FSBP finding', () => {
      const raw = makeAsffFinding({
        GeneratorId: 'aws-foundational-security-best-practices/v/1.0.0/EC2.19',
        Compliance: { SecurityControlId: undefined },
        ProductFields: {
          ControlId: 'EC2.19',
          StandardsArn: 'arn:aws:securityhub:::standards/aws-foundational-security-best-practices/v/1.0.0',
        },
      });

      expect(normalized(raw).controlId).toBe('EC2.19');
    });

    it('maps a PCI DSS v3.2.1 finding, whose ProductFields.ControlId is not a consolidated id', () => {
      const raw = makeAsffFinding({
        GeneratorId: 'pci-dss/v/3.2.1/PCI.EC2.5',
        Compliance: { SecurityControlId: undefined },
        ProductFields: { ControlId: 'PCI.EC2.5' },
      });

      expect(normalized(raw).controlId).toBe('EC2.13');
    });

    it('has no control for a GuardDuty finding', () => {
      const raw = makeAsffFinding({
        ProductArn: 'arn:aws:securityhub:ap-northeast-1::product/aws/guardduty',
        GeneratorId:
          'arn:aws:guardduty:ap-northeast-1:111122223333:detector/12abc34d567e8fa901bc2d34e56789f0',
        Title: 'Unprotected port on EC2 instance i-0a1b2c3d4e5f60789 is being probed.',
        Compliance: undefined,
        ProductFields: { 'aws/guardduty/service/action/actionType': 'PORT_PROBE' },
      });

      const finding = normalized(raw);

      expect(finding).not.toHaveProperty('controlId');
    });

    it('ignores a control id claimed by a product other than Security Hub', () => {
      const raw = makeAsffFinding({
        ProductArn: 'arn:aws:securityhub:ap-northeast-1:111122223333:product/111122223333/default',
      });

      expect(normalized(raw)).not.toHaveProperty('controlId');
    });
  });

  describe('severity', () => {
    it.each<[Record<string, unknown>, string]>([
      [{ Label: 'HIGH', Normalized: 70, Original: 'HIGH' }, 'HIGH'],
      [{ Label: 'critical' }, 'CRITICAL'],
      [{ Normalized: 40 }, 'MEDIUM'],
      [{ Normalized: '40' }, 'MEDIUM'],
      [{ Normalized: '90' }, 'CRITICAL'],
      [{ Normalized: 0 }, 'INFORMATIONAL'],
      [{ Label: 'SEVERE', Normalized: 75 }, 'HIGH'],
    ])('reads %o as %s', (severity, label) => {
      const raw = { ...makeAsffFinding(), Severity: severity };

      expect(normalized(raw).severity).toBe(label);
    });

    it('accepts the label with Normalized as text, as in the consolidated sample', () => {
      const raw = loadAsffFixture('ec2.54-admin-ports-ipv6');

      expect(raw['Severity']).toMatchObject({ Normalized: '70' });
      expect(normalized(raw).severity).toBe('HIGH');
    });
  });

  describe('workflow and state', () => {
    it.each(['NEW', 'NOTIFIED', 'RESOLVED', 'SUPPRESSED'])('keeps workflow status %s', (status) => {
      const raw = makeAsffFinding({ Workflow: { Status: status } });

      expect(normalized(raw).workflowStatus).toBe(status);
    });

    it('reads an existing NOTIFIED status from the fixture', () => {
      expect(fixture('ec2.19-all-tcp').workflowStatus).toBe('NOTIFIED');
    });

    it.each([
      ['NEW', 'NEW'],
      ['ASSIGNED', 'NEW'],
      ['IN_PROGRESS', 'NEW'],
      ['RESOLVED', 'RESOLVED'],
      ['DEFERRED', 'SUPPRESSED'],
    ])('falls back to the retired WorkflowState %s as %s', (state, status) => {
      const raw = makeAsffFinding({ Workflow: undefined, WorkflowState: state });

      expect(normalized(raw).workflowStatus).toBe(status);
    });

    it('treats a finding with no workflow at all as NEW and ACTIVE', () => {
      const raw = makeAsffFinding({ Workflow: undefined, WorkflowState: undefined, RecordState: undefined });

      expect(normalized(raw)).toMatchObject({ workflowStatus: 'NEW', recordState: 'ACTIVE' });
    });

    it('reads record state and compliance status', () => {
      const raw = makeAsffFinding({ RecordState: 'ARCHIVED', Compliance: { Status: 'PASSED' } });

      expect(normalized(raw)).toMatchObject({ recordState: 'ARCHIVED', complianceStatus: 'PASSED' });
    });
  });

  describe('dates', () => {
    it('normalizes offsets and long fractions to UTC with milliseconds', () => {
      const raw = makeAsffFinding({
        FirstObservedAt: '2026-11-02T18:15:00+09:00',
        LastObservedAt: '2026-11-02T09:20:00.123456789Z',
        UpdatedAt: '2026-11-02T09:21:07Z',
      });

      expect(normalized(raw)).toMatchObject({
        firstObservedAt: '2026-11-02T09:15:00.000Z',
        lastObservedAt: '2026-11-02T09:20:00.123Z',
        updatedAt: '2026-11-02T09:21:07.000Z',
      });
    });

    it('falls back to CreatedAt and UpdatedAt when the observation times are absent', () => {
      const raw = makeAsffFinding({
        FirstObservedAt: undefined,
        LastObservedAt: undefined,
        CreatedAt: '2026-10-01T00:00:00.000Z',
        UpdatedAt: '2026-11-01T00:00:00.000Z',
      });

      expect(normalized(raw)).toMatchObject({
        firstObservedAt: '2026-10-01T00:00:00.000Z',
        lastObservedAt: '2026-11-01T00:00:00.000Z',
      });
    });
  });

  describe('text and links', () => {
    it('trims the title', () => {
      const raw = makeAsffFinding({ Title: '  Security groups should not allow ingress to port 22\n' });

      expect(normalized(raw).title).toBe('Security groups should not allow ingress to port 22');
    });

    it("cuts an oversized title to ASFF's 256 characters and says it was cut", () => {
      const raw = loadAsffFixture('malformed/oversized-title');

      const finding = normalized(raw);

      expect(finding.title).toHaveLength(256);
      expect(finding.title.endsWith('…')).toBe(true);
      expect(String(raw['Title']).startsWith(finding.title.slice(0, -1))).toBe(true);
      expect(finding.truncated?.fields).toContain('title');
    });

    it('takes the remediation link from Remediation.Recommendation.Url', () => {
      expect(fixture('ec2.8-imdsv1-instance').remediationUrl).toBe(
        'https://docs.aws.amazon.com/console/securityhub/EC2.8/remediation',
      );
    });

    it('drops a remediation link that is not https', () => {
      const raw = makeAsffFinding({ Remediation: { Recommendation: { Url: 'javascript:alert(1)' } } });

      expect(normalized(raw)).not.toHaveProperty('remediationUrl');
    });
  });

  it('accepts a finding as the SDK GetFindings returns it', () => {
    // Prepare: the SDK type (numbers for Normalized, strings for timestamps), not JSON from a file.
    const sdkFinding: AwsSecurityFinding = {
      SchemaVersion: '2018-10-08',
      Id: 'arn:aws:securityhub:eu-west-1:444455556666:security-control/EC2.19/finding/c3a9d1e7-2f48-4b6c-9e05-7a8b1c2d3e19',
      ProductArn: 'arn:aws:securityhub:eu-west-1::product/aws/securityhub',
      GeneratorId: 'security-control/EC2.19',
      AwsAccountId: '444455556666',
      Region: 'eu-west-1',
      CreatedAt: '2026-10-19T22:07:41.930Z',
      UpdatedAt: '2026-11-02T06:07:44.218Z',
      Severity: { Label: 'CRITICAL', Normalized: 90 },
      Title: 'Security groups should not allow unrestricted access to ports with high risk',
      Description:
        'This control checks whether unrestricted incoming traffic is accessible to high-risk ports.',
      Resources: [
        {
          Type: 'AwsEc2SecurityGroup',
          Id: 'arn:aws:ec2:eu-west-1:444455556666:security-group/sg-0e5d4c3b2a1908f7e',
          Partition: 'aws',
          Region: 'eu-west-1',
          Details: {
            AwsEc2SecurityGroup: {
              GroupId: 'sg-0e5d4c3b2a1908f7e',
              IpPermissions: [
                { IpProtocol: 'tcp', FromPort: 0, ToPort: 65535, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
              ],
            },
          },
        },
      ],
      Compliance: { Status: 'FAILED', SecurityControlId: 'EC2.19' },
      Workflow: { Status: 'NEW' },
      RecordState: 'ACTIVE',
    };

    // Act
    const finding = normalized(sdkFinding);

    // Assess
    expect(finding).toMatchObject({
      controlId: 'EC2.19',
      severity: 'CRITICAL',
      firstObservedAt: '2026-10-19T22:07:41.930Z',
    });
  });

  describe('malformed findings', () => {
    const ec2Id =
      'arn:aws:securityhub:ap-northeast-1:111122223333:security-control/EC2.13/finding/1f2e3d4c-5b6a-4789-8a0b-c1d2e3f40001';

    it.each<[string, () => unknown, string, string | undefined]>([
      [
        'missing-resources.json',
        () => loadAsffFixture('malformed/missing-resources'),
        'Resources is missing',
        'arn:aws:securityhub:us-east-1:111122223333:security-control/EC2.13/finding/a1c3e5f7-9b2d-4f6a-8c1e-3a5c7e9b0d01',
      ],
      [
        'missing-severity.json',
        () => loadAsffFixture('malformed/missing-severity'),
        'Severity is missing',
        'arn:aws:securityhub:ap-northeast-1:444455556666:security-control/EC2.14/finding/c5e7a9b1-3d5f-4a7c-9e1b-5d7f9a1c3e14',
      ],
      ['empty Resources', () => makeAsffFinding({ Resources: [] }), 'Resources is empty', ec2Id],
      [
        'empty Severity',
        () => ({ ...makeAsffFinding(), Severity: {} }),
        'Severity has neither Label nor Normalized',
        ec2Id,
      ],
      [
        'Normalized out of range',
        () => ({ ...makeAsffFinding(), Severity: { Normalized: '250' } }),
        'Severity.Normalized "250" is not a number from 0 to 100',
        ec2Id,
      ],
      ['no Id', () => makeAsffFinding({ Id: undefined }), 'Id is missing', undefined],
      ['no ProductArn', () => makeAsffFinding({ ProductArn: undefined }), 'ProductArn is missing', ec2Id],
      [
        'no AwsAccountId',
        () => makeAsffFinding({ AwsAccountId: undefined }),
        'AwsAccountId is missing',
        ec2Id,
      ],
      [
        'a bad AwsAccountId',
        () => makeAsffFinding({ AwsAccountId: '1111-2222-3333' }),
        'AwsAccountId is not a 12-digit account id',
        ec2Id,
      ],
      [
        'a resource without Type',
        () => makeAsffFinding({ Resources: [{ Id: 'sg-0abc1234def567890' }] }),
        'Resources[0].Type is missing',
        ec2Id,
      ],
      ['a Title that is not text', () => makeAsffFinding({ Title: 42 }), 'Title is not a string', ec2Id],
      ['a blank Title', () => makeAsffFinding({ Title: '   ' }), 'Title is empty', ec2Id],
      [
        'a bad UpdatedAt',
        () => makeAsffFinding({ UpdatedAt: 'yesterday' }),
        'UpdatedAt is not a valid timestamp: "yesterday"',
        ec2Id,
      ],
      [
        'an impossible FirstObservedAt',
        () => makeAsffFinding({ FirstObservedAt: '2026-13-45T00:00:00Z' }),
        'FirstObservedAt is not a valid timestamp',
        ec2Id,
      ],
      [
        'an unknown workflow status',
        () => makeAsffFinding({ Workflow: { Status: 'CLOSED' } }),
        'Workflow.Status "CLOSED" is not one of NEW, NOTIFIED, RESOLVED, SUPPRESSED',
        ec2Id,
      ],
    ])('rejects a finding with %s and says why', (_case, build, reason, findingId) => {
      const result = normalizeAsffFinding(build());

      expect(result).toEqual(
        findingId === undefined
          ? { ok: false, reason: expect.stringContaining(reason) }
          : { ok: false, reason: expect.stringContaining(reason), findingId },
      );
    });

    it('lists every missing required field in one reason', () => {
      const result = normalizeAsffFinding({ Title: 'x' });

      expect(result.ok).toBe(false);
      expect(!result.ok && result.reason).toMatch(
        /Id is missing.*ProductArn is missing.*GeneratorId is missing/,
      );
    });

    it.each<[string, unknown]>([
      ['null', null],
      ['undefined', undefined],
      ['a number', 42],
      ['a string', '{"Id":"x"}'],
      ['an array', [makeAsffFinding()]],
      [
        'an object whose Id getter throws',
        Object.defineProperty({}, 'Id', {
          enumerable: true,
          get: () => {
            throw new Error('boom');
          },
        }),
      ],
    ])('returns a reason instead of throwing for %s', (_case, input) => {
      const result = normalizeAsffFinding(input);

      expect(result).toMatchObject({ ok: false, reason: expect.any(String) });
    });

    it('says a non-object is not a finding', () => {
      expect(normalizeAsffFinding(null)).toEqual({ ok: false, reason: 'Finding is not an object' });
    });
  });
});

describe('findingsFromImportedEvent', () => {
  it('normalizes the finding of a "Security Hub Findings - Imported" event and returns the event id', () => {
    const event = loadAsffFixture('imported-event');

    const { findings, eventId } = findingsFromImportedEvent(event);

    expect(eventId).toBe('3f9c2a71-5d4e-6b8f-0a1c-2e3d4f5a6b7c');
    expect(findings).toEqual([{ ok: true, finding: fixture('ec2.13-ssh-ipv4') }]);
  });

  it('carries the same finding as the EC2.13 fixture', () => {
    const event = loadAsffFixture('imported-event');

    expect(event['detail']).toEqual({ findings: [loadAsffFixture('ec2.13-ssh-ipv4')] });
  });

  it.each([
    [
      'detail-type',
      'Security Hub Findings - Custom Action',
      'Event detail-type is "Security Hub Findings - Custom Action", not "Security Hub Findings - Imported"',
    ],
    [
      'detail-type',
      'Findings Imported V2',
      'Event detail-type is "Findings Imported V2", not "Security Hub Findings - Imported"',
    ],
    ['source', 'aws.guardduty', 'Event source is "aws.guardduty", not "aws.securityhub"'],
  ])('reports an event whose %s is "%s" as one unusable result', (key, value, reason) => {
    const event = makeImportedEvent([makeAsffFinding()], { [key]: value });

    const { findings, eventId } = findingsFromImportedEvent(event);

    expect(findings).toEqual([{ ok: false, reason }]);
    expect(eventId).toBe('3f9c2a71-5d4e-6b8f-0a1c-2e3d4f5a6b7c');
  });

  it('still yields the good findings of a batch that holds a malformed one', () => {
    // Prepare
    const good = [loadAsffFixture('ec2.13-ssh-ipv4'), loadAsffFixture('ec2.8-imdsv1-instance')];
    const bad = loadAsffFixture('malformed/missing-severity');
    const event = makeImportedEvent([good[0], bad, good[1]]);

    // Act
    const { findings } = findingsFromImportedEvent(event);

    // Assess
    expect(findings.map((result) => (result.ok ? result.finding.controlId : result.reason))).toEqual([
      'EC2.13',
      expect.stringContaining('Severity is missing'),
      'EC2.8',
    ]);
    expect(findings[1]).toMatchObject({ findingId: bad['Id'] });
  });

  it.each<[string, unknown, string]>([
    ['not an object', 'Security Hub Findings - Imported', 'Event is not an object'],
    [
      'without detail-type',
      { ...makeImportedEvent([]), 'detail-type': undefined },
      'Event detail-type is missing',
    ],
    ['without detail', { ...makeImportedEvent([]), detail: undefined }, 'Event detail is missing'],
    ['with no findings', makeImportedEvent([]), 'Event detail.findings is empty'],
  ])('reports an event %s', (_case, event, reason) => {
    const { findings } = findingsFromImportedEvent(event);

    expect(findings).toEqual([
      { ok: false, reason: expect.stringContaining(reason) } satisfies NormalizeResult,
    ]);
  });
});

describe('bundled sample findings', () => {
  it('normalize without a single rejection', () => {
    const results = allSampleFindings().map(normalizeAsffFinding);

    expect(results.filter((result) => !result.ok)).toEqual([]);
    expect(results).toHaveLength(sampleFindingNames().length);
  });

  it('form a small estate of two accounts in three regions with one finding per resource', () => {
    const findings = allSampleFindings().map(normalized);

    expect(new Set(findings.map((finding) => finding.accountId))).toEqual(
      new Set(['111122223333', '444455556666']),
    );
    expect(new Set(findings.map((finding) => finding.region))).toEqual(
      new Set(['ap-northeast-1', 'us-east-1', 'eu-west-1']),
    );
    expect(new Set(findings.map((finding) => finding.id)).size).toBe(findings.length);
    expect(new Set(findings.map((finding) => finding.resource.id)).size).toBe(findings.length);
  });

  it('include a finding below the alerting threshold', () => {
    const severities = allSampleFindings().map((raw) => normalized(raw).severity);

    expect(severities).toContain('LOW');
  });
});

function withSecurityGroupPermissions(ipPermissions: unknown): Record<string, unknown> {
  const raw = makeAsffFinding();
  const [resource] = raw['Resources'] as Record<string, unknown>[];
  const details = (resource?.['Details'] as { AwsEc2SecurityGroup: Record<string, unknown> })
    .AwsEc2SecurityGroup;
  raw['Resources'] = [
    { ...resource, Details: { AwsEc2SecurityGroup: { ...details, IpPermissions: ipPermissions } } },
  ];
  return raw;
}
