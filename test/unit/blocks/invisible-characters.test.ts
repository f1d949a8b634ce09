import { describe, expect, it } from 'vitest';
import { acceptRiskModal } from '../../../blocks/accept-risk-modal.js';
import { acceptancesMessage } from '../../../blocks/acceptances-message.js';
import { digestMessage } from '../../../blocks/digest-message.js';
import { findingListMessage } from '../../../blocks/finding-list-message.js';
import { findingMessage } from '../../../blocks/finding-message.js';
import type { FindingMessageView, MessageState } from '../../../blocks/finding-message.js';
import { findingNoticeMessage } from '../../../blocks/finding-notice.js';
import { homeView } from '../../../blocks/home-view.js';
import { hasInvisible, revealInvisible } from '../../../blocks/invisible-characters.js';
import { boldText, codeText, escapeText, truncate } from '../../../blocks/mrkdwn.js';
import {
  remediationConfirmModal,
  remediationOutcomeModal,
  remediationRunningModal,
} from '../../../blocks/remediation-modal.js';
import { statusMessage } from '../../../blocks/status-message.js';
import { suppressModal } from '../../../blocks/suppress-modal.js';
import { mrkdwn, plainText } from '../../../blocks/text-objects.js';
import { blocksAsText } from '../../../src/runtime/console-messenger.js';
import { describeStoredFindings } from '../../../src/runtime/local-report.js';
import type { FindingRecord } from '../../../src/store/finding-repository.js';
import { makeFinding, makeRule } from '../../fixtures/finding.js';
import {
  GENERATED_AT,
  makeAcceptance,
  makeDigestFinding,
  makeDigestReport,
  makeOpenFinding,
  makeStatusReport,
} from '../../fixtures/status-report.js';

const RLO = '\u202e';
/** Every kind the brief names: zero-width, soft hyphen, word joiner, invisible operators, BOM, Mongolian vowel separator, bidi. */
const HIDDEN = [
  '\u200b',
  '\u200c',
  '\u200d',
  '\u200e',
  '\u200f',
  '\u00ad',
  '\u2060',
  '\u2061',
  '\u2062',
  '\u2063',
  '\u2064',
  '\ufeff',
  '\u180e',
  '\u202a',
  '\u202b',
  '\u202c',
  '\u202d',
  RLO,
  '\u2066',
  '\u2067',
  '\u2068',
  '\u2069',
  '\u061c',
  '\u{e0041}',
];
const ALL_HIDDEN = HIDDEN.join('');

/** `sg-prod` + RLO + `lanretni`: reads "sg-prodinternal" reversed, the classic disguise. */
const disguised = (text: string) => `${text}${RLO}lanretni${ALL_HIDDEN}`;

/** Every string anywhere in the output: text objects, fallback text, titles, options, values. */
function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(stringsIn);
  return [];
}

function expectNoneSurvive(output: unknown): void {
  const strings = stringsIn(output);
  expect(strings.filter(hasInvisible)).toEqual([]);
  // The disguised text is still there, with a marker a reader can see.
  expect(strings.join('\n')).toContain('⟨U+202E⟩');
}

const finding = makeFinding({
  title: disguised('Security groups should not allow ingress to port 22 on sg-prod'),
  description: disguised('This control checks whether a security group allows unrestricted ingress'),
  resource: {
    ...makeFinding().resource,
    name: disguised('web-prod'),
    tags: { [disguised('Owner')]: disguised('platform'), env: disguised('prod') },
  },
  details: {
    kind: 'security-group',
    groupId: 'sg-0abc1234def567890',
    groupName: disguised('web-prod'),
    ingressRules: [],
  },
});
const rule = makeRule({ description: disguised('temporary access for debugging') });
const view = (state: MessageState): FindingMessageView => ({
  finding,
  controlSummary: 'SSH (22) open to the internet',
  openRules: [{ rule, reach: 'unknown' } as unknown as FindingMessageView['openRules'][number]],
  urgency: 'high',
  urgencyBasis: { kind: 'reach-unknown', reason: disguised('EC2 DescribeNetworkInterfaces failed') },
  state,
});
const states: MessageState[] = [
  { kind: 'open' },
  { kind: 'reopened', previously: disguised('remediated by someone') },
  {
    kind: 'resolved',
    by: 'U0ALICE01',
    at: GENERATED_AT,
    details: [disguised('revoked sgr-1 from web-prod')],
  },
  { kind: 'suppressed', by: 'U0ALICE01', at: GENERATED_AT, reason: disguised('false positive') },
  {
    kind: 'accepted',
    by: 'U0ALICE01',
    at: GENERATED_AT,
    until: '2026-12-31',
    reason: disguised('vendor fix pending'),
    scope: 'resource',
  },
];
const open = makeOpenFinding({ title: finding.title, resourceShortId: disguised('sg-prod') });
const acceptance = makeAcceptance({
  reason: disguised('vendor fix pending'),
  resourceShortId: disguised('sg-prod'),
});

