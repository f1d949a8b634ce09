import { readFileSync } from 'node:fs';
import { isMap, isScalar, isSeq, parseDocument } from 'yaml';
import type { Document } from 'yaml';
import { AppError } from '../src/domain/app-error.js';

/**
 * The Slack app manifests. `manifest.yml` (Socket Mode, for `npm start`) is the one source: the HTTP-mode manifest
 * for the deployed bot is derived from it, so scopes, commands, shortcuts and events can never differ between them.
 */
export const SOCKET_MODE_MANIFEST = new URL('../manifest.yml', import.meta.url);
/** The HTTP-mode manifest as committed, with `HTTP_MANIFEST_PLACEHOLDER` where the request URL goes. */
export const HTTP_MODE_MANIFEST = new URL('../manifest.http.yml', import.meta.url);

/** Slack refuses it as a URL, so a manifest pasted without `npm run manifest -- --url …` fails at once. */
export const HTTP_MANIFEST_PLACEHOLDER = 'https://<SlackRequestUrl>/slack/events';

/** Bolt's HTTP path; the Lambda answers at any path of its Function URL, `npm start` (HTTP) only at this one. */
const EVENTS_PATH = 'slack/events';

const HEADER = [
  " Slack app manifest for the deployed cspm-bot (HTTP mode: Slack calls the SlackHandler Lambda's Function URL).",
  ' Generated from manifest.yml by `npm run manifest -- --url <SlackRequestUrl>` (or `--outputs cdk-outputs.json`),',
  ' which prints it with the request URL filled in; do not edit it by hand. Paste the printed manifest in',
  ' https://api.slack.com/apps → Create New App → From an app manifest, or App Manifest of an existing app.',
].join('\n');

/** A URL or outputs file `npm run manifest` cannot use; the message says what to pass instead. */
export class SlackManifestInputError extends AppError {
  readonly code = 'SLACK_MANIFEST_INPUT_INVALID';
}

/**
 * The request URL Slack calls for events, interactivity and `/cspm`: the stack's `SlackRequestUrl` output
 * (`https://….lambda-url.<region>.on.aws/`) with `/slack/events`, or a URL that already ends with it.
 */
export function slackRequestUrl(slackRequestUrlOutput: string): string {
  let url: URL;
  try {
    url = new URL(slackRequestUrlOutput.trim());
  } catch {
    throw new SlackManifestInputError(
      `"${slackRequestUrlOutput}" is not a URL: pass the CspmBot stack's SlackRequestUrl output, e.g. ` +
        'https://abc123.lambda-url.eu-west-1.on.aws/',
    );
  }
  if (url.protocol !== 'https:') {
    throw new SlackManifestInputError(`${url.href}: Slack only calls https:// request URLs`);
  }
  if (url.pathname.replace(/\/+$/, '').endsWith(`/${EVENTS_PATH}`)) return url.href.replace(/\/+$/, '');
  return new URL(EVENTS_PATH, url.href.endsWith('/') ? url.href : `${url.href}/`).href;
}

/** The SlackRequestUrl output from `npx cdk deploy CspmBot --outputs-file <file>`'s JSON. */
export function slackRequestUrlFromOutputs(outputsJson: string, source: string): string {
  let outputs: unknown;
  try {
    outputs = JSON.parse(outputsJson);
  } catch {
    throw new SlackManifestInputError(
      `${source}: not JSON; write it with npx cdk deploy CspmBot --outputs-file ${source}`,
    );
  }
  const stack =
    typeof outputs === 'object' && outputs !== null && 'CspmBot' in outputs ? outputs.CspmBot : undefined;
  const url =
    typeof stack === 'object' && stack !== null && 'SlackRequestUrl' in stack
      ? stack.SlackRequestUrl
      : undefined;
  if (typeof url !== 'string') {
    throw new SlackManifestInputError(
      `${source}: holds no CspmBot.SlackRequestUrl; write it with npx cdk deploy CspmBot --outputs-file ${source}`,
    );
  }
  return url;
}

/**
 * The HTTP-mode manifest: `socketModeManifest` (manifest.yml's text) with Socket Mode off and `requestUrl` as the
 * URL of every slash command, of event subscriptions and of interactivity. Comments are kept.
 */
export function httpModeManifest(socketModeManifest: string, requestUrl: string): string {
  const document = parseDocument(socketModeManifest);
  if (document.errors.length > 0)
    throw new Error(`manifest.yml is not valid YAML: ${document.errors[0]!.message}`);
  // manifest.yml's own header (it describes the Socket Mode app) sits on its first key; this file gets its own.
  const firstKey = isMap(document.contents) ? document.contents.items[0]?.key : undefined;
  if (isScalar(firstKey)) firstKey.commentBefore = null;
  document.commentBefore = HEADER;
  const commands = document.getIn(['features', 'slash_commands']);
  if (isSeq(commands)) {
    for (const command of commands.items) if (isMap(command)) command.set('url', requestUrl);
  }
  setFirst(document, ['settings', 'event_subscriptions'], 'request_url', requestUrl);
  setFirst(document, ['settings', 'interactivity'], 'request_url', requestUrl);
  document.setIn(['settings', 'socket_mode_enabled'], false);
  return document.toString({ lineWidth: 0 });
}

/** Sets `key` first in the map at `path` (where Slack's own manifest export puts the URL). */
function setFirst(document: Document, path: readonly string[], key: string, value: string): void {
  const map = document.getIn(path);
  if (!isMap(map)) throw new Error(`manifest.yml has no ${path.join('.')} to give a ${key}`);
  map.delete(key);
  map.items.unshift(document.createPair(key, value));
}

/** The committed manifest.yml, as `npm run manifest` and the tests read it. */
export function readSocketModeManifest(): string {
  return readFileSync(SOCKET_MODE_MANIFEST, 'utf8');
}
