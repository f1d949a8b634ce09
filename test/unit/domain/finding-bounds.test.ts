import { describe, expect, it } from 'vitest';
import { checkMessageLimits } from '../../../blocks/limits.js';
import { findingMessage } from '../../../blocks/finding-message.js';
import {
  COUNT_LIMITS,
  TEXT_LIMITS,
  boundFinding,
  identityProblem,
  truncateText,
  wellFormed,
} from '../../../src/domain/finding-bounds.js';
import { findingKeyOf } from '../../../src/domain/finding-key.js';
import type { Finding } from '../../../src/domain/finding.js';
import type { SecurityGroupRule } from '../../../src/domain/security-group-rule.js';
import { triage } from '../../../src/domain/triage.js';
import { findingViewOf } from '../../../src/slack/finding-view.js';
import type { FindingRecord } from '../../../src/store/finding-repository.js';
import { makeFinding } from '../../fixtures/finding.js';

const LONE_HIGH = '\uD83D';
const LONE_LOW = '\uDD12';
/** Three UTF-8 bytes per UTF-16 unit: the worst case for DynamoDB's byte limits. */
const huge = (units: number) => '€'.repeat(units);
const hasLoneSurrogate = (text: string) => wellFormed(text) !== text;

/** A finding with every field at its worst: far over every limit, broken Unicode, lists in the thousands. */
function worstCaseFinding(): Finding {
  const base = makeFinding();
  const groupId = 'sg-0abc1234def567890';
  const rules: SecurityGroupRule[] = Array.from({ length: 5000 }, (_, index) => ({
    ruleId: `sgr-${huge(300)}${index}`,
    groupId,
    isEgress: false,
    protocol: 'tcp',
    fromPort: index % 65536,
    toPort: index % 65536,
    source: { kind: 'ipv4', cidr: '0.0.0.0/0' },
    description: `${huge(2000)}${LONE_HIGH}`,
  }));
  const nested = {
    list: Array.from({ length: 200 }, () => ({ deeper: Array.from({ length: 200 }, () => huge(1000)) })),
  };
  return {
    ...base,
    title: `${LONE_LOW}${huge(100_000)}`,
    description: `${huge(300_000)}${LONE_HIGH}`,
    controlId: `EC2.13${huge(5000)}`,
    remediationUrl: `https://docs.aws.amazon.com/${'a'.repeat(5000)}`,
    resource: {
      ...base.resource,
      id: `arn:aws:ec2:ap-northeast-1:111122223333:security-group/${huge(50_000)}`,
      shortId: huge(50_000),
      name: `${huge(50_000)}${LONE_HIGH}`,
      tags: Object.fromEntries(
        Array.from({ length: 1000 }, (_, index) => [`${index}${huge(1000)}`, huge(10_000)]),
      ),
    },
    details: {
      kind: 'security-group',
      groupId,
      groupName: huge(50_000),
      vpcId: huge(50_000),
      ingressRules: rules,
      ...{ other: nested },
    },
    controlParameters: Object.fromEntries(
      Array.from({ length: 500 }, (_, index) => [
        `${huge(500)}${index}`,
        Array.from({ length: 500 }, () => huge(500)),
      ]),
    ),
  };
}

function recordOf(finding: Finding): FindingRecord {
  return {
    findingId: findingKeyOf(finding),
    finding,
    triage: triage(finding),
    channel: 'C0FINDINGS',
    delivery: 'pending',
    version: 1,
    firstIngestedAt: '2026-11-22T10:00:00.000Z',
    lastIngestedAt: '2026-11-22T10:00:00.000Z',
  };
}

describe('truncateText', () => {
  it('keeps short text as it is', () => {
    expect(truncateText('web-prod', 10)).toBe('web-prod');
  });

  it('cuts long text to the limit with an ellipsis', () => {
    const cut = truncateText('x'.repeat(300), 256);

    expect(cut).toHaveLength(256);
    expect(cut.endsWith('…')).toBe(true);
  });

  it('never cuts through an emoji (a surrogate pair)', () => {
    const cut = truncateText(`${'x'.repeat(8)}🔒🔒🔒`, 10);

    expect(hasLoneSurrogate(cut)).toBe(false);
    expect(cut).toBe(`${'x'.repeat(8)}…`);
  });

  it('replaces lone surrogates with U+FFFD instead of storing broken Unicode', () => {
    expect(truncateText(`web${LONE_HIGH}-prod${LONE_LOW}`, 100)).toBe('web\uFFFD-prod\uFFFD');
  });
});

