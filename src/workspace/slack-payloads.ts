/**
 * The requests Slack sends an app, shaped as Slack sends them (slash command form fields, block_actions,
 * view_submission, view_closed, Events API callbacks), for the local workspace to post to the bot.
 */
import type { LocalUser } from './local-users.js';
import type { PostedMessage, StoredView } from './slack-web-api.js';

export const LOCAL_TEAM = { id: 'T0LOCAL01', domain: 'local' } as const;
export const LOCAL_APP_ID = 'A0CSPMBOT';
const LEGACY_TOKEN = 'local-verification-token';

const slackUser = (user: LocalUser) => ({
  id: user.id,
  username: user.name,
  name: user.name,
  team_id: LOCAL_TEAM.id,
});

const channelName = (channel: string) => channel.replace(/^#/, '');

/** Slack's `<seconds>.<micros>` timestamp for now. */
export function slackTimestamp(nowMs = Date.now()): string {
  return `${Math.floor(nowMs / 1000)}.${String((nowMs % 1000) * 1000).padStart(6, '0')}`;
}

export function slashCommandForm(input: {
  user: LocalUser;
  channel: string;
  command: string;
  text: string;
  responseUrl: string;
  triggerId: string;
}): string {
  return new URLSearchParams({
    token: LEGACY_TOKEN,
    team_id: LOCAL_TEAM.id,
    team_domain: LOCAL_TEAM.domain,
    channel_id: input.channel,
    channel_name: channelName(input.channel),
    user_id: input.user.id,
    user_name: input.user.name,
    command: input.command,
    text: input.text,
    api_app_id: LOCAL_APP_ID,
    is_enterprise_install: 'false',
    response_url: input.responseUrl,
    trigger_id: input.triggerId,
  }).toString();
}

/** One element's action as Slack reports it in `actions[]` (the page sends what the person clicked or chose). */
export interface ClickedAction {
  readonly type: string;
  readonly action_id: string;
  readonly block_id: string;
  readonly value?: string;
  readonly text?: unknown;
  readonly style?: string;
  readonly selected_option?: unknown;
  readonly selected_date?: string;
}

/** A view as Slack includes it in payloads: the app's view plus ids, hash and the current input state. */
export function payloadView(stored: StoredView, values: Record<string, unknown>, rootViewId?: string) {
  return {
    ...stored.view,
    id: stored.id,
    team_id: LOCAL_TEAM.id,
    type: stored.type,
    private_metadata: stored.view['private_metadata'] ?? '',
    callback_id: stored.view['callback_id'] ?? '',
    state: { values },
    hash: stored.hash,
    clear_on_close: stored.view['clear_on_close'] ?? false,
    notify_on_close: stored.view['notify_on_close'] ?? false,
    root_view_id: rootViewId ?? stored.id,
    previous_view_id: null,
    app_id: LOCAL_APP_ID,
    external_id: stored.view['external_id'] ?? '',
    app_installed_team_id: LOCAL_TEAM.id,
    bot_id: 'B0BOT0001',
  };
}

function envelope(user: LocalUser, triggerId: string) {
  return {
    user: slackUser(user),
    api_app_id: LOCAL_APP_ID,
    token: LEGACY_TOKEN,
    trigger_id: triggerId,
    team: LOCAL_TEAM,
    enterprise: null,
    is_enterprise_install: false,
  };
}

/** A click on a message (or an ephemeral): container, channel, message and response_url as Slack sends them. */
export function messageActionPayload(input: {
  user: LocalUser;
  triggerId: string;
  responseUrl: string;
  channel: string;
  message: PostedMessage | undefined;
  messageTs: string;
  isEphemeral: boolean;
  action: ClickedAction;
}) {
  return {
    type: 'block_actions',
    ...envelope(input.user, input.triggerId),
    container: {
      type: 'message',
      message_ts: input.messageTs,
      channel_id: input.channel,
      is_ephemeral: input.isEphemeral,
    },
    channel: { id: input.channel, name: channelName(input.channel) },
    ...(input.message && {
      message: {
        type: 'message',
        subtype: 'bot_message',
        bot_id: 'B0BOT0001',
        app_id: LOCAL_APP_ID,
        ts: input.message.ts,
        text: input.message.text,
        blocks: input.message.blocks,
        ...(input.message.threadTs && { thread_ts: input.message.threadTs }),
      },
    }),
    state: { values: {} },
    response_url: input.responseUrl,
    actions: [{ ...input.action, action_ts: slackTimestamp() }],
  };
}

/** A click inside a modal or the Home tab: the container is the view, and no response_url. */
export function viewActionPayload(input: {
  user: LocalUser;
  triggerId: string;
  view: StoredView;
  values: Record<string, unknown>;
  action: ClickedAction;
}) {
  return {
    type: 'block_actions',
    ...envelope(input.user, input.triggerId),
    container: { type: 'view', view_id: input.view.id },
    view: payloadView(input.view, input.values),
    state: { values: input.values },
    actions: [{ ...input.action, action_ts: slackTimestamp() }],
  };
}

export function viewSubmissionPayload(input: {
  user: LocalUser;
  triggerId: string;
  view: StoredView;
  values: Record<string, unknown>;
  rootViewId: string;
}) {
  return {
    type: 'view_submission',
    ...envelope(input.user, input.triggerId),
    view: payloadView(input.view, input.values, input.rootViewId),
    response_urls: [],
  };
}

export function viewClosedPayload(input: { user: LocalUser; view: StoredView; rootViewId: string }) {
  const { trigger_id: _trigger, ...rest } = envelope(input.user, '');
  return {
    type: 'view_closed',
    ...rest,
    view: payloadView(input.view, {}, input.rootViewId),
    is_cleared: false,
  };
}

/** `payload=<json>`, the form body Slack posts interactions with. */
export function interactionForm(payload: unknown): string {
  return `payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

/** The Events API callback for a person opening the bot's Home tab. */
export function appHomeOpenedCallback(
  user: LocalUser,
  eventId: string,
  homeViewId: string | undefined,
): string {
  const eventTs = slackTimestamp();
  return JSON.stringify({
    token: LEGACY_TOKEN,
    team_id: LOCAL_TEAM.id,
    api_app_id: LOCAL_APP_ID,
    event: {
      type: 'app_home_opened',
      user: user.id,
      channel: 'D0LOCALDM1',
      tab: 'home',
      event_ts: eventTs,
      ...(homeViewId && { view: { id: homeViewId, type: 'home' } }),
    },
    type: 'event_callback',
    event_id: eventId,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [
      {
        enterprise_id: null,
        team_id: LOCAL_TEAM.id,
        user_id: 'U0BOT0001',
        is_bot: true,
        is_enterprise_install: false,
      },
    ],
    is_ext_shared_channel: false,
  });
}
