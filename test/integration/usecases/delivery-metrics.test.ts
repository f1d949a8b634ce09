import { describe, expect, it } from 'vitest';
import { triage } from '../../../src/domain/triage.js';
import { SlackDeliveryError } from '../../../src/slack/slack-delivery-error.js';
import { FindingRepository } from '../../../src/store/finding-repository.js';
import type { CountMetric, DecisionDimensions, DurationMetric } from '../../../src/usecases/bot-metrics.js';
import { deliverOwedMessages } from '../../../src/usecases/deliver-finding-message.js';
import type { FindingMessenger, Metrics } from '../../../src/usecases/ports.js';
import { makeFinding } from '../../fixtures/finding.js';
import { useEmbeddedDynamoDb } from '../../support/embedded-table.js';
import { fixedClock } from '../../support/fixed-clock.js';
import { recordingLog } from '../../support/recording-log.js';

const dynamo = useEmbeddedDynamoDb();
const STORED_AT = '2026-11-22T10:00:00.000Z';

/** Sums what the sweep reported, as CloudWatch would. */
function recordingMetrics(): Metrics & { counts: Map<string, number>; durations: Map<string, number[]> } {
  const counts = new Map<string, number>();
  const durations = new Map<string, number[]>();
  return {
    counts,
    durations,
    count(name: CountMetric, n: number, _dimensions?: DecisionDimensions) {
      counts.set(name, (counts.get(name) ?? 0) + n);
    },
    duration(name: DurationMetric, ms: number) {
      durations.set(name, [...(durations.get(name) ?? []), ms]);
    },
  };
}

function finding(index: number) {
  const base = makeFinding();
  return makeFinding({ id: `${base.id.slice(0, -5)}${String(index).padStart(5, '0')}` });
}

describe('a delivery sweep, measured', () => {
  it('reports posts, retries, messages given up on, and how long the oldest due message waited', async () => {
    const table = await dynamo.freshTable();
    const clock = fixedClock(STORED_AT);
    const findings = new FindingRepository(table);
    const channels = { 1: 'C0FINDINGS', 2: 'C0ARCHIVED', 3: 'C0RATELIMT' } as const;
    for (const index of [1, 2, 3] as const) {
      await findings.insertNew({
        finding: finding(index),
        triage: triage(finding(index)),
        channel: channels[index],
        now: STORED_AT,
      });
    }
    const messenger: FindingMessenger = {
      post: async (channel) => {
        if (channel === 'C0ARCHIVED')
          throw new SlackDeliveryError({
            method: 'chat.postMessage',
            channel,
            slackError: 'is_archived',
            kind: 'channel',
          });
        if (channel === 'C0RATELIMT')
          throw new SlackDeliveryError({
            method: 'chat.postMessage',
            channel,
            slackError: 'ratelimited',
            kind: 'rate-limited',
          });
        return { channel, ts: '1763806500.000100' };
      },
      findPosted: async () => ({ kind: 'not-found', complete: true }),
      update: async () => undefined,
      retire: async () => undefined,
      notify: async () => undefined,
    };
    const metrics = recordingMetrics();
    // Slack was down for 45 minutes before this sweep.
    clock.set('2026-11-22T10:45:00.000Z');

    await deliverOwedMessages({ findings, messenger, clock, log: recordingLog(), metrics });

    expect(Object.fromEntries(metrics.counts)).toEqual({
      FindingMessagesPosted: 1,
      SlackDeliveryRetries: 1,
      SlackDeliveryFailures: 1,
    });
    expect(metrics.durations.get('OldestOwedMessageAge')).toEqual([45 * 60 * 1000]);
  });

  it('reports no age when nothing is owed', async () => {
    const table = await dynamo.freshTable();
    const metrics = recordingMetrics();

    await deliverOwedMessages({
      findings: new FindingRepository(table),
      messenger: {} as FindingMessenger,
      clock: fixedClock(STORED_AT),
      log: recordingLog(),
      metrics,
    });

    expect(metrics.durations.size).toBe(0);
    expect(metrics.counts.size).toBe(0);
  });
});
