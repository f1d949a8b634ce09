import { LambdaClient } from '@aws-sdk/client-lambda';
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import type { WebClient } from '@slack/web-api';
import * as z from 'zod';
import { ConfigError } from '../config/config-error.js';
import type { Config } from '../config/config.js';
import { loadConfig } from '../config/config.js';
import { SlackFindingMessenger } from '../slack/finding-messenger.js';
import { SlackSender } from '../slack/sender.js';
import type { JobQueue } from '../slack/slack-jobs.js';
import type { DeliverDeps } from '../usecases/deliver-finding-message.js';
import type { Log, Metrics } from '../usecases/ports.js';
import { LambdaInvokeQueue } from './lambda-invoke-queue.js';
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
    throw new ConfigError([
      'CSPM_SLACK_SECRET_ARN: expected the secret to hold JSON {"botToken":"xoxb-…","signingSecret":"…"}',
    ]);
  }
  return loadConfig({
    ...env,
    SLACK_BOT_TOKEN: parsed.data.botToken,
    SLACK_SIGNING_SECRET: parsed.data.signingSecret,
  });
}

/** A Lambda posts within a bounded time: it gives a message back (still owed) rather than sleep for minutes. */
const LAMBDA_SENDER_BUDGET = { maxWaitMs: 20_000, maxAttempts: 4 };

/**
 * What every Lambda shares: the table, the Slack client and the delivery dependencies. Each handler adds only what
 * it runs (lambda-job-deps.ts for remediation, slack-wiring.ts for the listeners), so no bundle carries another's code.
 */
export interface LambdaBase {
  readonly store: Store;
  readonly slack: WebClient;
  readonly base: DeliverDeps;
}

/** `metrics`: the handler's EMF metrics, flushed by the handler at the end of each invocation. */
export function lambdaBase(config: Config, log: Log, metrics?: Metrics): LambdaBase {
  if (!config.slack.botToken)
    throw new ConfigError([
      'SLACK_BOT_TOKEN: expected a bot token starting with xoxb- (or CSPM_SLACK_SECRET_ARN)',
    ]);
  const store = createStore(dynamoDbClient(config.dynamoDbEndpoint), config.tableName);
  const slack = createSlackWebClient(config.slack.botToken, config.slackApiUrl);
  const messenger = new SlackFindingMessenger(new SlackSender(slack, LAMBDA_SENDER_BUDGET));
  const base: DeliverDeps = {
    findings: store.findings,
    messenger,
    clock: systemClock,
    log,
    grouping: { groups: store.groups, messenger, settings: config.grouping },
    ...(metrics && { metrics }),
  };
  return { store, slack, base };
}

/** The Worker, when configured (CSPM_WORKER_FUNCTION_NAME): long work goes there as an asynchronous invoke. */
export function workerQueue(config: Config): JobQueue | undefined {
  return config.workerFunctionName
    ? new LambdaInvokeQueue(new LambdaClient({}), config.workerFunctionName)
    : undefined;
}
