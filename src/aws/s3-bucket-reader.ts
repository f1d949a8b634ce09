import {
  GetBucketAclCommand,
  GetBucketLocationCommand,
  GetBucketPolicyCommand,
  GetBucketPolicyStatusCommand,
  GetPublicAccessBlockCommand,
  paginateListBuckets,
} from '@aws-sdk/client-s3';
import type { Bucket, PublicAccessBlockConfiguration, S3Client } from '@aws-sdk/client-s3';
import { GetPublicAccessBlockCommand as GetAccountPublicAccessBlockCommand } from '@aws-sdk/client-s3-control';
import type { S3ControlClient } from '@aws-sdk/client-s3-control';
import { parseBucketPolicy } from '../domain/bucket-policy.js';
import type {
  AccountPublicAccess,
  AclGrant,
  BucketAccess,
  BucketPolicyFacts,
  PublicAccessBlockSettings,
} from '../domain/public-bucket-access.js';
import type { S3ClientProvider } from './account-client-pool.js';
import type { AwsCallContext } from './errors.js';
import { AwsError, translateAwsError } from './errors.js';

interface Scope {
  readonly accountId: string;
  readonly region: string;
}

/** S3's codes for "nothing configured" and "no such bucket" (S3 API reference, error responses). */
const NO_SUCH_BUCKET = 'NoSuchBucket';
const NO_SUCH_POLICY = 'NoSuchBucketPolicy';
const NO_SUCH_PUBLIC_ACCESS_BLOCK = 'NoSuchPublicAccessBlockConfiguration';

/** S3.1 reads at most this many buckets of an account; the plan counts the rest as not checked. */
export const MAX_BUCKETS_READ = 100;
/** Buckets read at once while listing an account (four or five calls each). */
const BUCKET_READS_AT_ONCE = 5;

function errorName(error: unknown): string | undefined {
  const name = typeof error === 'object' && error !== null ? (error as { name?: unknown }).name : undefined;
  return typeof name === 'string' ? name : undefined;
}

/** The bucket was deleted while it was being read. */
class BucketGoneSignal extends Error {}

function s3Call(scope: Scope, operation: string, resourceId?: string): AwsCallContext {
  return { service: 'S3', operation, ...scope, ...(resourceId !== undefined && { resourceId }) };
}

/** One S3 call; `absent` names an error code that means "not configured" and gives `undefined` for it. */
async function send<T>(
  call: AwsCallContext,
  request: () => Promise<T>,
  absent?: string,
): Promise<T | undefined> {
  try {
    return await request();
  } catch (error) {
    const name = errorName(error);
    if (name === NO_SUCH_BUCKET) throw new BucketGoneSignal();
    if (absent !== undefined && name === absent) return undefined;
    throw translateAwsError(error, call);
  }
}

function settingsOf(
  configuration: PublicAccessBlockConfiguration | undefined,
): PublicAccessBlockSettings | undefined {
  if (!configuration) return undefined;
  // A setting S3 leaves out is off.
  return {
    blockPublicAcls: configuration.BlockPublicAcls === true,
    ignorePublicAcls: configuration.IgnorePublicAcls === true,
    blockPublicPolicy: configuration.BlockPublicPolicy === true,
    restrictPublicBuckets: configuration.RestrictPublicBuckets === true,
  };
}

async function bucketPublicAccessBlock(
  s3: S3Client,
  scope: Scope,
  bucket: string,
): Promise<PublicAccessBlockSettings | undefined> {
  const output = await send(
    s3Call(scope, 'GetPublicAccessBlock', bucket),
    () => s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket, ExpectedBucketOwner: scope.accountId })),
    NO_SUCH_PUBLIC_ACCESS_BLOCK,
  );
  return settingsOf(output?.PublicAccessBlockConfiguration);
}

