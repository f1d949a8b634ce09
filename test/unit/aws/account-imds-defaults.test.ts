import 'aws-sdk-client-mock-vitest/extend';
import {
  EC2Client,
  GetInstanceMetadataDefaultsCommand,
  ModifyInstanceMetadataDefaultsCommand,
} from '@aws-sdk/client-ec2';
import {
  GetAutomationExecutionCommand,
  SSMClient,
  StartAutomationExecutionCommand,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { AwsAccountImdsDefaultsReader } from '../../../src/aws/account-imds-defaults-reader.js';
import type { SsmClientProvider } from '../../../src/aws/aws-clients.js';
import { DirectRemediator } from '../../../src/aws/direct-remediator.js';
import { AwsAccessDeniedError, AwsUnexpectedResponseError } from '../../../src/aws/errors.js';
import { SsmRemediator } from '../../../src/aws/ssm-remediator.js';
import type { RemediationPlan } from '../../../src/domain/remediation-plan-types.js';
import { ACCOUNT } from '../../fixtures/finding.js';
import { PLAN_REGION } from '../../fixtures/remediation-plan.js';
import { RecordingResourceClients } from '../../support/account-clients.js';
import { ec2Error } from '../../support/ec2-error.js';

const ec2 = mockClient(EC2Client);
const ssm = mockClient(SSMClient);

const CONTEXT = { findingId: 'finding-1', decisionId: '0b5b2a52-7c1e-4d8e-9f0a-3c2d1e0f9a8b' };
const EXECUTION_ID = '4105a4fc-f944-11e6-9d32-0123456789ab';

function accountDefaultsPlan(
  overrides: Partial<Extract<RemediationPlan, { kind: 'require-imdsv2-account-defaults' }>> = {},
): Extract<RemediationPlan, { kind: 'require-imdsv2-account-defaults' }> {
  return {
    kind: 'require-imdsv2-account-defaults',
    accountId: ACCOUNT,
    region: PLAN_REGION,
    httpPutResponseHopLimit: 2,
    hopLimitBefore: 2,
    keptDefaults: { httpEndpoint: 'enabled' },
    ...overrides,
  };
}

let clients: RecordingResourceClients;

beforeEach(() => {
  ec2.reset();
  ssm.reset();
  clients = new RecordingResourceClients();
});

describe('DirectRemediator (require-imdsv2-account-defaults)', () => {
  it('sends only HttpTokens=required when the hop limit stays: no endpoint, tags or enforcement', async () => {
    ec2.on(ModifyInstanceMetadataDefaultsCommand).resolves({ Return: true });

    const execution = await new DirectRemediator(clients).execute(accountDefaultsPlan(), CONTEXT);

    expect(ec2).toHaveReceivedCommandTimes(ModifyInstanceMetadataDefaultsCommand, 1);
    expect(ec2.commandCalls(ModifyInstanceMetadataDefaultsCommand)[0]?.args[0].input).toStrictEqual({
      HttpTokens: 'required',
    });
    expect(clients.asked).toEqual([`ec2 ${ACCOUNT} ${PLAN_REGION}`]);
    expect(execution).toEqual({
      executor: 'direct',
      steps: [
        `set the account default in ${ACCOUNT}/${PLAN_REGION} to require IMDSv2 for new instances (HttpTokens required, hop limit 2 unchanged)`,
      ],
    });
  });

  it('sends the hop limit too when the account sets none (no preference) or the plan changes it', async () => {
    ec2.on(ModifyInstanceMetadataDefaultsCommand).resolves({ Return: true });
    const { hopLimitBefore: _unset, ...noPreference } = accountDefaultsPlan();

    const execution = await new DirectRemediator(clients).execute(noPreference, CONTEXT);

    expect(ec2.commandCalls(ModifyInstanceMetadataDefaultsCommand)[0]?.args[0].input).toStrictEqual({
      HttpTokens: 'required',
      HttpPutResponseHopLimit: 2,
    });
    expect(execution.steps[0]).toContain('hop limit no preference → 2');
  });

  it('fails when EC2 does not answer Return=true', async () => {
    ec2.on(ModifyInstanceMetadataDefaultsCommand).resolves({ Return: false });

    await expect(
      new DirectRemediator(clients).execute(accountDefaultsPlan(), CONTEXT),
    ).rejects.toBeInstanceOf(AwsUnexpectedResponseError);
  });

  it('says the bot may not change the defaults when EC2 refuses it', async () => {
    ec2
      .on(ModifyInstanceMetadataDefaultsCommand)
      .rejects(ec2Error('UnauthorizedOperation', 'You are not authorized to perform this operation.'));

    const error = await new DirectRemediator(clients)
      .execute(accountDefaultsPlan(), CONTEXT)
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(AwsAccessDeniedError);
    expect((error as AwsAccessDeniedError).userMessage).toContain('ModifyInstanceMetadataDefaults');
  });
});

class SsmClients implements SsmClientProvider {
  async ssm(_accountId: string, region: string): Promise<SSMClient> {
    return new SSMClient({ region });
  }

  automationRoleArn(accountId: string, automationRoleName: string): string {
    return `arn:aws:iam::${accountId}:role/${automationRoleName}`;
  }
}

describe('SsmRemediator (require-imdsv2-account-defaults)', () => {
  it('starts CspmBot-RequireImdsV2AccountDefaults with exactly the planned hop limit and reports it', async () => {
    ssm.on(StartAutomationExecutionCommand).resolves({ AutomationExecutionId: EXECUTION_ID });
    ssm.on(GetAutomationExecutionCommand).resolves({
      AutomationExecution: {
        AutomationExecutionId: EXECUTION_ID,
        DocumentName: 'CspmBot-RequireImdsV2AccountDefaults',
        AutomationExecutionStatus: 'Success',
        StepExecutions: [
          {
            StepName: 'RequireTokens',
            Action: 'aws:executeAwsApi',
            StepStatus: 'Success',
          },
          {
            StepName: 'ReadBackDefaults',
            Action: 'aws:assertAwsResourceProperty',
            StepStatus: 'Success',
          },
        ],
        Outputs: { 'RequireTokens.Return': ['true'] },
      },
    });

    const execution = await new SsmRemediator(new SsmClients(), {
      automationRoleName: 'cspm-bot-automation',
      sleep: async () => undefined,
    }).execute(accountDefaultsPlan({ httpPutResponseHopLimit: 3, hopLimitBefore: 3 }), CONTEXT);

    expect(ssm.commandCalls(StartAutomationExecutionCommand)[0]?.args[0].input).toMatchObject({
      DocumentName: 'CspmBot-RequireImdsV2AccountDefaults',
      Parameters: {
        AutomationAssumeRole: [`arn:aws:iam::${ACCOUNT}:role/cspm-bot-automation`],
        HttpPutResponseHopLimit: ['3'],
      },
    });
    expect(
      Object.keys(
        ssm.commandCalls(StartAutomationExecutionCommand)[0]?.args[0].input.Parameters ?? {},
      ).sort(),
    ).toEqual(['AutomationAssumeRole', 'HttpPutResponseHopLimit']);
    expect(execution).toMatchObject({ executor: 'ssm', executionId: EXECUTION_ID });
    expect(execution.steps.at(-1)).toBe(
      `set the account default in ${ACCOUNT}/${PLAN_REGION} to require IMDSv2 for new instances (hop limit 3)`,
    );
  });
});

describe('AwsAccountImdsDefaultsReader', () => {
  it('reads the Region’s account defaults as EC2 answers them, in the plan account and region', async () => {
    ec2.on(GetInstanceMetadataDefaultsCommand).resolves({
      AccountLevel: {
        HttpTokens: 'optional',
        HttpPutResponseHopLimit: 2,
        HttpEndpoint: 'enabled',
        ManagedBy: 'account',
      },
    });

    const defaults = await new AwsAccountImdsDefaultsReader(clients).readImdsDefaults({
      accountId: ACCOUNT,
      region: PLAN_REGION,
    });

    expect(clients.asked).toEqual([`ec2 ${ACCOUNT} ${PLAN_REGION}`]);
    expect(defaults).toEqual({
      accountId: ACCOUNT,
      region: PLAN_REGION,
      httpTokens: 'optional',
      httpPutResponseHopLimit: 2,
      httpEndpoint: 'enabled',
      managedBy: 'account',
    });
  });

  it('reads a fresh account (no preference anywhere) as no option set', async () => {
    ec2.on(GetInstanceMetadataDefaultsCommand).resolves({ AccountLevel: { ManagedBy: 'account' } });

    const defaults = await new AwsAccountImdsDefaultsReader(clients).readImdsDefaults({
      accountId: ACCOUNT,
      region: PLAN_REGION,
    });

    expect(defaults).toEqual({ accountId: ACCOUNT, region: PLAN_REGION, managedBy: 'account' });
  });

  it('keeps what a declarative policy says, so the plan can refuse in its words', async () => {
    ec2.on(GetInstanceMetadataDefaultsCommand).resolves({
      AccountLevel: {
        HttpTokens: 'optional',
        ManagedBy: 'declarative-policy',
        ManagedExceptionMessage: 'IMDS settings are managed by the platform team',
      },
    });

    const defaults = await new AwsAccountImdsDefaultsReader(clients).readImdsDefaults({
      accountId: ACCOUNT,
      region: PLAN_REGION,
    });

    expect(defaults).toMatchObject({
      managedBy: 'declarative-policy',
      managedExceptionMessage: 'IMDS settings are managed by the platform team',
    });
  });
});
