import { SecurityHubClient } from '@aws-sdk/client-securityhub';

/**
 * Every AWS client retries throttling with the SDK's adaptive mode (client-side rate limiting), a bounded number
 * of times: Security Hub allows 3 GetFindings/s, EC2 refills 5 tokens/s. Nothing waits for minutes.
 */
export const AWS_RETRY = { maxAttempts: 5, retryMode: 'adaptive' } as const;

export function securityHubClient(region: string | undefined): SecurityHubClient {
  return new SecurityHubClient({ ...AWS_RETRY, ...(region && { region }) });
}
