import { toAppError } from '../domain/app-error.js';
import type { Resolution } from '../domain/resolution.js';
import type { FindingRecord } from '../store/finding-repository.js';
import { deliverFindingMessage } from './deliver-finding-message.js';
import { refusalWords, workflowUpdatesOf } from './workflow-updates.js';
import type { RemediationDeps } from './remediation-deps.js';

/** Set the finding RESOLVED in Security Hub; the fix is real either way, so a refusal is a warning, not a failure. */
export async function resolveInSecurityHub(
  deps: RemediationDeps,
  record: FindingRecord,
  text: string,
): Promise<string[]> {
  try {
    // Both Security Hubs when both hold the finding; each refusal is told with the Security Hub's name.
    const result = await deps.workflow.updateWorkflow(workflowUpdatesOf(record.finding, 'RESOLVED', text));
    return result.unprocessed.map((item) => `${refusalWords(item)}; set it to RESOLVED there.`);
  } catch (error) {
    const appError = toAppError(error);
    deps.log.warn('could not resolve the finding in Security Hub', {
      findingId: record.findingId,
      error: appError,
    });
    return [`Security Hub was not updated: ${appError.userMessage}`];
  }
}

/**
 * Store the resolution on the finding (retrying a lost race) and bring its message up to date. The fix is done and
 * recorded by then, so a failure here is a warning: the next sync or delivery sweep catches up.
 */
export async function storeResolution(
  deps: RemediationDeps,
  findingId: string,
  resolution: Resolution,
): Promise<void> {
  try {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const record = await deps.findings.get(findingId);
      if (!record) return;
      const written = await deps.findings.updateFinding({
        record,
        finding: { ...record.finding, workflowStatus: 'RESOLVED' },
        triage: record.triage,
        owesDelivery: true,
        resolution,
        now: deps.clock.now().toISO()!,
      });
      if (written) break;
    }
    await deliverFindingMessage(deps, findingId);
  } catch (error) {
    deps.log.warn('resolution not stored on the finding; the next sync brings it', {
      findingId,
      error: toAppError(error),
    });
  }
}
