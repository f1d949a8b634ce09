import { toAppError } from '../domain/app-error.js';
import type { FindingRepository } from '../store/finding-repository.js';
import type { Clock, FindingMessenger, Log } from './ports.js';

export interface DeliverDeps {
  readonly findings: FindingRepository;
  readonly messenger: FindingMessenger;
  readonly clock: Clock;
  readonly log: Log;
}

export type DeliveryOutcome =
  | { readonly kind: 'posted'; readonly channel: string; readonly ts: string }
  | { readonly kind: 'updated'; readonly channel: string; readonly ts: string }
  | { readonly kind: 'not-owed' }
  | { readonly kind: 'failed'; readonly reason: string };

/** A claim older than this was left by a worker that died mid-post and may be taken over. */
const CLAIM_LEASE_MINUTES = 5;

/**
 * Bring a finding's Slack message up to date: post it if it has none, else update it in place.
 * Only the worker that claims the owed delivery sends, so a finding gets one message however often it arrives.
 */
export async function deliverFindingMessage(deps: DeliverDeps, findingId: string): Promise<DeliveryOutcome> {
  const now = deps.clock.now();
  const claimed = await deps.findings.claimDelivery(
    findingId,
    now.toISO()!,
    now.minus({ minutes: CLAIM_LEASE_MINUTES }).toISO()!,
  );
  if (!claimed) return { kind: 'not-owed' };
  try {
    const message = claimed.messageTs
      ? await deps.messenger.update(claimed.channel, claimed.messageTs, claimed).then(() => ({
          channel: claimed.channel,
          ts: claimed.messageTs!,
        }))
      : await deps.messenger.post(claimed.channel, claimed);
    await deps.findings.completeDelivery(claimed, message);
    return { kind: claimed.messageTs ? 'updated' : 'posted', ...message };
  } catch (error) {
    const appError = toAppError(error);
    await deps.findings.releaseDelivery(findingId, appError.userMessage);
    deps.log.warn('finding message not delivered; it stays queued', {
      findingId,
      channel: claimed.channel,
      error: appError,
    });
    return { kind: 'failed', reason: appError.userMessage };
  }
}

/** Retry every message still owed (after a Slack outage or a crash). Oldest first, one at a time. */
export async function deliverOwedMessages(deps: DeliverDeps, limit = 100): Promise<DeliveryOutcome[]> {
  const owed = await deps.findings.owedDeliveries(limit);
  const outcomes: DeliveryOutcome[] = [];
  for (const findingId of owed) outcomes.push(await deliverFindingMessage(deps, findingId));
  return outcomes;
}
