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
  S3ControlServiceException,
} from '@aws-sdk/client-s3-control';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DirectRemediator } from '../../../src/aws/direct-remediator.js';
import { AwsResourceStateReader } from '../../../src/aws/resource-state-reader.js';
import { findingKeyOf } from '../../../src/domain/finding-key.js';
import { TLS_ONLY_SID, tlsOnlyStatementText } from '../../../src/domain/tls-only-bucket-policy.js';
import { createCspmTable } from '../../../src/store/cspm-table.js';
import { ensureTable, startEmbeddedDynamoDb } from '../../../src/store/embedded-dynamodb.js';
import type { EmbeddedDynamoDb } from '../../../src/store/embedded-dynamodb.js';
import { executeRemediation } from '../../../src/usecases/execute-remediation.js';
import { ingestFindings } from '../../../src/usecases/ingest-findings.js';
import { planDigest } from '../../../src/usecases/plan-digest.js';
import { prepareRemediation } from '../../../src/usecases/prepare-remediation.js';
import {
  ANALYTICS_READ,
  CLOUDFRONT_READ,
  DENY_UNENCRYPTED_UPLOADS,
  POLICY_BUCKET,
  makeTlsOnlyFinding,
  policyOf,
} from '../../fixtures/bucket-policy.js';
import { ACCOUNT } from '../../fixtures/finding.js';
import { RecordingResourceClients } from '../../support/account-clients.js';
import { FakeSlackApi } from '../../support/fake-slack-api.js';
import { riskDeps } from '../../support/risk-deps.js';

const ALICE = { kind: 'user' as const, userId: 'U0ALICE01', name: 'alice' };
const CURRENT = policyOf(CLOUDFRONT_READ, ANALYTICS_READ, DENY_UNENCRYPTED_UPLOADS);
const DENY = tlsOnlyStatementText(TLS_ONLY_SID, { bucketName: POLICY_BUCKET, partition: 'aws' });

const slack = new FakeSlackApi();
const s3 = mockClient(S3Client);
const s3Control = mockClient(S3ControlClient);
let dynamo: EmbeddedDynamoDb;
let tables = 0;

beforeAll(async () => {
  await slack.start();
  dynamo = await startEmbeddedDynamoDb();
});
afterAll(async () => {
  await slack.stop();
  await dynamo.close();
  s3.restore();
  s3Control.restore();
});
beforeEach(() => {
  slack.reset();
  s3.reset();
  s3Control.reset();
});

/** S3 as the adapters see it: the bucket holds `bucket.policy`, and PutBucketPolicy replaces it. */
function fakeBucket(policy: string) {
  const bucket = { policy };
  s3.on(GetBucketPolicyCommand).callsFake(() => ({ Policy: bucket.policy }));
  s3.on(GetBucketPolicyStatusCommand).resolves({ PolicyStatus: { IsPublic: false } });
  s3.on(GetPublicAccessBlockCommand).resolves({
    PublicAccessBlockConfiguration: {
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    },
  });
  s3.on(GetBucketAclCommand).resolves({ Grants: [] });
  s3.on(PutBucketPolicyCommand).callsFake((input: PutBucketPolicyRequest) => {
    bucket.policy = input.Policy ?? '';
    return {};
  });
  s3Control.on(GetAccountPublicAccessBlockCommand).rejects(
    new S3ControlServiceException({
      name: 'NoSuchPublicAccessBlockConfiguration',
      message: 'The public access block configuration was not found',
      $fault: 'client',
      $metadata: { httpStatusCode: 404 },
    }),
  );
  return bucket;
}

async function postedFinding() {
  tables += 1;
  const tableName = `cspm-s3tls-${tables}`;
  await ensureTable(dynamo.client, tableName);
  const { deps: base } = riskDeps(createCspmTable(dynamo.client, tableName), slack);
  const clients = new RecordingResourceClients();
  const deps = {
    ...base,
    stateReader: new AwsResourceStateReader(clients),
    remediator: new DirectRemediator(clients),
  };
  const finding = makeTlsOnlyFinding();
  await ingestFindings(
    { ...deps, routing: { rules: [], defaultChannel: 'C0FINDINGS' }, severityThreshold: 'MEDIUM' },
    [{ ok: true, finding }],
  );
  slack.reset();
  return { deps, findingId: findingKeyOf(finding) };
}

