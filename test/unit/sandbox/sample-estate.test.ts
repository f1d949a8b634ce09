import type { IpPermission } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { regionOf, sampleEstate, sampleFindings } from '../../../src/sandbox/estate.js';

type Asff = Record<string, unknown>;

const estate = await sampleEstate();
const findings = await sampleFindings();

const resourceOf = (finding: Asff) => (finding['Resources'] as Asff[])[0]!;
const groupDetailsOf = (finding: Asff) =>
  (resourceOf(finding)['Details'] as Asff | undefined)?.['AwsEc2SecurityGroup'] as Asff | undefined;
const regionFor = (finding: Asff) =>
  regionOf(estate, String(finding['AwsAccountId']), String(resourceOf(finding)['Region']));

/** One `[protocol, from, to, source]` per range, group pair and prefix list, as EC2 splits permissions into rules. */
function permissionRules(permissions: readonly IpPermission[]): string[] {
  return permissions.flatMap((permission) => {
    const head = `${permission.IpProtocol} ${permission.FromPort ?? -1}-${permission.ToPort ?? -1}`;
    return [
      ...(permission.IpRanges ?? []).map((range) => `${head} ${range.CidrIp}`),
      ...(permission.Ipv6Ranges ?? []).map((range) => `${head} ${range.CidrIpv6}`),
      ...(permission.PrefixListIds ?? []).map((list) => `${head} ${list.PrefixListId}`),
      ...(permission.UserIdGroupPairs ?? []).map((pair) => `${head} ${pair.GroupId}`),
    ];
  });
}

const securityGroupFindings = findings.filter((finding) => groupDetailsOf(finding) !== undefined);