async function policyStatus(s3: S3Client, scope: Scope, bucket: string): Promise<boolean | undefined> {
  const output = await send(
    s3Call(scope, 'GetBucketPolicyStatus', bucket),
    () => s3.send(new GetBucketPolicyStatusCommand({ Bucket: bucket, ExpectedBucketOwner: scope.accountId })),
    NO_SUCH_POLICY,
  );
  return output?.PolicyStatus?.IsPublic;
}

/** The policy's statements and S3's verdict on it; `none` when the bucket has no policy. */
async function bucketPolicy(s3: S3Client, scope: Scope, bucket: string): Promise<BucketPolicyFacts> {
  const output = await send(
    s3Call(scope, 'GetBucketPolicy', bucket),
    () => s3.send(new GetBucketPolicyCommand({ Bucket: bucket, ExpectedBucketOwner: scope.accountId })),
    NO_SUCH_POLICY,
  );
  if (output?.Policy === undefined) return { kind: 'none' };
  const isPublic = await policyStatus(s3, scope, bucket);
  const verdict = isPublic === undefined ? {} : { s3SaysPublic: isPublic };
  const parsed = parseBucketPolicy(output.Policy);
  return parsed.ok
    ? { kind: 'policy', statements: parsed.statements, text: output.Policy, ...verdict }
    : { kind: 'unparsed', why: parsed.why, text: output.Policy, ...verdict };
}

async function bucketAcl(s3: S3Client, scope: Scope, bucket: string): Promise<AclGrant[]> {
  const output = await send(s3Call(scope, 'GetBucketAcl', bucket), () =>
    s3.send(new GetBucketAclCommand({ Bucket: bucket, ExpectedBucketOwner: scope.accountId })),
  );
  return (output?.Grants ?? []).flatMap((grant): AclGrant[] => {
    const { Grantee, Permission } = grant;
    if (!Grantee?.Type || !Permission) return [];
    return [
      {
        permission: Permission,
        granteeType: Grantee.Type,
        ...(Grantee.URI && { granteeUri: Grantee.URI }),
        ...(Grantee.ID && { granteeId: Grantee.ID }),
      },
    ];
  });
}

/** The account's own Block Public Access (S3 Control); `undefined` when none is configured. */
export async function readAccountPublicAccessBlock(
  s3Control: S3ControlClient,
  scope: Scope,
): Promise<PublicAccessBlockSettings | undefined> {
  const call: AwsCallContext = {
    service: 'S3 Control',
    operation: 'GetPublicAccessBlock',
    ...scope,
    resourceId: `account ${scope.accountId}`,
  };
  try {
    const output = await s3Control.send(
      new GetAccountPublicAccessBlockCommand({ AccountId: scope.accountId }),
    );
    return settingsOf(output.PublicAccessBlockConfiguration);
  } catch (error) {
    if (errorName(error) === NO_SUCH_PUBLIC_ACCESS_BLOCK) return undefined;
    throw translateAwsError(error, call);
  }
}

/** The bucket's settings, policy and ACL; `undefined` when S3 says the bucket does not exist. */
async function readBucket(s3: S3Client, scope: Scope, bucket: string): Promise<BucketAccess | undefined> {
  try {
    const [publicAccessBlock, policy, aclGrants] = await Promise.all([
      bucketPublicAccessBlock(s3, scope, bucket),
      bucketPolicy(s3, scope, bucket),
      bucketAcl(s3, scope, bucket),
    ]);
    return {
      name: bucket,
      region: scope.region,
      ...(publicAccessBlock && { publicAccessBlock }),
      policy,
      aclGrants,
    };
  } catch (error) {
    if (error instanceof BucketGoneSignal) return undefined;
    throw error;
  }
}

/**
 * S3.8: one bucket as S3 describes it now, in its own Region, with the account's setting beside it (which decides
 * what the bucket's settings change in practice). `undefined` when the bucket no longer exists.
 */
