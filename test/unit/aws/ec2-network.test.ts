import 'aws-sdk-client-mock-vitest/extend';
import {
  DescribeInstancesCommand,
  DescribeNetworkAclsCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupRulesCommand,
  EC2Client,
  EC2ServiceException,
} from '@aws-sdk/client-ec2';
import type { SecurityGroupRule as SdkSecurityGroupRule } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { Ec2NetworkReader } from '../../../src/aws/ec2-network.js';
import {
  AwsAccessDeniedError,
  AwsResourceNotFoundError,
  AwsThrottledError,
  AwsUnexpectedResponseError,
} from '../../../src/aws/errors.js';
import type { SecurityGroupRule } from '../../../src/domain/security-group-rule.js';
import {
  DEFAULT_NETWORK_ACL_ID,
  GROUP_ID,
  INSTANCE_ID,
  PUBLIC_NETWORK_ACL_ID,
  describeNetworkAclsOutput,
  makeSdkDefaultNetworkAcl,
  makeSdkNetworkAcl,
  makeSdkNetworkAclEntry,
  LOCAL_ROUTE,
  PRIVATE_SUBNET_ID,
  PUBLIC_SUBNET_ID,
  VPC_ID,
  describeInstancesOutput,
  describeNetworkInterfacesOutput,
  describeRouteTablesOutput,
  describeSecurityGroupRulesOutput,
  internetRoute,
  mainAssociation,
  makeSdkEgressRule,
  makeSdkInstance,
  makeSdkLoadBalancerInterface,
  makeSdkNetworkInterface,
  makeSdkRouteTable,
  makeSdkRule,
  subnetAssociation,
} from '../../fixtures/ec2.js';
import { ACCOUNT, REGION } from '../../fixtures/finding.js';

const ec2 = mockClient(EC2Client);

/** What the SDK throws for an EC2 error response: the AWS error code becomes `name`. */
function ec2Error(name: string, message: string): EC2ServiceException {
  return new EC2ServiceException({ name, message, $fault: 'client', $metadata: { httpStatusCode: 400 } });
}

function newReader(): Ec2NetworkReader {
  return new Ec2NetworkReader(new EC2Client({ region: REGION }), { accountId: ACCOUNT });
}

const GROUP_FILTER = { Filters: [{ Name: 'group-id', Values: [GROUP_ID] }] };

beforeEach(() => {
  ec2.reset();
});

