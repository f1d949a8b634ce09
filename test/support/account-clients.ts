import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
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
}
