import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

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

/**
 * A way a call can go wrong:
 * - `hang`: never answer (the socket stays open until the client gives up or `stop()`).
 * - `drop-after-accept`: handle the call as Slack would (a post IS recorded) and then destroy the socket unanswered.
 * - `rate-limited`: 429 with Retry-After.
 * - `server-error`: an HTTP 5xx (nothing recorded).
 * - `slack-error`: HTTP 200 with `ok: false` and Slack's error, e.g. `channel_not_found`, `is_archived`.
 */
export type SlackFault =
  | { readonly kind: 'hang' }
  | { readonly kind: 'drop-after-accept' }
  | { readonly kind: 'rate-limited'; readonly retryAfterSeconds: number }
  | { readonly kind: 'server-error'; readonly status?: number }
  | { readonly kind: 'slack-error'; readonly error: string };

/** A message the fake accepted, as `conversations.history` serves it back. */
export interface PostedMessage {
  readonly ts: string;
  readonly channel: string;
  text: unknown;
  blocks: unknown;
  readonly threadTs?: string;
  readonly metadata?: unknown;
}

interface FaultRule {
  readonly method: string;
  readonly channel: string | undefined;
  readonly fault: SlackFault;
  remaining: number;
}

/** 2025-11-22T10:00:00Z, the ts other tests expect of the first post. */
const DEFAULT_NOW_SECONDS = 1763805600;

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
 * A fake Slack Web API on 127.0.0.1: records every call, answers like Slack (ok, ts, channel), keeps the messages it
 * accepted (served back by `conversations.history`), replays scripted replies for the next calls of a method, and
 * injects faults (hang, drop after accepting, 429, 5xx, Slack errors) per method and channel.
 */
export class FakeSlackApi {
  readonly calls: RecordedCall[] = [];
  /** Top-level messages and thread replies, in the order they were posted. */
  readonly messages: PostedMessage[] = [];
  private readonly scripts = new Map<string, ScriptedReply[]>();
  private readonly faults: FaultRule[] = [];
  private readonly sockets = new Set<Socket>();
  private server: Server | undefined;
  private tsCounter = 0;
  /** Slack's clock, in whole seconds: message ts are `<seconds>.<counter>`. */
  private nowSeconds = DEFAULT_NOW_SECONDS;

  /** The `slackApiUrl` to give the WebClient / Bolt App. */
  url = '';

