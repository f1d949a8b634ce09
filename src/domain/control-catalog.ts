import type { ExposureCheck, PortRange } from './exposure.js';
import { describePortRanges } from './exposure.js';
import type { Finding } from './finding.js';
import type { RemediationPlan } from './remediation-plan-types.js';
import type { Severity } from './severity.js';

/**
 * The Security Hub CSPM controls the bot triages and remediates: CONTROL_CATALOG (one entry per control) and
 * REMEDIATION_CATALOG (one per way of fixing them: runbook, IAM actions, sandbox), read by the app (triage, blocks,
 * remediation, legacy ids) and by CDK (runbooks, IAM). Adding a control is an entry here; the completeness test
 * (test/unit/domain/control-catalog-completeness.test.ts) names what it still lacks. Titles, default severities, resource types and parameters are the
 * ones in the Security Hub CSPM user guide ("Security Hub CSPM controls for Amazon EC2" / "... for Amazon EC2
 * Auto Scaling").
 */
export type ControlId =
  | 'EC2.2'
  | 'EC2.8'
  | 'EC2.13'
  | 'EC2.14'
  | 'EC2.18'
  | 'EC2.19'
  | 'EC2.21'
  | 'EC2.53'
  | 'EC2.54'
  | 'EC2.170'
  | 'AutoScaling.3'
  | 'S3.5'
  | 'S3.1'
  | 'S3.8'
  | 'AutoScaling.4';

export type ControlCheck =
  | { readonly kind: 'security-group'; readonly exposure: ExposureCheck }
  | { readonly kind: 'instance-imdsv2' }
  | { readonly kind: 'auto-scaling-imdsv2' }
  /** EC2.170: the template's default version must require IMDSv2 (Config rule ec2-launch-template-imdsv2-check). */
  | { readonly kind: 'launch-template-imdsv2' }
  /** AutoScaling.4: the launch configuration's metadata response hop limit must not exceed `maxHopLimit`. */
  | { readonly kind: 'auto-scaling-hop-limit'; readonly maxHopLimit: number }
  /** EC2.21: no inbound entry may let tcp to `ports` in from 0.0.0.0/0 or ::/0 (judged in rule order). */
  | { readonly kind: 'network-acl-world-ports'; readonly ports: readonly number[] }
  /** S3.5: the bucket policy must deny every request not sent over TLS (Config rule s3-bucket-ssl-requests-only). */
  | { readonly kind: 'bucket-tls-only' }
  /** S3.8: all four Block Public Access settings on the bucket itself (Config rule s3-bucket-level-public-access-prohibited). */
  | { readonly kind: 'bucket-public-access-block' }
  /** S3.1: all four Block Public Access settings on the account (Config rule s3-account-level-public-access-blocks-periodic). */
  | { readonly kind: 'account-public-access-block' };

/** How the bot fixes a control's findings; `empty-default-group` (EC2.2) removes every rule of the group. */
export type RemediationKind =
  | 'revoke-exposed-ingress'
  | 'empty-default-group'
  | 'require-imdsv2-instance'
  | 'require-imdsv2-launch-template'
  | 'deny-network-acl-ingress'
  /** Account-wide, never a control's own remediation: the Region's IMDS defaults for instances launched later. */
  | 'require-imdsv2-account-defaults'
  | 'require-tls-only-bucket-policy'
  | 'block-bucket-public-access'
  | 'block-account-public-access'
  | 'migrate-launch-configuration';

/** ASFF `Resources[].Type` of the resource a control's findings are about. */
export type ControlResourceType =
  | 'AwsEc2SecurityGroup'
  | 'AwsEc2Instance'
  | 'AwsAutoScalingAutoScalingGroup'
  | 'AwsAutoScalingLaunchConfiguration'
  | 'AwsEc2LaunchTemplate'
  | 'AwsEc2NetworkAcl'
  | 'AwsS3Bucket'
  /** `AWS::::Account:<account id>`: controls about an account-wide setting (S3.1). */
  | 'AwsAccount';

