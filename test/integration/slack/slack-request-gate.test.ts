import { createHmac } from 'node:crypto';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { STSClient } from '@aws-sdk/client-sts';
import type { App } from '@slack/bolt';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SUPPRESS_ACTION, findingButtonValue } from '../../../blocks/action-ids.js';
import { loadConfig } from '../../../src/config/config.js';
import { handler } from '../../../src/runtime/lambda-slack.js';
import { createLocalSlackApp } from '../../../src/runtime/slack-app.js';
import type { FindingRepository } from '../../../src/store/finding-repository.js';
import type { StatusDeps } from '../../../src/usecases/build-status-report.js';
import { makeFinding } from '../../fixtures/finding.js';
import { FakeSlackApi } from '../../support/fake-slack-api.js';
import { fixedClock } from '../../support/fixed-clock.js';
import { recordingLog } from '../../support/recording-log.js';
import {
  SIGNING_SECRET,
  buttonClickBody,
  eventCallbackBody,
  functionUrlEvent,
  slackSignatureHeaders,
} from '../../support/signed-slack-request.js';

const slack = new FakeSlackApi();
const context = {} as Context;
const mocks = [mockClient(LambdaClient), mockClient(STSClient)];
let app: App;
let port: number;

const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';
const now = () => Math.floor(Date.now() / 1000);

