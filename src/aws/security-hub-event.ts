import type { FindingsFormat } from '../domain/findings-format.js';
import { readsAsff, readsOcsf } from '../domain/findings-format.js';
import type { IngestItem } from '../usecases/ingest-findings.js';
import { findingsFromImportedEvent, FINDINGS_IMPORTED_DETAIL_TYPE } from './asff-finding.js';
import { findingsFromImportedV2Event, FINDINGS_IMPORTED_V2_DETAIL_TYPE } from './ocsf-finding.js';

function detailTypeOf(event: unknown): unknown {
  return typeof event === 'object' && event !== null
    ? (event as Record<string, unknown>)['detail-type']
    : undefined;
}

/**
 * The findings of one EventBridge event from either Security Hub, normalized, as far as `format` (CSPM_FINDINGS_FORMAT)
 * takes them: the newer Security Hub's exposure findings as exposures. An event of a Security Hub the configuration
 * does not read is refused in words, not guessed at.
 */
export function findingsOfSecurityHubEvent(
  event: unknown,
  format: FindingsFormat,
): { findings: IngestItem[]; eventId?: string } {
  const detailType = detailTypeOf(event);
  if (detailType === FINDINGS_IMPORTED_V2_DETAIL_TYPE) {
    return readsOcsf(format)
      ? findingsFromImportedV2Event(event)
      : {
          findings: [
            { ok: false, reason: `a "${detailType}" event is not read with CSPM_FINDINGS_FORMAT=${format}` },
          ],
        };
  }
  if (detailType === FINDINGS_IMPORTED_DETAIL_TYPE && !readsAsff(format))
    return {
      findings: [
        { ok: false, reason: `a "${detailType}" event is not read with CSPM_FINDINGS_FORMAT=${format}` },
      ],
    };
  // Anything else gets the ASFF normalizer's own words about what it expected.
  return findingsFromImportedEvent(event);
}
