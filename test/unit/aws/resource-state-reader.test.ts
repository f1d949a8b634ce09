import 'aws-sdk-client-mock-vitest/extend';
import {
  AutoScalingClient,
  AutoScalingServiceException,
  DescribeAutoScalingGroupsCommand,
  DescribeLaunchConfigurationsCommand,
} from '@aws-sdk/client-auto-scaling';
import type {
  AutoScalingGroup,
  AutoScalingGroupNamesType,
  LaunchConfiguration,
} from '@aws-sdk/client-auto-scaling';
import type { DescribeLaunchTemplateVersionsRequest, LaunchTemplateVersion } from '@aws-sdk/client-ec2';
import {
  DescribeInstancesCommand,
  DescribeLaunchTemplateVersionsCommand,
  DescribeLaunchTemplatesCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { AwsAccessDeniedError, AwsResourceNotFoundError } from '../../../src/aws/errors.js';
import { UnsupportedResourceTypeError } from '../../../src/aws/remediation-errors.js';
import { AwsResourceStateReader } from '../../../src/aws/resource-state-reader.js';
import type { CurrentResource, LaunchTemplateUser } from '../../../src/domain/current-resource.js';
import type { Finding } from '../../../src/domain/finding.js';
import {
  GROUP_NAME,
  LAUNCH_CONFIGURATION_NAME,
  LAUNCH_TEMPLATE_ID,
  LAUNCH_TEMPLATE_NAME,
  describeLaunchConfigurationsOutput,
  describeLaunchTemplateVersionsOutput,
  describeLaunchTemplatesOutput,
  makeAutoScalingGroupFinding,
  makeLaunchConfigurationFinding,
  makeSdkAutoScalingGroup,
  makeSdkLaunchConfiguration,
  makeSdkLaunchTemplate,
  makeSdkLaunchTemplateVersion,
  makeSdkMixedInstancesGroup,
  templateSpec,
} from '../../fixtures/autoscaling.js';
import {
  GROUP_ID,
  INSTANCE_ID,
  LOCAL_ROUTE,
  PUBLIC_SUBNET_ID,
  VPC_ID,
  describeInstancesOutput,
  describeNetworkInterfacesOutput,
  describeRouteTablesOutput,
  describeSecurityGroupRulesOutput,
  describeSecurityGroupsOutput,
  internetRoute,
  makeSdkEgressRule,
  makeSdkInstance,
  makeSdkNetworkInterface,
  makeSdkRouteTable,
  makeSdkRule,
  makeSdkSecurityGroup,
  subnetAssociation,
} from '../../fixtures/ec2.js';
import { ACCOUNT, REGION, makeFinding, makeRule } from '../../fixtures/finding.js';
import { RecordingResourceClients } from '../../support/account-clients.js';
import {
  MIGRATION_VERSION_DESCRIPTION,
  migratedTemplateName,
} from '../../../src/domain/launch-configuration-migration.js';
import { ec2Error } from '../../support/ec2-error.js';

const ec2 = mockClient(EC2Client);

/** EC2's answer while no migration has made the configuration's launch template. */
function noMigratedTemplate(): void {
  ec2
    .on(DescribeLaunchTemplatesCommand)
    .rejects(
      ec2Error(
        'InvalidLaunchTemplateName.NotFoundException',
        'At least one of the launch templates specified in the request does not exist.',
      ),
    );
}
const autoScaling = mockClient(AutoScalingClient);

/**
 * DescribeAutoScalingGroups as AWS answers it: by name when names are given, else every group of the region in
 * pages of two (so the reader must follow NextToken).
 */
function groupsInRegion(groups: AutoScalingGroup[]): void {
  autoScaling.on(DescribeAutoScalingGroupsCommand).callsFake((input: AutoScalingGroupNamesType) => {
    if (input.AutoScalingGroupNames) {
      return {
        AutoScalingGroups: groups.filter((group) =>
          input.AutoScalingGroupNames?.includes(group.AutoScalingGroupName ?? ''),
        ),
      };
    }
    const start = input.NextToken ? Number(input.NextToken) : 0;
    const next = start + 2 < groups.length ? String(start + 2) : undefined;
    return { AutoScalingGroups: groups.slice(start, start + 2), ...(next ? { NextToken: next } : {}) };
  });
}

type MetadataOptions = NonNullable<
  NonNullable<LaunchTemplateVersion['LaunchTemplateData']>['MetadataOptions']
>;

/**
 * The template (default 3, latest 5) and its versions 1–5, each allowing IMDSv1 with hop limit 2 unless `options`
 * says otherwise (`null`: the version sets no MetadataOptions). DescribeLaunchTemplateVersions answers every
 * version asked for, as EC2 does.
 */
function launchTemplateVersions(options: Readonly<Record<number, MetadataOptions | null>> = {}): void {
  ec2.on(DescribeLaunchTemplatesCommand).resolves(describeLaunchTemplatesOutput([makeSdkLaunchTemplate()]));
  ec2.on(DescribeLaunchTemplateVersionsCommand).callsFake((input: DescribeLaunchTemplateVersionsRequest) =>
    describeLaunchTemplateVersionsOutput(
      (input.Versions ?? []).map((version) => {
        const number = Number(version);
        const given = options[number];
        return makeSdkLaunchTemplateVersion(
          number,
          given === undefined
            ? { HttpTokens: 'optional', HttpPutResponseHopLimit: 2, HttpEndpoint: 'enabled' }
            : given,
        );
      }),
    ),
  );
}

function instanceFinding(): Finding {
  return makeFinding({
    controlId: 'EC2.8',
    generatorId: 'security-control/EC2.8',
    title: 'EC2 instances should use Instance Metadata Service Version 2 (IMDSv2)',
    resource: {
      type: 'AwsEc2Instance',
      id: `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/${INSTANCE_ID}`,
      shortId: INSTANCE_ID,
      region: REGION,
      partition: 'aws',
    },
    details: { kind: 'instance', instanceId: INSTANCE_ID, httpTokens: 'optional' },
  });
}

let clients: RecordingResourceClients;
let reader: AwsResourceStateReader;

beforeEach(() => {
  ec2.reset();
  autoScaling.reset();
  clients = new RecordingResourceClients();
  reader = new AwsResourceStateReader(clients);
});

describe('AwsResourceStateReader', () => {
  describe('security groups', () => {
    function publicGroup(): void {
      ec2.on(DescribeSecurityGroupsCommand).resolves(describeSecurityGroupsOutput([makeSdkSecurityGroup()]));
      ec2
        .on(DescribeSecurityGroupRulesCommand)
        .resolves(describeSecurityGroupRulesOutput([makeSdkRule(), makeSdkEgressRule()]));
      ec2
        .on(DescribeNetworkInterfacesCommand)
        .resolves(describeNetworkInterfacesOutput([makeSdkNetworkInterface()]));
      ec2.on(DescribeRouteTablesCommand).resolves(
        describeRouteTablesOutput([
          makeSdkRouteTable(),
          makeSdkRouteTable({
            RouteTableId: 'rtb-0a1b2c3d4e5f60002',
            Associations: [subnetAssociation('rtb-0a1b2c3d4e5f60002', PUBLIC_SUBNET_ID)],
            Routes: [LOCAL_ROUTE, internetRoute({ cidr: '0.0.0.0/0' })],
          }),
        ]),
      );
    }

    it('reads the group, its rules in both directions, the interfaces using it and that the internet reaches it, in the finding account and region', async () => {
      // Prepare
      publicGroup();

      // Act
      const current = await reader.read(makeFinding());

      // Assess
      expect(current).toEqual({
        kind: 'security-group',
        groupId: GROUP_ID,
        groupName: 'web-prod',
        vpcId: VPC_ID,
        ingressRules: [makeRule({ groupId: GROUP_ID })],
        egressRules: [
          makeRule({
            ruleId: 'sgr-0a1b2c3d4e5f6e001',
            groupId: GROUP_ID,
            isEgress: true,
            protocol: '-1',
            fromPort: -1,
            toPort: -1,
          }),
        ],
        interfaces: [{ networkInterfaceId: 'eni-0a1b2c3d4e5f60001', attachedTo: INSTANCE_ID }],
        reach: expect.objectContaining({
          kind: 'internet',
          via: [expect.objectContaining({ publicIp: '203.0.113.12' })],
        }),
      });
      expect(ec2).toHaveReceivedCommandWith(DescribeSecurityGroupsCommand, { GroupIds: [GROUP_ID] });
      expect(clients.asked).toEqual([`ec2 ${ACCOUNT} ${REGION}`]);
    });

    it('reads a deleted group as gone, never as a group without open rules', async () => {
      // Prepare: EC2 answers the rules of a deleted group with an empty list.
      ec2
        .on(DescribeSecurityGroupsCommand)
        .rejects(ec2Error('InvalidGroup.NotFound', `The security group '${GROUP_ID}' does not exist`));
      ec2.on(DescribeSecurityGroupRulesCommand).resolves(describeSecurityGroupRulesOutput([]));
      ec2.on(DescribeNetworkInterfacesCommand).resolves(describeNetworkInterfacesOutput([]));

      // Act
      const current = await reader.read(makeFinding());

      // Assess
      expect(current).toEqual({
        kind: 'gone',
        resourceId: GROUP_ID,
        detail: 'the security group no longer exists',
      });
    });

    it('reads a group EC2 leaves out of its answer as gone', async () => {
      ec2.on(DescribeSecurityGroupsCommand).resolves(describeSecurityGroupsOutput([]));

      const current = await reader.read(makeFinding());

      expect(current.kind).toBe('gone');
    });

    it('lets a refusal through rather than reading it as gone', async () => {
      ec2
        .on(DescribeSecurityGroupsCommand)
        .rejects(ec2Error('UnauthorizedOperation', 'You are not authorized to perform this operation.'));

      await expect(reader.read(makeFinding())).rejects.toBeInstanceOf(AwsAccessDeniedError);
    });
  });

  describe('instances', () => {
    it('reads the metadata options of a running instance', async () => {
      ec2.on(DescribeInstancesCommand).resolves(describeInstancesOutput([makeSdkInstance()]));

      const current = await reader.read(instanceFinding());

      expect(current).toEqual({
        kind: 'instance',
        instanceId: INSTANCE_ID,
        httpTokens: 'optional',
        httpPutResponseHopLimit: 1,
        httpEndpoint: 'enabled',
        instanceState: 'running',
      });
      expect(ec2).toHaveReceivedCommandWith(DescribeInstancesCommand, { InstanceIds: [INSTANCE_ID] });
    });

    it.each([
      ['terminated', { Code: 48, Name: 'terminated' as const }],
      ['shutting down', { Code: 32, Name: 'shutting-down' as const }],
    ])('reads a %s instance as gone', async (_label, state) => {
      ec2.on(DescribeInstancesCommand).resolves(describeInstancesOutput([makeSdkInstance({ State: state })]));

      const current = await reader.read(instanceFinding());

      expect(current).toEqual({
        kind: 'gone',
        resourceId: INSTANCE_ID,
        detail: `the instance is ${state.Name}`,
      });
    });

    it('reads an instance EC2 no longer knows as gone', async () => {
      ec2
        .on(DescribeInstancesCommand)
        .rejects(ec2Error('InvalidInstanceID.NotFound', `The instance ID '${INSTANCE_ID}' does not exist`));

      const current = await reader.read(instanceFinding());

      expect(current.kind).toBe('gone');
    });
  });

  describe('launch configurations', () => {
    beforeEach(() => {
      noMigratedTemplate();
    });

    const groupsUsingIt = [
      makeSdkAutoScalingGroup({
        AutoScalingGroupName: 'batch-a',
        LaunchConfigurationName: LAUNCH_CONFIGURATION_NAME,
      }),
      makeSdkAutoScalingGroup({ AutoScalingGroupName: 'web-prod-asg' }),
      makeSdkAutoScalingGroup({
        AutoScalingGroupName: 'batch-b',
        LaunchConfigurationName: 'legacy-batch-lc-2020',
      }),
      makeSdkAutoScalingGroup({
        AutoScalingGroupName: 'batch-c',
        LaunchConfigurationName: LAUNCH_CONFIGURATION_NAME,
      }),
    ];

    it('reads its token setting and every group that launches from it, across pages', async () => {
      // Prepare
      autoScaling
        .on(DescribeLaunchConfigurationsCommand)
        .resolves(describeLaunchConfigurationsOutput([makeSdkLaunchConfiguration()]));
      groupsInRegion(groupsUsingIt);

      // Act
      const current = await reader.read(makeLaunchConfigurationFinding());

      // Assess
      expect(current).toEqual<CurrentResource>({
        kind: 'launch-configuration',
        launchConfigurationName: LAUNCH_CONFIGURATION_NAME,
        httpTokens: 'optional',
        usedBy: ['batch-a', 'batch-c'],
        httpPutResponseHopLimit: 1,
        settings: {
          ImageId: 'ami-0528a5175983e7f28',
          InstanceType: 'm5.large',
          KeyName: 'legacy-batch',
          SecurityGroups: ['sg-05eaec502fcdadc2e'],
          ClassicLinkVPCSecurityGroups: [],
          UserData: '',
          KernelId: '',
          RamdiskId: '',
          BlockDeviceMappings: [
            {
              DeviceName: '/dev/xvda',
              Ebs: {
                SnapshotId: 'snap-06c1606ba5ca274b1',
                VolumeSize: 8,
                VolumeType: 'gp2',
                DeleteOnTermination: true,
                Encrypted: false,
              },
            },
          ],
          InstanceMonitoring: { Enabled: true },
          EbsOptimized: false,
          AssociatePublicIpAddress: false,
          MetadataOptions: { HttpTokens: 'optional', HttpPutResponseHopLimit: 1, HttpEndpoint: 'enabled' },
          untranslatedFields: [],
        },
      });
      expect(autoScaling).toHaveReceivedCommandWith(DescribeLaunchConfigurationsCommand, {
        LaunchConfigurationNames: [LAUNCH_CONFIGURATION_NAME],
      });
      expect(autoScaling).toHaveReceivedCommandTimes(DescribeAutoScalingGroupsCommand, 2);
      expect(ec2).toHaveReceivedCommandWith(DescribeLaunchTemplatesCommand, {
        LaunchTemplateNames: [migratedTemplateName(LAUNCH_CONFIGURATION_NAME)],
      });
    });

    it('names a field it cannot carry over to a launch template, so the plan refuses rather than drops it', async () => {
      autoScaling
        .on(DescribeLaunchConfigurationsCommand)
        .resolves(
          describeLaunchConfigurationsOutput([
            { ...makeSdkLaunchConfiguration(), PlacementGroup: 'batch-cluster' } as LaunchConfiguration,
          ]),
        );
      groupsInRegion([]);

      const current = await reader.read(makeLaunchConfigurationFinding());

      expect(current).toMatchObject({ settings: { untranslatedFields: ['PlacementGroup'] } });
    });

    it('reads the launch template an earlier migration made, and the groups on it', async () => {
      const name = migratedTemplateName(LAUNCH_CONFIGURATION_NAME);
      ec2.on(DescribeLaunchTemplatesCommand).resolves(
        describeLaunchTemplatesOutput([
          makeSdkLaunchTemplate({
            LaunchTemplateId: 'lt-0f1e2d3c4b5a69788',
            LaunchTemplateName: name,
            DefaultVersionNumber: 1,
            LatestVersionNumber: 1,
          }),
        ]),
      );
      ec2.on(DescribeLaunchTemplateVersionsCommand).resolves(
        describeLaunchTemplateVersionsOutput([
          {
            ...makeSdkLaunchTemplateVersion(1, {
              HttpTokens: 'required',
              HttpPutResponseHopLimit: 1,
              HttpEndpoint: 'enabled',
            }),
            LaunchTemplateId: 'lt-0f1e2d3c4b5a69788',
            LaunchTemplateName: name,
            VersionDescription: MIGRATION_VERSION_DESCRIPTION,
          },
        ]),
      );
      autoScaling
        .on(DescribeLaunchConfigurationsCommand)
        .resolves(describeLaunchConfigurationsOutput([makeSdkLaunchConfiguration()]));
      groupsInRegion([
        makeSdkAutoScalingGroup({
          AutoScalingGroupName: 'batch-a',
          LaunchTemplate: {
            LaunchTemplateId: 'lt-0f1e2d3c4b5a69788',
            LaunchTemplateName: name,
            Version: '$Default',
          },
        }),
        makeSdkAutoScalingGroup({
          AutoScalingGroupName: 'batch-c',
          LaunchConfigurationName: LAUNCH_CONFIGURATION_NAME,
        }),
      ]);

      const current = await reader.read(makeLaunchConfigurationFinding());

      expect(current).toMatchObject({
        usedBy: ['batch-c'],
        migratedTemplate: {
          launchTemplateId: 'lt-0f1e2d3c4b5a69788',
          launchTemplateName: name,
          defaultVersion: 1,
          httpTokens: 'required',
          httpPutResponseHopLimit: 1,
          madeByBot: true,
          users: [{ groupName: 'batch-a', versionSpec: '$Default' }],
        },
      });
      expect(ec2).toHaveReceivedCommandWith(DescribeLaunchTemplateVersionsCommand, {
        LaunchTemplateId: 'lt-0f1e2d3c4b5a69788',
        Versions: ['$Default'],
      });
    });

    it.each([
      ['without MetadataOptions', 'optional', {}],
      [
        'with MetadataOptions but no HttpTokens',
        'optional',
        { MetadataOptions: { HttpEndpoint: 'enabled' as const } },
      ],
      [
        'requiring tokens',
        'required',
        { MetadataOptions: { HttpTokens: 'required' as const, HttpPutResponseHopLimit: 1 } },
      ],
    ])('reads a launch configuration %s as %s', async (_label, httpTokens, options) => {
      const launchConfiguration = makeSdkLaunchConfiguration(options);
      if (!('MetadataOptions' in options)) delete launchConfiguration.MetadataOptions;
      autoScaling
        .on(DescribeLaunchConfigurationsCommand)
        .resolves(describeLaunchConfigurationsOutput([launchConfiguration]));
      groupsInRegion([]);

      const current = await reader.read(makeLaunchConfigurationFinding());

      expect(current).toMatchObject({ kind: 'launch-configuration', httpTokens, usedBy: [] });
    });

    it('reads a deleted launch configuration as gone', async () => {
      autoScaling.on(DescribeLaunchConfigurationsCommand).resolves(describeLaunchConfigurationsOutput([]));

      const current = await reader.read(makeLaunchConfigurationFinding());

      expect(current).toEqual({
        kind: 'gone',
        resourceId: LAUNCH_CONFIGURATION_NAME,
        detail: 'the launch configuration no longer exists',
      });
      expect(autoScaling).not.toHaveReceivedCommand(DescribeAutoScalingGroupsCommand);
    });
  });

  describe('Auto Scaling groups on a launch template', () => {
    /** Default 3, latest 5: the finding's group and its neighbours, on every kind of version spec. */
    const neighbours = [
      makeSdkAutoScalingGroup({ AutoScalingGroupName: 'api-asg', LaunchTemplate: templateSpec('$Latest') }),
      makeSdkAutoScalingGroup({ AutoScalingGroupName: 'batch-asg', LaunchTemplate: templateSpec('3') }),
      makeSdkAutoScalingGroup({ AutoScalingGroupName: 'canary-asg', LaunchTemplate: templateSpec('5') }),
      makeSdkMixedInstancesGroup(templateSpec('3'), { AutoScalingGroupName: 'spot-asg' }),
      makeSdkAutoScalingGroup({
        AutoScalingGroupName: 'legacy-asg',
        LaunchConfigurationName: LAUNCH_CONFIGURATION_NAME,
      }),
      makeSdkAutoScalingGroup({
        AutoScalingGroupName: 'other-asg',
        LaunchTemplate: templateSpec('$Default', 'lt-0fedcba9876543210'),
      }),
    ];

    /** The neighbours on the template, resolved against default 3 and latest 5. */
    const neighbourUsers = [
      { groupName: 'api-asg', versionSpec: '$Latest', runs: 5, mixedInstancesPolicy: false },
      { groupName: 'batch-asg', versionSpec: '3', runs: 3, mixedInstancesPolicy: false },
      { groupName: 'canary-asg', versionSpec: '5', runs: 5, mixedInstancesPolicy: false },
      { groupName: 'spot-asg', versionSpec: '3', runs: 3, mixedInstancesPolicy: true },
    ];
    const optional = { httpTokens: 'optional', httpPutResponseHopLimit: 2, httpEndpoint: 'enabled' } as const;

    it.each<[string, AutoScalingGroup, LaunchTemplateUser, number[]]>([
      [
        '$Default as the default version',
        makeSdkAutoScalingGroup(),
        { groupName: GROUP_NAME, versionSpec: '$Default', runs: 3, mixedInstancesPolicy: false },
        [3, 5],
      ],
      [
        'an absent version as the default version',
        makeSdkAutoScalingGroup({
          LaunchTemplate: { LaunchTemplateId: LAUNCH_TEMPLATE_ID, LaunchTemplateName: LAUNCH_TEMPLATE_NAME },
        }),
        { groupName: GROUP_NAME, versionSpec: '$Default', runs: 3, mixedInstancesPolicy: false },
        [3, 5],
      ],
      [
        '$Latest as the latest version',
        makeSdkAutoScalingGroup({ LaunchTemplate: templateSpec('$Latest') }),
        { groupName: GROUP_NAME, versionSpec: '$Latest', runs: 5, mixedInstancesPolicy: false },
        [5, 3],
      ],
      [
        'a pinned version as that version',
        makeSdkAutoScalingGroup({ LaunchTemplate: templateSpec('4') }),
        { groupName: GROUP_NAME, versionSpec: '4', runs: 4, mixedInstancesPolicy: false },
        [4, 5, 3],
      ],
      [
        'a mixed instances policy through its launch template',
        makeSdkMixedInstancesGroup(templateSpec('3')),
        { groupName: GROUP_NAME, versionSpec: '3', runs: 3, mixedInstancesPolicy: true },
        [3, 5],
      ],
    ])(
      'resolves %s, and every other group on the template before any change',
      async (_label, group, findingUser, versions) => {
        // Prepare
        groupsInRegion([group, ...neighbours]);
        launchTemplateVersions();

        // Act
        const current = await reader.read(makeAutoScalingGroupFinding());

        // Assess
        expect(current).toEqual({
          kind: 'launch-template',
          template: {
            launchTemplateId: LAUNCH_TEMPLATE_ID,
            launchTemplateName: LAUNCH_TEMPLATE_NAME,
            defaultVersion: 3,
            latestVersion: 5,
            findingGroup: GROUP_NAME,
            users: [findingUser, ...neighbourUsers],
            versions: versions.map((version) => ({ version, ...optional })),
          },
        });
        expect(ec2).toHaveReceivedCommandWith(DescribeLaunchTemplatesCommand, {
          LaunchTemplateIds: [LAUNCH_TEMPLATE_ID],
        });
        expect(ec2).toHaveReceivedCommandExactlyOnceWith(DescribeLaunchTemplateVersionsCommand, {
          LaunchTemplateId: LAUNCH_TEMPLATE_ID,
          Versions: versions.map(String),
        });
        expect(clients.asked).toContain(`autoScaling ${ACCOUNT} ${REGION}`);
      },
    );

    it('reads every metadata option of a version: endpoint off, IPv6 on, tags on, hop limit 2', async () => {
      groupsInRegion([makeSdkAutoScalingGroup()]);
      launchTemplateVersions({
        3: {
          HttpTokens: 'optional',
          HttpPutResponseHopLimit: 2,
          HttpEndpoint: 'disabled',
          HttpProtocolIpv6: 'enabled',
          InstanceMetadataTags: 'enabled',
        },
      });

      const current = await reader.read(makeAutoScalingGroupFinding());

      expect(current.kind === 'launch-template' && current.template.versions).toEqual([
        {
          version: 3,
          httpTokens: 'optional',
          httpPutResponseHopLimit: 2,
          httpEndpoint: 'disabled',
          httpProtocolIpv6: 'enabled',
          instanceMetadataTags: 'enabled',
        },
      ]);
    });

    it('reads a template version that requires tokens as required', async () => {
      groupsInRegion([makeSdkAutoScalingGroup()]);
      launchTemplateVersions({ 3: { HttpTokens: 'required', HttpPutResponseHopLimit: 1 } });

      const current = await reader.read(makeAutoScalingGroupFinding());

      expect(current.kind === 'launch-template' && current.template.versions).toEqual([
        { version: 3, httpTokens: 'required', httpPutResponseHopLimit: 1 },
      ]);
    });

    it('reads a template version without MetadataOptions as optional, without a hop limit', async () => {
      groupsInRegion([makeSdkAutoScalingGroup()]);
      launchTemplateVersions({ 3: null });

      const current = await reader.read(makeAutoScalingGroupFinding());

      expect(current.kind === 'launch-template' && current.template.versions).toEqual([
        { version: 3, httpTokens: 'optional' },
      ]);
    });

    it('says which version EC2 did not return', async () => {
      groupsInRegion([makeSdkAutoScalingGroup()]);
      ec2
        .on(DescribeLaunchTemplatesCommand)
        .resolves(describeLaunchTemplatesOutput([makeSdkLaunchTemplate()]));
      ec2.on(DescribeLaunchTemplateVersionsCommand).resolves(describeLaunchTemplateVersionsOutput([]));

      const error = await reader.read(makeAutoScalingGroupFinding()).catch((caught: unknown) => caught);

      expect(error).toBeInstanceOf(AwsResourceNotFoundError);
      expect((error as AwsResourceNotFoundError).userMessage).toContain(
        `The launch template version the bot works from (${LAUNCH_TEMPLATE_ID} version 3) no longer exists in account ${ACCOUNT} (${REGION})`,
      );
    });

    it('reads a group on a launch configuration as that launch configuration', async () => {
      noMigratedTemplate();
      groupsInRegion([
        makeSdkAutoScalingGroup({ LaunchConfigurationName: LAUNCH_CONFIGURATION_NAME }),
        makeSdkAutoScalingGroup({
          AutoScalingGroupName: 'batch-c',
          LaunchConfigurationName: LAUNCH_CONFIGURATION_NAME,
        }),
      ]);
      autoScaling
        .on(DescribeLaunchConfigurationsCommand)
        .resolves(describeLaunchConfigurationsOutput([makeSdkLaunchConfiguration()]));

      const current = await reader.read(makeAutoScalingGroupFinding());

      expect(current).toMatchObject({
        kind: 'launch-configuration',
        launchConfigurationName: LAUNCH_CONFIGURATION_NAME,
        httpTokens: 'optional',
        usedBy: [GROUP_NAME, 'batch-c'],
      });
      // Only to find the template a migration of the configuration made (none here).
      expect(ec2).toHaveReceivedCommandWith(DescribeLaunchTemplatesCommand, {
        LaunchTemplateNames: [migratedTemplateName(LAUNCH_CONFIGURATION_NAME)],
      });
    });

    it.each([
      ['deleted', [], 'the Auto Scaling group no longer exists'],
      [
        'being deleted',
        [makeSdkAutoScalingGroup({ Status: 'Delete in progress' })],
        'the Auto Scaling group is being deleted',
      ],
    ])('reads a group %s as gone', async (_label, groups, detail) => {
      groupsInRegion(groups);

      const current = await reader.read(makeAutoScalingGroupFinding());

      expect(current).toEqual({ kind: 'gone', resourceId: GROUP_NAME, detail });
      expect(ec2).not.toHaveReceivedCommand(DescribeLaunchTemplatesCommand);
    });

    it('lets a refusal of Auto Scaling through', async () => {
      autoScaling.on(DescribeAutoScalingGroupsCommand).rejects(
        new AutoScalingServiceException({
          name: 'AccessDenied',
          message: 'User is not authorized to perform: autoscaling:DescribeAutoScalingGroups',
          $fault: 'client',
          $metadata: { httpStatusCode: 403 },
        }),
      );

      await expect(reader.read(makeAutoScalingGroupFinding())).rejects.toBeInstanceOf(AwsAccessDeniedError);
    });
  });

  it('refuses a resource type it cannot read', async () => {
    const finding = makeFinding({
      resource: {
        type: 'AwsIamRole',
        id: 'arn:aws:iam::111122223333:role/deploy',
        shortId: 'deploy',
        region: REGION,
        partition: 'aws',
      },
      details: { kind: 'none' },
    });

    const error = await reader.read(finding).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(UnsupportedResourceTypeError);
    expect((error as UnsupportedResourceTypeError).userMessage).toContain('AwsIamRole');
    expect(clients.asked).toEqual([]);
  });
});
