import { describe, expect, it } from 'vitest';
import { s3BucketDetails } from '../../../src/aws/asff-s3-bucket.js';

describe('s3BucketDetails (ASFF AwsS3Bucket)', () => {
  it('reads the name, owner account and Block Public Access, a setting left out being off', () => {
    expect(
      s3BucketDetails(
        {
          Name: 'cspm-demo-legacy-downloads',
          OwnerId: '7f3a5c9e1b2d4f6a8c0e2a4b6d8f0a1c3e5b7d9f1a3c5e7b9d1f3a5c7e9b1d3f',
          OwnerAccountId: '111122223333',
          CreatedAt: '2019-06-04T16:27:09.000Z',
          PublicAccessBlockConfiguration: { BlockPublicPolicy: true, RestrictPublicBuckets: true },
        },
        'from-the-arn',
      ),
    ).toEqual({
      kind: 'bucket',
      bucketName: 'cspm-demo-legacy-downloads',
      ownerAccountId: '111122223333',
      publicAccessBlock: {
        blockPublicAcls: false,
        ignorePublicAcls: false,
        blockPublicPolicy: true,
        restrictPublicBuckets: true,
      },
    });
  });

  it('names the bucket from its ARN when the finding carries no details, settings unknown', () => {
    expect(s3BucketDetails(undefined, 'web-prod-assets')).toEqual({
      kind: 'bucket',
      bucketName: 'web-prod-assets',
    });
  });

  it('gives up on details of another shape rather than losing the finding', () => {
    expect(s3BucketDetails({ PublicAccessBlockConfiguration: { BlockPublicAcls: 'yes' } }, 'b')).toEqual({
      kind: 'none',
    });
  });
});
