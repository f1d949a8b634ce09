import { LogLevel, WebClient } from '@slack/web-api';
import type { WebClientOptions } from '@slack/web-api';

/**
 * How long one Web API call may take. Without it a call Slack never answers hangs forever and holds every later
 * post to its channel (the sender's per-channel lane), and Bolt's own calls (views.open, ack replies) hang too.
 */
export const SLACK_CALL_TIMEOUT_MS = 10_000;

/**
 * Web API client options with retries turned off: `SlackSender` owns the retry policy (the library's default
 * retries for about 30 minutes, which a Lambda must never sleep through). Every call times out.
 */
export function slackClientOptions(
  slackApiUrl: string | undefined,
  timeoutMs = SLACK_CALL_TIMEOUT_MS,
): WebClientOptions {
  return {
    ...(slackApiUrl && { slackApiUrl }),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: timeoutMs,
    logLevel: LogLevel.ERROR,
  };
}

export function createSlackWebClient(token: string, slackApiUrl: string | undefined): WebClient {
  return new WebClient(token, slackClientOptions(slackApiUrl));
}
