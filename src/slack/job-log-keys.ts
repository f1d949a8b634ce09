import type { FindingRepository } from '../store/finding-repository.js';
import type { LogKeys } from '../usecases/ports.js';
import type { SlackJob } from './slack-jobs.js';

/**
 * What every log line of a job names: the job, the Slack user who asked, the run or group, and for a job on one
 * finding the finding with its control and account (read from the store, so an operator can filter on them). A
 * failed read only leaves those two out: logging never fails a job.
 */
export async function jobLogKeys(findings: Pick<FindingRepository, 'get'>, job: SlackJob): Promise<LogKeys> {
  const keys: Record<string, string> = { job: job.kind };
  if ('userId' in job) keys['slackUserId'] = job.userId;
  if ('runId' in job) keys['runId'] = job.runId;
  if ('groupId' in job) keys['groupId'] = job.groupId;
  if (!('findingId' in job)) return keys;
  keys['findingId'] = job.findingId;
  const record = await findings.get(job.findingId).catch(() => undefined);
  if (record?.finding.controlId) keys['controlId'] = record.finding.controlId;
  if (record) keys['accountId'] = record.finding.accountId;
  return keys;
}