describe('Ec2NetworkReader', () => {
  describe('ingressRules', () => {
    it.each<[string, SdkSecurityGroupRule, SecurityGroupRule]>([
      [
        'a tcp port open to an IPv4 CIDR',
        makeSdkRule({ Description: 'SSH from anywhere' }),
        {
          ruleId: 'sgr-0a1b2c3d4e5f60001',
          groupId: GROUP_ID,
          isEgress: false,
          protocol: 'tcp',
          fromPort: 22,
          toPort: 22,
          source: { kind: 'ipv4', cidr: '0.0.0.0/0' },
          description: 'SSH from anywhere',
        },
      ],
      [
        'all traffic (protocol -1, ports -1)',
        makeSdkRule({
          SecurityGroupRuleId: 'sgr-0a1b2c3d4e5f60002',
          IpProtocol: '-1',
          FromPort: -1,
          ToPort: -1,
        }),
        {
          ruleId: 'sgr-0a1b2c3d4e5f60002',
          groupId: GROUP_ID,
          isEgress: false,
          protocol: '-1',
          fromPort: -1,
          toPort: -1,
          source: { kind: 'ipv4', cidr: '0.0.0.0/0' },
        },
      ],
      [
        'an IPv6 CIDR',
        makeSdkRule({ FromPort: 3389, ToPort: 3389, source: { CidrIpv6: '::/0' } }),
        {
          ruleId: 'sgr-0a1b2c3d4e5f60001',
          groupId: GROUP_ID,
          isEgress: false,
          protocol: 'tcp',
          fromPort: 3389,
          toPort: 3389,
          source: { kind: 'ipv6', cidr: '::/0' },
        },
      ],
      [
        'a referenced security group with its owner',
        makeSdkRule({
          IpProtocol: '-1',
          FromPort: -1,
          ToPort: -1,
          source: { ReferencedGroupInfo: { GroupId: 'sg-0fedcba9876543210', UserId: '444455556666' } },
        }),
        {
          ruleId: 'sgr-0a1b2c3d4e5f60001',
          groupId: GROUP_ID,
          isEgress: false,
          protocol: '-1',
          fromPort: -1,
          toPort: -1,
          source: { kind: 'security-group', groupId: 'sg-0fedcba9876543210', userId: '444455556666' },
        },
      ],
      [
        'a prefix list',
        makeSdkRule({ FromPort: 443, ToPort: 443, source: { PrefixListId: 'pl-0a1b2c3d4e5f60001' } }),
        {
          ruleId: 'sgr-0a1b2c3d4e5f60001',
          groupId: GROUP_ID,
          isEgress: false,
          protocol: 'tcp',
          fromPort: 443,
          toPort: 443,
          source: { kind: 'prefix-list', prefixListId: 'pl-0a1b2c3d4e5f60001' },
        },
      ],
      [
        'a port range of udp written in capitals',
        makeSdkRule({ IpProtocol: 'UDP', FromPort: 1000, ToPort: 2000 }),
        {
          ruleId: 'sgr-0a1b2c3d4e5f60001',
          groupId: GROUP_ID,
          isEgress: false,
          protocol: 'udp',
          fromPort: 1000,
          toPort: 2000,
          source: { kind: 'ipv4', cidr: '0.0.0.0/0' },
        },
      ],
    ])('converts a rule with %s', async (_case, sdkRule, expected) => {
      // Prepare
      ec2.on(DescribeSecurityGroupRulesCommand).resolves(describeSecurityGroupRulesOutput([sdkRule]));

      // Act
      const rules = await newReader().ingressRules(GROUP_ID);

      // Assess
      expect(rules).toEqual([expected]);
    });

    it('asks EC2 for the rules of that group only and leaves egress rules out', async () => {
      // Prepare
      ec2
        .on(DescribeSecurityGroupRulesCommand)
        .resolves(
          describeSecurityGroupRulesOutput([
            makeSdkEgressRule({ source: { CidrIpv6: '::/0' } }),
            makeSdkRule(),
            makeSdkEgressRule({ SecurityGroupRuleId: 'sgr-0a1b2c3d4e5f6e002' }),
          ]),
        );

      // Act
      const rules = await newReader().ingressRules(GROUP_ID);

      // Assess
      expect(rules.map((rule) => rule.ruleId)).toEqual(['sgr-0a1b2c3d4e5f60001']);
      expect(rules.every((rule) => !rule.isEgress)).toBe(true);
      expect(ec2).toHaveReceivedCommandWith(DescribeSecurityGroupRulesCommand, GROUP_FILTER);
    });

    it('follows NextToken through every page', async () => {
      // Prepare
      const ruleIds = ['sgr-0a1b2c3d4e5f6a001', 'sgr-0a1b2c3d4e5f6a002', 'sgr-0a1b2c3d4e5f6a003'];
      ec2
        .on(DescribeSecurityGroupRulesCommand, { NextToken: undefined })
        .resolves(
          describeSecurityGroupRulesOutput([makeSdkRule({ SecurityGroupRuleId: ruleIds[0] })], 'page-2'),
        )
        .on(DescribeSecurityGroupRulesCommand, { NextToken: 'page-2' })
        .resolves(
          describeSecurityGroupRulesOutput(
            [makeSdkEgressRule(), makeSdkRule({ SecurityGroupRuleId: ruleIds[1] })],
            'page-3',
          ),
        )
        .on(DescribeSecurityGroupRulesCommand, { NextToken: 'page-3' })
        .resolves(describeSecurityGroupRulesOutput([makeSdkRule({ SecurityGroupRuleId: ruleIds[2] })]));

      // Act
      const rules = await newReader().ingressRules(GROUP_ID);

      // Assess
      expect(rules.map((rule) => rule.ruleId)).toEqual(ruleIds);
      expect(ec2).toHaveReceivedCommandTimes(DescribeSecurityGroupRulesCommand, 3);
    });

    it.each([
      ['UnauthorizedOperation', AwsAccessDeniedError, 'AWS_ACCESS_DENIED'],
      ['RequestLimitExceeded', AwsThrottledError, 'AWS_THROTTLED'],
      ['InvalidGroup.NotFound', AwsResourceNotFoundError, 'AWS_NOT_FOUND'],
      ['InvalidSecurityGroupRuleId.NotFound', AwsResourceNotFoundError, 'AWS_NOT_FOUND'],
    ])('turns %s into %s, keeping the SDK error as cause', async (name, ErrorClass, code) => {
      // Prepare
      const sdkError = ec2Error(name, `EC2 said ${name}`);
      ec2.on(DescribeSecurityGroupRulesCommand).rejects(sdkError);

      // Act
      const error: unknown = await newReader()
        .ingressRules(GROUP_ID)
        .catch((thrown: unknown) => thrown);

      // Assess
      expect(error).toBeInstanceOf(ErrorClass);
      expect(error).toMatchObject({
        code,
        cause: sdkError,
        context: {
          service: 'EC2',
          operation: 'DescribeSecurityGroupRules',
          accountId: ACCOUNT,
          region: REGION,
          resourceId: GROUP_ID,
          awsErrorName: name,
        },
      });
    });

    it('tells the user which API and account refused, and to check the bot role', async () => {
      // Prepare
      ec2
        .on(DescribeSecurityGroupRulesCommand)
        .rejects(
          ec2Error(
            'UnauthorizedOperation',
            'You are not authorized to perform this operation. User: arn:aws:sts::111122223333:assumed-role/cspm-bot/' +
              'session is not authorized to perform: ec2:DescribeSecurityGroupRules',
          ),
        );

      // Act
      const error = await newReader()
        .ingressRules(GROUP_ID)
        .catch((thrown: unknown) => thrown);

      // Assess
      expect(error).toBeInstanceOf(AwsAccessDeniedError);
      const { userMessage } = error as AwsAccessDeniedError;
      expect(userMessage).toContain('DescribeSecurityGroupRules');
      expect(userMessage).toContain(ACCOUNT);
      expect(userMessage).toContain(REGION);
      expect(userMessage).toMatch(/role/);
    });

    it.each([
      ['an EC2 error it does not know', ec2Error('InvalidParameterValue', 'Invalid filter')],
      ['an error that is not from AWS', new TypeError('fetch failed')],
    ])('rethrows %s unchanged', async (_case, original) => {
      // Prepare
      ec2.on(DescribeSecurityGroupRulesCommand).rejects(original);

      // Act
      const error = await newReader()
        .ingressRules(GROUP_ID)
        .catch((thrown: unknown) => thrown);

      // Assess
      expect(error).toBe(original);
    });
  });

  describe('networkFacts', () => {
    const publicTableId = 'rtb-0a1b2c3d4e5f60002';
    const mainTable = makeSdkRouteTable();
    const publicTable = makeSdkRouteTable({
      RouteTableId: publicTableId,
      Associations: [subnetAssociation(publicTableId, PUBLIC_SUBNET_ID)],
      Routes: [LOCAL_ROUTE, internetRoute({ cidr: '0.0.0.0/0' }), internetRoute({ ipv6Cidr: '::/0' })],
    });

    it('describes each interface that uses the group across pages', async () => {
      // Prepare
      const dualStack = makeSdkNetworkInterface({
        NetworkInterfaceId: 'eni-0a1b2c3d4e5f60003',
        Attachment: { ...makeSdkNetworkInterface().Attachment, InstanceId: 'i-0a1b2c3d4e5f60003' },
        Ipv6Addresses: [{ Ipv6Address: '2001:db8:1234:1a00::123', IsPrimaryIpv6: false }],
      });
      ec2
        .on(DescribeNetworkInterfacesCommand, { NextToken: undefined })
        .resolves(describeNetworkInterfacesOutput([makeSdkNetworkInterface()], 'page-2'))
        .on(DescribeNetworkInterfacesCommand, { NextToken: 'page-2' })
        .resolves(describeNetworkInterfacesOutput([makeSdkLoadBalancerInterface(), dualStack]));
      ec2.on(DescribeRouteTablesCommand).resolves(describeRouteTablesOutput([mainTable]));

      // Act
      const { interfaces } = await newReader().networkFacts(GROUP_ID);

      // Assess
      expect(interfaces).toEqual([
        {
          networkInterfaceId: 'eni-0a1b2c3d4e5f60001',
          subnetId: PUBLIC_SUBNET_ID,
          vpcId: VPC_ID,
          publicIp: '203.0.113.12',
          ipv6Addresses: [],
          attachedTo: INSTANCE_ID,
        },
        {
          networkInterfaceId: 'eni-0a1b2c3d4e5f60002',
          subnetId: PRIVATE_SUBNET_ID,
          vpcId: VPC_ID,
          ipv6Addresses: [],
          attachedTo: 'ELB app/web-prod/50dc6c495c0c9188',
        },
        {
          networkInterfaceId: 'eni-0a1b2c3d4e5f60003',
          subnetId: PUBLIC_SUBNET_ID,
          vpcId: VPC_ID,
          publicIp: '203.0.113.12',
          ipv6Addresses: ['2001:db8:1234:1a00::123'],
          attachedTo: 'i-0a1b2c3d4e5f60003',
        },
      ]);
      expect(ec2).toHaveReceivedCommandWith(DescribeNetworkInterfacesCommand, GROUP_FILTER);
      expect(ec2).toHaveReceivedCommandTimes(DescribeNetworkInterfacesCommand, 2);
    });

    it('names the requester when an interface has neither instance nor description', async () => {
      // Prepare
      ec2
        .on(DescribeNetworkInterfacesCommand)
        .resolves(
          describeNetworkInterfacesOutput([
            makeSdkLoadBalancerInterface({ Description: '', RequesterId: 'AIDAEXAMPLEREQUESTER' }),
          ]),
        );
      ec2.on(DescribeRouteTablesCommand).resolves(describeRouteTablesOutput([mainTable]));

      // Act
      const { interfaces } = await newReader().networkFacts(GROUP_ID);

      // Assess
      expect(interfaces[0]?.attachedTo).toBe('AIDAEXAMPLEREQUESTER');
    });

    it('takes the public IP of a secondary private address when the primary has none', async () => {
      // Prepare
      const primaryWithoutPublicIp = makeSdkNetworkInterface();
      delete primaryWithoutPublicIp.Association;
      ec2.on(DescribeNetworkInterfacesCommand).resolves(
        describeNetworkInterfacesOutput([
          {
            ...primaryWithoutPublicIp,
            PrivateIpAddresses: [
              { Primary: true, PrivateIpAddress: '10.0.1.17' },
              {
                Association: {
                  IpOwnerId: ACCOUNT,
                  PublicIp: '198.51.100.7',
                  AllocationId: 'eipalloc-0a1b2c3d4e5f60001',
                },
                Primary: false,
                PrivateIpAddress: '10.0.1.18',
              },
            ],
          },
        ]),
      );
      ec2.on(DescribeRouteTablesCommand).resolves(describeRouteTablesOutput([mainTable]));

      // Act
      const { interfaces } = await newReader().networkFacts(GROUP_ID);

      // Assess
      expect(interfaces[0]?.publicIp).toBe('198.51.100.7');
    });

    it('reads the route tables of the VPC across pages, with main and explicit subnet associations', async () => {
      // Prepare
      ec2
        .on(DescribeNetworkInterfacesCommand)
        .resolves(describeNetworkInterfacesOutput([makeSdkNetworkInterface()]));
      ec2
        .on(DescribeRouteTablesCommand, { NextToken: undefined })
        .resolves(describeRouteTablesOutput([mainTable], 'page-2'))
        .on(DescribeRouteTablesCommand, { NextToken: 'page-2' })
        .resolves(describeRouteTablesOutput([publicTable]));

      // Act
      const { routeTables } = await newReader().networkFacts(GROUP_ID, VPC_ID);

      // Assess
      expect(routeTables).toEqual([
        {
          routeTableId: 'rtb-0a1b2c3d4e5f60001',
          vpcId: VPC_ID,
          isMain: true,
          subnetIds: [],
          internetGatewayDestinations: [],
        },
        {
          routeTableId: publicTableId,
          vpcId: VPC_ID,
          isMain: false,
          subnetIds: [PUBLIC_SUBNET_ID],
          internetGatewayDestinations: ['0.0.0.0/0', '::/0'],
        },
      ]);
      expect(ec2).toHaveReceivedCommandWith(DescribeRouteTablesCommand, {
        Filters: [{ Name: 'vpc-id', Values: [VPC_ID] }],
      });
      expect(ec2).toHaveReceivedCommandTimes(DescribeRouteTablesCommand, 2);
    });

    it('counts only active routes to an internet gateway, not NAT, egress-only or blackholed ones', async () => {
      // Prepare
      const tableId = 'rtb-0a1b2c3d4e5f60003';
      ec2
        .on(DescribeNetworkInterfacesCommand)
        .resolves(describeNetworkInterfacesOutput([makeSdkNetworkInterface()]));
      ec2.on(DescribeRouteTablesCommand).resolves(
        describeRouteTablesOutput([
          makeSdkRouteTable({
            RouteTableId: tableId,
            Associations: [mainAssociation(tableId), subnetAssociation(tableId, PRIVATE_SUBNET_ID)],
            Routes: [
              LOCAL_ROUTE,
              {
                DestinationCidrBlock: '0.0.0.0/0',
                NatGatewayId: 'nat-0a1b2c3d4e5f60001',
                Origin: 'CreateRoute',
                State: 'active',
              },
              {
                DestinationIpv6CidrBlock: '::/0',
                EgressOnlyInternetGatewayId: 'eigw-0a1b2c3d4e5f60001',
                Origin: 'CreateRoute',
                State: 'active',
              },
              internetRoute({ cidr: '198.51.100.0/24' }, { State: 'blackhole' }),
              internetRoute({ cidr: '203.0.113.0/24' }),
            ],
          }),
        ]),
      );

      // Act
      const { routeTables } = await newReader().networkFacts(GROUP_ID);

      // Assess
      expect(routeTables).toEqual([
        {
          routeTableId: tableId,
          vpcId: VPC_ID,
          isMain: true,
          subnetIds: [PRIVATE_SUBNET_ID],
          internetGatewayDestinations: ['203.0.113.0/24'],
        },
      ]);
    });

    it('asks for the route tables of every VPC the interfaces sit in, and of the given VPC, once each', async () => {
      // Prepare
      const otherVpc = 'vpc-0f1e2d3c4b5a69780';
      ec2
        .on(DescribeNetworkInterfacesCommand)
        .resolves(
          describeNetworkInterfacesOutput([
            makeSdkNetworkInterface(),
            makeSdkLoadBalancerInterface({ VpcId: otherVpc }),
            makeSdkNetworkInterface({ NetworkInterfaceId: 'eni-0a1b2c3d4e5f60009' }),
          ]),
        );
      ec2.on(DescribeRouteTablesCommand).resolves(describeRouteTablesOutput([mainTable]));

      // Act
      await newReader().networkFacts(GROUP_ID, VPC_ID);

      // Assess
      expect(ec2).toHaveReceivedCommandExactlyOnceWith(DescribeRouteTablesCommand, {
        Filters: [{ Name: 'vpc-id', Values: [VPC_ID, otherVpc] }],
      });
    });

    it('does not read route tables when no interface uses the group', async () => {
      // Prepare
      ec2.on(DescribeNetworkInterfacesCommand).resolves(describeNetworkInterfacesOutput([]));

      // Act
      const facts = await newReader().networkFacts(GROUP_ID, VPC_ID);

      // Assess
      expect(facts).toEqual({
        interfaces: [],
        routeTables: [],
        networkAcls: { kind: 'read', networkAcls: [] },
      });
      expect(ec2).toHaveReceivedCommandTimes(DescribeRouteTablesCommand, 0);
      expect(ec2).toHaveReceivedCommandTimes(DescribeNetworkAclsCommand, 0);
    });

    describe('network ACLs', () => {
      function givenPublicInterface(): void {
        ec2
          .on(DescribeNetworkInterfacesCommand)
          .resolves(describeNetworkInterfacesOutput([makeSdkNetworkInterface()]));
        ec2.on(DescribeRouteTablesCommand).resolves(describeRouteTablesOutput([mainTable, publicTable]));
      }

      it('reads the ACL associated with the subnet of a public interface, entry by entry', async () => {
        // Prepare
        givenPublicInterface();
        const acl = makeSdkNetworkAcl([
          makeSdkNetworkAclEntry({ RuleNumber: 90, RuleAction: 'deny', PortRange: { From: 22, To: 22 } }),
          makeSdkNetworkAclEntry({ RuleNumber: 100, Protocol: '6', PortRange: { From: 1024, To: 65535 } }),
          makeSdkNetworkAclEntry({
            RuleNumber: 110,
            CidrBlock: undefined,
            Ipv6CidrBlock: '::/0',
            Protocol: '-1',
            PortRange: undefined,
          }),
        ]);
        ec2.on(DescribeNetworkAclsCommand).resolves(describeNetworkAclsOutput([acl]));

        // Act
        const { networkAcls } = await newReader().networkFacts(GROUP_ID);

        // Assess
        expect(ec2).toHaveReceivedCommandExactlyOnceWith(DescribeNetworkAclsCommand, {
          Filters: [{ Name: 'association.subnet-id', Values: [PUBLIC_SUBNET_ID] }],
        });
        expect(networkAcls.kind === 'read' && networkAcls.networkAcls).toEqual([
          {
            networkAclId: PUBLIC_NETWORK_ACL_ID,
            vpcId: VPC_ID,
            isDefault: false,
            subnetIds: [PUBLIC_SUBNET_ID],
            entries: [
              {
                ruleNumber: 90,
                action: 'deny',
                egress: false,
                protocol: '6',
                source: { family: 'ipv4', cidr: '0.0.0.0/0' },
                portRange: { from: 22, to: 22 },
              },
              {
                ruleNumber: 100,
                action: 'allow',
                egress: false,
                protocol: '6',
                source: { family: 'ipv4', cidr: '0.0.0.0/0' },
                portRange: { from: 1024, to: 65535 },
              },
              {
                ruleNumber: 110,
                action: 'allow',
                egress: false,
                protocol: '-1',
                source: { family: 'ipv6', cidr: '::/0' },
              },
              {
                ruleNumber: 32767,
                action: 'deny',
                egress: false,
                protocol: '-1',
                source: { family: 'ipv4', cidr: '0.0.0.0/0' },
              },
              {
                ruleNumber: 32768,
                action: 'deny',
                egress: false,
                protocol: '-1',
                source: { family: 'ipv6', cidr: '::/0' },
              },
              {
                ruleNumber: 32767,
                action: 'deny',
                egress: true,
                protocol: '-1',
                source: { family: 'ipv4', cidr: '0.0.0.0/0' },
              },
              {
                ruleNumber: 32768,
                action: 'deny',
                egress: true,
                protocol: '-1',
                source: { family: 'ipv6', cidr: '::/0' },
              },
            ],
          },
        ]);
      });

      it('falls back to the VPC’s default ACL for a subnet no ACL names', async () => {
        // Prepare
        givenPublicInterface();
        ec2
          .on(DescribeNetworkAclsCommand, {
            Filters: [{ Name: 'association.subnet-id', Values: [PUBLIC_SUBNET_ID] }],
          })
          .resolves(describeNetworkAclsOutput([]))
          .on(DescribeNetworkAclsCommand, {
            Filters: [
              { Name: 'vpc-id', Values: [VPC_ID] },
              { Name: 'default', Values: ['true'] },
            ],
          })
          .resolves(describeNetworkAclsOutput([makeSdkDefaultNetworkAcl()]));

        // Act
        const { networkAcls } = await newReader().networkFacts(GROUP_ID);

        // Assess
        expect(ec2).toHaveReceivedCommandTimes(DescribeNetworkAclsCommand, 2);
        expect(
          networkAcls.kind === 'read' &&
            networkAcls.networkAcls.map((acl) => [acl.networkAclId, acl.isDefault]),
        ).toEqual([[DEFAULT_NETWORK_ACL_ID, true]]);
      });

      it('does not read ACLs when no interface has a public address', async () => {
        ec2
          .on(DescribeNetworkInterfacesCommand)
          .resolves(describeNetworkInterfacesOutput([makeSdkLoadBalancerInterface()]));
        ec2.on(DescribeRouteTablesCommand).resolves(describeRouteTablesOutput([mainTable]));

        const { networkAcls } = await newReader().networkFacts(GROUP_ID);

        expect(networkAcls).toEqual({ kind: 'read', networkAcls: [] });
        expect(ec2).toHaveReceivedCommandTimes(DescribeNetworkAclsCommand, 0);
      });

      it('reports ACLs it may not read instead of failing the whole reading', async () => {
        // Prepare: a member role deployed before ec2:DescribeNetworkAcls was granted
        givenPublicInterface();
        ec2
          .on(DescribeNetworkAclsCommand)
          .rejects(ec2Error('UnauthorizedOperation', 'You are not authorized to perform this operation.'));

        // Act
        const facts = await newReader().networkFacts(GROUP_ID);

        // Assess
        expect(facts.interfaces).toHaveLength(1);
        expect(facts.networkAcls).toMatchObject({
          kind: 'unread',
          reason: expect.stringContaining('DescribeNetworkAcls'),
        });
      });
    });

    it.each([
      [DescribeNetworkInterfacesCommand, 'DescribeNetworkInterfaces'],
      [DescribeRouteTablesCommand, 'DescribeRouteTables'],
    ] as const)('names the refused call when %s is denied', async (command, operation) => {
      // Prepare
      const sdkError = ec2Error('UnauthorizedOperation', 'You are not authorized to perform this operation.');
      ec2
        .on(DescribeNetworkInterfacesCommand)
        .resolves(describeNetworkInterfacesOutput([makeSdkNetworkInterface()]));
      ec2.on(DescribeRouteTablesCommand).resolves(describeRouteTablesOutput([mainTable]));
      ec2.on(command).rejects(sdkError);

      // Act
      const error = await newReader()
        .networkFacts(GROUP_ID)
        .catch((thrown: unknown) => thrown);

      // Assess
      expect(error).toBeInstanceOf(AwsAccessDeniedError);
      expect(error).toMatchObject({ cause: sdkError, context: { operation, accountId: ACCOUNT } });
      expect((error as AwsAccessDeniedError).userMessage).toContain(operation);
    });
  });

  describe('instanceMetadataOptions', () => {
    it('reports the IMDS settings EC2 holds for the instance', async () => {
      // Prepare
      ec2.on(DescribeInstancesCommand).resolves(describeInstancesOutput([makeSdkInstance()]));

      // Act
      const options = await newReader().instanceMetadataOptions(INSTANCE_ID);

      // Assess
      expect(options).toEqual({
        httpTokens: 'optional',
        httpPutResponseHopLimit: 1,
        httpEndpoint: 'enabled',
        state: 'applied',
        instanceState: 'running',
      });
      expect(ec2).toHaveReceivedCommandExactlyOnceWith(DescribeInstancesCommand, {
        InstanceIds: [INSTANCE_ID],
      });
    });

    it('reports a change to IMDSv2 that is not applied yet', async () => {
      // Prepare
      const instance = makeSdkInstance({
        MetadataOptions: {
          State: 'pending',
          HttpTokens: 'required',
          HttpPutResponseHopLimit: 2,
          HttpEndpoint: 'enabled',
        },
      });
      ec2.on(DescribeInstancesCommand).resolves(describeInstancesOutput([instance]));

      // Act
      const options = await newReader().instanceMetadataOptions(INSTANCE_ID);

      // Assess
      expect(options).toMatchObject({ httpTokens: 'required', httpPutResponseHopLimit: 2, state: 'pending' });
    });

    it('turns InvalidInstanceID.NotFound into AwsResourceNotFoundError naming the instance', async () => {
      // Prepare
      const sdkError = ec2Error(
        'InvalidInstanceID.NotFound',
        `The instance ID '${INSTANCE_ID}' does not exist`,
      );
      ec2.on(DescribeInstancesCommand).rejects(sdkError);

      // Act
      const error = await newReader()
        .instanceMetadataOptions(INSTANCE_ID)
        .catch((thrown: unknown) => thrown);

      // Assess
      expect(error).toBeInstanceOf(AwsResourceNotFoundError);
      expect(error).toMatchObject({
        code: 'AWS_NOT_FOUND',
        cause: sdkError,
        context: { operation: 'DescribeInstances', resourceId: INSTANCE_ID },
      });
      expect((error as AwsResourceNotFoundError).userMessage).toContain(INSTANCE_ID);
    });

    it('reports an instance EC2 does not return as not found', async () => {
      // Prepare
      ec2.on(DescribeInstancesCommand).resolves(describeInstancesOutput([]));

      // Act
      const error = await newReader()
        .instanceMetadataOptions(INSTANCE_ID)
        .catch((thrown: unknown) => thrown);

      // Assess
      expect(error).toBeInstanceOf(AwsResourceNotFoundError);
      expect(error).toMatchObject({ context: { resourceId: INSTANCE_ID, region: REGION } });
    });

    it('refuses to guess HttpTokens when EC2 leaves it out', async () => {
      // Prepare
      const withoutOptions = makeSdkInstance();
      delete withoutOptions.MetadataOptions;
      ec2.on(DescribeInstancesCommand).resolves(describeInstancesOutput([withoutOptions]));

      // Act
      const error = await newReader()
        .instanceMetadataOptions(INSTANCE_ID)
        .catch((thrown: unknown) => thrown);

      // Assess
      expect(error).toBeInstanceOf(AwsUnexpectedResponseError);
    });
  });
});
