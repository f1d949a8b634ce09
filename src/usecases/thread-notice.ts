import { toAppError } from '../domain/app-error.js';
import type { FindingNotice } from '../domain/finding-notice.js';
import type { FindingRecord } from '../store/finding-repository.js';
import type { DeliverDeps } from './deliver-finding-message.js';

/**
 * Tell the finding's thread what happened. Telling is not doing: when Slack refuses, the outcome stands as AWS and
 * the audit record say, and the failure is a warning in the log, never a failed action.
 */
export async function tellInThread(
  deps: DeliverDeps,
  record: FindingRecord,
  notice: FindingNotice,
): Promise<boolean> {
  try {
    // The freshest copy: the message may have been posted (or re-posted) since `record` was read.
    const current = (await deps.findings.get(record.findingId)) ?? record;
    if (!current.messageTs) {
      // No message to reply under yet (its delivery is queued): the delivery posts the notice right after it.
      await deps.findings.oweNotice(current.findingId, notice, deps.clock.now().toISO()!);
      return true;
    }
    await deps.messenger.notify(current, notice);
    return true;
  } catch (error) {
    deps.log.warn('thread reply not posted; the outcome is recorded and shown on the message', {
      findingId: record.findingId,
      notice: notice.kind,
      error: toAppError(error),
    });
    return false;
  }
}
