import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { S3Client } from '@aws-sdk/client-s3';
import { S3ControlClient } from '@aws-sdk/client-s3-control';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { ServiceClientConstructors } from './account-client-pool.js';

/**
 * Every SDK client the bot uses in member accounts: what remediation (the Worker, the Sync, `npm start`) needs.
 * Its own module, so that only code that builds a full pool bundles all of them.
 */
export const EVERY_SERVICE_CLIENT: ServiceClientConstructors = {
  ec2: EC2Client,
  ssm: SSMClient,
  autoScaling: AutoScalingClient,
  securityHub: SecurityHubClient,
  s3: S3Client,
  s3Control: S3ControlClient,
};
