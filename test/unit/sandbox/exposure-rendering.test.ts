import { describe, expect, it } from 'vitest';
import type { Estate, RegionEstate } from '../../../src/sandbox/estate.js';
import {
  exposureFindingOf,
  instanceExposures,
  nextExposureFindings,
} from '../../../src/sandbox/exposure-rendering.js';
import { makeAsffFinding } from '../../fixtures/asff.js';

const ACCOUNT = '111122223333';
const REGION = 'ap-northeast-1';
const GROUP = 'sg-0abc1234def567890';
const GROUP_ARN = `arn:aws:ec2:${REGION}:${ACCOUNT}:security-group/${GROUP}`;
const INSTANCE = 'i-0a1b2c3d4e5f6c001';
const INSTANCE_ARN = `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/${INSTANCE}`;
const SUBNET = 'subnet-0a1b2c3d4e5f6a001';
const VPC = 'vpc-0a1b2c3d4e5f67890';
const NOW = new Date('2026-11-30T10:00:00.000Z');
const LATER = new Date('2026-11-30T11:00:00.000Z');

/** The EC2.13 finding on GROUP (tcp/22 from 0.0.0.0/0), open and failing. */
const ec213 = makeAsffFinding();

interface NetworkShape {
  /** The instance's public IPv4 address (none: a private instance). */
  readonly publicIp?: string;
  /** Its subnet's route table sends 0.0.0.0/0 to an internet gateway. */
  readonly routeToInternetGateway?: boolean;
  /** The group's world-open SSH rule is still there. */
  readonly sshOpenToWorld?: boolean;
}

/** One instance in one subnet behind GROUP, with a default network ACL that lets everything in. */
function estateOf({
  publicIp = '203.0.113.20',
  routeToInternetGateway = true,
  sshOpenToWorld = true,
}: NetworkShape = {}): Estate {
  const region: RegionEstate = {
    accountId: ACCOUNT,
    region: REGION,
    Vpcs: [{ VpcId: VPC }],
    Subnets: [{ SubnetId: SUBNET, VpcId: VPC }],
    InternetGateways: [{ InternetGatewayId: 'igw-0a1b2c3d4e5f6a001' }],
    RouteTables: [
      {
        RouteTableId: 'rtb-0a1b2c3d4e5f6a002',
        VpcId: VPC,
        Associations: [{ SubnetId: SUBNET, Main: false, AssociationState: { State: 'associated' } }],
        Routes: [
          { DestinationCidrBlock: '10.10.0.0/16', GatewayId: 'local', State: 'active' },
          ...(routeToInternetGateway
            ? [
                {
                  DestinationCidrBlock: '0.0.0.0/0',
                  GatewayId: 'igw-0a1b2c3d4e5f6a001',
                  State: 'active' as const,
                },
              ]
            : []),
        ],
      },
    ],
    NetworkAcls: [
      {
        NetworkAclId: 'acl-0a1b2c3d4e5f6a001',
        VpcId: VPC,
        IsDefault: true,
        Associations: [{ SubnetId: SUBNET }],
        Entries: [
          { RuleNumber: 100, Protocol: '-1', RuleAction: 'allow', Egress: false, CidrBlock: '0.0.0.0/0' },
          { RuleNumber: 32767, Protocol: '-1', RuleAction: 'deny', Egress: false, CidrBlock: '0.0.0.0/0' },
        ],
      },
    ],
    SecurityGroups: [{ GroupId: GROUP, GroupName: 'web-prod', VpcId: VPC, SecurityGroupArn: GROUP_ARN }],
    SecurityGroupRules: [
      ...(sshOpenToWorld
        ? [
            {
              SecurityGroupRuleId: 'sgr-0a1b2c3d4e5f60001',
              GroupId: GROUP,
              IsEgress: false,
              IpProtocol: 'tcp',
              FromPort: 22,
              ToPort: 22,
              CidrIpv4: '0.0.0.0/0',
            },
          ]
        : []),
      {
        SecurityGroupRuleId: 'sgr-0a1b2c3d4e5f60002',
        GroupId: GROUP,
        IsEgress: false,
        IpProtocol: 'tcp',
        FromPort: 443,
        ToPort: 443,
        CidrIpv4: '10.10.0.0/16',
      },
    ],
    NetworkInterfaces: [
      {
        NetworkInterfaceId: 'eni-0a1b2c3d4e5f6b001',
        SubnetId: SUBNET,
        VpcId: VPC,
        Groups: [{ GroupId: GROUP }],
        Attachment: { InstanceId: INSTANCE },
        ...(publicIp && { Association: { PublicIp: publicIp } }),
        Ipv6Addresses: [],
      },
    ],
    Reservations: [{ Instances: [{ InstanceId: INSTANCE, State: { Name: 'running' } }] }],
    LaunchTemplates: [],
    LaunchTemplateVersions: [],
    AutoScalingGroups: [],
    LaunchConfigurations: [],
  };
  return { homeAccountId: ACCOUNT, regions: [region] };
}

