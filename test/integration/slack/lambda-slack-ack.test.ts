import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { WebClient } from '@slack/web-api';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SUPPRESS_ACTION, findingButtonValue } from '../../../blocks/action-ids.js';
import { findingKeyOf } from '../../../src/domain/finding-key.js';
import { handler } from '../../../src/runtime/lambda-slack.js';
import { runSlackJob } from '../../../src/slack/slack-jobs.js';
import type { SlackJob } from '../../../src/slack/slack-jobs.js';
import { ingestFindings } from '../../../src/usecases/ingest-findings.js';
import { makeFinding } from '../../fixtures/finding.js';
import { useEmbeddedDynamoDb } from '../../support/embedded-table.js';
import { FakeSlackApi } from '../../support/fake-slack-api.js';
import { riskDeps } from '../../support/risk-deps.js';
import {
  SIGNING_SECRET,
  buttonClickBody,
  functionUrlEvent,
  slackSignatureHeaders,
  slashCommandBody,
} from '../../support/signed-slack-request.js';

const slack = new FakeSlackApi();
const dynamo = useEmbeddedDynamoDb();
const context = {} as Context;
const lambda = mockClient(LambdaClient);

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
});
beforeEach(() => {
  slack.reset();
  lambda.reset();
  lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
});

function signed(body: string) {
  return functionUrlEvent(body, slackSignatureHeaders(body));
}

function invokedJobs(): SlackJob[] {
  return lambda
    .commandCalls(InvokeCommand)
    .map(
      (call) => JSON.parse(new TextDecoder().decode(call.args[0].input.Payload as Uint8Array)) as SlackJob,
    );
}

describe('the Slack Lambda acks without waiting', () => {
  it('asks Slack who the bot is once per container, not on every request', async () => {
    const click = buttonClickBody({
      actionId: SUPPRESS_ACTION,
      value: findingButtonValue(findingKeyOf(makeFinding())),
      responseUrl: `${slack.url}response`,
    });

    for (let request = 0; request < 3; request += 1)
      expect((await handler(signed(click), context)).statusCode).toBe(200);
    await handler(signed(slashCommandBody('help', { responseUrl: `${slack.url}response` })), context);

    // The first request of this container may ask once; none after it asks again.
    expect(slack.callsOf('auth.test').length).toBeLessThanOrEqual(1);
    slack.reset();
    await handler(signed(click), context);
    expect(slack.callsOf('auth.test')).toHaveLength(0);
  });

  it('hands /cspm status to the Worker with the text, the user and the response_url, and acks empty', async () => {
    const responseUrl = `${slack.url}response/T0TEAM001/status`;

    const response = await handler(signed(slashCommandBody('status 111122223333', { responseUrl })), context);

    expect(response.statusCode).toBe(200);
    expect(response.body ?? '').toBe('');
    expect(invokedJobs()).toEqual([
      { kind: 'cspm-command', text: 'status 111122223333', userId: 'U0ALICE01', responseUrl },
    ]);
    // Nothing was answered by the Slack Lambda itself: the Worker answers.
    expect(slack.calls.filter((call) => call.method.startsWith('response'))).toEqual([]);
  });
});

describe('the Worker answers a handed-over /cspm command', () => {
  it('posts the status of the account, ephemerally, to the response_url', async () => {
    const { deps, clock, stats } = riskDeps(await dynamo.freshTable(), slack);
    await ingestFindings(
      { ...deps, routing: { rules: [], defaultChannel: 'C0FINDINGS' }, severityThreshold: 'HIGH' },
      [{ ok: true, finding: makeFinding() }],
    );
    const client = new WebClient('xoxb-test', { slackApiUrl: slack.url, retryConfig: { retries: 0 } });
    const command = {
      status: {
        findings: deps.findings,
        decisions: deps.decisions,
        acceptances: deps.acceptances,
        stats,
        clock,
      },
      users: deps.users,
      policy: deps.policy,
      log: deps.log,
    };

    await runSlackJob(
      { ...deps, client, executor: 'direct', command },
      {
        kind: 'cspm-command',
        text: 'status 111122223333',
        userId: 'U0ALICE01',
        responseUrl: `${slack.url}response/1`,
      },
    );

    const answers = slack.callsOf('response/1');
    expect(answers).toHaveLength(1);
    expect(answers[0]?.body).toMatchObject({ response_type: 'ephemeral' });
    expect(JSON.stringify(answers[0]?.body)).toContain('111122223333');
  });

  it('answers a command it cannot parse with the same refusal the ack would give', async () => {
    const { deps, clock, stats } = riskDeps(await dynamo.freshTable(), slack);
    const client = new WebClient('xoxb-test', { slackApiUrl: slack.url, retryConfig: { retries: 0 } });
    const command = {
      status: {
        findings: deps.findings,
        decisions: deps.decisions,
        acceptances: deps.acceptances,
        stats,
        clock,
      },
      users: deps.users,
      policy: deps.policy,
      log: deps.log,
    };

    await runSlackJob(
      { ...deps, client, executor: 'direct', command },
      { kind: 'cspm-command', text: 'stauts', userId: 'U0ALICE01', responseUrl: `${slack.url}response/2` },
    );

    expect(String(slack.callsOf('response/2')[0]?.body['text'])).toContain('Unknown subcommand');
  });
});
