import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { LocalUser } from './local-users.js';
import { LOCAL_USERS, YOU } from './local-users.js';

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

/** A file shared into a message (the digest chart), served by the workspace under `/files/<id>`. */
export interface SharedFile {
  readonly id: string;
  readonly title: string;
  readonly filename: string;
}

/** A message the emulation accepted, as `conversations.history` serves it back. */
export interface PostedMessage {
  readonly ts: string;
  readonly channel: string;
  text: unknown;
  blocks: unknown;
  readonly threadTs?: string;
  readonly metadata?: unknown;
  readonly files?: readonly SharedFile[];
  /** Set when edited with chat.update, as Slack shows "(edited)". */
  edited?: boolean;
}

/** A message only `user` sees (chat.postEphemeral, or an ephemeral answer to a slash command's response_url). */
export interface EphemeralMessage {
  readonly ts: string;
  readonly channel: string;
  readonly user: string;
  readonly text: unknown;
  readonly blocks: unknown;
  readonly threadTs?: string;
}

/** A modal or a Home tab as the bot last set it, with the inline errors of its last rejected submission. */
export interface StoredView {
  readonly id: string;
  readonly user: string;
  readonly type: 'modal' | 'home';
  view: Record<string, unknown>;
  hash: string;
  errors: Record<string, string>;
}

/** Which part of the workspace changed; subscribers (the page's event stream) re-read the state. */
export type WorkspaceChange =
  | { readonly kind: 'message'; readonly channel: string; readonly ts: string }
  | { readonly kind: 'ephemeral'; readonly user: string; readonly channel: string }
  | { readonly kind: 'modal'; readonly user: string }
  | { readonly kind: 'home'; readonly user: string };

/** Where a slash command's or an action's response_url answer goes. */
export interface ResponseTarget {
  readonly channel: string;
  readonly user: string;
  readonly threadTs?: string;
  /** The message the action was on, for `replace_original` / `delete_original`. */
  readonly messageTs?: string;
}

export interface SlackWebApiOptions {
  /**
   * Refuse views.open/push whose trigger_id this emulation did not issue in the last 3 s, as Slack does. Off for
   * tests that post hand-made payloads with a made-up trigger id.
   */
  readonly strictTriggers?: boolean;
  /** Stamp messages with the real time (the workspace), instead of the tests' settable clock. */
  readonly realTime?: boolean;
  readonly users?: readonly LocalUser[];
}

interface FaultRule {
  readonly method: string;
  readonly channel: string | undefined;
  readonly fault: SlackFault;
  remaining: number;
}

/** 2025-11-22T10:00:00Z, the ts other tests expect of the first post. */
const DEFAULT_NOW_SECONDS = 1763805600;

/** Slack's trigger_id expires 3 seconds after the interaction. */
export const TRIGGER_LIFETIME_MS = 3_000;

const JSON_FIELDS = new Set(['blocks', 'attachments', 'view', 'metadata']);

/** Form-encoded Web API calls carry JSON in some fields (blocks, attachments): decode those back. */
function decodeForm(raw: string): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    body[key] = JSON_FIELDS.has(key) ? safeJson(value) : value;
  }
  return body;
}

function safeJson(value: unknown): unknown {
  if (typeof value !== 'string') return value;
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
  return (request.headers['content-type'] ?? '').includes('application/json')
    ? (JSON.parse(raw) as Record<string, unknown>)
    : decodeForm(raw);
}

/** The file inside an upload: the WebClient posts it as the one part of a multipart form. */
function uploadedContent(bytes: Buffer, contentType: string): Buffer {
  const boundary = /^multipart\/form-data;.*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  if (!boundary) return bytes;
  const delimiter = `--${boundary[1] ?? boundary[2]}`;
  const headersEnd = bytes.indexOf('\r\n\r\n', bytes.indexOf(delimiter));
  const end = bytes.indexOf(`\r\n${delimiter}`, headersEnd);
  return headersEnd < 0 || end < 0 ? bytes : bytes.subarray(headersEnd + 4, end);
}

const asRecord = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};

/**
 * The Slack Web API on 127.0.0.1, for the tests and the local workspace alike: records every call, answers like
 * Slack (ok, ts, channel), keeps what the bot posted (channels, threads, ephemerals, files, modals with their stack,
 * each user's Home) and tells subscribers of every change, replays scripted replies for the next calls of a method,
 * and injects faults (hang, drop after accepting, 429, 5xx, Slack errors) per method and channel.
 */
