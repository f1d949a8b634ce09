import 'aws-sdk-client-mock-vitest/extend';
import {
  GetAutomationExecutionCommand,
  SSMClient,
  SSMServiceException,
  StartAutomationExecutionCommand,
} from '@aws-sdk/client-ssm';
import type { AutomationExecution, AutomationExecutionStatus, StepExecution } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { REMAINING_RULE_IDS_OUTPUT, ssmParametersFor } from '../../../infra/ssm-documents.js';
import type { SsmClientProvider } from '../../../src/aws/aws-clients.js';
import { AwsAccessDeniedError, AwsThrottledError } from '../../../src/aws/errors.js';
import {
  AutomationDocumentMissingError,
  AutomationFailedError,
  AutomationStillRunningError,
  RemediationIncompleteError,
  SecurityGroupRuleGoneError,
  SsmPlanNotSupportedError,
} from '../../../src/aws/remediation-errors.js';
import { SsmRemediator, automationClientToken } from '../../../src/aws/ssm-remediator.js';
import { LAUNCH_TEMPLATE_ID } from '../../fixtures/autoscaling.js';
import { GROUP_ID } from '../../fixtures/ec2.js';
import { ACCOUNT } from '../../fixtures/finding.js';
import {
  DEFAULT_GROUP_ID,
  EGRESS_RULE_ID,
  EGRESS_V6_RULE_ID,
  PLAN_REGION,
  SELF_RULE_ID,
  makeDefaultGroupPlan,
  makeInstancePlan,
  makeLaunchTemplatePlan,
  revokePlan,
} from '../../fixtures/remediation-plan.js';

const ssm = mockClient(SSMClient);