/**
 * A per-standard id of a control, as findings name it while "consolidated control findings" is off:
 * `CIS <benchmark version> <rule>` (CIS AWS Foundations Benchmark) or a PCI DSS v3.2.1 id (`PCI.EC2.5`).
 *
 * Sources of the aliases below (Security Hub user guide):
 * - asff-changes-consolidation.md, "Generator IDs before and after turning on consolidated control findings"
 *   (awsdocs/aws-security-hub-user-guide @ bda5bf7): CIS v1.2.0 rule 4.1 → EC2.13, 4.2 → EC2.14, 4.3 → EC2.2;
 *   CIS v1.4.0 5.3 → EC2.2; PCI.EC2.2 → EC2.2, PCI.EC2.5 → EC2.13.
 * - ec2-controls.md "Related requirements" (current CSPM guide): EC2.53 ← CIS v3.0.0/5.2, v5.0.0/5.3;
 *   EC2.54 ← CIS v3.0.0/5.3, v5.0.0/5.4; EC2.2 ← CIS v3.0.0/5.4, v5.0.0/5.5; EC2.8 ← CIS v3.0.0/5.6, v5.0.0/5.7.
 *   (The same page also lists EC2.171 under "v3.0.0/5.3", which contradicts the CIS v3.0.0 numbering, where 5.3 is
 *   the ::/0 admin-port rule; ASR's CIS300 playbook and EC2.54 agree on EC2.54.)
 * - EC2.21: the same page's "Related requirements" (see its entry).
 * - S3.5: s3-controls.md "Related requirements": CIS v5.0.0/2.1.1, v3.0.0/2.1.1, v1.4.0/2.1.2, PCI DSS v3.2.1/4.1;
 *   asff-changes-consolidation.md maps cis-aws-foundations-benchmark/v/1.4.0/2.1.2 and pci-dss/v/3.2.1/PCI.S3.5 to it.
 * - S3.1, S3.8: asff-changes-consolidation.md (same commit): CIS v1.4.0 2.1.5.1 → S3.1, 2.1.5.2 → S3.8,
 *   PCI.S3.6 → S3.1; s3-controls.md "Related requirements" (current CSPM guide): S3.1 ← CIS v3.0.0/2.1.4,
 *   v5.0.0/2.1.4.
 */
export type ControlAlias =
  | `CIS ${number}.${number}.${number} ${number}.${number}`
  | `CIS ${number}.${number}.${number} ${number}.${number}.${number}.${number}`
  | `PCI.${string}.${number}`;

export interface ControlSpec {
  readonly id: ControlId;
  /** The ids other standards give this control (read by legacy-control-id.ts); [] when none maps to it. */
  readonly aliases: readonly ControlAlias[];
  /** The control's title as Security Hub shows it. */
  readonly title: string;
  /** Security Hub's default severity; a finding may carry another one if someone changed it. */
  readonly defaultSeverity: Severity;
  readonly resourceType: ControlResourceType;
  readonly check: ControlCheck;
  readonly remediation: RemediationKind;
  /**
   * An optional account-wide fix offered next to Remediate (its own button). It never fixes the finding's resource,
   * so it never resolves the finding, and auto-remediation never picks it.
   */
  readonly accountFix?: RemediationKind;
  /** One line a person reads in Slack, e.g. "SSH (22) open to the internet". */
  readonly summary: string;
}

/** IAM actions a remediation needs, exactly as the CDK stacks grant them (union over the kinds the controls use). */
export interface RemediationPermissions {
  /** Reading the resource before the plan and again to verify it (state reader, reachability). */
  readonly read: readonly string[];
  /** The changes the direct executor (CSPM_EXECUTOR=direct) makes with the bot's own or the member role. */
  readonly directWrite: readonly string[];
  /** What the runbook's steps call as its automation role: the changes and the read-back after them. */
  readonly automation: readonly string[];
  /**
   * What AWS checks on the caller's behalf inside a call it makes, though the bot never calls it itself: pointing
   * an Auto Scaling group at a launch template (UpdateAutoScalingGroup, StartInstanceRefresh) is refused unless the
   * caller may launch from that template (ec2:RunInstances, iam:PassRole for its instance profile, ec2:CreateTags
   * for its tag specifications). Granted with the direct writes or the runbook's actions that make such a call.
   */
  readonly checkedOnCall?: {
    readonly directWrite?: readonly string[];
    readonly automation?: readonly string[];
  };
}

/** Auto Scaling's check that the caller may launch from the launch template a group is pointed at. */
const LAUNCH_FROM_TEMPLATE = ['ec2:RunInstances', 'iam:PassRole', 'ec2:CreateTags'] as const;

