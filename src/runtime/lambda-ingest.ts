import { randomUUID } from 'node:crypto';
import { findingsFromImportedEvent } from '../aws/asff-finding.js';
import { ingestFindings } from '../usecases/ingest-findings.js';
import type { IngestReport } from '../usecases/ingest-findings.js';
import { onceUntilFailure } from './cold-start.js';
import { lambdaBase, loadLambdaConfig, workerQueue } from './lambda-environment.js';
import { createLog } from './log.js';
import { accountClients, findingWorkflow, ingestDeps } from './remediation-wiring.js';

const log = createLog();
const deps = onceUntilFailure(async () => {
  const config = await loadLambdaConfig();
  const { store, base } = lambdaBase(config, log);
  const clients = accountClients(config);
  // Ingest holds findings under a risk acceptance (a workflow write) but never remediates here: that is the Worker's.
  const holds = { workflow: findingWorkflow(clients, config.awsRegion), ids: { newId: () => randomUUID() } };
  return ingestDeps({ config, base, store, clients, jobs: holds, queue: workerQueue(config) });
});

/**
 * EventBridge "Security Hub Findings - Imported" (one finding per event, at least once). A fault throws so
 * EventBridge retries and, after its retries, the event lands in the dead-letter queue: nothing is lost.
 */
export async function handler(event: unknown): Promise<IngestReport['counts']> {
  const { findings, eventId } = findingsFromImportedEvent(event);
  log.appendKeys({ eventId });
  const report = await ingestFindings(await deps(), findings);
  log.info('ingested findings', { counts: report.counts });
  return report.counts;
}
