import { App, LogLevel } from '@slack/bolt';
import { ConfigError } from '../config/config-error.js';
import type { Config } from '../config/config.js';
import type { ListenerDeps } from '../slack/listeners.js';
import { GatedHTTPReceiver } from './gated-http-receiver.js';
import { registerListeners } from '../slack/listeners.js';
import { slackClientOptions } from './slack-web-client.js';

/**
 * The Bolt app for a long-running process: Socket Mode when an app-level token is configured (no public URL
 * needed), else the HTTP receiver on PORT verifying the signing secret.
 */
export function createLocalSlackApp(config: Config, deps: ListenerDeps): App {
  const { botToken, appToken, signingSecret } = config.slack;
  if (!botToken) throw new ConfigError(['SLACK_BOT_TOKEN: expected a bot token starting with xoxb-']);
  const common = {
    token: botToken,
    clientOptions: slackClientOptions(config.slackApiUrl),
    extendedErrorHandler: true,
    logLevel: LogLevel.WARN,
  } as const;
  const app = appToken
    ? new App({ ...common, appToken, socketMode: true })
    : new App({
        ...common,
        receiver: new GatedHTTPReceiver({
          signingSecret: signingSecret ?? '',
          port: config.port,
          endpoint: '/slack/events',
          logLevel: LogLevel.WARN,
          log: deps.log,
        }),
      });
  registerListeners(app, deps);
  return app;
}
