import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RunningBot {
  /** The workspace URL `npm start` printed. */
  readonly url: string;
  readonly dataDir: string;
  /** How many new findings the first Security Hub sync stored (each is posted at Slack's pace after that). */
  readonly alerted: number;
  /** Everything the process printed so far. */
  output(): string;
  /** The sandbox account as kept on disk (security groups, findings, notes). */
  sandboxState(): Promise<unknown>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const URL_LINE = /Local Slack workspace: (http:\/\/127\.0\.0\.1:\d+\/)/;

/**
 * The README's start command, exactly: `npm start` with no Slack tokens and no AWS credentials (CSPM_SAMPLES=true
 * keeps a developer's own AWS profile out of it), in a fresh data folder, on a free loopback port.
 */
export async function startNpmStart(): Promise<RunningBot> {
  const dataDir = await mkdtemp(join(tmpdir(), 'cspm-e2e-data-'));
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    CSPM_DATA_DIR: dataDir,
    CSPM_SAMPLES: 'true',
    CSPM_TIMEZONE: 'UTC',
  };
  for (const name of ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'SLACK_APP_TOKEN', 'CSPM_SLACK_API_URL'])
    delete env[name];
  const child: ChildProcess = spawn('npm', ['start', '--', '--reset'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let printed = '';
  child.stdout?.on('data', (chunk: Buffer) => (printed += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (printed += chunk.toString('utf8')));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`npm start printed no workspace URL in 90 s:\n${printed}`)),
      90_000,
    );
    const look = () => {
      const found = URL_LINE.exec(printed)?.[1];
      // The first sync has posted the samples once the "Security Hub …" line follows the URL.
      if (found && /Security Hub (?:CSPM|\(OCSF\)) \S+: \d+ new/.test(printed)) {
        clearTimeout(timer);
        resolve(found);
      }
    };
    child.stdout?.on('data', look);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`npm start exited (${code}) before serving the workspace:\n${printed}`));
    });
  });
  return {
    url,
    dataDir,
    alerted: Number(/Security Hub (?:CSPM|\(OCSF\)) \S+: (\d+) new/.exec(printed)?.[1] ?? 0),
    output: () => printed,
    sandboxState: async () =>
      JSON.parse(await readFile(join(dataDir, 'sandbox-account.json'), 'utf8')) as unknown,
    stop: async () => {
      if (child.pid !== undefined) {
        const group = -child.pid;
        const signal = (name: NodeJS.Signals) => {
          try {
            process.kill(group, name);
          } catch {
            // The whole group has exited already.
          }
        };
        // npm exits at once; the bot under it shuts down on SIGTERM, and whatever is left of the group is killed.
        signal('SIGTERM');
        await new Promise((resolve) => setTimeout(resolve, 3_000));
        signal('SIGKILL');
      }
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
