import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { z } from 'zod';
import { ConfigError } from '../config/config-error.js';
import type { Config } from '../config/config.js';
import { loadConfig } from '../config/config.js';
import { Ec2SecurityGroupInspector } from '../aws/security-group-inspector.js';
import { SlackFindingMessenger } from '../slack/finding-messenger.js';
import { SlackSender } from '../slack/sender.js';
import type { IngestDeps } from '../usecases/ingest-findings.js';
import type { Log } from '../usecases/ports.js';
import { HomeAccountEc2Clients } from './aws-clients.js';
import { createSlackWebClient } from './slack-web-client.js';
import type { Store } from './store.js';
import { createStore, dynamoDbClient } from './store.js';
import { systemClock } from './system-clock.js';

const slackSecret = z.object({ botToken: z.string(), signingSecret: z.string() });

/**
 * Config for a Lambda: the environment, plus the Slack tokens from Secrets Manager when CSPM_SLACK_SECRET_ARN is
 * set (so tokens never sit in plain environment variables). Read once per cold start.
 */
export async function loadLambdaConfig(env: NodeJS.ProcessEnv = process.env): Promise<Config> {
  const base = loadConfig(env);
  if (!base.slackSecretArn) return base;
  const parsed = slackSecret.safeParse(await getSecret(base.slackSecretArn, { transform: 'json' }));
  if (!parsed.success) {
    throw new ConfigError(['CSPM_SLACK_SECRET_ARN: expected the secret to hold JSON {"botToken":"xoxb-…","signingSecret":"…"}']);
  }
  return loadConfig({ ...env, SLACK_BOT_TOKEN: parsed.data.botToken, SLACK_SIGNING_SECRET: parsed.data.signingSecret });
}

/** A Lambda posts within a bounded time: it gives a message back (still owed) rather than sleep for minutes. */
const LAMBDA_SENDER_BUDGET = { maxWaitMs: 20_000, maxAttempts: 4 };

export function lambdaIngestDeps(config: Config, log: Log): IngestDeps & { store: Store } {
  if (!config.slack.botToken) throw new ConfigError(['SLACK_BOT_TOKEN: expected a bot token starting with xoxb- (or CSPM_SLACK_SECRET_ARN)']);
  const store = createStore(dynamoDbClient(config.dynamoDbEndpoint), config.tableName);
  const sender = new SlackSender(createSlackWebClient(config.slack.botToken, config.slackApiUrl), LAMBDA_SENDER_BUDGET);
  return {
    store,
    findings: store.findings,
    messenger: new SlackFindingMessenger(sender),
    inspector: new Ec2SecurityGroupInspector(new HomeAccountEc2Clients()),
    routing: config.routing,
    severityThreshold: config.severityThreshold,
    clock: systemClock,
    log,
  };
}
