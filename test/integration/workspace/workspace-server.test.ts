import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkSlackRequest } from '../../../src/slack/slack-request-guard.js';
import { YOU } from '../../../src/workspace/local-users.js';
import { WorkspaceServer } from '../../../src/workspace/workspace-server.js';

const SECRET = 'workspace-test-signing-secret-0123';
const CHANNEL = '#cspm-findings';

/** What the bot received: verified against the signing secret, decoded as Bolt would. */
interface Received {
  readonly verified: boolean;
  readonly body: Record<string, unknown>;
}

/** A stand-in for the bot's HTTP receiver: records each request and answers with the next scripted body. */
const received: Received[] = [];
const answers: unknown[] = [];
let bot: Server;
let workspace: WorkspaceServer;

function decode(text: string, contentType: string): Record<string, unknown> {
  if (contentType === 'application/json') return JSON.parse(text) as Record<string, unknown>;
  const form = Object.fromEntries(new URLSearchParams(text));
  return typeof form['payload'] === 'string'
    ? (JSON.parse(form['payload']) as Record<string, unknown>)
    : form;
}

beforeAll(async () => {
  bot = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const check = checkSlackRequest(
      SECRET,
      {
        method: request.method ?? '',
        header: (name) => request.headers[name] as string | undefined,
        rawBody: Buffer.concat(chunks),
      },
      Math.floor(Date.now() / 1000),
    );
    received.push({
      verified: check.kind === 'verified',
      body: check.kind === 'verified' ? decode(check.text, check.contentType) : {},
    });
    const answer = answers.shift();
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(answer === undefined ? '' : JSON.stringify(answer));
  });
  await new Promise<void>((resolve) => bot.listen(0, '127.0.0.1', resolve));
  const { port } = bot.address() as AddressInfo;
  workspace = await new WorkspaceServer({
    port: 0,
    botEventsUrl: `http://127.0.0.1:${port}/slack/events`,
    signingSecret: SECRET,
    defaultChannel: CHANNEL,
  }).start();
});
afterAll(async () => {
  await workspace.stop();
  await new Promise<void>((resolve) => bot.close(() => resolve()));
});
afterEach(() => {
  received.length = 0;
  answers.length = 0;
  workspace.api.reset();
});

