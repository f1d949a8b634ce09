import type {
  AllMiddlewareArgs,
  App,
  BlockButtonAction,
  SlackActionMiddlewareArgs,
  SlackViewMiddlewareArgs,
  ViewSubmitAction,
} from '@slack/bolt';
import { GROUP_REMEDIATE_REACHABLE_ACTION } from '../../blocks/action-ids.js';
import {
  GROUP_REMEDIATION_CONFIRM_CALLBACK,
  groupRemediationLoadingModal,
  groupRemediationOutcomeModal,
  groupRemediationRunningModal,
  parseGroupRemediationMetadata,
} from '../../blocks/group-remediation-modal.js';
import { authorizeUser } from '../usecases/authorize-user.js';
import type { RemediationListenerDeps } from './remediation-actions.js';

/** Group ids are ours: short, printable; anything else in a button value was not written by the bot. */
const GROUP_ID = /^[\x21-\x7e]{1,512}$/;

/**
 * "Remediate all reachable…" click: refuse quickly if the user may not act; otherwise open a modal at once (the
 * trigger id lives 3 s) and hand reading AWS for every member to the work queue.
 */
export function onRemediateGroupClick(deps: RemediationListenerDeps) {
  return async ({
    ack,
    action,
    body,
    client,
  }: SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs): Promise<void> => {
    await ack();
    const groupId =
      typeof action.value === 'string' && GROUP_ID.test(action.value) ? action.value : undefined;
    const channel = body.channel?.id;
    const tell = (text: string) =>
      channel ? client.chat.postEphemeral({ channel, user: body.user.id, text }) : Promise.resolve();
    if (!groupId)
      return void (await tell('This button does not carry a group this bot posted, so nothing was done.'));
    const authorization = await authorizeUser(deps.users, deps.policy, body.user.id);
    if (!authorization.allowed)
      return void (await tell(
        `:no_entry: You may not remediate findings. Who may: ${authorization.whoMay}.`,
      ));
    const opened = await client.views.open({
      trigger_id: body.trigger_id,
      view: groupRemediationLoadingModal(),
    });
    const viewId = opened.view?.id;
    if (!viewId) return;
    await deps.queue.enqueue({ kind: 'plan-group-remediation', groupId, userId: body.user.id, viewId });
  };
}

/** The list confirmed: acknowledge with a "running" view and hand the run to the work queue, under the modal's id. */
export function onGroupRemediationConfirmed(deps: RemediationListenerDeps) {
  return async ({
    ack,
    body,
    view,
  }: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs): Promise<void> => {
    const metadata = parseGroupRemediationMetadata(view.private_metadata);
    if (!metadata) {
      await ack({ response_action: 'update', view: groupRemediationOutcomeModal({ kind: 'not-as-shown' }) });
      return;
    }
    await ack({ response_action: 'update', view: groupRemediationRunningModal(metadata.count) });
    await deps.queue.enqueue({
      kind: 'remediate-group',
      runId: view.id,
      userId: body.user.id,
      leg: 0,
      listDigest: metadata.listDigest,
    });
  };
}

export function registerGroupRemediationListeners(app: App, deps: RemediationListenerDeps): void {
  app.action<BlockButtonAction>(
    { action_id: GROUP_REMEDIATE_REACHABLE_ACTION, type: 'block_actions' },
    onRemediateGroupClick(deps),
  );
  app.view<ViewSubmitAction>(
    { callback_id: GROUP_REMEDIATION_CONFIRM_CALLBACK, type: 'view_submission' },
    onGroupRemediationConfirmed(deps),
  );
}