export interface RemediationSpec {
  readonly kind: RemediationKind;
  /** The kind of plan it makes, which the executors carry out. */
  readonly planKind: RemediationPlan['kind'];
  /** The SSM Automation document the ssm executor starts; its source is `infra/ssm/<runbook>.yaml`. */
  readonly runbook: string;
  readonly permissions: RemediationPermissions;
  /** `true` when the local sandbox (`npm start`) can play it, otherwise why it cannot. */
  readonly sandbox: true | string;
}

/** What reading a security group, its rules and whether the internet reaches it calls. */
const SECURITY_GROUP_READS = [
  'ec2:DescribeSecurityGroups',
  'ec2:DescribeSecurityGroupRules',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeRouteTables',
  'ec2:DescribeNetworkAcls',
] as const;

/**
 * What reading a general purpose bucket calls (src/aws/s3-bucket-reader.ts): its Block Public Access, policy, policy
 * status and ACL, and the account's Block Public Access (S3 Control GetPublicAccessBlock).
 */
const BUCKET_READS = [
  's3:GetBucketPublicAccessBlock',
  's3:GetBucketPolicy',
  's3:GetBucketPolicyStatus',
  's3:GetBucketAcl',
  's3:GetAccountPublicAccessBlock',
] as const;

/** SSH and RDP: what CIS calls "remote server administration ports" (EC2.53, EC2.54). */
export const REMOTE_ADMIN_PORTS: readonly number[] = Object.freeze([22, 3389]);

/** EC2.19's `blockedPorts` parameter (not customizable in Security Hub). */
export const HIGH_RISK_PORTS: readonly number[] = Object.freeze([
  20, 21, 22, 23, 25, 110, 135, 143, 445, 1433, 1434, 3000, 3306, 3389, 4333, 5000, 5432, 5500, 5601, 8080,
  8088, 8888, 9200, 9300,
]);

/** EC2.18's default `authorizedTcpPorts`; it has no default authorized UDP port. */
export const DEFAULT_AUTHORIZED_TCP_PORTS: readonly PortRange[] = Object.freeze([
  { from: 80, to: 80 },
  { from: 443, to: 443 },
]);

const BOTH_FAMILIES = ['ipv4', 'ipv6'] as const;

