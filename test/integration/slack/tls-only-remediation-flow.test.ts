import {
  GetBucketAclCommand,
  GetBucketPolicyCommand,
  GetBucketPolicyStatusCommand,
  GetPublicAccessBlockCommand,
  PutBucketPolicyCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import type { PutBucketPolicyRequest } from '@aws-sdk/client-s3';
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
import { REMEDIATION_CONFIRM_CALLBACK } from '../../../blocks/remediation-modal.js';
import { TLS_ONLY_SID, tlsOnlyStatementText } from '../../../src/domain/tls-only-bucket-policy.js';
import { handler as slackHandler } from '../../../src/runtime/lambda-slack.js';
import { handler as worker } from '../../../src/runtime/lambda-worker.js';
import { OWNER, OWNER_GRANT, s3ControlError } from '../../fixtures/s3-bucket.js';
import { lambdaContext, queuedJob, signed, useLambdaFlow } from '../../support/lambda-flow.js';
import { FakeSlackApi } from '../../support/fake-slack-api.js';
import { buttonClickBody, viewSubmissionBody } from '../../support/signed-slack-request.js';

const slack = new FakeSlackApi();
const s3 = mockClient(S3Client);
const s3Control = mockClient(S3ControlClient);
const lambda = mockClient(LambdaClient);
const securityHub = mockClient(SecurityHubClient);
const sts = mockClient(STSClient);

/** The S3.5 sample's log bucket, as GetBucketPolicy returns its policy. */
const BUCKET = 'cspm-demo-private-logs';
const CLOUDTRAIL_WRITE = `{"Sid":"AWSCloudTrailWrite","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::${BUCKET}/AWSLogs/111122223333/*","Condition":{"StringEquals":{"s3:x-amz-acl":"bucket-owner-full-control"}}}`;
const AUDITORS_READ = `{"Sid":"AuditorsRead","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:role/security-auditor"},"Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::${BUCKET}","arn:aws:s3:::${BUCKET}/*"]}`;
const CURRENT = `{"Version":"2012-10-17","Statement":[${CLOUDTRAIL_WRITE},${AUDITORS_READ}]}`;

/** The bucket as S3 holds it: its policy (replaced by PutBucketPolicy) and Block Public Access all on. */
function emulateBucket(): void {
  let policy = CURRENT;
  s3.on(GetBucketPolicyCommand).callsFake(() => ({ Policy: policy }));
  s3.on(PutBucketPolicyCommand).callsFake((input: PutBucketPolicyRequest) => {
    policy = input.Policy ?? '';
    return {};
  });
  s3.on(GetPublicAccessBlockCommand).resolves({
    PublicAccessBlockConfiguration: {
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    },
  });
  s3.on(GetBucketPolicyStatusCommand).resolves({ PolicyStatus: { IsPublic: false } });
  s3.on(GetBucketAclCommand).resolves({ Owner: OWNER, Grants: [OWNER_GRANT] });
  s3Control
    .on(GetAccountPublicAccessBlockCommand)
    .rejects(s3ControlError('NoSuchPublicAccessBlockConfiguration'));
}

const flow = useLambdaFlow({
  tableName: 'cspm-s3tls-flow',
  region: 'us-east-1',
  overrides: { CSPM_SEVERITY_THRESHOLD: 'MEDIUM' },
  slack,
  lambda,
  securityHub,
  awsMocks: [s3, s3Control, sts],
  emulate: emulateBucket,
  fixture: 's3.5-bucket-http-allowed',
});

describe('Remediate an S3.5 bucket policy from Slack', () => {
  it('says what stops working before confirming, then puts the policy with every statement kept and the deny added, and resolves the finding', async () => {
    const posted = slack.callsOf('chat.postMessage').at(-1);
    expect(JSON.stringify(posted?.body['blocks'])).toContain(
      `Bucket \`${BUCKET}\`: its policy does not deny requests over plain HTTP`,
    );
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
    expect(shown).toContain('Its 2 existing statement(s) stay exactly as they are');
    expect(shown).toContain(
      'What stops working: every request to cspm-demo-private-logs or its objects sent over plain HTTP is denied',
    );
    expect(shown).toContain('statement “AuditorsRead”: arn:aws:iam::444455556666:role/security-auditor');
    expect(s3.commandCalls(PutBucketPolicyCommand)).toHaveLength(0);

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
    await worker(executeJob);

    expect(s3.commandCalls(PutBucketPolicyCommand).map((call) => call.args[0].input)).toStrictEqual([
      {
        Bucket: BUCKET,
        Policy: `{"Version":"2012-10-17","Statement":[${CLOUDTRAIL_WRITE},${AUDITORS_READ},${tlsOnlyStatementText(TLS_ONLY_SID, { bucketName: BUCKET, partition: 'aws' })}]}`,
        ExpectedBucketOwner: '111122223333',
      },
    ]);
    expect(securityHub.commandCalls(BatchUpdateFindingsCommand)).toHaveLength(1);
    expect(JSON.stringify(securityHub.commandCalls(BatchUpdateFindingsCommand)[0]!.args[0].input)).toContain(
      'RESOLVED',
    );
  });
});
