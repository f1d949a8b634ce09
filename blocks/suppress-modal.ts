import type { ContextBlock, InputBlock, KnownBlock, ModalView, SectionBlock } from '@slack/types';
import { findingButtonValue, parseFindingButtonValue } from './action-ids.js';
import { boldText, codeText } from './mrkdwn.js';
import { mrkdwn, plainText } from './text-objects.js';

/** `callback_id` of the Suppress form; the view-submission listener registers on it. */
export const SUPPRESS_CALLBACK = 'finding.suppress.submit';
export const SUPPRESS_REASON_BLOCK = 'suppress.reason';
export const SUPPRESS_REASON_ACTION = 'suppress.reason.input';
export const SUPPRESS_TICKET_BLOCK = 'suppress.ticket';
export const SUPPRESS_TICKET_ACTION = 'suppress.ticket.input';

/** The reason goes into the Security Hub note and the audit record: enough to mean something, short enough to read. */
export const REASON_MIN_LENGTH = 10;
export const REASON_MAX_LENGTH = 500;
export const TICKET_URL_MAX_LENGTH = 2000;

/**
 * The part of a `view_submission` payload's `view` the Suppress and Accept risk forms read; bolt's `ViewOutput`
 * fits it. Slack sends `value: null` for an empty optional input.
 */
export interface SubmittedView {
  readonly private_metadata?: string;
  readonly state?: {
    readonly values?: Readonly<Record<string, Readonly<Record<string, SubmittedValue>>>>;
  };
}

export interface SubmittedValue {
  /** plain_text_input, url_text_input */
  readonly value?: string | null;
  /** datepicker: `YYYY-MM-DD` */
  readonly selected_date?: string | null;
  /** radio_buttons */
  readonly selected_option?: { readonly value: string } | null;
}

/** A modal whose blocks are all known ones, so `checkBlockLimits(view.blocks, 'modal')` takes them as they are. */
export type FormModalView = ModalView & { blocks: KnownBlock[] };

/** Inline errors keyed by `block_id`, for `ack({ response_action: 'errors', errors })`. */
export interface SubmissionErrors {
  readonly errors: Record<string, string>;
}

export interface SuppressSubmission {
  readonly findingId: string;
  readonly reason: string;
  readonly ticketUrl?: string;
}

/** Opened on a Suppress click; carries only the finding key, like the button did. */
export function suppressModal(input: { findingId: string; title: string; resource: string }): FormModalView {
  return {
    type: 'modal',
    callback_id: SUPPRESS_CALLBACK,
    private_metadata: findingButtonValue(input.findingId),
    title: plainText('Suppress finding'),
    submit: plainText('Suppress'),
    close: plainText('Cancel'),
    blocks: [
      findingSummaryBlock(input.title, input.resource),
      reasonInput(SUPPRESS_REASON_BLOCK, SUPPRESS_REASON_ACTION, {
        label: 'Why can this finding stay as it is?',
        placeholder: 'e.g. Bastion host; SSH is limited to the office range by the network ACL.',
      }),
      ticketInput(SUPPRESS_TICKET_BLOCK, SUPPRESS_TICKET_ACTION),
      {
        type: 'context',
        elements: [
          mrkdwn(
            'Security Hub will show SUPPRESSED with your note; Security Hub never re-opens a suppressed finding ' +
              'by itself — use Accept risk for a time-boxed decision.',
          ),
        ],
      } satisfies ContextBlock,
    ],
  };
}

export function parseSuppressSubmission(view: SubmittedView): SuppressSubmission | SubmissionErrors {
  const findingId = parseFindingButtonValue(view.private_metadata);
  if (findingId === undefined) {
    return { errors: { [SUPPRESS_REASON_BLOCK]: staleFormError('Suppress') } };
  }
  const errors: Record<string, string> = {};
  const reason = checkReason(submittedValue(view, SUPPRESS_REASON_BLOCK, SUPPRESS_REASON_ACTION)?.value);
  if ('error' in reason) errors[SUPPRESS_REASON_BLOCK] = reason.error;
  const ticket = checkTicketUrl(submittedValue(view, SUPPRESS_TICKET_BLOCK, SUPPRESS_TICKET_ACTION)?.value);
  if ('error' in ticket) errors[SUPPRESS_TICKET_BLOCK] = ticket.error;
  if ('error' in reason || 'error' in ticket) return { errors };
  return {
    findingId,
    reason: reason.reason,
    ...(ticket.ticketUrl !== undefined ? { ticketUrl: ticket.ticketUrl } : {}),
  };
}

