import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AccountRootPrincipal, Role } from 'aws-cdk-lib/aws-iam';
import { describe, expect, it } from 'vitest';
import { RemediationRunbooks } from '../../../infra/remediation-runbooks.js';
import { automationTags } from '../../../src/aws/change-attribution.js';
import { grantsOf, resourcesIn, statementsOf } from './template-reading.js';

describe('tagging the automations the bot starts', () => {
  it("lets the starting role tag its executions with the bot's own keys, and nothing else", () => {
    const stack = new Stack(new App(), 'Tagging');
    const runbooks = new RemediationRunbooks(stack, 'Runbooks');
    const starter = new Role(stack, 'Starter', { assumedBy: new AccountRootPrincipal() });

    runbooks.grantStartAutomation(starter);

    const grants = grantsOf(statementsOf(Template.fromStack(stack), stack, starter), 'ssm:AddTagsToResource');
    expect(grants).toHaveLength(1);
    expect(resourcesIn(grants)).toEqual([
      'arn:<AWS::Partition>:ssm:<AWS::Region>:<AWS::AccountId>:automation-execution/*',
    ]);
    // Every key the remediator sends is one the grant allows.
    const allowed = (grants[0]?.Condition as { 'ForAllValues:StringEquals': { 'aws:TagKeys': string[] } })[
      'ForAllValues:StringEquals'
    ]['aws:TagKeys'];
    const sent = automationTags({ findingId: 'f', decisionId: 'd', slackUserId: 'U0ALICE01' }).map(
      (tag) => tag.Key,
    );
    expect([...allowed].sort()).toEqual([...sent].sort());
  });
});