/** The bot's side: a Web API call to the workspace, as the WebClient makes it. */
async function botCalls(method: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const response = await fetch(`${workspace.apiUrl}${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return (await response.json()) as Record<string, unknown>;
}

/** The person's side: what the page posts. */
async function page(path: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const response = await fetch(`${workspace.url}${path.slice(1)}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return (await response.json()) as Record<string, unknown>;
}

const modalView = (title: string, blockId = 'reason') => ({
  type: 'modal',
  callback_id: 'test.form',
  private_metadata: '{"k":"finding-1"}',
  title: { type: 'plain_text', text: title },
  submit: { type: 'plain_text', text: 'Save' },
  blocks: [
    {
      type: 'input',
      block_id: blockId,
      label: { type: 'plain_text', text: 'Why' },
      element: { type: 'plain_text_input', action_id: 'reason.input' },
    },
  ],
});

async function openModalFromClick(): Promise<string> {
  const posted = await botCalls('chat.postMessage', { channel: CHANNEL, text: 'finding', blocks: [] });
  await page('/ui/action', {
    channel: CHANNEL,
    messageTs: posted['ts'],
    action: {
      type: 'button',
      action_id: 'finding.suppress',
      block_id: 'finding.actions',
      value: '{"k":"finding-1"}',
    },
  });
  const click = received[0]!.body;
  const opened = await botCalls('views.open', {
    trigger_id: click['trigger_id'],
    view: modalView('Suppress finding'),
  });
  return (opened['view'] as { id: string }).id;
}

describe('the local workspace as Slack for the bot', () => {
  it('signs a button click with the signing secret and shapes it as block_actions, with a trigger and a response_url', async () => {
    const posted = await botCalls('chat.postMessage', {
      channel: CHANNEL,
      text: 'HIGH EC2.13',
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'HIGH' } }],
    });

    await page('/ui/action', {
      channel: CHANNEL,
      messageTs: posted['ts'],
      action: {
        type: 'button',
        action_id: 'finding.remediate',
        block_id: 'finding.actions',
        value: '{"k":"f"}',
        text: { type: 'plain_text', text: 'Remediate…' },
      },
    });

    expect(received).toHaveLength(1);
    expect(received[0]!.verified).toBe(true);
    expect(received[0]!.body).toMatchObject({
      type: 'block_actions',
      user: { id: YOU.id },
      container: { type: 'message', message_ts: posted['ts'], channel_id: CHANNEL, is_ephemeral: false },
      channel: { id: CHANNEL, name: 'cspm-findings' },
      message: { ts: posted['ts'], text: 'HIGH EC2.13' },
      actions: [
        { action_id: 'finding.remediate', block_id: 'finding.actions', value: '{"k":"f"}', type: 'button' },
      ],
    });
    expect(String(received[0]!.body['response_url'])).toMatch(
      /^http:\/\/127\.0\.0\.1:\d+\/api\/response_url\//,
    );
  });

  it('opens a modal only with a trigger it issued, and refuses a made-up or expired one as Slack does', async () => {
    const viewId = await openModalFromClick();
    const madeUp = await botCalls('views.open', { trigger_id: '123.456.abc', view: modalView('Other') });
    const stale = workspace.api.issueTrigger(YOU.id, Date.now() - 3_500);
    const expired = await botCalls('views.open', { trigger_id: stale, view: modalView('Late') });

    expect(viewId).toMatch(/^V/);
    expect(workspace.snapshot()['modals']).toEqual([expect.objectContaining({ id: viewId })]);
    expect(madeUp).toEqual({ ok: false, error: 'invalid_trigger_id' });
    expect(expired).toEqual({ ok: false, error: 'expired_trigger_id' });
  });

  it('shows the bot’s inline errors under the named block and keeps the modal open, then closes it on a plain ack', async () => {
    const viewId = await openModalFromClick();
    answers.push({ response_action: 'errors', errors: { reason: 'Write at least 10 characters.' } });

    await page('/ui/submit', {
      viewId,
      values: { reason: { 'reason.input': { type: 'plain_text_input', value: 'short' } } },
    });

    const submission = received.at(-1)!.body;
    expect(submission).toMatchObject({
      type: 'view_submission',
      user: { id: YOU.id },
      view: {
        id: viewId,
        callback_id: 'test.form',
        private_metadata: '{"k":"finding-1"}',
        state: { values: { reason: { 'reason.input': { value: 'short' } } } },
      },
    });
    expect(workspace.api.topModal(YOU.id)).toMatchObject({
      id: viewId,
      errors: { reason: 'Write at least 10 characters.' },
    });

    await page('/ui/submit', {
      viewId,
      values: { reason: { 'reason.input': { type: 'plain_text_input', value: 'long enough now' } } },
    });
    expect(workspace.api.topModal(YOU.id)).toBeUndefined();
  });

  it('applies update and push answers to the modal stack, and clear closes every modal', async () => {
    const viewId = await openModalFromClick();
    answers.push({ response_action: 'update', view: modalView('Updated') });
    await page('/ui/submit', { viewId, values: {} });
    expect(workspace.api.topModal(YOU.id)?.view['title']).toEqual({ type: 'plain_text', text: 'Updated' });

    answers.push({ response_action: 'push', view: modalView('Pushed') });
    await page('/ui/submit', { viewId, values: {} });
    expect(workspace.api.modalStacks.get(YOU.id)).toHaveLength(2);

    answers.push({ response_action: 'clear' });
    await page('/ui/submit', { viewId: workspace.api.topModal(YOU.id)!.id, values: {} });
    expect(workspace.api.modalStacks.get(YOU.id)).toBeUndefined();
  });

  it('sends /cspm as a signed slash command and shows both the acknowledgement and later answers only to the person', async () => {
    answers.push({ response_type: 'ephemeral', text: 'Usage: /cspm status' });

    await page('/ui/command', { channel: CHANNEL, text: '/cspm help' });
    const command = received[0]!.body;
    await fetch(String(command['response_url']), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'Later answer' }),
    });

    expect(received[0]!.verified).toBe(true);
    expect(command).toMatchObject({
      command: '/cspm',
      text: 'help',
      user_id: YOU.id,
      channel_id: CHANNEL,
      channel_name: 'cspm-findings',
    });
    expect(workspace.api.ephemerals.map((message) => [message.user, message.text])).toEqual([
      [YOU.id, 'Usage: /cspm status'],
      [YOU.id, 'Later answer'],
    ]);
    expect(workspace.api.messagesIn(CHANNEL)).toHaveLength(0);
  });

  it('signs nothing for another site: a cross-site form post is refused before the bot hears of it', async () => {
    const response = await fetch(`${workspace.url}ui/command`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ channel: CHANNEL, text: '/cspm digest' }),
    });

    expect(response.status).toBe(403);
    expect(received).toHaveLength(0);
  });

  it('tells the page of every post over its event stream', async () => {
    const stream = await fetch(`${workspace.url}ui/events`);
    const reader = stream.body!.getReader();
    await reader.read(); // ": connected"

    await botCalls('chat.postMessage', { channel: '#cspm-digest', text: 'Weekly digest' });
    const { value } = await reader.read();
    await reader.cancel();

    expect(new TextDecoder().decode(value)).toContain('"channel":"#cspm-digest"');
    expect(workspace.snapshot()['channels']).toEqual([CHANNEL, '#cspm-digest']);
  });
});
