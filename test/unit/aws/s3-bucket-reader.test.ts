import 'aws-sdk-client-mock-vitest/extend';
import {
  GetBucketAclCommand,
  GetBucketLocationCommand,
  GetBucketPolicyCommand,
  GetBucketPolicyStatusCommand,
  GetPublicAccessBlockCommand,
  ListBucketsCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  GetPublicAccessBlockCommand as GetAccountPublicAccessBlockCommand,
  S3ControlClient,
} from '@aws-sdk/client-s3-control';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { AwsAccessDeniedError } from '../../../src/aws/errors.js';
import { AwsResourceStateReader } from '../../../src/aws/resource-state-reader.js';
import { MAX_BUCKETS_READ } from '../../../src/aws/s3-bucket-reader.js';
import {
  ALL_ON,
  ALL_USERS_READ,
  BUCKET,
  CLOUDFRONT_STATEMENT,
  OWNER,
  OWNER_GRANT,
  PUBLIC_READ_STATEMENT,
  S3_ACCOUNT,
  S3_REGION,
  makeAccountFinding,
  makeBucketFinding,
  policyText,
  s3ControlError,
  s3Error,
} from '../../fixtures/s3-bucket.js';
import { RecordingResourceClients } from '../../support/account-clients.js';

const s3 = mockClient(S3Client);
const s3Control = mockClient(S3ControlClient);
let clients: RecordingResourceClients;

beforeEach(() => {
  s3.reset();
  s3Control.reset();
  clients = new RecordingResourceClients();
});

/** A bucket with a public-read policy, an owner-only ACL and no Block Public Access; none on the account either. */
function publicPolicyBucket(): void {
  s3.on(GetPublicAccessBlockCommand).rejects(s3Error('NoSuchPublicAccessBlockConfiguration'));
  s3.on(GetBucketPolicyCommand).resolves({ Policy: policyText(PUBLIC_READ_STATEMENT, CLOUDFRONT_STATEMENT) });
  s3.on(GetBucketPolicyStatusCommand).resolves({ PolicyStatus: { IsPublic: true } });
  s3.on(GetBucketAclCommand).resolves({ Owner: OWNER, Grants: [OWNER_GRANT] });
  s3Control
    .on(GetAccountPublicAccessBlockCommand)
    .rejects(s3ControlError('NoSuchPublicAccessBlockConfiguration'));
}

describe('AwsResourceStateReader for S3.8 (a bucket)', () => {
  it('reads the bucket in its own Region, as owned by the finding’s account, with its policy, ACL and settings', async () => {
    publicPolicyBucket();

    const current = await new AwsResourceStateReader(clients).read(makeBucketFinding());

    expect(clients.asked).toEqual([`s3 ${S3_ACCOUNT} ${S3_REGION}`, `s3Control ${S3_ACCOUNT} ${S3_REGION}`]);
    expect(s3).toHaveReceivedCommandWith(GetBucketPolicyCommand, {
      Bucket: BUCKET,
      ExpectedBucketOwner: S3_ACCOUNT,
    });
    expect(s3Control).toHaveReceivedCommandWith(GetAccountPublicAccessBlockCommand, {
      AccountId: S3_ACCOUNT,
    });
    expect(current.kind).toBe('bucket');
    if (current.kind !== 'bucket') return;
    expect(current.bucket.publicAccessBlock).toBeUndefined();
    expect(current.bucket.accountPublicAccessBlock).toBeUndefined();
    expect(current.bucket.policy).toMatchObject({ kind: 'policy', s3SaysPublic: true });
    expect(
      current.bucket.policy.kind === 'policy' && current.bucket.policy.statements.map((s) => s.sid),
    ).toEqual(['PublicRead', 'AllowCloudFrontServicePrincipal']);
    expect(current.bucket.aclGrants).toEqual([
      { permission: 'FULL_CONTROL', granteeType: 'CanonicalUser', granteeId: OWNER.ID },
    ]);
  });

  it('reads settings S3 leaves out as off, and a bucket without a policy as having none', async () => {
    s3.on(GetPublicAccessBlockCommand).resolves({
      PublicAccessBlockConfiguration: { BlockPublicPolicy: true, RestrictPublicBuckets: true },
    });
    s3.on(GetBucketPolicyCommand).rejects(s3Error('NoSuchBucketPolicy'));
    s3.on(GetBucketAclCommand).resolves({ Owner: OWNER, Grants: [OWNER_GRANT, ALL_USERS_READ] });
    s3Control.on(GetAccountPublicAccessBlockCommand).resolves({ PublicAccessBlockConfiguration: ALL_ON });

    const current = await new AwsResourceStateReader(clients).read(makeBucketFinding());

    expect(current).toMatchObject({
      kind: 'bucket',
      bucket: {
        publicAccessBlock: {
          blockPublicAcls: false,
          ignorePublicAcls: false,
          blockPublicPolicy: true,
          restrictPublicBuckets: true,
        },
        policy: { kind: 'none' },
        accountPublicAccessBlock: {
          blockPublicAcls: true,
          ignorePublicAcls: true,
          blockPublicPolicy: true,
          restrictPublicBuckets: true,
        },
      },
    });
    // No policy: S3 is not asked for the status of one.
    expect(s3).not.toHaveReceivedCommand(GetBucketPolicyStatusCommand);
  });

  it('reads a deleted bucket (NoSuchBucket) as gone, never as a bucket without settings', async () => {
    s3.on(GetPublicAccessBlockCommand).rejects(s3Error('NoSuchBucket'));
    s3.on(GetBucketPolicyCommand).rejects(s3Error('NoSuchBucket'));
    s3.on(GetBucketAclCommand).rejects(s3Error('NoSuchBucket'));

    const current = await new AwsResourceStateReader(clients).read(makeBucketFinding());

    expect(current).toEqual({ kind: 'gone', resourceId: BUCKET, detail: 'the bucket no longer exists' });
  });

  it('refuses with access denied when the role may not read the bucket, rather than guessing its state', async () => {
    publicPolicyBucket();
    s3.on(GetBucketAclCommand).rejects(s3Error('AccessDenied', 403));

    await expect(new AwsResourceStateReader(clients).read(makeBucketFinding())).rejects.toBeInstanceOf(
      AwsAccessDeniedError,
    );
  });

  it('still reads the bucket when the account’s setting may not be read, calling it unknown', async () => {
    publicPolicyBucket();
    s3Control.on(GetAccountPublicAccessBlockCommand).rejects(s3ControlError('AccessDenied', 403));

    const current = await new AwsResourceStateReader(clients).read(makeBucketFinding());

    expect(current).toMatchObject({ kind: 'bucket', bucket: { accountPublicAccessBlock: 'unknown' } });
  });
});

