import { randomUUID } from 'node:crypto';
import { EC2Client } from '@aws-sdk/client-ec2';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { countIngested } from '../usecases/bot-metrics.js';
import { onceUntilFailure } from './cold-start.js';
import { ingestQueueBatch } from './ingest-queue-batch.js';
import { lambdaBase, loadLambdaConfig, workerQueue } from './lambda-environment.js';
import { createLog } from './log.js';
import { EmfMetrics } from './emf-metrics.js';
import { memberAccountClients } from './member-account-clients.js';
import { findingWorkflow, ingestDeps } from './remediation-wiring.js';

const log = createLog();
const metrics = new EmfMetrics();
const deps = onceUntilFailure(async () => {
  const config = await loadLambdaConfig();
  const { store, base } = lambdaBase(config, log, metrics);
  // EC2 to read a finding's reachability, Security Hub to hold it under an acceptance: never SSM or Auto Scaling.
  const clients = memberAccountClients(config, { ec2: EC2Client, securityHub: SecurityHubClient });
  // Ingest holds findings under a risk acceptance (a workflow write) but never remediates here: that is the Worker's.
  const holds = { workflow: findingWorkflow(clients, config.awsRegion), ids: { newId: () => randomUUID() } };
  return {
    ingest: ingestDeps({ config, base, store, clients, jobs: holds, queue: workerQueue(config) }),
    format: config.findingsFormat,
  };
});

/**
 * A batch of the ingest queue: EventBridge puts each "Security Hub Findings - Imported" or "Findings Imported V2"
 * event (one finding, at least once) on the queue, and Lambda hands them over up to 100 at a time. Messages that still fail return to the
 * queue and, after its retries, land in the dead-letter queue: nothing is lost.
 */
export async function handler(event: SQSEvent, context?: Context): Promise<SQSBatchResponse> {
  if (context) log.addContext(context);
  try {
    const { ingest, format } = await deps();
    const { response, counts } = await ingestQueueBatch(ingest, event.Records, log, format);
    log.info('ingested findings', {
      messages: event.Records.length,
      counts,
      returned: response.batchItemFailures.length,
    });
    countIngested(metrics, counts);
    return response;
  } finally {
    metrics.flush();
  }
}
