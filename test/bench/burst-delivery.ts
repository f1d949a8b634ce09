/**
 * A burst of 500 new findings for one channel (an account onboarded, a new control enabled), through the deployed
 * path (burst-delivery-process.ts): the real SlackSender with its real per-channel pacing, against the fake Slack Web
 * API. It runs in a child process that is stopped at the deadline, so an unfinished burst cannot keep posting into
 * the next figure. The goal is about the channel: how many messages it got and when the last one arrived; the
 * replies under the grouped messages (each finding with its own buttons) follow at Slack's pace of one a second.
 */
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DateTime } from 'luxon';
import { createStore } from '../../src/runtime/store.js';
import { FakeSlackApi } from '../support/fake-slack-api.js';
import type { BenchRow } from './bench-table.js';
import { NONE } from './bench-table.js';

const PROCESS_FILE = fileURLToPath(new URL('./burst-delivery-process.ts', import.meta.url));

/** Channel messages (grouped or alone) still owed when the burst was stopped: not posted yet. */
async function channelMessagesOwed(env: Record<string, string>): Promise<number> {
  const client = new DynamoDBClient({
    endpoint: env['CSPM_DYNAMODB_ENDPOINT']!,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const store = createStore(client, env['CSPM_TABLE_NAME']!);
  const later = DateTime.utc().plus({ days: 1 }).toISO();
  const groups = await store.groups.dueDeliveries(later, 1_000);
  const unpostedGroups = await Promise.all(
    groups.map(async ({ groupId }) => !(await store.groups.get(groupId))?.messageTs),
  );
  const alone = (await store.findings.dueRecords(later, 5_000)).filter(
    (record) => !record.groupId && !record.messageTs,
  );
  client.destroy();
  return unpostedGroups.filter(Boolean).length + alone.length;
}

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
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2_000);
  });
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let ingestedMs: number | undefined;
  let started = 0;
  child.stdout.on('data', (chunk: Buffer) => {
    if (chunk.toString().includes('ingested')) ingestedMs = performance.now() - started;
  });
  // The clock starts when the process has loaded and hands the findings to ingest.
  await Promise.race([new Promise<void>((resolve) => child.stdout.once('data', () => resolve())), exit]);
  started = performance.now();
  const posts = () =>
    slack.callsOf('chat.postMessage').filter((call) => call.body['channel'] === input.channel);
  const topLevel = () => posts().filter((call) => call.body['thread_ts'] === undefined).length;
  // When each channel message arrived (sampled every 20 ms).
  let lastTopLevel = 0;
  let lastTopLevelMs = 0;
  const sampler = setInterval(() => {
    const count = topLevel();
    if (count > lastTopLevel) [lastTopLevel, lastTopLevelMs] = [count, performance.now() - started];
  }, 20);
  const deadline = new Promise<'deadline'>((resolve) =>
    setTimeout(() => resolve('deadline'), input.deadlineMs).unref(),
  );
  const finished = await Promise.race([exit, deadline]);
  const elapsedMs = performance.now() - started;
  clearInterval(sampler);
  if (finished === 'deadline') {
    child.kill('SIGKILL');
    await exit;
  } else if (finished !== 0) {
    await slack.stop();
    throw new Error(`the burst process failed (exit ${finished}): …${stderr}`);
  }
  const messages = topLevel();
  const replies = posts().length - messages;
  await slack.stop();
  const owed = await channelMessagesOwed(env);

  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const everyReply =
    finished === 'deadline'
      ? `${replies} of the replies by ${seconds(elapsedMs)}`
      : `all ${replies} replies by ${seconds(elapsedMs)}`;
  return [
    {
      figure: `burst of ${input.findings} findings for one channel: channel messages (stored in ${ingestedMs === undefined ? '?' : seconds(ingestedMs)}; real pacing; ${everyReply})`,
      goal: '≤ 10 messages, all within 15 s',
      measured:
        owed === 0
          ? `${messages} messages, the last at ${seconds(lastTopLevelMs)}`
          : `${messages} messages by ${seconds(elapsedMs)}, ${owed} still owed`,
      baseline: NONE,
      ratio: NONE,
      meetsGoal: owed === 0 && messages <= 10 && lastTopLevelMs <= 15_000,
    },
  ];
}