const putRequests = () => s3.commandCalls(PutBucketPolicyCommand).map((call) => call.args[0].input);

describe('remediating an S3.5 finding through the use cases', () => {
  it('puts the policy read now plus the deny, byte for byte, verifies it read back, and resolves the finding', async () => {
    const bucket = fakeBucket(CURRENT);
    const { deps, findingId } = await postedFinding();

    const prepared = await prepareRemediation(deps, { findingId, userId: 'U0ALICE01' });
    if (prepared.kind !== 'plan') throw new Error(`expected a plan, got ${prepared.kind}`);
    expect(prepared.words).toContain('Its 3 existing statement(s) stay exactly as they are');
    expect(prepared.notes.join('\n')).toContain('sent over plain HTTP is denied');

    const outcome = await executeRemediation(deps, {
      findingId,
      actor: ALICE,
      confirmedPlanDigest: planDigest(prepared.plan),
    });

    expect(outcome.kind).toBe('succeeded');
    expect(putRequests()).toStrictEqual([
      {
        Bucket: POLICY_BUCKET,
        Policy: `{"Version":"2012-10-17","Statement":[${CLOUDFRONT_READ},${ANALYTICS_READ},${DENY_UNENCRYPTED_UPLOADS},${DENY}]}`,
        ExpectedBucketOwner: ACCOUNT,
      },
    ]);
    expect(bucket.policy).toBe(policyOf(CLOUDFRONT_READ, ANALYTICS_READ, DENY_UNENCRYPTED_UPLOADS, DENY));
    expect(await deps.decisions.ofFinding(findingId)).toEqual([
      expect.objectContaining({ status: 'SUCCEEDED', workflowAfter: 'RESOLVED' }),
    ]);
  });

  it('puts nothing when the policy changed after the person confirmed, and says the plan changed', async () => {
    const bucket = fakeBucket(CURRENT);
    const { deps, findingId } = await postedFinding();
    const prepared = await prepareRemediation(deps, { findingId, userId: 'U0ALICE01' });
    if (prepared.kind !== 'plan') throw new Error(`expected a plan, got ${prepared.kind}`);

    // Someone edits the policy between the confirmation and the run.
    bucket.policy = policyOf(CLOUDFRONT_READ);
    const outcome = await executeRemediation(deps, {
      findingId,
      actor: ALICE,
      confirmedPlanDigest: planDigest(prepared.plan),
    });

    expect(outcome.kind).toBe('plan-changed');
    expect(putRequests()).toEqual([]);
    expect(bucket.policy).toBe(policyOf(CLOUDFRONT_READ));
  });

  it('puts nothing and says the sizes when the deny would pass the 20 KB limit', async () => {
    const padding = 'x'.repeat(20_480);
    fakeBucket(policyOf(CLOUDFRONT_READ.replace('/*"', `/${padding}"`)));
    const { deps, findingId } = await postedFinding();

    const prepared = await prepareRemediation(deps, { findingId, userId: 'U0ALICE01' });
    const outcome = await executeRemediation(deps, { findingId, actor: ALICE });

    expect(prepared.kind).toBe('not-remediable');
    if (prepared.kind === 'not-remediable')
      expect(prepared.reason).toContain('over S3’s limit of 20,480 bytes');
    expect(outcome.kind).not.toBe('succeeded');
    expect(putRequests()).toEqual([]);
  });

  it('changes nothing and resolves when a statement already denies requests without TLS', async () => {
    fakeBucket(policyOf(CLOUDFRONT_READ, DENY.replace(TLS_ONLY_SID, 'EnforceTls')));
    const { deps, findingId } = await postedFinding();

    const prepared = await prepareRemediation(deps, { findingId, userId: 'U0ALICE01' });

    expect(prepared.kind).toBe('already-fixed');
    expect(putRequests()).toEqual([]);
  });
});
