import 'aws-sdk-client-mock-vitest/extend';
import {
  GetAutomationExecutionCommand,
  SSMClient,
  StartAutomationExecutionCommand,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { SsmParametersError } from '../../../infra/ssm-documents.js';
import { POLICY_PART_PARAMETERS } from '../../../infra/ssm-policy-parts.js';
import type { SsmClientProvider } from '../../../src/aws/aws-clients.js';
import { SsmRemediator } from '../../../src/aws/ssm-remediator.js';
import type { TlsOnlyBucketPolicyPlan } from '../../../src/domain/remediation-plan-types.js';
import { planTlsOnlyBucketPolicy } from '../../../src/domain/tls-only-plan.js';
import {
  ANALYTICS_READ,
  CLOUDFRONT_READ,
  DENY_OLD_TLS,
  DENY_UNENCRYPTED_UPLOADS,
  POLICY_BUCKET,
  makeTlsOnlyFinding,
  policyOf,
} from '../../fixtures/bucket-policy.js';
import { ACCOUNT, REGION } from '../../fixtures/finding.js';

const ssm = mockClient(SSMClient);
const EXECUTION_ID = '7c1f3a9e-2b4d-4e6f-8a0b-1c2d3e4f5a6b';
const CONTEXT = { findingId: 'finding-1', decisionId: '3d6f9a2c-5b8e-4f1a-9c3d-7e0b2a4c6f8d' };
const STARTED = new Date('2026-11-03T08:00:02.000Z');

class Clients implements SsmClientProvider {
  async ssm(_accountId: string, region: string): Promise<SSMClient> {
    return new SSMClient({ region });
  }

  automationRoleArn(accountId: string, automationRoleName: string): string {
    return `arn:aws:iam::${accountId}:role/${automationRoleName}`;
  }
}

function remediator(): SsmRemediator {
  return new SsmRemediator(new Clients(), {
    automationRoleName: 'cspm-bot-automation',
    sleep: async () => undefined,
  });
}

function planFrom(current: string): TlsOnlyBucketPolicyPlan {
  const outcome = planTlsOnlyBucketPolicy(makeTlsOnlyFinding(), {
    bucketName: POLICY_BUCKET,
    partition: 'aws',
    policy: current,
  });
  if (outcome.kind !== 'plan') throw new Error(`expected a plan, got ${outcome.kind}`);
  return outcome.plan;
}

/** GetAutomationExecution of a finished CspmBot-RequireTlsOnlyBucketPolicy run. */
function succeededRun(policy: string) {
  return {
    AutomationExecution: {
      AutomationExecutionId: EXECUTION_ID,
      DocumentName: 'CspmBot-RequireTlsOnlyBucketPolicy',
      DocumentVersion: '1',
      ExecutionStartTime: STARTED,
      ExecutionEndTime: new Date(STARTED.getTime() + 3_000),
      AutomationExecutionStatus: 'Success' as const,
      StepExecutions: ['PutPolicy', 'ReadPolicy'].map((name) => ({
        StepName: name,
        Action: 'aws:executeAwsApi',
        StepStatus: 'Success' as const,
        Inputs: { Service: '"s3"' },
      })),
      Outputs: { 'ReadPolicy.Policy': [policy] },
      Mode: 'Auto' as const,
    },
  };
}

beforeEach(() => {
  ssm.reset();
  ssm.on(StartAutomationExecutionCommand).resolves({ AutomationExecutionId: EXECUTION_ID });
});

describe('SsmRemediator with a TLS-only bucket policy plan', () => {
  it('starts CspmBot-RequireTlsOnlyBucketPolicy with the bucket, its owner and the planned policy in parts that join back byte for byte', async () => {
    const plan = planFrom(
      policyOf(CLOUDFRONT_READ, ANALYTICS_READ, DENY_UNENCRYPTED_UPLOADS, DENY_OLD_TLS, CLOUDFRONT_READ),
    );
    ssm.on(GetAutomationExecutionCommand).resolves(succeededRun(plan.policy));

    const execution = await remediator().execute(plan, CONTEXT);

    const input = ssm.commandCalls(StartAutomationExecutionCommand)[0]!.args[0].input;
    const parameters = input.Parameters ?? {};
    expect(input.DocumentName).toBe('CspmBot-RequireTlsOnlyBucketPolicy');
    expect(parameters['AutomationAssumeRole']).toEqual([`arn:aws:iam::${ACCOUNT}:role/cspm-bot-automation`]);
    expect(parameters['BucketName']).toEqual([POLICY_BUCKET]);
    expect(parameters['ExpectedBucketOwner']).toEqual([ACCOUNT]);
    const parts = POLICY_PART_PARAMETERS.filter((name) => name in parameters);
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.map((name) => parameters[name]![0]).join('')).toBe(plan.policy);
    expect(execution).toMatchObject({ executor: 'ssm', executionId: EXECUTION_ID });
    expect(execution.steps.at(-1)).toBe(
      `put the bucket policy of ${POLICY_BUCKET}: every statement it had kept as it was, "CspmBotDenyInsecureTransport" added (denies requests without TLS)`,
    );
  });

  it('starts nothing when the policy does not fit the runbook’s parameters, and says to use direct', async () => {
    const plan: TlsOnlyBucketPolicyPlan = {
      ...planFrom(policyOf(ANALYTICS_READ)),
      region: REGION,
      policy: `{"Statement":[],"Id":"${'x'.repeat(POLICY_PART_PARAMETERS.length * 512)}"}`,
    };

    await expect(remediator().execute(plan, CONTEXT)).rejects.toBeInstanceOf(SsmParametersError);
    expect(ssm).not.toHaveReceivedCommand(StartAutomationExecutionCommand);
  });
});
