import type {
  AllMiddlewareArgs,
  App,
  BlockButtonAction,
  SlackActionMiddlewareArgs,
  SlackViewMiddlewareArgs,
  ViewSubmitAction,
} from '@slack/bolt';
import { ACCOUNT_FIX_ACTION, REMEDIATE_ACTION, parseFindingButtonValue } from '../../blocks/action-ids.js';
import {
  CONFIRM_GROUP_ACTION,
  CONFIRM_GROUP_BLOCK,
  INSTANCE_REFRESH_ACTION,
  INSTANCE_REFRESH_BLOCK,
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
export function onRemediateClick(deps: RemediationListenerDeps, options: { accountFix?: true } = {}) {
  return async ({
    ack,
    action,
    body,
    client,
  }: SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs): Promise<void> => {
    await ack();
    const findingId = parseFindingButtonValue(action.value);
    const channel = body.channel?.id;
    const tell = (text: string) =>
      channel ? client.chat.postEphemeral({ channel, user: body.user.id, text }) : Promise.resolve();
    if (!findingId)
      return void (await tell('This button does not carry a finding this bot posted, so nothing was done.'));
    const authorization = await authorizeUser(deps.users, deps.policy, body.user.id);
    if (!authorization.allowed)
      return void (await tell(
        `:no_entry: You may not remediate findings. Who may: ${authorization.whoMay}.`,
      ));
    const opened = await client.views.open({ trigger_id: body.trigger_id, view: remediationLoadingModal() });
    const viewId = opened.view?.id;
    if (!viewId) return;
    await deps.queue.enqueue({
      kind: 'plan-remediation',
      findingId,
      userId: body.user.id,
      viewId,
      ...(options.accountFix && { accountFix: true }),
    });
  };
}

/**
 * The group id the person typed, when the plan asked for one: `undefined` when none was asked for, an error for
 * the input when it does not match (Slack shows it under the field and keeps the modal open).
 */
export function confirmedGroupOf(
  view: ViewSubmitAction['view'],
  expected: string | undefined,
): { readonly ok: true; readonly groupId?: string } | { readonly ok: false; readonly error: string } {
  if (expected === undefined) return { ok: true };
  const typed = view.state.values[CONFIRM_GROUP_BLOCK]?.[CONFIRM_GROUP_ACTION]?.value?.trim();
  return typed === expected
    ? { ok: true, groupId: expected }
    : { ok: false, error: `Type ${expected} exactly to confirm, or press Cancel.` };
}

/** Whether the person ticked "start an instance refresh" (only offered for launch configuration migrations). */
export function instanceRefreshChosen(view: ViewSubmitAction['view']): boolean {
  const selected = view.state.values[INSTANCE_REFRESH_BLOCK]?.[INSTANCE_REFRESH_ACTION]?.selected_options;
  return (selected ?? []).some((option) => option.value === 'start');
}

/** Confirmation submitted: acknowledge with a "running" view and hand execution to the work queue. */
export function onRemediationConfirmed(deps: RemediationListenerDeps) {
  return async ({
    ack,
    body,
    view,
  }: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs): Promise<void> => {
    const metadata = parseRemediationModalMetadata(view.private_metadata);
    if (!metadata) {
      await ack({ response_action: 'update', view: remediationOutcomeModal({ kind: 'not-found' }) });
      return;
    }
    const confirmed = confirmedGroupOf(view, metadata.confirmGroupId);
    if (!confirmed.ok) {
      await ack({ response_action: 'errors', errors: { [CONFIRM_GROUP_BLOCK]: confirmed.error } });
      return;
    }
    await ack({ response_action: 'update', view: remediationRunningModal('the plan you confirmed') });
    await deps.queue.enqueue({
      kind: 'execute-remediation',
      findingId: metadata.findingId,
      userId: body.user.id,
      planDigest: metadata.planDigest,
      viewId: view.id,
      ...(confirmed.groupId && { confirmedGroupId: confirmed.groupId }),
      ...(metadata.accountFix && { accountFix: true }),
      ...(instanceRefreshChosen(view) && { startInstanceRefresh: true }),
    });
  };
}

export function registerRemediationListeners(app: App, deps: RemediationListenerDeps): void {
  app.action<BlockButtonAction>(
    { action_id: REMEDIATE_ACTION, type: 'block_actions' },
    onRemediateClick(deps),
  );
  // The account-wide fix (EC2.8/EC2.170): the same plan → confirm → execute path, its own button.
  app.action<BlockButtonAction>(
    { action_id: ACCOUNT_FIX_ACTION, type: 'block_actions' },
    onRemediateClick(deps, { accountFix: true }),
  );
  app.view<ViewSubmitAction>(
    { callback_id: REMEDIATION_CONFIRM_CALLBACK, type: 'view_submission' },
    onRemediationConfirmed(deps),
  );
}
