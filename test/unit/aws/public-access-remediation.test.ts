import 'aws-sdk-client-mock-vitest/extend';
import { PutPublicAccessBlockCommand, S3Client } from '@aws-sdk/client-s3';
import {
  PutPublicAccessBlockCommand as PutAccountPublicAccessBlockCommand,
  S3ControlClient,
} from '@aws-sdk/client-s3-control';
import {
  GetAutomationExecutionCommand,
  SSMClient,
  StartAutomationExecutionCommand,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { SsmClientProvider } from '../../../src/aws/aws-clients.js';
import { DirectRemediator } from '../../../src/aws/direct-remediator.js';
import { AwsAccessDeniedError, AwsResourceNotFoundError } from '../../../src/aws/errors.js';
import { AutomationFailedError } from '../../../src/aws/remediation-errors.js';
import { SsmRemediator } from '../../../src/aws/ssm-remediator.js';
import type { RemediationPlan } from '../../../src/domain/remediation-plan-types.js';
import { BUCKET, S3_ACCOUNT, s3ControlError, s3Error } from '../../fixtures/s3-bucket.js';
import { RecordingResourceClients } from '../../support/account-clients.js';

const s3 = mockClient(S3Client);
const s3Control = mockClient(S3ControlClient);
const ssm = mockClient(SSMClient);
const CONTEXT = { findingId: 'finding-1', decisionId: 'decision-1' };
const ALL_ON = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
};

const BUCKET_PLAN: RemediationPlan = {
  kind: 'block-bucket-public-access',
  accountId: S3_ACCOUNT,
  region: 'eu-west-1',
  bucketName: BUCKET,
  settingsBefore: {
    blockPublicAcls: false,
    ignorePublicAcls: false,
    blockPublicPolicy: true,
    restrictPublicBuckets: true,
  },
  stopsWorking: ['ACL grant READ to everyone (AllUsers)'],
};
const ACCOUNT_PLAN: RemediationPlan = {
  kind: 'block-account-public-access',
  accountId: S3_ACCOUNT,
  region: 'us-east-1',
  exposedBuckets: [BUCKET],
};

let clients: RecordingResourceClients;

beforeEach(() => {
  s3.reset();
  s3Control.reset();
  ssm.reset();
  clients = new RecordingResourceClients();
});

