import type { ContextBlock, InputBlock, PlainTextOption } from '@slack/types';
import type { AcceptanceScope } from '../src/domain/acceptance.js';
import { findingButtonValue, parseFindingButtonValue } from './action-ids.js';
import { escapeText } from './mrkdwn.js';
import {
  type FormModalView,
  type SubmissionErrors,
  type SubmittedView,
  checkReason,
  checkTicketUrl,
  findingSummaryBlock,
  reasonInput,
  staleFormError,
  submittedValue,
  ticketInput,
} from './suppress-modal.js';
import { mrkdwn, plainText } from './text-objects.js';

/** `callback_id` of the Accept risk form; the view-submission listener registers on it. */
export const ACCEPT_RISK_CALLBACK = 'finding.accept_risk.submit';
/** The caller attaches the domain's date errors (after today, at most the max, in the time zone) to this block. */
export const ACCEPT_RISK_UNTIL_BLOCK = 'accept_risk.until';
export const ACCEPT_RISK_UNTIL_ACTION = 'accept_risk.until.input';
export const ACCEPT_RISK_REASON_BLOCK = 'accept_risk.reason';
export const ACCEPT_RISK_REASON_ACTION = 'accept_risk.reason.input';
export const ACCEPT_RISK_SCOPE_BLOCK = 'accept_risk.scope';
export const ACCEPT_RISK_SCOPE_ACTION = 'accept_risk.scope.input';
export const ACCEPT_RISK_TICKET_BLOCK = 'accept_risk.ticket';
export const ACCEPT_RISK_TICKET_ACTION = 'accept_risk.ticket.input';

/** Slack's limit on an option's text and description. */
const OPTION_TEXT_MAX = 75;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

export interface AcceptRiskModalInput {
  readonly findingId: string;
  readonly title: string;
  readonly resource: string;
  /** Without a control, only this resource can be accepted. */
  readonly controlId?: string;
  readonly accountId: string;
  /** The datepicker's initial day (ISO date). */
  readonly initialUntil: string;
  /** The latest day allowed (ISO date), shown in the hint; the domain enforces it. */
  readonly maxUntil: string;
  readonly timeZone: string;
}

export interface AcceptRiskSubmission {
  readonly findingId: string;
  /** The datepicker's `selected_date` as sent (`YYYY-MM-DD`); the domain checks it and reports on the UNTIL block. */
  readonly until?: string;
  readonly reason: string;
  readonly scope: AcceptanceScope;
  readonly ticketUrl?: string;
}

/** Opened on an Accept risk click; carries only the finding key, like the button did. */
export function acceptRiskModal(input: AcceptRiskModalInput): FormModalView {
  return {
    type: 'modal',
    callback_id: ACCEPT_RISK_CALLBACK,
    private_metadata: findingButtonValue(input.findingId),
    title: plainText('Accept risk'),
    submit: plainText('Accept risk'),
    close: plainText('Cancel'),
    blocks: [
      findingSummaryBlock(input.title, input.resource),
      untilInput(input),
      reasonInput(ACCEPT_RISK_REASON_BLOCK, ACCEPT_RISK_REASON_ACTION, {
        label: 'Why is this risk acceptable until then?',
        placeholder: 'e.g. Vendor appliance needs SSH until the migration planned for March.',
      }),
      scopeInput(input),
      ticketInput(ACCEPT_RISK_TICKET_BLOCK, ACCEPT_RISK_TICKET_ACTION),
      {
        type: 'context',
        elements: [
          mrkdwn(
            'Security Hub will show SUPPRESSED with your note until that day ends; then the bot sets the finding ' +
              'back to NEW and posts it here again. Revoke acceptance in the message ends it earlier.',
          ),
        ],
      } satisfies ContextBlock,
    ],
  };
}

