import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetBucketPolicyCommand, PutPublicAccessBlockCommand } from '@aws-sdk/client-s3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AwsResourceStateReader } from '../../../src/aws/resource-state-reader.js';
import type { SandboxAccount } from '../../../src/sandbox/sandbox-account.js';
import { createSandboxAccount } from '../../../src/sandbox/sandbox-account.js';
import {
  ALL_ON,
  BUCKET,
  S3_ACCOUNT,
  makeAccountFinding,
  makeBucketFinding,
} from '../../fixtures/s3-bucket.js';
import { fixedClock } from '../../support/fixed-clock.js';

describe('the sandbox account answering S3 and S3 Control', () => {
  let dataDir: string;
  let sandbox: SandboxAccount;

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'cspm-sandbox-s3-'));
    sandbox = await createSandboxAccount({ dataDir, clock: fixedClock('2026-11-30T10:00:00Z'), reset: true });
  });

  afterEach(async () => {
    await sandbox.saved();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('gives the S3.8 sample bucket with its public-read policy and no Block Public Access', async () => {
    const current = await new AwsResourceStateReader(sandbox.accountClients()).read(makeBucketFinding());

    expect(current).toMatchObject({ kind: 'bucket', bucket: { name: BUCKET, region: 'us-east-1' } });
    if (current.kind !== 'bucket') return;
    expect(current.bucket.publicAccessBlock).toBeUndefined();
    expect(current.bucket.policy).toMatchObject({ kind: 'policy', s3SaysPublic: true });
  });

  it('lists every bucket of the S3.1 sample account, each in its own Region', async () => {
    const current = await new AwsResourceStateReader(sandbox.accountClients()).read(makeAccountFinding());

    expect(current.kind).toBe('account-public-access');
    if (current.kind !== 'account-public-access') return;
    expect(current.account.publicAccessBlock).toBeUndefined();
    expect(current.account.buckets.map((bucket) => `${bucket.name} ${bucket.region}`)).toEqual([
      'cspm-demo-legacy-downloads eu-west-1',
      'cspm-demo-private-logs us-east-1',
      'cspm-demo-public-assets us-east-1',
    ]);
    expect(current.account.unread).toEqual([]);
  });

  it('keeps what PutPublicAccessBlock set, and refuses a bucket it does not hold as S3 does', async () => {
    const s3 = await sandbox.accountClients().s3(S3_ACCOUNT, 'us-east-1');
    await s3.send(
      new PutPublicAccessBlockCommand({ Bucket: BUCKET, PublicAccessBlockConfiguration: ALL_ON }),
    );

    const current = await new AwsResourceStateReader(sandbox.accountClients()).read(makeBucketFinding());
    expect(current).toMatchObject({
      bucket: {
        publicAccessBlock: {
          blockPublicAcls: true,
          ignorePublicAcls: true,
          blockPublicPolicy: true,
          restrictPublicBuckets: true,
        },
      },
    });
    await expect(s3.send(new GetBucketPolicyCommand({ Bucket: 'not-in-the-sandbox' }))).rejects.toMatchObject(
      {
        name: 'NoSuchBucket',
      },
    );
  });
});
