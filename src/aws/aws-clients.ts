import type { AccountClientsOptions, ServiceClientConstructors } from './account-client-pool.js';
import { AccountClientPool } from './account-client-pool.js';
import { EVERY_SERVICE_CLIENT } from './every-service-client.js';

export type {
  AccountClientsOptions,
  AutoScalingClientProvider,
  ResourceClientProvider,
  RetryConfig,
  S3ClientProvider,
  ServiceClient,
  ServiceClientConstructors,
  SessionCredentials,
  SsmClientProvider,
} from './account-client-pool.js';

/**
 * A client pool that can make every service's client (`services` defaults to all of them). A Lambda that runs
 * fewer services builds an AccountClientPool with only those, so its bundle leaves the others out.
 */
export class AccountClients extends AccountClientPool {
  constructor(
    options: Omit<AccountClientsOptions, 'services'> & { readonly services?: ServiceClientConstructors },
  ) {
    super({ ...options, services: options.services ?? EVERY_SERVICE_CLIENT });
  }
}