describe('invisible and bidi characters in finding text never reach a reader unmarked', () => {
  it.each(states.map((state) => [state.kind, state] as const))(
    'finding message (%s), text and blocks',
    (_kind, state) => {
      expectNoneSurvive(findingMessage(view(state)));
    },
  );

  it('thread notice', () => {
    expectNoneSurvive(
      findingNoticeMessage({
        kind: 'acceptance-expired',
        acceptedBy: 'U0ALICE01',
        until: '2026-12-31',
        reason: disguised('vendor fix pending'),
      }),
    );
  });

  it('modals: the plan in words, titles, notes, outcomes; suppress and accept-risk forms', () => {
    expectNoneSurvive(
      remediationConfirmModal({
        findingId: finding.id,
        planDigest: 'd1',
        title: finding.title,
        words: disguised('revoke tcp/22 from 0.0.0.0/0 on web-prod'),
        notes: [disguised('group web-prod is shared')],
        executor: 'ssm',
      }),
    );
    expectNoneSurvive(remediationRunningModal(disguised('revoke tcp/22 on web-prod')));
    expectNoneSurvive(
      remediationOutcomeModal({ kind: 'failed', message: disguised('AWS refused on web-prod') }),
    );
    expectNoneSurvive(
      remediationOutcomeModal({ kind: 'succeeded', words: disguised('revoked on web-prod') }),
    );
    expectNoneSurvive(
      suppressModal({ findingId: finding.id, title: finding.title, resource: disguised('sg-prod') }),
    );
    expectNoneSurvive(
      acceptRiskModal({
        findingId: finding.id,
        title: finding.title,
        resource: disguised('sg-prod'),
        controlId: 'EC2.13',
        accountId: '111122223333',
        initialUntil: '2026-12-01',
        maxUntil: '2027-11-01',
        timeZone: 'UTC',
      } as Parameters<typeof acceptRiskModal>[0]),
    );
  });

  it('/cspm status, list, accepted and the digest', () => {
    const report = makeStatusReport({
      oldestOpen: [open],
      expiringSoon: [acceptance],
      stuckDeliveries: {
        groups: [{ channel: 'C0PROD0001', reason: disguised('channel_not_found'), count: 2 }],
        total: 2,
        more: false,
      },
    });
    expectNoneSurvive(statusMessage(report));
    expectNoneSurvive(
      findingListMessage({
        findings: [open],
        filter: { kind: 'list', exposedOnly: false } as Parameters<typeof findingListMessage>[0]['filter'],
        now: GENERATED_AT,
      }),
    );
    expectNoneSurvive(acceptancesMessage([acceptance], GENERATED_AT));
    expectNoneSurvive(
      digestMessage(
        makeDigestReport({
          oldestOpen: [makeDigestFinding({ title: finding.title, resourceShortId: disguised('sg-prod') })],
          expiringSoon: [acceptance],
        }),
      ),
    );
  });

  it('App Home', () => {
    expectNoneSurvive(
      homeView({
        report: makeStatusReport({ oldestOpen: [open], expiringSoon: [acceptance] }),
        myAcceptances: [acceptance],
        userId: 'U0ALICE01',
      }),
    );
  });

  it('the console dry run', () => {
    const printed = blocksAsText(findingMessage(view({ kind: 'open' })).blocks);
    const record = {
      finding,
      channel: 'C0PROD0001',
      triage: { kind: 'unsupported', reason: disguised('no runbook for web-prod'), urgency: 'normal' },
    } as unknown as FindingRecord;
    const lines = describeStoredFindings([
      {
        ...record,
        finding: { ...finding, resource: { ...finding.resource, shortId: disguised('sg-prod') } },
      },
    ]);

    expectNoneSurvive([printed, ...lines]);
  });

  it('text objects built from text no escaping function saw', () => {
    expectNoneSurvive([plainText(disguised('Owner')), mrkdwn(disguised('*web-prod*'))]);
  });
});

describe('revealInvisible', () => {
  it('marks each hidden character where it was, and leaves visible text and emoji alone', () => {
    expect(revealInvisible(`sg-prod${RLO}lanretni`)).toBe('sg-prod⟨U+202E⟩lanretni');
    expect(revealInvisible('a\u200bb\u00adc\u{e0041}')).toBe('a⟨U+200B⟩b⟨U+00AD⟩c⟨U+E0041⟩');
    expect(revealInvisible('⚠️ déjà vu, 日本語, café')).toBe('⚠️ déjà vu, 日本語, café');
    // Blank letters and joiners outside the format class: combining grapheme joiner, Hangul filler.
    expect(revealInvisible('web\u034fprod\u3164')).toBe('web⟨U+034F⟩prod⟨U+3164⟩');
    expect(revealInvisible(revealInvisible(ALL_HIDDEN))).toBe(revealInvisible(ALL_HIDDEN));
  });

  it('counts the markers before cutting, so escaped text still fits its limit', () => {
    const hidden = '\u200b'.repeat(50);
    for (const cut of [
      escapeText(hidden, 100),
      boldText(hidden, 100),
      codeText(hidden, 100),
      truncate(hidden, 100),
    ]) {
      expect(cut.length).toBeLessThanOrEqual(100);
      expect(hasInvisible(cut)).toBe(false);
    }
  });
});
