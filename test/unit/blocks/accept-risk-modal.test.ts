import type { ViewOutput, ViewStateValue } from '@slack/bolt';
import type { Datepicker, RadioButtons } from '@slack/types';
import { describe, expect, it } from 'vitest';
import {
  ACCEPT_RISK_CALLBACK,
  ACCEPT_RISK_REASON_ACTION,
  ACCEPT_RISK_REASON_BLOCK,
  ACCEPT_RISK_SCOPE_ACTION,
  ACCEPT_RISK_SCOPE_BLOCK,
  ACCEPT_RISK_TICKET_ACTION,
  ACCEPT_RISK_TICKET_BLOCK,
  ACCEPT_RISK_UNTIL_ACTION,
  ACCEPT_RISK_UNTIL_BLOCK,
  type AcceptRiskModalInput,
  acceptRiskModal,
  readAcceptRiskSubmission,
} from '../../../blocks/accept-risk-modal.js';
import { findingButtonValue, parseFindingButtonValue } from '../../../blocks/action-ids.js';
import { checkBlockLimits } from '../../../blocks/limits.js';
import type { FormModalView } from '../../../blocks/suppress-modal.js';
import { ACCOUNT, makeFinding } from '../../fixtures/finding.js';
import { type FormAnswer, inputBlock, slackTokens, submittedView } from '../../fixtures/slack-forms.js';

const finding = makeFinding();
const TICKET = 'https://tickets.example.com/browse/SEC-123';
const REASON = 'Vendor appliance needs SSH until the migration in March';
/** Slack's limit on an option's text and description. */
const OPTION_TEXT_MAX = 75;

function modal(overrides: Partial<AcceptRiskModalInput> = {}): FormModalView {
  return acceptRiskModal({
    findingId: finding.id,
    title: finding.title,
    resource: finding.resource.shortId,
    controlId: 'EC2.13',
    accountId: ACCOUNT,
    initialUntil: '2026-12-02',
    maxUntil: '2027-02-01',
    timeZone: 'Asia/Tokyo',
    ...overrides,
  });
}

function datepicker(view: FormModalView): Datepicker | undefined {
  const element = inputBlock(view, ACCEPT_RISK_UNTIL_BLOCK)?.element;
  return element?.type === 'datepicker' ? element : undefined;
}

function radioButtons(view: FormModalView): RadioButtons | undefined {
  const element = inputBlock(view, ACCEPT_RISK_SCOPE_BLOCK)?.element;
  return element?.type === 'radio_buttons' ? element : undefined;
}

interface Answers {
  until?: string | null | undefined;
  reason?: string | null | undefined;
  scope?: string | null | undefined;
  ticket?: string | null | undefined;
}

/** A view_submission `view` as Slack sends it, holding only the answers given. */
function submitted(answers: Answers, privateMetadata: string = findingButtonValue(finding.id)): ViewOutput {
  const given: FormAnswer[] = [];
  if (answers.until !== undefined)
    given.push([
      ACCEPT_RISK_UNTIL_BLOCK,
      ACCEPT_RISK_UNTIL_ACTION,
      { type: 'datepicker', selected_date: answers.until },
    ]);
  if (answers.reason !== undefined)
    given.push([
      ACCEPT_RISK_REASON_BLOCK,
      ACCEPT_RISK_REASON_ACTION,
      { type: 'plain_text_input', value: answers.reason },
    ]);
  if (answers.scope !== undefined) {
    given.push([
      ACCEPT_RISK_SCOPE_BLOCK,
      ACCEPT_RISK_SCOPE_ACTION,
      {
        type: 'radio_buttons',
        selected_option:
          answers.scope === null ? null : { text: { type: 'plain_text', text: 'x' }, value: answers.scope },
      },
    ]);
  }
  if (answers.ticket !== undefined)
    given.push([
      ACCEPT_RISK_TICKET_BLOCK,
      ACCEPT_RISK_TICKET_ACTION,
      { type: 'url_text_input', value: answers.ticket },
    ]);
  return submittedView({ callbackId: ACCEPT_RISK_CALLBACK, title: 'Accept risk', privateMetadata }, given);
}

const VALID: Answers = { until: '2026-12-31', reason: REASON, scope: 'resource', ticket: null };

