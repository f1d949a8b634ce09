import { LogLevel, WebClient } from '@slack/web-api';
import type { WebClientOptions } from '@slack/web-api';

/**
 * Web API client options with retries turned off: `SlackSender` owns the retry policy (the library's default
 * retries for about 30 minutes, which a Lambda must never sleep through).
 */
export function slackClientOptions(slackApiUrl: string | undefined): WebClientOptions {
  return {
    ...(slackApiUrl && { slackApiUrl }),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    logLevel: LogLevel.ERROR,
  };
}

export function createSlackWebClient(token: string, slackApiUrl: string | undefined): WebClient {
  return new WebClient(token, slackClientOptions(slackApiUrl));
}
