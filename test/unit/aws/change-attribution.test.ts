import { describe, expect, it } from 'vitest';
import { automationTags, roleSessionName, tagValue } from '../../../src/aws/change-attribution.js';

const DECISION_ID = '0b5b2a52-7c1e-4d8e-9f0a-3c2d1e0f9a8b';
// AWS's rules: RoleSessionName 2–64 of [\w+=,.@-]; an SSM tag value up to 256 of letters, spaces, digits, _.:/=+-@.
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;

describe('role session name of a change', () => {
  it('names the decision and the Slack user who confirmed it', () => {
    const name = roleSessionName({ findingId: 'f', decisionId: DECISION_ID, slackUserId: 'U0ALICE01' });

    expect(name).toBe(`cspm-bot.${DECISION_ID}.U0ALICE01`);
    expect(name).toMatch(SESSION_NAME);
  });

  it('names only the decision for an automatic remediation', () => {
    expect(roleSessionName({ findingId: 'f', decisionId: DECISION_ID })).toBe(`cspm-bot.${DECISION_ID}`);
  });

  it('leaves the user out rather than cut it when both would pass 64 characters', () => {
    const name = roleSessionName({
      findingId: 'f',
      decisionId: DECISION_ID,
      slackUserId: 'W0123456789ABCDEFGHIJ',
    });

    expect(name).toBe(`cspm-bot.${DECISION_ID}`);
  });

  it('keeps any decision id or user id within what STS accepts', () => {
    const names = [
      roleSessionName({ findingId: 'f', decisionId: 'décision 42/α', slackUserId: 'U0 <script>' }),
      roleSessionName({ findingId: 'f', decisionId: 'x'.repeat(200), slackUserId: 'U0ALICE01' }),
    ];

    for (const name of names) expect(name).toMatch(SESSION_NAME);
    expect(names[0]).toBe('cspm-bot.d-cision-42--.U0--script-');
    expect(names[1]).toHaveLength(64);
  });
});

describe('tags of an automation execution', () => {
  it('carries finding, decision and who asked, in at most the 5 tags SSM allows', () => {
    const tags = automationTags({
      findingId: 'arn:aws:securityhub:eu-west-1:111122223333:finding/abc',
      decisionId: DECISION_ID,
      slackUserId: 'U0ALICE01',
    });

    expect(tags).toEqual([
      { Key: 'cspm-bot:finding-id', Value: 'arn:aws:securityhub:eu-west-1:111122223333:finding/abc' },
      { Key: 'cspm-bot:decision-id', Value: DECISION_ID },
      { Key: 'cspm-bot:slack-user', Value: 'U0ALICE01' },
    ]);
    expect(tags.length).toBeLessThanOrEqual(5);
  });

  it('replaces characters SSM refuses and cuts at 256 without splitting a character', () => {
    const odd = tagValue('finding#1?x=<y>&z');
    const long = tagValue(`${'a'.repeat(255)}𝐀𝐀`);

    expect(odd).toBe('finding_1_x=_y__z');
    expect(long).toBe('a'.repeat(255));
    for (const value of [odd, long]) expect(value).toMatch(TAG_VALUE);
  });
});