export class SlackWebApi {
  readonly calls: RecordedCall[] = [];
  /** Top-level messages and thread replies, in the order they were posted. */
  readonly messages: PostedMessage[] = [];
  readonly ephemerals: EphemeralMessage[] = [];
  readonly views = new Map<string, StoredView>();
  /** Each user's open modals, bottom first (views.push adds on top). */
  readonly modalStacks = new Map<string, string[]>();
  readonly homes = new Map<string, string>();
  readonly files = new Map<string, SharedFile & { bytes?: Buffer }>();
  readonly users: readonly LocalUser[];
  private readonly triggers = new Map<string, { user: string; expiresAt: number }>();
  private readonly responseUrls = new Map<string, ResponseTarget>();
  private readonly subscribers = new Set<(change: WorkspaceChange) => void>();
  private readonly scripts = new Map<string, ScriptedReply[]>();
  private readonly faults: FaultRule[] = [];
  private readonly sockets = new Set<Socket>();
  private server: Server | undefined;
  private tsCounter = 0;
  private idCounter = 0;
  /** Slack's clock, in whole seconds: message ts are `<seconds>.<counter>`. */
  private nowSeconds = DEFAULT_NOW_SECONDS;
  private readonly strictTriggers: boolean;
  private readonly realTime: boolean;

  /** The `slackApiUrl` to give the WebClient / Bolt App. */
  url = '';

  constructor(options: SlackWebApiOptions = {}) {
    this.strictTriggers = options.strictTriggers ?? false;
    this.realTime = options.realTime ?? false;
    this.users = options.users ?? LOCAL_USERS;
  }

