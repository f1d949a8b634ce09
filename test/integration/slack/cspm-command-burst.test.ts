import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { App } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/config.js';
import { triage } from '../../../src/domain/triage.js';
import { createLocalSlackApp } from '../../../src/runtime/slack-app.js';
import { slackAccess } from '../../../src/runtime/slack-access.js';
import { commandDeps, listenerDeps } from '../../../src/runtime/slack-wiring.js';
import { createSlackWebClient } from '../../../src/runtime/slack-web-client.js';
import { createStore } from '../../../src/runtime/store.js';
import type { Store } from '../../../src/runtime/store.js';
import { ensureTable, startEmbeddedDynamoDb } from '../../../src/store/embedded-dynamodb.js';
import type { EmbeddedDynamoDb } from '../../../src/store/embedded-dynamodb.js';
import { ACCOUNT, makeFinding } from '../../fixtures/finding.js';
import { FakeSlackApi } from '../../support/fake-slack-api.js';
import { fixedClock } from '../../support/fixed-clock.js';
import { recordingLog } from '../../support/recording-log.js';
import {
  SIGNING_SECRET,
  slackSignatureHeaders,
  slashCommandBody,
} from '../../support/signed-slack-request.js';

const CHANNEL = 'C0SECOPS01';
const OTHER_ACCOUNT = '444455556666';
const slack = new FakeSlackApi();
let dynamo: EmbeddedDynamoDb;
let app: App;
let port: number;
/** How often the status read the counters, and whether the store should fail as an unreachable table would. */
const store = { counterReads: 0, failing: false };

async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: free } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return free;
}

/** The stored estate: three open findings, two in ACCOUNT (one CRITICAL) and one in OTHER_ACCOUNT. */
async function storeEstate(target: Store): Promise<void> {
  const findings = [
    makeFinding(),
    makeFinding({ id: `${makeFinding().id}-critical`, severity: 'CRITICAL' }),
    makeFinding({
      id: `${makeFinding().id}-other`.replace(ACCOUNT, OTHER_ACCOUNT),
      accountId: OTHER_ACCOUNT,
    }),
  ];
  await target.findings.importNew(
    findings.map((finding) => ({
      finding,
      triage: triage(finding),
      channel: CHANNEL,
      now: '2026-11-20T09:00:00.000Z',
    })),
  );
}

beforeAll(async () => {
  await slack.start();
  dynamo = await startEmbeddedDynamoDb();
  await ensureTable(dynamo.client, 'cspm-burst');
  const stored = createStore(dynamo.client, 'cspm-burst');
  await storeEstate(stored);
  const group = stored.stats.group.bind(stored.stats);
  stored.stats.group = async (name) => {
    store.counterReads += 1;
    if (store.failing) throw new Error('connect ECONNREFUSED 127.0.0.1:8000');
    return group(name);
  };
  port = await freeLoopbackPort();
  const config = loadConfig({
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    CSPM_SLACK_API_URL: slack.url,
    CSPM_DEFAULT_CHANNEL: CHANNEL,
    CSPM_HOME_ACCOUNT_ID: ACCOUNT,
    PORT: String(port),
  });
  const client = createSlackWebClient('xoxb-test', config.slackApiUrl);
  // Wired as `npm start` wires it: the listener answers after its ack, in this process.
  const surface = {
    ...slackAccess(config, client),
    client,
    findings: stored.findings,
    clock: fixedClock('2026-11-22T10:00:00.000Z'),
    log: recordingLog(),
  };
  const queue = { enqueue: async () => undefined };
  app = createLocalSlackApp(config, listenerDeps(surface, queue, commandDeps(config, stored, surface)));
  await app.start();
});
afterAll(async () => {
  await app?.stop();
  await slack.stop();
  // A report that failed on one read leaves its other reads in flight: let them finish before the table goes.
  await new Promise((resolve) => setTimeout(resolve, 500));
  await dynamo?.close();
});

/** People (ids starting `who`) each type `/cspm <text>` at the same moment, each with their own response_url. */
async function burst(who: string, texts: readonly string[]) {
  return Promise.all(
    texts.map(async (text, n) => {
      const user = `${who}${String(n).padStart(3, '0')}`;
      const body = slashCommandBody(text, {
        user,
        channel: CHANNEL,
        responseUrl: slack.issueResponseUrl({ channel: CHANNEL, user }),
      });
      const response = await fetch(`http://127.0.0.1:${port}/slack/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...slackSignatureHeaders(body) },
        body,
      });
      return { user, text, status: response.status, body: await response.text() };
    }),
  );
}

async function answersTo(users: readonly string[], timeoutMs = 20_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const answers = slack.ephemerals.filter((message) => users.includes(message.user));
    if (answers.length >= users.length || Date.now() > until) return answers;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('/cspm status: a burst of people asking at once over HTTP', () => {
  it('acks every request and answers each person privately with the status they asked for', async () => {
    store.counterReads = 0;
    const texts = Array.from({ length: 50 }, (_, n) => (n % 5 === 4 ? `status ${OTHER_ACCOUNT}` : 'status'));
    const acks = await burst('U0BURST', texts);
    expect(acks.map((ack) => [ack.status, ack.body])).toEqual(texts.map(() => [200, '']));

    const answers = await answersTo(acks.map((ack) => ack.user));
    expect(answers).toHaveLength(50);
    for (const ack of acks) {
      const mine = answers.filter((answer) => answer.user === ack.user);
      expect(mine).toHaveLength(1);
      expect(mine[0]!.channel).toBe(CHANNEL);
      expect(mine[0]!.text).toBe(
        ack.text === 'status'
          ? 'Security posture (all accounts): 3 open findings, 1 CRITICAL, 2 HIGH, 0 internet-exposed.'
          : `Security posture (account ${OTHER_ACCOUNT}): 1 open finding, 0 CRITICAL, 1 HIGH, 0 internet-exposed.`,
      );
    }
    // People asking the same thing together share a read of the store rather than each making their own.
    expect(store.counterReads).toBeLessThan(texts.length / 5);
  });

  it('tells every person in the burst when the store cannot be read, and answers again once it can', async () => {
    store.failing = true;
    // A scope no earlier test asked for, so no answer from just before is shared.
    const failed = await burst(
      'U0FAIL',
      Array.from({ length: 10 }, () => 'status EC2.13'),
    );
    expect(failed.every((ack) => ack.status === 200)).toBe(true);
    const warnings = await answersTo(failed.map((ack) => ack.user));
    expect(warnings).toHaveLength(10);
    expect(warnings.every((answer) => String(answer.text).startsWith(':warning:'))).toBe(true);

    store.failing = false;
    const retried = await burst('U0RETRY', ['status EC2.13']);
    const [answer] = await answersTo(retried.map((ack) => ack.user));
    expect(answer?.text).toBe(
      'Security posture (EC2.13): 3 open findings, 1 CRITICAL, 2 HIGH, 0 internet-exposed.',
    );
  });
});
