import type { WebClient } from '@slack/web-api';
import type { ModalView } from '@slack/types';
import { remediationConfirmModal, remediationOutcomeModal } from '../../blocks/remediation-modal.js';
import { toAppError } from '../domain/app-error.js';
import type { Actor } from '../domain/decision.js';
import { executeRemediation } from '../usecases/execute-remediation.js';
import type { ExecuteOutcome } from '../usecases/execute-remediation.js';
import { planDigest } from '../usecases/plan-digest.js';
import { prepareRemediation } from '../usecases/prepare-remediation.js';
import type { AcceptanceScope } from '../domain/acceptance.js';
import { acceptRisk } from '../usecases/accept-risk.js';
import type { AcceptRiskOutcome } from '../usecases/accept-risk.js';
import { revokeAcceptance } from '../usecases/end-acceptance.js';
import type { RiskDeps } from '../usecases/risk-deps.js';
import { reopenFinding, suppressFinding } from '../usecases/suppress-finding.js';
import { runDeliveries } from '../usecases/run-deliveries.js';
import type { DeliveryRunOptions } from '../usecases/run-deliveries.js';
import { answerCspmCommandJob } from './cspm-command.js';
import type { CommandDeps, CspmCommandJob } from './cspm-command.js';
import type { GroupRemediationJob, GroupRemediationWiring } from './group-remediation-jobs.js';
import { isGroupRemediationJob, runGroupRemediationJob } from './group-remediation-jobs.js';
import { jobLogKeys } from './job-log-keys.js';

/** Long work handed off after a Slack ack: run in-process locally, by an async Lambda invoke when deployed. */
export type SlackJob =
  | {
      readonly kind: 'plan-remediation';
      readonly findingId: string;
      readonly userId: string;
      readonly viewId: string;
      /** The control's account-wide fix (EC2.8/EC2.170 IMDS defaults) instead of its remediation. */
      readonly accountFix?: true;
    }
  | {
      readonly kind: 'execute-remediation';
      readonly findingId: string;
      readonly userId: string;
      readonly planDigest: string;
      readonly viewId: string;
      readonly confirmedGroupId?: string;
      readonly accountFix?: true;
      /** The person ticked "start an instance refresh" in the dialog. */
      readonly startInstanceRefresh?: boolean;
    }
  | {
      readonly kind: 'auto-remediate';
      readonly findingId: string;
      readonly attempt: number;
      readonly maxAttempts: number;
    }
  | {
      readonly kind: 'suppress';
      readonly findingId: string;
      readonly userId: string;
      readonly reason: string;
      readonly ticketUrl?: string;
    }
  | {
      readonly kind: 'accept-risk';
      readonly findingId: string;
      readonly userId: string;
      readonly until: string;
      readonly reason: string;
      readonly scope: AcceptanceScope;
      readonly ticketUrl?: string;
    }
  | { readonly kind: 'reopen' | 'revoke-acceptance'; readonly findingId: string; readonly userId: string }
  | GroupRemediationJob
  /** Post what is owed (ingest and sync hand it over; one run in flight at a time, see usecases/run-deliveries). */
  | { readonly kind: 'deliver' }
  /** A `/cspm` subcommand the Slack Lambda acknowledged: answered to its response_url by the Worker. */
  | CspmCommandJob;

export interface JobQueue {
  enqueue(job: SlackJob): Promise<void>;
}

export interface SlackJobDeps extends RiskDeps {
  readonly client: WebClient;
  readonly executor: 'ssm' | 'direct';
  /** What `/cspm` is answered from (the Worker); absent, a handed-over command is logged as unanswerable. */
  readonly command?: CommandDeps;
  /** The delivery step's lease and time budget; absent, a `deliver` job is logged and left to the scheduled sync. */
  readonly deliveryRun?: DeliveryRunOptions;
  /** "Remediate all reachable…" on a grouped message; absent where it is not wired. */
  readonly groupRemediation?: GroupRemediationWiring;
}

