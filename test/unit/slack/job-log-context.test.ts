import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLog } from '../../../src/runtime/log.js';
import type { BotLog } from '../../../src/runtime/log.js';
import { runSlackJob } from '../../../src/slack/slack-jobs.js';
import type { SlackJobDeps } from '../../../src/slack/slack-jobs.js';
import type { FindingRecord } from '../../../src/store/finding-repository.js';
import { AwsAccessDeniedError } from '../../../src/aws/errors.js';
import { ACCOUNT, makeFinding, T0 } from '../../fixtures/finding.js';
import { fixedClock } from '../../support/fixed-clock.js';

const record = {
  findingId: 'finding-ec2-13',
  finding: makeFinding(),
  channel: 'C0SECOPS1',
  delivery: 'done',
  version: 3,
  firstIngestedAt: T0,
  lastIngestedAt: T0,
} as unknown as FindingRecord;

/** Log lines as an operator reads them in CloudWatch: one JSON object each. */
let lines: Record<string, unknown>[];

beforeEach(() => {
  lines = [];
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      for (const text of String(chunk).split('\n').filter(Boolean))
        lines.push(JSON.parse(text) as Record<string, unknown>);
      return true;
    });
  }
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'INFO');
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

/** What an automatic remediation touches before the resource read fails; the rest is never reached. */
function depsWith(log: BotLog): SlackJobDeps {
  return {
    log,
    clock: fixedClock('2026-11-22T10:00:00.000Z'),
    ids: { newId: () => 'decision-0001' },
    findings: {
      get: async (findingId: string) => (findingId === record.findingId ? record : undefined),
      claimAction: async () => ({ claimed: true }),
      releaseAction: async () => undefined,
      oweNotice: async () => undefined,
    },
    decisions: { record: async () => undefined },
    stateReader: {
      read: async () => {
        throw new AwsAccessDeniedError(
          'You are not authorized to perform this operation.',
          {
            service: 'EC2',
            operation: 'DescribeSecurityGroups',
            accountId: ACCOUNT,
            region: 'ap-northeast-1',
          },
          'UnauthorizedOperation',
        );
      },
    },
  } as unknown as SlackJobDeps;
}

describe('the log of a job', () => {
  it('names the finding, its control and account, and the decision on every line of the remediation', async () => {
    const log = createLog();

    await runSlackJob(depsWith(log), {
      kind: 'auto-remediate',
      findingId: record.findingId,
      attempt: 1,
      maxAttempts: 3,
    });

    const failed = lines.find((line) => line['message'] === 'remediation failed before a plan ran');
    expect(failed).toMatchObject({
      job: 'auto-remediate',
      findingId: record.findingId,
      controlId: 'EC2.13',
      accountId: ACCOUNT,
      decisionId: 'decision-0001',
    });
    const finished = lines.find((line) => line['message'] === 'auto-remediation finished');
    expect(finished).toMatchObject({
      job: 'auto-remediate',
      findingId: record.findingId,
      controlId: 'EC2.13',
    });
  });

  it("names the Slack user who asked, and lends no key to the next job or to the process's own lines", async () => {
    const log = createLog();
    const deps = depsWith(log);

    // This Worker has no /cspm dependencies: the job logs why it cannot answer.
    await runSlackJob(deps, {
      kind: 'cspm-command',
      text: 'status',
      userId: 'U0ALICE01',
      responseUrl: 'https://hooks.slack.com/commands/T0/1/x',
    });
    await runSlackJob(deps, {
      kind: 'auto-remediate',
      findingId: record.findingId,
      attempt: 1,
      maxAttempts: 3,
    });
    await runSlackJob(deps, { kind: 'deliver' });
    log.info('between jobs');

    const command = lines.filter((line) => line['job'] === 'cspm-command');
    expect(command.length).toBeGreaterThan(0);
    for (const line of command) expect(line).toMatchObject({ slackUserId: 'U0ALICE01' });
    const later = lines.filter((line) => line['job'] !== 'cspm-command');
    expect(later.map((line) => line['message'])).toContain('between jobs');
    for (const line of later) expect(line).not.toHaveProperty('slackUserId');
    const afterRemediation = lines.filter(
      (line) => line['job'] === 'deliver' || line['message'] === 'between jobs',
    );
    expect(afterRemediation.length).toBe(2);
    for (const line of afterRemediation) {
      expect(line).not.toHaveProperty('findingId');
      expect(line).not.toHaveProperty('decisionId');
    }
  });
});
