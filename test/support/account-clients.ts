import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { S3Client } from '@aws-sdk/client-s3';
import { S3ControlClient } from '@aws-sdk/client-s3-control';
import type { ResourceClientProvider } from '../../src/aws/aws-clients.js';

/**
 * Hands out plain clients (which `aws-sdk-client-mock` intercepts) and remembers which account and region each was
 * asked for, so that a test sees the work done where the finding or plan says.
 */
export class RecordingResourceClients implements ResourceClientProvider {
  readonly asked: string[] = [];

  async ec2(accountId: string, region: string): Promise<EC2Client> {
    this.asked.push(`ec2 ${accountId} ${region}`);
    return new EC2Client({ region });
  }

  async autoScaling(accountId: string, region: string): Promise<AutoScalingClient> {
    this.asked.push(`autoScaling ${accountId} ${region}`);
    return new AutoScalingClient({ region });
  }

  async s3(accountId: string, region: string): Promise<S3Client> {
    this.asked.push(`s3 ${accountId} ${region}`);
    return new S3Client({ region });
  }

  async s3Control(accountId: string, region: string): Promise<S3ControlClient> {
    this.asked.push(`s3Control ${accountId} ${region}`);
    return new S3ControlClient({ region });
  }
}
