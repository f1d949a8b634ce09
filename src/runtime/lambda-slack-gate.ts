import type { AwsEvent, AwsHandler, AwsResponse } from '@slack/bolt/dist/receivers/AwsLambdaReceiver.js';
import { checkSlackRequest, statusFor } from '../slack/slack-request-guard.js';
import type { Log } from '../usecases/ports.js';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The body bytes as the caller sent them, or undefined when "base64" is not (Buffer.from would skip bad characters). */
function rawBodyOf(event: AwsEvent): Buffer | undefined {
  const body = event.body ?? '';
  if (!event.isBase64Encoded) return Buffer.from(body, 'utf8');
  return BASE64.test(body) ? Buffer.from(body, 'base64') : undefined;
}

function methodOf(event: AwsEvent): string {
  if ('httpMethod' in event) return event.httpMethod;
  const http = (event.requestContext as { http?: { method?: unknown } } | undefined)?.http;
  return typeof http?.method === 'string' ? http.method : '';
}

function headerOf(event: AwsEvent, name: string): string | undefined {
  const key = Object.keys(event.headers ?? {}).find((candidate) => candidate.toLowerCase() === name);
  return key === undefined ? undefined : event.headers[key];
}

/**
 * Answers 401 to every request Slack did not sign and 400 to a signed one Bolt cannot read, before Bolt sees it.
 * What passes reaches Bolt as plain UTF-8 text with a bare content type: Bolt decodes base64 as ASCII (which breaks
 * the signature of a non-ASCII JSON event) and only recognises the form type without parameters.
 */
export function gateSlackEvents(
  signingSecret: string,
  bolt: AwsHandler,
  log: Log,
  nowSeconds = () => Math.floor(Date.now() / 1000),
): AwsHandler {
  return async (event: AwsEvent, context: unknown): Promise<AwsResponse> => {
    const check = checkSlackRequest(
      signingSecret,
      { method: methodOf(event), header: (name) => headerOf(event, name), rawBody: rawBodyOf(event) },
      nowSeconds(),
    );
    if (check.kind !== 'verified') {
      log.warn('Slack request refused', { status: statusFor(check), ...check });
      return { statusCode: statusFor(check), body: '' };
    }
    const headers = Object.fromEntries(
      Object.entries(event.headers ?? {}).filter(([name]) => name.toLowerCase() !== 'content-type'),
    );
    return bolt(
      {
        ...event,
        headers: { ...headers, 'content-type': check.contentType },
        body: check.text,
        isBase64Encoded: false,
      },
      context,
    );
  };
}
