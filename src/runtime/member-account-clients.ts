import { STSClient } from '@aws-sdk/client-sts';
import type { ServiceClientConstructors } from '../aws/account-client-pool.js';
import { AccountClientPool } from '../aws/account-client-pool.js';
import type { Config } from '../config/config.js';
import { AWS_RETRY } from './aws-clients.js';

/**
 * The bot's AWS clients in its own and its member accounts, limited to `services`: each Lambda names the SDK
 * clients it runs, so its bundle carries no other (see infra/lambda-bundling.ts).
 */
export function memberAccountClients(config: Config, services: ServiceClientConstructors): AccountClientPool {
  return new AccountClientPool({
    homeAccountId: config.remediation.homeAccountId,
    memberRoleName: config.remediation.memberRoleName,
    externalId: config.remediation.memberRoleExternalId,
    sts: new STSClient({ ...AWS_RETRY, ...(config.awsRegion && { region: config.awsRegion }) }),
    clientConfig: AWS_RETRY,
    services,
  });
}
