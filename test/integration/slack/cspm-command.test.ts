import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { BatchUpdateFindingsCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { EC2Client } from '@aws-sdk/client-ec2';
import { STSClient } from '@aws-sdk/client-sts';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { handler as ingestQueue } from '../../../src/runtime/lambda-ingest.js';
import { queuedEvents } from '../../support/ingest-queue-event.js';
import { handler as slackHandler } from '../../../src/runtime/lambda-slack.js';
import { handler as worker } from '../../../src/runtime/lambda-worker.js';
import type { SlackJob } from '../../../src/slack/slack-jobs.js';
import { ensureTable, startEmbeddedDynamoDb } from '../../../src/store/embedded-dynamodb.js';
import type { EmbeddedDynamoDb } from '../../../src/store/embedded-dynamodb.js';
import { allSampleFindings, makeImportedEvent } from '../../fixtures/asff.js';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../../src/config/config.js';
import { createLocalSlackApp } from '../../../src/runtime/slack-app.js';
import { createStore } from '../../../src/runtime/store.js';
import type { StatusDeps } from '../../../src/usecases/build-status-report.js';
import type { FindingRepository } from '../../../src/store/finding-repository.js';
import { FakeSlackApi } from '../../support/fake-slack-api.js';
import { fixedClock } from '../../support/fixed-clock.js';
import { recordingLog } from '../../support/recording-log.js';
import {
  SIGNING_SECRET,
  eventCallbackBody,
  functionUrlEvent,
  slackSignatureHeaders,
  slashCommandBody,
} from '../../support/signed-slack-request.js';

/** One EventBridge event, as the ingest queue hands it to the Ingest Lambda. */
const ingest = (event: unknown) => ingestQueue(queuedEvents([event]));

const slack = new FakeSlackApi();
const mocks = [
  mockClient(LambdaClient),
  mockClient(SecurityHubClient),
  mockClient(EC2Client),
  mockClient(STSClient),
] as const;
const [lambda, securityHub] = mocks;
const context = {} as Context;
let dynamo: EmbeddedDynamoDb;

/**
 * Help and refusals come back in the acknowledgement; everything else acks empty and answers at the response_url
 * (`progress`: what came there before the answer).
 */
async function cspm(
  text: string,
  user = 'U0ALICE01',
): Promise<{ ack: string; progress: string[]; text: string; blocks: string }> {
  const answeredBefore = slack.callsOf('response').length;
  const invokedBefore = lambda.commandCalls(InvokeCommand).length;
  const body = slashCommandBody(text, { user, responseUrl: `${slack.url}response` });
  const response = await slackHandler(functionUrlEvent(body, slackSignatureHeaders(body)), context);
  expect(response.statusCode).toBe(200);
  // The Slack Lambda hands the command to the Worker, which answers at the response_url: run it as AWS would.
  for (const call of lambda.commandCalls(InvokeCommand).slice(invokedBefore)) {
    await worker(JSON.parse(new TextDecoder().decode(call.args[0].input.Payload as Uint8Array)) as SlackJob);
  }
  const viaResponseUrl = slack
    .callsOf('response')
    .slice(answeredBefore)
    .map((call) => call.body as { response_type: string; text: string; blocks?: unknown[] });
  const reply =
    viaResponseUrl.at(-1) ??
    (JSON.parse(response.body) as { response_type: string; text: string; blocks?: unknown[] });
  for (const answer of [reply, ...viaResponseUrl]) expect(answer.response_type).toBe('ephemeral');
  return {
    ack: response.body,
    progress: viaResponseUrl.slice(0, -1).map((answer) => answer.text),
    text: reply.text,
    blocks: JSON.stringify(reply.blocks ?? []),
  };
}

beforeAll(async () => {
  await slack.start();
  dynamo = await startEmbeddedDynamoDb();
  await ensureTable(dynamo.client, 'cspm-command');
  Object.assign(process.env, {
    CSPM_TABLE_NAME: 'cspm-command',
    CSPM_DYNAMODB_ENDPOINT: dynamo.endpoint,
    CSPM_SLACK_API_URL: slack.url,
    SLACK_BOT_TOKEN: 'xoxb-test-token',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    CSPM_DEFAULT_CHANNEL: 'C0FINDINGS',
    CSPM_DIGEST_CHANNEL: 'C0DIGEST01',
    CSPM_ALLOWED_USERS: 'U0ALICE01',
    CSPM_WORKER_FUNCTION_NAME: 'cspm-bot-worker',
    CSPM_HOME_ACCOUNT_ID: '111122223333',
    AWS_REGION: 'ap-northeast-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
  });
  lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
  securityHub.on(BatchUpdateFindingsCommand).resolves({ ProcessedFindings: [], UnprocessedFindings: [] });
  // The bundled estate: 11 HIGH/CRITICAL findings in two accounts, one LOW that is dropped.
  for (const finding of allSampleFindings()) await ingest(makeImportedEvent([finding]));
});

afterAll(async () => {
  await slack.stop();
  await dynamo.close();
  for (const mock of mocks) mock.restore();
});

beforeEach(() => slack.reset());

describe('/cspm through signed Slack requests', () => {
  it('status counts open findings by severity and control from the counters', async () => {
    const { ack, progress, blocks } = await cspm('status');

    // Acknowledged empty; the answer went to the response_url, with no progress note for a quick read.
    expect(ack).toBe('');
    expect(progress).toEqual([]);
    expect(blocks).toContain('11');
    expect(blocks).toContain('CRITICAL');
    expect(blocks).toContain('EC2.13');
  });

  it('status narrows to an account and to a control', async () => {
    const account = await cspm('status 444455556666');
    const control = await cspm('status ec2.13');

    expect(account.blocks).toContain('444455556666');
    expect(control.blocks).toContain('EC2.13');
    expect(control.blocks).not.toContain('EC2.19 ');
  });

  it('list shows the oldest open findings, narrowed by control', async () => {
    const { blocks } = await cspm('list EC2.13');

    expect(blocks).toContain('sg-0abc1234def567890');
    expect(blocks).not.toContain('i-0a1b2c3d4e5f60789');
  });

  it('accepted says when there are none', async () => {
    const { text, blocks } = await cspm('accepted');

    expect(`${text} ${blocks}`.toLowerCase()).toMatch(/no active|none/);
  });

  it('help lists every subcommand; an unknown one and bad arguments get a helpful answer', async () => {
    const help = await cspm('help');
    const unknown = await cspm('delete everything');
    const bad = await cspm('status <!channel>');

    for (const sub of ['status', 'list', 'accepted', 'digest'])
      expect(`${help.text}${help.blocks}`).toContain(sub);
    expect(unknown.text).toContain('/cspm help');
    expect(bad.text).not.toContain('<!channel>');
  });

  it('digest is refused to someone not allowed, and posts the digest with a PNG chart for an allowed user', async () => {
    const refused = await cspm('digest', 'U0MALLORY');
    expect(refused.ack).toBe('');
    expect(refused.progress).toEqual([expect.stringContaining('Working on it')]);
    expect(refused.text).toContain('Only');
    expect(slack.callsOf('chat.postMessage')).toHaveLength(0);

    const posted = await cspm('digest');

    expect(posted.text).toContain('Digest posted');
    const digest = slack.callsOf('chat.postMessage').find((call) => call.body['channel'] === 'C0DIGEST01');
    expect(JSON.stringify(digest?.body['blocks'])).toContain('digest');
    const upload = slack.calls.find((call) => call.method.startsWith('upload/'));
    // The upload is multipart form data: the PNG sits inside it, signature first.
    const multipart = upload?.body['bytes'] as Buffer;
    const png = multipart.subarray(
      multipart.indexOf(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
    );
    const iend = png.indexOf(Buffer.from('IEND')) + 8;
    expect(PNG.sync.read(png.subarray(0, iend)).width).toBe(800);
    expect(slack.callsOf('files.completeUploadExternal')[0]?.body).toMatchObject({
      channel_id: 'C0DIGEST01',
    });
  });

  it("publishes the Home tab with the status and the viewer's acceptances", async () => {
    const body = eventCallbackBody({
      type: 'app_home_opened',
      user: 'U0ALICE01',
      channel: 'D0HOME0001',
      tab: 'home',
      event_ts: '1763805600.000100',
    });
    const response = await slackHandler(
      functionUrlEvent(body, { ...slackSignatureHeaders(body), 'content-type': 'application/json' }),
      context,
    );

    expect(response.statusCode).toBe(200);
    const published = slack.callsOf('views.publish');
    expect(published).toHaveLength(1);
    expect(published[0]?.body['user_id']).toBe('U0ALICE01');
    expect(JSON.stringify(published[0]?.body['view'])).toContain('home');
  });
});

/** Every method of the repository waits until the test lets it answer (or fail). */
function gated<T extends object>(
  repository: T,
): { repository: T; release: () => void; fail: (error: Error) => void } {
  let open!: (error?: Error) => void;
  const gate = new Promise<Error | undefined>((resolve) => (open = resolve));
  const proxy = new Proxy(repository, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        const error = await gate;
        if (error) throw error;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { repository: proxy, release: () => open(), fail: (error) => open(error) };
}

async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function eventually<T>(read: () => T | undefined, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('/cspm on npm start (HTTP receiver): the ack does not wait for the store', () => {
  async function startWith(findings: FindingRepository) {
    const port = await freeLoopbackPort();
    const config = loadConfig({
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      CSPM_SLACK_API_URL: slack.url,
      PORT: String(port),
    });
    const store = createStore(dynamo.client, 'cspm-command');
    const users = { userGroupsOf: async () => [], displayName: async () => undefined };
    const policy = { users: ['U0ALICE01'], userGroups: [] };
    const status: StatusDeps = { ...store, findings, clock: fixedClock('2026-11-22T10:00:00.000Z') };
    const app = createLocalSlackApp(config, {
      log: recordingLog(),
      queue: { enqueue: async () => undefined },
      users,
      policy,
      findings,
      acceptanceRules: { timeZone: 'UTC', defaultDays: 30, maxDays: 365 },
      clock: status.clock,
      command: { status, users, policy, log: recordingLog() },
    });
    await app.start();
    const send = async (text: string) => {
      const body = slashCommandBody(text, { responseUrl: `${slack.url}response` });
      return fetch(`http://127.0.0.1:${port}/slack/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...slackSignatureHeaders(body) },
        body,
      });
    };
    return { app, send };
  }

  it('acks `/cspm list` while the store is still reading, then answers at the response_url', async () => {
    const slow = gated(createStore(dynamo.client, 'cspm-command').findings);
    const { app, send } = await startWith(slow.repository);
    try {
      const acked = await send('list EC2.13');

      expect(acked.status).toBe(200);
      expect(await acked.text()).toBe('');
      expect(slack.callsOf('response')).toEqual([]);

      slow.release();
      const answer = await eventually(() => slack.callsOf('response')[0]);
      expect(answer.body).toMatchObject({ response_type: 'ephemeral' });
      expect(JSON.stringify(answer.body['blocks'])).toContain('sg-0abc1234def567890');
    } finally {
      await app.stop();
    }
  });

  it('tells a failure after the ack through the response_url, with the next step', async () => {
    const broken = gated(createStore(dynamo.client, 'cspm-command').findings);
    const { app, send } = await startWith(broken.repository);
    try {
      const acked = await send('list');
      expect(acked.status).toBe(200);

      broken.fail(new Error('connect ECONNREFUSED 127.0.0.1:8000'));
      const answer = await eventually(() => slack.callsOf('response')[0]);
      expect(answer.body).toMatchObject({
        response_type: 'ephemeral',
        text: expect.stringMatching(/^:warning: /),
      });
      expect(String(answer.body['text'])).not.toContain('ECONNREFUSED');
    } finally {
      await app.stop();
    }
  });
});
