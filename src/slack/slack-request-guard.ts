import { createHmac, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';

/** Slack rejects requests older than 5 minutes; so do we, in both directions (a clock ahead is as suspect). */
const MAX_CLOCK_SKEW_SECONDS = 5 * 60;

/** The content types Slack posts with, as Bolt's receivers expect them (no parameters such as charset). */
export type SlackContentType = 'application/x-www-form-urlencoded' | 'application/json';

/**
 * What to do with a request on the Slack endpoint. Only `verified` goes on to Bolt: `unverified` is answered 401
 * before a byte of the body is parsed, `malformed` (signed by Slack, but not a request we can read) 400.
 */
export type SlackRequestCheck =
  | { readonly kind: 'verified'; readonly text: string; readonly contentType: SlackContentType }
  | { readonly kind: 'unverified'; readonly reason: string }
  | { readonly kind: 'malformed'; readonly reason: string }
  | { readonly kind: 'wrong-method'; readonly method: string };

export interface SlackRequest {
  readonly method: string;
  /** A header by lower-case name; undefined when absent or repeated. */
  readonly header: (name: string) => string | undefined;
  /** The body exactly as received (the signature covers these bytes), or undefined when it could not be decoded. */
  readonly rawBody: Buffer | undefined;
}

export function statusFor(check: Exclude<SlackRequestCheck, { kind: 'verified' }>): 400 | 401 | 405 {
  switch (check.kind) {
    case 'unverified':
      return 401;
    case 'malformed':
      return 400;
    case 'wrong-method':
      return 405;
  }
}

/** Slack's v0 signature: HMAC-SHA256 over `v0:<timestamp>:<body bytes>`, compared in constant time. */
function verifySignature(
  signingSecret: string,
  request: SlackRequest,
  nowSeconds: number,
): string | undefined {
  const timestamp = request.header('x-slack-request-timestamp');
  const signature = request.header('x-slack-signature');
  if (timestamp === undefined || signature === undefined)
    return 'missing X-Slack-Signature or X-Slack-Request-Timestamp';
  if (!/^\d{1,12}$/.test(timestamp)) return 'timestamp is not a number of seconds';
  if (Math.abs(nowSeconds - Number(timestamp)) > MAX_CLOCK_SKEW_SECONDS)
    return 'timestamp outside the 5-minute window';
  const match = /^v0=([0-9a-f]{64})$/.exec(signature);
  if (!match?.[1]) return 'signature is not a v0 HMAC';
  if (request.rawBody === undefined) return 'body could not be decoded';
  const expected = createHmac('sha256', signingSecret)
    .update(`v0:${timestamp}:`)
    .update(request.rawBody)
    .digest();
  return timingSafeEqual(expected, Buffer.from(match[1], 'hex')) ? undefined : 'signature does not match';
}

// Just enough shape for Bolt to route the request without tripping over a missing field; Slack's fields pass through.
const interactionPayload = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('block_actions'),
    user: z.object({ id: z.string() }),
    actions: z.array(z.object({ action_id: z.string() })).min(1),
  }),
  z.object({
    type: z.enum(['view_submission', 'view_closed']),
    user: z.object({ id: z.string() }),
    view: z.object({ callback_id: z.string() }),
  }),
  z.object({
    type: z.enum(['shortcut', 'message_action']),
    user: z.object({ id: z.string() }),
    callback_id: z.string(),
  }),
  z.object({
    type: z.literal('block_suggestion'),
    user: z.object({ id: z.string() }),
    action_id: z.string(),
  }),
]);
const eventsApiBody = z.discriminatedUnion('type', [
  z.object({ type: z.literal('url_verification'), challenge: z.string() }),
  z.object({ type: z.literal('event_callback'), event: z.object({ type: z.string() }) }),
  z.object({ type: z.literal('app_rate_limited') }),
]);
const slashCommand = z.object({
  command: z.string().startsWith('/'),
  user_id: z.string(),
  text: z.string().optional(),
});

function parsedJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Whether a signed body is something Bolt can route; the reason is for the log, never echoed to the caller. */
function readBody(text: string, contentType: SlackContentType): string | undefined {
  if (contentType === 'application/json') {
    return eventsApiBody.safeParse(parsedJson(text)).success
      ? undefined
      : 'JSON body is not an Events API request';
  }
  const form = new URLSearchParams(text);
  if (form.getAll('payload').length > 1) return 'more than one payload field';
  const payload = form.get('payload');
  if (payload !== null) {
    return interactionPayload.safeParse(parsedJson(payload)).success
      ? undefined
      : 'payload is not an interaction Slack sends';
  }
  if (form.get('ssl_check') === '1') return undefined;
  return slashCommand.safeParse(Object.fromEntries(form)).success
    ? undefined
    : 'form body is neither a payload nor a slash command';
}

function contentTypeOf(header: string | undefined): SlackContentType | undefined {
  const mediaType = header?.split(';')[0]?.trim().toLowerCase();
  return mediaType === 'application/x-www-form-urlencoded' || mediaType === 'application/json'
    ? mediaType
    : undefined;
}

/**
 * Verifies a request on the Slack endpoint before anything reads its body, then checks it is a request Bolt can
 * route. Bolt's Lambda receiver parses first (an unsigned junk body became a 500) and its HTTP receiver crashes the
 * process on a signed `payload=null`: both receivers run this first.
 */
export function checkSlackRequest(
  signingSecret: string,
  request: SlackRequest,
  nowSeconds: number,
): SlackRequestCheck {
  const unverified = verifySignature(signingSecret, request, nowSeconds);
  if (unverified !== undefined || request.rawBody === undefined)
    return { kind: 'unverified', reason: unverified ?? 'no body' };
  if (request.method.toUpperCase() !== 'POST') return { kind: 'wrong-method', method: request.method };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(request.rawBody);
  } catch {
    return { kind: 'malformed', reason: 'body is not UTF-8' };
  }
  const contentType = contentTypeOf(request.header('content-type'));
  if (!contentType) return { kind: 'malformed', reason: 'content type is neither form nor JSON' };
  const malformed = readBody(text, contentType);
  return malformed === undefined
    ? { kind: 'verified', text, contentType }
    : { kind: 'malformed', reason: malformed };
}
