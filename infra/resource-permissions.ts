import { Aws, Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Role } from 'aws-cdk-lib/aws-iam';
import type { Config } from '../src/config/config.js';
import { AppError } from '../src/domain/app-error.js';
import { remediationsInUse } from '../src/domain/control-catalog.js';
import type { RemediationRunbooks } from './remediation-runbooks.js';

/** CSPM_EXECUTOR: how a confirmed remediation changes resources. */
export type Executor = Config['remediation']['executor'];

/** What the exposure inspector reads for every finding (ingest, sync, worker). */
export const FINDING_READ_ACTIONS = [
  'ec2:DescribeSecurityGroupRules',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeRouteTables',
  'ec2:DescribeNetworkAcls',
  'ec2:DescribeInstances',
] as const;

/**
 * What reading a resource before a plan is made or run, and to verify it, takes: the finding reads and every
 * remediation's own reads (control catalog), once each.
 */
export const RESOURCE_STATE_READ_ACTIONS: readonly string[] = unique([
  ...FINDING_READ_ACTIONS,
  ...remediationsInUse().flatMap((remediation) => remediation.permissions.read),
]);

/**
 * What the direct executor (CSPM_EXECUTOR=direct) changes: every remediation's direct writes, and what AWS checks on
 * its behalf inside them (launching from the template a group is moved to), once each.
 */
export const DIRECT_REMEDIATION_ACTIONS: readonly string[] = unique(
  remediationsInUse().flatMap((remediation) => [
    ...remediation.permissions.directWrite,
    ...(remediation.permissions.checkedOnCall?.directWrite ?? []),
  ]),
);

function unique(actions: readonly string[]): string[] {
  return [...new Set(actions)];
}

/**
 * What a role the bot remediates with (the Worker's at home, the member role elsewhere) calls itself, per executor:
 * with `ssm` it only reads, and the runbooks' automation role makes the changes; with `direct` it makes them.
 */
export function remediationActionsOf(executor: Executor): readonly string[] {
  return executor === 'direct'
    ? [...RESOURCE_STATE_READ_ACTIONS, ...DIRECT_REMEDIATION_ACTIONS]
    : RESOURCE_STATE_READ_ACTIONS;
}

/**
 * Lets `role` remediate with `executor` in its own account: the reads and, with `direct`, the changes; with `ssm`,
 * starting the runbooks and passing their automation role (never the changes themselves).
 */
export function allowRemediation(role: Role, executor: Executor, runbooks: RemediationRunbooks): void {
  allowResourceActions(role, remediationActionsOf(executor));
  if (executor === 'ssm') runbooks.grantStartAutomation(role);
}

