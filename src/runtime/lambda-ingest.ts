import { findingsFromImportedEvent } from '../aws/asff-finding.js';
import { ingestFindings } from '../usecases/ingest-findings.js';
import type { IngestReport } from '../usecases/ingest-findings.js';
import { onceUntilFailure } from './cold-start.js';
import { lambdaDeps, loadLambdaConfig } from './lambda-environment.js';
import { createLog } from './log.js';

const log = createLog();
const deps = onceUntilFailure(async () => lambdaDeps(await loadLambdaConfig(), log).ingest);

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
