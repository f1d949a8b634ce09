import 'aws-sdk-client-mock-vitest/extend';
import { PutBucketPolicyCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { AwsAccessDeniedError } from '../../../src/aws/errors.js';
import {
  BucketPolicyRefusedError,
  putTlsOnlyBucketPolicy,
} from '../../../src/aws/tls-only-bucket-policy-writer.js';
import { planTlsOnlyBucketPolicy } from '../../../src/domain/tls-only-plan.js';
import type { TlsOnlyBucketPolicyPlan } from '../../../src/domain/remediation-plan-types.js';
import {
  ANALYTICS_READ,
  CLOUDFRONT_READ,
  POLICY_BUCKET,
  makeTlsOnlyFinding,
  policyOf,
} from '../../fixtures/bucket-policy.js';
import { ACCOUNT } from '../../fixtures/finding.js';

const s3 = mockClient(S3Client);

/** A refusal from S3 as the SDK throws it: the error code as `name`. */
function s3Error(name: string, message: string, status: number): S3ServiceException {
  return new S3ServiceException({ name, message, $fault: 'client', $metadata: { httpStatusCode: status } });
}

function planFrom(policy?: string): TlsOnlyBucketPolicyPlan {
  const outcome = planTlsOnlyBucketPolicy(makeTlsOnlyFinding(), {
    bucketName: POLICY_BUCKET,
    partition: 'aws',
    ...(policy !== undefined && { policy }),
  });
  if (outcome.kind !== 'plan') throw new Error(`expected a plan, got ${outcome.kind}`);
  return outcome.plan;
}

beforeEach(() => s3.reset());

describe('putTlsOnlyBucketPolicy', () => {
  it.each([
    ['a bucket with a policy', policyOf(CLOUDFRONT_READ, ANALYTICS_READ)],
    ['a bucket without one', undefined],
  ])(
    'puts exactly the planned policy text on %s, only if the plan’s account owns it',
    async (_case, current) => {
      const plan = planFrom(current);
      s3.on(PutBucketPolicyCommand).resolves({});

      await putTlsOnlyBucketPolicy(new S3Client({ region: plan.region }), plan);

      expect(s3).toHaveReceivedCommandTimes(PutBucketPolicyCommand, 1);
      const input = s3.commandCalls(PutBucketPolicyCommand)[0]!.args[0].input;
      // Nothing else: no ConfirmRemoveSelfBucketAccess, no checksum of our own (the SDK computes it).
      expect(input).toStrictEqual({
        Bucket: POLICY_BUCKET,
        Policy: plan.policy,
        ExpectedBucketOwner: ACCOUNT,
      });
    },
  );

  it('says what it did', async () => {
    s3.on(PutBucketPolicyCommand).resolves({});

    await expect(
      putTlsOnlyBucketPolicy(new S3Client({}), planFrom(policyOf(CLOUDFRONT_READ))),
    ).resolves.toEqual([
      `put the bucket policy of ${POLICY_BUCKET}: every statement it had kept as it was, "CspmBotDenyInsecureTransport" added (denies requests without TLS)`,
    ]);
    await expect(putTlsOnlyBucketPolicy(new S3Client({}), planFrom(undefined))).resolves.toEqual([
      `gave ${POLICY_BUCKET} a bucket policy holding only "CspmBotDenyInsecureTransport" (denies requests without TLS)`,
    ]);
  });

  it('turns S3’s MalformedPolicy into a refusal that says the policy is unchanged and what to do', async () => {
    s3.on(PutBucketPolicyCommand).rejects(s3Error('MalformedPolicy', 'Invalid principal in policy', 400));

    const failure = putTlsOnlyBucketPolicy(new S3Client({}), planFrom(policyOf(ANALYTICS_READ)));

    await expect(failure).rejects.toBeInstanceOf(BucketPolicyRefusedError);
    await expect(failure).rejects.toMatchObject({
      userMessage: expect.stringContaining(
        `S3 refused the new bucket policy of ${POLICY_BUCKET} (account ${ACCOUNT} (ap-northeast-1)): Invalid principal in policy. The bucket keeps the policy it had`,
      ) as unknown,
    });
  });

  it('says the role may not put bucket policies when S3 answers AccessDenied (also a bucket another account owns)', async () => {
    s3.on(PutBucketPolicyCommand).rejects(s3Error('AccessDenied', 'Access Denied', 403));

    await expect(putTlsOnlyBucketPolicy(new S3Client({}), planFrom(undefined))).rejects.toBeInstanceOf(
      AwsAccessDeniedError,
    );
  });
});