interface ResourceScope {
  /** Every resource of the type in the account the policy lives in, any region. */
  readonly arn: string;
  readonly reason: string;
  /** A condition that keeps the grant to this account when the ARN cannot name it (S3 bucket ARNs). */
  readonly conditions?: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

const SCOPES = {
  'security-group': {
    arn: `arn:${Aws.PARTITION}:ec2:*:${Aws.ACCOUNT_ID}:security-group/*`,
    reason:
      'Any security group of this account: the groups to fix are named by Security Hub findings at run time, ' +
      'and the rules revoked (inbound, and outbound only for VPC default groups) are the ones a person approved ' +
      '(by rule id).',
  },
  instance: {
    arn: `arn:${Aws.PARTITION}:ec2:*:${Aws.ACCOUNT_ID}:instance/*`,
    reason:
      'Any instance of this account: the instances that still accept IMDSv1 are named by Security Hub ' +
      'findings at run time; only their metadata options are changed.',
  },
  'launch-template': {
    arn: `arn:${Aws.PARTITION}:ec2:*:${Aws.ACCOUNT_ID}:launch-template/*`,
    reason:
      'Any launch template of this account: the templates to fix are found from Auto Scaling findings at run ' +
      'time; a new version is added (and made the default only when the group follows the default), existing ' +
      'versions are never changed.',
  },
  'network-acl': {
    arn: `arn:${Aws.PARTITION}:ec2:*:${Aws.ACCOUNT_ID}:network-acl/*`,
    reason:
      'Any network ACL of this account: the ACLs to fix are named by Security Hub findings at run time; only ' +
      'inbound deny entries for the approved ports are added, existing entries are never changed or deleted.',
  },
  bucket: {
    // Bucket ARNs name no account: s3:ResourceAccount keeps the grant to this account's buckets (and every call
    // the bot makes sends ExpectedBucketOwner too).
    arn: `arn:${Aws.PARTITION}:s3:::*`,
    conditions: { StringEquals: { 's3:ResourceAccount': Aws.ACCOUNT_ID } },
    reason:
      'Any S3 bucket of this account (s3:ResourceAccount; every call also sends ExpectedBucketOwner): the buckets ' +
      'to fix are named by Security Hub findings at run time; only their Block Public Access is changed, and for ' +
      'S3.5 their policy, to the one a person approved with its existing statements kept; ACLs and locations are ' +
      'only read.',
  },
  // Auto Scaling checks these when a group is pointed at a launch template: the grant only works through a launch
  // template of this account, and only passes roles to EC2, so the bot cannot launch or pass anything on its own.
  'launch-from-template': {
    arn: `arn:${Aws.PARTITION}:ec2:*:*:*`,
    conditions: {
      ArnLike: { 'ec2:LaunchTemplate': `arn:${Aws.PARTITION}:ec2:*:${Aws.ACCOUNT_ID}:launch-template/*` },
    },
    reason:
      'Auto Scaling checks ec2:RunInstances when a group is moved to a ' +
      'launch template; the condition allows it only through a launch template of this account (the AMI may be ' +
      "another account's, so the resource cannot name the account).",
  },
  'tag-on-launch': {
    arn: `arn:${Aws.PARTITION}:ec2:*:${Aws.ACCOUNT_ID}:*`,
    conditions: { StringEquals: { 'ec2:CreateAction': 'RunInstances' } },
    reason:
      "Auto Scaling checks ec2:CreateTags for a launch template's tag specifications when a group is moved to it: " +
      "only tags put on this account's resources as they are launched (ec2:CreateAction RunInstances).",
  },
  'instance-role': {
    arn: `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/*`,
    conditions: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
    reason:
      "Auto Scaling checks iam:PassRole for the instance profile of the launch template a group is moved to: any of this account's roles, passed to EC2 only.",
  },
  'auto-scaling-group': {
    arn: `arn:${Aws.PARTITION}:autoscaling:*:${Aws.ACCOUNT_ID}:autoScalingGroup:*:autoScalingGroupName/*`,
    reason:
      'Any Auto Scaling group of this account: groups that ran the fixed launch template version are pointed at ' +
      'the new one, and groups following $Latest to another version are pinned to the version they run; which ' +
      'groups those are is known at run time only.',
  },
} as const satisfies Record<string, ResourceScope>;

/**
 * `unscoped`: reads without resource-level permissions. `account`: a change to a setting of the account itself in
 * a Region (the IMDS defaults), which has no ARN either; both are granted on "*".
 */
type ScopeName = keyof typeof SCOPES | 'unscoped' | 'account';

/**
 * The narrowest resource each action authorizes against (Service Authorization Reference). An action missing here
 * fails the synth: someone must decide its scope, rather than it landing on "*" unnoticed.
 */
const SCOPE_OF_ACTION: Readonly<Record<string, ScopeName>> = {
  'ec2:DescribeSecurityGroups': 'unscoped',
  'ec2:DescribeSecurityGroupRules': 'unscoped',
  'ec2:DescribeNetworkInterfaces': 'unscoped',
  'ec2:DescribeRouteTables': 'unscoped',
  'ec2:DescribeNetworkAcls': 'unscoped',
  'ec2:DescribeInstances': 'unscoped',
  'ec2:DescribeLaunchTemplates': 'unscoped',
  'ec2:DescribeLaunchTemplateVersions': 'unscoped',
  'autoscaling:DescribeAutoScalingGroups': 'unscoped',
  'autoscaling:DescribeLaunchConfigurations': 'unscoped',
  'ec2:GetInstanceMetadataDefaults': 'unscoped',
  'ec2:ModifyInstanceMetadataDefaults': 'account',
  'ec2:RevokeSecurityGroupIngress': 'security-group',
  'ec2:RevokeSecurityGroupEgress': 'security-group',
  'ec2:ModifyInstanceMetadataOptions': 'instance',
  'ec2:CreateLaunchTemplateVersion': 'launch-template',
  'ec2:ModifyLaunchTemplate': 'launch-template',
  'ec2:CreateLaunchTemplate': 'launch-template',
  'ec2:CreateNetworkAclEntry': 'network-acl',
  'autoscaling:UpdateAutoScalingGroup': 'auto-scaling-group',
  's3:GetBucketPublicAccessBlock': 'bucket',
  's3:GetBucketPolicy': 'bucket',
  's3:GetBucketPolicyStatus': 'bucket',
  's3:GetBucketAcl': 'bucket',
  's3:PutBucketPolicy': 'bucket',
  's3:GetBucketLocation': 'bucket',
  's3:PutBucketPublicAccessBlock': 'bucket',
  // Account-level: S3 authorizes these on no resource (Service Authorization Reference, Amazon S3).
  's3:ListAllMyBuckets': 'unscoped',
  's3:GetAccountPublicAccessBlock': 'unscoped',
  's3:PutAccountPublicAccessBlock': 'unscoped',
  'autoscaling:StartInstanceRefresh': 'auto-scaling-group',
  'ec2:RunInstances': 'launch-from-template',
  'ec2:CreateTags': 'tag-on-launch',
  'iam:PassRole': 'instance-role',
};

/** An IAM action this module does not know the resource scope of. */
export class UnscopedActionError extends AppError {
  readonly code = 'INFRA_ACTION_UNSCOPED';
}

function scopeOf(action: string): ScopeName {
  const scope = SCOPE_OF_ACTION[action];
  if (!scope) {
    throw new UnscopedActionError(
      `${action}: no resource scope is known for it; add it to SCOPE_OF_ACTION in infra/resource-permissions.ts`,
      { action },
    );
  }
  return scope;
}

/**
 * Grants `actions` in the role's own account, each on the narrowest resource it supports, and acknowledges the
 * cdk-nag wildcard findings with their reasons. `alsoUnscoped` names actions the role already holds on "*"
 * (X-Ray) so that the one "*" acknowledgement lists them all.
 */
export function allowResourceActions(
  role: Role,
  actions: readonly string[],
  alsoUnscoped: readonly string[] = [],
): void {
  const byScope = new Map<ScopeName, string[]>();
  for (const action of new Set(actions)) {
    const scope = scopeOf(action);
    byScope.set(scope, [...(byScope.get(scope) ?? []), action]);
  }
  for (const [scope, scoped] of byScope) {
    const unscopedResource = scope === 'unscoped' || scope === 'account';
    const resource = unscopedResource ? '*' : SCOPES[scope].arn;
    const conditions = unscopedResource ? undefined : (SCOPES[scope] as ResourceScope).conditions;
    role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: scoped.sort(),
        resources: [resource],
        ...(conditions && { conditions: structuredClone(conditions) }),
      }),
    );
    if (!unscopedResource) {
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${nagForm(resource)}]`,
        reason: SCOPES[scope].reason,
      });
    }
  }
  const unscoped = [...alsoUnscoped, ...(byScope.get('unscoped') ?? [])];
  const accountLevel = byScope.get('account') ?? [];
  if (unscoped.length > 0 || accountLevel.length > 0) {
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        `Resource "*" only for actions without resource-level permissions (read-only Describe and List calls, ` +
        `the account's own S3 Block Public Access, and tracing): ${unscoped.join(', ')}` +
        (accountLevel.length > 0
          ? `; and the account's own IMDS defaults in a Region, which have no ARN (changed only when a person confirms the account-wide fix): ${accountLevel.join(', ')}.`
          : '.'),
    });
  }
}

/** How cdk-nag prints a resource in a finding id: pseudo parameters as `<AWS::Name>`. */
export function nagForm(arn: string): string {
  return arn
    .replaceAll(Aws.PARTITION, '<AWS::Partition>')
    .replaceAll(Aws.ACCOUNT_ID, '<AWS::AccountId>')
    .replaceAll(Aws.REGION, '<AWS::Region>');
}
