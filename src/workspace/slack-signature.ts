import { createHmac } from 'node:crypto';

/** Slack's v0 request signature over `v0:<timestamp>:<body>` with the app's signing secret, as request headers. */
export function slackSignatureHeaders(
  body: string,
  options: { secret: string; timestampSeconds?: number },
): Record<string, string> {
  const timestamp = String(options.timestampSeconds ?? Math.floor(Date.now() / 1000));
  const signature = createHmac('sha256', options.secret).update(`v0:${timestamp}:${body}`).digest('hex');
  return { 'x-slack-request-timestamp': timestamp, 'x-slack-signature': `v0=${signature}` };
}
