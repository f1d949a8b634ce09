import { STSClient } from '@aws-sdk/client-sts';

export type AwsAccess =
  { readonly ok: true; readonly region: string } | { readonly ok: false; readonly reason: string };

/**
 * Whether the default credential chain (env, ~/.aws profiles, SSO, web identity) yields credentials and a region.
 * Locally the instance metadata service is not asked unless AWS_EC2_METADATA_DISABLED=false is set, so a
 * laptop without AWS never sends a request off the machine to find out.
 */
export async function detectAwsAccess(env: NodeJS.ProcessEnv = process.env): Promise<AwsAccess> {
  env['AWS_EC2_METADATA_DISABLED'] ??= 'true';
  const sts = new STSClient({});
  try {
    await sts.config.credentials();
  } catch (error) {
    return {
      ok: false,
      reason: `no AWS credentials found (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`,
    };
  }
  try {
    const region = await sts.config.region();
    return { ok: true, region };
  } catch {
    return {
      ok: false,
      reason: 'AWS credentials found but no region: set AWS_REGION (your Security Hub aggregator region)',
    };
  } finally {
    sts.destroy();
  }
}
