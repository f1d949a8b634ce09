import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { STSClient } from '@aws-sdk/client-sts';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { REMEDIATE_ACTION, SUPPRESS_ACTION, findingButtonValue } from '../../../blocks/action-ids.js';
import { handler } from '../../../src/runtime/lambda-slack.js';
import { makeFinding } from '../../fixtures/finding.js';
import { FakeSlackApi } from '../../support/fake-slack-api.js';
import {
  SIGNING_SECRET,
  buttonClickBody,
  functionUrlEvent,
  slackSignatureHeaders,
  slashCommandBody,
} from '../../support/signed-slack-request.js';
import { findingKeyOf } from '../../../src/domain/finding-key.js';

const slack = new FakeSlackApi();
const context = {} as Context;
const lambda = mockClient(LambdaClient);
const sts = mockClient(STSClient);

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
});
afterAll(async () => {
  await slack.stop();
  lambda.restore();
  sts.restore();
});
beforeEach(() => {
  slack.reset();
  lambda.reset();
  lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
});

function signed(body: string, options?: Parameters<typeof slackSignatureHeaders>[1]) {
  return functionUrlEvent(body, slackSignatureHeaders(body, options));
}

describe('Slack requests through the Lambda Function URL', () => {
  it('answers a Remediate click from an allowed user with a modal at once and hands planning to the Worker', async () => {
    const body = buttonClickBody({
      actionId: REMEDIATE_ACTION,
      value: findingButtonValue(findingKeyOf(makeFinding())),
      responseUrl: `${slack.url}response`,
    });

    const response = await handler(signed(body), context);

    expect(response.statusCode).toBe(200);
    expect(slack.callsOf('views.open')).toHaveLength(1);
    expect(JSON.stringify(slack.callsOf('views.open')[0]?.body['view'])).toContain(
      'Reading the current state from AWS',
    );
    const invokes = lambda.commandCalls(InvokeCommand);
    expect(invokes).toHaveLength(1);
    expect(invokes[0]?.args[0].input).toMatchObject({
      FunctionName: 'cspm-bot-worker',
      InvocationType: 'Event',
    });
    const job = JSON.parse(
      new TextDecoder().decode(invokes[0]?.args[0].input.Payload as Uint8Array),
    ) as Record<string, unknown>;
    expect(job).toMatchObject({
      kind: 'plan-remediation',
      findingId: findingKeyOf(makeFinding()),
      userId: 'U0ALICE01',
      viewId: expect.stringMatching(/^V0VIEW/),
    });
  });

  it('refuses a Remediate click from someone not allowed, naming who may, and starts nothing', async () => {
    const body = buttonClickBody({
      actionId: REMEDIATE_ACTION,
      value: findingButtonValue(findingKeyOf(makeFinding())),
      user: 'U0MALLORY',
      responseUrl: `${slack.url}response`,
    });

    await handler(signed(body), context);

    const ephemeral = slack.callsOf('chat.postEphemeral');
    expect(ephemeral[0]?.body).toMatchObject({ user: 'U0MALLORY' });
    expect(String(ephemeral[0]?.body['text'])).toContain('Who may: <@U0ALICE01>');
    expect(slack.callsOf('views.open')).toHaveLength(0);
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(0);
  });

  it('refuses a button whose value was tampered with', async () => {
    const body = buttonClickBody({
      actionId: SUPPRESS_ACTION,
      value: '{"k":"x","plan":"revoke everything"}',
      responseUrl: `${slack.url}response`,
    });

    await handler(signed(body), context);

    expect(String(slack.callsOf('chat.postEphemeral')[0]?.body['text'])).toContain('nothing was done');
  });

  it('rejects a request signed with another secret, and one replayed after 10 minutes, without acting', async () => {
    const body = buttonClickBody({
      actionId: REMEDIATE_ACTION,
      value: findingButtonValue(findingKeyOf(makeFinding())),
      responseUrl: `${slack.url}response`,
    });

    const forged = await handler(signed(body, { secret: 'not-the-signing-secret-000000000' }), context);
    const replayed = await handler(
      signed(body, { timestampSeconds: Math.floor(Date.now() / 1000) - 600 }),
      context,
    );

    expect(forged.statusCode).toBe(401);
    expect(replayed.statusCode).toBe(401);
    expect(slack.calls.filter((call) => call.method.startsWith('chat.'))).toEqual([]);
  });

  it('answers /cspm with ephemeral help in the acknowledgement', async () => {
    const response = await handler(
      signed(slashCommandBody('help', { responseUrl: `${slack.url}response` })),
      context,
    );

    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({
      response_type: 'ephemeral',
      text: expect.stringContaining('/cspm help'),
    });
  });
});
