import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeSlackApi } from '../../support/fake-slack-api.js';

/** What a finished `npm start` left behind. */
interface Ended {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

interface Started {
  readonly ended: Promise<Ended>;
  /** Resolves once stdout holds `text`. */
  printed(text: string, timeoutMs: number): Promise<void>;
  signal(name: NodeJS.Signals): void;
  /** The bot's own process (npm runs it under sh and tsx): what a process manager that tracks the bot signals. */
  botPid(): Promise<number>;
}

/** Every process under `pid`, depth first, with its command line (Linux /proc). */
async function descendants(pid: number): Promise<{ pid: number; command: string }[]> {
  const children = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '');
  const found: { pid: number; command: string }[] = [];
  for (const child of children.split(' ').filter(Boolean).map(Number)) {
    const command = await readFile(`/proc/${child}/cmdline`, 'utf8').catch(() => '');
    found.push({ pid: child, command: command.replaceAll('\0', ' ') }, ...(await descendants(child)));
  }
  return found;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

let dataDir: string;
let slack: FakeSlackApi;
let children: Started[] = [];

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'cspm-npm-start-'));
  slack = await new FakeSlackApi().start();
});

afterEach(async () => {
  for (const child of children) child.signal('SIGKILL');
  children = [];
  await slack.stop();
  await rm(dataDir, { recursive: true, force: true });
});

/**
 * The README's `npm start` with Slack configured (HTTP mode, or Socket Mode given `appToken`) against `slackApiUrl`; the bundled samples stand in
 * for AWS (CSPM_SAMPLES=true keeps a developer's own AWS profile out of it).
 */
async function npmStart(slackApiUrl: string, botToken: string, appToken?: string): Promise<Started> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    SLACK_BOT_TOKEN: botToken,
    SLACK_SIGNING_SECRET: 'test-signing-secret',
    CSPM_SLACK_API_URL: slackApiUrl,
    CSPM_SAMPLES: 'true',
    CSPM_DATA_DIR: dataDir,
    CSPM_DEFAULT_CHANNEL: 'C0SECALERT',
    CSPM_TIMEZONE: 'UTC',
    PORT: String(await freePort()),
  };
  // Socket Mode when an app-level token is given, else HTTP mode.
  if (appToken === undefined) delete env['SLACK_APP_TOKEN'];
  else env['SLACK_APP_TOKEN'] = appToken;
  const child = spawn('npm', ['start'], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stdout = '';
  let stderr = '';
  const waiting = new Set<() => void>();
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
    for (const look of waiting) look();
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const ended = new Promise<Ended>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  const started: Started = {
    ended,
    printed: (text, timeoutMs) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`npm start never printed "${text}":\n${stdout}\n${stderr}`)),
          timeoutMs,
        );
        const look = () => {
          if (!stdout.includes(text)) return;
          clearTimeout(timer);
          waiting.delete(look);
          resolve();
        };
        waiting.add(look);
        void ended.then(() => {
          if (waiting.has(look))
            reject(new Error(`npm start exited before printing "${text}":\n${stdout}\n${stderr}`));
        });
        look();
      }),
    botPid: async () => {
      const bots = (await descendants(child.pid!)).filter(({ command }) =>
        command.includes('src/runtime/local.ts'),
      );
      if (bots.length === 0) throw new Error('npm start runs no src/runtime/local.ts process');
      return bots.at(-1)!.pid;
    },
    signal: (name) => {
      try {
        // The whole group: npm, the shell and tsx under it.
        if (child.pid !== undefined && child.exitCode === null)
          process.kill(name === 'SIGKILL' ? -child.pid : child.pid, name);
      } catch {
        // Already gone.
      }
    },
  };
  children.push(started);
  return started;
}

function nonEmptyLines(text: string): string[] {
  return text.split('\n').filter((line) => line.trim() !== '');
}

describe('npm start with Slack configured', () => {
  it('prints one line naming the refused token and exits non-zero when Slack answers invalid_auth', async () => {
    slack.fail('auth.test', { kind: 'slack-error', error: 'invalid_auth' }, { times: Infinity });

    const ended = await (await npmStart(slack.url, 'xoxb-bad')).ended;

    expect(ended.code).not.toBe(0);
    expect(ended.code).not.toBeNull();
    expect(nonEmptyLines(ended.stderr)).toHaveLength(1);
    expect(ended.stderr).toContain('Slack refused the bot token (invalid_auth)');
    expect(ended.stderr).toContain('SLACK_BOT_TOKEN');
    expect(ended.stderr).not.toMatch(/\n\s+at /);
    // Nothing was posted with a token Slack refused.
    expect(slack.callsOf('chat.postMessage')).toHaveLength(0);
  }, 30_000);

  it('prints one line naming the refused app-level token in Socket Mode, and exits non-zero', async () => {
    slack.fail('apps.connections.open', { kind: 'slack-error', error: 'invalid_auth' }, { times: Infinity });

    const ended = await (await npmStart(slack.url, 'xoxb-good', 'xapp-1-A0APP-bad')).ended;

    expect(ended.code).not.toBe(0);
    expect(ended.code).not.toBeNull();
    expect(nonEmptyLines(ended.stderr)).toHaveLength(1);
    expect(ended.stderr).toContain('Slack refused the app-level token (invalid_auth): check SLACK_APP_TOKEN');
  }, 30_000);

  it('prints one line naming the Slack URL it could not reach and exits non-zero', async () => {
    const closedPort = await freePort();
    const unreachable = `http://127.0.0.1:${closedPort}/api/`;

    const ended = await (await npmStart(unreachable, 'xoxb-good')).ended;

    expect(ended.code).not.toBe(0);
    expect(ended.code).not.toBeNull();
    expect(nonEmptyLines(ended.stderr)).toEqual([
      `cspm-bot: cannot reach Slack at ${unreachable} (ECONNREFUSED): check the network, a proxy, or CSPM_SLACK_API_URL`,
    ]);
  }, 30_000);

  it('stops cleanly and exits 0 on SIGTERM, as on Ctrl-C', async () => {
    const bot = await npmStart(slack.url, 'xoxb-good');
    await bot.printed('Running; Ctrl-C to stop.', 40_000);
    const posted = slack.callsOf('chat.postMessage').length;

    process.kill(await bot.botPid(), 'SIGTERM');
    const ended = await bot.ended;

    expect(posted).toBeGreaterThan(0);
    // The bot's exit code passes up through tsx, sh and npm.
    expect({ code: ended.code, signal: ended.signal }).toEqual({ code: 0, signal: null });
    expect(ended.stdout).toContain('Stopped:');
    expect(ended.stderr.trim()).toBe('');
  }, 60_000);
});
