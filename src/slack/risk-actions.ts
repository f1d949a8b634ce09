import type {
  AllMiddlewareArgs,
  App,
  BlockButtonAction,
  SlackActionMiddlewareArgs,
  SlackViewMiddlewareArgs,
  ViewSubmitAction,
} from '@slack/bolt';
import {
  ACCEPT_RISK_ACTION,
  REOPEN_ACTION,
  REVOKE_ACCEPTANCE_ACTION,
  SUPPRESS_ACTION,
  parseFindingButtonValue,
} from '../../blocks/action-ids.js';
import {
  ACCEPT_RISK_CALLBACK,
  ACCEPT_RISK_UNTIL_BLOCK,
  acceptRiskModal,
  readAcceptRiskSubmission,
} from '../../blocks/accept-risk-modal.js';
import {
  SUPPRESS_CALLBACK,
  SUPPRESS_REASON_BLOCK,
  parseSuppressSubmission,
  suppressModal,
} from '../../blocks/suppress-modal.js';
import type { AcceptanceRules } from '../domain/acceptance.js';
import {
  defaultAcceptanceUntil,
  latestAcceptanceUntil,
  validateAcceptanceUntil,
} from '../domain/acceptance.js';
import type { FindingRepository } from '../store/finding-repository.js';
import { authorizeUser } from '../usecases/authorize-user.js';
import type { Clock } from '../usecases/ports.js';
import type { RemediationListenerDeps } from './remediation-actions.js';

export interface RiskListenerDeps extends RemediationListenerDeps {
  readonly findings: FindingRepository;
  readonly acceptanceRules: AcceptanceRules;
  readonly clock: Clock;
}

type ButtonArgs = SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs;
type SubmitArgs = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;

/** Parse the button, check who clicks; on refusal say so privately and return undefined. */
async function allowedClick(
  deps: RiskListenerDeps,
  { action, body, client }: ButtonArgs,
  verb: string,
): Promise<string | undefined> {
  const findingId = parseFindingButtonValue(action.value);
  const channel = body.channel?.id;
  const tell = (text: string) =>
    channel ? client.chat.postEphemeral({ channel, user: body.user.id, text }) : Promise.resolve();
  if (!findingId)
    return void (await tell('This button does not carry a finding this bot posted, so nothing was done.'));
  const authorization = await authorizeUser(deps.users, deps.policy, body.user.id);
  if (!authorization.allowed)
    return void (await tell(`:no_entry: You may not ${verb} findings. Who may: ${authorization.whoMay}.`));
  return findingId;
}

/** Suppress…: open the form (reason, ticket). */
export function onSuppressClick(deps: RiskListenerDeps) {
  return async (args: ButtonArgs): Promise<void> => {
    await args.ack();
    const findingId = await allowedClick(deps, args, 'suppress');
    const record = findingId && (await deps.findings.get(findingId));
    if (!record) return;
    await args.client.views.open({
      trigger_id: args.body.trigger_id,
      view: suppressModal({
        findingId: record.findingId,
        title: `${record.finding.controlId ?? ''} ${record.finding.title}`.trim(),
        resource: `${record.finding.resource.shortId} in ${record.finding.accountId}/${record.finding.region}`,
      }),
    });
  };
}

/** Accept risk…: open the form with a default date in the configured time zone. */
export function onAcceptRiskClick(deps: RiskListenerDeps) {
  return async (args: ButtonArgs): Promise<void> => {
    await args.ack();
    const findingId = await allowedClick(deps, args, 'accept risk on');
    const record = findingId && (await deps.findings.get(findingId));
    if (!record) return;
    const now = deps.clock.now();
    await args.client.views.open({
      trigger_id: args.body.trigger_id,
      view: acceptRiskModal({
        findingId: record.findingId,
        title: `${record.finding.controlId ?? ''} ${record.finding.title}`.trim(),
        resource: `${record.finding.resource.shortId} in ${record.finding.accountId}/${record.finding.region}`,
        ...(record.finding.controlId && { controlId: record.finding.controlId }),
        accountId: record.finding.accountId,
        initialUntil: defaultAcceptanceUntil(now, deps.acceptanceRules),
        maxUntil: latestAcceptanceUntil(now, deps.acceptanceRules),
        timeZone: deps.acceptanceRules.timeZone,
      }),
    });
  };
}

