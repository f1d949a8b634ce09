import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { App } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCEPT_RISK_ACTION, findingButtonValue } from '../../../blocks/action-ids.js';
import { loadConfig } from '../../../src/config/config.js';
import { createLocalSlackApp } from '../../../src/runtime/slack-app.js';
import { makeFinding } from '../../fixtures/finding.js';
import { FakeSlackApi } from '../../support/fake-slack-api.js';
import { recordingLog } from '../../support/recording-log.js';
import { fixedClock } from '../../support/fixed-clock.js';
import type { FindingRepository } from '../../../src/store/finding-repository.js';
import type { StatusDeps } from '../../../src/usecases/build-status-report.js';
import {
  SIGNING_SECRET,
  buttonClickBody,
  slackSignatureHeaders,
} from '../../support/signed-slack-request.js';
import { findingKeyOf } from '../../../src/domain/finding-key.js';

const slack = new FakeSlackApi();
let app: App;
let port: number;

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
  const queue = { enqueue: async () => undefined };
  const users = { userGroupsOf: async () => [], displayName: async () => undefined };
  const findings = { get: async () => undefined } as unknown as FindingRepository;
  app = createLocalSlackApp(config, {
    log: recordingLog(),
    queue,
    users,
    policy: { users: [], userGroups: [] },
    findings,
    acceptanceRules: { timeZone: 'UTC', defaultDays: 30, maxDays: 365 },
    clock: fixedClock('2026-11-22T10:00:00.000Z'),
    // Status is not exercised here: this test is about the HTTP receiver verifying requests.
    command: { status: {} as StatusDeps, users, policy: { users: [], userGroups: [] }, log: recordingLog() },
  });
  await app.start();
});
afterAll(async () => {
  await app.stop();
  await slack.stop();
});

describe('npm start with Slack over HTTP', () => {
  it('verifies a signed button click on /slack/events and answers it', async () => {
    const body = buttonClickBody({
      actionId: ACCEPT_RISK_ACTION,
      value: findingButtonValue(findingKeyOf(makeFinding())),
      responseUrl: `${slack.url}response`,
    });

    const response = await fetch(`http://127.0.0.1:${port}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...slackSignatureHeaders(body) },
      body,
    });
    const unsigned = await fetch(`http://127.0.0.1:${port}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });

    expect(response.status).toBe(200);
    expect(unsigned.status).toBe(401);
    expect(slack.callsOf('chat.postEphemeral')).toHaveLength(1);
    // The App checked its token against the (fake) Web API on start, as it does against Slack.
    expect(slack.callsOf('auth.test').length).toBeGreaterThan(0);
  });
});