describe('the sample estate behind the sample findings', () => {
  it.each(
    securityGroupFindings.map((finding) => [String(groupDetailsOf(finding)!['GroupId']), finding] as const),
  )(
    'holds %s with every rule its finding lists, in the finding’s account, region and VPC',
    (groupId, finding) => {
      const region = regionFor(finding);
      const group = region?.SecurityGroups.find((candidate) => candidate.GroupId === groupId);
      const details = groupDetailsOf(finding)!;
      expect(group).toMatchObject({
        GroupName: details['GroupName'],
        VpcId: details['VpcId'],
        OwnerId: finding['AwsAccountId'],
      });
      const rules = region!.SecurityGroupRules.filter(
        (rule) => rule.GroupId === groupId && rule.IsEgress !== true,
      );
      const held = rules.map(
        (rule) =>
          `${rule.IpProtocol} ${rule.FromPort}-${rule.ToPort} ${rule.CidrIpv4 ?? rule.CidrIpv6 ?? rule.PrefixListId ?? rule.ReferencedGroupInfo?.GroupId}`,
      );
      expect(held).toEqual(
        expect.arrayContaining(permissionRules(details['IpPermissions'] as IpPermission[])),
      );
    },
  );

  it('gives every rule a rule id shaped like EC2’s, unique across the estate', () => {
    const ids = estate.regions.flatMap((region) =>
      region.SecurityGroupRules.map((rule) => rule.SecurityGroupRuleId),
    );
    expect(ids.every((id) => /^sgr-[0-9a-f]{17}$/.test(id ?? ''))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('shows what remediation keeps: some groups have a restricted rule or a group reference the finding does not list', () => {
    const kept = securityGroupFindings.filter((finding) => {
      const groupId = String(groupDetailsOf(finding)!['GroupId']);
      const listed = permissionRules(groupDetailsOf(finding)!['IpPermissions'] as IpPermission[]).length;
      return (
        regionFor(finding)!.SecurityGroupRules.filter(
          (rule) => rule.GroupId === groupId && rule.IsEgress !== true,
        ).length > listed
      );
    });
    expect(kept.length).toBeGreaterThanOrEqual(2);
  });

  it('connects every network interface to a subnet, and every subnet and route table to a VPC, of its region', () => {
    for (const region of estate.regions) {
      const vpcs = new Set(region.Vpcs.map((vpc) => vpc.VpcId));
      const subnets = new Set(region.Subnets.map((subnet) => subnet.SubnetId));
      for (const eni of region.NetworkInterfaces)
        expect(subnets.has(eni.SubnetId), `${eni.NetworkInterfaceId}`).toBe(true);
      for (const subnet of region.Subnets) expect(vpcs.has(subnet.VpcId), `${subnet.SubnetId}`).toBe(true);
      for (const table of region.RouteTables)
        expect(vpcs.has(table.VpcId), `${table.RouteTableId}`).toBe(true);
      for (const vpc of vpcs)
        expect(region.NetworkAcls.some((acl) => acl.VpcId === vpc && acl.IsDefault)).toBe(true);
    }
  });

  it('has the EC2.8 instance allowing IMDSv1 and the AutoScaling.3 launch configuration with the group that uses it', () => {
    const instanceFinding = findings.find(
      (finding) =>
        resourceOf(finding)['Type'] === 'AwsEc2Instance' &&
        (finding['Compliance'] as Asff)['SecurityControlId'] === 'EC2.8',
    )!;
    const instanceId = String(resourceOf(instanceFinding)['Id']).split('/').at(-1);
    const instance = regionFor(instanceFinding)!
      .Reservations.flatMap((reservation) => reservation.Instances ?? [])
      .find((candidate) => candidate.InstanceId === instanceId);
    expect(instance?.MetadataOptions).toMatchObject({ HttpTokens: 'optional', HttpEndpoint: 'enabled' });

    const configurationFinding = findings.find(
      (finding) =>
        resourceOf(finding)['Type'] === 'AwsAutoScalingLaunchConfiguration' &&
        (finding['Compliance'] as Asff)['SecurityControlId'] === 'AutoScaling.3',
    )!;
    const region = regionFor(configurationFinding)!;
    expect(region.LaunchConfigurations.map((configuration) => configuration.LaunchConfigurationName)).toEqual(
      ['batch-containers-lc-2022', 'legacy-batch-lc-2021'],
    );
    expect(
      region.AutoScalingGroups.find((group) => group.LaunchConfigurationName === 'legacy-batch-lc-2021'),
    ).toBeDefined();
  });

  it('holds the EC2.21 network ACL as its finding describes it: not a default ACL, on a subnet of the same VPC', () => {
    const aclFinding = findings.find((finding) => resourceOf(finding)['Type'] === 'AwsEc2NetworkAcl')!;
    const details = (resourceOf(aclFinding)['Details'] as Asff)['AwsEc2NetworkAcl'] as Asff;
    const region = regionFor(aclFinding)!;
    const acl = region.NetworkAcls.find((candidate) => candidate.NetworkAclId === details['NetworkAclId']);

    // Security Hub reports no EC2.21 finding on a VPC's default ACL.
    expect(acl).toMatchObject({
      IsDefault: false,
      VpcId: details['VpcId'],
      OwnerId: aclFinding['AwsAccountId'],
    });
    expect(acl?.Entries).toEqual(details['Entries']);
    expect(acl?.Associations).toEqual(details['Associations']);
    for (const association of acl?.Associations ?? []) {
      const subnet = region.Subnets.find((candidate) => candidate.SubnetId === association.SubnetId);
      expect(subnet?.VpcId).toBe(acl?.VpcId);
      // A subnet has exactly one ACL.
      const holders = region.NetworkAcls.filter((candidate) =>
        (candidate.Associations ?? []).some((other) => other.SubnetId === association.SubnetId),
      );
      expect(holders).toHaveLength(1);
    }
  });

  it('has a launch template on versions 1 ($Default) and 2 ($Latest) with a group on each pointer and one pinned', () => {
    const region = regionOf(estate, '111122223333', 'ap-northeast-1')!;
    expect(region.LaunchTemplates).toMatchObject([{ DefaultVersionNumber: 1, LatestVersionNumber: 2 }]);
    expect(
      region.LaunchTemplateVersions.map((version) => [
        version.VersionNumber,
        version.LaunchTemplateData?.MetadataOptions?.HttpTokens,
      ]),
    ).toEqual([
      [1, 'optional'],
      [2, 'optional'],
    ]);
    expect(region.AutoScalingGroups.map((group) => group.LaunchTemplate?.Version)).toEqual([
      '$Default',
      '$Latest',
      '1',
    ]);
  });
});
