import type { Authorize, AuthorizeResult } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';

/** The bot's own ids, which Bolt needs on every request (to ignore the bot's own events, among others). */
export interface BotIdentity {
  readonly botId: string;
  readonly botUserId: string;
}

/**
 * Bolt's `authorize` for one workspace and one bot token. Bolt's built-in one, with token verification off (as a
 * Lambda needs to ack a cold start in time), calls `auth.test` on every request; this one asks once per container,
 * on the first request, and remembers the answer (a failed ask is asked again by the next request). With `known`
 * ids it never asks.
 */
export function cachedBotAuthorization(
  client: WebClient,
  botToken: string,
  known?: BotIdentity,
): Authorize<boolean> {
  let identity: Promise<BotIdentity> | undefined = known && Promise.resolve(known);
  const ask = async (): Promise<BotIdentity> => {
    const answer = await client.auth.test({ token: botToken });
    if (!answer.bot_id || !answer.user_id)
      throw new Error(
        'auth.test did not name the bot (bot_id, user_id): is SLACK_BOT_TOKEN a bot token (xoxb-)?',
      );
    return { botId: answer.bot_id, botUserId: answer.user_id };
  };
  return async ({ isEnterpriseInstall }): Promise<AuthorizeResult> => {
    identity ??= ask().catch((error: unknown) => {
      identity = undefined;
      throw error;
    });
    return { botToken, isEnterpriseInstall, ...(await identity) };
  };
}