describe('acceptRiskModal', () => {
  it('renders the Accept risk form for a control finding', () => {
    expect(modal()).toMatchSnapshot();
  });

  it('renders the Accept risk form for a finding without a control', () => {
    const { controlId: _, ...input } = {
      findingId: 'prowler-finding-1',
      title: 'Bucket allows public reads',
      resource: 'logs-111122223333',
      controlId: undefined,
      accountId: ACCOUNT,
      initialUntil: '2026-12-02',
      maxUntil: '2027-02-01',
      timeZone: 'Europe/Paris',
    };

    expect(acceptRiskModal(input)).toMatchSnapshot();
  });

  it('submits to the Accept risk callback with only the finding key as metadata', () => {
    const view = modal();

    expect(view.callback_id).toBe(ACCEPT_RISK_CALLBACK);
    expect(parseFindingButtonValue(view.private_metadata)).toBe(finding.id);
  });

  it('offers a datepicker set to the initial day, with the time zone and the latest day in its hint', () => {
    const view = modal();

    expect(datepicker(view)).toMatchObject({
      action_id: ACCEPT_RISK_UNTIL_ACTION,
      initial_date: '2026-12-02',
    });
    expect(inputBlock(view, ACCEPT_RISK_UNTIL_BLOCK)?.hint?.text).toBe(
      'Last day the acceptance covers, in Asia/Tokyo; at most 2027-02-01. On the day after, the finding re-opens and is posted again.',
    );
  });

  it('leaves the datepicker empty rather than send Slack a malformed initial day', () => {
    expect(datepicker(modal({ initialUntil: '2026-12-2' }))).not.toHaveProperty('initial_date');
  });

  it('asks for a required multiline reason of 10 to 500 characters and an optional ticket link', () => {
    const view = modal();

    expect(inputBlock(view, ACCEPT_RISK_REASON_BLOCK)?.optional).not.toBe(true);
    expect(inputBlock(view, ACCEPT_RISK_REASON_BLOCK)?.element).toMatchObject({
      type: 'plain_text_input',
      action_id: ACCEPT_RISK_REASON_ACTION,
      multiline: true,
      min_length: 10,
      max_length: 500,
    });
    expect(inputBlock(view, ACCEPT_RISK_TICKET_BLOCK)?.optional).toBe(true);
    expect(inputBlock(view, ACCEPT_RISK_TICKET_BLOCK)?.element).toMatchObject({
      type: 'url_text_input',
      action_id: ACCEPT_RISK_TICKET_ACTION,
    });
  });

  it('offers this resource or every finding of the control in the account, the resource preselected', () => {
    const radios = radioButtons(modal());

    expect(radios?.action_id).toBe(ACCEPT_RISK_SCOPE_ACTION);
    expect(radios?.options.map((option) => [option.value, option.text.text])).toEqual([
      ['resource', 'This resource only'],
      ['control-in-account', 'All findings of EC2.13 in account 111122223333 (current and future)'],
    ]);
    expect(radios?.initial_option).toEqual(radios?.options[0]);
  });

  it('offers only this resource for a finding without a control', () => {
    const { controlId: _, ...input } = {
      findingId: finding.id,
      title: finding.title,
      resource: finding.resource.shortId,
      controlId: undefined,
      accountId: ACCOUNT,
      initialUntil: '2026-12-02',
      maxUntil: '2027-02-01',
      timeZone: 'Asia/Tokyo',
    };

    const radios = radioButtons(acceptRiskModal(input));

    expect(radios?.options.map((option) => option.value)).toEqual(['resource']);
    expect(radios?.initial_option?.value).toBe('resource');
  });

  it('moves "current and future" to the description when a long control id would overflow the option', () => {
    const option = radioButtons(modal({ controlId: 'ElasticBeanstalk.2', accountId: ACCOUNT }))?.options[1];

    expect(option?.text.text).toBe('All findings of ElasticBeanstalk.2 in account 111122223333');
    expect(option?.description?.text).toBe('Current and future findings');
  });

  it('stays within Slack limits with a 5000-character title and oversized ids', () => {
    const view = modal({
      title: '<'.repeat(5000),
      resource: 'r'.repeat(5000),
      controlId: 'C'.repeat(5000),
      accountId: '&'.repeat(5000),
      timeZone: 'z'.repeat(5000),
      maxUntil: 'm'.repeat(5000),
    });

    expect(checkBlockLimits(view.blocks, 'modal')).toEqual([]);
    for (const option of radioButtons(view)?.options ?? []) {
      expect(option.text.text.length).toBeLessThanOrEqual(OPTION_TEXT_MAX);
      expect(option.description?.text.length ?? 0).toBeLessThanOrEqual(OPTION_TEXT_MAX);
    }
    // Modal title and buttons: 24 characters at most (not covered by checkBlockLimits).
    for (const text of [view.title, view.submit, view.close])
      expect(text?.text.length).toBeLessThanOrEqual(24);
  });

  it('shows hostile finding text, control, account and time zone as text, never as a mention or link', () => {
    const view = modal({
      title: '<!channel> *urgent*',
      resource: '<https://evil.example|x>',
      controlId: '<!here>',
      accountId: '<@U1>',
      timeZone: '<!everyone>',
    });

    expect(slackTokens(view.blocks)).toEqual([]);
    expect(radioButtons(view)?.options[1]?.text.text).toBe(
      'All findings of &lt;!here&gt; in account &lt;@U1&gt; (current and future)',
    );
  });
});