/** The modal may have been closed meanwhile: the thread still carries the outcome, so a failed update is fine. */
async function showInModal(deps: SlackJobDeps, viewId: string, view: ModalView): Promise<void> {
  await deps.client.views
    .update({ view_id: viewId, view })
    .catch((error: unknown) => deps.log.info('modal not updated (closed?)', { viewId, error }));
}

function outcomeView(outcome: ExecuteOutcome): ModalView {
  switch (outcome.kind) {
    case 'succeeded':
      return remediationOutcomeModal({
        kind: outcome.decision.kind === 'account-fix' ? 'account-fixed' : 'succeeded',
        words: outcome.decision.what,
      });
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

async function planJob(
  deps: SlackJobDeps,
  job: Extract<SlackJob, { kind: 'plan-remediation' }>,
): Promise<void> {
  const prepared = await prepareRemediation(deps, {
    findingId: job.findingId,
    userId: job.userId,
    ...(job.accountFix && { accountFix: true }),
  });
  switch (prepared.kind) {
    case 'plan':
      return showInModal(
        deps,
        job.viewId,
        remediationConfirmModal({
          findingId: job.findingId,
          planDigest: planDigest(prepared.plan),
          title: `${prepared.record.finding.controlId ?? ''} ${prepared.record.finding.title}`.trim(),
          words: prepared.words,
          notes: prepared.notes,
          executor: deps.executor,
          ...('confirmation' in prepared && prepared.confirmation && { confirmation: prepared.confirmation }),
          ...(job.accountFix && { accountFix: true }),
          ...('instanceRefreshChoice' in prepared &&
            prepared.instanceRefreshChoice && { instanceRefreshChoice: prepared.instanceRefreshChoice }),
        }),
      );
    case 'already-fixed': {
      // Nothing to change: say so and mark it resolved, through the same guarded path as a remediation.
      const outcome = await executeRemediation(deps, {
        findingId: job.findingId,
        actor: await userActor(deps, job.userId),
      });
      return showInModal(deps, job.viewId, outcomeView(outcome));
    }
    case 'not-open':
      return showInModal(deps, job.viewId, remediationOutcomeModal({ kind: 'not-open' }));
    default:
      return showInModal(deps, job.viewId, remediationOutcomeModal(prepared));
  }
}

/** The message itself shows a decision that went through; anything else is told to the person privately. */
async function tellUnlessDone(
  deps: SlackJobDeps,
  job: { findingId: string; userId: string },
  outcome: AcceptRiskOutcome,
): Promise<void> {
  const text = (() => {
    switch (outcome.kind) {
      case 'done':
        // The decision shows on the messages; findings it had to leave alone are told, so nobody assumes them covered.
        return outcome.skipped && outcome.skipped.length > 0
          ? `:information_source: Done, except ${outcome.skipped.length} finding${outcome.skipped.length === 1 ? '' : 's'} someone else was acting on (${outcome.skipped
              .slice(0, 5)
              .map((item) => (item.by === 'cspm-bot' ? 'cspm-bot' : `<@${item.by}>`))
              .join(
                ', ',
              )}${outcome.skipped.length > 5 ? ', …' : ''}); ${outcome.skipped.length === 1 ? 'it was' : 'they were'} left as ${outcome.skipped.length === 1 ? 'it is' : 'they are'}.`
          : undefined;
      case 'not-found':
        return 'The bot holds no such finding.';
      case 'refused':
        return `:no_entry: You may not do that. Who may: ${outcome.whoMay}.`;
      case 'in-progress':
        return `:hourglass: Someone is already acting on this finding (<@${outcome.by}>).`;
      case 'no-change':
        return `:information_source: ${outcome.why}`;
      case 'invalid-until':
        return `:warning: ${outcome.error}`;
      case 'failed':
        return `:x: ${outcome.userMessage}`;
    }
  })();
  if (!text) return;
  const record = await deps.findings.get(job.findingId);
  if (record)
    await deps.client.chat
      .postEphemeral({ channel: record.channel, user: job.userId, text })
      .catch((error: unknown) => deps.log.warn('could not tell the user', { error }));
}

/** A `/cspm` command handed over by the Slack Lambda; its own failures are told through the response_url. */
async function runCspmCommandJob(deps: SlackJobDeps, job: CspmCommandJob): Promise<void> {
  if (!deps.command) {
    deps.log.error('/cspm was handed to a Worker that cannot answer it (no command dependencies wired)', {
      text: job.text,
      userId: job.userId,
    });
    return;
  }
  await answerCspmCommandJob(deps.command, job);
}

/** The delivery step; a fault leaves every message owed (the next run or the scheduled sync delivers it). */
async function runDeliverJob(deps: SlackJobDeps): Promise<void> {
  if (!deps.deliveryRun) {
    deps.log.warn(
      'a delivery job reached a process without a delivery lease; the sync delivers the owed messages',
    );
    return;
  }
  try {
    const report = await runDeliveries(deps, deps.deliveryRun);
    deps.log.info('delivery run finished', { ...report });
  } catch (error) {
    await deps.deliveryRun.lease.release().catch(() => undefined);
    deps.log.error('delivery run failed; the messages stay owed', { error: toAppError(error) });
  }
}

/**
 * Runs one job; a fault is logged and shown to the person, never retried (a remediation must not loop). Every line
 * the job logs carries its keys (finding, control, account, Slack user; see job-log-keys).
 */
export async function runSlackJob(deps: SlackJobDeps, job: SlackJob): Promise<void> {
  if (!deps.log.withKeys) return runJob(deps, job);
  return runJob({ ...deps, log: deps.log.withKeys(await jobLogKeys(deps.findings, job)) }, job);
}

async function runJob(deps: SlackJobDeps, job: SlackJob): Promise<void> {
  if (isGroupRemediationJob(job)) return runGroupRemediationJob(deps, job);
  if (job.kind === 'cspm-command') return runCspmCommandJob(deps, job);
  if (job.kind === 'deliver') return runDeliverJob(deps);
  try {
    switch (job.kind) {
      case 'plan-remediation':
        return await planJob(deps, job);
      case 'execute-remediation': {
        // The view id names this one confirmation: the same job delivered again runs nothing.
        const outcome = await executeRemediation(deps, {
          findingId: job.findingId,
          actor: await userActor(deps, job.userId),
          confirmedPlanDigest: job.planDigest,
          confirmationId: job.viewId,
          ...(job.confirmedGroupId && { confirmedGroupId: job.confirmedGroupId }),
          ...(job.accountFix && { accountFix: true }),
          ...(job.startInstanceRefresh === true && { startInstanceRefresh: true }),
        });
        return await showInModal(deps, job.viewId, outcomeView(outcome));
      }
      case 'suppress':
        return await tellUnlessDone(deps, job, await suppressFinding(deps, job));
      case 'accept-risk':
        return await tellUnlessDone(deps, job, await acceptRisk(deps, job));
      case 'reopen':
        return await tellUnlessDone(deps, job, await reopenFinding(deps, job));
      case 'revoke-acceptance':
        return await tellUnlessDone(deps, job, await revokeAcceptance(deps, job));
      case 'auto-remediate': {
        const actor: Actor = {
          kind: 'bot',
          reason: `auto-remediation, attempt ${job.attempt} of ${job.maxAttempts}`,
        };
        const outcome = await executeRemediation(deps, { findingId: job.findingId, actor });
        deps.log.info('auto-remediation finished', { findingId: job.findingId, outcome: outcome.kind });
        return;
      }
    }
  } catch (error) {
    const appError = toAppError(error);
    deps.log.error('job failed', { job, error: appError });
    if ('viewId' in job)
      await showInModal(
        deps,
        job.viewId,
        remediationOutcomeModal({ kind: 'failed', message: appError.userMessage }),
      );
    else if ('userId' in job)
      await tellUnlessDone(deps, job, { kind: 'failed', userMessage: appError.userMessage });
  }
}