// The pieces below are shared with the Accept risk form (blocks/accept-risk-modal.ts): same reason and ticket rules.

/** "*<title>*" and the resource in code, both escaped and capped so a 5,000-character title still fits. */
export function findingSummaryBlock(title: string, resource: string): SectionBlock {
  return { type: 'section', text: mrkdwn(`${boldText(title, 300)}\n${codeText(resource, 300)}`) };
}

export function reasonInput(
  blockId: string,
  actionId: string,
  words: { readonly label: string; readonly placeholder: string },
): InputBlock {
  return {
    type: 'input',
    block_id: blockId,
    label: plainText(words.label),
    hint: plainText(
      `Goes into the Security Hub note and the audit record, with your name. ${REASON_MIN_LENGTH}–${REASON_MAX_LENGTH} characters.`,
    ),
    element: {
      type: 'plain_text_input',
      action_id: actionId,
      multiline: true,
      min_length: REASON_MIN_LENGTH,
      max_length: REASON_MAX_LENGTH,
      placeholder: plainText(words.placeholder),
    },
  };
}

export function ticketInput(blockId: string, actionId: string): InputBlock {
  return {
    type: 'input',
    block_id: blockId,
    optional: true,
    label: plainText('Ticket link'),
    hint: plainText('An https:// link to the ticket or document behind this decision.'),
    element: { type: 'url_text_input', action_id: actionId, placeholder: plainText('https://') },
  };
}

export function staleFormError(button: string): string {
  return `This form is stale; close it and click ${button} again.`;
}

export function submittedValue(
  view: SubmittedView,
  blockId: string,
  actionId: string,
): SubmittedValue | undefined {
  return view.state?.values?.[blockId]?.[actionId];
}

/** Trimmed, 10–500 characters counted as code points (an emoji is one character to the person typing it). */
export function checkReason(raw: string | null | undefined): { reason: string } | { error: string } {
  const reason = (raw ?? '').trim();
  const length = [...reason].length;
  if (length === 0) return { error: `Write why, in at least ${REASON_MIN_LENGTH} characters.` };
  if (length < REASON_MIN_LENGTH)
    return { error: `Write at least ${REASON_MIN_LENGTH} characters (this has ${length}).` };
  if (length > REASON_MAX_LENGTH)
    return { error: `Write at most ${REASON_MAX_LENGTH} characters (this has ${length}).` };
  return { reason };
}

/** Optional; when given, one https:// link of at most 2,000 characters. */
export function checkTicketUrl(raw: string | null | undefined): { ticketUrl?: string } | { error: string } {
  const ticketUrl = (raw ?? '').trim();
  if (ticketUrl.length === 0) return {};
  if (ticketUrl.length > TICKET_URL_MAX_LENGTH) {
    return {
      error: `Use a link of at most ${TICKET_URL_MAX_LENGTH} characters (this has ${ticketUrl.length}).`,
    };
  }
  // The URL parser would silently drop tabs and line breaks and encode spaces: refuse them instead.
  if (/[\s\p{Cc}]/u.test(ticketUrl)) return { error: 'Paste a single link, without spaces.' };
  if (!isHttpsUrl(ticketUrl)) return { error: 'Use an https:// link.' };
  return { ticketUrl };
}

function isHttpsUrl(text: string): boolean {
  if (!/^https:\/\//i.test(text)) return false;
  try {
    const url = new URL(text);
    return url.protocol === 'https:' && url.hostname.length > 0;
  } catch {
    return false;
  }
}
