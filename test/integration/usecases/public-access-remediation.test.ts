import {
  GetBucketAclCommand,
  GetBucketPolicyCommand,
  GetBucketPolicyStatusCommand,
  GetPublicAccessBlockCommand,
  ListBucketsCommand,
  PutPublicAccessBlockCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import type { PublicAccessBlockConfiguration } from '@aws-sdk/client-s3';
import {
  GetPublicAccessBlockCommand as GetAccountPublicAccessBlockCommand,
  PutPublicAccessBlockCommand as PutAccountPublicAccessBlockCommand,
  S3ControlClient,
} from '@aws-sdk/client-s3-control';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DirectRemediator } from '../../../src/aws/direct-remediator.js';
import { AwsResourceStateReader } from '../../../src/aws/resource-state-reader.js';
import type { Finding } from '../../../src/domain/finding.js';
import { findingKeyOf } from '../../../src/domain/finding-key.js';
import { createCspmTable } from '../../../src/store/cspm-table.js';
import { ensureTable, startEmbeddedDynamoDb } from '../../../src/store/embedded-dynamodb.js';
import type { EmbeddedDynamoDb } from '../../../src/store/embedded-dynamodb.js';
import { executeRemediation } from '../../../src/usecases/execute-remediation.js';
import { ingestFindings } from '../../../src/usecases/ingest-findings.js';
import { planDigest } from '../../../src/usecases/plan-digest.js';
import { prepareRemediation } from '../../../src/usecases/prepare-remediation.js';
import {
  BUCKET,
  OWNER,
  OWNER_GRANT,
  PUBLIC_READ_STATEMENT,
  S3_ACCOUNT,
  makeAccountFinding,
  makeBucketFinding,
  policyText,
  s3ControlError,
  s3Error,
} from '../../fixtures/s3-bucket.js';
import { RecordingResourceClients } from '../../support/account-clients.js';
import { FakeSlackApi } from '../../support/fake-slack-api.js';
import { riskDeps } from '../../support/risk-deps.js';

const ALICE = { kind: 'user' as const, userId: 'U0ALICE01', name: 'alice' };

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

async function posted(finding: Finding) {
  tables += 1;
  const tableName = `cspm-s3-${tables}`;
  await ensureTable(dynamo.client, tableName);
  const { deps: base } = riskDeps(createCspmTable(dynamo.client, tableName), slack);
  const clients = new RecordingResourceClients();
  const deps = {
    ...base,
    stateReader: new AwsResourceStateReader(clients),
    remediator: new DirectRemediator(clients),
  };
  await ingestFindings(
    { ...deps, routing: { rules: [], defaultChannel: 'C0FINDINGS' }, severityThreshold: 'MEDIUM' },
    [{ ok: true, finding }],
  );
  slack.reset();
  return { deps, findingId: findingKeyOf(finding) };
}

/** S3 as the adapters see it: the bucket's settings change when PutPublicAccessBlock is sent. */
function bucketWithPublicPolicy(): void {
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
  s3.on(GetBucketPolicyCommand).resolves({ Policy: policyText(PUBLIC_READ_STATEMENT) });
  s3.on(GetBucketPolicyStatusCommand).resolves({ PolicyStatus: { IsPublic: true } });
  s3.on(GetBucketAclCommand).resolves({ Owner: OWNER, Grants: [OWNER_GRANT] });
  s3Control
    .on(GetAccountPublicAccessBlockCommand)
    .rejects(s3ControlError('NoSuchPublicAccessBlockConfiguration'));
}

