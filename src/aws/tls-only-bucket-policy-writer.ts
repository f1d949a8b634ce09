import { PutBucketPolicyCommand } from '@aws-sdk/client-s3';
import type { PutBucketPolicyCommandInput, S3Client } from '@aws-sdk/client-s3';
import type { TlsOnlyBucketPolicyPlan } from '../domain/remediation-plan-types.js';
import type { AwsCallContext } from './errors.js';
import { AwsError, accountAndRegion, translateAwsError } from './errors.js';

/** S3's code for a policy it will not store (bad grammar, an unknown principal, past the size limit). */
const MALFORMED_POLICY = 'MalformedPolicy';

/** S3 refused the planned policy as a whole: the bucket keeps the policy it had. */
export class BucketPolicyRefusedError extends AwsError {
  readonly code = 'BUCKET_POLICY_REFUSED';
  readonly reason: string;

  constructor(call: AwsCallContext, reason: string, awsErrorName: string, options?: ErrorOptions) {
    super(
      `S3 refused the planned policy of ${call.resourceId ?? 'the bucket'}: ${reason}`,
      call,
      awsErrorName,
      options,
    );
    this.reason = reason;
  }

  override get userMessage(): string {
    return (
      `S3 refused the new bucket policy of ${this.call.resourceId ?? 'the bucket'} (${accountAndRegion(this.call)}): ` +
      `${this.reason}. The bucket keeps the policy it had; nothing changed. Fix what S3 names (for example a ` +
      'principal that no longer exists) in the S3 console, then press Remediate again.'
    );
  }
}

/**
 * The one request that carries the plan out: the planned policy text as it is, on the planned bucket, refused by
 * S3 unless the plan's account owns the bucket. `ConfirmRemoveSelfBucketAccess` is never sent, so S3 refuses a
 * policy that would lock the caller out; the SDK adds the body checksum itself.
 */
export function tlsOnlyPolicyRequest(plan: TlsOnlyBucketPolicyPlan): PutBucketPolicyCommandInput {
  return { Bucket: plan.bucketName, Policy: plan.policy, ExpectedBucketOwner: plan.accountId };
}

/** What the executor did, in the words the thread and the audit record show. */
export function tlsOnlyPolicyStep(plan: TlsOnlyBucketPolicyPlan): string {
  return plan.hadPolicy
    ? `put the bucket policy of ${plan.bucketName}: every statement it had kept as it was, "${plan.statementSid}" added (denies requests without TLS)`
    : `gave ${plan.bucketName} a bucket policy holding only "${plan.statementSid}" (denies requests without TLS)`;
}

/** S3.5 with the bot's own (or the member) role: PutBucketPolicy with exactly the planned text. */
export async function putTlsOnlyBucketPolicy(s3: S3Client, plan: TlsOnlyBucketPolicyPlan): Promise<string[]> {
  try {
    await s3.send(new PutBucketPolicyCommand(tlsOnlyPolicyRequest(plan)));
  } catch (error) {
    const call: AwsCallContext = {
      service: 'S3',
      operation: 'PutBucketPolicy',
      accountId: plan.accountId,
      region: plan.region,
      resourceId: plan.bucketName,
    };
    const name = (error as { name?: unknown } | null)?.name;
    if (name === MALFORMED_POLICY) {
      const reason =
        error instanceof Error && error.message !== '' ? error.message : 'the policy is not valid';
      throw new BucketPolicyRefusedError(call, reason, MALFORMED_POLICY, { cause: error });
    }
    throw translateAwsError(error, call);
  }
  return [tlsOnlyPolicyStep(plan)];
}
