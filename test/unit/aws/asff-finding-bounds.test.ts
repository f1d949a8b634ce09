import { describe, expect, it } from 'vitest';
import { normalizeAsffFinding } from '../../../src/aws/asff-finding.js';
import { makeAsffFinding } from '../../fixtures/asff.js';

const LONE_HIGH = '\uD83D';

describe('normalizeAsffFinding: ids Security Hub would not accept', () => {
  it.each([
    [
      'an Id over 512 characters',
      { Id: `arn:aws:securityhub:ap-northeast-1:111122223333:finding/${'x'.repeat(600)}` },
      /^Id is \d+ characters; Security Hub accepts 1 to 512$/,
    ],
    ['a blank Id', { Id: '   ' }, /^Id is blank$/],
    [
      'an Id with a control character',
      { Id: 'arn:aws:securityhub:ap-northeast-1:111122223333:finding/a\u0000b' },
      /^Id contains a control character$/,
    ],
    [
      'an Id with broken Unicode',
      { Id: `arn:aws:securityhub:ap-northeast-1:111122223333:finding/${LONE_HIGH}` },
      /^Id contains broken Unicode/,
    ],
    ['a GeneratorId over 512 characters', { GeneratorId: 'g'.repeat(513) }, /^GeneratorId is 513 characters/],
    [
      'a ProductArn over 2048 characters',
      { ProductArn: `arn:aws:securityhub:ap-northeast-1::product/${'p'.repeat(2100)}` },
      /^ProductArn is \d+ characters; Security Hub accepts 12 to 2048$/,
    ],
    [
      'an account id that is not 12 digits',
      { AwsAccountId: '1111-2222-3333' },
      /AwsAccountId is not a 12-digit account id/,
    ],
  ])('refuses %s with a reason', (_case, override, reason) => {
    const result = normalizeAsffFinding(makeAsffFinding(override));

    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(reason);
  });

  it('reports a refused id cut to 512 characters, so logs and reports stay small', () => {
    const result = normalizeAsffFinding(makeAsffFinding({ Id: `finding-${'x'.repeat(300_000)}` }));

    expect(!result.ok && result.findingId?.length).toBe(512);
  });
});

describe('normalizeAsffFinding: text bounded before storage', () => {
  it('replaces broken Unicode in the title and description instead of storing it', () => {
    const result = normalizeAsffFinding(
      makeAsffFinding({ Title: `Open SSH ${LONE_HIGH}`, Description: `Group ${LONE_HIGH}web` }),
    );

    expect(result.ok && result.finding.title).toBe('Open SSH \uFFFD');
    expect(result.ok && result.finding.description).toBe('Group \uFFFDweb');
  });

  it('cuts a huge description and a thousand tags, and lists what was cut', () => {
    const tags = Object.fromEntries(
      Array.from({ length: 1000 }, (_, index) => [`team-${index}`, 'x'.repeat(1000)]),
    );
    const raw = makeAsffFinding({ Description: 'd'.repeat(500_000) });
    (raw['Resources'] as Record<string, unknown>[])[0]!['Tags'] = tags;

    const result = normalizeAsffFinding(raw);

    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.finding.description).toHaveLength(1024);
    expect(Object.keys(result.finding.resource.tags ?? {})).toHaveLength(50);
    expect(result.finding.truncated?.fields).toEqual(['description', 'resource.tags']);
  });

  it('marks nothing as cut on a real finding', () => {
    const result = normalizeAsffFinding(makeAsffFinding());

    expect(result.ok && result.finding).not.toHaveProperty('truncated');
  });
});
