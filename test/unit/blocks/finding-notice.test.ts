import { describe, expect, it } from 'vitest';
import { findingNoticeMessage } from '../../../blocks/finding-notice.js';
import { checkMessageLimits } from '../../../blocks/limits.js';
import type { Decision } from '../../../src/domain/decision.js';
import type { ReconciledOutcome } from '../../../src/domain/finding-notice.js';

const interrupted: Decision = {
  decisionId: 'd-1',
  findingId: 'f-1',
  kind: 'remediate',
  status: 'FAILED',
  actor: { kind: 'user', userId: 'U0ALICE01', name: 'alice' },
  requestedAt: '2026-11-22T10:00:00.000Z',
  finishedAt: '2026-11-22T10:21:00.000Z',
  what: 'Revoke tcp/22 from 0.0.0.0/0 on sg-0abc1234def567890 (web-prod) in 111122223333/ap-northeast-1',
};

const render = (outcome: ReconciledOutcome, detail = 'AWS shows the change in place.') =>
  findingNoticeMessage({ kind: 'action-reconciled', decision: interrupted, outcome, detail });

describe('findingNoticeMessage: an interrupted action settled afterwards', () => {
  it.each([
    ['done', 'Done, confirmed after an interruption'],
    ['not-done', 'Interrupted, nothing changed'],
    ['unknown', 'Interrupted, outcome unknown'],
  ] as const)('says %s plainly, with what was asked, by whom and the detail', (outcome, headline) => {
    const { text } = render(outcome, 'the resource read back: tcp/22 from 0.0.0.0/0');
    expect(text).toContain(headline);
    expect(text).toContain('Revoke tcp/22 from 0.0.0.0/0 on sg-0abc1234def567890');
    expect(text).toContain('<@U0ALICE01>');
    expect(text).toContain('the resource read back: tcp/22 from 0.0.0.0/0');
  });

  it('tells that the buttons work again only when nothing changed', () => {
    expect(render('not-done').text).toContain('The buttons work again');
    expect(render('unknown').text).not.toContain('The buttons work again');
  });

  it('stays within Slack limits with a very long plan and detail', () => {
    const message = findingNoticeMessage({
      kind: 'action-reconciled',
      decision: { ...interrupted, what: 'x'.repeat(5000) },
      outcome: 'unknown',
      detail: 'y'.repeat(5000),
    });
    expect(checkMessageLimits(message)).toEqual([]);
  });
});