export const CONTROL_CATALOG: Readonly<Record<ControlId, ControlSpec>> = Object.freeze({
  // The control fails on any inbound *or* outbound rule of a default group, so its remediation removes them all
  // (after the person confirms it when network interfaces still use the group).
  'EC2.2': {
    id: 'EC2.2',
    aliases: ['CIS 1.2.0 4.3', 'CIS 1.4.0 5.3', 'CIS 3.0.0 5.4', 'CIS 5.0.0 5.5', 'PCI.EC2.2'],
    title: 'VPC default security groups should not allow inbound or outbound traffic',
    defaultSeverity: 'HIGH',
    resourceType: 'AwsEc2SecurityGroup',
    check: { kind: 'security-group', exposure: { kind: 'any-ingress' } },
    remediation: 'empty-default-group',
    summary: 'Default security group allows inbound traffic',
  },
  'EC2.8': {
    id: 'EC2.8',
    aliases: ['CIS 3.0.0 5.6', 'CIS 5.0.0 5.7'],
    title: 'EC2 instances should use Instance Metadata Service Version 2 (IMDSv2)',
    defaultSeverity: 'HIGH',
    resourceType: 'AwsEc2Instance',
    check: { kind: 'instance-imdsv2' },
    remediation: 'require-imdsv2-instance',
    accountFix: 'require-imdsv2-account-defaults',
    summary: 'Instance allows IMDSv1 (IMDSv2 not required)',
  },
  'EC2.13': {
    id: 'EC2.13',
    aliases: ['CIS 1.2.0 4.1', 'PCI.EC2.5'],
    title: 'Security groups should not allow ingress from 0.0.0.0/0 or ::/0 to port 22',
    defaultSeverity: 'HIGH',
    resourceType: 'AwsEc2SecurityGroup',
    check: {
      kind: 'security-group',
      exposure: { kind: 'world-ports', ports: [22], families: BOTH_FAMILIES },
    },
    remediation: 'revoke-exposed-ingress',
    summary: 'SSH (22) open to the internet',
  },
  'EC2.14': {
    id: 'EC2.14',
    aliases: ['CIS 1.2.0 4.2'],
    title: 'Security groups should not allow ingress from 0.0.0.0/0 or ::/0 to port 3389',
    defaultSeverity: 'HIGH',
    resourceType: 'AwsEc2SecurityGroup',
    check: {
      kind: 'security-group',
      exposure: { kind: 'world-ports', ports: [3389], families: BOTH_FAMILIES },
    },
    remediation: 'revoke-exposed-ingress',
    summary: 'RDP (3389) open to the internet',
  },
  'EC2.18': {
    id: 'EC2.18',
    aliases: [],
    title: 'Security groups should only allow unrestricted incoming traffic for authorized ports',
    defaultSeverity: 'HIGH',
    resourceType: 'AwsEc2SecurityGroup',
    check: {
      kind: 'security-group',
      exposure: {
        kind: 'world-unauthorized-ports',
        authorizedTcpPorts: DEFAULT_AUTHORIZED_TCP_PORTS,
        authorizedUdpPorts: [],
      },
    },
    remediation: 'revoke-exposed-ingress',
    summary: 'Ports other than tcp 80/443 open to the internet',
  },
  'EC2.19': {
    id: 'EC2.19',
    aliases: [],
    title: 'Security groups should not allow unrestricted access to ports with high risk',
    defaultSeverity: 'CRITICAL',
    resourceType: 'AwsEc2SecurityGroup',
    check: {
      kind: 'security-group',
      exposure: { kind: 'world-ports', ports: HIGH_RISK_PORTS, families: BOTH_FAMILIES },
    },
    remediation: 'revoke-exposed-ingress',
    summary: 'High-risk ports (SSH, RDP, databases, …) open to the internet',
  },
  // Security Hub checks each allow entry on its own (tcp only, never on a VPC's default ACL); the bot adds deny
  // entries ahead of it (it never deletes or renumbers the user's entries), which closes the ports but may leave the
  // finding FAILED until the allow goes. Aliases: the user guide's "Related requirements" for EC2.21.
  'EC2.21': {
    id: 'EC2.21',
    aliases: ['CIS 1.4.0 5.1', 'CIS 3.0.0 5.1', 'CIS 5.0.0 5.2'],
    title: 'Network ACLs should not allow ingress from 0.0.0.0/0 to port 22 or port 3389',
    defaultSeverity: 'MEDIUM',
    resourceType: 'AwsEc2NetworkAcl',
    check: { kind: 'network-acl-world-ports', ports: REMOTE_ADMIN_PORTS },
    remediation: 'deny-network-acl-ingress',
    summary: 'Network ACL lets SSH (22) or RDP (3389) in from the internet',
  },
  'EC2.53': {
    id: 'EC2.53',
    aliases: ['CIS 3.0.0 5.2', 'CIS 5.0.0 5.3'],
    title:
      'EC2 security groups should not allow ingress from 0.0.0.0/0 to remote server administration ports',
    defaultSeverity: 'HIGH',
    resourceType: 'AwsEc2SecurityGroup',
    check: {
      kind: 'security-group',
      exposure: { kind: 'world-ports', ports: REMOTE_ADMIN_PORTS, families: ['ipv4'] },
    },
    remediation: 'revoke-exposed-ingress',
    summary: 'SSH (22) or RDP (3389) open to any IPv4 address (0.0.0.0/0)',
  },
  'EC2.54': {
    id: 'EC2.54',
    aliases: ['CIS 3.0.0 5.3', 'CIS 5.0.0 5.4'],
    title: 'EC2 security groups should not allow ingress from ::/0 to remote server administration ports',
    defaultSeverity: 'HIGH',
    resourceType: 'AwsEc2SecurityGroup',
    check: {
      kind: 'security-group',
      exposure: { kind: 'world-ports', ports: REMOTE_ADMIN_PORTS, families: ['ipv6'] },
    },
    remediation: 'revoke-exposed-ingress',
    summary: 'SSH (22) or RDP (3389) open to any IPv6 address (::/0)',
  },
  // Security Hub checks the template's default version only. The fix is the AutoScaling.3 one (a new version, every
  // other option kept) made `$Default`; groups pinned to a version number are left as they are.
  'EC2.170': {
    id: 'EC2.170',
    aliases: [],
    title: 'EC2 launch templates should use Instance Metadata Service Version 2 (IMDSv2)',
    defaultSeverity: 'LOW',
    resourceType: 'AwsEc2LaunchTemplate',
    check: { kind: 'launch-template-imdsv2' },
    remediation: 'require-imdsv2-launch-template',
    accountFix: 'require-imdsv2-account-defaults',
    summary: 'Launch template default version allows IMDSv1 (IMDSv2 not required)',
  },
  // Security Hub reports this control on the launch configuration (AWS::AutoScaling::LaunchConfiguration, Config rule
  // autoscaling-launchconfig-requires-imdsv2: NON_COMPLIANT when its metadata options name no version or allow both
  // v1 and v2), not on the group. Launch configurations cannot be changed, and accounts created since October 2024
  // cannot create them: the fix moves every group that uses it to a new launch template made from it with IMDSv2
  // required (AWS's recommended path; ASR instead copies the configuration). The configuration itself stays, so the
  // finding stays open until someone deletes it. Older findings about a group on a launch template are fixed through
  // the template (require-imdsv2-launch-template plans).
  'AutoScaling.3': {
    id: 'AutoScaling.3',
    aliases: [],
    title:
      'Auto Scaling group launch configurations should configure EC2 instances to require Instance Metadata Service Version 2 (IMDSv2)',
    defaultSeverity: 'HIGH',
    resourceType: 'AwsAutoScalingLaunchConfiguration',
    check: { kind: 'auto-scaling-imdsv2' },
    remediation: 'migrate-launch-configuration',
    summary: 'Auto Scaling launch configuration allows IMDSv1 (IMDSv2 not required)',
  },
  // The fix adds one deny statement to the bucket policy and keeps every existing statement as it is; a policy that
  // would pass S3's 20 KB limit is refused, never trimmed.
  'S3.5': {
    id: 'S3.5',
    aliases: ['CIS 1.4.0 2.1.2', 'CIS 3.0.0 2.1.1', 'CIS 5.0.0 2.1.1', 'PCI.S3.5'],
    title: 'S3 general purpose buckets should require requests to use SSL',
    defaultSeverity: 'MEDIUM',
    resourceType: 'AwsS3Bucket',
    check: { kind: 'bucket-tls-only' },
    remediation: 'require-tls-only-bucket-policy',
    summary: 'Bucket policy allows requests over plain HTTP (TLS not required)',
  },
  // Reported on the account (AWS::::Account), checked periodically. The account's settings override every bucket's
  // own, so the plan names each bucket whose public access stops.
  'S3.1': {
    id: 'S3.1',
    aliases: ['CIS 1.4.0 2.1.5.1', 'CIS 3.0.0 2.1.4', 'CIS 5.0.0 2.1.4', 'PCI.S3.6'],
    title: 'S3 general purpose buckets should have block public access settings enabled',
    defaultSeverity: 'MEDIUM',
    resourceType: 'AwsAccount',
    check: { kind: 'account-public-access-block' },
    remediation: 'block-account-public-access',
    summary: 'Account-level S3 Block Public Access is not fully on',
  },
  // The Config rule judges the bucket's own settings: the account's setting does not make a bucket pass. Its
  // `excludedPublicBuckets` parameter (buckets meant to be public) means such a bucket never fails.
  'S3.8': {
    id: 'S3.8',
    aliases: ['CIS 1.4.0 2.1.5.2'],
    title: 'S3 general purpose buckets should block public access',
    defaultSeverity: 'HIGH',
    resourceType: 'AwsS3Bucket',
    check: { kind: 'bucket-public-access-block' },
    remediation: 'block-bucket-public-access',
    summary: 'S3 bucket Block Public Access not fully on (bucket level)',
  },
  // Retired by Security Hub CSPM in April 2024, but findings raised before remain in accounts (Config rule
  // autoscaling-launch-config-hop-limit on AWS::AutoScaling::LaunchConfiguration: NON_COMPLIANT above 1). Its fix is
  // the AutoScaling.3 migration with the hop limit set to CSPM_IMDS_HOP_LIMIT (1 unless container hosts need 2),
  // never below it; the configuration itself, unchanged, keeps failing until it is deleted.
  'AutoScaling.4': {
    id: 'AutoScaling.4',
    aliases: [],
    title:
      'Auto Scaling group launch configuration should not have a metadata response hop limit greater than 1',
    defaultSeverity: 'HIGH',
    resourceType: 'AwsAutoScalingLaunchConfiguration',
    check: { kind: 'auto-scaling-hop-limit', maxHopLimit: 1 },
    remediation: 'migrate-launch-configuration',
    summary: 'Auto Scaling launch configuration lets IMDS tokens travel more than one hop',
  },
});

