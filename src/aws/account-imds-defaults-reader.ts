import { GetInstanceMetadataDefaultsCommand } from '@aws-sdk/client-ec2';
import type { AccountImdsDefaults } from '../domain/account-imds-defaults.js';
import type { PlanTarget } from '../domain/remediation-plan-types.js';
import type { AccountImdsDefaultsReader } from '../usecases/ports.js';
import type { ResourceClientProvider } from './aws-clients.js';
import { translateAwsError } from './errors.js';

function enabledOrDisabled(value: string | undefined): 'enabled' | 'disabled' | undefined {
  return value === 'enabled' || value === 'disabled' ? value : undefined;
}

/** The account's IMDS defaults in one Region, as GetInstanceMetadataDefaults answers now (absent fields: no preference). */
export class AwsAccountImdsDefaultsReader implements AccountImdsDefaultsReader {
  readonly #clients: ResourceClientProvider;

  constructor(clients: ResourceClientProvider) {
    this.#clients = clients;
  }

  async readImdsDefaults(target: PlanTarget): Promise<AccountImdsDefaults> {
    const ec2 = await this.#clients.ec2(target.accountId, target.region);
    let level;
    try {
      level = (await ec2.send(new GetInstanceMetadataDefaultsCommand({}))).AccountLevel ?? {};
    } catch (error) {
      throw translateAwsError(error, {
        service: 'EC2',
        operation: 'GetInstanceMetadataDefaults',
        accountId: target.accountId,
        region: target.region,
      });
    }
    const httpEndpoint = enabledOrDisabled(level.HttpEndpoint);
    const instanceMetadataTags = enabledOrDisabled(level.InstanceMetadataTags);
    return {
      accountId: target.accountId,
      region: target.region,
      ...((level.HttpTokens === 'required' || level.HttpTokens === 'optional') && {
        httpTokens: level.HttpTokens,
      }),
      ...(level.HttpPutResponseHopLimit !== undefined && {
        httpPutResponseHopLimit: level.HttpPutResponseHopLimit,
      }),
      ...(httpEndpoint && { httpEndpoint }),
      ...(instanceMetadataTags && { instanceMetadataTags }),
      ...((level.ManagedBy === 'account' || level.ManagedBy === 'declarative-policy') && {
        managedBy: level.ManagedBy,
      }),
      ...(level.ManagedExceptionMessage && { managedExceptionMessage: level.ManagedExceptionMessage }),
    };
  }
}
