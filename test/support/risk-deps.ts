import { WebClient } from '@slack/web-api';
import type { FindingRef, WorkflowStatus } from '../../src/domain/finding.js';
import { SlackFindingMessenger } from '../../src/slack/finding-messenger.js';
import { SlackSender } from '../../src/slack/sender.js';
import { AcceptanceRepository } from '../../src/store/acceptance-repository.js';
import type { CspmTable } from '../../src/store/cspm-table.js';
import { DecisionRepository } from '../../src/store/decision-repository.js';
import { FindingRepository } from '../../src/store/finding-repository.js';
import { StatsRepository } from '../../src/store/stats-repository.js';
import type { FindingWorkflow } from '../../src/usecases/ports.js';
import type { RiskDeps } from '../../src/usecases/risk-deps.js';
import type { FakeSlackApi } from './fake-slack-api.js';
import { fixedClock } from './fixed-clock.js';
import { recordingLog } from './recording-log.js';

export interface RecordedWorkflowUpdate {
  readonly ids: string[];
  readonly status: WorkflowStatus;
  readonly note: string;
}

/** Security Hub's BatchUpdateFindings as a recorder: every call kept, every finding processed. */
export function recordingWorkflow(): FindingWorkflow & { updates: RecordedWorkflowUpdate[] } {
  const updates: RecordedWorkflowUpdate[] = [];
  return {
    updates,
    async updateWorkflow(items) {
      const first = items[0];
      if (first)
        updates.push({ ids: items.map((item) => item.ref.id), status: first.status, note: first.note.text });
      return { processed: items.map((item): FindingRef => item.ref), unprocessed: [] };
    },
  };
}

const notUsed = async (): Promise<never> => {
  throw new Error('not used in this test');
};

/** Risk use-case dependencies on an embedded table and a fake Slack; AWS writes go to a recorder. */
export function riskDeps(
  table: CspmTable,
  slack: FakeSlackApi,
  options: { now?: string; timeZone?: string; allowedUsers?: string[] } = {},
) {
  const clock = fixedClock(options.now ?? '2026-11-22T10:00:00.000Z');
  const workflow = recordingWorkflow();
  let counter = 0;
  const client = new WebClient('xoxb-test', {
    slackApiUrl: slack.url,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
  });
  const stats = new StatsRepository(table);
  const findings = new FindingRepository(table, stats);
  const deps: RiskDeps = {
    findings,
    decisions: new DecisionRepository(table, { stats, findings }),
    acceptances: new AcceptanceRepository(table),
    messenger: new SlackFindingMessenger(new SlackSender(client, { minIntervalPerChannelMs: 0 })),
    stateReader: { read: notUsed },
    remediator: { execute: notUsed },
    workflow,
    users: {
      userGroupsOf: async () => [],
      displayName: async (userId) => (userId === 'U0ALICE01' ? 'alice' : undefined),
    },
    ids: { newId: () => `id-${String((counter += 1)).padStart(4, '0')}` },
    policy: { users: options.allowedUsers ?? ['U0ALICE01'], userGroups: [] },
    planOptions: { imdsHopLimit: 1 },
    acceptanceRules: { timeZone: options.timeZone ?? 'UTC', defaultDays: 30, maxDays: 365 },
    reminderDays: 7,
    clock,
    log: recordingLog(),
  };
  return { deps, clock, workflow, stats };
}
