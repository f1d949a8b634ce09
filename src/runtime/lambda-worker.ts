import { runSlackJob } from '../slack/slack-jobs.js';
import type { SlackJob } from '../slack/slack-jobs.js';
import { onceUntilFailure } from './cold-start.js';
import { lambdaDeps, loadLambdaConfig } from './lambda-environment.js';
import { createLog } from './log.js';

const log = createLog();
const deps = onceUntilFailure(async () => lambdaDeps(await loadLambdaConfig(), log).jobs);

/**
 * Long work handed off after a Slack ack (planning, running and verifying a remediation), invoked asynchronously
 * with no automatic retry: a failed remediation is reported, never re-run by itself.
 */
export async function handler(job: SlackJob): Promise<void> {
  log.appendKeys({ job: job.kind, findingId: job.findingId });
  await runSlackJob(await deps(), job);
}