describe('identityProblem', () => {
  const identity = {
    id: makeFinding().id,
    productArn: makeFinding().productArn,
    generatorId: 'security-control/EC2.13',
  };

  it('accepts what Security Hub accepts', () => {
    expect(identityProblem(identity)).toBeUndefined();
    expect(identityProblem({ ...identity, id: 'x'.repeat(512) })).toBeUndefined();
  });

  it.each([
    ['a blank Id', { id: '   ' }, 'Id is blank'],
    [
      'an Id over 512 characters',
      { id: 'x'.repeat(513) },
      'Id is 513 characters; Security Hub accepts 1 to 512',
    ],
    [
      'a ProductArn under 12 characters',
      { productArn: 'arn:aws:x' },
      'ProductArn is 9 characters; Security Hub accepts 12 to 2048',
    ],
    [
      'a GeneratorId over 512 characters',
      { generatorId: 'g'.repeat(600) },
      'GeneratorId is 600 characters; Security Hub accepts 1 to 512',
    ],
    ['an Id with a newline', { id: 'finding\n1' }, 'Id contains a control character'],
    [
      'an Id with a lone surrogate',
      { id: `finding-${LONE_HIGH}` },
      'Id contains broken Unicode (a lone surrogate)',
    ],
  ])('refuses %s, naming the field and the limit', (_case, override, reason) => {
    expect(identityProblem({ ...identity, ...override })).toBe(reason);
  });
});

describe('boundFinding', () => {
  it('leaves a real-sized finding exactly as it was, with nothing marked cut', () => {
    const finding = makeFinding({ controlParameters: { authorizedTcpPorts: ['80', '443'] } });

    expect(boundFinding(finding)).toEqual(finding);
  });

  it('cuts every field of a worst-case finding to its limit and says what was cut', () => {
    const bounded = boundFinding(worstCaseFinding());

    expect(bounded.title).toHaveLength(TEXT_LIMITS.title);
    expect(bounded.description).toHaveLength(TEXT_LIMITS.description);
    expect(Object.keys(bounded.resource.tags ?? {})).toHaveLength(COUNT_LIMITS.tags);
    expect(bounded.details.kind === 'security-group' && bounded.details.ingressRules).toHaveLength(
      COUNT_LIMITS.ingressRules,
    );
    expect(bounded).not.toHaveProperty('remediationUrl');
    expect(bounded.truncated).toEqual({
      fields: expect.arrayContaining([
        'title',
        'description',
        'controlId',
        'remediationUrl',
        'resource.tags',
        'details.ingressRules',
        'controlParameters',
      ]),
      rulesDropped: 5000 - COUNT_LIMITS.ingressRules,
    });
  });

  it('stores no broken Unicode anywhere', () => {
    const json = JSON.stringify(boundFinding(worstCaseFinding()));

    // JSON.stringify escapes lone surrogates as \udxxx: none may be left.
    expect(json).not.toMatch(/\\ud[89a-f][0-9a-f]{2}/i);
  });

  it("keeps a worst-case finding with its triage far below DynamoDB's 400 KB item", () => {
    const record = recordOf(boundFinding(worstCaseFinding()));

    const bytes = Buffer.byteLength(JSON.stringify(record), 'utf8');

    expect(bytes).toBeLessThan(300_000);
  });

  it("keeps the identity untouched: refusing a bad one is the normalizer's job", () => {
    const finding = makeFinding();

    expect(findingKeyOf(boundFinding(worstCaseFinding()))).toBe(findingKeyOf(finding));
  });
});

describe('whatever ingest accepts can be posted', () => {
  it('says how many rules the finding listed beyond those kept', () => {
    const message = findingMessage(
      findingViewOf(recordOf(boundFinding({ ...worstCaseFinding(), controlId: 'EC2.13' }))),
    );

    expect(JSON.stringify(message.blocks)).toContain(
      `+${5000 - COUNT_LIMITS.ingressRules} more rules in the finding not shown`,
    );
  });

  const states = [
    { kind: 'open' },
    { kind: 'reopened', previously: 'Resolved earlier' },
    { kind: 'suppressed', by: 'U0ALICE01', at: '2026-11-22T10:00:00.000Z', reason: huge(5000) },
    { kind: 'resolved', by: 'U0ALICE01', at: '2026-11-22T10:00:00.000Z', details: [huge(5000)] },
  ] as const;

  it.each(states)("renders a worst-case bounded finding within Slack's limits ($kind)", (state) => {
    // With its control cut (unsupported) and with a known control (rules, exposure and buttons shown).
    for (const finding of [worstCaseFinding(), { ...worstCaseFinding(), controlId: 'EC2.13' }]) {
      const view = { ...findingViewOf(recordOf(boundFinding(finding))), state };

      const message = findingMessage(view);

      expect(checkMessageLimits(message)).toEqual([]);
      expect(JSON.stringify(message)).not.toMatch(/\\ud[89a-f][0-9a-f]{2}/i);
    }
  });
});
