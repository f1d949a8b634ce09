import type { AllMiddlewareArgs, App, BlockButtonAction, SlackActionMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { REMEDIATE_ACTION, parseFindingButtonValue } from '../../blocks/action-ids.js';
import {
  REMEDIATION_CONFIRM_CALLBACK,
  parseRemediationModalMetadata,
  remediationLoadingModal,
  remediationOutcomeModal,
  remediationRunningModal,
} from '../../blocks/remediation-modal.js';
import type { ActorPolicy } from '../domain/authorization.js';
import { authorizeUser } from '../usecases/authorize-user.js';
import type { UserDirectory } from '../usecases/ports.js';
import type { JobQueue } from './slack-jobs.js';

export interface RemediationListenerDeps {
  readonly queue: JobQueue;
  readonly users: UserDirectory;
  readonly policy: ActorPolicy;
}

/**
 * Remediate click: refuse quickly if the user may not act; otherwise open a modal at once (the trigger id lives
 * 3 s) and hand planning, which reads AWS, to the work queue.
 */
export function onRemediateClick(deps: RemediationListenerDeps) {
  return async ({ ack, action, body, client }: SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs): Promise<void> => {
    await ack();
    const findingId = parseFindingButtonValue(action.value);
    const channel = body.channel?.id;
    const tell = (text: string) => (channel ? client.chat.postEphemeral({ channel, user: body.user.id, text }) : Promise.resolve());
    if (!findingId) return void (await tell('This button does not carry a finding this bot posted, so nothing was done.'));
    const authorization = await authorizeUser(deps.users, deps.policy, body.user.id);
    if (!authorization.allowed) return void (await tell(`:no_entry: You may not remediate findings. Who may: ${authorization.whoMay}.`));
    const opened = await client.views.open({ trigger_id: body.trigger_id, view: remediationLoadingModal() });
    const viewId = opened.view?.id;
    if (!viewId) return;
    await deps.queue.enqueue({ kind: 'plan-remediation', findingId, userId: body.user.id, viewId });
  };
}

/** Confirmation submitted: acknowledge with a "running" view and hand execution to the work queue. */
export function onRemediationConfirmed(deps: RemediationListenerDeps) {
  return async ({ ack, body, view }: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs): Promise<void> => {
    const metadata = parseRemediationModalMetadata(view.private_metadata);
    if (!metadata) {
      await ack({ response_action: 'update', view: remediationOutcomeModal({ kind: 'not-found' }) });
      return;
    }
    await ack({ response_action: 'update', view: remediationRunningModal('the plan you confirmed') });
    await deps.queue.enqueue({ kind: 'execute-remediation', findingId: metadata.findingId, userId: body.user.id, planDigest: metadata.planDigest, viewId: view.id });
  };
}

export function registerRemediationListeners(app: App, deps: RemediationListenerDeps): void {
  app.action<BlockButtonAction>({ action_id: REMEDIATE_ACTION, type: 'block_actions' }, onRemediateClick(deps));
  app.view<ViewSubmitAction>({ callback_id: REMEDIATION_CONFIRM_CALLBACK, type: 'view_submission' }, onRemediationConfirmed(deps));
}
