/**
 * A burst of 500 new findings for one channel (an account onboarded, a new control enabled), through the Ingest
 * Lambda's own wiring: the real SlackSender with its real per-channel pacing, against the fake Slack Web API, then
 * the delivery step for anything left owed. It runs in a child process that is stopped at the deadline, so an
 * unfinished burst cannot keep posting into the next figure: what Slack received by then is the figure.
 */
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { FakeSlackApi } from '../support/fake-slack-api.js';
import type { BenchRow } from './bench-table.js';
import { NONE } from './bench-table.js';

const PROCESS_FILE = fileURLToPath(new URL('./burst-delivery-process.ts', import.meta.url));

export async function measureBurstDelivery(input: {
  env: Record<string, string>;
  channel: string;
  findings: number;
  deadlineMs: number;
}): Promise<BenchRow[]> {
  const slack = await new FakeSlackApi({ realTime: true }).start();
  const env = { ...input.env, CSPM_SLACK_API_URL: slack.url, CSPM_DEFAULT_CHANNEL: input.channel };
  const child = spawn(process.execPath, ['--import', 'tsx', PROCESS_FILE], {
    env: { ...process.env, BENCH_BURST: JSON.stringify({ env, findings: input.findings }) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => void (stderr = (stderr + chunk.toString()).slice(-2_000)));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // The clock starts when the process has loaded and hands the findings to ingest.
  await Promise.race([new Promise<void>((resolve) => child.stdout.once('data', () => resolve())), exit]);
  const started = performance.now();
  const deadline = new Promise<'deadline'>((resolve) =>
    setTimeout(() => resolve('deadline'), input.deadlineMs).unref(),
  );
  const finished = await Promise.race([exit, deadline]);
  const elapsedMs = performance.now() - started;
  if (finished === 'deadline') {
    child.kill('SIGKILL');
    await exit;
  } else if (finished !== 0) {
    await slack.stop();
    throw new Error(`the burst process failed (exit ${finished}): …${stderr}`);
  }
  const posts = slack.callsOf('chat.postMessage').filter((call) => call.body['channel'] === input.channel);
  const topLevel = posts.filter((call) => call.body['thread_ts'] === undefined).length;
  await slack.stop();

  const allPosted = finished !== 'deadline';
  const seconds = (elapsedMs / 1000).toFixed(1);
  return [
    {
      figure: `burst of ${input.findings} findings for one channel (${posts.length} posts incl. thread replies; real pacing)`,
      goal: '≤ 10 messages, all within 15 s',
      measured: allPosted
        ? `${topLevel} messages in ${seconds} s`
        : `${topLevel} messages by ${seconds} s, not all posted (stopped)`,
      baseline: NONE,
      ratio: NONE,
      meetsGoal: allPosted && topLevel <= 10 && elapsedMs <= 15_000,
    },
  ];
}