describe('DirectRemediator for S3.8 and S3.1', () => {
  it('sends all four settings for the bucket, in its Region, only for the planned owner', async () => {
    s3.on(PutPublicAccessBlockCommand).resolves({});

    const execution = await new DirectRemediator(clients).execute(BUCKET_PLAN, CONTEXT);

    expect(clients.asked).toEqual([`s3 ${S3_ACCOUNT} eu-west-1`]);
    expect(s3).toHaveReceivedCommandTimes(PutPublicAccessBlockCommand, 1);
    expect(s3.commandCalls(PutPublicAccessBlockCommand)[0]?.args[0].input).toEqual({
      Bucket: BUCKET,
      ExpectedBucketOwner: S3_ACCOUNT,
      PublicAccessBlockConfiguration: ALL_ON,
    });
    expect(execution).toEqual({
      executor: 'direct',
      steps: [
        `turned on Block Public Access of bucket ${BUCKET}: BlockPublicAcls off → on, IgnorePublicAcls off → on, ` +
          'BlockPublicPolicy on (unchanged), RestrictPublicBuckets on (unchanged)',
      ],
    });
    expect(s3Control.calls()).toHaveLength(0);
  });

  it('sends all four settings for the account through S3 Control, naming the account', async () => {
    s3Control.on(PutAccountPublicAccessBlockCommand).resolves({});

    const execution = await new DirectRemediator(clients).execute(ACCOUNT_PLAN, CONTEXT);

    expect(clients.asked).toEqual([`s3Control ${S3_ACCOUNT} us-east-1`]);
    expect(s3Control.commandCalls(PutAccountPublicAccessBlockCommand)[0]?.args[0].input).toEqual({
      AccountId: S3_ACCOUNT,
      PublicAccessBlockConfiguration: ALL_ON,
    });
    expect(execution.steps).toEqual([
      `turned on Block Public Access of account ${S3_ACCOUNT}: BlockPublicAcls off → on, IgnorePublicAcls off → on, ` +
        'BlockPublicPolicy off → on, RestrictPublicBuckets off → on',
    ]);
    expect(s3.calls()).toHaveLength(0);
  });

  it('says a bucket deleted since the plan is gone (NoSuchBucket)', async () => {
    s3.on(PutPublicAccessBlockCommand).rejects(s3Error('NoSuchBucket'));

    await expect(new DirectRemediator(clients).execute(BUCKET_PLAN, CONTEXT)).rejects.toBeInstanceOf(
      AwsResourceNotFoundError,
    );
  });

  it('says access was denied, e.g. when an organization policy manages the account’s setting', async () => {
    s3Control.on(PutAccountPublicAccessBlockCommand).rejects(s3ControlError('AccessDenied', 403));

    await expect(new DirectRemediator(clients).execute(ACCOUNT_PLAN, CONTEXT)).rejects.toBeInstanceOf(
      AwsAccessDeniedError,
    );
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

function finished(outputs: Record<string, string[]>): void {
  ssm.on(StartAutomationExecutionCommand).resolves({ AutomationExecutionId: 'exec-1' });
  ssm.on(GetAutomationExecutionCommand).resolves({
    AutomationExecution: {
      AutomationExecutionId: 'exec-1',
      AutomationExecutionStatus: 'Success',
      StepExecutions: [
        { StepName: 'BlockPublicAccess', Action: 'aws:executeAwsApi', StepStatus: 'Success' },
        { StepName: 'ReadBack', Action: 'aws:executeAwsApi', StepStatus: 'Success' },
      ],
      Outputs: outputs,
    },
  });
}

const READ_BACK_ALL_ON = {
  'ReadBack.BlockPublicAcls': ['True'],
  'ReadBack.IgnorePublicAcls': ['True'],
  'ReadBack.BlockPublicPolicy': ['True'],
  'ReadBack.RestrictPublicBuckets': ['True'],
};

const remediator = () =>
  new SsmRemediator(new SsmClients(), { automationRoleName: 'cspm-bot-automation', sleep: async () => {} });

describe('SsmRemediator for S3.8 and S3.1', () => {
  it.each([
    [
      'bucket',
      BUCKET_PLAN,
      'CspmBot-BlockBucketPublicAccess',
      { BucketName: [BUCKET], AccountId: [S3_ACCOUNT] },
      `turned on all four Block Public Access settings of bucket ${BUCKET}`,
    ],
    [
      'account',
      ACCOUNT_PLAN,
      'CspmBot-BlockAccountPublicAccess',
      { AccountId: [S3_ACCOUNT] },
      `turned on all four Block Public Access settings of account ${S3_ACCOUNT}`,
    ],
  ] as const)(
    'starts the %s document with exactly its parameters and reads the four settings back',
    async (_what, plan, document, parameters, step) => {
      finished(READ_BACK_ALL_ON);

      const execution = await remediator().execute(plan, CONTEXT);

      expect(ssm.commandCalls(StartAutomationExecutionCommand)[0]?.args[0].input).toMatchObject({
        DocumentName: document,
        Parameters: {
          AutomationAssumeRole: [`arn:aws:iam::${S3_ACCOUNT}:role/cspm-bot-automation`],
          ...parameters,
        },
      });
      expect(
        Object.keys(
          ssm.commandCalls(StartAutomationExecutionCommand)[0]?.args[0].input.Parameters ?? {},
        ).sort(),
      ).toEqual(['AutomationAssumeRole', ...Object.keys(parameters)].sort());
      expect(execution.steps).toContain(step);
      expect(s3.calls()).toHaveLength(0);
    },
  );

  it('fails the remediation when a setting reads back off, naming it', async () => {
    finished({ ...READ_BACK_ALL_ON, 'ReadBack.IgnorePublicAcls': ['False'] });

    const failure = await remediator()
      .execute(BUCKET_PLAN, CONTEXT)
      .catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(AutomationFailedError);
    expect((failure as AutomationFailedError).message).toContain('IgnorePublicAcls not on');
  });
});