export const REMEDIATION_CATALOG: Readonly<Record<RemediationKind, RemediationSpec>> = Object.freeze({
  'revoke-exposed-ingress': {
    kind: 'revoke-exposed-ingress',
    planKind: 'revoke-ingress',
    runbook: 'CspmBot-RevokeSecurityGroupRules',
    permissions: {
      read: SECURITY_GROUP_READS,
      directWrite: ['ec2:RevokeSecurityGroupIngress'],
      automation: ['ec2:RevokeSecurityGroupIngress', 'ec2:DescribeSecurityGroupRules'],
    },
    sandbox: true,
  },
  'empty-default-group': {
    kind: 'empty-default-group',
    planKind: 'empty-default-group',
    runbook: 'CspmBot-EmptyDefaultSecurityGroup',
    permissions: {
      read: SECURITY_GROUP_READS,
      directWrite: ['ec2:RevokeSecurityGroupIngress', 'ec2:RevokeSecurityGroupEgress'],
      automation: [
        'ec2:RevokeSecurityGroupIngress',
        'ec2:RevokeSecurityGroupEgress',
        'ec2:DescribeSecurityGroupRules',
      ],
    },
    sandbox: true,
  },
  'require-imdsv2-instance': {
    kind: 'require-imdsv2-instance',
    planKind: 'require-imdsv2-instance',
    runbook: 'CspmBot-RequireImdsV2Instance',
    permissions: {
      read: ['ec2:DescribeInstances'],
      directWrite: ['ec2:ModifyInstanceMetadataOptions'],
      automation: ['ec2:ModifyInstanceMetadataOptions', 'ec2:DescribeInstances'],
    },
    sandbox: true,
  },
  'require-imdsv2-launch-template': {
    kind: 'require-imdsv2-launch-template',
    planKind: 'require-imdsv2-launch-template',
    runbook: 'CspmBot-RequireImdsV2LaunchTemplate',
    permissions: {
      read: [
        'autoscaling:DescribeLaunchConfigurations',
        'autoscaling:DescribeAutoScalingGroups',
        'ec2:DescribeLaunchTemplates',
        'ec2:DescribeLaunchTemplateVersions',
      ],
      // Groups that ran the fixed version are re-pointed (or pinned) with UpdateAutoScalingGroup.
      directWrite: [
        'ec2:CreateLaunchTemplateVersion',
        'ec2:ModifyLaunchTemplate',
        'autoscaling:UpdateAutoScalingGroup',
      ],
      automation: [
        'ec2:CreateLaunchTemplateVersion',
        'ec2:ModifyLaunchTemplate',
        'ec2:DescribeLaunchTemplateVersions',
      ],
      // Groups re-pointed or pinned with UpdateAutoScalingGroup (direct only: the runbook never moves a group).
      checkedOnCall: { directWrite: LAUNCH_FROM_TEMPLATE },
    },
    sandbox: true,
  },
  'deny-network-acl-ingress': {
    kind: 'deny-network-acl-ingress',
    planKind: 'deny-network-acl-ingress',
    runbook: 'CspmBot-DenyNetworkAclAdminPorts',
    permissions: {
      read: ['ec2:DescribeNetworkAcls'],
      directWrite: ['ec2:CreateNetworkAclEntry'],
      automation: ['ec2:CreateNetworkAclEntry', 'ec2:DescribeNetworkAcls'],
    },
    sandbox: true,
  },
  'require-imdsv2-account-defaults': {
    kind: 'require-imdsv2-account-defaults',
    planKind: 'require-imdsv2-account-defaults',
    runbook: 'CspmBot-RequireImdsV2AccountDefaults',
    permissions: {
      read: ['ec2:GetInstanceMetadataDefaults'],
      directWrite: ['ec2:ModifyInstanceMetadataDefaults'],
      automation: ['ec2:ModifyInstanceMetadataDefaults', 'ec2:GetInstanceMetadataDefaults'],
    },
    sandbox: true,
  },
  'require-tls-only-bucket-policy': {
    kind: 'require-tls-only-bucket-policy',
    planKind: 'require-tls-only-bucket-policy',
    runbook: 'CspmBot-RequireTlsOnlyBucketPolicy',
    permissions: {
      read: BUCKET_READS,
      directWrite: ['s3:PutBucketPolicy'],
      automation: ['s3:PutBucketPolicy', 's3:GetBucketPolicy'],
    },
    sandbox: true,
  },
  // S3's IAM actions are named after the setting, not the API: PutPublicAccessBlock on a bucket is authorized as
  // s3:PutBucketPublicAccessBlock, on the account (S3 Control) as s3:PutAccountPublicAccessBlock.
  'block-bucket-public-access': {
    kind: 'block-bucket-public-access',
    planKind: 'block-bucket-public-access',
    runbook: 'CspmBot-BlockBucketPublicAccess',
    permissions: {
      read: [
        's3:GetBucketPublicAccessBlock',
        's3:GetBucketPolicy',
        's3:GetBucketPolicyStatus',
        's3:GetBucketAcl',
        's3:GetAccountPublicAccessBlock',
      ],
      directWrite: ['s3:PutBucketPublicAccessBlock'],
      automation: ['s3:PutBucketPublicAccessBlock', 's3:GetBucketPublicAccessBlock'],
    },
    sandbox: true,
  },
  'block-account-public-access': {
    kind: 'block-account-public-access',
    planKind: 'block-account-public-access',
    runbook: 'CspmBot-BlockAccountPublicAccess',
    permissions: {
      read: [
        's3:GetAccountPublicAccessBlock',
        's3:ListAllMyBuckets',
        's3:GetBucketLocation',
        's3:GetBucketPublicAccessBlock',
        's3:GetBucketPolicy',
        's3:GetBucketPolicyStatus',
        's3:GetBucketAcl',
      ],
      directWrite: ['s3:PutAccountPublicAccessBlock'],
      automation: ['s3:PutAccountPublicAccessBlock', 's3:GetAccountPublicAccessBlock'],
    },
    sandbox: true,
  },
  'migrate-launch-configuration': {
    kind: 'migrate-launch-configuration',
    planKind: 'migrate-launch-configuration',
    runbook: 'CspmBot-MigrateLaunchConfiguration',
    permissions: {
      read: [
        'autoscaling:DescribeLaunchConfigurations',
        'autoscaling:DescribeAutoScalingGroups',
        'ec2:DescribeLaunchTemplates',
        'ec2:DescribeLaunchTemplateVersions',
      ],
      // StartInstanceRefresh only when the person ticked it in the dialog.
      directWrite: [
        'ec2:CreateLaunchTemplate',
        'autoscaling:UpdateAutoScalingGroup',
        'autoscaling:StartInstanceRefresh',
      ],
      automation: [
        'ec2:CreateLaunchTemplate',
        'ec2:DescribeLaunchTemplateVersions',
        'autoscaling:UpdateAutoScalingGroup',
        'autoscaling:DescribeAutoScalingGroups',
        'autoscaling:StartInstanceRefresh',
      ],
      // Both executors move groups onto the new template (and may refresh them).
      checkedOnCall: { directWrite: LAUNCH_FROM_TEMPLATE, automation: LAUNCH_FROM_TEMPLATE },
    },
    sandbox: true,
  },
});