export async function readBucketAccess(
  clients: S3ClientProvider,
  scope: Scope,
  bucket: string,
): Promise<BucketAccess | undefined> {
  const s3 = await clients.s3(scope.accountId, scope.region);
  const found = await readBucket(s3, scope, bucket);
  if (!found) return undefined;
  let account: PublicAccessBlockSettings | 'unknown' | undefined;
  try {
    account = await readAccountPublicAccessBlock(
      await clients.s3Control(scope.accountId, scope.region),
      scope,
    );
  } catch (error) {
    // The bucket's own settings are what S3.8 checks; the account's only add to the notes.
    if (!(error instanceof AwsError)) throw error;
    account = 'unknown';
  }
  return { ...found, ...(account !== undefined && { accountPublicAccessBlock: account }) };
}

/** GetBucketLocation's answer: no constraint is us-east-1, the legacy `EU` is eu-west-1. */
function regionOfLocation(location: string | undefined): string {
  if (!location) return 'us-east-1';
  return location === 'EU' ? 'eu-west-1' : location;
}

async function bucketRegion(s3: S3Client, scope: Scope, bucket: Bucket): Promise<string> {
  if (bucket.BucketRegion) return bucket.BucketRegion;
  const output = await send(s3Call(scope, 'GetBucketLocation', bucket.Name), () =>
    s3.send(new GetBucketLocationCommand({ Bucket: bucket.Name, ExpectedBucketOwner: scope.accountId })),
  );
  return regionOfLocation(output?.LocationConstraint);
}

async function listBuckets(s3: S3Client, scope: Scope): Promise<Bucket[]> {
  const buckets: Bucket[] = [];
  try {
    for await (const page of paginateListBuckets({ client: s3 }, { MaxBuckets: 1000 })) {
      buckets.push(...(page.Buckets ?? []));
    }
  } catch (error) {
    throw translateAwsError(error, s3Call(scope, 'ListBuckets'));
  }
  return buckets.filter((bucket) => bucket.Name);
}

/** Why a bucket could not be read, in words ("access denied (AccessDenied)"). */
function unreadWhy(error: unknown): string {
  if (error instanceof AwsError)
    return error.awsErrorName ? `${error.message} (${error.awsErrorName})` : error.message;
  return error instanceof Error ? error.message : String(error);
}

/**
 * S3.1: the account's Block Public Access and what each of its buckets grants the public today (each read in its
 * own Region), up to MAX_BUCKETS_READ buckets. A bucket that cannot be read is listed with why, never skipped
 * silently; one deleted meanwhile is left out.
 */
export async function readAccountPublicAccess(
  clients: S3ClientProvider,
  scope: Scope,
): Promise<AccountPublicAccess> {
  const publicAccessBlock = await readAccountPublicAccessBlock(
    await clients.s3Control(scope.accountId, scope.region),
    scope,
  );
  const home = await clients.s3(scope.accountId, scope.region);
  const listed = await listBuckets(home, scope);
  const toRead = listed.slice(0, MAX_BUCKETS_READ);
  const buckets: BucketAccess[] = [];
  const unread: { name: string; why: string }[] = [];
  for (let start = 0; start < toRead.length; start += BUCKET_READS_AT_ONCE) {
    await Promise.all(
      toRead.slice(start, start + BUCKET_READS_AT_ONCE).map(async (bucket) => {
        const name = bucket.Name ?? '';
        try {
          const region = await bucketRegion(home, scope, bucket);
          const s3 = await clients.s3(scope.accountId, region);
          const read = await readBucket(s3, { accountId: scope.accountId, region }, name);
          if (read) buckets.push(read);
        } catch (error) {
          if (error instanceof BucketGoneSignal) return;
          if (!(error instanceof AwsError)) throw error;
          unread.push({ name, why: unreadWhy(error) });
        }
      }),
    );
  }
  const byName = (left: { name: string }, right: { name: string }) => left.name.localeCompare(right.name);
  return {
    accountId: scope.accountId,
    ...(publicAccessBlock && { publicAccessBlock }),
    buckets: buckets.sort(byName),
    unread: unread.sort(byName),
    notChecked: listed.length - toRead.length,
  };
}
