import {
  GetBucketAclCommand,
  GetBucketPolicyCommand,
  GetBucketPolicyStatusCommand,
  GetPublicAccessBlockCommand,
  PutPublicAccessBlockCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import type { PublicAccessBlockConfiguration } from '@aws-sdk/client-s3';
import {
  GetPublicAccessBlockCommand as GetAccountPublicAccessBlockCommand,
  S3ControlClient,
} from '@aws-sdk/client-s3-control';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { BatchUpdateFindingsCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { REMEDIATE_ACTION, findingButtonValue } from '../../../blocks/action-ids.js';
import {
  CONFIRM_GROUP_ACTION,
  CONFIRM_GROUP_BLOCK,
  REMEDIATION_CONFIRM_CALLBACK,
} from '../../../blocks/remediation-modal.js';
import { handler as slackHandler } from '../../../src/runtime/lambda-slack.js';
import { handler as worker } from '../../../src/runtime/lambda-worker.js';
import {
  BUCKET,
  CLOUDFRONT_STATEMENT,
  OWNER,
  OWNER_GRANT,
  PUBLIC_READ_STATEMENT,
  policyText,
  s3ControlError,
  s3Error,
} from '../../fixtures/s3-bucket.js';
import { invokedJobs, lambdaContext, queuedJob, signed, useLambdaFlow } from '../../support/lambda-flow.js';
import { FakeSlackApi } from '../../support/fake-slack-api.js';
import { buttonClickBody, viewSubmissionBody } from '../../support/signed-slack-request.js';

const slack = new FakeSlackApi();
const s3 = mockClient(S3Client);
const s3Control = mockClient(S3ControlClient);
const lambda = mockClient(LambdaClient);
const securityHub = mockClient(SecurityHubClient);
const sts = mockClient(STSClient);

/** The bucket as S3 holds it: a public-read statement, no Block Public Access until the bot sets it. */
function emulateBucket(): void {
  let settings: PublicAccessBlockConfiguration | undefined;
  s3.on(GetPublicAccessBlockCommand).callsFake(() => {
    if (!settings) throw s3Error('NoSuchPublicAccessBlockConfiguration');
    return { PublicAccessBlockConfiguration: { ...settings } };
  });
  s3.on(PutPublicAccessBlockCommand).callsFake(
    (input: { PublicAccessBlockConfiguration: PublicAccessBlockConfiguration }) => {
      settings = { ...input.PublicAccessBlockConfiguration };
      return {};
    },
  );
  s3.on(GetBucketPolicyCommand).resolves({ Policy: policyText(PUBLIC_READ_STATEMENT, CLOUDFRONT_STATEMENT) });
  s3.on(GetBucketPolicyStatusCommand).resolves({ PolicyStatus: { IsPublic: true } });
  s3.on(GetBucketAclCommand).resolves({ Owner: OWNER, Grants: [OWNER_GRANT] });
  s3Control
    .on(GetAccountPublicAccessBlockCommand)
    .rejects(s3ControlError('NoSuchPublicAccessBlockConfiguration'));
}

const flow = useLambdaFlow({
  tableName: 'cspm-s3-flow',
  region: 'us-east-1',
  overrides: { CSPM_SEVERITY_THRESHOLD: 'MEDIUM' },
  slack,
  lambda,
  securityHub,
  awsMocks: [s3, s3Control, sts],
  emulate: emulateBucket,
  fixture: 's3.8-bucket-public-read',
});

describe('Remediate an S3.8 bucket from Slack', () => {
  it('names the public statement that stops working, asks for the bucket name typed, then blocks public access and resolves the finding', async () => {
    const posted = slack.callsOf('chat.postMessage').at(-1);
    expect(JSON.stringify(posted?.body['blocks'])).toContain(`Bucket \`${BUCKET}\``);
    slack.reset();

    await slackHandler(
      signed(
        buttonClickBody({
          actionId: REMEDIATE_ACTION,
          value: findingButtonValue(flow.findingKey()),
          user: 'U0ALICE01',
          responseUrl: `${slack.url}response`,
        }),
      ),
      lambdaContext,
    );
    const planJob = queuedJob(lambda, 'plan-remediation');
    await worker(planJob);
    const update = slack.callsOf('views.update').at(-1);
    const view = update?.body['view'] as Record<string, unknown>;
    const shown = JSON.stringify(view);
    expect(shown).toContain(
      'Stops working: bucket policy statement \\"PublicRead\\" — s3:GetObject for everyone',
    );
    expect(shown).toContain(`Type ${BUCKET} to block its public access anyway`);
    expect(shown).not.toContain('AllowCloudFrontServicePrincipal');

    const submit = async (typed?: string) => {
      lambda.resetHistory();
      return slackHandler(
        signed(
          viewSubmissionBody({
            callbackId: REMEDIATION_CONFIRM_CALLBACK,
            viewId: String(update?.body['view_id']),
            privateMetadata: String(view['private_metadata']),
            ...(typed !== undefined && {
              values: {
                [CONFIRM_GROUP_BLOCK]: { [CONFIRM_GROUP_ACTION]: { type: 'plain_text_input', value: typed } },
              },
            }),
          }),
        ),
        lambdaContext,
      );
    };

    // A name typed wrong keeps the modal open with an error; nothing is queued or sent.
    const refused = await submit('cspm-demo-public-asset');
    expect(JSON.stringify(refused)).toContain(`Type ${BUCKET} exactly to confirm`);
    expect(invokedJobs(lambda)).toEqual([]);

    await submit(BUCKET);
    const executeJob = queuedJob(lambda, 'execute-remediation');
    await worker(executeJob);

    expect(s3.commandCalls(PutPublicAccessBlockCommand).map((call) => call.args[0].input)).toEqual([
      {
        Bucket: BUCKET,
        ExpectedBucketOwner: '111122223333',
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          IgnorePublicAcls: true,
          BlockPublicPolicy: true,
          RestrictPublicBuckets: true,
        },
      },
    ]);
    expect(securityHub.commandCalls(BatchUpdateFindingsCommand)).toEqual([
      expect.objectContaining({
        args: [
          expect.objectContaining({ input: expect.objectContaining({ Workflow: { Status: 'RESOLVED' } }) }),
        ],
      }),
    ]);
  });
});
