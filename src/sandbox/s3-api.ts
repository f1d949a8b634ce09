import type {
  GetBucketAclOutput,
  GetBucketAclRequest,
  GetBucketLocationOutput,
  GetBucketLocationRequest,
  GetBucketPolicyOutput,
  GetBucketPolicyRequest,
  GetBucketPolicyStatusOutput,
  GetBucketPolicyStatusRequest,
  GetPublicAccessBlockOutput,
  GetPublicAccessBlockRequest,
  ListBucketsOutput,
  PutBucketPolicyRequest,
  PutPublicAccessBlockRequest,
} from '@aws-sdk/client-s3';
import { grantsPublicAccess, parseBucketPolicy } from '../domain/bucket-policy.js';
import { BUCKET_POLICY_SIZE_LIMIT_BYTES, policySizeBytes } from '../domain/bucket-policy-document.js';
import type { RegionEstate, SandboxBucket } from './estate.js';
import { s3Refusal } from './service-errors.js';

/** A request naming the bucket, as every bucket call does (and, optionally, the account that must own it). */
interface BucketRequest {
  readonly Bucket?: string | undefined;
  readonly ExpectedBucketOwner?: string | undefined;
}

/**
 * S3 as the bot's adapters call it, over one account's buckets (in every Region: bucket names are global, and the
 * bot asks each bucket in its own Region).
 */
export class SandboxS3 {
  constructor(
    private readonly accountId: string,
    private readonly regions: readonly RegionEstate[],
  ) {}

  ListBuckets(): ListBucketsOutput {
    const buckets = this.regions.flatMap((region) =>
      (region.Buckets ?? []).map((bucket) => ({
        Name: bucket.Name,
        CreationDate: bucket.CreationDate,
        BucketRegion: region.region,
      })),
    );
    return { Buckets: buckets.sort((left, right) => left.Name.localeCompare(right.Name)) };
  }

  GetBucketLocation(input: GetBucketLocationRequest): GetBucketLocationOutput {
    const { region } = this.#find(input);
    // S3 answers no constraint for us-east-1.
    return region === 'us-east-1'
      ? {}
      : { LocationConstraint: region as GetBucketLocationOutput['LocationConstraint'] };
  }

  GetPublicAccessBlock(input: GetPublicAccessBlockRequest): GetPublicAccessBlockOutput {
    const { bucket } = this.#find(input);
    if (!bucket.PublicAccessBlockConfiguration)
      throw s3Refusal(
        'NoSuchPublicAccessBlockConfiguration',
        'The public access block configuration was not found',
        404,
      );
    return { PublicAccessBlockConfiguration: { ...bucket.PublicAccessBlockConfiguration } };
  }

  /** Replaces the bucket's whole configuration, as S3 does (a setting left out is off). */
  PutPublicAccessBlock(input: PutPublicAccessBlockRequest): Record<string, never> {
    const { bucket } = this.#find(input);
    const settings = input.PublicAccessBlockConfiguration ?? {};
    bucket.PublicAccessBlockConfiguration = {
      BlockPublicAcls: settings.BlockPublicAcls === true,
      IgnorePublicAcls: settings.IgnorePublicAcls === true,
      BlockPublicPolicy: settings.BlockPublicPolicy === true,
      RestrictPublicBuckets: settings.RestrictPublicBuckets === true,
    };
    return {};
  }

  GetBucketPolicy(input: GetBucketPolicyRequest): GetBucketPolicyOutput {
    return { Policy: this.#policyOf(input) };
  }

  /**
   * Replaces the bucket's policy with the text as sent, as S3 does; refuses text that is not a JSON object, or past
   * the 20 KB limit, with S3's MalformedPolicy.
   */
  PutBucketPolicy(input: PutBucketPolicyRequest): Record<string, never> {
    const { bucket } = this.#find(input);
    const policy = input.Policy ?? '';
    let parsed: unknown;
    try {
      parsed = JSON.parse(policy);
    } catch {
      throw s3Refusal('MalformedPolicy', "Policies must be valid JSON and the first byte must be '{'", 400);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw s3Refusal('MalformedPolicy', "Policies must be valid JSON and the first byte must be '{'", 400);
    if (policySizeBytes(policy) > BUCKET_POLICY_SIZE_LIMIT_BYTES)
      throw s3Refusal('MalformedPolicy', 'Policy exceeds the maximum allowed document size', 400);
    bucket.Policy = policy;
    return {};
  }

  /** S3's verdict on the policy, judged as the bot judges statements (see src/domain/bucket-policy.ts). */
  GetBucketPolicyStatus(input: GetBucketPolicyStatusRequest): GetBucketPolicyStatusOutput {
    const parsed = parseBucketPolicy(this.#policyOf(input));
    return {
      PolicyStatus: { IsPublic: parsed.ok && parsed.statements.some(grantsPublicAccess) },
    };
  }

  GetBucketAcl(input: GetBucketAclRequest): GetBucketAclOutput {
    const { bucket } = this.#find(input);
    return { Owner: { ...bucket.Owner }, Grants: structuredClone(bucket.Grants) };
  }

  #policyOf(input: BucketRequest): string {
    const { bucket } = this.#find(input);
    if (bucket.Policy === undefined)
      throw s3Refusal('NoSuchBucketPolicy', 'The bucket policy does not exist', 404);
    return bucket.Policy;
  }

  #find(input: BucketRequest): { bucket: SandboxBucket; region: string } {
    if (input.ExpectedBucketOwner !== undefined && input.ExpectedBucketOwner !== this.accountId)
      throw s3Refusal('AccessDenied', 'Access Denied', 403);
    for (const region of this.regions) {
      const bucket = (region.Buckets ?? []).find((candidate) => candidate.Name === input.Bucket);
      if (bucket) return { bucket, region: region.region };
    }
    throw s3Refusal('NoSuchBucket', 'The specified bucket does not exist', 404);
  }
}
