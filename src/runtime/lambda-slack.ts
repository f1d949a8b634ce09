import type { Context } from 'aws-lambda';
import { App, AwsLambdaReceiver, LogLevel } from '@slack/bolt';
import type { AwsEvent, AwsHandler, AwsResponse } from '@slack/bolt/dist/receivers/AwsLambdaReceiver.js';
import { ConfigError } from '../config/config-error.js';
import { registerListeners } from '../slack/listeners.js';
import { onceUntilFailure } from './cold-start.js';
import { gateSlackEvents } from './lambda-slack-gate.js';
import { lambdaDeps, loadLambdaConfig } from './lambda-environment.js';
import { commandDeps, listenerDeps } from './remediation-wiring.js';
import { createLog } from './log.js';
import { slackClientOptions } from './slack-web-client.js';

const log = createLog();

/**
 * Slack's requests through a Lambda Function URL. The gate answers unsigned (401) and unreadable (400) requests
 * before anything parses them; Bolt verifies again, listeners ack within 3 s, and anything long is handed to the
 * worker, never run here while Slack waits.
 */
const slackHandler = onceUntilFailure(async (): Promise<AwsHandler> => {
  const config = await loadLambdaConfig();
  const { botToken, signingSecret } = config.slack;
  if (!botToken || !signingSecret) {
    throw new ConfigError(['CSPM_SLACK_SECRET_ARN: expected a secret with botToken and signingSecret (or SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET)']);
  }
  const receiver = new AwsLambdaReceiver({ signingSecret, logLevel: LogLevel.WARN });
  const app = new App({
    token: botToken,
    receiver,
    clientOptions: slackClientOptions(config.slackApiUrl),
    extendedErrorHandler: true,
    // A cold Lambda must still ack in 3 s: skip the auth.test round trip at start-up.
    tokenVerificationEnabled: false,
    logLevel: LogLevel.WARN,
  });
  const { jobs, queue, store } = lambdaDeps(config, log);
  if (!queue) throw new ConfigError(['CSPM_WORKER_FUNCTION_NAME: expected the Worker function name (set by the stack)']);
  registerListeners(app, listenerDeps(jobs, queue, commandDeps(config, store, jobs)));
  return gateSlackEvents(signingSecret, await receiver.start(), log);
});

export async function handler(event: AwsEvent, context: Context): Promise<AwsResponse> {
  return (await slackHandler())(event, context);
}
