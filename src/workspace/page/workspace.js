/* global document, window, fetch, setTimeout, setInterval, EventSource */
// The local Slack workspace page: draws the state the workspace server keeps (channels, threads, ephemerals,
// modals, the Home tab) and turns clicks, submissions and typed /commands into requests to /ui/…, which the server
// signs and sends to the bot as Slack would. Every change the bot makes arrives on the /ui/events stream.
import { clientSideErrors, collectValues, el, renderBlocks } from './block-kit.js';
import { escapeHtml, mrkdwnHtml, plainTextHtml } from './mrkdwn.js';

const page = {
  state: undefined,
  pane: { kind: 'channel', channel: undefined },
  thread: undefined,
  dismissed: new Set(),
  modalKey: undefined,
  sandbox: undefined,
};

const $ = (id) => document.getElementById(id);

async function post(path, body) {
  const response = await fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) toast(`The workspace could not send that: ${answer.error ?? response.status}`);
  else if (answer.status && answer.status !== 200)
    toast(`The bot answered HTTP ${answer.status}: is it running and does its signing secret match?`);
  return answer;
}

function toast(message) {
  const node = el('div', { class: 'toast', role: 'status' }, message);
  $('toasts').append(node);
  setTimeout(() => node.remove(), 6000);
}

const timeOf = (ts) =>
  new Date(Number(ts) * 1000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
const channelLabel = (channel) => channel.replace(/^#/, '');

function replyCount(message) {
  return page.state.messages.filter(
    (reply) => reply.channel === message.channel && reply.threadTs === message.ts,
  ).length;
}

function messageNode(message, options = {}) {
  const users = page.state.users;
  const onAction = (action) =>
    post('/ui/action', { channel: message.channel, messageTs: message.ts, action });
  const body =
    Array.isArray(message.blocks) && message.blocks.length > 0
      ? renderBlocks(message.blocks, { users, onAction })
      : el('div', { class: 'message-text', html: mrkdwnHtml(message.text ?? '', users) });
  const files = (message.files ?? []).map((file) =>
    el(
      'figure',
      { class: 'file' },
      el('figcaption', {}, file.title),
      el('img', { src: `/files/${file.id}`, alt: file.title }),
    ),
  );
  const replies = options.inThread ? 0 : replyCount(message);
  return el(
    'article',
    {
      class: `message${options.ephemeral ? ' ephemeral' : ''}`,
      'data-ts': message.ts,
      'data-channel': message.channel,
    },
    el('div', { class: 'avatar', 'aria-hidden': 'true' }, '🛡️'),
    el(
      'div',
      { class: 'message-main' },
      el(
        'div',
        { class: 'message-meta' },
        el('span', { class: 'sender' }, 'cspm-bot'),
        el('span', { class: 'app-tag' }, 'APP'),
        el('time', {}, timeOf(message.ts)),
        message.edited ? el('span', { class: 'edited' }, '(edited)') : undefined,
      ),
      options.ephemeral
        ? el(
            'div',
            { class: 'only-you' },
            '👁 Only visible to you',
            el('button', { type: 'button', class: 'link', onclick: () => dismiss(message) }, 'Dismiss'),
          )
        : undefined,
      body,
      files,
      replies > 0
        ? el(
            'button',
            { type: 'button', class: 'replies link', onclick: () => openThread(message) },
            `${replies} ${replies === 1 ? 'reply' : 'replies'}`,
          )
        : undefined,
    ),
  );
}

function dismiss(message) {
  page.dismissed.add(message.ts);
  render();
}

function openThread(message) {
  page.thread = { channel: message.channel, ts: message.ts };
  render();
}

function visibleEphemerals(channel, threadTs) {
  return page.state.ephemerals.filter(
    (message) =>
      message.channel === channel && message.threadTs === threadTs && !page.dismissed.has(message.ts),
  );
}

function byTs(left, right) {
  return Number(left.message.ts) - Number(right.message.ts);
}

function renderChannel(list) {
  const channel = page.pane.channel;
  $('pane-title').textContent = `# ${channelLabel(channel)}`;
  $('composer-input').placeholder = `Message #${channelLabel(channel)} (try /cspm status)`;
  const items = [
    ...page.state.messages
      .filter((message) => message.channel === channel && !message.threadTs)
      .map((message) => ({ message })),
    ...visibleEphemerals(channel, undefined).map((message) => ({ message, ephemeral: true })),
  ].sort(byTs);
  if (items.length === 0)
    list.append(el('p', { class: 'empty' }, 'No messages yet. Findings the bot posts show up here.'));
  for (const item of items) list.append(messageNode(item.message, { ephemeral: item.ephemeral }));
}

function renderHome(list) {
  $('pane-title').textContent = 'cspm-bot · Home';
  const home = page.state.home;
  if (!home) return list.append(el('p', { class: 'empty' }, 'Opening the Home tab…'));
  const onAction = (action) =>
    post('/ui/action', { viewId: home.id, values: collectValues($('messages')), action });
  list.append(
    el('section', { class: 'home' }, renderBlocks(home.view.blocks, { users: page.state.users, onAction })),
  );
}

function renderThread() {
  const panel = $('thread-panel');
  panel.replaceChildren();
  const parent =
    page.thread &&
    page.state.messages.find(
      (message) => message.channel === page.thread.channel && message.ts === page.thread.ts,
    );
  panel.hidden = !parent;
  if (!parent) return;
  const replies = [
    ...page.state.messages
      .filter((message) => message.channel === parent.channel && message.threadTs === parent.ts)
      .map((message) => ({ message })),
    ...visibleEphemerals(parent.channel, parent.ts).map((message) => ({ message, ephemeral: true })),
  ].sort(byTs);
  panel.append(
    el(
      'header',
      { class: 'thread-header' },
      el('strong', {}, 'Thread'),
      el('span', {}, ` # ${channelLabel(parent.channel)}`),
      el(
        'button',
        {
          type: 'button',
          class: 'close',
          'aria-label': 'Close thread',
          onclick: () => ((page.thread = undefined), render()),
        },
        '×',
      ),
    ),
    messageNode(parent, { inThread: true }),
    el('div', { class: 'thread-divider' }, `${replies.length} ${replies.length === 1 ? 'reply' : 'replies'}`),
    ...replies.map((item) => messageNode(item.message, { inThread: true, ephemeral: item.ephemeral })),
  );
}

function showErrors(root, errors) {
  for (const block of root.querySelectorAll('.block-input')) {
    block.querySelector('.input-error')?.remove();
    const message = errors[block.dataset.blockId];
    block.classList.toggle('has-error', Boolean(message));
    if (message)
      block
        .querySelector('[data-input]')
        .after(el('div', { class: 'input-error', role: 'alert', html: plainTextHtml(message) }));
  }
}

/** The modal on top of the stack; kept (with what was typed) while only its errors change, as in Slack. */
function renderModal() {
  const root = $('modal-root');
  const modal = page.state.modals.at(-1);
  const key = modal && `${modal.id}/${modal.hash}`;
  if (!modal) {
    root.replaceChildren();
    page.modalKey = undefined;
    return;
  }
  if (key === page.modalKey) return showErrors(root, modal.errors);
  page.modalKey = key;
  const view = modal.view;
  const users = page.state.users;
  const body = el('div', { class: 'modal-body' });
  const onAction = (action) => post('/ui/action', { viewId: modal.id, values: collectValues(body), action });
  body.append(renderBlocks(view.blocks, { users, onAction, errors: modal.errors }));
  const close = () => post('/ui/close', { viewId: modal.id });
  const submit = async () => {
    const refused = clientSideErrors(body);
    if (Object.keys(refused).length > 0) return showErrors(body, refused);
    await post('/ui/submit', { viewId: modal.id, values: collectValues(body) });
  };
  root.replaceChildren(
    el(
      'div',
      { class: 'modal-backdrop' },
      el(
        'div',
        {
          class: 'modal',
          role: 'dialog',
          'aria-modal': 'true',
          'aria-labelledby': 'modal-title',
          'data-view-id': modal.id,
          'data-callback-id': view.callback_id ?? '',
        },
        el(
          'header',
          { class: 'modal-header' },
          page.state.modals.length > 1
            ? el('button', { type: 'button', class: 'back', 'aria-label': 'Back', onclick: close }, '‹')
            : undefined,
          el('h2', { id: 'modal-title', html: plainTextHtml(view.title?.text) }),
          el('button', { type: 'button', class: 'close', 'aria-label': 'Close', onclick: close }, '×'),
        ),
        body,
        el(
          'footer',
          { class: 'modal-footer' },
          el(
            'button',
            { type: 'button', class: 'btn', onclick: close },
            view.close?.text ?? (view.submit ? 'Cancel' : 'Close'),
          ),
          view.submit
            ? el('button', { type: 'button', class: 'btn btn-primary', onclick: submit }, view.submit.text)
            : undefined,
        ),
      ),
    ),
  );
}

function renderSidebar() {
  const list = $('channel-list');
  list.replaceChildren(
    ...page.state.channels.map((channel) =>
      el(
        'li',
        {},
        el(
          'button',
          {
            type: 'button',
            class: `nav-item${page.pane.kind === 'channel' && page.pane.channel === channel ? ' active' : ''}`,
            'data-channel': channel,
            onclick: () => showChannel(channel),
          },
          `# ${channelLabel(channel)}`,
        ),
      ),
    ),
  );
  $('nav-home').classList.toggle('active', page.pane.kind === 'home');
}

function render() {
  if (!page.state) return;
  page.pane.channel ??= page.state.channels[0];
  renderSidebar();
  const list = $('messages');
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  list.replaceChildren();
  $('composer').hidden = page.pane.kind !== 'channel';
  if (page.pane.kind === 'home') renderHome(list);
  else if (page.pane.channel) renderChannel(list);
  if (page.pane.kind === 'home') list.scrollTop = 0;
  else if (atBottom || page.stickToBottom || page.pane.channel !== page.lastPainted)
    list.scrollTop = list.scrollHeight;
  page.lastPainted = page.pane.kind === 'home' ? undefined : page.pane.channel;
  renderThread();
  renderModal();
  document.body.dataset.ready = 'true';
}

function showChannel(channel) {
  page.pane = { kind: 'channel', channel };
  page.thread = undefined;
  render();
}

async function showHome() {
  page.pane = { kind: 'home' };
  page.thread = undefined;
  render();
  await post('/ui/home', {});
}

let refreshing;
async function refresh() {
  refreshing ??= (async () => {
    const response = await fetch('/ui/state');
    page.state = await response.json();
    refreshing = undefined;
    render();
  })();
  return refreshing;
}

async function sendComposer(event) {
  event.preventDefault();
  const input = $('composer-input');
  const typed = input.value.trim();
  if (!typed) return;
  if (!typed.startsWith('/'))
    return toast('This workspace only passes slash commands to the bot: try /cspm help.');
  input.value = '';
  // As in Slack, what you send (and the answer to it) scrolls into view.
  page.stickToBottom = true;
  await post('/ui/command', { channel: page.pane.channel, text: typed });
  setTimeout(() => (page.stickToBottom = false), 3000);
}

/**
 * Slots for a sandbox AWS account: a badge, a Security Hub panel and a Simulate menu. The default drawing below uses
 * what GET /ui/sandbox describes ({ label, findings: [{title, severity, status}], simulations: [{id, label}] });
 * `window.cspmWorkspace.renderSandbox = (info, slots) => …` replaces it.
 */
const hooks = {
  refresh,
  get state() {
    return page.state;
  },
  slots: () => ({
    badge: $('slot-sandbox-badge'),
    panel: $('slot-securityhub-panel'),
    simulate: $('slot-simulate-menu'),
  }),
  simulate: (request) => post('/ui/simulate', request).then(() => loadSandbox()),
  renderSandbox: undefined,
};
window.cspmWorkspace = hooks;

function defaultSandboxDrawing(info, slots) {
  slots.badge.replaceChildren(el('span', { class: 'badge' }, info.label ?? 'Sandbox'));
  slots.badge.hidden = false;
  if (Array.isArray(info.findings)) {
    slots.panel.hidden = false;
    slots.panel.replaceChildren(
      el('h3', {}, 'Security Hub'),
      el(
        'ul',
        {},
        info.findings.map((finding) =>
          el('li', {
            html: `<b>${escapeHtml(finding.severity ?? '')}</b> ${escapeHtml(finding.title ?? '')} <small>${escapeHtml(finding.status ?? '')}</small>`,
          }),
        ),
      ),
    );
  }
  if (Array.isArray(info.simulations) && info.simulations.length > 0) {
    slots.simulate.hidden = false;
    const select = el('select', {
      'aria-label': 'Simulate',
      onchange: (event) =>
        event.target.value &&
        hooks.simulate({ id: event.target.value }).then(() => (event.target.value = '')),
    });
    select.append(
      el('option', { value: '' }, 'Simulate…'),
      ...info.simulations.map((simulation) => el('option', { value: simulation.id }, simulation.label)),
    );
    slots.simulate.replaceChildren(select);
  }
}

async function loadSandbox() {
  if (!page.state?.sandbox) return;
  const info = await (await fetch('/ui/sandbox')).json();
  page.sandbox = info;
  (hooks.renderSandbox ?? defaultSandboxDrawing)(info, hooks.slots());
}

async function start() {
  $('nav-home').addEventListener('click', showHome);
  $('composer').addEventListener('submit', sendComposer);
  await refresh();
  await loadSandbox();
  const events = new EventSource('/ui/events');
  // The Security Hub panel follows what the bot did (every action ends in a message change) and what AWS did.
  events.addEventListener('change', () => void refresh().then(loadSandbox));
  setInterval(() => void loadSandbox(), 5_000);
  events.addEventListener('open', () => void refresh());
}

void start();
