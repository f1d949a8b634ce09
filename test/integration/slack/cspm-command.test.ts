import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { BatchUpdateFindingsCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { EC2Client } from '@aws-sdk/client-ec2';
import { STSClient } from '@aws-sdk/client-sts';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { handler as ingest } from '../../../src/runtime/lambda-ingest.js';
import { handler as slackHandler } from '../../../src/runtime/lambda-slack.js';
import { ensureTable, startEmbeddedDynamoDb } from '../../../src/store/embedded-dynamodb.js';
import type { EmbeddedDynamoDb } from '../../../src/store/embedded-dynamodb.js';
import { allSampleFindings, makeImportedEvent } from '../../fixtures/asff.js';
import { FakeSlackApi } from '../../support/fake-slack-api.js';
import { SIGNING_SECRET, eventCallbackBody, functionUrlEvent, slackSignatureHeaders, slashCommandBody } from '../../support/signed-slack-request.js';

const slack = new FakeSlackApi();
const mocks = [mockClient(LambdaClient), mockClient(SecurityHubClient), mockClient(EC2Client), mockClient(STSClient)] as const;
const [lambda, securityHub] = mocks;
const context = {} as Context;
let dynamo: EmbeddedDynamoDb;

async function cspm(text: string, user = 'U0ALICE01'): Promise<{ text: string; blocks: string }> {
  const body = slashCommandBody(text, { user, responseUrl: `${slack.url}response` });
  const response = await slackHandler(functionUrlEvent(body, slackSignatureHeaders(body)), context);
  expect(response.statusCode).toBe(200);
  const reply = JSON.parse(response.body) as { response_type: string; text: string; blocks?: unknown[] };
  expect(reply.response_type).toBe('ephemeral');
  return { text: reply.text, blocks: JSON.stringify(reply.blocks ?? []) };
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
    const { blocks } = await cspm('status');

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

    for (const sub of ['status', 'list', 'accepted', 'digest']) expect(`${help.text}${help.blocks}`).toContain(sub);
    expect(unknown.text).toContain('/cspm help');
    expect(bad.text).not.toContain('<!channel>');
  });

  it('digest is refused to someone not allowed, and posts the digest with a PNG chart for an allowed user', async () => {
    const refused = await cspm('digest', 'U0MALLORY');
    expect(refused.text).toContain('Only');
    expect(slack.callsOf('chat.postMessage')).toHaveLength(0);

    const posted = await cspm('digest');

    expect(posted.text).toContain('Digest posted');
    const digest = slack.callsOf('chat.postMessage').find((call) => call.body['channel'] === 'C0DIGEST01');
    expect(JSON.stringify(digest?.body['blocks'])).toContain('digest');
    const upload = slack.calls.find((call) => call.method.startsWith('upload/'));
    // The upload is multipart form data: the PNG sits inside it, signature first.
    const multipart = upload?.body['bytes'] as Buffer;
    const png = multipart.subarray(multipart.indexOf(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])));
    const iend = png.indexOf(Buffer.from('IEND')) + 8;
    expect(PNG.sync.read(png.subarray(0, iend)).width).toBe(800);
    expect(slack.callsOf('files.completeUploadExternal')[0]?.body).toMatchObject({ channel_id: 'C0DIGEST01' });
  });

  it('publishes the Home tab with the status and the viewer\'s acceptances', async () => {
    const body = eventCallbackBody({ type: 'app_home_opened', user: 'U0ALICE01', channel: 'D0HOME0001', tab: 'home', event_ts: '1763805600.000100' });
    const response = await slackHandler(functionUrlEvent(body, { ...slackSignatureHeaders(body), 'content-type': 'application/json' }), context);

    expect(response.statusCode).toBe(200);
    const published = slack.callsOf('views.publish');
    expect(published).toHaveLength(1);
    expect(published[0]?.body['user_id']).toBe('U0ALICE01');
    expect(JSON.stringify(published[0]?.body['view'])).toContain('home');
  });
});