/** What a control offers: its own remediation, then its account-wide fix if it has one. */
export function remediationsOffered(control: ControlSpec): RemediationKind[] {
  return control.accountFix ? [control.remediation, control.accountFix] : [control.remediation];
}

/**
 * The remediations the catalog's controls use or offer (account fixes included), each once, in catalog order: what
 * the stacks grant and create.
 */
export function remediationsInUse(): RemediationSpec[] {
  const kinds = new Set(Object.values(CONTROL_CATALOG).flatMap(remediationsOffered));
  return [...kinds].map((kind) => REMEDIATION_CATALOG[kind]);
}

/** The remediation whose plans are of `planKind` (each plan kind belongs to one remediation). */
export function remediationOfPlan(planKind: RemediationPlan['kind']): RemediationSpec {
  const spec = Object.values(REMEDIATION_CATALOG).find((candidate) => candidate.planKind === planKind);
  if (!spec) throw new Error(`No remediation in REMEDIATION_CATALOG makes ${planKind} plans`);
  return spec;
}

export function isControlId(value: string): value is ControlId {
  return Object.hasOwn(CONTROL_CATALOG, value);
}

/** The spec of a control the bot knows, or undefined (unknown id, or a finding without a control id). */
export function controlSpec(id: string | undefined): ControlSpec | undefined {
  return id !== undefined && isControlId(id) ? CONTROL_CATALOG[id] : undefined;
}

