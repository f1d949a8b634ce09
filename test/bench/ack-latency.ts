/**
 * Slack's 3-second ack over real HTTP: bursts of 50 concurrent, signed `/cspm status` requests to the bot's Bolt app
 * (its gated HTTP receiver) while the estate is stored; each status is then built and answered in the background,
 * so later acks share the machine with that work, as in production. Baseline: a bare Bolt app that only acks.
 */
import { performance } from 'node:perf_hooks';
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';
import type { Config } from '../../src/config/config.js';
import type { JobQueue } from '../../src/slack/slack-jobs.js';
import { createLocalSlackApp } from '../../src/runtime/slack-app.js';
import { slackAccess } from '../../src/runtime/slack-access.js';
import { commandDeps, listenerDeps } from '../../src/runtime/slack-wiring.js';
import { createSlackWebClient } from '../../src/runtime/slack-web-client.js';
import type { Store } from '../../src/runtime/store.js';
import { systemClock } from '../../src/runtime/system-clock.js';
import type { FakeSlackApi } from '../support/fake-slack-api.js';
import { recordingLog } from '../support/recording-log.js';
import { SIGNING_SECRET, slackSignatureHeaders, slashCommandBody } from '../support/signed-slack-request.js';
import type { BenchRow } from './bench-table.js';
import { ms, ratio } from './bench-table.js';
import { freePort } from './bench-environment.js';
import { percentile } from './percentiles.js';

const CONCURRENT = 50;
const USER = 'U0ALICE01';
const CHANNEL = 'C0ACKBENCH';

/** One burst: every request signed and sent at once; the time each took to be answered (the ack). */
async function burst(port: number, slack: FakeSlackApi): Promise<number[]> {
  return Promise.all(
    Array.from({ length: CONCURRENT }, async () => {
      const body = slashCommandBody('status', {
        user: USER,
        channel: CHANNEL,
        responseUrl: slack.issueResponseUrl({ channel: CHANNEL, user: USER }),
      });
      const started = performance.now();
      const response = await fetch(`http://127.0.0.1:${port}/slack/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...slackSignatureHeaders(body) },
        body,
      });
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`/cspm status was answered ${response.status}`);
      return performance.now() - started;
    }),
  );
}

async function until(done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
}

async function acksOf(
  port: number,
  slack: FakeSlackApi,
  bursts: number,
  answered: () => number,
): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < bursts; i += 1) {
    const before = answered();
    samples.push(...(await burst(port, slack)));
    // The next burst starts once this one's answers are in (or 60 s passed), so each burst meets the same load.
    await until(() => answered() >= before + CONCURRENT, 60_000);
  }
  return samples;
}

export async function measureAckLatency(input: {
  config: Config;
  store: Store;
  slack: FakeSlackApi;
  bursts: number;
  estate: string;
}): Promise<BenchRow[]> {
  const { store, slack } = input;
  const log = recordingLog();

  const barePort = await freePort();
  const bare = new App({
    token: 'xoxb-bench-token',
    receiver: new HTTPReceiver({ signingSecret: SIGNING_SECRET, port: barePort, logLevel: LogLevel.ERROR }),
    logLevel: LogLevel.ERROR,
    // Bolt still asks auth.test for the bot id on the first request: the fake Slack answers, nothing leaves 127.0.0.1.
    clientOptions: { slackApiUrl: slack.url },
    tokenVerificationEnabled: false,
  });
  let bareAcks = 0;
  bare.command('/cspm', async ({ ack }) => {
    await ack();
    bareAcks += 1;
  });
  await bare.start(barePort);
  const baseline = await acksOf(barePort, slack, input.bursts, () => bareAcks);
  await bare.stop();

  const port = await freePort();
  const config = { ...input.config, port };
  const slackClient = createSlackWebClient('xoxb-bench-token', config.slackApiUrl);
  const surface = {
    ...slackAccess(config, slackClient),
    client: slackClient,
    findings: store.findings,
    clock: systemClock,
    log,
  };
  const queue: JobQueue = { enqueue: async () => undefined };
  const app = createLocalSlackApp(config, listenerDeps(surface, queue, commandDeps(config, store, surface)));
  await app.start(port);
  const answered = () => slack.ephemerals.length;
  const acks = await acksOf(port, slack, input.bursts, answered);
  await app.stop();

  const [p50, p95, p99] = [50, 95, 99].map((p) => percentile(acks, p)) as [number, number, number];
  const baseP99 = percentile(baseline, 99);
  return [
    {
      figure: `ack of /cspm status, ${CONCURRENT} concurrent (${input.estate}; ${acks.length} requests): p50 ${ms(p50)}, p95 ${ms(p95)}`,
      goal: 'p99 < 300 ms',
      measured: `p99 ${ms(p99)}`,
      baseline: `p99 ${ms(baseP99)} (bare Bolt ack; p50 ${ms(percentile(baseline, 50))})`,
      ratio: ratio(p99, baseP99),
      meetsGoal: p99 < 300,
    },
  ];
}
