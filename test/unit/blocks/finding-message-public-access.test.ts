import { describe, expect, it } from 'vitest';
import { findingMessage } from '../../../blocks/finding-message.js';
import type { FindingMessageView } from '../../../blocks/finding-message.js';
import type { Finding } from '../../../src/domain/finding.js';
import { BUCKET, makeAccountFinding, makeBucketFinding } from '../../fixtures/s3-bucket.js';

function viewOf(finding: Finding): FindingMessageView {
  return {
    finding,
    openRules: [],
    reach: { kind: 'unknown', reason: 'not a network resource' },
    urgency: 'high',
    state: { kind: 'open' },
    canRemediate: true,
  };
}

const textOf = (finding: Finding) => JSON.stringify(findingMessage(viewOf(finding)).blocks);

describe('findingMessage for S3 Block Public Access', () => {
  it('names the S3.8 bucket, and says its settings are unknown until S3 is read when the finding has none', () => {
    const text = textOf(makeBucketFinding());

    expect(text).toContain(`Bucket \`${BUCKET}\``);
    expect(text).toContain('Block Public Access: unknown until S3 is read');
  });

  it('lists the settings the finding saw off', () => {
    const finding = makeBucketFinding();
    const text = textOf({
      ...finding,
      details: {
        kind: 'bucket',
        bucketName: BUCKET,
        publicAccessBlock: {
          blockPublicAcls: false,
          ignorePublicAcls: false,
          blockPublicPolicy: true,
          restrictPublicBuckets: true,
        },
      },
    });

    expect(text).toContain('Block Public Access off (as of the finding): BlockPublicAcls, IgnorePublicAcls');
  });

  it('says an S3.1 finding is about every bucket of the account', () => {
    expect(textOf(makeAccountFinding())).toContain('S3 Block Public Access for every bucket of the account');
  });
});