  /** Serve on its own loopback port (the tests); the workspace server mounts `handle` under its /api/ instead. */
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
    this.ephemerals.length = 0;
    this.views.clear();
    this.modalStacks.clear();
    this.homes.clear();
    this.files.clear();
    this.triggers.clear();
    this.responseUrls.clear();
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
      this.messages.push({ ts: this.nextTs(), channel, text: `chatter ${index}`, blocks: undefined });
    }
  }

  /** Top-level messages the emulation holds in a channel (thread replies excluded), oldest first. */
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

  /** Be told of every change to channels, ephemerals, modals and Homes; returns the unsubscribe. */
  subscribe(listener: (change: WorkspaceChange) => void): () => void {
    this.subscribers.add(listener);
    return () => this.subscribers.delete(listener);
  }

  /** A trigger_id for an interaction by `user`, valid for views.open/push during the next 3 seconds. */
  issueTrigger(user: string, nowMs = Date.now()): string {
    const id = `${Math.floor(nowMs / 1000)}.${String(++this.idCounter).padStart(10, '0')}.${randomBytes(16).toString('hex')}`;
    this.triggers.set(id, { user, expiresAt: nowMs + TRIGGER_LIFETIME_MS });
    return id;
  }

  /** A response_url whose answers land in `target` (ephemeral to its user unless `response_type: in_channel`). */
  issueResponseUrl(target: ResponseTarget): string {
    const token = randomBytes(12).toString('hex');
    this.responseUrls.set(token, target);
    return `${this.url}response_url/${token}`;
  }

  /** The modal on top of `user`'s stack, if any. */
  topModal(user: string): StoredView | undefined {
    const stack = this.modalStacks.get(user) ?? [];
    const top = stack[stack.length - 1];
    return top === undefined ? undefined : this.views.get(top);
  }

  /**
   * Apply the bot's answer to a view_submission as Slack does: `errors` shows under the named input blocks and keeps
   * the modal open, `update` replaces it, `push` stacks a new one, `clear` closes them all; no answer closes this one.
   */
  applySubmissionResponse(viewId: string, response: Record<string, unknown>): void {
    const stored = this.views.get(viewId);
    if (!stored) return;
    switch (response['response_action']) {
      case 'errors':
        stored.errors = Object.fromEntries(
          Object.entries(asRecord(response['errors'])).map(([block, message]) => [block, String(message)]),
        );
        break;
      case 'update':
        this.replaceView(stored, asRecord(response['view']));
        break;
      case 'push':
        this.pushModal(stored.user, asRecord(response['view']));
        break;
      case 'clear':
        this.modalStacks.delete(stored.user);
        break;
      default:
        this.closeModal(viewId);
    }
    this.emit({ kind: 'modal', user: stored.user });
  }

  /** The person closed (or Cancelled) the modal on top: it leaves the stack. */
  closeModal(viewId: string): void {
    const stored = this.views.get(viewId);
    if (!stored) return;
    const stack = (this.modalStacks.get(stored.user) ?? []).filter((id) => id !== viewId);
    if (stack.length === 0) this.modalStacks.delete(stored.user);
    else this.modalStacks.set(stored.user, stack);
    this.emit({ kind: 'modal', user: stored.user });
  }

  /** Serve one Web API request (`/api/<method>`), the upload of a file, or an answer to a response_url. */
  async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const method = (request.url ?? '').replace(/^\/api\//, '').split('?')[0] ?? '';
    const body = await readBody(request);
    this.calls.push({ method, body });
    const scripted = this.scripts.get(method)?.shift();
    const fault = scripted ? undefined : this.takeFault(method, body);
    const reply = scripted ??
      this.faultReply(fault) ?? {
        body: this.defaultAnswer(method, body, request.headers['content-type'] ?? ''),
      };
    if (fault?.kind === 'hang') return;
    if (fault?.kind === 'drop-after-accept') {
      request.socket.destroy();
      return;
    }
    response.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers });
    response.end(JSON.stringify(reply.body));
  }

  private emit(change: WorkspaceChange): void {
    for (const listener of this.subscribers) listener(change);
  }

  private nextTs(): string {
    this.tsCounter += 1;
    const seconds = this.realTime ? Math.floor(Date.now() / 1000) : this.nowSeconds;
    return `${seconds}.${String(this.tsCounter).padStart(6, '0')}`;
  }

  private nextViewId(): string {
    return `V0VIEW${String(this.calls.length).padStart(4, '0')}`;
  }

  private takeFault(method: string, body: Record<string, unknown>): SlackFault | undefined {
    const rule = this.faults.find(
      (candidate) =>
        candidate.method === method &&
        candidate.remaining > 0 &&
        (candidate.channel === undefined || candidate.channel === body['channel']),
    );
    if (!rule) return undefined;
    rule.remaining -= 1;
    return rule.fault;
  }

  /** The reply a fault sends, or undefined when the call is handled normally first (drop after accept). */
  private faultReply(fault: SlackFault | undefined): ScriptedReply | undefined {
    switch (fault?.kind) {
      case 'hang':
        return { body: {} };
      case 'rate-limited':
        return {
          status: 429,
          headers: { 'retry-after': String(fault.retryAfterSeconds) },
          body: { ok: false, error: 'ratelimited' },
        };
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

  /** A thread, parent first then replies oldest first (Slack's order), `oldest` exclusive, cursor-paged. */
  private threadReplies(body: Record<string, unknown>): Record<string, unknown> {
    const channel = String(body['channel']);
    const parentTs = String(body['ts']);
    const oldest = Number(body['oldest'] ?? 0);
    const limit = Number(body['limit'] ?? 1000);
    const offset = Number(body['cursor'] ?? 0);
    const withMetadata = body['include_all_metadata'] === 'true' || body['include_all_metadata'] === true;
    const parent = this.messages.find(
      (message) => message.channel === channel && message.ts === parentTs && message.threadTs === undefined,
    );
    if (!parent) return { ok: false, error: 'thread_not_found' };
    const replies = this.messages.filter(
      (message) =>
        message.channel === channel && message.threadTs === parentTs && Number(message.ts) > oldest,
    );
    const thread = [parent, ...replies];
    const page = thread.slice(offset, offset + limit);
    const hasMore = offset + limit < thread.length;
    return {
      ok: true,
      messages: page.map((message) => ({
        type: 'message',
        bot_id: 'B0BOT0001',
        ts: message.ts,
        thread_ts: parentTs,
        text: message.text,
        blocks: message.blocks,
        ...(withMetadata && message.metadata !== undefined && { metadata: message.metadata }),
      })),
      has_more: hasMore,
      ...(hasMore && { response_metadata: { next_cursor: String(offset + limit) } }),
    };
  }

  /** A trigger the emulation issued and that is still fresh; unknown ones pass unless triggers are strict. */
  private triggerCheck(triggerId: unknown): { ok: true; user: string } | { ok: false; error: string } {
    const issued = typeof triggerId === 'string' ? this.triggers.get(triggerId) : undefined;
    if (!issued)
      return this.strictTriggers ? { ok: false, error: 'invalid_trigger_id' } : { ok: true, user: YOU.id };
    if (Date.now() > issued.expiresAt) return { ok: false, error: 'expired_trigger_id' };
    return { ok: true, user: issued.user };
  }

  private storeView(user: string, type: 'modal' | 'home', view: Record<string, unknown>): StoredView {
    const stored: StoredView = { id: this.nextViewId(), user, type, view, hash: this.nextTs(), errors: {} };
    this.views.set(stored.id, stored);
    return stored;
  }

  private replaceView(stored: StoredView, view: Record<string, unknown>): void {
    stored.view = view;
    stored.hash = this.nextTs();
    stored.errors = {};
  }

  private pushModal(user: string, view: Record<string, unknown>): StoredView {
    const stored = this.storeView(user, 'modal', view);
    this.modalStacks.set(user, [...(this.modalStacks.get(user) ?? []), stored.id]);
    return stored;
  }

  private viewAnswer(stored: StoredView): Record<string, unknown> {
    return {
      ok: true,
      view: { ...stored.view, id: stored.id, team_id: 'T0TEAM001', state: { values: {} }, hash: stored.hash },
    };
  }

  private openOrPush(
    method: 'views.open' | 'views.push',
    body: Record<string, unknown>,
  ): Record<string, unknown> {
    const trigger = this.triggerCheck(body['trigger_id']);
    if (!trigger.ok) return { ok: false, error: trigger.error };
    if (method === 'views.open') this.modalStacks.delete(trigger.user);
    const stored = this.pushModal(trigger.user, asRecord(body['view']));
    this.emit({ kind: 'modal', user: trigger.user });
    return this.viewAnswer(stored);
  }

  private updateView(body: Record<string, unknown>): Record<string, unknown> {
    const viewId = typeof body['view_id'] === 'string' ? body['view_id'] : undefined;
    const stored = viewId === undefined ? undefined : this.views.get(viewId);
    if (!stored) {
      // A view this emulation never opened (a hand-made test payload): answer as before, with Slack's shape.
      return { ok: true, view: { id: viewId ?? this.nextViewId(), ...asRecord(body['view']) } };
    }
    this.replaceView(stored, asRecord(body['view']));
    this.emit(
      stored.type === 'home' ? { kind: 'home', user: stored.user } : { kind: 'modal', user: stored.user },
    );
    return this.viewAnswer(stored);
  }

  private publishHome(body: Record<string, unknown>): Record<string, unknown> {
    const user = String(body['user_id']);
    const existing = this.homes.get(user);
    const stored = existing ? this.views.get(existing) : undefined;
    const home = stored ?? this.storeView(user, 'home', asRecord(body['view']));
    if (stored) this.replaceView(stored, asRecord(body['view']));
    this.homes.set(user, home.id);
    this.emit({ kind: 'home', user });
    return this.viewAnswer(home);
  }

  private postMessage(body: Record<string, unknown>, files?: readonly SharedFile[]): PostedMessage {
    const message: PostedMessage = {
      ts: this.nextTs(),
      channel: String(body['channel']),
      text: body['text'],
      blocks: body['blocks'],
      ...(typeof body['thread_ts'] === 'string' &&
        body['thread_ts'] !== '' && { threadTs: body['thread_ts'] }),
      ...(body['metadata'] !== undefined && { metadata: body['metadata'] }),
      ...(files && { files }),
    };
    this.messages.push(message);
    this.emit({ kind: 'message', channel: message.channel, ts: message.ts });
    return message;
  }

  private postEphemeral(
    target: { channel: string; user: string; threadTs?: string | undefined },
    body: Record<string, unknown>,
  ): EphemeralMessage {
    const message: EphemeralMessage = {
      ts: this.nextTs(),
      channel: target.channel,
      user: target.user,
      text: body['text'],
      blocks: body['blocks'],
      ...(target.threadTs && { threadTs: target.threadTs }),
    };
    this.ephemerals.push(message);
    this.emit({ kind: 'ephemeral', user: message.user, channel: message.channel });
    return message;
  }

  /** A response_url answer: ephemeral by default, `in_channel` posts, `replace_original` edits the clicked message. */
  private respond(token: string, body: Record<string, unknown>): Record<string, unknown> {
    const target = this.responseUrls.get(token);
    if (!target) return { ok: false, error: 'expired_url' };
    const original =
      target.messageTs &&
      this.messages.find((message) => message.channel === target.channel && message.ts === target.messageTs);
    if (original && (body['replace_original'] === true || body['replace_original'] === 'true')) {
      original.text = body['text'];
      original.blocks = body['blocks'];
      original.edited = true;
      this.emit({ kind: 'message', channel: original.channel, ts: original.ts });
    } else if (original && (body['delete_original'] === true || body['delete_original'] === 'true')) {
      this.messages.splice(this.messages.indexOf(original), 1);
      this.emit({ kind: 'message', channel: original.channel, ts: original.ts });
    } else if (body['response_type'] === 'in_channel') {
      this.postMessage({
        ...body,
        channel: target.channel,
        ...(target.threadTs && { thread_ts: target.threadTs }),
      });
    } else {
      this.postEphemeral(target, body);
    }
    return { ok: true };
  }

  private completeUpload(body: Record<string, unknown>): Record<string, unknown> {
    const listed = safeJson(body['files']);
    const shared = (Array.isArray(listed) ? listed : []).map((entry) => {
      const { id, title } = asRecord(entry);
      const file = this.files.get(String(id));
      const sharedFile = {
        id: String(id),
        title: String(title ?? file?.title ?? ''),
        filename: file?.filename ?? String(id),
      };
      if (file) this.files.set(file.id, { ...file, ...sharedFile });
      return sharedFile;
    });
    const channel = body['channel_id'];
    if (typeof channel === 'string' && shared.length > 0) {
      this.postMessage(
        { channel, text: body['initial_comment'] ?? '', thread_ts: body['thread_ts'] },
        shared,
      );
    }
    return {
      ok: true,
      files: shared.length > 0 ? shared : [{ id: 'F0FILE0001', title: body['files'] ? 'uploaded' : '' }],
    };
  }

  private userInfo(id: string): Record<string, unknown> {
    const local = this.users.find((user) => user.id === id);
    if (local) {
      return {
        id,
        name: local.name,
        real_name: local.realName,
        tz: 'UTC',
        is_bot: false,
        profile: { display_name: local.displayName, real_name: local.realName },
      };
    }
    return {
      id,
      name: id.toLowerCase(),
      real_name: `Real ${id}`,
      profile: { display_name: id === 'U0ALICE01' ? 'alice' : '' },
    };
  }

  private defaultAnswer(
    method: string,
    body: Record<string, unknown>,
    contentType = '',
  ): Record<string, unknown> {
    if (method.startsWith('response_url/')) return this.respond(method.slice('response_url/'.length), body);
    if (method.startsWith('upload/')) {
      const id = method.slice('upload/'.length);
      const file = this.files.get(id);
      if (file && Buffer.isBuffer(body['bytes']))
        this.files.set(id, { ...file, bytes: uploadedContent(body['bytes'], contentType) });
      return { ok: true };
    }
    switch (method) {
      case 'auth.test':
        return {
          ok: true,
          url: 'https://example.slack.com/',
          team: 'Example',
          user: 'cspm-bot',
          team_id: 'T0TEAM001',
          user_id: 'U0BOT0001',
          bot_id: 'B0BOT0001',
        };
      case 'chat.postMessage': {
        const message = this.postMessage(body);
        return { ok: true, channel: message.channel, ts: message.ts, message: { text: body['text'] } };
      }
      case 'chat.update': {
        const stored = this.messages.find(
          (message) => message.channel === body['channel'] && message.ts === body['ts'],
        );
        if (stored) {
          stored.text = body['text'];
          stored.blocks = body['blocks'];
          stored.edited = true;
          this.emit({ kind: 'message', channel: stored.channel, ts: stored.ts });
        }
        return { ok: true, channel: body['channel'], ts: body['ts'], text: body['text'] };
      }
      case 'conversations.history':
        return this.history(body);
      case 'conversations.replies':
        return this.threadReplies(body);
      case 'conversations.info': {
        const channel = String(body['channel']);
        const name = channel.replace(/^#/, '');
        return {
          ok: true,
          channel: { id: channel, name, is_channel: true, is_member: true, is_private: false },
        };
      }
      case 'chat.postEphemeral': {
        const threadTs = typeof body['thread_ts'] === 'string' ? body['thread_ts'] : undefined;
        this.postEphemeral({ channel: String(body['channel']), user: String(body['user']), threadTs }, body);
        return { ok: true, message_ts: '1763805600.999999' };
      }
      case 'views.open':
      case 'views.push':
        return this.openOrPush(method, body);
      case 'views.update':
        return this.updateView(body);
      case 'views.publish':
        return this.publishHome(body);
      case 'files.getUploadURLExternal': {
        const id = `F0FILE${String(this.calls.length).padStart(4, '0')}`;
        const filename = String(body['filename'] ?? id);
        this.files.set(id, { id, title: filename, filename });
        return { ok: true, upload_url: `${this.url}upload/${id}`, file_id: id };
      }
      case 'files.completeUploadExternal':
        return this.completeUpload(body);
      case 'users.info':
        return { ok: true, user: this.userInfo(String(body['user'])) };
      case 'usergroups.users.list': {
        const group = String(body['usergroup']);
        return {
          ok: true,
          users: this.users.filter((user) => user.groups.includes(group)).map((user) => user.id),
        };
      }
      case 'chat.getPermalink':
        return {
          ok: true,
          channel: body['channel'],
          permalink: `https://example.slack.com/archives/${String(body['channel'])}/p${String(body['message_ts']).replace('.', '')}`,
        };
      default:
        return { ok: true };
    }
  }
}
