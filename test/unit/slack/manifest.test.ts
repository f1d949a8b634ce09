import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  HTTP_MANIFEST_PLACEHOLDER,
  HTTP_MODE_MANIFEST,
  httpModeManifest,
  SlackManifestInputError,
  slackRequestUrl,
  slackRequestUrlFromOutputs,
  SOCKET_MODE_MANIFEST,
} from '../../../infra/slack-manifest.js';

interface Manifest {
  features: {
    slash_commands: { command: string; url?: string }[];
    shortcuts?: { callback_id: string }[];
    app_home: { home_tab_enabled: boolean };
  };
  oauth_config: { scopes: { bot: string[] } };
  settings: {
    event_subscriptions: { bot_events: string[]; request_url?: string };
    interactivity: { is_enabled: boolean; request_url?: string };
    socket_mode_enabled: boolean;
  };
}

const socketText = readFileSync(SOCKET_MODE_MANIFEST, 'utf8');
const httpText = readFileSync(HTTP_MODE_MANIFEST, 'utf8');
const socket = parse(socketText) as Manifest;
const http = parse(httpText) as Manifest;

// A real Function URL output of the CspmBot stack (account-specific id, region).
const FUNCTION_URL = 'https://abcdefghijklmnopqrstuvwxyz012345.lambda-url.eu-west-1.on.aws/';

/** What Slack sees of an app: everything that decides which requests it sends and what the bot may do. */
function appSurface(manifest: Manifest) {
  return {
    scopes: [...manifest.oauth_config.scopes.bot].sort(),
    commands: manifest.features.slash_commands.map((command) => command.command),
    shortcuts: (manifest.features.shortcuts ?? []).map((shortcut) => shortcut.callback_id),
    events: [...manifest.settings.event_subscriptions.bot_events].sort(),
    interactivity: manifest.settings.interactivity.is_enabled,
    homeTab: manifest.features.app_home.home_tab_enabled,
  };
}

/** Every URL Slack would call in HTTP mode. */
function requestUrlsOf(manifest: Manifest): (string | undefined)[] {
  return [
    ...manifest.features.slash_commands.map((command) => command.url),
    manifest.settings.event_subscriptions.request_url,
    manifest.settings.interactivity.request_url,
  ];
}

describe('manifest.yml (Socket Mode, npm start)', () => {
  it('creates an app with the /cspm command, interactivity for the buttons and Socket Mode for npm start', () => {
    expect(socket.features.slash_commands.map((command) => command.command)).toEqual(['/cspm']);
    expect(socket.settings.interactivity.is_enabled).toBe(true);
    expect(socket.settings.socket_mode_enabled).toBe(true);
    expect(requestUrlsOf(socket)).toEqual([undefined, undefined, undefined]);
  });

  it('asks for the scopes the bot uses and no broader ones', () => {
    expect(socket.oauth_config.scopes.bot.sort()).toEqual([
      'channels:history',
      'chat:write',
      'commands',
      'files:write',
      'groups:history',
      'usergroups:read',
      'users:read',
    ]);
  });

  it('subscribes to every event the bot listens to', () => {
    expect(socket.settings.event_subscriptions.bot_events).toEqual(['app_home_opened']);
  });
});

describe('manifest.http.yml (HTTP mode, the deployed bot)', () => {
  it('declares the same scopes, commands, shortcuts and events as manifest.yml', () => {
    expect(appSurface(http)).toEqual(appSurface(socket));
  });

  it('turns Socket Mode off and sends every request to the placeholder request URL', () => {
    expect(http.settings.socket_mode_enabled).toBe(false);
    expect(requestUrlsOf(http)).toEqual([
      HTTP_MANIFEST_PLACEHOLDER,
      HTTP_MANIFEST_PLACEHOLDER,
      HTTP_MANIFEST_PLACEHOLDER,
    ]);
  });

  it('is what `npm run manifest -- --write` makes of manifest.yml (edit manifest.yml, then run it)', () => {
    expect(httpText).toBe(httpModeManifest(socketText, HTTP_MANIFEST_PLACEHOLDER));
  });

  it('keeps the reason given for each scope', () => {
    expect(httpText).toContain('- users:read # names of who decided, for the audit trail');
  });
});

describe('the request URL from the stack output', () => {
  it('adds /slack/events to the Function URL output, and keeps a URL that already ends with it', () => {
    expect(slackRequestUrl(FUNCTION_URL)).toBe(`${FUNCTION_URL}slack/events`);
    expect(slackRequestUrl(FUNCTION_URL.slice(0, -1))).toBe(`${FUNCTION_URL}slack/events`);
    expect(slackRequestUrl(`${FUNCTION_URL}slack/events/`)).toBe(`${FUNCTION_URL}slack/events`);
  });

  it('refuses what Slack would refuse, saying what to pass', () => {
    expect(() => slackRequestUrl('http://abc.lambda-url.eu-west-1.on.aws/')).toThrow(/only calls https:\/\//);
    expect(() => slackRequestUrl('SlackRequestUrl')).toThrow(SlackManifestInputError);
    expect(() => slackRequestUrl('SlackRequestUrl')).toThrow(/SlackRequestUrl output/);
  });

  it('reads it from `cdk deploy --outputs-file` JSON, or says how to write that file', () => {
    const outputs = JSON.stringify({
      CspmBot: { SlackRequestUrl: FUNCTION_URL, TableName: 'CspmBot-Table' },
    });

    expect(slackRequestUrlFromOutputs(outputs, 'cdk-outputs.json')).toBe(FUNCTION_URL);
    expect(() => slackRequestUrlFromOutputs('{"CspmBotMember":{}}', 'cdk-outputs.json')).toThrow(
      /--outputs-file cdk-outputs\.json/,
    );
  });
});

describe('npm run manifest', () => {
  const folder = mkdtempSync(join(tmpdir(), 'cspm-manifest-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));
  const run = (...args: string[]) =>
    promisify(execFile)('npx', ['tsx', 'infra/print-slack-manifest.ts', ...args]);

  it('prints the HTTP manifest with the stack output filled in', async () => {
    const outputsFile = join(folder, 'cdk-outputs.json');
    writeFileSync(outputsFile, JSON.stringify({ CspmBot: { SlackRequestUrl: FUNCTION_URL } }));

    const [byUrl, byOutputs] = await Promise.all([run('--url', FUNCTION_URL), run('--outputs', outputsFile)]);

    const printed = parse(byUrl.stdout) as Manifest;
    expect(requestUrlsOf(printed)).toEqual(Array(3).fill(`${FUNCTION_URL}slack/events`));
    expect(appSurface(printed)).toEqual(appSurface(socket));
    expect(byOutputs.stdout).toBe(byUrl.stdout);
  }, 30_000);

  it('prints one line and exits non-zero for a URL Slack would refuse', async () => {
    const failed = await run('--url', 'http://abc.lambda-url.eu-west-1.on.aws/').then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );

    expect(failed?.code).toBe(2);
    expect(failed?.stderr.trim().split('\n')).toEqual([
      'cspm-bot manifest: http://abc.lambda-url.eu-west-1.on.aws/: Slack only calls https:// request URLs',
    ]);
  }, 30_000);
});
