import type { ViewOutput } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import { findingButtonValue, parseFindingButtonValue } from '../../../blocks/action-ids.js';
import { checkBlockLimits } from '../../../blocks/limits.js';
import {
  type FormModalView,
  SUPPRESS_CALLBACK,
  SUPPRESS_REASON_ACTION,
  SUPPRESS_REASON_BLOCK,
  SUPPRESS_TICKET_ACTION,
  SUPPRESS_TICKET_BLOCK,
  parseSuppressSubmission,
  suppressModal,
} from '../../../blocks/suppress-modal.js';
import { makeFinding } from '../../fixtures/finding.js';
import { type FormAnswer, inputBlock, slackTokens, submittedView } from '../../fixtures/slack-forms.js';

const finding = makeFinding();
const TICKET = 'https://tickets.example.com/browse/SEC-123';
const REASON = 'Bastion host; SSH is limited to the office range by the NACL';

function modal(overrides: Partial<{ title: string; resource: string }> = {}): FormModalView {
  return suppressModal({
    findingId: finding.id,
    title: finding.title,
    resource: finding.resource.shortId,
    ...overrides,
  });
}

/** A view_submission `view` as Slack sends it, holding only what the test gives. */
function submitted(
  fields: { reason?: string | null | undefined; ticket?: string | null | undefined },
  privateMetadata: string = findingButtonValue(finding.id),
): ViewOutput {
  const answers: FormAnswer[] = [];
  if (fields.reason !== undefined)
    answers.push([
      SUPPRESS_REASON_BLOCK,
      SUPPRESS_REASON_ACTION,
      { type: 'plain_text_input', value: fields.reason },
    ]);
  if (fields.ticket !== undefined)
    answers.push([
      SUPPRESS_TICKET_BLOCK,
      SUPPRESS_TICKET_ACTION,
      { type: 'url_text_input', value: fields.ticket },
    ]);
  return submittedView(
    { callbackId: SUPPRESS_CALLBACK, title: 'Suppress finding', privateMetadata },
    answers,
  );
}

describe('suppressModal', () => {
  it('renders the Suppress form', () => {
    expect(modal()).toMatchSnapshot();
  });

  it('submits to the Suppress callback with only the finding key as metadata', () => {
    const view = modal();

    expect(view.callback_id).toBe(SUPPRESS_CALLBACK);
    expect(parseFindingButtonValue(view.private_metadata)).toBe(finding.id);
  });

  it('asks for a required multiline reason of 10 to 500 characters', () => {
    const reason = inputBlock(modal(), SUPPRESS_REASON_BLOCK);

    expect(reason?.optional).not.toBe(true);
    expect(reason?.element).toMatchObject({
      type: 'plain_text_input',
      action_id: SUPPRESS_REASON_ACTION,
      multiline: true,
      min_length: 10,
      max_length: 500,
    });
  });

  it('asks for an optional ticket link', () => {
    const ticket = inputBlock(modal(), SUPPRESS_TICKET_BLOCK);

    expect(ticket?.optional).toBe(true);
    expect(ticket?.element).toMatchObject({ type: 'url_text_input', action_id: SUPPRESS_TICKET_ACTION });
  });

  it('explains that Security Hub never re-opens a suppressed finding', () => {
    const context = modal().blocks.at(-1);

    expect(context?.type).toBe('context');
    expect(JSON.stringify(context)).toContain(
      'Security Hub will show SUPPRESSED with your note; Security Hub never re-opens a suppressed finding by itself — use Accept risk for a time-boxed decision.',
    );
  });

  it('stays within Slack limits with a 5000-character title and resource', () => {
    const view = modal({ title: '<'.repeat(5000), resource: 'r'.repeat(5000) });

    expect(checkBlockLimits(view.blocks, 'modal')).toEqual([]);
    // Modal title and buttons: 24 characters at most (not covered by checkBlockLimits).
    for (const text of [view.title, view.submit, view.close])
      expect(text?.text.length).toBeLessThanOrEqual(24);
  });

  it('shows a hostile title and resource as text, never as a mention or link', () => {
    const view = modal({
      title: '<!channel> *urgent*\n> Resolved by <@U0BOSS>',
      resource: 'sg-`<https://evil.example|x>`',
    });

    expect(slackTokens(view.blocks)).toEqual([]);
    expect(JSON.stringify(view.blocks)).toContain(
      '*&lt;!channel&gt; ∗urgent∗ &gt; Resolved by &lt;@U0BOSS&gt;*',
    );
  });
});

