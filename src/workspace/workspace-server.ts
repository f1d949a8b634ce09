import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { LocalUser } from './local-users.js';
import { YOU } from './local-users.js';
import type { ClickedAction } from './slack-payloads.js';
import {
  appHomeOpenedCallback,
  interactionForm,
  messageActionPayload,
  slashCommandForm,
  viewActionPayload,
  viewClosedPayload,
  viewSubmissionPayload,
} from './slack-payloads.js';
import { slackSignatureHeaders } from './slack-signature.js';
import { SlackWebApi } from './slack-web-api.js';

/** What a sandbox AWS account offers the page: its badge/panel state, and simulated events. */
export interface WorkspaceSandbox {
  describe(): Promise<unknown>;
  simulate(request: unknown): Promise<unknown>;
}

export interface WorkspaceServerOptions {
  /** 0 picks a free port. */
  readonly port: number;
  /** The bot's Slack request URL, e.g. http://127.0.0.1:3001/slack/events. */
  readonly botEventsUrl: string;
  readonly signingSecret: string;
  /** The channel the page opens on (the bot's default channel). */
  readonly defaultChannel?: string;
  readonly sandbox?: WorkspaceSandbox;
  readonly you?: LocalUser;
}

/** What the bot answered a request the page made, for the page to show when the bot refused or failed. */
export interface BotAnswer {
  readonly status: number;
  readonly body: unknown;
}

const PAGE_DIR = new URL('./page/', import.meta.url);
const PAGE_FILES: Record<string, string> = {
  '/': 'index.html',
  '/page/workspace.js': 'workspace.js',
  '/page/block-kit.js': 'block-kit.js',
  '/page/mrkdwn.js': 'mrkdwn.js',
  '/page/workspace.css': 'workspace.css',
};
const CONTENT_TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
};
const MAX_UI_BODY_BYTES = 256 * 1024;

class BadRequest extends Error {}

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_UI_BODY_BYTES) throw new BadRequest('request too large');
    chunks.push(chunk as Buffer);
  }
  const raw = Buffer.concat(chunks).toString('utf8');
  if (raw === '') return {};
  const parsed: unknown = JSON.parse(raw);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new BadRequest('expected a JSON object');
  return parsed as Record<string, unknown>;
}

const text = (value: unknown, field: string): string => {
  if (typeof value !== 'string' || value === '') throw new BadRequest(`${field} is required`);
  return value;
};

const asRecord = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
  });
  response.end(JSON.stringify(body));
}

/**
 * The local Slack workspace: serves the page, the Slack Web API the bot calls (`/api/…`, the same emulation the
 * tests use), the files the bot uploaded, and a Server-Sent Events stream of every change. The page's clicks and
 * submissions become Slack-shaped requests, signed with the signing secret and posted to the bot's receiver.
 */
export class WorkspaceServer {
  readonly api = new SlackWebApi({ strictTriggers: true, realTime: true });
  readonly you: LocalUser;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly streams = new Set<ServerResponse>();
  private readonly channels: string[] = [];
  private eventCounter = 0;
  /** http://127.0.0.1:<port>/ once started. */
  url = '';

  constructor(private readonly options: WorkspaceServerOptions) {
    this.you = options.you ?? YOU;
    if (options.defaultChannel) this.channels.push(options.defaultChannel);
    this.server = createServer((request, response) => void this.route(request, response));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    this.api.subscribe((change) => {
      if (change.kind === 'message' && !this.channels.includes(change.channel))
        this.channels.push(change.channel);
      const data = `event: change\ndata: ${JSON.stringify(change)}\n\n`;
      for (const stream of this.streams) stream.write(data);
    });
  }

