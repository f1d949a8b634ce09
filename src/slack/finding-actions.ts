import type { App, BlockButtonAction, SlackActionMiddlewareArgs, AllMiddlewareArgs } from '@slack/bolt';
import { ACCEPT_RISK_ACTION, REOPEN_ACTION, SUPPRESS_ACTION, parseFindingButtonValue } from '../../blocks/action-ids.js';

type ButtonArgs = SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs;

const NOT_YET: Readonly<Record<string, string>> = {
  [SUPPRESS_ACTION]: 'Suppressing from Slack is coming soon. Until then, set the workflow status in Security Hub.',
  [ACCEPT_RISK_ACTION]: 'Accepting a risk from Slack is coming soon. Until then, suppress it in Security Hub with a note.',
  [REOPEN_ACTION]: 'Re-opening from Slack is coming soon. Until then, set the workflow status back to NEW in Security Hub.',
};

/**
 * Suppress, Accept risk and Reopen. Their actions land in a later release; until then each click gets an honest ephemeral
 * answer (never a fake success), and a tampered button value is refused.
 */
export async function answerFindingButton({ ack, action, body, client }: ButtonArgs): Promise<void> {
  await ack();
  const findingKey = parseFindingButtonValue(action.value);
  const text = findingKey
    ? (NOT_YET[action.action_id] ?? 'This button is not supported.')
    : 'This button does not carry a finding this bot posted, so nothing was done.';
  const channel = body.channel?.id;
  if (!channel) return;
  await client.chat.postEphemeral({ channel, user: body.user.id, text });
}

export function registerFindingActions(app: App): void {
  for (const actionId of [SUPPRESS_ACTION, ACCEPT_RISK_ACTION, REOPEN_ACTION]) {
    app.action<BlockButtonAction>({ action_id: actionId, type: 'block_actions' }, answerFindingButton);
  }
}
