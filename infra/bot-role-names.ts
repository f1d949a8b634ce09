/**
 * Fixed names of the bot's function roles. A member account's role trusts the ones that assume it by ARN, so the
 * names must be known before the bot is deployed. IAM role names are unique per account, like the
 * `cspm-bot-automation` and `cspm-bot-member` roles already: one bot stack per account.
 */
export const BOT_ROLE_NAMES = {
  slackHandler: 'cspm-bot-slack-handler',
  ingest: 'cspm-bot-ingest',
  sync: 'cspm-bot-sync',
  worker: 'cspm-bot-worker',
} as const;

/** The bot roles that assume the member role: they read findings' resources and remediate in member accounts. */
export const MEMBER_ROLE_CALLERS = [
  BOT_ROLE_NAMES.ingest,
  BOT_ROLE_NAMES.sync,
  BOT_ROLE_NAMES.worker,
] as const;