  async start(): Promise<this> {
    this.server = createServer((request, response) => void this.handle(request, response));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', () => resolve()));
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}/api/`;
    return this;
  }

  /** Closes every connection too, hung ones included, so a test never waits on a socket it left open. */
  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Set Slack's clock (ISO time): later messages get ts from then on, as `conversations.history` windows expect. */
  setTime(iso: string): void {
    this.nowSeconds = Math.floor(Date.parse(iso) / 1000);
  }

  reset(): void {
    this.calls.length = 0;
    this.messages.length = 0;
    this.scripts.clear();
    this.faults.length = 0;
    this.nowSeconds = DEFAULT_NOW_SECONDS;
  }

  /**
   * Make the next `times` calls of `method` (only those to `channel`, when given) fail with `fault`; `times` defaults
   * to 1, `Infinity` keeps failing. The earliest matching rule applies first; scripted replies take precedence.
   */
  fail(method: string, fault: SlackFault, options: { channel?: string; times?: number } = {}): void {
    this.faults.push({ method, channel: options.channel, fault, remaining: options.times ?? 1 });
  }

  /** Stop failing (every rule, or those of one method). */
  heal(method?: string): void {
    for (let index = this.faults.length - 1; index >= 0; index -= 1) {
      if (method === undefined || this.faults[index]!.method === method) this.faults.splice(index, 1);
    }
  }

  /** `count` messages by people in `channel`, stamped now: chatter a history search must page through. */
  seedChatter(channel: string, count: number): void {
    for (let index = 0; index < count; index += 1) {
      this.tsCounter += 1;
      this.messages.push({ ts: `${this.nowSeconds}.${String(this.tsCounter).padStart(6, '0')}`, channel, text: `chatter ${index}`, blocks: undefined });
    }
  }

  /** Top-level messages the fake holds in a channel (thread replies excluded), oldest first. */
  messagesIn(channel: string): PostedMessage[] {
    return this.messages.filter((message) => message.channel === channel && message.threadTs === undefined);
  }

  /** Queue replies for the next calls of `method`, in order; later calls get the default answer. */
  script(method: string, ...replies: ScriptedReply[]): void {
    this.scripts.set(method, [...(this.scripts.get(method) ?? []), ...replies]);
  }

  callsOf(method: string): RecordedCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  private takeFault(method: string, body: Record<string, unknown>): SlackFault | undefined {
    const rule = this.faults.find(
      (candidate) => candidate.method === method && candidate.remaining > 0 && (candidate.channel === undefined || candidate.channel === body['channel']),
    );
    if (!rule) return undefined;
    rule.remaining -= 1;
    return rule.fault;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const method = (request.url ?? '').replace(/^\/api\//, '').split('?')[0] ?? '';
    const body = await readBody(request);
    this.calls.push({ method, body });
    const scripted = this.scripts.get(method)?.shift();
    const fault = scripted ? undefined : this.takeFault(method, body);
    const reply = scripted ?? this.faultReply(fault) ?? { body: this.defaultAnswer(method, body) };
    if (fault?.kind === 'hang') return;
    if (fault?.kind === 'drop-after-accept') {
      request.socket.destroy();
      return;
    }
    response.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers });
    response.end(JSON.stringify(reply.body));
  }

  /** The reply a fault sends, or undefined when the call is handled normally first (drop after accept). */
  private faultReply(fault: SlackFault | undefined): ScriptedReply | undefined {
    switch (fault?.kind) {
      case 'hang':
        return { body: {} };
      case 'rate-limited':
        return { status: 429, headers: { 'retry-after': String(fault.retryAfterSeconds) }, body: { ok: false, error: 'ratelimited' } };
      case 'server-error':
        return { status: fault.status ?? 500, body: { ok: false, error: 'internal_error' } };
      case 'slack-error':
        return { body: { ok: false, error: fault.error } };
      default:
        return undefined;
    }
  }

  /** Newest first from `latest` down to `oldest` (exclusive, as Slack does by default), cursor-paged. */
  private history(body: Record<string, unknown>): Record<string, unknown> {
    const channel = String(body['channel']);
    const oldest = Number(body['oldest'] ?? 0);
    const latest = body['latest'] === undefined ? Infinity : Number(body['latest']);
    const limit = Number(body['limit'] ?? 100);
    const offset = Number(body['cursor'] ?? 0);
    const withMetadata = body['include_all_metadata'] === 'true' || body['include_all_metadata'] === true;
    const inWindow = this.messagesIn(channel)
      .filter((message) => Number(message.ts) > oldest && Number(message.ts) < latest)
      .reverse();
    const page = inWindow.slice(offset, offset + limit);
    const hasMore = offset + limit < inWindow.length;
    return {
      ok: true,
      messages: page.map((message) => ({
        type: 'message',
        subtype: 'bot_message',
        bot_id: 'B0BOT0001',
        app_id: 'A0APP0001',
        ts: message.ts,
        text: message.text,
        blocks: message.blocks,
        ...(withMetadata && message.metadata !== undefined && { metadata: message.metadata }),
      })),
      has_more: hasMore,
      pin_count: 0,
      ...(hasMore && { response_metadata: { next_cursor: String(offset + limit) } }),
    };
  }

  private defaultAnswer(method: string, body: Record<string, unknown>): Record<string, unknown> {
    switch (method) {
      case 'auth.test':
        return { ok: true, url: 'https://example.slack.com/', team: 'Example', user: 'cspm-bot', team_id: 'T0TEAM001', user_id: 'U0BOT0001', bot_id: 'B0BOT0001' };
      case 'chat.postMessage': {
        this.tsCounter += 1;
        const ts = `${this.nowSeconds}.${String(this.tsCounter).padStart(6, '0')}`;
        const channel = String(body['channel']);
        this.messages.push({
          ts,
          channel,
          text: body['text'],
          blocks: body['blocks'],
          ...(typeof body['thread_ts'] === 'string' && { threadTs: body['thread_ts'] }),
          ...(body['metadata'] !== undefined && { metadata: body['metadata'] }),
        });
        return { ok: true, channel, ts, message: { text: body['text'] } };
      }
      case 'chat.update': {
        const stored = this.messages.find((message) => message.channel === body['channel'] && message.ts === body['ts']);
        if (stored) {
          stored.text = body['text'];
          stored.blocks = body['blocks'];
        }
        return { ok: true, channel: body['channel'], ts: body['ts'], text: body['text'] };
      }
      case 'conversations.history':
        return this.history(body);
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
