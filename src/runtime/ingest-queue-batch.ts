import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import { findingsOfSecurityHubEvent } from '../aws/security-hub-event.js';
import { toAppError } from '../domain/app-error.js';
import type { FindingsFormat } from '../domain/findings-format.js';
import { ingestFindings, noIngestCounts } from '../usecases/ingest-findings.js';
import type { IngestDeps, IngestItem, IngestReport } from '../usecases/ingest-findings.js';
import type { Log } from '../usecases/ports.js';

/** The findings of one queue message: the EventBridge event it carries, normalized (or why it could not be). */
function itemsOf(record: SQSRecord, format: FindingsFormat): IngestItem[] {
  let event: unknown;
  try {
    event = JSON.parse(record.body);
  } catch {
    return [{ ok: false, reason: `queue message ${record.messageId} is not JSON` }];
  }
  return findingsOfSecurityHubEvent(event, format).findings;
}

export interface IngestQueueBatchResult {
  /** For Lambda's partial batch response: only these messages return to the queue (and, in the end, its DLQ). */
  readonly response: SQSBatchResponse;
  readonly counts: IngestReport['counts'];
}

function added(sum: IngestReport['counts'], more: IngestReport['counts']): IngestReport['counts'] {
  const total = { ...sum };
  for (const kind of Object.keys(total) as (keyof typeof total)[]) total[kind] += more[kind];
  return total;
}

/**
 * One batch of the ingest queue (EventBridge events of either Security Hub, one finding each): ingested together, so
 * the batch's reads, counters and delivery hand-off are paid once instead of once per finding. Malformed messages
 * are counted and skipped (a retry cannot mend them). If the store fails the batch, each message is tried on its own
 * so that only the ones that still fail go back to the queue; already stored findings come back as unchanged.
 */
export async function ingestQueueBatch(
  deps: IngestDeps,
  records: readonly SQSRecord[],
  log: Log,
  /** CSPM_FINDINGS_FORMAT: which Security Hub's events the queue carries. */
  format: FindingsFormat,
): Promise<IngestQueueBatchResult> {
  try {
    const report = await ingestFindings(
      deps,
      records.flatMap((record) => itemsOf(record, format)),
    );
    return { response: { batchItemFailures: [] }, counts: report.counts };
  } catch (error) {
    log.warn('the batch could not be ingested whole; trying each message on its own', {
      messages: records.length,
      error: toAppError(error),
    });
  }
  let counts = noIngestCounts();
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of records) {
    try {
      counts = added(counts, (await ingestFindings(deps, itemsOf(record, format))).counts);
    } catch (error) {
      log.error('a queued event could not be ingested; it returns to the queue', {
        messageId: record.messageId,
        receiveCount: record.attributes.ApproximateReceiveCount,
        error: toAppError(error),
      });
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { response: { batchItemFailures }, counts };
}