function untilInput(input: AcceptRiskModalInput): InputBlock {
  return {
    type: 'input',
    block_id: ACCEPT_RISK_UNTIL_BLOCK,
    label: plainText('Accept until'),
    hint: plainText(
      `Last day the acceptance covers, in ${escapeText(input.timeZone, 64)}; ` +
        `at most ${escapeText(input.maxUntil, 40)}. On the day after, the finding re-opens and is posted again.`,
    ),
    element: {
      type: 'datepicker',
      action_id: ACCEPT_RISK_UNTIL_ACTION,
      // Slack refuses the whole view for a malformed initial date; without one the person simply picks a day.
      ...(ISO_DATE.test(input.initialUntil) ? { initial_date: input.initialUntil } : {}),
      placeholder: plainText('Pick the last day'),
    },
  };
}

/** The narrow scope is preselected: the wider one must be a deliberate choice. */
function scopeInput(input: AcceptRiskModalInput): InputBlock {
  const resourceOnly = scopeOption('resource', 'This resource only');
  const options = [resourceOnly];
  if (input.controlId) options.push(wholeControlOption(input.controlId, input.accountId));
  return {
    type: 'input',
    block_id: ACCEPT_RISK_SCOPE_BLOCK,
    label: plainText('Covers'),
    element: {
      type: 'radio_buttons',
      action_id: ACCEPT_RISK_SCOPE_ACTION,
      options,
      initial_option: resourceOnly,
    },
  };
}

/** "All findings of EC2.13 in account 111122223333 (current and future)", or, too long for an option, split. */
function wholeControlOption(controlId: string, accountId: string): PlainTextOption {
  const label = `All findings of ${controlId} in account ${accountId}`;
  const whole = escapeText(`${label} (current and future)`);
  if (whole.length <= OPTION_TEXT_MAX) return scopeOption('control-in-account', whole);
  return {
    ...scopeOption('control-in-account', escapeText(label, OPTION_TEXT_MAX)),
    description: plainText('Current and future findings'),
  };
}

function scopeOption(scope: AcceptanceScope, text: string): PlainTextOption {
  return { text: plainText(text), value: scope };
}

/**
 * The form-level checks only: the metadata is ours, the reason is 10–500 characters, the ticket is an https://
 * link, a scope is chosen. The date is passed on unchecked: its rules need today and the time zone (the domain's).
 */
export function readAcceptRiskSubmission(view: SubmittedView): AcceptRiskSubmission | SubmissionErrors {
  const findingId = parseFindingButtonValue(view.private_metadata);
  if (findingId === undefined) {
    return { errors: { [ACCEPT_RISK_REASON_BLOCK]: staleFormError('Accept risk') } };
  }
  const errors: Record<string, string> = {};
  const reason = checkReason(
    submittedValue(view, ACCEPT_RISK_REASON_BLOCK, ACCEPT_RISK_REASON_ACTION)?.value,
  );
  if ('error' in reason) errors[ACCEPT_RISK_REASON_BLOCK] = reason.error;
  const scope = readScope(
    submittedValue(view, ACCEPT_RISK_SCOPE_BLOCK, ACCEPT_RISK_SCOPE_ACTION)?.selected_option?.value,
  );
  if (scope === undefined) errors[ACCEPT_RISK_SCOPE_BLOCK] = 'Choose what the acceptance covers.';
  const ticket = checkTicketUrl(
    submittedValue(view, ACCEPT_RISK_TICKET_BLOCK, ACCEPT_RISK_TICKET_ACTION)?.value,
  );
  if ('error' in ticket) errors[ACCEPT_RISK_TICKET_BLOCK] = ticket.error;
  if ('error' in reason || scope === undefined || 'error' in ticket) return { errors };

  const until = submittedValue(view, ACCEPT_RISK_UNTIL_BLOCK, ACCEPT_RISK_UNTIL_ACTION)?.selected_date;
  return {
    findingId,
    ...(typeof until === 'string' && until.length > 0 ? { until } : {}),
    reason: reason.reason,
    scope,
    ...(ticket.ticketUrl !== undefined ? { ticketUrl: ticket.ticketUrl } : {}),
  };
}

function readScope(value: string | undefined): AcceptanceScope | undefined {
  return value === 'resource' || value === 'control-in-account' ? value : undefined;
}
