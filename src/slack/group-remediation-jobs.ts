import type { ModalView } from '@slack/types';
import {
  groupRemediationConfirmModal,
  groupRemediationOutcomeModal,
} from '../../blocks/group-remediation-modal.js';
import { toAppError } from '../domain/app-error.js';
import type { GroupRemediationDeps } from '../usecases/remediate-group.js';
import { planGroupRemediation, runGroupRemediationLeg } from '../usecases/remediate-group.js';
import type { JobQueue, SlackJobDeps } from './slack-jobs.js';

/** The Worker's share of "Remediate all reachable…": build the list for the modal, then run it leg by leg. */
export type GroupRemediationJob =
  | {
      readonly kind: 'plan-group-remediation';
      readonly groupId: string;
      readonly userId: string;
      readonly viewId: string;
    }
  /** Leg 0 is the confirmation (checked against the list shown); later legs continue a run handed on. */
  | {
      readonly kind: 'remediate-group';
      readonly runId: string;
      readonly userId: string;
      readonly leg: number;
      readonly listDigest?: string;
    };

/** What group remediation adds to the job dependencies (absent: the button explains it is not available). */
export type GroupRemediationWiring = Pick<
  GroupRemediationDeps,
  'groups' | 'runs' | 'progress' | 'legBudgetMs' | 'progressIntervalMs' | 'concurrency'
> & {
  /** Where the next leg of a run goes: a fresh Worker invocation when deployed. */
  readonly queue: JobQueue;
};

/**
 * A leg starts no new resource after 3 minutes: one SSM member can wait 10 for its automation, and the Worker
 * Lambda stops at 15.
 */
export const GROUP_REMEDIATION_DEFAULTS = {
  legBudgetMs: 3 * 60_000,
  progressIntervalMs: 5_000,
  concurrency: 5,
} as const;

export function isGroupRemediationJob(job: { readonly kind: string }): job is GroupRemediationJob {
  return job.kind === 'plan-group-remediation' || job.kind === 'remediate-group';
}

async function showInModal(deps: SlackJobDeps, viewId: string, view: ModalView): Promise<void> {
  await deps.client.views
    .update({ view_id: viewId, view })
    .catch((error: unknown) => deps.log.info('modal not updated (closed?)', { viewId, error }));
}

export async function runGroupRemediationJob(deps: SlackJobDeps, job: GroupRemediationJob): Promise<void> {
  const wiring = deps.groupRemediation;
  const viewId = job.kind === 'plan-group-remediation' ? job.viewId : job.leg === 0 ? job.runId : undefined;
  try {
    if (!wiring) throw new Error('group remediation is not wired in this runtime');
    const groupDeps: GroupRemediationDeps = {
      ...deps,
      ...wiring,
      handOn: (next) => wiring.queue.enqueue({ kind: 'remediate-group', ...next }),
    };
    if (job.kind === 'plan-group-remediation') {
      const planned = await planGroupRemediation(groupDeps, {
        groupId: job.groupId,
        userId: job.userId,
        runId: job.viewId,
      });
      switch (planned.kind) {
        case 'plan':
          return await showInModal(
            deps,
            job.viewId,
            groupRemediationConfirmModal({ ...planned, leftOut: planned.skipped, executor: deps.executor }),
          );
        case 'nothing-to-run':
          return await showInModal(
            deps,
            job.viewId,
            groupRemediationOutcomeModal({ kind: 'nothing-to-run', leftOut: planned.skipped }),
          );
        default:
          return await showInModal(deps, job.viewId, groupRemediationOutcomeModal(planned));
      }
    }
    const outcome = await runGroupRemediationLeg(groupDeps, job);
    deps.log.info('group remediation leg ended', {
      runId: job.runId,
      leg: job.leg,
      outcome: outcome.kind,
      ...(outcome.kind === 'not-run' && { why: outcome.why }),
    });
    // A redelivered confirmation runs nothing and leaves the modal as it is; a list not as shown is told.
    if (outcome.kind === 'not-run' && outcome.why === 'not-as-shown' && viewId)
      await showInModal(deps, viewId, groupRemediationOutcomeModal({ kind: 'not-as-shown' }));
  } catch (error) {
    const appError = toAppError(error);
    deps.log.error('job failed', { job, error: appError });
    if (viewId)
      await showInModal(
        deps,
        viewId,
        groupRemediationOutcomeModal({ kind: 'failed', message: appError.userMessage }),
      );
  }
}