  /** The `slackApiUrl` for the bot's WebClient. */
  get apiUrl(): string {
    return this.api.url;
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, '127.0.0.1', () => resolve());
    });
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}/`;
    this.api.url = `${this.url}api/`;
    return this;
  }

  async stop(): Promise<void> {
    for (const stream of this.streams) stream.end();
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Everything the page shows to `you`: channels, messages, your ephemerals, your modal stack and Home. */
  snapshot(): Record<string, unknown> {
    const { api, you } = this;
    const stack = (api.modalStacks.get(you.id) ?? [])
      .map((id) => api.views.get(id))
      .filter((view) => view !== undefined);
    const homeId = api.homes.get(you.id);
    return {
      you,
      users: api.users,
      channels: [...this.channels],
      messages: api.messages,
      ephemerals: api.ephemerals.filter((message) => message.user === you.id),
      modals: stack,
      home: homeId ? api.views.get(homeId) : undefined,
      sandbox: this.options.sandbox !== undefined,
    };
  }

  private async route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const { pathname } = new URL(request.url ?? '/', 'http://127.0.0.1');
    try {
      if (pathname.startsWith('/api/')) return await this.api.handle(request, response);
      if (request.method === 'GET') return await this.serveGet(pathname, response);
      if (request.method !== 'POST')
        return sendJson(response, 405, { ok: false, error: 'method_not_allowed' });
      // Only this page may act as you: another site's form or a rebound DNS name gets nothing signed.
      if (!this.isOwnPage(request))
        return sendJson(response, 403, { ok: false, error: 'not_this_workspace' });
      const body = await readJson(request);
      switch (pathname) {
        case '/ui/command':
          return sendJson(
            response,
            200,
            await this.command(text(body['channel'], 'channel'), text(body['text'], 'text')),
          );
        case '/ui/action':
          return sendJson(response, 200, await this.action(body));
        case '/ui/submit':
          return sendJson(
            response,
            200,
            await this.submit(text(body['viewId'], 'viewId'), asRecord(body['values'])),
          );
        case '/ui/close':
          return sendJson(response, 200, await this.close(text(body['viewId'], 'viewId')));
        case '/ui/home':
          return sendJson(response, 200, await this.openHome());
        case '/ui/simulate':
          if (!this.options.sandbox)
            return sendJson(response, 404, { ok: false, error: 'no sandbox account is connected' });
          return sendJson(response, 200, await this.options.sandbox.simulate(body));
        default:
          return sendJson(response, 404, { ok: false, error: 'not_found' });
      }
    } catch (error) {
      if (response.headersSent) return void response.end();
      const bad = error instanceof BadRequest || error instanceof SyntaxError;
      sendJson(response, bad ? 400 : 502, {
        ok: false,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }

  /** A JSON request (which a cross-site form cannot send) addressed to this server's own host. */
  private isOwnPage(request: IncomingMessage): boolean {
    const host = new URL(this.url).host;
    const sameHost =
      request.headers.host === host || request.headers.host === host.replace('127.0.0.1', 'localhost');
    return sameHost && (request.headers['content-type'] ?? '').startsWith('application/json');
  }

  private async serveGet(pathname: string, response: ServerResponse): Promise<void> {
    const file = PAGE_FILES[pathname];
    if (file) {
      const body = await readFile(new URL(file, PAGE_DIR));
      response.writeHead(200, {
        'content-type': CONTENT_TYPES[file.split('.').pop()!] ?? 'application/octet-stream',
        'cache-control': 'no-store',
      });
      return void response.end(body);
    }
    if (pathname === '/ui/state') return sendJson(response, 200, this.snapshot());
    if (pathname === '/ui/events') return this.openStream(response);
    if (pathname === '/ui/sandbox') {
      return sendJson(
        response,
        200,
        this.options.sandbox
          ? { available: true, ...asRecord(await this.options.sandbox.describe()) }
          : { available: false },
      );
    }
    const fileId = /^\/files\/([A-Z0-9]+)$/.exec(pathname)?.[1];
    const stored = fileId ? this.api.files.get(fileId) : undefined;
    if (stored?.bytes) {
      response.writeHead(200, {
        'content-type': stored.filename.endsWith('.png') ? 'image/png' : 'application/octet-stream',
      });
      return void response.end(stored.bytes);
    }
    sendJson(response, 404, { ok: false, error: 'not_found' });
  }

  private openStream(response: ServerResponse): void {
    response.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    response.write(': connected\n\n');
    this.streams.add(response);
    const keepAlive = setInterval(() => response.write(': keep-alive\n\n'), 15_000);
    response.on('close', () => {
      clearInterval(keepAlive);
      this.streams.delete(response);
    });
  }

  /** Post a signed request to the bot, as Slack would, and read its acknowledgement. */
  private async toBot(body: string, contentType: string): Promise<BotAnswer> {
    const response = await fetch(this.options.botEventsUrl, {
      method: 'POST',
      headers: {
        'content-type': contentType,
        ...slackSignatureHeaders(body, { secret: this.options.signingSecret }),
      },
      body,
      signal: AbortSignal.timeout(10_000),
    });
    const raw = await response.text();
    let parsed: unknown = raw;
    try {
      parsed = raw === '' ? undefined : JSON.parse(raw);
    } catch {
      // Not JSON: keep the text, the page shows it.
    }
    return { status: response.status, body: parsed };
  }

  private fromBotForm(payload: unknown): Promise<BotAnswer> {
    return this.toBot(interactionForm(payload), 'application/x-www-form-urlencoded');
  }

  /** `/cspm …` typed in a channel: the acknowledgement's body (if any) and later response_url answers show as ephemerals. */
  private async command(channel: string, typed: string): Promise<BotAnswer> {
    const match = /^(\/\S+)\s*([\s\S]*)$/.exec(typed.trim());
    if (!match) throw new BadRequest('a slash command starts with /, e.g. /cspm status');
    const responseUrl = this.api.issueResponseUrl({ channel, user: this.you.id });
    const answer = await this.toBot(
      slashCommandForm({
        user: this.you,
        channel,
        command: match[1]!,
        text: match[2]!,
        responseUrl,
        triggerId: this.api.issueTrigger(this.you.id),
      }),
      'application/x-www-form-urlencoded',
    );
    const reply = asRecord(answer.body);
    if (answer.status === 200 && (typeof reply['text'] === 'string' || Array.isArray(reply['blocks']))) {
      await fetch(responseUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(reply),
      });
    }
    return answer;
  }

  /** A click or a choice on a message, an ephemeral, a modal or the Home tab. */
  private async action(body: Record<string, unknown>): Promise<BotAnswer> {
    const action = asRecord(body['action']) as unknown as ClickedAction;
    text(action.action_id, 'action.action_id');
    const triggerId = this.api.issueTrigger(this.you.id);
    if (typeof body['viewId'] === 'string') {
      const view = this.api.views.get(body['viewId']);
      if (!view) throw new BadRequest(`no view ${body['viewId']}`);
      return this.fromBotForm(
        viewActionPayload({ user: this.you, triggerId, view, values: asRecord(body['values']), action }),
      );
    }
    const channel = text(body['channel'], 'channel');
    const messageTs = text(body['messageTs'], 'messageTs');
    const message = this.api.messages.find(
      (candidate) => candidate.channel === channel && candidate.ts === messageTs,
    );
    const ephemeral = message
      ? undefined
      : this.api.ephemerals.find((candidate) => candidate.channel === channel && candidate.ts === messageTs);
    const threadTs = message?.threadTs ?? ephemeral?.threadTs;
    const responseUrl = this.api.issueResponseUrl({
      channel,
      user: this.you.id,
      messageTs,
      ...(threadTs && { threadTs }),
    });
    return this.fromBotForm(
      messageActionPayload({
        user: this.you,
        triggerId,
        responseUrl,
        channel,
        message,
        messageTs,
        isEphemeral: ephemeral !== undefined,
        action,
      }),
    );
  }

  /** Submit the modal on top: the bot's `response_action` (errors, update, push, clear) is applied as Slack does. */
  private async submit(viewId: string, values: Record<string, unknown>): Promise<BotAnswer> {
    const view = this.api.views.get(viewId);
    if (!view) throw new BadRequest(`no view ${viewId}`);
    const rootViewId = this.api.modalStacks.get(view.user)?.[0] ?? viewId;
    const answer = await this.fromBotForm(
      viewSubmissionPayload({
        user: this.you,
        triggerId: this.api.issueTrigger(this.you.id),
        view,
        values,
        rootViewId,
      }),
    );
    if (answer.status === 200) this.api.applySubmissionResponse(viewId, asRecord(answer.body));
    return answer;
  }

  /** Close (×, Cancel): the bot hears of it only when the view asked for notify_on_close, as on Slack. */
  private async close(viewId: string): Promise<BotAnswer> {
    const view = this.api.views.get(viewId);
    if (!view) throw new BadRequest(`no view ${viewId}`);
    const rootViewId = this.api.modalStacks.get(view.user)?.[0] ?? viewId;
    this.api.closeModal(viewId);
    if (view.view['notify_on_close'] !== true) return { status: 200, body: undefined };
    return this.fromBotForm(viewClosedPayload({ user: this.you, view, rootViewId }));
  }

  private async openHome(): Promise<BotAnswer> {
    this.eventCounter += 1;
    const eventId = `Ev0LOCAL${String(this.eventCounter).padStart(4, '0')}${randomUUID().slice(0, 4).toUpperCase()}`;
    return this.toBot(
      appHomeOpenedCallback(this.you, eventId, this.api.homes.get(this.you.id)),
      'application/json',
    );
  }
}
