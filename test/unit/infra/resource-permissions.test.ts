import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AccountPrincipal, Role } from 'aws-cdk-lib/aws-iam';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  allowResourceActions,
  DIRECT_REMEDIATION_ACTIONS,
  remediationActionsOf,
  RESOURCE_STATE_READ_ACTIONS,
  UnscopedActionError,
} from '../../../infra/resource-permissions.js';
import { automationActions } from '../../../infra/remediation-runbooks.js';
import type { PolicyStatementJson } from './template-reading.js';
import { acknowledgementsIn, arnText, grantsOf, statementsOf } from './template-reading.js';

/** The S3 actions that name a bucket (arn:aws:s3:::name), written out so a scope change fails here. */
const BUCKET_ACTIONS: readonly string[] = [
  's3:GetBucketPublicAccessBlock',
  's3:GetBucketPolicy',
  's3:GetBucketPolicyStatus',
  's3:GetBucketAcl',
  's3:GetBucketLocation',
  's3:PutBucketPublicAccessBlock',
  's3:PutBucketPolicy',
];

function roleIn(stack: Stack, id: string): Role {
  return new Role(stack, id, { assumedBy: new AccountPrincipal('111122223333') });
}

describe('allowResourceActions', () => {
  let stack: Stack;
  let role: Role;
  let statements: PolicyStatementJson[];

  // Prepare: one small stack, one synthesis.
  beforeAll(() => {
    // CloudFormation schema validation would cost seconds and checks nothing this test asks.
    stack = new Stack(new App({ builtinCloudFormationValidation: false }), 'Permissions');
    role = roleIn(stack, 'Remediator');
    allowResourceActions(
      role,
      [...RESOURCE_STATE_READ_ACTIONS, ...DIRECT_REMEDIATION_ACTIONS],
      ['xray:PutTraceSegments'],
    );
    statements = statementsOf(Template.fromStack(stack), stack, role);
  });

  it('puts on "*" only the reads without a resource type, the account-level S3 setting and IMDS defaults', () => {
    const unscoped = statements
      .filter((statement) => statement.Resource === '*')
      .flatMap((s) => [s.Action].flat());

    expect(unscoped.sort()).toEqual(
      [
        ...RESOURCE_STATE_READ_ACTIONS.filter((action) => !BUCKET_ACTIONS.includes(action)),
        // Authorized against no resource type (Service Authorization Reference, Amazon S3 and EC2).
        's3:PutAccountPublicAccessBlock',
        'ec2:ModifyInstanceMetadataDefaults',
      ].sort(),
    );
  });

  it.each(
    DIRECT_REMEDIATION_ACTIONS.filter(
      (action) =>
        (action.startsWith('ec2:') || action.startsWith('autoscaling:')) &&
        !['ec2:ModifyInstanceMetadataDefaults', 'ec2:RunInstances', 'ec2:CreateTags'].includes(action),
    ),
  )("scopes %s to this account's resources", (action) => {
    const [grant, ...others] = grantsOf(statements, action);

    expect(others).toEqual([]);
    expect(arnText(grant?.Resource)).toMatch(
      /^arn:<AWS::Partition>:(ec2|autoscaling):\*:<AWS::AccountId>:.+\*$/,
    );
  });

  it.each([
    ['ec2:RunInstances', { ArnLike: { 'ec2:LaunchTemplate': expect.anything() } }],
    ['ec2:CreateTags', { StringEquals: { 'ec2:CreateAction': 'RunInstances' } }],
    ['iam:PassRole', { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } }],
  ] as const)(
    'grants %s, which Auto Scaling checks when a group is moved to a launch template, only under its condition',
    (action, condition) => {
      const [grant, ...others] = grantsOf(statements, action);

      expect(others).toEqual([]);
      expect(grant?.Condition).toEqual(condition);
    },
  );

  it.each(BUCKET_ACTIONS)('scopes %s to buckets (which S3 names without an account)', (action) => {
    const [grant, ...others] = grantsOf(statements, action);

    expect(others).toEqual([]);
    expect(arnText(grant?.Resource)).toBe('arn:<AWS::Partition>:s3:::*');
    // Bucket ARNs name no account; the condition keeps the grant to this account's buckets.
    expect(grant?.Condition).toEqual({ StringEquals: { 's3:ResourceAccount': { Ref: 'AWS::AccountId' } } });
  });

  it('names every "*" action, the ones held already included, in a single acknowledgement', () => {
    const star = acknowledgementsIn(stack).filter(([rule]) => rule.endsWith('IAM5[Resource::*]'));

    expect(star).toHaveLength(1);
    for (const action of [
      'xray:PutTraceSegments',
      's3:PutAccountPublicAccessBlock',
      ...RESOURCE_STATE_READ_ACTIONS.filter((read) => !BUCKET_ACTIONS.includes(read)),
    ]) {
      expect(star[0]?.[1]).toContain(action);
    }
  });

  it('knows the scope of every action the runbooks call', () => {
    const runbookRole = roleIn(new Stack(new App(), 'Runbooks'), 'Automation');

    expect(() => allowResourceActions(runbookRole, automationActions())).not.toThrow();
  });

  it('refuses an action whose scope nobody decided, rather than granting it on "*"', () => {
    const unknown = roleIn(new Stack(new App(), 'Unknown'), 'Unknown');

    expect(() => allowResourceActions(unknown, ['ec2:TerminateInstances'])).toThrow(UnscopedActionError);
  });
});

describe('remediationActionsOf', () => {
  it('gives the ssm executor reads only: the runbooks change resources with their own role', () => {
    expect(remediationActionsOf('ssm').filter((action) => !/:(?:Describe|Get|List)/.test(action))).toEqual(
      [],
    );
  });

  it('gives the direct executor the reads and every change it makes', () => {
    expect([...remediationActionsOf('direct')].sort()).toEqual(
      [...RESOURCE_STATE_READ_ACTIONS, ...DIRECT_REMEDIATION_ACTIONS].sort(),
    );
  });
});
