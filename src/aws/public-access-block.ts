import { PutPublicAccessBlockCommand } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { PutPublicAccessBlockCommand as PutAccountPublicAccessBlockCommand } from '@aws-sdk/client-s3-control';
import type { S3ControlClient } from '@aws-sdk/client-s3-control';
import { settingChangeWords } from '../domain/public-access-plan.js';
import type { RemediationPlan } from '../domain/remediation-plan-types.js';
import { translateAwsError } from './errors.js';

type BucketPlan = Extract<RemediationPlan, { kind: 'block-bucket-public-access' }>;
type AccountPlan = Extract<RemediationPlan, { kind: 'block-account-public-access' }>;

/**
 * All four settings on. PutPublicAccessBlock replaces the whole configuration, so all four are always sent (a
 * setting left out would be turned off); the plan only ever turns settings on.
 */
export const ALL_SETTINGS_ON = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
} as const;

/** S3.8: the bucket's own Block Public Access, in the bucket's Region, only if the planned account owns it. */
export async function blockBucketPublicAccess(s3: S3Client, plan: BucketPlan): Promise<string[]> {
  try {
    await s3.send(
      new PutPublicAccessBlockCommand({
        Bucket: plan.bucketName,
        ExpectedBucketOwner: plan.accountId,
        PublicAccessBlockConfiguration: ALL_SETTINGS_ON,
      }),
    );
  } catch (error) {
    throw translateAwsError(error, {
      service: 'S3',
      operation: 'PutPublicAccessBlock',
      accountId: plan.accountId,
      region: plan.region,
      resourceId: plan.bucketName,
    });
  }
  return [
    `turned on Block Public Access of bucket ${plan.bucketName}: ${settingChangeWords(plan.settingsBefore)}`,
  ];
}

/** S3.1: the account's Block Public Access (S3 Control, naming the account). */
export async function blockAccountPublicAccess(
  s3Control: S3ControlClient,
  plan: AccountPlan,
): Promise<string[]> {
  try {
    await s3Control.send(
      new PutAccountPublicAccessBlockCommand({
        AccountId: plan.accountId,
        PublicAccessBlockConfiguration: ALL_SETTINGS_ON,
      }),
    );
  } catch (error) {
    throw translateAwsError(error, {
      service: 'S3 Control',
      operation: 'PutPublicAccessBlock',
      accountId: plan.accountId,
      region: plan.region,
      resourceId: `account ${plan.accountId}`,
    });
  }
  return [
    `turned on Block Public Access of account ${plan.accountId}: ${settingChangeWords(plan.settingsBefore)}`,
  ];
}
