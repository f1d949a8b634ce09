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

/** Reads of bucket settings, scoped to this account's buckets; every other read has no resource-level permission. */
const BUCKET_READS = RESOURCE_STATE_READ_ACTIONS.filter((action) => action.startsWith('s3:GetBucket'));
const UNSCOPED_READS = RESOURCE_STATE_READ_ACTIONS.filter((action) => !BUCKET_READS.includes(action));

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

  it('puts only reads without resource-level permissions on "*"', () => {
    const unscoped = statements
      .filter((statement) => statement.Resource === '*')
      .flatMap((s) => [s.Action].flat());

    expect(unscoped.sort()).toEqual(UNSCOPED_READS.sort());
  });

  it.each([...DIRECT_REMEDIATION_ACTIONS, ...BUCKET_READS])(
    "scopes %s to this account's resources",
    (action) => {
      const [grant, ...others] = grantsOf(statements, action);

      expect(others).toEqual([]);
      if (action.startsWith('s3:')) {
        // Bucket ARNs name no account; the condition does.
        expect(arnText(grant?.Resource)).toBe('arn:<AWS::Partition>:s3:::*');
        expect(grant?.Condition).toEqual({
          StringEquals: { 's3:ResourceAccount': { Ref: 'AWS::AccountId' } },
        });
      } else {
        expect(arnText(grant?.Resource)).toMatch(
          /^arn:<AWS::Partition>:(ec2|autoscaling):\*:<AWS::AccountId>:.+\*$/,
        );
      }
    },
  );

  it('names every "*" action, the ones held already included, in a single acknowledgement', () => {
    const star = acknowledgementsIn(stack).filter(([rule]) => rule.endsWith('IAM5[Resource::*]'));

    expect(star).toHaveLength(1);
    for (const action of ['xray:PutTraceSegments', ...UNSCOPED_READS]) {
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
    expect(remediationActionsOf('ssm').filter((action) => !/:(Describe|Get)/.test(action))).toEqual([]);
  });

  it('gives the direct executor the reads and every change it makes', () => {
    expect([...remediationActionsOf('direct')].sort()).toEqual(
      [...RESOURCE_STATE_READ_ACTIONS, ...DIRECT_REMEDIATION_ACTIONS].sort(),
    );
  });
});
