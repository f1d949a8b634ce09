import {
  DescribeInstancesCommand,
  EC2Client,
  GetInstanceMetadataDefaultsCommand,
  ModifyInstanceMetadataDefaultsCommand,
  ModifyInstanceMetadataOptionsCommand,
} from '@aws-sdk/client-ec2';
import type {
  InstanceMetadataDefaultsResponse,
  ModifyInstanceMetadataDefaultsRequest,
} from '@aws-sdk/client-ec2';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { BatchUpdateFindingsCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { ACCOUNT_FIX_ACTION, findingButtonValue } from '../../../blocks/action-ids.js';
import { REMEDIATION_CONFIRM_CALLBACK } from '../../../blocks/remediation-modal.js';
import { handler as slackHandler } from '../../../src/runtime/lambda-slack.js';
import { handler as worker } from '../../../src/runtime/lambda-worker.js';
import { describeInstancesOutput, makeSdkInstance } from '../../fixtures/ec2.js';
import { lambdaContext, queuedJob, signed, useLambdaFlow } from '../../support/lambda-flow.js';
import { FakeSlackApi } from '../../support/fake-slack-api.js';
import { buttonClickBody, viewSubmissionBody } from '../../support/signed-slack-request.js';

const slack = new FakeSlackApi();
const ec2 = mockClient(EC2Client);
const lambda = mockClient(LambdaClient);
const securityHub = mockClient(SecurityHubClient);
const sts = mockClient(STSClient);
const INSTANCE_ID = 'i-0a1b2c3d4e5f60789';

/** The account's IMDS defaults in the finding's region, as EC2 holds them (a fresh account: no preference). */
let defaults: InstanceMetadataDefaultsResponse;

function emulateEc2(): void {
  defaults = { ManagedBy: 'account' };
  ec2.on(GetInstanceMetadataDefaultsCommand).callsFake(() => ({ AccountLevel: { ...defaults } }));
  ec2.on(ModifyInstanceMetadataDefaultsCommand).callsFake((input: ModifyInstanceMetadataDefaultsRequest) => {
    if (input.HttpTokens === 'required' || input.HttpTokens === 'optional')
      defaults.HttpTokens = input.HttpTokens;
    if (input.HttpPutResponseHopLimit !== undefined && input.HttpPutResponseHopLimit > 0)
      defaults.HttpPutResponseHopLimit = input.HttpPutResponseHopLimit;
    return { Return: true };
  });
  ec2.on(DescribeInstancesCommand).resolves(
    describeInstancesOutput([
      makeSdkInstance({
        InstanceId: INSTANCE_ID,
        MetadataOptions: {
          State: 'applied',
          HttpTokens: 'optional',
          HttpPutResponseHopLimit: 1,
          HttpEndpoint: 'enabled',
        },
      }),
    ]),
  );
}

const flow = useLambdaFlow({
  tableName: 'cspm-imds-defaults-flow',
  region: 'ap-northeast-1',
  overrides: { CSPM_SEVERITY_THRESHOLD: 'HIGH' },
  slack,
  lambda,
  securityHub,
  awsMocks: [ec2, sts],
  emulate: emulateEc2,
  fixture: 'ec2.8-imdsv1-instance',
});

describe('Require IMDSv2 for new instances (account-wide) from an EC2.8 message', () => {
  it('offers the button, shows what changes and what stops working before confirming, sets the account default, and tells the thread the finding stays open', async () => {
    const posted = slack.callsOf('chat.postMessage').at(-1);
    expect(JSON.stringify(posted?.body['blocks'])).toContain(ACCOUNT_FIX_ACTION);
    expect(JSON.stringify(posted?.body['blocks'])).toContain(
      'Require IMDSv2 for new instances (account-wide)…',
    );
    slack.reset();

    await slackHandler(
      signed(
        buttonClickBody({
          actionId: ACCOUNT_FIX_ACTION,
          value: findingButtonValue(flow.findingKey()),
          user: 'U0ALICE01',
          responseUrl: `${slack.url}response`,
        }),
      ),
      lambdaContext,
    );
    const planJob = queuedJob(lambda, 'plan-remediation');
    expect(planJob.accountFix).toBe(true);
    await worker(planJob);
    const update = slack.callsOf('views.update').at(-1);
    const view = update?.body['view'] as Record<string, unknown>;
    const shown = JSON.stringify(view);
    expect(shown).toContain(
      'Set the account default in 111122223333/us-east-1 to require IMDSv2 (HttpTokens no preference → required, hop limit not set → 1)',
    );
    expect(shown).toContain('What stops working: software on instances launched from now on');
    expect(shown).toContain(`${INSTANCE_ID} (this finding's instance) included, so this finding stays open`);
    expect(shown).toContain('Change account default');
    expect(ec2.commandCalls(ModifyInstanceMetadataDefaultsCommand)).toHaveLength(0);

    lambda.resetHistory();
    await slackHandler(
      signed(
        viewSubmissionBody({
          callbackId: REMEDIATION_CONFIRM_CALLBACK,
          viewId: String(update?.body['view_id']),
          privateMetadata: String(view['private_metadata']),
        }),
      ),
      lambdaContext,
    );
    const executeJob = queuedJob(lambda, 'execute-remediation');
    expect(executeJob.accountFix).toBe(true);
    await worker(executeJob);

    expect(ec2.commandCalls(ModifyInstanceMetadataDefaultsCommand).map((call) => call.args[0].input)).toEqual(
      [{ HttpTokens: 'required', HttpPutResponseHopLimit: 1 }],
    );
    expect(defaults).toMatchObject({ HttpTokens: 'required', HttpPutResponseHopLimit: 1 });
    // The finding's own instance is not changed and the finding is not resolved.
    expect(ec2.commandCalls(ModifyInstanceMetadataOptionsCommand)).toEqual([]);
    expect(securityHub.commandCalls(BatchUpdateFindingsCommand)).toEqual([]);
    const thread = slack.callsOf('chat.postMessage').find((call) => call.body['thread_ts']);
    expect(String(thread?.body['text'])).toContain('Account default changed');
    expect(String(thread?.body['text'])).toContain('This finding stays open');
    const outcome = JSON.stringify(slack.callsOf('views.update').at(-1)?.body['view']);
    expect(outcome).toContain('Account default set');
    expect(outcome).toContain('This finding stays open');
  });
});