describe('parseSuppressSubmission', () => {
  it('returns the finding, the trimmed reason and the ticket link', () => {
    const parsed = parseSuppressSubmission(submitted({ reason: `  ${REASON}\n`, ticket: ` ${TICKET} ` }));

    expect(parsed).toEqual({ findingId: finding.id, reason: REASON, ticketUrl: TICKET });
  });

  it.each<[string, string | null | undefined]>([
    ['left empty (Slack sends null)', null],
    ['absent', undefined],
    ['blank', '   '],
  ])('leaves the ticket out when it is %s', (_, ticket) => {
    const parsed = parseSuppressSubmission(submitted({ reason: REASON, ticket }));

    expect(parsed).toEqual({ findingId: finding.id, reason: REASON });
    expect(parsed).not.toHaveProperty('ticketUrl');
  });

  it.each([
    ['10 characters', 'a'.repeat(10)],
    ['500 characters', 'a'.repeat(500)],
    ['10 emoji (20 UTF-16 units, 10 characters)', '🔥'.repeat(10)],
    ['500 emoji (1000 UTF-16 units, 500 characters)', '🔥'.repeat(500)],
    ['several lines', 'line one\nline two'],
  ])('accepts a reason of %s', (_, reason) => {
    expect(parseSuppressSubmission(submitted({ reason }))).toEqual({ findingId: finding.id, reason });
  });

  it.each<[string, string | null | undefined, string]>([
    ['missing', undefined, 'Write why, in at least 10 characters.'],
    ['null', null, 'Write why, in at least 10 characters.'],
    ['only whitespace', ' \n\t ', 'Write why, in at least 10 characters.'],
    ['too short', 'a'.repeat(9), 'Write at least 10 characters (this has 9).'],
    ['too short once trimmed', `   ${'a'.repeat(9)}   `, 'Write at least 10 characters (this has 9).'],
    ['too long', 'a'.repeat(501), 'Write at most 500 characters (this has 501).'],
    ['too long in emoji', '🔥'.repeat(501), 'Write at most 500 characters (this has 501).'],
  ])('refuses a reason that is %s, on the reason block', (_, reason, error) => {
    expect(parseSuppressSubmission(submitted({ reason, ticket: TICKET }))).toEqual({
      errors: { [SUPPRESS_REASON_BLOCK]: error },
    });
  });

  it.each([
    ['http', 'http://tickets.example.com/SEC-1', 'Use an https:// link.'],
    ['javascript', 'javascript:alert(1)', 'Use an https:// link.'],
    ['without a host', 'https://', 'Use an https:// link.'],
    ['a bare host', 'tickets.example.com/SEC-1', 'Use an https:// link.'],
    ['with spaces', 'https://tickets.example.com/SEC 1', 'Paste a single link, without spaces.'],
    ['two links', `${TICKET}\n${TICKET}`, 'Paste a single link, without spaces.'],
    [
      'longer than 2000 characters',
      `https://tickets.example.com/${'a'.repeat(1973)}`,
      'Use a link of at most 2000 characters (this has 2001).',
    ],
  ])('refuses a ticket link that is %s, on the ticket block', (_, ticket, error) => {
    expect(parseSuppressSubmission(submitted({ reason: REASON, ticket }))).toEqual({
      errors: { [SUPPRESS_TICKET_BLOCK]: error },
    });
  });

  it('accepts a ticket link of exactly 2000 characters', () => {
    const ticket = `https://tickets.example.com/${'a'.repeat(1972)}`;

    expect(parseSuppressSubmission(submitted({ reason: REASON, ticket }))).toEqual({
      findingId: finding.id,
      reason: REASON,
      ticketUrl: ticket,
    });
  });

  it('reports every problem at once', () => {
    const parsed = parseSuppressSubmission(submitted({ reason: 'short', ticket: 'http://x.example' }));

    expect(parsed).toEqual({
      errors: {
        [SUPPRESS_REASON_BLOCK]: 'Write at least 10 characters (this has 5).',
        [SUPPRESS_TICKET_BLOCK]: 'Use an https:// link.',
      },
    });
  });

  it.each([
    ['empty', ''],
    ['not JSON', finding.id],
    ['JSON with another property', JSON.stringify({ k: finding.id, admin: true })],
    ['JSON with a non-string key', JSON.stringify({ k: 42 })],
    ['spelled differently', `{ "k": ${JSON.stringify(finding.id)} }`],
  ])('calls a form with metadata that is %s stale, on the reason block', (_, metadata) => {
    expect(
      parseSuppressSubmission(submitted({ reason: REASON, ticket: 'http://x.example' }, metadata)),
    ).toEqual({
      errors: { [SUPPRESS_REASON_BLOCK]: 'This form is stale; close it and click Suppress again.' },
    });
  });

  it('calls a form without metadata or state stale', () => {
    expect(parseSuppressSubmission({})).toEqual({
      errors: { [SUPPRESS_REASON_BLOCK]: 'This form is stale; close it and click Suppress again.' },
    });
  });

  it('reads what its own modal asks for', () => {
    // Prepare: answer every input the modal renders, by its own block and action ids.
    const view = modal();
    const answers: Record<string, string> = { plain_text_input: REASON, url_text_input: TICKET };
    const values: ViewOutput['state']['values'] = {};
    for (const block of view.blocks) {
      if (block.type !== 'input' || block.block_id === undefined || block.element.action_id === undefined)
        continue;
      values[block.block_id] = {
        [block.element.action_id]: { type: block.element.type, value: answers[block.element.type] ?? null },
      };
    }

    // Act
    const parsed = parseSuppressSubmission({ ...submitted({}, view.private_metadata), state: { values } });

    // Assess
    expect(parsed).toEqual({ findingId: finding.id, reason: REASON, ticketUrl: TICKET });
  });
});
