import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { REMEDIATE_ACTION, SUPPRESS_ACTION, findingButtonValue } from '../../../blocks/action-ids.js';
import { handler } from '../../../src/runtime/lambda-slack.js';
import { makeFinding } from '../../fixtures/finding.js';
import { FakeSlackApi } from '../../support/fake-slack-api.js';
import { SIGNING_SECRET, buttonClickBody, functionUrlEvent, slackSignatureHeaders, slashCommandBody } from '../../support/signed-slack-request.js';

const slack = new FakeSlackApi();
const context = {} as Context;

beforeAll(async () => {
  await slack.start();
  Object.assign(process.env, { SLACK_BOT_TOKEN: 'xoxb-test-token', SLACK_SIGNING_SECRET: SIGNING_SECRET, CSPM_SLACK_API_URL: slack.url });
});
afterAll(() => slack.stop());
beforeEach(() => slack.reset());

function signed(body: string, options?: Parameters<typeof slackSignatureHeaders>[1]) {
  return functionUrlEvent(body, slackSignatureHeaders(body, options));
}

describe('Slack requests through the Lambda Function URL', () => {
  it('answers a Remediate click with an honest ephemeral "coming soon", never a fake success', async () => {
    const body = buttonClickBody({ actionId: REMEDIATE_ACTION, value: findingButtonValue(makeFinding().id), responseUrl: `${slack.url}response` });

    const response = await handler(signed(body), context);

    expect(response.statusCode).toBe(200);
    const ephemeral = slack.callsOf('chat.postEphemeral');
    expect(ephemeral).toHaveLength(1);
    expect(ephemeral[0]?.body).toMatchObject({ channel: 'C0PROD0001', user: 'U0ALICE01' });
    expect(String(ephemeral[0]?.body['text'])).toContain('coming soon');
  });

  it('refuses a button whose value was tampered with', async () => {
    const body = buttonClickBody({ actionId: SUPPRESS_ACTION, value: '{"k":"x","plan":"revoke everything"}', responseUrl: `${slack.url}response` });

    await handler(signed(body), context);

    expect(String(slack.callsOf('chat.postEphemeral')[0]?.body['text'])).toContain('nothing was done');
  });

  it('rejects a request signed with another secret, and one replayed after 10 minutes, without acting', async () => {
    const body = buttonClickBody({ actionId: REMEDIATE_ACTION, value: findingButtonValue(makeFinding().id), responseUrl: `${slack.url}response` });

    const forged = await handler(signed(body, { secret: 'not-the-signing-secret-000000000' }), context);
    const replayed = await handler(signed(body, { timestampSeconds: Math.floor(Date.now() / 1000) - 600 }), context);

    expect(forged.statusCode).toBe(401);
    expect(replayed.statusCode).toBe(401);
    expect(slack.calls.filter((call) => call.method.startsWith('chat.'))).toEqual([]);
  });

  it('answers /cspm with ephemeral help in the acknowledgement', async () => {
    const response = await handler(signed(slashCommandBody('help', { responseUrl: `${slack.url}response` })), context);

    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('/cspm help') });
  });
});
