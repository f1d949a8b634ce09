import * as z from 'zod';
import type { FindingResourceDetails } from '../domain/finding.js';

const optionalText = z.string().nullish();
const optionalFlag = z.boolean().nullish();

/**
 * ASFF `AwsS3Bucket` details, as far as the bot reads them (Security Hub API: AwsS3BucketDetails, whose
 * `PublicAccessBlockConfiguration` is an AwsS3AccountPublicAccessBlockDetails). The rest (lifecycle, logging,
 * encryption, `AccessControlList` as JSON text, …) passes through unread: remediation reads S3 again.
 */
const S3BucketDetailsSchema = z.looseObject({
  Name: optionalText,
  OwnerId: optionalText,
  OwnerName: optionalText,
  OwnerAccountId: optionalText,
  CreatedAt: optionalText,
  PublicAccessBlockConfiguration: z
    .looseObject({
      BlockPublicAcls: optionalFlag,
      BlockPublicPolicy: optionalFlag,
      IgnorePublicAcls: optionalFlag,
      RestrictPublicBuckets: optionalFlag,
    })
    .nullish(),
});

/** The finding's view of the bucket (a head start for the message); `none` when the details lack its shape. */
export function s3BucketDetails(raw: unknown, shortId: string): FindingResourceDetails {
  if (raw === undefined) return { kind: 'bucket', bucketName: shortId };
  const parsed = S3BucketDetailsSchema.safeParse(raw);
  if (!parsed.success) return { kind: 'none' };
  const details = parsed.data;
  const block = details.PublicAccessBlockConfiguration;
  return {
    kind: 'bucket',
    bucketName: details.Name || shortId,
    ...(details.OwnerAccountId ? { ownerAccountId: details.OwnerAccountId } : {}),
    ...(block
      ? {
          publicAccessBlock: {
            // A setting the details leave out is off, as S3 treats a missing one.
            blockPublicAcls: block.BlockPublicAcls === true,
            ignorePublicAcls: block.IgnorePublicAcls === true,
            blockPublicPolicy: block.BlockPublicPolicy === true,
            restrictPublicBuckets: block.RestrictPublicBuckets === true,
          },
        }
      : {}),
  };
}