const EXECUTION_ID = '4105a4fc-f944-11e6-9d32-0123456789ab';
const DECISION_ID = '0b5b2a52-7c1e-4d8e-9f0a-3c2d1e0f9a8b';
const CONTEXT = { findingId: 'finding-1', decisionId: DECISION_ID };
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/cspm-bot-automation`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const STARTED = new Date('2026-11-02T09:15:03.000Z');

class RecordingClients implements SsmClientProvider {
  readonly asked: string[] = [];

  async ssm(accountId: string, region: string): Promise<SSMClient> {
    this.asked.push(`ssm ${accountId} ${region}`);
    return new SSMClient({ region });
  }

  automationRoleArn(accountId: string, automationRoleName: string): string {
    return `arn:aws:iam::${accountId}:role/${automationRoleName}`;
  }
}

/** A clock that only moves when the remediator sleeps. */
class VirtualClock {
  nowMs = 1_000_000;
  readonly sleeps: number[] = [];

  readonly sleep = async (ms: number): Promise<void> => {
    this.sleeps.push(ms);
    this.nowMs += ms;
  };
}

const instancePlan = makeInstancePlan({ httpPutResponseHopLimit: 1 });

function step(name: string, status: AutomationExecutionStatus, overrides: StepExecution = {}): StepExecution {
  return {
    StepName: name,
    Action: 'aws:executeAwsApi',
    ExecutionStartTime: STARTED,
    ExecutionEndTime: new Date(STARTED.getTime() + 1_500),
    StepStatus: status,
    Inputs: { Service: '"ec2"' },
    Outputs: {},
    StepExecutionId: `${name.toLowerCase()}-6d4b2c1a-0f9e-4e3d-8c7b-5a4f3e2d1c0b`,
    OverriddenParameters: {},
    ...overrides,
  };
}

/** GetAutomationExecution's `AutomationExecution`, shaped like the CLI example's. */
function execution(
  status: AutomationExecutionStatus,
  overrides: AutomationExecution = {},
): { AutomationExecution: AutomationExecution } {
  const ended = (['Success', 'Failed', 'TimedOut', 'Cancelled', 'CompletedWithFailure'] as const).some(
    (endStatus) => endStatus === status,
  );
  return {
    AutomationExecution: {
      AutomationExecutionId: EXECUTION_ID,
      DocumentName: 'CspmBot-RevokeSecurityGroupRules',
      DocumentVersion: '1',
      ExecutionStartTime: STARTED,
      ...(ended ? { ExecutionEndTime: new Date(STARTED.getTime() + 4_000) } : {}),
      AutomationExecutionStatus: status,
      StepExecutions: [
        step('RevokeRules', ended ? 'Success' : 'InProgress'),
        step('ReadRemainingRules', ended ? 'Success' : 'Pending'),
      ],
      StepExecutionsTruncated: false,
      Parameters: { AutomationAssumeRole: [ROLE_ARN], GroupId: [GROUP_ID] },
      Outputs: ended ? { [REMAINING_RULE_IDS_OUTPUT]: [] } : {},
      Mode: 'Auto',
      ExecutedBy: `arn:aws:sts::${ACCOUNT}:assumed-role/cspm-bot-member/cspm-bot`,
      Targets: [],
      ResolvedTargets: { ParameterValues: [], Truncated: false },
      ...overrides,
    },
  };
}

function ssmError(name: string, message: string): SSMServiceException {
  return new SSMServiceException({ name, message, $fault: 'client', $metadata: { httpStatusCode: 400 } });
}

let clients: RecordingClients;
let clock: VirtualClock;

function newRemediator(timeoutMs?: number): SsmRemediator {
  return new SsmRemediator(clients, {
    automationRoleName: 'cspm-bot-automation',
    pollIntervalMs: 2_000,
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    sleep: clock.sleep,
    nowMs: () => clock.nowMs,
  });
}

beforeEach(() => {
  ssm.reset();
  clients = new RecordingClients();
  clock = new VirtualClock();
  ssm.on(StartAutomationExecutionCommand).resolves({ AutomationExecutionId: EXECUTION_ID });
});

describe('SsmRemediator', () => {
  it('starts the plan document with its parameters, the automation role and the decision as client token', async () => {
    // Prepare
    ssm.on(GetAutomationExecutionCommand).resolves(execution('Success'));

    // Act
    await newRemediator().execute(revokePlan, CONTEXT);

    // Assess
    const { documentName, parameters } = ssmParametersFor(revokePlan, ROLE_ARN);
    expect(ssm.commandCalls(StartAutomationExecutionCommand)[0]?.args[0].input).toStrictEqual({
      DocumentName: documentName,
      Parameters: parameters,
      ClientToken: DECISION_ID,
      Tags: [
        { Key: 'cspm-bot:finding-id', Value: 'finding-1' },
        { Key: 'cspm-bot:decision-id', Value: DECISION_ID },
        { Key: 'cspm-bot:slack-user', Value: 'automatic' },
      ],
    });
    expect(parameters).toMatchObject({
      AutomationAssumeRole: [ROLE_ARN],
      SecurityGroupRuleIds: ['sgr-0a1b2c3d4e5f60001', 'sgr-0a1b2c3d4e5f60002'],
    });
    expect(clients.asked).toEqual([`ssm ${ACCOUNT} ${PLAN_REGION}`]);
  });

  it('tags the execution with the real finding ARN, the decision and the Slack user who confirmed it', async () => {
    ssm.on(GetAutomationExecutionCommand).resolves(execution('Success'));
    const findingId = `arn:aws:securityhub:${PLAN_REGION}:${ACCOUNT}:subscription/aws-foundational-security-best-practices/v/1.0.0/EC2.13/finding/8c3e9f0a-1b2c-4d5e-8f70-9a1b2c3d4e5f`;

    await newRemediator().execute(revokePlan, {
      findingId,
      decisionId: DECISION_ID,
      slackUserId: 'U0ALICE01',
    });

    expect(ssm.commandCalls(StartAutomationExecutionCommand)[0]?.args[0].input.Tags).toStrictEqual([
      { Key: 'cspm-bot:finding-id', Value: findingId },
      { Key: 'cspm-bot:decision-id', Value: DECISION_ID },
      { Key: 'cspm-bot:slack-user', Value: 'U0ALICE01' },
    ]);
  });

  it('polls until the automation succeeds, a poll interval apart, and reports its steps', async () => {
    // Prepare
    ssm
      .on(GetAutomationExecutionCommand)
      .resolvesOnce(execution('Pending'))
      .resolvesOnce(execution('InProgress'))
      .resolves(execution('Success'));

    // Act
    const result = await newRemediator().execute(revokePlan, CONTEXT);

    // Assess
    expect(ssm).toHaveReceivedCommandTimes(GetAutomationExecutionCommand, 3);
    expect(ssm).toHaveReceivedCommandWith(GetAutomationExecutionCommand, {
      AutomationExecutionId: EXECUTION_ID,
    });
    expect(clock.sleeps).toEqual([2_000, 2_000]);
    expect(result).toEqual({
      executor: 'ssm',
      executionId: EXECUTION_ID,
      steps: [
        `ran SSM automation ${EXECUTION_ID} (CspmBot-RevokeSecurityGroupRules)`,
        'RevokeRules (aws:executeAwsApi): Success',
        'ReadRemainingRules (aws:executeAwsApi): Success',
        `revoked sgr-0a1b2c3d4e5f60001 (tcp/22 from 0.0.0.0/0) from ${GROUP_ID}`,
        `revoked sgr-0a1b2c3d4e5f60002 (tcp/3389 from ::/0) from ${GROUP_ID}`,
      ],
    });
  });

  it('keeps polling while a just-started execution is not visible yet', async () => {
    ssm
      .on(GetAutomationExecutionCommand)
      .rejectsOnce(
        ssmError('AutomationExecutionNotFoundException', `Automation Execution ${EXECUTION_ID} not found`),
      )
      .resolves(execution('Success'));

    const result = await newRemediator().execute(instancePlan, CONTEXT);

    expect(result.executionId).toBe(EXECUTION_ID);
    expect(clock.sleeps).toEqual([2_000]);
  });

  it('fails with the automation failure message and its execution id', async () => {
    // Prepare
    const message =
      'Step fails when it is Executing. Fail to execute step. Error: An error occurred (UnauthorizedOperation) when calling the RevokeSecurityGroupIngress operation: You are not authorized to perform this operation.';
    ssm.on(GetAutomationExecutionCommand).resolves(
      execution('Failed', {
        FailureMessage: message,
        StepExecutions: [step('RevokeRules', 'Failed', { FailureMessage: message })],
      }),
    );

    // Act
    const error = await newRemediator()
      .execute(revokePlan, CONTEXT)
      .catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(AutomationFailedError);
    const failed = error as AutomationFailedError;
    expect(failed.executionId).toBe(EXECUTION_ID);
    expect(failed.status).toBe('Failed');
    expect(failed.failureMessage).toBe(message);
    expect(failed.userMessage).toBe(
      `The SSM automation ${EXECUTION_ID} failed: ${message.replace(/\.$/, '')}. See Systems Manager → Automation.`,
    );
  });

  it('reports a rule that vanished meanwhile as that, not as a failed automation, so the group is read again', async () => {
    const message =
      "Step fails when it is Executing. Fail to execute step. Error: An error occurred (InvalidSecurityGroupRuleId.NotFound) when calling the RevokeSecurityGroupIngress operation: The security group rule ID 'sgr-0a1b2c3d4e5f60002' does not exist";
    ssm.on(GetAutomationExecutionCommand).resolves(
      execution('Failed', {
        FailureMessage: message,
        StepExecutions: [step('RevokeRules', 'Failed', { FailureMessage: message })],
      }),
    );

    const error = await newRemediator()
      .execute(revokePlan, CONTEXT)
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(SecurityGroupRuleGoneError);
    expect((error as SecurityGroupRuleGoneError).ruleIds).toEqual([
      'sgr-0a1b2c3d4e5f60001',
      'sgr-0a1b2c3d4e5f60002',
    ]);
    expect((error as SecurityGroupRuleGoneError).userMessage).toContain('the group still exists');
  });

  it('says the inbound rules of a default group went when its outbound step found a rule gone', async () => {
    const message =
      'Step fails when it is Executing. Fail to execute step. Error: An error occurred (InvalidPermission.NotFound) when calling the RevokeSecurityGroupEgress operation: The specified rule does not exist in this security group.';
    ssm.on(GetAutomationExecutionCommand).resolves(
      execution('Failed', {
        DocumentName: 'CspmBot-EmptyDefaultSecurityGroup',
        StepExecutions: [
          step('RevokeIngress', 'Success'),
          step('RevokeEgress', 'Failed', { FailureMessage: message }),
        ],
      }),
    );

    const error = await newRemediator()
      .execute(makeDefaultGroupPlan(), CONTEXT)
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(RemediationIncompleteError);
    const incomplete = error as RemediationIncompleteError;
    expect(incomplete.completedSteps).toEqual([
      `revoked ${SELF_RULE_ID} (inbound all traffic from ${DEFAULT_GROUP_ID}) from ${DEFAULT_GROUP_ID}`,
    ]);
    expect(incomplete.cause).toBeInstanceOf(SecurityGroupRuleGoneError);
    expect((incomplete.cause as SecurityGroupRuleGoneError).ruleIds).toEqual([
      EGRESS_RULE_ID,
      EGRESS_V6_RULE_ID,
    ]);
  });

  it('takes the failed step’s message when the execution has none', async () => {
    ssm.on(GetAutomationExecutionCommand).resolves(
      execution('Failed', {
        StepExecutions: [
          step('RequireTokens', 'Success'),
          step('WaitUntilTokensRequired', 'TimedOut', {
            FailureMessage: 'Step timed out while step is verifying',
          }),
        ],
      }),
    );

    const error = await newRemediator()
      .execute(instancePlan, CONTEXT)
      .catch((caught: unknown) => caught);

    expect((error as AutomationFailedError).userMessage).toContain(
      'failed: Step timed out while step is verifying.',
    );
  });

  it.each(['TimedOut', 'Cancelled', 'CompletedWithFailure'] as const)(
    'fails on status %s',
    async (status) => {
      ssm.on(GetAutomationExecutionCommand).resolves(execution(status));

      const error = await newRemediator()
        .execute(instancePlan, CONTEXT)
        .catch((caught: unknown) => caught);

      expect(error).toBeInstanceOf(AutomationFailedError);
      expect((error as AutomationFailedError).userMessage).toContain(`it ended with status ${status}`);
    },
  );

  it('fails a revocation whose rules the document still reads on the group', async () => {
    ssm
      .on(GetAutomationExecutionCommand)
      .resolves(
        execution('Success', { Outputs: { [REMAINING_RULE_IDS_OUTPUT]: ['sgr-0a1b2c3d4e5f60002'] } }),
      );

    const error = await newRemediator()
      .execute(revokePlan, CONTEXT)
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(AutomationFailedError);
    expect((error as AutomationFailedError).userMessage).toContain(
      `sgr-0a1b2c3d4e5f60002 still on ${GROUP_ID}`,
    );
  });

  it('stops waiting at the timeout and says the automation may still be running', async () => {
    // Prepare
    ssm.on(GetAutomationExecutionCommand).resolves(execution('InProgress'));

    // Act
    const error = await newRemediator(9_000)
      .execute(instancePlan, CONTEXT)
      .catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(AutomationStillRunningError);
    const running = error as AutomationStillRunningError;
    expect(running.executionId).toBe(EXECUTION_ID);
    expect(running.userMessage).toContain(`The SSM automation ${EXECUTION_ID} is still running`);
    expect(running.userMessage).toContain(
      `Systems Manager → Automation (account ${ACCOUNT} (${PLAN_REGION}))`,
    );
    // Polled at 0, 2, 4, 6, 8 and 9 s of virtual time: the last sleep is cut to the deadline.
    expect(clock.sleeps).toEqual([2_000, 2_000, 2_000, 2_000, 1_000]);
    expect(ssm).toHaveReceivedCommandTimes(GetAutomationExecutionCommand, 6);
    expect(ssm).toHaveReceivedCommandTimes(StartAutomationExecutionCommand, 1);
  });

  it('waits ten minutes by default', async () => {
    ssm.on(GetAutomationExecutionCommand).resolves(execution('InProgress'));

    const error = await newRemediator()
      .execute(instancePlan, CONTEXT)
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(AutomationStillRunningError);
    expect(clock.sleeps.reduce((total, ms) => total + ms, 0)).toBe(10 * 60 * 1000);
  });

  it.each([
    [
      'pins a $Latest group',
      makeLaunchTemplatePlan({
        groups: [
          {
            groupName: 'web-prod-asg',
            versionBefore: '$Default',
            runs: 3,
            change: 'follows-new',
            mixedInstancesPolicy: false,
          },
          {
            groupName: 'batch-asg',
            versionBefore: '$Latest',
            runs: 5,
            change: 'pin',
            mixedInstancesPolicy: false,
          },
        ],
      }),
      'batch-asg: $Latest → pinned to 5 (what it runs today; unchanged)',
    ],
    [
      're-points a group pinned to the fixed version',
      makeLaunchTemplatePlan({
        groups: [
          {
            groupName: 'canary-asg',
            versionBefore: '3',
            runs: 3,
            change: 'point-to-new',
            mixedInstancesPolicy: false,
          },
        ],
      }),
      'canary-asg: version 3 → the new version (copy of 3 with IMDSv2 required)',
    ],
    [
      'keeps the default version',
      makeLaunchTemplatePlan({
        makeDefault: false,
        groups: [
          {
            groupName: 'web-prod-asg',
            versionBefore: '$Latest',
            runs: 3,
            change: 'follows-new',
            mixedInstancesPolicy: false,
          },
        ],
      }),
      'the plan keeps the default version',
    ],
  ])(
    'refuses a launch template plan that %s, which its document cannot do, before starting anything',
    async (_case, plan, reason) => {
      const error = await newRemediator()
        .execute(plan, CONTEXT)
        .catch((caught: unknown) => caught);

      expect(error).toBeInstanceOf(SsmPlanNotSupportedError);
      expect((error as SsmPlanNotSupportedError).userMessage).toContain(reason);
      expect((error as SsmPlanNotSupportedError).userMessage).toContain('Use the direct executor');
      expect(ssm).not.toHaveReceivedAnyCommand();
    },
  );

  it('runs a launch template plan whose groups all follow the default it moves, with the source’s metadata options', async () => {
    ssm.on(GetAutomationExecutionCommand).resolves(
      execution('Success', {
        DocumentName: 'CspmBot-RequireImdsV2LaunchTemplate',
        Outputs: { 'CreateVersion.NewVersion': ['6'], 'MakeNewVersionDefault.DefaultVersion': ['6'] },
      }),
    );

    const result = await newRemediator().execute(makeLaunchTemplatePlan(), CONTEXT);

    expect(ssm).toHaveReceivedCommandWith(StartAutomationExecutionCommand, {
      DocumentName: 'CspmBot-RequireImdsV2LaunchTemplate',
      Parameters: {
        AutomationAssumeRole: [ROLE_ARN],
        LaunchTemplateId: [LAUNCH_TEMPLATE_ID],
        SourceVersion: ['3'],
        HttpPutResponseHopLimit: ['2'],
        HttpEndpoint: ['enabled'],
        HttpProtocolIpv6: ['disabled'],
        InstanceMetadataTags: ['disabled'],
      },
    });
    expect(result.steps.at(-1)).toBe(
      `version 6 of ${LAUNCH_TEMPLATE_ID} (copy of 3) requires IMDSv2 and is its default; running instances change when each ` +
        'group next replaces them (instance refresh)',
    );
  });

  describe('default security groups', () => {
    const plan = makeDefaultGroupPlan();

    it('starts the document with the inbound and outbound rule ids of the plan', async () => {
      ssm.on(GetAutomationExecutionCommand).resolves(
        execution('Success', {
          DocumentName: 'CspmBot-EmptyDefaultSecurityGroup',
          Outputs: { [REMAINING_RULE_IDS_OUTPUT]: [] },
        }),
      );

      const result = await newRemediator().execute(plan, CONTEXT);

      expect(ssm).toHaveReceivedCommandWith(StartAutomationExecutionCommand, {
        DocumentName: 'CspmBot-EmptyDefaultSecurityGroup',
        Parameters: {
          AutomationAssumeRole: [ROLE_ARN],
          GroupId: [DEFAULT_GROUP_ID],
          IngressRuleIds: [SELF_RULE_ID],
          EgressRuleIds: [EGRESS_RULE_ID, EGRESS_V6_RULE_ID],
        },
      });
      expect(result.steps.slice(-3)).toEqual([
        `revoked ${SELF_RULE_ID} (inbound all traffic from ${DEFAULT_GROUP_ID}) from ${DEFAULT_GROUP_ID}`,
        `revoked ${EGRESS_RULE_ID} (outbound all traffic to 0.0.0.0/0) from ${DEFAULT_GROUP_ID}`,
        `revoked ${EGRESS_V6_RULE_ID} (outbound all traffic to ::/0) from ${DEFAULT_GROUP_ID}`,
      ]);
    });

    it('fails when the document still reads any rule on the group, planned or not', async () => {
      ssm.on(GetAutomationExecutionCommand).resolves(
        execution('Success', {
          DocumentName: 'CspmBot-EmptyDefaultSecurityGroup',
          Outputs: { [REMAINING_RULE_IDS_OUTPUT]: ['sgr-0d1e2f3a4b5c69999'] },
        }),
      );

      const error = await newRemediator()
        .execute(plan, CONTEXT)
        .catch((caught: unknown) => caught);

      expect(error).toBeInstanceOf(AutomationFailedError);
      expect((error as AutomationFailedError).userMessage).toContain(
        `sgr-0d1e2f3a4b5c69999 still on ${DEFAULT_GROUP_ID}`,
      );
    });
  });

  it.each([
    ['AutomationDefinitionNotFoundException', AutomationDocumentMissingError],
    ['AutomationExecutionLimitExceededException', AwsThrottledError],
    ['AccessDeniedException', AwsAccessDeniedError],
  ])('translates %s from StartAutomationExecution', async (name, type) => {
    ssm.on(StartAutomationExecutionCommand).rejects(ssmError(name, 'refused'));

    const error = await newRemediator()
      .execute(revokePlan, CONTEXT)
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(type);
    expect(ssm).not.toHaveReceivedCommand(GetAutomationExecutionCommand);
  });

  it('tells where to deploy a missing document', async () => {
    ssm
      .on(StartAutomationExecutionCommand)
      .rejects(ssmError('AutomationDefinitionNotFoundException', 'Automation definition not found'));

    const error = await newRemediator()
      .execute(revokePlan, CONTEXT)
      .catch((caught: unknown) => caught);

    expect((error as AutomationDocumentMissingError).userMessage).toBe(
      `The SSM document CspmBot-RevokeSecurityGroupRules is not available in account ${ACCOUNT} (${PLAN_REGION}). ` +
        `Deploy the runbooks there with that account's credentials: CspmBotRunbooks-${PLAN_REGION} (the region ` +
        `listed in CSPM_AWS_REGIONS), or CspmBotMember if this is its home region (README "Deploy to AWS"), then ` +
        'try again.',
    );
  });
});