describe('remediating an S3.8 finding through the use cases', () => {
  it('names the public statement that stops working and runs nothing until the bucket name is typed', async () => {
    const { deps, findingId } = await posted(makeBucketFinding());
    bucketWithPublicPolicy();

    const prepared = await prepareRemediation(deps, { findingId, userId: 'U0ALICE01' });
    if (prepared.kind !== 'plan') throw new Error(`expected a plan, got ${prepared.kind}`);
    expect(prepared.notes[0]).toContain(
      'Stops working: bucket policy statement "PublicRead" — s3:GetObject for everyone',
    );
    expect(prepared.confirmation?.groupId).toBe(BUCKET);

    const unconfirmed = await executeRemediation(deps, {
      findingId,
      actor: ALICE,
      confirmedPlanDigest: planDigest(prepared.plan),
    });
    expect(unconfirmed.kind).toBe('not-remediable');
    expect(s3.commandCalls(PutPublicAccessBlockCommand)).toEqual([]);

    const confirmed = await executeRemediation(deps, {
      findingId,
      actor: ALICE,
      confirmedPlanDigest: planDigest(prepared.plan),
      confirmedGroupId: BUCKET,
    });

    expect(confirmed.kind).toBe('succeeded');
    expect(s3.commandCalls(PutPublicAccessBlockCommand).map((call) => call.args[0].input)).toEqual([
      {
        Bucket: BUCKET,
        ExpectedBucketOwner: S3_ACCOUNT,
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          IgnorePublicAcls: true,
          BlockPublicPolicy: true,
          RestrictPublicBuckets: true,
        },
      },
    ]);
    expect(await deps.decisions.ofFinding(findingId)).toEqual(
      expect.arrayContaining([expect.objectContaining({ status: 'SUCCEEDED', workflowAfter: 'RESOLVED' })]),
    );
  });

  it('fails, and never resolves the finding, when the settings read back are not all on', async () => {
    const { deps, findingId } = await posted(makeBucketFinding());
    bucketWithPublicPolicy();
    // Something (a pipeline, another tool) deletes the configuration again right after the change.
    s3.on(PutPublicAccessBlockCommand).resolves({});
    s3.on(GetPublicAccessBlockCommand).rejects(s3Error('NoSuchPublicAccessBlockConfiguration'));
    const prepared = await prepareRemediation(deps, { findingId, userId: 'U0ALICE01' });
    if (prepared.kind !== 'plan') throw new Error(prepared.kind);

    const outcome = await executeRemediation(deps, {
      findingId,
      actor: ALICE,
      confirmedPlanDigest: planDigest(prepared.plan),
      confirmedGroupId: BUCKET,
    });

    expect(outcome.kind).toBe('failed');
    expect(await deps.decisions.ofFinding(findingId)).toEqual([
      expect.objectContaining({ status: 'FAILED' }),
    ]);
  });
});

describe('remediating an S3.1 finding through the use cases', () => {
  it('turns the account’s four settings on when no bucket gives the public access, without a typed confirmation', async () => {
    const { deps, findingId } = await posted(makeAccountFinding());
    let settings: PublicAccessBlockConfiguration | undefined;
    s3Control.on(GetAccountPublicAccessBlockCommand).callsFake(() => {
      if (!settings) throw s3ControlError('NoSuchPublicAccessBlockConfiguration');
      return { PublicAccessBlockConfiguration: { ...settings } };
    });
    s3Control
      .on(PutAccountPublicAccessBlockCommand)
      .callsFake((input: { PublicAccessBlockConfiguration: PublicAccessBlockConfiguration }) => {
        settings = { ...input.PublicAccessBlockConfiguration };
        return {};
      });
    s3.on(ListBucketsCommand).resolves({ Buckets: [{ Name: 'private-logs', BucketRegion: 'us-east-1' }] });
    s3.on(GetPublicAccessBlockCommand).rejects(s3Error('NoSuchPublicAccessBlockConfiguration'));
    s3.on(GetBucketPolicyCommand).rejects(s3Error('NoSuchBucketPolicy'));
    s3.on(GetBucketAclCommand).resolves({ Owner: OWNER, Grants: [OWNER_GRANT] });

    const prepared = await prepareRemediation(deps, { findingId, userId: 'U0ALICE01' });
    if (prepared.kind !== 'plan') throw new Error(`expected a plan, got ${prepared.kind}`);
    expect(prepared.confirmation).toBeUndefined();
    const outcome = await executeRemediation(deps, {
      findingId,
      actor: ALICE,
      confirmedPlanDigest: planDigest(prepared.plan),
    });

    expect(outcome.kind).toBe('succeeded');
    expect(
      s3Control.commandCalls(PutAccountPublicAccessBlockCommand).map((call) => call.args[0].input.AccountId),
    ).toEqual([S3_ACCOUNT]);
  });
});