/** Who may act is checked again at submission; a refusal shows in the form, not as a silent failure. */
async function refusalOnForm(
  deps: RiskListenerDeps,
  userId: string,
  blockId: string,
  verb: string,
): Promise<Record<string, string> | undefined> {
  const authorization = await authorizeUser(deps.users, deps.policy, userId);
  return authorization.allowed
    ? undefined
    : { [blockId]: `You may not ${verb} findings. Who may: ${authorization.whoMay}.` };
}

export function onSuppressSubmitted(deps: RiskListenerDeps) {
  return async ({ ack, body, view }: SubmitArgs): Promise<void> => {
    const parsed = parseSuppressSubmission(view);
    if ('errors' in parsed) return void (await ack({ response_action: 'errors', errors: parsed.errors }));
    const refused = await refusalOnForm(deps, body.user.id, SUPPRESS_REASON_BLOCK, 'suppress');
    if (refused) return void (await ack({ response_action: 'errors', errors: refused }));
    await ack();
    await deps.queue.enqueue({
      kind: 'suppress',
      findingId: parsed.findingId,
      userId: body.user.id,
      reason: parsed.reason,
      ...(parsed.ticketUrl && { ticketUrl: parsed.ticketUrl }),
    });
  };
}

export function onAcceptRiskSubmitted(deps: RiskListenerDeps) {
  return async ({ ack, body, view }: SubmitArgs): Promise<void> => {
    const parsed = readAcceptRiskSubmission(view);
    if ('errors' in parsed) return void (await ack({ response_action: 'errors', errors: parsed.errors }));
    const until = validateAcceptanceUntil(parsed.until, deps.clock.now(), deps.acceptanceRules);
    if (!until.ok)
      return void (await ack({
        response_action: 'errors',
        errors: { [ACCEPT_RISK_UNTIL_BLOCK]: until.error },
      }));
    const refused = await refusalOnForm(deps, body.user.id, ACCEPT_RISK_UNTIL_BLOCK, 'accept risk on');
    if (refused) return void (await ack({ response_action: 'errors', errors: refused }));
    await ack();
    await deps.queue.enqueue({
      kind: 'accept-risk',
      findingId: parsed.findingId,
      userId: body.user.id,
      until: until.until,
      reason: parsed.reason,
      scope: parsed.scope,
      ...(parsed.ticketUrl && { ticketUrl: parsed.ticketUrl }),
    });
  };
}

/** Reopen and Revoke acceptance need no form: check, then hand off. */
export function onReopenOrRevokeClick(deps: RiskListenerDeps, kind: 'reopen' | 'revoke-acceptance') {
  return async (args: ButtonArgs): Promise<void> => {
    await args.ack();
    const findingId = await allowedClick(deps, args, kind === 'reopen' ? 'reopen' : 'revoke acceptances on');
    if (findingId) await deps.queue.enqueue({ kind, findingId, userId: args.body.user.id });
  };
}

export function registerRiskListeners(app: App, deps: RiskListenerDeps): void {
  app.action<BlockButtonAction>({ action_id: SUPPRESS_ACTION, type: 'block_actions' }, onSuppressClick(deps));
  app.action<BlockButtonAction>(
    { action_id: ACCEPT_RISK_ACTION, type: 'block_actions' },
    onAcceptRiskClick(deps),
  );
  app.action<BlockButtonAction>(
    { action_id: REOPEN_ACTION, type: 'block_actions' },
    onReopenOrRevokeClick(deps, 'reopen'),
  );
  app.action<BlockButtonAction>(
    { action_id: REVOKE_ACCEPTANCE_ACTION, type: 'block_actions' },
    onReopenOrRevokeClick(deps, 'revoke-acceptance'),
  );
  app.view<ViewSubmitAction>(
    { callback_id: SUPPRESS_CALLBACK, type: 'view_submission' },
    onSuppressSubmitted(deps),
  );
  app.view<ViewSubmitAction>(
    { callback_id: ACCEPT_RISK_CALLBACK, type: 'view_submission' },
    onAcceptRiskSubmitted(deps),
  );
}
