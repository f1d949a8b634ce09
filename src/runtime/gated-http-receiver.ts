import type { IncomingMessage, ServerResponse } from 'node:http';
import { HTTPReceiver } from '@slack/bolt';
import type { HTTPReceiverOptions } from '@slack/bolt';
import { checkSlackRequest, statusFor } from '../slack/slack-request-guard.js';
import type { Log } from '../usecases/ports.js';

/** Slack's own limit on a request is far below this; the cap only keeps a flood out of memory. */
const MAX_BODY_BYTES = 1024 * 1024;

async function readBody(request: IncomingMessage): Promise<Buffer | 'too-large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return 'too-large';
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function singleHeader(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' ? value : undefined;
}

/**
 * Bolt's HTTP receiver with the same gate as the Lambda: on the Slack endpoint, 401 for any request Slack did not
 * sign (any method) and 400 for a signed one Bolt cannot read (a signed `payload=null` otherwise ends the process
 * with an unhandled rejection). What passes goes to Bolt with its body already read.
 */
export class GatedHTTPReceiver extends HTTPReceiver {
  constructor(
    options: HTTPReceiverOptions & {
      readonly signingSecret: string;
      readonly endpoint: string;
      readonly log: Log;
    },
  ) {
    const { endpoint, log, ...boltOptions } = options;
    super({ ...boltOptions, endpoints: endpoint });
    const bolt = this.requestListener;
    this.requestListener = (request, response) => {
      if (new URL(request.url ?? '/', 'http://localhost').pathname !== endpoint)
        return bolt(request, response);
      void gate(request, response).catch((error: unknown) => {
        log.error('Slack request failed before Bolt', { error });
        if (!response.headersSent) response.writeHead(500).end();
      });
    };
    const gate = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
      const rawBody = await readBody(request);
      if (rawBody === 'too-large') {
        response.writeHead(413).end();
        return;
      }
      const check = checkSlackRequest(
        options.signingSecret,
        { method: request.method ?? '', header: (name) => singleHeader(request, name), rawBody },
        Math.floor(Date.now() / 1000),
      );
      if (check.kind !== 'verified') {
        log.warn('Slack request refused', { status: statusFor(check), ...check });
        response.writeHead(statusFor(check)).end();
        return;
      }
      // Bolt reads a body already buffered on the request (its BufferedIncomingMessage) instead of the stream.
      Object.assign(request, { rawBody });
      request.headers['content-type'] = check.contentType;
      bolt(request, response);
    };
  }
}