/** EC2.18's parameter names in `Compliance.SecurityControlParameters`. */
export const AUTHORIZED_TCP_PORTS_PARAMETER = 'authorizedTcpPorts';
export const AUTHORIZED_UDP_PORTS_PARAMETER = 'authorizedUdpPorts';

export interface AuthorizedPorts {
  readonly tcp: readonly PortRange[];
  readonly udp: readonly PortRange[];
}

const PORT_OR_RANGE = /^(\d{1,5})(?:\s*-\s*(\d{1,5}))?$/;

/** `['80', '443', '1020-1025']` (or `['80,443']`) → ranges; entries that are not ports or ranges are skipped. */
function portRangesOf(values: readonly string[]): PortRange[] {
  return values
    .flatMap((value) => value.split(','))
    .flatMap((entry): PortRange[] => {
      const match = PORT_OR_RANGE.exec(entry.trim());
      if (!match) return [];
      const from = Number(match[1]);
      const to = match[2] === undefined ? from : Number(match[2]);
      return from <= to && to <= 65535 ? [{ from, to }] : [];
    });
}

/**
 * The ports EC2.18 lets a security group open to the world, as the finding's control was configured: its
 * `authorizedTcpPorts` / `authorizedUdpPorts` parameters when it carries them (an empty list authorizes
 * nothing), else Security Hub's defaults (tcp 80 and 443, no udp). Triage and the remediation plan both ask
 * this, so the bot never revokes a port the account authorized.
 */
