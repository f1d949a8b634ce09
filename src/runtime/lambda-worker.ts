import { LambdaClient } from '@aws-sdk/client-lambda';
import type { Context } from 'aws-lambda';
import { runSlackJob } from '../slack/slack-jobs.js';
import type { SlackJob } from '../slack/slack-jobs.js';
import { onceUntilFailure } from './cold-start.js';
import { lambdaBase, loadLambdaConfig } from './lambda-environment.js';
import { LambdaInvokeQueue } from './lambda-invoke-queue.js';
import { lambdaJobDeps } from './lambda-job-deps.js';
import { groupRemediationWiring } from './remediation-wiring.js';
import { createLog } from './log.js';
import { EmfMetrics } from './emf-metrics.js';
import { commandDeps } from './slack-wiring.js';

const log = createLog();
const metrics = new EmfMetrics();
const deps = onceUntilFailure(async () => {
  const config = await loadLambdaConfig();
  const lambda = lambdaBase(config, log, metrics);
  const { jobs: remediation } = lambdaJobDeps(config, lambda);
  // The Worker also answers the /cspm commands the Slack Lambda acknowledged and handed over.
  const jobs = { ...remediation, command: commandDeps(config, lambda.store, remediation) };
  // A long "Remediate all" run hands its next leg to a fresh invocation of this function (the runtime names it).
  const self = process.env['AWS_LAMBDA_FUNCTION_NAME'];
  return self
    ? {
        ...jobs,
        groupRemediation: groupRemediationWiring(
          lambda.store,
          lambda.slack,
          new LambdaInvokeQueue(new LambdaClient({}), self),
        ),
      }
    : jobs;
});

/**
 * Long work handed off after a Slack ack (planning, running and verifying a remediation), invoked asynchronously
 * with no automatic retry: a failed remediation is reported, never re-run by itself.
 */
export async function handler(job: SlackJob, context?: Context): Promise<void> {
  // The request id on every line; the job's own keys (finding, user, decision) are added by the job runner.
  if (context) log.addContext(context);
  try {
    await runSlackJob(await deps(), job);
  } finally {
    metrics.flush();
  }
}