describe('AwsResourceStateReader for S3.1 (the account)', () => {
  it('reads the account’s setting and every bucket in its own Region', async () => {
    s3Control
      .on(GetAccountPublicAccessBlockCommand)
      .rejects(s3ControlError('NoSuchPublicAccessBlockConfiguration'));
    s3.on(ListBucketsCommand).resolves({
      Buckets: [
        { Name: 'assets', BucketRegion: 'us-east-1' },
        { Name: 'downloads', BucketRegion: 'eu-west-1' },
        { Name: 'legacy' },
      ],
      Owner: OWNER,
    });
    s3.on(GetBucketLocationCommand, { Bucket: 'legacy' }).resolves({ LocationConstraint: 'EU' });
    s3.on(GetPublicAccessBlockCommand).rejects(s3Error('NoSuchPublicAccessBlockConfiguration'));
    s3.on(GetBucketPolicyCommand).rejects(s3Error('NoSuchBucketPolicy'));
    s3.on(GetBucketPolicyCommand, { Bucket: 'assets' }).resolves({
      Policy: policyText(PUBLIC_READ_STATEMENT),
    });
    s3.on(GetBucketPolicyStatusCommand).resolves({ PolicyStatus: { IsPublic: true } });
    s3.on(GetBucketAclCommand).resolves({ Owner: OWNER, Grants: [OWNER_GRANT] });
    s3.on(GetBucketAclCommand, { Bucket: 'downloads' }).rejects(s3Error('AccessDenied', 403));

    const current = await new AwsResourceStateReader(clients).read(makeAccountFinding());

    expect(current.kind).toBe('account-public-access');
    if (current.kind !== 'account-public-access') return;
    const { account } = current;
    expect(account.accountId).toBe(S3_ACCOUNT);
    expect(account.publicAccessBlock).toBeUndefined();
    expect(account.buckets.map((bucket) => [bucket.name, bucket.region])).toEqual([
      ['assets', 'us-east-1'],
      ['legacy', 'eu-west-1'],
    ]);
    expect(account.unread).toEqual([{ name: 'downloads', why: expect.stringContaining('AccessDenied') }]);
    expect(account.notChecked).toBe(0);
    expect(clients.asked).toContain(`s3 ${S3_ACCOUNT} eu-west-1`);
  });

  it(`reads at most ${MAX_BUCKETS_READ} buckets and counts the rest as not checked`, async () => {
    s3Control.on(GetAccountPublicAccessBlockCommand).resolves({
      PublicAccessBlockConfiguration: { BlockPublicAcls: true },
    });
    s3.on(ListBucketsCommand).resolves({
      Buckets: Array.from({ length: MAX_BUCKETS_READ + 7 }, (_, index) => ({
        Name: `bucket-${String(index).padStart(3, '0')}`,
        BucketRegion: 'us-east-1',
      })),
    });
    s3.on(GetPublicAccessBlockCommand).resolves({ PublicAccessBlockConfiguration: ALL_ON });
    s3.on(GetBucketPolicyCommand).rejects(s3Error('NoSuchBucketPolicy'));
    s3.on(GetBucketAclCommand).resolves({ Owner: OWNER, Grants: [OWNER_GRANT] });

    const current = await new AwsResourceStateReader(clients).read(makeAccountFinding());

    expect(current).toMatchObject({
      kind: 'account-public-access',
      account: {
        publicAccessBlock: {
          blockPublicAcls: true,
          ignorePublicAcls: false,
          blockPublicPolicy: false,
          restrictPublicBuckets: false,
        },
        notChecked: 7,
      },
    });
    expect(s3).toHaveReceivedCommandTimes(GetBucketAclCommand, MAX_BUCKETS_READ);
  });
});
