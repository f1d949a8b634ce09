/** The bot's configuration for a bench run: the embedded DynamoDB, the fake Slack Web API, a local port. */
import { createServer } from 'node:net';
import type { Config } from '../../src/config/config.js';
import { loadConfig } from '../../src/config/config.js';
import { SIGNING_SECRET } from '../support/signed-slack-request.js';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export interface BenchSetting {
  readonly dynamoDbEndpoint: string;
  readonly tableName: string;
  readonly slackApiUrl: string;
  readonly channel: string;
}

/** The environment a deployed bot would read, pointed at the bench's local services. */
export function benchEnvironment(input: BenchSetting): Record<string, string> {
  return {
    SLACK_BOT_TOKEN: 'xoxb-bench-token',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    CSPM_SLACK_API_URL: input.slackApiUrl,
    CSPM_DYNAMODB_ENDPOINT: input.dynamoDbEndpoint,
    CSPM_TABLE_NAME: input.tableName,
    CSPM_DEFAULT_CHANNEL: input.channel,
    CSPM_DIGEST_CHANNEL: input.channel,
    CSPM_ALLOWED_USERS: 'U0ALICE01',
    CSPM_HOME_ACCOUNT_ID: '111122223333',
    AWS_REGION: 'eu-west-1',
  };
}

export function benchConfig(input: BenchSetting): Config {
  return loadConfig(benchEnvironment(input));
}
