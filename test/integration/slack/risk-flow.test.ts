import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { BatchUpdateFindingsCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { EC2Client } from '@aws-sdk/client-ec2';
import { STSClient } from '@aws-sdk/client-sts';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ACCEPT_RISK_ACTION, SUPPRESS_ACTION, findingButtonValue } from '../../../blocks/action-ids.js';
import {
  ACCEPT_RISK_CALLBACK,
  ACCEPT_RISK_REASON_ACTION,
  ACCEPT_RISK_REASON_BLOCK,
  ACCEPT_RISK_SCOPE_ACTION,
  ACCEPT_RISK_SCOPE_BLOCK,
  ACCEPT_RISK_UNTIL_ACTION,
  ACCEPT_RISK_UNTIL_BLOCK,
} from '../../../blocks/accept-risk-modal.js';
import {
  SUPPRESS_CALLBACK,
  SUPPRESS_REASON_ACTION,
  SUPPRESS_REASON_BLOCK,
} from '../../../blocks/suppress-modal.js';
import { handler as ingestQueue } from '../../../src/runtime/lambda-ingest.js';
import { queuedEvents } from '../../support/ingest-queue-event.js';
import { handler as slackHandler } from '../../../src/runtime/lambda-slack.js';
import { handler as worker } from '../../../src/runtime/lambda-worker.js';
import type { SlackJob } from '../../../src/slack/slack-jobs.js';
import { ensureTable, startEmbeddedDynamoDb } from '../../../src/store/embedded-dynamodb.js';
import type { EmbeddedDynamoDb } from '../../../src/store/embedded-dynamodb.js';
import { makeAsffFinding, makeImportedEvent } from '../../fixtures/asff.js';
import { makeFinding } from '../../fixtures/finding.js';
import { FakeSlackApi } from '../../support/fake-slack-api.js';
import {
  SIGNING_SECRET,
  buttonClickBody,
  functionUrlEvent,
  slackSignatureHeaders,
  viewSubmissionBody,
} from '../../support/signed-slack-request.js';
import { findingKeyOf } from '../../../src/domain/finding-key.js';

/** One EventBridge event, as the ingest queue hands it to the Ingest Lambda. */
const ingest = (event: unknown) => ingestQueue(queuedEvents([event]));

const slack = new FakeSlackApi();
const lambda = mockClient(LambdaClient);
const securityHub = mockClient(SecurityHubClient);
const ec2 = mockClient(EC2Client);
const sts = mockClient(STSClient);
const context = {} as Context;
const FINDING_ID = findingKeyOf(makeFinding());
let dynamo: EmbeddedDynamoDb;

const signed = (body: string) => functionUrlEvent(body, slackSignatureHeaders(body));
const metadata = JSON.stringify({ k: FINDING_ID });
const jobs = () =>
  lambda
    .commandCalls(InvokeCommand)
    .map(
      (call) => JSON.parse(new TextDecoder().decode(call.args[0].input.Payload as Uint8Array)) as SlackJob,
    );

async function submit(
  callbackId: string,
  values: Record<string, Record<string, unknown>>,
  user = 'U0ALICE01',
) {
  const response = await slackHandler(
    signed(viewSubmissionBody({ callbackId, viewId: 'V0FORM0001', privateMetadata: metadata, user, values })),
    context,
  );
  return {
    status: response.statusCode,
    body: response.body ? (JSON.parse(response.body) as Record<string, unknown>) : {},
  };
}

beforeAll(async () => {
  await slack.start();
  dynamo = await startEmbeddedDynamoDb();
  await ensureTable(dynamo.client, 'cspm-risk');
  Object.assign(process.env, {
    CSPM_TABLE_NAME: 'cspm-risk',
    CSPM_DYNAMODB_ENDPOINT: dynamo.endpoint,
    CSPM_SLACK_API_URL: slack.url,
    SLACK_BOT_TOKEN: 'xoxb-test-token',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    CSPM_DEFAULT_CHANNEL: 'C0FINDINGS',
    CSPM_ALLOWED_USERS: 'U0ALICE01',
    CSPM_WORKER_FUNCTION_NAME: 'cspm-bot-worker',
    CSPM_HOME_ACCOUNT_ID: '111122223333',
    CSPM_TIMEZONE: 'Asia/Tokyo',
    AWS_REGION: 'ap-northeast-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
  });
  await ingest(makeImportedEvent([makeAsffFinding()]));
  // Ingest only stores it; the delivery run it handed to the Worker posts the message.
  for (const job of jobs()) await worker(job);
});

afterAll(async () => {
  await slack.stop();
  await dynamo.close();
  for (const mock of [lambda, securityHub, ec2, sts]) mock.restore();
});

beforeEach(() => {
  slack.reset();
  lambda.reset();
  securityHub.reset();
  lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
  securityHub.on(BatchUpdateFindingsCommand).callsFake((input: { FindingIdentifiers: unknown[] }) => ({
    ProcessedFindings: input.FindingIdentifiers,
    UnprocessedFindings: [],
  }));
});

