import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SlackDigestPublisher } from '../../../src/slack/digest-publisher.js';
import { SlackSender } from '../../../src/slack/sender.js';
import { postWeeklyDigest } from '../../../src/usecases/post-digest.js';
import { useEmbeddedDynamoDb } from '../../support/embedded-table.js';
import { FakeSlackApi } from '../../support/fake-slack-api.js';
import { recordingLog } from '../../support/recording-log.js';
import { riskDeps } from '../../support/risk-deps.js';

const dynamo = useEmbeddedDynamoDb();
const slack = new FakeSlackApi();
beforeAll(() => slack.start());
afterAll(() => slack.stop());
beforeEach(() => slack.reset());

describe('a weekly digest whose chart upload fails', () => {
  it('stays posted once, and says in the log and the outcome that the chart is missing', async () => {
    const { deps, clock, stats } = riskDeps(await dynamo.freshTable(), slack);
    const client = new WebClient('xoxb-test', { slackApiUrl: slack.url, retryConfig: { retries: 0 } });
    const log = recordingLog();
    const digest = {
      findings: deps.findings,
      decisions: deps.decisions,
      acceptances: deps.acceptances,
      stats,
      clock,
      channel: 'C0DIGEST01',
      schedule: { weekday: 1 as const, hour: 9, timeZone: 'UTC' },
      publisher: new SlackDigestPublisher(client, new SlackSender(client, { minIntervalPerChannelMs: 0 })),
      log,
    };
    clock.set('2026-11-23T09:00:00.000Z');
    slack.fail(
      'files.getUploadURLExternal',
      { kind: 'slack-error', error: 'not_allowed_token_type' },
      { times: Infinity },
    );

    const first = await postWeeklyDigest(digest);
    clock.set('2026-11-23T09:05:00.000Z');
    const second = await postWeeklyDigest(digest);

    expect(first).toMatchObject({
      kind: 'posted',
      weekId: '2026-W47',
      chartMissing: expect.stringContaining('not_allowed_token_type'),
    });
    expect(second).toMatchObject({ kind: 'already-posted' });
    expect(slack.messagesIn('C0DIGEST01')).toHaveLength(1);
    expect(log.entries).toContainEqual(
      expect.objectContaining({ level: 'warn', message: expect.stringContaining('without its chart') }),
    );
  });
});
