import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { checkSlackConnection, slackStartFailureLine } from '../../../src/runtime/slack-start-check.js';
import { createSlackWebClient } from '../../../src/runtime/slack-web-client.js';
import { FakeSlackApi } from '../../support/fake-slack-api.js';

describe('checkSlackConnection (npm start, before anything else starts)', () => {
  let slack: FakeSlackApi;

  beforeAll(async () => {
    slack = await new FakeSlackApi().start();
  });
  afterAll(async () => slack.stop());
  beforeEach(() => slack.reset());

  const check = () => checkSlackConnection(createSlackWebClient('xoxb-test', slack.url), slack.url);

  it('names the workspace and the bot user when Slack accepts the token', async () => {
    expect(await check()).toEqual({ kind: 'connected', team: 'Example', botUserId: 'U0BOT0001' });
  });

  it.each(['invalid_auth', 'token_revoked', 'account_inactive'])(
    'says the bot token was refused (%s) and which variable to fix',
    async (error) => {
      slack.fail('auth.test', { kind: 'slack-error', error });

      expect(await check()).toEqual({
        kind: 'refused',
        line: expect.stringMatching(
          new RegExp(`^cspm-bot: Slack refused the bot token \\(${error}\\): check SLACK_BOT_TOKEN`),
        ),
      });
    },
  );

  it('checks the app-level token too in Socket Mode, and says which token was refused', async () => {
    slack.fail('apps.connections.open', { kind: 'slack-error', error: 'invalid_auth' });

    const result = await checkSlackConnection(
      createSlackWebClient('xoxb-test', slack.url),
      slack.url,
      'xapp-1-bad',
    );

    expect(result).toEqual({
      kind: 'refused',
      line: expect.stringMatching(
        /^cspm-bot: Slack refused the app-level token \(invalid_auth\): check SLACK_APP_TOKEN/,
      ),
    });
    expect(slack.callsOf('auth.test')).toHaveLength(1);
  });

  it('says Slack is failing, not the token, on an HTTP 5xx', async () => {
    slack.fail('auth.test', { kind: 'server-error', status: 503 });

    expect(await check()).toEqual({
      kind: 'refused',
      line: `cspm-bot: Slack at ${slack.url} answered HTTP 503: try again in a minute (status.slack.com)`,
    });
  });

  it('keeps a start-up failure it does not know to one line', () => {
    const line = slackStartFailureLine(
      new Error('socket hang up\n    at Socket.<anonymous> (node:net:1)'),
      slack.url,
    );

    expect(line.split('\n')).toEqual([
      'cspm-bot: the Slack app did not start (socket hang up): check SLACK_BOT_TOKEN, SLACK_APP_TOKEN and SLACK_SIGNING_SECRET',
    ]);
  });
});
