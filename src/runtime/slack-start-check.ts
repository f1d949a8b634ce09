import { ErrorCode, WebClient } from '@slack/web-api';
import { slackClientOptions } from './slack-web-client.js';

/** Whether `npm start` can talk to Slack with the configured bot token, before anything else is started. */
export type SlackStartCheck =
  | { readonly kind: 'connected'; readonly team: string; readonly botUserId: string }
  /** `line` is the one line `npm start` prints before exiting: what failed and what to do. */
  | { readonly kind: 'refused'; readonly line: string };

const SLACK_API = 'https://slack.com/api/';

// Slack's answers to a token it will not accept (auth.test documents these; the others are the token's workspace).
const TOKEN_ERRORS = new Set([
  'invalid_auth',
  'not_authed',
  'token_revoked',
  'token_expired',
  'account_inactive',
  'team_disabled',
  'no_permission',
  // A bot token where the app-level one belongs, or the reverse.
  'not_allowed_token_type',
]);

/** Which token a refusal is about: the two are set, and fixed, in different places. */
export type SlackToken = 'bot' | 'app';

function refusedTokenLine(token: SlackToken, slackError: string): string {
  return token === 'bot'
    ? `cspm-bot: Slack refused the bot token (${slackError}): check SLACK_BOT_TOKEN (the Bot User OAuth Token, ` +
        'xoxb-…, from the Slack app settings → OAuth & Permissions)'
    : `cspm-bot: Slack refused the app-level token (${slackError}): check SLACK_APP_TOKEN (xapp-…, from Basic ` +
        'Information → App-Level Tokens, with the connections:write scope)';
}

/**
 * Calls `auth.test` with the bot token and, for Socket Mode, `apps.connections.open` with the app-level token (the
 * WebSocket URL it returns is left unused). A token Slack refuses or a Slack that cannot be reached ends the start
 * with one line instead of a stack trace later (Bolt verifies the tokens in the background and only logs a refusal).
 */
export async function checkSlackConnection(
  client: WebClient,
  slackApiUrl: string | undefined,
  appToken?: string,
): Promise<SlackStartCheck> {
  const url = slackApiUrl ?? SLACK_API;
  let connected: SlackStartCheck;
  try {
    const result = await client.auth.test();
    connected = {
      kind: 'connected',
      team: result.team ?? 'unknown team',
      botUserId: result.user_id ?? 'unknown user',
    };
  } catch (error) {
    return { kind: 'refused', line: slackStartFailureLine(error, url, 'bot') };
  }
  if (appToken === undefined) return connected;
  try {
    await new WebClient(appToken, slackClientOptions(slackApiUrl)).apps.connections.open();
    return connected;
  } catch (error) {
    return { kind: 'refused', line: slackStartFailureLine(error, url, 'app') };
  }
}

/** The one line for a failed start-up call to Slack (with `token`), or a Bolt app that would not start. */
export function slackStartFailureLine(
  error: unknown,
  slackApiUrl: string,
  token: SlackToken = 'bot',
): string {
  if (typeof error !== 'object' || error === null)
    return `cspm-bot: the Slack app did not start (${String(error)})`;
  const code = 'code' in error ? error.code : undefined;
  if (code === ErrorCode.PlatformError) {
    const slackError = platformErrorOf(error);
    if (TOKEN_ERRORS.has(slackError)) return refusedTokenLine(token, slackError);
    const variable = token === 'bot' ? 'SLACK_BOT_TOKEN' : 'SLACK_APP_TOKEN';
    return `cspm-bot: Slack answered ${slackError}: check ${variable} and the Slack app's settings`;
  }
  if (code === ErrorCode.RequestError) {
    return (
      `cspm-bot: cannot reach Slack at ${slackApiUrl} (${networkReasonOf(error)}): check the network, a proxy, ` +
      'or CSPM_SLACK_API_URL'
    );
  }
  if (code === ErrorCode.HTTPError && 'statusCode' in error) {
    return `cspm-bot: Slack at ${slackApiUrl} answered HTTP ${String(error.statusCode)}: try again in a minute (status.slack.com)`;
  }
  if (code === ErrorCode.RateLimitedError) {
    return 'cspm-bot: Slack rate-limited the start-up check: wait a minute and run npm start again';
  }
  if (code === 'EADDRINUSE') {
    return 'cspm-bot: the port for Slack requests is already in use: stop the other process or set PORT';
  }
  const message = error instanceof Error ? error.message : String(error);
  return `cspm-bot: the Slack app did not start (${firstLineOf(message)}): check SLACK_BOT_TOKEN, SLACK_APP_TOKEN and SLACK_SIGNING_SECRET`;
}

function platformErrorOf(error: object): string {
  const data = 'data' in error ? error.data : undefined;
  const slackError = typeof data === 'object' && data !== null && 'error' in data ? data.error : undefined;
  return typeof slackError === 'string' ? slackError : 'an error';
}

/** ECONNREFUSED, ENOTFOUND, a timeout…: the cause under the Web API's request error (fetch nests it), short. */
function networkReasonOf(error: object): string {
  let deepest = 'no answer';
  let cause: unknown = 'original' in error ? error.original : undefined;
  for (let depth = 0; typeof cause === 'object' && cause !== null && depth < 5; depth += 1) {
    if ('code' in cause && typeof cause.code === 'string' && cause.code !== '') return cause.code;
    if (cause instanceof Error) deepest = firstLineOf(cause.message);
    cause = 'cause' in cause ? cause.cause : undefined;
  }
  return deepest;
}

function firstLineOf(text: string): string {
  return text.split('\n', 1)[0]!.trim();
}
