import { LambdaClient } from '@aws-sdk/client-lambda';
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import { ConfigError } from '../config/config-error.js';
import type { Config } from '../config/config.js';
import { loadConfig } from '../config/config.js';
import { SlackFindingMessenger } from '../slack/finding-messenger.js';
import { SlackSender } from '../slack/sender.js';
import type { JobQueue, SlackJobDeps } from '../slack/slack-jobs.js';
import type { IngestDeps } from '../usecases/ingest-findings.js';
import type { Log } from '../usecases/ports.js';
import { LambdaInvokeQueue } from './lambda-invoke-queue.js';
import { accountClients, ingestDeps, remediationDeps } from './remediation-wiring.js';
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

export interface LambdaDeps {
  readonly store: Store;
  readonly slack: WebClient;
  readonly ingest: IngestDeps;
  readonly jobs: SlackJobDeps;
  /** The Worker, when configured (CSPM_WORKER_FUNCTION_NAME). */
  readonly queue?: JobQueue;
}

/** Every Lambda's dependencies, built once per container from the configuration. */
export function lambdaDeps(config: Config, log: Log): LambdaDeps {
  if (!config.slack.botToken) throw new ConfigError(['SLACK_BOT_TOKEN: expected a bot token starting with xoxb- (or CSPM_SLACK_SECRET_ARN)']);
  const store = createStore(dynamoDbClient(config.dynamoDbEndpoint), config.tableName);
  const slack = createSlackWebClient(config.slack.botToken, config.slackApiUrl);
  const clients = accountClients(config);
  const queue = config.workerFunctionName ? new LambdaInvokeQueue(new LambdaClient({}), config.workerFunctionName) : undefined;
  const base = {
    findings: store.findings,
    messenger: new SlackFindingMessenger(new SlackSender(slack, LAMBDA_SENDER_BUDGET)),
    clock: systemClock,
    log,
  };
  const jobs = remediationDeps({ config, base, store, slack, clients, homeRegion: config.awsRegion });
  const ingest = ingestDeps({ config, base, store, clients, jobs, queue });
  return { store, slack, ingest, jobs, ...(queue && { queue }) };
}