describe('Suppress and Accept risk through signed Slack requests', () => {
  it('opens the suppress form for an allowed user, and refuses others privately', async () => {
    await slackHandler(
      signed(
        buttonClickBody({
          actionId: SUPPRESS_ACTION,
          value: findingButtonValue(FINDING_ID),
          responseUrl: `${slack.url}r`,
        }),
      ),
      context,
    );
    await slackHandler(
      signed(
        buttonClickBody({
          actionId: SUPPRESS_ACTION,
          value: findingButtonValue(FINDING_ID),
          user: 'U0MALLORY',
          responseUrl: `${slack.url}r`,
        }),
      ),
      context,
    );

    expect(slack.callsOf('views.open')).toHaveLength(1);
    expect(JSON.stringify(slack.callsOf('views.open')[0]?.body['view'])).toContain(SUPPRESS_CALLBACK);
    expect(slack.callsOf('chat.postEphemeral')[0]?.body).toMatchObject({ user: 'U0MALLORY' });
  });

  it('shows validation errors inline in the form, and runs nothing', async () => {
    const tooShort = await submit(SUPPRESS_CALLBACK, {
      [SUPPRESS_REASON_BLOCK]: { [SUPPRESS_REASON_ACTION]: { type: 'plain_text_input', value: 'meh' } },
    });

    expect(tooShort.body).toMatchObject({
      response_action: 'errors',
      errors: { [SUPPRESS_REASON_BLOCK]: expect.stringContaining('10') },
    });
    expect(jobs()).toEqual([]);
  });

  it('refuses a form submitted by someone not allowed, inline', async () => {
    const refused = await submit(
      SUPPRESS_CALLBACK,
      {
        [SUPPRESS_REASON_BLOCK]: {
          [SUPPRESS_REASON_ACTION]: { type: 'plain_text_input', value: 'Looks fine to me, honestly' },
        },
      },
      'U0MALLORY',
    );

    expect(refused.body).toMatchObject({
      response_action: 'errors',
      errors: { [SUPPRESS_REASON_BLOCK]: expect.stringContaining('Who may: <@U0ALICE01>') },
    });
    expect(jobs()).toEqual([]);
  });

  it('rejects a date in the past in Tokyo time inline, then accepts a valid one and suppresses in Security Hub', async () => {
    const values = (until: string) => ({
      [ACCEPT_RISK_UNTIL_BLOCK]: { [ACCEPT_RISK_UNTIL_ACTION]: { type: 'datepicker', selected_date: until } },
      [ACCEPT_RISK_REASON_BLOCK]: {
        [ACCEPT_RISK_REASON_ACTION]: { type: 'plain_text_input', value: 'Vendor appliance, replaced in Q1' },
      },
      [ACCEPT_RISK_SCOPE_BLOCK]: {
        [ACCEPT_RISK_SCOPE_ACTION]: {
          type: 'radio_buttons',
          selected_option: { value: 'resource', text: { type: 'plain_text', text: 'This resource only' } },
        },
      },
    });

    const past = await submit(ACCEPT_RISK_CALLBACK, values('2020-01-01'));
    expect(past.body).toMatchObject({
      response_action: 'errors',
      errors: { [ACCEPT_RISK_UNTIL_BLOCK]: expect.stringContaining('after today') },
    });

    // The Lambdas run on the real clock: next year's February is always ahead and within 365 days.
    const ok = await submit(ACCEPT_RISK_CALLBACK, values(`${new Date().getUTCFullYear() + 1}-02-01`));
    expect(ok.status).toBe(200);
    const [job] = jobs();
    expect(job).toMatchObject({
      kind: 'accept-risk',
      findingId: FINDING_ID,
      userId: 'U0ALICE01',
      scope: 'resource',
    });
    await worker(job!);

    const note = securityHub.commandCalls(BatchUpdateFindingsCommand)[0]?.args[0].input;
    expect(note).toMatchObject({ Workflow: { Status: 'SUPPRESSED' } });
    expect(note?.Note?.Text).toMatch(
      /^Risk accepted until \d{4}-02-01 by .+: Vendor appliance, replaced in Q1$/,
    );
    expect(JSON.stringify(slack.callsOf('chat.update').at(-1)?.body['blocks'])).toContain(
      'finding.revoke_acceptance',
    );
  });

  it('opens the accept-risk form with a default date 30 days ahead in the configured zone', async () => {
    await slackHandler(
      signed(
        buttonClickBody({
          actionId: ACCEPT_RISK_ACTION,
          value: findingButtonValue(FINDING_ID),
          responseUrl: `${slack.url}r`,
        }),
      ),
      context,
    );

    expect(JSON.stringify(slack.callsOf('views.open')[0]?.body['view'])).toMatch(
      /"initial_date":"\d{4}-\d{2}-\d{2}"/,
    );
  });
});
