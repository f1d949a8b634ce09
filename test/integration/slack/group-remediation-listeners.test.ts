import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { App } from '@slack/bolt';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GROUP_REMEDIATE_REACHABLE_ACTION } from '../../../blocks/action-ids.js';
import {
  GROUP_REMEDIATION_CONFIRM_CALLBACK,
  groupRemediationMetadata,
} from '../../../blocks/group-remediation-modal.js';
import { loadConfig } from '../../../src/config/config.js';
import { createLocalSlackApp } from '../../../src/runtime/slack-app.js';
import type { SlackJob } from '../../../src/slack/slack-jobs.js';
import type { FindingRepository } from '../../../src/store/finding-repository.js';
import type { StatusDeps } from '../../../src/usecases/build-status-report.js';
import { FakeSlackApi } from '../../support/fake-slack-api.js';
import { fixedClock } from '../../support/fixed-clock.js';
import { recordingLog } from '../../support/recording-log.js';
import {
  SIGNING_SECRET,
  buttonClickBody,
  slackSignatureHeaders,
  viewSubmissionBody,
} from '../../support/signed-slack-request.js';

const slack = new FakeSlackApi();
const queued: SlackJob[] = [];
let app: App;
let port: number;

async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: free } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return free;
}

async function send(body: string): Promise<Response> {
  return fetch(`http://127.0.0.1:${port}/slack/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...slackSignatureHeaders(body) },
    body,
  });
}

/** Bolt acks first and runs the listener after: wait until what the listener does has happened. */
async function until(done: () => boolean): Promise<void> {
  for (let waited = 0; !done() && waited < 5000; waited += 10)
    await new Promise((resolve) => setTimeout(resolve, 10));
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
  const policy = { users: ['U0ALICE01'], userGroups: [] };
  app = createLocalSlackApp(config, {
    log: recordingLog(),
    queue: { enqueue: async (job) => void queued.push(job) },
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
});
beforeEach(() => {
  slack.reset();
  queued.length = 0;
});

describe('"Remediate all reachable…" in Slack', () => {
  it('opens a modal at once and hands reading AWS to the Worker under the modal id', async () => {
    const response = await send(
      buttonClickBody({
        actionId: GROUP_REMEDIATE_REACHABLE_ACTION,
        value: 'grp-0123abcd',
        responseUrl: `${slack.url}response`,
      }),
    );

    expect(response.status).toBe(200);
    await until(() => queued.length > 0);
    const [opened] = slack.callsOf('views.open');
    expect(JSON.stringify(opened?.body['view'])).toContain('Reading every resource from AWS');
    expect(queued).toEqual([
      {
        kind: 'plan-group-remediation',
        groupId: 'grp-0123abcd',
        userId: 'U0ALICE01',
        viewId: expect.any(String),
      },
    ]);
  });

  it('tells a user who may not remediate, and opens nothing', async () => {
    await send(
      buttonClickBody({
        actionId: GROUP_REMEDIATE_REACHABLE_ACTION,
        value: 'grp-0123abcd',
        user: 'U0MALLORY',
        responseUrl: `${slack.url}response`,
      }),
    );
    await until(() => slack.callsOf('chat.postEphemeral').length > 0);

    expect(slack.callsOf('views.open')).toEqual([]);
    expect(String(slack.callsOf('chat.postEphemeral')[0]?.body['text'])).toContain(
      'You may not remediate findings',
    );
    expect(queued).toEqual([]);
  });

  it('on confirmation, answers with a running view and queues the run with the digest of the list shown', async () => {
    const digest = 'a'.repeat(64);
    const response = await send(
      viewSubmissionBody({
        callbackId: GROUP_REMEDIATION_CONFIRM_CALLBACK,
        viewId: 'V0GROUP042',
        privateMetadata: groupRemediationMetadata(digest, 200),
      }),
    );

    expect(JSON.stringify(await response.json())).toContain('Running 200 remediations');
    await until(() => queued.length > 0);
    expect(queued).toEqual([
      { kind: 'remediate-group', runId: 'V0GROUP042', userId: 'U0ALICE01', leg: 0, listDigest: digest },
    ]);
  });

  it('refuses a submission whose metadata the bot did not write', async () => {
    const response = await send(
      viewSubmissionBody({
        callbackId: GROUP_REMEDIATION_CONFIRM_CALLBACK,
        viewId: 'V0GROUP043',
        privateMetadata: '{"r":"not-a-digest"}',
      }),
    );

    expect(JSON.stringify(await response.json())).toContain('does not match the list');
    expect(queued).toEqual([]);
  });
});