const relatedEventsOf = (finding: Record<string, unknown>) =>
  (finding['finding_info'] as { related_events: Record<string, unknown>[] }).related_events;

describe('instanceExposures: the instances the internet reaches through a flagged security group', () => {
  it('finds the reachable instance once, reached on tcp/22 through the EC2.13 finding’s group', () => {
    const [exposure, ...others] = instanceExposures(estateOf(), [ec213]);

    expect(others).toEqual([]);
    expect(exposure).toMatchObject({
      accountId: ACCOUNT,
      region: REGION,
      instanceId: INSTANCE,
      instanceArn: INSTANCE_ARN,
      ports: [{ protocol: 'tcp', from: 22, to: 22 }],
      controlFindings: [{ findingId: ec213['Id'], controlId: 'EC2.13', groupArn: GROUP_ARN }],
    });
  });

  it('renders it as Security Hub’s exposure finding: the control finding and one reachability event per port', () => {
    const [exposure] = instanceExposures(estateOf(), [ec213]);
    const at = NOW.toISOString();

    const rendered = exposureFindingOf(exposure!, { createdAt: at, modifiedAt: at });

    expect(rendered).toMatchObject({
      class_uid: 2004,
      class_name: 'Detection Finding',
      activity_id: 1,
      type_uid: 200401,
      status_id: 1,
      severity_id: 4,
      time: NOW.getTime(),
      cloud: { account: { uid: ACCOUNT }, region: REGION },
      finding_info: {
        analytic: { name: 'Exposure', type_id: 1 },
        uid: expect.stringMatching(
          new RegExp(`^arn:aws:securityhub:${REGION}:${ACCOUNT}:exposure/[0-9a-f]{64}$`),
        ) as unknown,
        types: ['Exposure'],
        modified_time_dt: at,
        related_events_count: 2,
      },
      resources: [{ type: 'AWS::EC2::Instance', uid: INSTANCE, uid_alt: INSTANCE_ARN }],
      metadata: { product: { uid: `arn:aws:securityhub:${REGION}::productv2/aws/securityhub` } },
    });
    const [control, reachability] = relatedEventsOf(rendered);
    expect(control).toEqual({
      uid: ec213['Id'],
      product: { uid: `arn:aws:securityhub:${REGION}::productv2/aws/securityhub` },
      title: ec213['Title'],
      type: 'Finding',
      tags: [
        { name: 'Reachability', values: ['Open to the internet on tcp/22'] },
        { name: 'Misconfiguration', values: ['EC2.13 failed: security group open to the internet'] },
      ],
      observables: [{ type: 'Resource UID', type_id: 10, value: GROUP_ARN }],
    });
    expect(reachability).toMatchObject({
      product: { uid: `arn:aws:securityhub:${REGION}::productv2/aws/inspector` },
      title: 'Port 22 is reachable from an Internet Gateway - TCP',
      tags: [{ name: 'Reachability', values: ['Reachable from an internet gateway on tcp/22'] }],
      observables: [{ type: 'Resource UID', type_id: 10, value: INSTANCE_ARN }],
    });
  });

  it('names every port of an all-traffic rule as one range per protocol', () => {
    const estate = estateOf({ sshOpenToWorld: false });
    estate.regions[0]!.SecurityGroupRules.push({
      SecurityGroupRuleId: 'sgr-0a1b2c3d4e5f60003',
      GroupId: GROUP,
      IsEgress: false,
      IpProtocol: '-1',
      FromPort: -1,
      ToPort: -1,
      CidrIpv4: '0.0.0.0/0',
    });
    const ec22 = makeAsffFinding({
      Id: `arn:aws:securityhub:${REGION}:${ACCOUNT}:security-control/EC2.2/finding/default-group`,
      Compliance: { SecurityControlId: 'EC2.2' },
    });

    const [exposure] = instanceExposures(estate, [ec22]);
    const at = NOW.toISOString();
    const titles = relatedEventsOf(exposureFindingOf(exposure!, { createdAt: at, modifiedAt: at })).map(
      (event) => event['title'],
    );

    expect(titles.slice(1)).toEqual([
      'Port range 0 - 65535 is reachable from an Internet Gateway - TCP',
      'Port range 0 - 65535 is reachable from an Internet Gateway - UDP',
    ]);
  });

  it.each([
    ['has no public address', { publicIp: '' }],
    ['sits in a subnet without a route to an internet gateway', { routeToInternetGateway: false }],
    ['is behind a group whose world-open rule was revoked', { sshOpenToWorld: false }],
  ])('finds no exposure for an instance that %s', (_why, shape: NetworkShape) => {
    expect(instanceExposures(estateOf(shape), [ec213])).toEqual([]);
  });

  it('finds none once the control finding is resolved or passes, or when a network ACL keeps the port closed', () => {
    const blocked = estateOf();
    blocked.regions[0]!.NetworkAcls[0]!.Entries!.unshift({
      RuleNumber: 90,
      Protocol: '6',
      RuleAction: 'deny',
      Egress: false,
      CidrBlock: '0.0.0.0/0',
      PortRange: { From: 22, To: 22 },
    });

    expect(instanceExposures(estateOf(), [makeAsffFinding({ Workflow: { Status: 'RESOLVED' } })])).toEqual(
      [],
    );
    expect(instanceExposures(estateOf(), [makeAsffFinding({ Compliance: { Status: 'PASSED' } })])).toEqual(
      [],
    );
    expect(instanceExposures(blocked, [ec213])).toEqual([]);
  });
});

