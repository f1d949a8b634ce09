import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { App } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/config.js';
import { createLocalSlackApp } from '../../../src/runtime/slack-app.js';
import type { FindingRepository } from '../../../src/store/finding-repository.js';
import type { StatusDeps } from '../../../src/usecases/build-status-report.js';
import { FakeSlackApi } from '../../support/fake-slack-api.js';
import { fixedClock } from '../../support/fixed-clock.js';
import { recordingLog } from '../../support/recording-log.js';
import {
  SIGNING_SECRET,
  slackSignatureHeaders,
  slashCommandBody,
} from '../../support/signed-slack-request.js';

const slack = new FakeSlackApi();
let app: App;
let port: number;

/** Every read of this store takes 3 s, as a cold or throttled table might; when the first read came back. */
const STORE_DELAY_MS = 3_000;
let firstReadAnsweredAt: number | undefined;
const slowly = <T>(value: T) =>
  new Promise<T>((resolve) =>
    setTimeout(() => {
      firstReadAnsweredAt ??= performance.now();
      resolve(value);
    }, STORE_DELAY_MS),
  );
const slowStatus = {
  findings: { openFindings: () => slowly([]), stuckDeliveries: () => slowly([]) },
  acceptances: { activeEndingBefore: () => slowly([]) },
  stats: {
    group: () => slowly(new Map()),
    groups: (names: string[]) => slowly(names.map(() => new Map())),
    meanTimeToRemediateHours: () => slowly(undefined),
  },
  clock: fixedClock('2026-11-22T10:00:00.000Z'),
} as unknown as StatusDeps;

async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: free } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return free;
}

beforeAll(async () => {
  await slack.start();
  port = await freeLoopbackPort();
  const config = loadConfig({
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    CSPM_SLACK_API_URL: slack.url,
    PORT: String(port),
  });
  const users = { userGroupsOf: async () => [], displayName: async () => undefined };
  app = createLocalSlackApp(config, {
    log: recordingLog(),
    queue: { enqueue: async () => undefined },
    users,
    policy: { users: [], userGroups: [] },
    findings: { get: async () => undefined } as unknown as FindingRepository,
    acceptanceRules: { timeZone: 'UTC', defaultDays: 30, maxDays: 365 },
    clock: fixedClock('2026-11-22T10:00:00.000Z'),
    command: { status: slowStatus, users, policy: { users: [], userGroups: [] }, log: recordingLog() },
  });
  await app.start();
});
afterAll(async () => {
  await app.stop();
  await slack.stop();
});

function send(text: string, responseUrl: string): Promise<Response> {
  const body = slashCommandBody(text, { responseUrl });
  return fetch(`http://127.0.0.1:${port}/slack/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...slackSignatureHeaders(body) },
    body,
  });
}

async function eventually<T>(read: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > until)
      throw new Error(`not answered in time: ${JSON.stringify(slack.calls.map((call) => call.method))}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('/cspm over HTTP with a slow store', () => {
  it('acks 50 concurrent commands before the store answers anything, and answers every one at its response_url', async () => {
    // One command first: the first request of a process pays for loading code, as a deployment's first does.
    await send('help', `${slack.url}response/warm-up`);
    const requests = Array.from({ length: 50 }, async (_, n) => {
      const started = performance.now();
      const response = await send(n % 2 === 0 ? 'status' : 'status EC2.13', `${slack.url}response/${n}`);
      const ackMs = performance.now() - started;
      return { status: response.status, body: await response.text(), ackMs };
    });
    const acks = await Promise.all(requests);

    expect(acks.every((ack) => ack.status === 200 && ack.body === '')).toBe(true);
    // Every answer needs the store: an ack that waited for any of it would come after its first read came back.
    expect(firstReadAnsweredAt).toBeUndefined();
    expect(Math.max(...acks.map((ack) => ack.ackMs))).toBeLessThan(STORE_DELAY_MS);

    const answered = await eventually(() => {
      const count = slack.calls.filter((call) => call.method.startsWith('response/')).length;
      return count === 50 ? count : undefined;
    });
    expect(answered).toBe(50);
    expect(
      slack.calls
        .filter((call) => call.method.startsWith('response/'))
        .every((call) => call.body['response_type'] === 'ephemeral'),
    ).toBe(true);
  });
});
