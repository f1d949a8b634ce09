import { slackSignatureHeaders as signedHeaders } from '../../src/workspace/slack-signature.js';

export const SIGNING_SECRET = 'test-signing-secret-0123456789abcdef';

/** Slack's v0 request signature (the workspace's own signer), with the tests' signing secret by default. */
export function slackSignatureHeaders(
  body: string,
  options: { secret?: string; timestampSeconds?: number } = {},
): Record<string, string> {
  return signedHeaders(body, { ...options, secret: options.secret ?? SIGNING_SECRET });
}

/** A Lambda Function URL (payload v2) event carrying a Slack request, as AWS delivers it. */
export function functionUrlEvent(body: string, headers: Record<string, string>) {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/slack/events',
    rawQueryString: '',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    requestContext: {
      http: {
        method: 'POST',
        path: '/slack/events',
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'Slackbot 1.0',
      },
    },
    body: Buffer.from(body).toString('base64'),
    isBase64Encoded: true,
  };
}

/** A block_actions payload for a button click in a finding message. */
export function buttonClickBody(input: {
  actionId: string;
  value: string;
  user?: string;
  channel?: string;
  responseUrl: string;
}): string {
  const payload = {
    type: 'block_actions',
    user: { id: input.user ?? 'U0ALICE01', username: 'alice', name: 'alice', team_id: 'T0TEAM001' },
    api_app_id: 'A0CSPMBOT',
    token: 'legacy-verification-token',
    container: {
      type: 'message',
      message_ts: '1763805600.000001',
      channel_id: input.channel ?? 'C0PROD0001',
      is_ephemeral: false,
    },
    trigger_id: '1234567890.1234567890.abcdef0123456789',
    team: { id: 'T0TEAM001', domain: 'example' },
    channel: { id: input.channel ?? 'C0PROD0001', name: 'sec-findings' },
    message: { type: 'message', ts: '1763805600.000001', text: 'HIGH EC2.13 …' },
    response_url: input.responseUrl,
    actions: [
      {
        action_id: input.actionId,
        block_id: 'finding.actions',
        value: input.value,
        type: 'button',
        action_ts: '1763805700.123456',
        text: { type: 'plain_text', text: 'Remediate' },
      },
    ],
  };
  return `payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

/** A slash command as Slack posts it. */
export function slashCommandBody(
  text: string,
  options: { user?: string; channel?: string; responseUrl: string },
): string {
  return new URLSearchParams({
    token: 'legacy-verification-token',
    team_id: 'T0TEAM001',
    team_domain: 'example',
    channel_id: options.channel ?? 'C0PROD0001',
    channel_name: 'sec-findings',
    user_id: options.user ?? 'U0ALICE01',
    user_name: 'alice',
    command: '/cspm',
    text,
    api_app_id: 'A0CSPMBOT',
    response_url: options.responseUrl,
    trigger_id: '1234567890.1234567890.abcdef0123456789',
  }).toString();
}

/** A view_submission payload for a modal the bot opened. */
export function viewSubmissionBody(input: {
  callbackId: string;
  viewId: string;
  privateMetadata: string;
  user?: string;
  values?: Record<string, Record<string, unknown>>;
}): string {
  const payload = {
    type: 'view_submission',
    team: { id: 'T0TEAM001', domain: 'example' },
    user: { id: input.user ?? 'U0ALICE01', username: 'alice', name: 'alice', team_id: 'T0TEAM001' },
    api_app_id: 'A0CSPMBOT',
    token: 'legacy-verification-token',
    trigger_id: '1234567890.1234567890.fedcba9876543210',
    view: {
      id: input.viewId,
      team_id: 'T0TEAM001',
      type: 'modal',
      callback_id: input.callbackId,
      private_metadata: input.privateMetadata,
      state: { values: input.values ?? {} },
      hash: '1763805700.abcdef12',
      title: { type: 'plain_text', text: 'Remediate' },
      blocks: [],
    },
    response_urls: [],
  };
  return `payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

/** An Events API callback (e.g. app_home_opened) as Slack posts it. */
export function eventCallbackBody(event: Record<string, unknown>): string {
  return JSON.stringify({
    token: 'legacy-verification-token',
    team_id: 'T0TEAM001',
    api_app_id: 'A0CSPMBOT',
    event,
    type: 'event_callback',
    event_id: 'Ev0HOME0001',
    event_time: 1763805600,
    authorizations: [{ team_id: 'T0TEAM001', user_id: 'U0BOT0001', is_bot: true }],
  });
}