describe('nextExposureFindings: what Security Hub announces as exposures come and go', () => {
  it('publishes a new exposure once, and not again while it holds unchanged', () => {
    const current = instanceExposures(estateOf(), [ec213]);

    const first = nextExposureFindings([], current, NOW);
    const again = nextExposureFindings(JSON.parse(JSON.stringify(first.findings)) as [], current, LATER);

    expect(first.changed).toHaveLength(1);
    expect(first.changed[0]).toMatchObject({ status: 'New', status_id: 1, activity_name: 'Create' });
    expect(again.changed).toEqual([]);
    expect(again.findings).toEqual(first.findings);
  });

  it('resolves it, under the same uid and with a newer modification time, once the rule is revoked', () => {
    const first = nextExposureFindings([], instanceExposures(estateOf(), [ec213]), NOW);

    const revoked = nextExposureFindings(
      first.findings,
      instanceExposures(estateOf({ sshOpenToWorld: false }), [ec213]),
      LATER,
    );
    const afterwards = nextExposureFindings(revoked.findings, [], new Date('2026-11-30T12:00:00.000Z'));

    expect(revoked.changed).toHaveLength(1);
    const [resolved] = revoked.changed;
    expect(resolved).toMatchObject({
      status: 'Resolved',
      status_id: 4,
      activity_id: 3,
      type_uid: 200403,
      time_dt: LATER.toISOString(),
      finding_info: {
        uid: (first.changed[0]!['finding_info'] as { uid: string }).uid,
        created_time_dt: NOW.toISOString(),
        modified_time_dt: LATER.toISOString(),
      },
    });
    expect(revoked.findings).toEqual([resolved]);
    expect(afterwards.changed).toEqual([]);
  });

  it('reopens a resolved exposure as an update of the same finding when the rule comes back', () => {
    const current = instanceExposures(estateOf(), [ec213]);
    const first = nextExposureFindings([], current, NOW);
    const resolved = nextExposureFindings(first.findings, [], LATER);

    const reopened = nextExposureFindings(resolved.findings, current, new Date('2026-11-30T12:00:00.000Z'));

    expect(reopened.changed).toHaveLength(1);
    expect(reopened.changed[0]).toMatchObject({
      status_id: 1,
      activity_name: 'Update',
      type_uid: 200402,
      finding_info: { created_time_dt: NOW.toISOString(), modified_time_dt: '2026-11-30T12:00:00.000Z' },
    });
  });
});
