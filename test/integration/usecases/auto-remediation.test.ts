import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SlackFindingMessenger } from '../../../src/slack/finding-messenger.js';
import { SlackSender } from '../../../src/slack/sender.js';
import { DecisionRepository } from '../../../src/store/decision-repository.js';
import { FindingRepository } from '../../../src/store/finding-repository.js';
import type { IngestDeps } from '../../../src/usecases/ingest-findings.js';
import { ingestFindings } from '../../../src/usecases/ingest-findings.js';
import { makeFinding } from '../../fixtures/finding.js';
import { useEmbeddedDynamoDb } from '../../support/embedded-table.js';
import { FakeSlackApi } from '../../support/fake-slack-api.js';
import { fixedClock } from '../../support/fixed-clock.js';
import { recordingLog } from '../../support/recording-log.js';
import { findingKeyOf } from '../../../src/domain/finding-key.js';

const dynamo = useEmbeddedDynamoDb();
const slack = new FakeSlackApi();
beforeAll(() => slack.start());
afterAll(() => slack.stop());
beforeEach(() => slack.reset());

async function autoDeps(controls: string[]) {
  const table = await dynamo.freshTable();
  const queued: { findingId: string; attempt: number; maxAttempts: number }[] = [];
  const decisions = new DecisionRepository(table);
  const client = new WebClient('xoxb-test', {
    slackApiUrl: slack.url,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
  });
  const deps: IngestDeps = {
    findings: new FindingRepository(table),
    messenger: new SlackFindingMessenger(new SlackSender(client, { minIntervalPerChannelMs: 0 })),
    routing: { rules: [], defaultChannel: 'C0FINDINGS' },
    severityThreshold: 'HIGH',
    clock: fixedClock('2026-11-22T10:00:00.000Z'),
    log: recordingLog(),
    autoRemediation: {
      policy: { controls, maxAttempts: 2, windowHours: 24 },
      decisions,
      queue: { enqueueAutoRemediation: async (job) => void queued.push(job) },
    },
  };
  return { deps, queued, decisions };
}

const threadReplies = () =>
  slack
    .callsOf('chat.postMessage')
    .filter((call) => call.body['thread_ts'])
    .map((call) => String(call.body['text']));

describe('auto-remediation at ingest', () => {
  it('queues a new finding of an opted-in control and says so in its thread', async () => {
    const { deps, queued } = await autoDeps(['EC2.13']);

    await ingestFindings(deps, [{ ok: true, finding: makeFinding() }]);

    expect(queued).toEqual([{ findingId: findingKeyOf(makeFinding()), attempt: 1, maxAttempts: 2 }]);
    expect(threadReplies()).toEqual([expect.stringContaining('attempt 1 of 2')]);
  });

  it('leaves other controls to a person', async () => {
    const { deps, queued } = await autoDeps(['EC2.19']);

    await ingestFindings(deps, [{ ok: true, finding: makeFinding() }]);

    expect(queued).toEqual([]);
    expect(threadReplies()).toEqual([]);
  });

  it('stops at the cap when the resource keeps coming back, and tells the channel a person must look', async () => {
    const { deps, queued, decisions } = await autoDeps(['EC2.13']);
    await ingestFindings(deps, [{ ok: true, finding: makeFinding() }]);
    for (const [n, at] of ['2026-11-22T02:00:00.000Z', '2026-11-22T06:00:00.000Z'].entries()) {
      await decisions.record({
        decisionId: `auto-${n}`,
        findingId: findingKeyOf(makeFinding()),
        kind: 'auto-remediate',
        status: 'SUCCEEDED',
        actor: { kind: 'bot', reason: 'auto' },
        requestedAt: at,
        what: 'Revoke tcp/22',
      });
    }
    await ingestFindings(deps, [
      {
        ok: true,
        finding: makeFinding({ workflowStatus: 'RESOLVED', updatedAt: '2026-11-22T07:00:00.000Z' }),
      },
    ]);
    queued.length = 0;
    slack.reset();

    // Security Hub re-opens it: the control still fails
    await ingestFindings(deps, [
      { ok: true, finding: makeFinding({ workflowStatus: 'NEW', updatedAt: '2026-11-22T09:00:00.000Z' }) },
    ]);

    expect(queued).toEqual([]);
    expect(threadReplies()).toEqual([expect.stringContaining('Auto-remediation stopped')]);
  });
});