/** Slack's signature over raw bytes (the helper in support signs strings). */
function signBytes(body: Buffer, timestamp = now(), secret = SIGNING_SECRET): Record<string, string> {
  const signature = createHmac('sha256', secret).update(`v0:${timestamp}:`).update(body).digest('hex');
  return { 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': `v0=${signature}` };
}

const click = buttonClickBody({
  actionId: SUPPRESS_ACTION,
  value: findingButtonValue(makeFinding().id),
  responseUrl: 'http://127.0.0.1:9/response',
});
const junk = 'payload=%7Bnot-json';

interface RequestShape {
  readonly name: string;
  readonly method?: string;
  readonly body: Buffer;
  readonly headers: Record<string, string>;
  /** Only for the Lambda: a body flagged base64 that is not. */
  readonly rawLambdaBody?: string;
}

const text = (body: string) => Buffer.from(body, 'utf8');
const signed = (
  body: string,
  contentType = FORM,
  extra: Record<string, string> = {},
): RequestShape['headers'] => ({ 'content-type': contentType, ...slackSignatureHeaders(body), ...extra });

const unverified: RequestShape[] = [
  { name: 'unsigned junk payload (was a 5xx)', body: text(junk), headers: { 'content-type': FORM } },
  { name: 'no headers at all', body: text(click), headers: {} },
  {
    name: 'signature but no timestamp',
    body: text(click),
    headers: {
      'content-type': FORM,
      'x-slack-signature': slackSignatureHeaders(click)['x-slack-signature']!,
    },
  },
  {
    name: 'signed with another secret',
    body: text(junk),
    headers: {
      'content-type': FORM,
      ...slackSignatureHeaders(junk, { secret: 'not-the-signing-secret-000000000' }),
    },
  },
  {
    name: 'replayed after 10 minutes',
    body: text(click),
    headers: { 'content-type': FORM, ...slackSignatureHeaders(click, { timestampSeconds: now() - 600 }) },
  },
  {
    name: 'timestamp 10 minutes ahead',
    body: text(click),
    headers: { 'content-type': FORM, ...slackSignatureHeaders(click, { timestampSeconds: now() + 600 }) },
  },
  {
    name: 'timestamp not a number',
    body: text(click),
    headers: { ...signed(click), 'x-slack-request-timestamp': 'yesterday' },
  },
  {
    name: 'signature of another version',
    body: text(click),
    headers: {
      ...signed(click),
      'x-slack-signature': signed(click)['x-slack-signature']!.replace('v0=', 'v1='),
    },
  },
  {
    name: 'signature not hex',
    body: text(click),
    headers: { ...signed(click), 'x-slack-signature': 'v0=<script>' },
  },
  {
    name: 'body changed after signing',
    body: text(click.replace('U0ALICE01', 'U0MALLORY')),
    headers: signed(click),
  },
  { name: 'GET without a signature', method: 'GET', body: Buffer.alloc(0), headers: {} },
  { name: 'PUT without a signature', method: 'PUT', body: text(junk), headers: { 'content-type': FORM } },
];

const malformed: RequestShape[] = [
  { name: 'payload that is not JSON', body: text(junk), headers: signed(junk) },
  { name: 'payload=null', body: text('payload=null'), headers: signed('payload=null') },
  { name: 'payload=[]', body: text('payload=%5B%5D'), headers: signed('payload=%5B%5D') },
  { name: 'payload without a type', body: text('payload=%7B%7D'), headers: signed('payload=%7B%7D') },
  {
    name: 'block_actions without actions',
    body: text('payload=%7B%22type%22%3A%22block_actions%22%7D'),
    headers: signed('payload=%7B%22type%22%3A%22block_actions%22%7D'),
  },
  {
    name: 'two payload fields',
    body: text(`${click}&payload=null`),
    headers: signed(`${click}&payload=null`),
  },
  { name: 'form with neither payload nor command', body: text('foo=bar'), headers: signed('foo=bar') },
  { name: 'empty body', body: Buffer.alloc(0), headers: signed('') },
  { name: 'JSON that does not parse', body: text('{"type":'), headers: signed('{"type":', JSON_TYPE) },
  { name: 'JSON null', body: text('null'), headers: signed('null', JSON_TYPE) },
  { name: 'JSON string', body: text('"event_callback"'), headers: signed('"event_callback"', JSON_TYPE) },
  {
    name: 'JSON event_callback without an event',
    body: text('{"type":"event_callback"}'),
    headers: signed('{"type":"event_callback"}', JSON_TYPE),
  },
  { name: 'text/plain body', body: text(click), headers: signed(click, 'text/plain') },
  { name: 'no content type', body: text(click), headers: slackSignatureHeaders(click) },
  {
    name: 'bytes that are not UTF-8',
    body: Buffer.from([0x70, 0x3d, 0xff, 0xfe]),
    headers: { 'content-type': FORM, ...signBytes(Buffer.from([0x70, 0x3d, 0xff, 0xfe])) },
  },
];

function lambdaEvent(shape: RequestShape) {
  const event = functionUrlEvent('', shape.headers);
  return {
    ...event,
    headers: shape.headers,
    body: shape.rawLambdaBody ?? shape.body.toString('base64'),
    requestContext: {
      ...event.requestContext,
      http: { ...event.requestContext.http, method: shape.method ?? 'POST' },
    },
  };
}

async function overHttp(shape: RequestShape): Promise<{ status: number; body: string }> {
  const method = shape.method ?? 'POST';
  const response = await fetch(`http://127.0.0.1:${port}/slack/events`, {
    method,
    headers: shape.headers,
    ...(method !== 'GET' && { body: new Uint8Array(shape.body) }),
  });
  return { status: response.status, body: await response.text() };
}

async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: free } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return free;
}

beforeAll(async () => {
  await slack.start();
  Object.assign(process.env, {
    SLACK_BOT_TOKEN: 'xoxb-test-token',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    CSPM_SLACK_API_URL: slack.url,
    CSPM_WORKER_FUNCTION_NAME: 'cspm-bot-worker',
    CSPM_HOME_ACCOUNT_ID: '111122223333',
    CSPM_ALLOWED_USERS: 'U0ALICE01',
    AWS_REGION: 'ap-northeast-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
  });
  port = await freeLoopbackPort();
  const config = loadConfig({
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    CSPM_SLACK_API_URL: slack.url,
    PORT: String(port),
  });
  const users = { userGroupsOf: async () => [], displayName: async () => undefined };
  const policy = { users: [], userGroups: [] };
  app = createLocalSlackApp(config, {
    log: recordingLog(),
    queue: { enqueue: async () => undefined },
    users,
    policy,
    findings: { get: async () => undefined } as unknown as FindingRepository,
    acceptanceRules: { timeZone: 'UTC', defaultDays: 30, maxDays: 365 },
    clock: fixedClock('2026-11-22T10:00:00.000Z'),
    command: { status: {} as StatusDeps, users, policy, log: recordingLog() },
  });
  await app.start();
});
afterAll(async () => {
  await app.stop();
  await slack.stop();
  for (const mock of mocks) mock.restore();
});
beforeEach(() => slack.reset());

