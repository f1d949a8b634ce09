import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedCall {
  readonly method: string;
  readonly body: Record<string, unknown>;
}

/** A scripted reply for the next call of a method: Slack's body and, for 429, a Retry-After. */
export interface ScriptedReply {
  readonly status?: number;
  readonly headers?: Record<string, string>;
  readonly body: Record<string, unknown>;
}

const JSON_FIELDS = new Set(['blocks', 'attachments', 'view', 'metadata']);

/** Form-encoded Web API calls carry JSON in some fields (blocks, attachments): decode those back. */
function decodeForm(raw: string): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    body[key] = JSON_FIELDS.has(key) ? safeJson(value) : value;
  }
  return body;
}

function safeJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

async function readBody(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks).toString('utf8');
  if (raw === '') return {};
  if ((request.url ?? '').includes('/upload/')) return { bytes: Buffer.concat(chunks) };
  return (request.headers['content-type'] ?? '').includes('application/json') ? (JSON.parse(raw) as Record<string, unknown>) : decodeForm(raw);
}

/**
 * A fake Slack Web API on 127.0.0.1: records every call, answers like Slack (ok, ts, channel), and replays
 * scripted failures (429 with Retry-After, platform errors) for the next calls of a method.
 */
export class FakeSlackApi {
  readonly calls: RecordedCall[] = [];
  private readonly scripts = new Map<string, ScriptedReply[]>();
  private server: Server | undefined;
  private tsCounter = 0;

  /** The `slackApiUrl` to give the WebClient / Bolt App. */
  url = '';

  async start(): Promise<this> {
    this.server = createServer((request, response) => void this.handle(request, response));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', () => resolve()));
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}/api/`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  reset(): void {
    this.calls.length = 0;
    this.scripts.clear();
  }

  /** Queue replies for the next calls of `method`, in order; later calls get the default answer. */
  script(method: string, ...replies: ScriptedReply[]): void {
    this.scripts.set(method, [...(this.scripts.get(method) ?? []), ...replies]);
  }

  callsOf(method: string): RecordedCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const method = (request.url ?? '').replace(/^\/api\//, '').split('?')[0] ?? '';
    const body = await readBody(request);
    this.calls.push({ method, body });
    const scripted = this.scripts.get(method)?.shift();
    const reply = scripted ?? { body: this.defaultAnswer(method, body) };
    response.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers });
    response.end(JSON.stringify(reply.body));
  }

  private defaultAnswer(method: string, body: Record<string, unknown>): Record<string, unknown> {
    switch (method) {
      case 'auth.test':
        return { ok: true, url: 'https://example.slack.com/', team: 'Example', user: 'cspm-bot', team_id: 'T0TEAM001', user_id: 'U0BOT0001', bot_id: 'B0BOT0001' };
      case 'chat.postMessage':
        this.tsCounter += 1;
        return { ok: true, channel: body['channel'], ts: `1763805600.${String(this.tsCounter).padStart(6, '0')}`, message: { text: body['text'] } };
      case 'chat.update':
        return { ok: true, channel: body['channel'], ts: body['ts'], text: body['text'] };
      case 'chat.postEphemeral':
        return { ok: true, message_ts: '1763805600.999999' };
      case 'views.open':
      case 'views.update':
      case 'views.push':
        return { ok: true, view: { id: typeof body['view_id'] === 'string' ? body['view_id'] : `V0VIEW${String(this.calls.length).padStart(4, '0')}`, ...(typeof body['view'] === 'object' ? (body['view'] as object) : {}) } };
      case 'files.getUploadURLExternal':
        return { ok: true, upload_url: `${this.url}upload/F0FILE${String(this.calls.length).padStart(4, '0')}`, file_id: `F0FILE${String(this.calls.length).padStart(4, '0')}` };
      case 'files.completeUploadExternal':
        return { ok: true, files: [{ id: 'F0FILE0001', title: body['files'] ? 'uploaded' : '' }] };
      case 'users.info':
        return { ok: true, user: { id: body['user'], name: String(body['user']).toLowerCase(), real_name: `Real ${String(body['user'])}`, profile: { display_name: body['user'] === 'U0ALICE01' ? 'alice' : '' } } };
      case 'chat.getPermalink':
        return { ok: true, channel: body['channel'], permalink: `https://example.slack.com/archives/${String(body['channel'])}/p${String(body['message_ts']).replace('.', '')}` };
      default:
        return { ok: true };
    }
  }
}