describe('automationClientToken', () => {
  it('uses a decision id that is already a UUID, in lower case', () => {
    expect(automationClientToken('0B5B2A52-7C1E-4D8E-9F0A-3C2D1E0F9A8B')).toBe(DECISION_ID);
  });

  it.each([
    'DECISION#2026-11-02T09:15:00.000Z#01JBX7K3Q9M2V8T6R4P0N5H1C7',
    '01JBX7K3Q9M2V8T6R4P0N5H1C7',
    'x'.repeat(200),
  ])('makes a 36-character UUID from %s, the same every time', (decisionId) => {
    const token = automationClientToken(decisionId);

    expect(token).toMatch(UUID);
    expect(token).toHaveLength(36);
    expect(automationClientToken(decisionId)).toBe(token);
  });

  it('gives different decisions different tokens', () => {
    expect(automationClientToken('decision-1')).not.toBe(automationClientToken('decision-2'));
  });

  it('passes the derived token to StartAutomationExecution', async () => {
    clients = new RecordingClients();
    clock = new VirtualClock();
    ssm.on(GetAutomationExecutionCommand).resolves(execution('Success'));

    await newRemediator().execute(instancePlan, { findingId: 'finding-1', decisionId: 'decision-1' });

    expect(ssm).toHaveReceivedCommandWith(StartAutomationExecutionCommand, {
      ClientToken: automationClientToken('decision-1'),
    });
  });
});
