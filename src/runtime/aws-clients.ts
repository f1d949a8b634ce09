import { EC2Client } from '@aws-sdk/client-ec2';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import type { Ec2ClientProvider } from '../aws/security-group-inspector.js';

/**
 * Every AWS client retries throttling with the SDK's adaptive mode (client-side rate limiting), a bounded number
 * of times: Security Hub allows 3 GetFindings/s, EC2 refills 5 tokens/s. Nothing waits for minutes.
 */
export const AWS_RETRY = { maxAttempts: 5, retryMode: 'adaptive' } as const;

export function securityHubClient(region: string | undefined): SecurityHubClient {
  return new SecurityHubClient({ ...AWS_RETRY, ...(region && { region }) });
}

/**
 * EC2 clients per region with the bot's own credentials. Findings of other accounts are read with the same
 * credentials until cross-account roles are configured; a refusal then shows as "reach unknown" with its reason.
 */
export class HomeAccountEc2Clients implements Ec2ClientProvider {
  private readonly byRegion = new Map<string, EC2Client>();

  async ec2(_accountId: string, region: string): Promise<EC2Client> {
    let client = this.byRegion.get(region);
    if (!client) {
      client = new EC2Client({ ...AWS_RETRY, region });
      this.byRegion.set(region, client);
    }
    return client;
  }
}
