import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EmfMetrics } from '../../../src/runtime/emf-metrics.js';
import {
  COUNT_METRICS,
  countDecision,
  countIngested,
  DURATION_METRICS,
} from '../../../src/usecases/bot-metrics.js';
import type { Decision } from '../../../src/domain/decision.js';
import { noIngestCounts } from '../../../src/usecases/ingest-findings.js';

interface EmfLine {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: {
      Namespace: string;
      Dimensions: string[][];
      Metrics: { Name: string; Unit: string }[];
    }[];
  };
  [key: string]: unknown;
}

/** What CloudWatch Logs receives: one EMF JSON document per line. */
let written: EmfLine[];

beforeEach(() => {
  written = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    for (const text of String(chunk).split('\n').filter(Boolean)) written.push(JSON.parse(text) as EmfLine);
    return true;
  });
  // The test configuration turns metrics off for every other test.
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

const remediation: Decision = {
  decisionId: 'decision-0001',
  findingId: 'finding-ec2-13',
  kind: 'remediate',
  status: 'FAILED',
  actor: { kind: 'user', userId: 'U0ALICE01' },
  requestedAt: '2026-11-22T10:00:00.000Z',
  finishedAt: '2026-11-22T10:00:41.500Z',
  durationMs: 41_500,
  what: 'Revoke inbound tcp/22 from 0.0.0.0/0 on sg-0abc1234def567890',
  error: { code: 'AWS_ACCESS_DENIED', message: 'UnauthorizedOperation' },
};

describe('EmfMetrics', () => {
  it("writes an invocation's counts and durations once, at flush, in the CspmBot namespace with only the service dimension", () => {
    const metrics = new EmfMetrics({ serviceName: 'cspm-bot' });
    countIngested(metrics, { ...noIngestCounts(), alerted: 3, unchanged: 5, dropped: 1, malformed: 1 });
    metrics.count(COUNT_METRICS.findingsAlerted, 2);
    metrics.duration(DURATION_METRICS.oldestOwedMessageAge, 95_000);

    expect(written).toEqual([]);
    metrics.flush();

    expect(written).toHaveLength(1);
    const [line] = written;
    expect(line?._aws.CloudWatchMetrics).toEqual([
      {
        Namespace: 'CspmBot',
        Dimensions: [['service']],
        Metrics: expect.arrayContaining([
          { Name: 'FindingsIngested', Unit: 'Count' },
          { Name: 'FindingsAlerted', Unit: 'Count' },
          { Name: 'FindingsDropped', Unit: 'Count' },
          { Name: 'OldestOwedMessageAge', Unit: 'Milliseconds' },
        ]),
      },
    ]);
    expect(line).toMatchObject({
      service: 'cspm-bot',
      FindingsIngested: 10,
      // Two adds in one invocation: CloudWatch sums the values.
      FindingsAlerted: [3, 2],
      FindingsDropped: 2,
      OldestOwedMessageAge: 95_000,
    });
  });

  it('writes a decision by kind and outcome at once, on its own line, and a failed remediation for the alarm', () => {
    const metrics = new EmfMetrics({ serviceName: 'cspm-bot' });

    countDecision(metrics, remediation);

    expect(written).toHaveLength(1);
    expect(written[0]?._aws.CloudWatchMetrics[0]).toMatchObject({
      Namespace: 'CspmBot',
      Dimensions: [['service', 'kind', 'outcome']],
      Metrics: [{ Name: 'Decisions', Unit: 'Count' }],
    });
    expect(written[0]).toMatchObject({ kind: 'remediate', outcome: 'FAILED', Decisions: 1 });

    metrics.flush();
    expect(written[1]?._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([['service']]);
    expect(written[1]).toMatchObject({ RemediationsFailed: 1, RemediationDuration: 41_500 });
  });

  it('does not count a suppression as a remediation', () => {
    const metrics = new EmfMetrics({ serviceName: 'cspm-bot' });

    countDecision(metrics, { ...remediation, kind: 'suppress', status: 'SUCCEEDED' });
    metrics.flush();

    expect(written).toHaveLength(1);
    expect(written[0]).toMatchObject({ kind: 'suppress', outcome: 'SUCCEEDED', Decisions: 1 });
  });

  it('writes nothing, not even a warning, for an invocation with nothing to count', () => {
    const metrics = new EmfMetrics({ serviceName: 'cspm-bot' });
    countIngested(metrics, noIngestCounts());

    metrics.flush();

    expect(written).toEqual([]);
  });
});