const slackWasTouched = () => slack.calls.filter((call) => call.method !== 'auth.test');

describe('requests Slack did not sign are refused before anything reads them', () => {
  it.each(unverified)('Lambda: $name → 401', async (shape) => {
    const response = await handler(lambdaEvent(shape), context);

    expect(response).toMatchObject({ statusCode: 401, body: '' });
    expect(slackWasTouched()).toEqual([]);
  });

  it('Lambda: a body flagged base64 that is not → 401', async () => {
    const raw = '%%% not base64 %%%';
    const response = await handler(
      lambdaEvent({ name: 'not base64', body: Buffer.alloc(0), headers: signed(raw), rawLambdaBody: raw }),
      context,
    );

    expect(response.statusCode).toBe(401);
  });

  it.each(unverified)('npm start over HTTP: $name → 401', async (shape) => {
    const response = await overHttp(shape);

    expect(response).toEqual({ status: 401, body: '' });
    expect(slackWasTouched()).toEqual([]);
  });
});

describe('signed requests that cannot be read get 400, never a 5xx or a stack trace', () => {
  it.each(malformed)('Lambda: $name → 400', async (shape) => {
    const response = await handler(lambdaEvent(shape), context);

    expect(response).toMatchObject({ statusCode: 400, body: '' });
    expect(slackWasTouched()).toEqual([]);
  });

  it.each(malformed)('npm start over HTTP: $name → 400', async (shape) => {
    const response = await overHttp(shape);

    expect(response).toEqual({ status: 400, body: '' });
    expect(slackWasTouched()).toEqual([]);
  });

  it('a signed GET is refused as the wrong method on both receivers', async () => {
    const shape: RequestShape = {
      name: 'signed GET',
      method: 'GET',
      body: Buffer.alloc(0),
      headers: signed(''),
    };

    expect((await handler(lambdaEvent(shape), context)).statusCode).toBe(405);
    expect((await overHttp(shape)).status).toBe(405);
  });
});

describe('signed requests Slack really sends still get through', () => {
  it('a button click with a charset on its content type is answered on both receivers', async () => {
    const shape: RequestShape = {
      name: 'click',
      body: text(click),
      headers: signed(click, `${FORM}; charset=utf-8`),
    };

    expect((await handler(lambdaEvent(shape), context)).statusCode).toBe(200);
    expect((await overHttp(shape)).status).toBe(200);
    // Each receiver's listener told the clicker the finding is unknown to this bot.
    expect(slack.callsOf('chat.postEphemeral').length + slack.callsOf('response').length).toBeGreaterThan(0);
  });

  it('an Events API request with non-ASCII text verifies through the Lambda (Bolt alone decoded base64 as ASCII)', async () => {
    const body = eventCallbackBody({
      type: 'reaction_added',
      user: 'U0ALICE01',
      reaction: 'café',
      item: { type: 'message', channel: 'C0PROD0001', ts: '1763805600.000001' },
      event_ts: '1763805600.000200',
    });
    const response = await handler(
      lambdaEvent({ name: 'event', body: text(body), headers: signed(body, JSON_TYPE) }),
      context,
    );

    expect(response.statusCode).toBe(200);
  });

  it("answers Slack's URL verification challenge once signed", async () => {
    const body = JSON.stringify({
      token: 'legacy-verification-token',
      challenge: 'c0ffee',
      type: 'url_verification',
    });
    const response = await handler(
      lambdaEvent({ name: 'challenge', body: text(body), headers: signed(body, JSON_TYPE) }),
      context,
    );

    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ challenge: 'c0ffee' });
  });
});