describe('readAcceptRiskSubmission', () => {
  it.each(['resource', 'control-in-account'] as const)('returns the day, reason and scope %s', (scope) => {
    expect(readAcceptRiskSubmission(submitted({ ...VALID, scope, reason: `  ${REASON}\n` }))).toEqual({
      findingId: finding.id,
      until: '2026-12-31',
      reason: REASON,
      scope,
    });
  });

  it('returns the trimmed ticket link', () => {
    expect(readAcceptRiskSubmission(submitted({ ...VALID, ticket: ` ${TICKET} ` }))).toMatchObject({
      ticketUrl: TICKET,
    });
  });

  it.each<[string, string | null | undefined]>([
    ['null', null],
    ['absent', undefined],
  ])('leaves the day for the domain to ask for when it is %s', (_, until) => {
    const read = readAcceptRiskSubmission(submitted({ ...VALID, until }));

    expect(read).toEqual({ findingId: finding.id, reason: REASON, scope: 'resource' });
    expect(read).not.toHaveProperty('until');
  });

  it.each(['2020-01-01', '2999-12-31'])(
    'passes day %s on unchecked: the date rules are the domain’s',
    (until) => {
      expect(readAcceptRiskSubmission(submitted({ ...VALID, until }))).toMatchObject({ until });
    },
  );

  it.each<[string, string | null | undefined]>([
    ['not chosen', null],
    ['absent', undefined],
    ['not one we offered', 'everything'],
  ])('refuses a scope that is %s, on the scope block', (_, scope) => {
    expect(readAcceptRiskSubmission(submitted({ ...VALID, scope }))).toEqual({
      errors: { [ACCEPT_RISK_SCOPE_BLOCK]: 'Choose what the acceptance covers.' },
    });
  });

  it.each([
    ['too short', 'a'.repeat(9), 'Write at least 10 characters (this has 9).'],
    ['too long', '🔥'.repeat(501), 'Write at most 500 characters (this has 501).'],
  ])('refuses a reason that is %s, on the reason block', (_, reason, error) => {
    expect(readAcceptRiskSubmission(submitted({ ...VALID, reason }))).toEqual({
      errors: { [ACCEPT_RISK_REASON_BLOCK]: error },
    });
  });

  it('refuses a ticket link that is not https, on the ticket block', () => {
    expect(
      readAcceptRiskSubmission(submitted({ ...VALID, ticket: 'http://tickets.example.com/SEC-1' })),
    ).toEqual({
      errors: { [ACCEPT_RISK_TICKET_BLOCK]: 'Use an https:// link.' },
    });
  });

  it('reports every form problem at once and never one on the day', () => {
    const read = readAcceptRiskSubmission(
      submitted({ until: '1999-01-01', reason: 'short', scope: null, ticket: 'ftp://x.example' }),
    );

    expect(read).toEqual({
      errors: {
        [ACCEPT_RISK_REASON_BLOCK]: 'Write at least 10 characters (this has 5).',
        [ACCEPT_RISK_SCOPE_BLOCK]: 'Choose what the acceptance covers.',
        [ACCEPT_RISK_TICKET_BLOCK]: 'Use an https:// link.',
      },
    });
  });

  it.each([
    ['empty', ''],
    ['not JSON', finding.id],
    ['JSON with another property', JSON.stringify({ k: finding.id, scope: 'control-in-account' })],
    ['spelled differently', `{"k" : ${JSON.stringify(finding.id)}}`],
  ])('calls a form with metadata that is %s stale, on the reason block', (_, metadata) => {
    expect(readAcceptRiskSubmission(submitted({ ...VALID, scope: null }, metadata))).toEqual({
      errors: { [ACCEPT_RISK_REASON_BLOCK]: 'This form is stale; close it and click Accept risk again.' },
    });
  });

  it('reads what its own modal asks for, with the preselected scope', () => {
    // Prepare: answer every input by its own ids, as Slack would with the initial values kept.
    const view = modal();
    const values: ViewOutput['state']['values'] = {};
    for (const block of view.blocks) {
      if (block.type !== 'input' || block.block_id === undefined) continue;
      const { element } = block;
      if (element.action_id === undefined) continue;
      const answer: ViewStateValue =
        element.type === 'datepicker'
          ? { type: element.type, selected_date: element.initial_date ?? null }
          : element.type === 'radio_buttons'
            ? {
                type: element.type,
                selected_option: element.initial_option
                  ? {
                      text: { type: 'plain_text', text: element.initial_option.text.text },
                      value: element.initial_option.value ?? '',
                    }
                  : null,
              }
            : { type: element.type, value: element.type === 'url_text_input' ? TICKET : REASON };
      values[block.block_id] = { [element.action_id]: answer };
    }

    // Act
    const read = readAcceptRiskSubmission({ ...submitted({}, view.private_metadata), state: { values } });

    // Assess
    expect(read).toEqual({
      findingId: finding.id,
      until: '2026-12-02',
      reason: REASON,
      scope: 'resource',
      ticketUrl: TICKET,
    });
  });
});