export function authorizedPortsFor(finding: Pick<Finding, 'controlParameters'>): AuthorizedPorts {
  const tcp = finding.controlParameters?.[AUTHORIZED_TCP_PORTS_PARAMETER];
  const udp = finding.controlParameters?.[AUTHORIZED_UDP_PORTS_PARAMETER];
  return {
    tcp: tcp === undefined ? DEFAULT_AUTHORIZED_TCP_PORTS : portRangesOf(tcp),
    udp: udp === undefined ? [] : portRangesOf(udp),
  };
}

/** The control's exposure check with the finding's parameters applied (only EC2.18 has parameters the bot reads). */
export function exposureCheckFor(
  check: ExposureCheck,
  finding: Pick<Finding, 'controlParameters'>,
): ExposureCheck {
  if (check.kind !== 'world-unauthorized-ports') return check;
  const authorized = authorizedPortsFor(finding);
  return { kind: check.kind, authorizedTcpPorts: authorized.tcp, authorizedUdpPorts: authorized.udp };
}

/**
 * The control's spec with the finding's parameters applied to its exposure check: what triage, planning and
 * verification must judge the group by (EC2.18 with `authorizedTcpPorts: 8443` never flags or revokes tcp/8443).
 */
export function controlSpecFor(
  finding: Pick<Finding, 'controlId' | 'controlParameters'>,
): ControlSpec | undefined {
  const control = controlSpec(finding.controlId);
  if (control?.check.kind !== 'security-group') return control;
  return {
    ...control,
    check: { kind: 'security-group', exposure: exposureCheckFor(control.check.exposure, finding) },
  };
}

/** The catalog summary, with EC2.18's authorized ports as the finding's control was configured. */
export function controlSummaryFor(control: ControlSpec, finding: Pick<Finding, 'controlParameters'>): string {
  if (control.check.kind !== 'security-group' || control.check.exposure.kind !== 'world-unauthorized-ports')
    return control.summary;
  const authorized = authorizedPortsFor(finding);
  const parts = [
    ...(authorized.tcp.length > 0 ? [`tcp ${describePortRanges(authorized.tcp)}`] : []),
    ...(authorized.udp.length > 0 ? [`udp ${describePortRanges(authorized.udp)}`] : []),
  ];
  return parts.length === 0
    ? 'Ports open to the internet (no port is authorized)'
    : `Ports other than ${parts.join(' and ')} open to the internet`;
}
