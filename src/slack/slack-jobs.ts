import type { WebClient } from '@slack/web-api';
import type { ModalView } from '@slack/types';
import { remediationConfirmModal, remediationOutcomeModal } from '../../blocks/remediation-modal.js';
import { toAppError } from '../domain/app-error.js';
import type { Actor } from '../domain/decision.js';
import { executeRemediation } from '../usecases/execute-remediation.js';
import type { ExecuteOutcome } from '../usecases/execute-remediation.js';
import { planDigest } from '../usecases/plan-digest.js';
import { prepareRemediation } from '../usecases/prepare-remediation.js';
import type { RemediationDeps } from '../usecases/remediation-deps.js';

/** Long work handed off after a Slack ack: run in-process locally, by an async Lambda invoke when deployed. */
export type SlackJob =
  | { readonly kind: 'plan-remediation'; readonly findingId: string; readonly userId: string; readonly viewId: string }
  | { readonly kind: 'execute-remediation'; readonly findingId: string; readonly userId: string; readonly planDigest: string; readonly viewId: string }
  | { readonly kind: 'auto-remediate'; readonly findingId: string; readonly attempt: number; readonly maxAttempts: number };

export interface JobQueue {
  enqueue(job: SlackJob): Promise<void>;
}

export interface SlackJobDeps extends RemediationDeps {
  readonly client: WebClient;
  readonly executor: 'ssm' | 'direct';
}

/** The modal may have been closed meanwhile: the thread still carries the outcome, so a failed update is fine. */
async function showInModal(deps: SlackJobDeps, viewId: string, view: ModalView): Promise<void> {
  await deps.client.views.update({ view_id: viewId, view }).catch((error: unknown) => deps.log.info('modal not updated (closed?)', { viewId, error }));
}

function outcomeView(outcome: ExecuteOutcome): ModalView {
  switch (outcome.kind) {
    case 'succeeded':
      return remediationOutcomeModal({ kind: 'succeeded', words: outcome.decision.what });
    case 'failed':
      return remediationOutcomeModal({ kind: 'failed', message: outcome.userMessage });
    case 'already-fixed':
      return remediationOutcomeModal({ kind: 'already-fixed', words: outcome.decision.what });
    default:
      return remediationOutcomeModal(outcome);
  }
}

async function userActor(deps: SlackJobDeps, userId: string): Promise<Actor> {
  const name = await deps.users.displayName(userId).catch(() => undefined);
  return { kind: 'user', userId, ...(name && { name }) };
}

async function planJob(deps: SlackJobDeps, job: Extract<SlackJob, { kind: 'plan-remediation' }>): Promise<void> {
  const prepared = await prepareRemediation(deps, { findingId: job.findingId, userId: job.userId });
  switch (prepared.kind) {
    case 'plan':
      return showInModal(deps, job.viewId, remediationConfirmModal({
        findingId: job.findingId,
        planDigest: planDigest(prepared.plan),
        title: `${prepared.record.finding.controlId ?? ''} ${prepared.record.finding.title}`.trim(),
        words: prepared.words,
        notes: prepared.notes,
        executor: deps.executor,
      }));
    case 'already-fixed': {
      // Nothing to change: say so and mark it resolved, through the same guarded path as a remediation.
      const outcome = await executeRemediation(deps, { findingId: job.findingId, actor: await userActor(deps, job.userId) });
      return showInModal(deps, job.viewId, outcomeView(outcome));
    }
    case 'not-open':
      return showInModal(deps, job.viewId, remediationOutcomeModal({ kind: 'not-open' }));
    default:
      return showInModal(deps, job.viewId, remediationOutcomeModal(prepared));
  }
}

/** Runs one job; a fault is logged and shown to the person, never retried (a remediation must not loop). */
export async function runSlackJob(deps: SlackJobDeps, job: SlackJob): Promise<void> {
  try {
    switch (job.kind) {
      case 'plan-remediation':
        return await planJob(deps, job);
      case 'execute-remediation': {
        const outcome = await executeRemediation(deps, { findingId: job.findingId, actor: await userActor(deps, job.userId), confirmedPlanDigest: job.planDigest });
        return await showInModal(deps, job.viewId, outcomeView(outcome));
      }
      case 'auto-remediate': {
        const actor: Actor = { kind: 'bot', reason: `auto-remediation, attempt ${job.attempt} of ${job.maxAttempts}` };
        const outcome = await executeRemediation(deps, { findingId: job.findingId, actor });
        deps.log.info('auto-remediation finished', { findingId: job.findingId, outcome: outcome.kind });
        return;
      }
    }
  } catch (error) {
    const appError = toAppError(error);
    deps.log.error('job failed', { job, error: appError });
    if ('viewId' in job) await showInModal(deps, job.viewId, remediationOutcomeModal({ kind: 'failed', message: appError.userMessage }));
  }
}
