import type { Context } from 'aws-lambda';
import { App, AwsLambdaReceiver, LogLevel } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
import type { AwsEvent, AwsHandler, AwsResponse } from '@slack/bolt/dist/receivers/AwsLambdaReceiver.js';
import { ConfigError } from '../config/config-error.js';
import { registerListeners } from '../slack/listeners.js';
import { onceUntilFailure } from './cold-start.js';
import { gateSlackEvents } from './lambda-slack-gate.js';
import { lambdaBase, loadLambdaConfig, workerQueue } from './lambda-environment.js';
import { slackAccess } from './slack-access.js';
import { commandDeps, listenerDeps } from './slack-wiring.js';
import { systemClock } from './system-clock.js';
import { createLog } from './log.js';
import { cachedBotAuthorization } from './cached-bot-authorization.js';
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
    throw new ConfigError([
      'CSPM_SLACK_SECRET_ARN: expected a secret with botToken and signingSecret (or SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET)',
    ]);
  }
  const receiver = new AwsLambdaReceiver({ signingSecret, logLevel: LogLevel.WARN });
  const app = new App({
    // Not `token` with verification off: Bolt would then call auth.test on every request. This asks once per
    // container, at the first request (a cold Lambda must still ack in 3 s, so never at start-up).
    authorize: cachedBotAuthorization(
      new WebClient(undefined, slackClientOptions(config.slackApiUrl)),
      botToken,
    ),
    receiver,
    clientOptions: slackClientOptions(config.slackApiUrl),
    extendedErrorHandler: true,
    logLevel: LogLevel.WARN,
  });
  const queue = workerQueue(config);
  if (!queue)
    throw new ConfigError([
      'CSPM_WORKER_FUNCTION_NAME: expected the Worker function name (set by the stack)',
    ]);
  // Listeners ack and hand long work to the Worker: this handler builds no remediator and loads no AWS client for it.
  const { store, slack } = lambdaBase(config, log);
  const surface = {
    ...slackAccess(config, slack),
    client: slack,
    findings: store.findings,
    clock: systemClock,
    log,
  };
  // AwsLambdaReceiver returns the ack only once the listener is done: /cspm is answered by the Worker.
  registerListeners(
    app,
    listenerDeps(surface, queue, { ...commandDeps(config, store, surface), worker: queue }),
  );
  return gateSlackEvents(signingSecret, await receiver.start(), log);
});

export async function handler(event: AwsEvent, context: Context): Promise<AwsResponse> {
  // The request id on every line of this request.
  log.addContext(context);
  return (await slackHandler())(event, context);
}
