import { describe, expect, it } from 'vitest';
import {
  BUCKET_POLICY_SIZE_LIMIT_BYTES,
  policySizeBytes,
} from '../../../src/domain/bucket-policy-document.js';
import type { TlsOnlyBucketPolicyPlan } from '../../../src/domain/remediation-plan-types.js';
import { TLS_ONLY_SID, tlsOnlyStatementText } from '../../../src/domain/tls-only-bucket-policy.js';
import type { CurrentBucketPolicy, TlsOnlyPlanOutcome } from '../../../src/domain/tls-only-plan.js';
import { planTlsOnlyBucketPolicy, verifyTlsOnlyBucketPolicy } from '../../../src/domain/tls-only-plan.js';
import {
  ANALYTICS_READ,
  CLOUDFRONT_READ,
  DENY_OLD_TLS,
  DENY_UNENCRYPTED_UPLOADS,
  POLICY_BUCKET,
  POLICY_BUCKET_ARN,
  makeTlsOnlyFinding,
  policyOf,
} from '../../fixtures/bucket-policy.js';

const finding = makeTlsOnlyFinding();
const BUCKET = { bucketName: POLICY_BUCKET, partition: 'aws' } as const;
const OUR_STATEMENT = `{"Sid":"${TLS_ONLY_SID}","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["${POLICY_BUCKET_ARN}","${POLICY_BUCKET_ARN}/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}`;

function facts(policy?: string): CurrentBucketPolicy {
  return policy === undefined ? BUCKET : { ...BUCKET, policy };
}

function plan(policy?: string): TlsOnlyPlanOutcome {
  return planTlsOnlyBucketPolicy(finding, facts(policy));
}

function planOf(outcome: TlsOnlyPlanOutcome): TlsOnlyBucketPolicyPlan {
  if (outcome.kind !== 'plan') throw new Error(`expected a TLS-only plan, got ${JSON.stringify(outcome)}`);
  return outcome.plan;
}

/** A deny the rule accepts, with one part replaced. */
function tlsDeny(overrides: Record<string, unknown>): string {
  return JSON.stringify({
    Sid: 'EnforceTls',
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:*',
    Resource: [POLICY_BUCKET_ARN, `${POLICY_BUCKET_ARN}/*`],
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    ...overrides,
  });
}

/** A compact policy of exactly `size` bytes: one statement whose object key is padded. */
function policyOfSize(size: number): string {
  const shell = policyOf(
    `{"Sid":"Pad","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"s3:GetObject","Resource":"${POLICY_BUCKET_ARN}/"}`,
  );
  const padding = 'x'.repeat(size - shell.length);
  return shell.replace(`${POLICY_BUCKET_ARN}/"`, `${POLICY_BUCKET_ARN}/${padding}"`);
}

describe('planTlsOnlyBucketPolicy for S3.5 bucket policies (require-tls-only-bucket-policy)', () => {
  it.each([
    ['no bucket policy', undefined, policyOf(OUR_STATEMENT)],
    ['one statement', policyOf(CLOUDFRONT_READ), policyOf(CLOUDFRONT_READ, OUR_STATEMENT)],
    [
      'several statements with conditions, a cross-account grant and a TLS-version deny',
      policyOf(CLOUDFRONT_READ, ANALYTICS_READ, DENY_UNENCRYPTED_UPLOADS, DENY_OLD_TLS),
      policyOf(CLOUDFRONT_READ, ANALYTICS_READ, DENY_UNENCRYPTED_UPLOADS, DENY_OLD_TLS, OUR_STATEMENT),
    ],
    ['an empty statement list', policyOf(), policyOf(OUR_STATEMENT)],
    [
      'brackets, braces and escaped quotes inside strings',
      policyOf(
        `{"Sid":"Odd","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"${POLICY_BUCKET_ARN}/*","Condition":{"StringLike":{"aws:UserAgent":"x]}\\\\\\"[{,y"}}}`,
      ),
      policyOf(
        `{"Sid":"Odd","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"${POLICY_BUCKET_ARN}/*","Condition":{"StringLike":{"aws:UserAgent":"x]}\\\\\\"[{,y"}}}`,
        OUR_STATEMENT,
      ),
    ],
    [
      'a single Statement object (becomes a list)',
      `{"Version":"2012-10-17","Id":"media","Statement":${ANALYTICS_READ}}`,
      `{"Version":"2012-10-17","Id":"media","Statement":[${ANALYTICS_READ},${OUR_STATEMENT}]}`,
    ],
    [
      'Id and Version after the statements, numbers as written',
      `{"Statement":[{"Sid":"Old","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"s3:GetObject","Resource":"${POLICY_BUCKET_ARN}/*","Condition":{"NumericLessThanEquals":{"s3:max-keys":"10.0"}}}],"Id":"x","Version":"2008-10-17"}`,
      `{"Statement":[{"Sid":"Old","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"s3:GetObject","Resource":"${POLICY_BUCKET_ARN}/*","Condition":{"NumericLessThanEquals":{"s3:max-keys":"10.0"}}},${OUR_STATEMENT}],"Id":"x","Version":"2008-10-17"}`,
    ],
  ])('%s: the policy put is the one read, byte for byte, plus the deny', (_case, current, expected) => {
    const planned = planOf(plan(current));

    expect(planned.policy).toBe(expected);
    expect(planned).toMatchObject({
      bucketName: POLICY_BUCKET,
      statementSid: TLS_ONLY_SID,
      hadPolicy: current !== undefined,
      accountId: finding.accountId,
      region: finding.region,
    });
  });

  it('keeps a pretty-printed policy’s layout and adds the deny after its last statement', () => {
    const pretty = JSON.stringify(JSON.parse(policyOf(CLOUDFRONT_READ, ANALYTICS_READ)), null, 2);

    const planned = planOf(plan(pretty));

    const lastBrace = pretty.lastIndexOf('}\n  ]');
    expect(planned.policy).toBe(
      `${pretty.slice(0, lastBrace + 1)},${OUR_STATEMENT}${pretty.slice(lastBrace + 1)}`,
    );
  });

  it.each([
    ['the Sid is free', [CLOUDFRONT_READ], TLS_ONLY_SID],
    ['the Sid is taken', [tlsDeny({ Sid: TLS_ONLY_SID, Action: 's3:GetObject' })], `${TLS_ONLY_SID}2`],
    [
      'the Sid and its first suffix are taken (Sids compared without case)',
      [
        tlsDeny({ Sid: TLS_ONLY_SID.toLowerCase(), Action: 's3:GetObject' }),
        tlsDeny({ Sid: `${TLS_ONLY_SID}2`, Action: 's3:PutObject' }),
      ],
      `${TLS_ONLY_SID}3`,
    ],
  ])('names the added statement so no Sid collides: %s', (_case, statements, sid) => {
    const planned = planOf(plan(policyOf(...statements)));

    expect(planned.statementSid).toBe(sid);
    expect(planned.policy).toBe(policyOf(...statements, tlsOnlyStatementText(sid, BUCKET)));
  });

  it.each([
    ['the statement AWS documents for the rule', tlsDeny({})],
    ['Principal {"AWS": "*"}', tlsDeny({ Principal: { AWS: '*' } })],
    ['Action "*" in a list', tlsDeny({ Action: ['*'] })],
    ['Resource "*"', tlsDeny({ Resource: '*' })],
    ['the value "false" in a list', tlsDeny({ Condition: { Bool: { 'aws:SecureTransport': ['false'] } } })],
  ])('is already fixed when a statement passes the control: %s', (_case, statement) => {
    const outcome = plan(policyOf(CLOUDFRONT_READ, statement));

    expect(outcome).toEqual({
      kind: 'already-fixed',
      words: `The bucket policy of ${POLICY_BUCKET} in ${finding.accountId}/${finding.region} already denies requests without TLS (statement “EnforceTls”)`,
    });
  });

  it.each([
    [
      'an Allow on aws:SecureTransport "true" (AWS: does not satisfy the rule)',
      tlsDeny({ Effect: 'Allow', Condition: { Bool: { 'aws:SecureTransport': 'true' } } }),
    ],
    ['a deny on the objects only', tlsDeny({ Resource: `${POLICY_BUCKET_ARN}/*` })],
    ['a deny on the bucket only, in a list', tlsDeny({ Resource: [POLICY_BUCKET_ARN] })],
    ['a deny of some actions only', tlsDeny({ Action: ['s3:GetObject', 's3:PutObject'] })],
    ['a deny for one account', tlsDeny({ Principal: { AWS: 'arn:aws:iam::444455556666:root' } })],
    [
      'a deny with NotPrincipal',
      tlsDeny({ Principal: undefined, NotPrincipal: { AWS: 'arn:aws:iam::444455556666:root' } }),
    ],
    [
      'a deny narrowed by another condition key',
      tlsDeny({
        Condition: {
          Bool: { 'aws:SecureTransport': 'false' },
          StringEquals: { 'aws:PrincipalAccount': '444455556666' },
        },
      }),
    ],
    [
      'a deny narrowed by another Bool key',
      tlsDeny({ Condition: { Bool: { 'aws:SecureTransport': 'false', 'aws:ViaAWSService': 'false' } } }),
    ],
    [
      'a deny on the boolean false rather than the string "false"',
      tlsDeny({ Condition: { Bool: { 'aws:SecureTransport': false } } }),
    ],
    ['a deny of TLS below 1.2 only', DENY_OLD_TLS],
    ['a deny for another bucket', tlsDeny({ Resource: ['arn:aws:s3:::other', 'arn:aws:s3:::other/*'] })],
  ])('adds the deny when no statement passes the control: %s', (_case, statement) => {
    const planned = planOf(plan(policyOf(statement)));

    expect(planned.policy).toBe(policyOf(statement, OUR_STATEMENT));
  });

  it('says what stops working and which grants become HTTPS-only', () => {
    const outcome = plan(policyOf(CLOUDFRONT_READ, ANALYTICS_READ, DENY_UNENCRYPTED_UPLOADS));
    if (outcome.kind !== 'plan') throw new Error('expected a plan');

    expect(outcome.words).toBe(
      `Add one statement to the bucket policy of ${POLICY_BUCKET} in ${finding.accountId}/${finding.region} that denies every request not sent over HTTPS ("${TLS_ONLY_SID}": Deny, Principal *, Action s3:*, on ${POLICY_BUCKET_ARN} and ${POLICY_BUCKET_ARN}/*, when aws:SecureTransport is false). Its 3 existing statement(s) stay exactly as they are.`,
    );
    expect(outcome.notes[0]).toContain('sent over plain HTTP is denied');
    expect(outcome.notes[0]).toContain('S3 website endpoint');
    expect(outcome.notes[1]).toBe(
      'These statements grant access, and after the change they grant it over HTTPS only (the deny overrides them for HTTP): ' +
        'statement “AllowCloudFrontServicePrincipal”: cloudfront.amazonaws.com → s3:GetObject; ' +
        'statement “AnalyticsRead”: arn:aws:iam::444455556666:root → s3:GetObject, s3:ListBucket. ' +
        'Make sure whoever they let in does not call over HTTP.',
    );
    expect(outcome.notes.at(-1)).toMatch(/^The policy will be [\d,]+ bytes of S3’s 20,480 bytes limit\.$/);
  });

  it('says a bucket without a policy gets one holding only the deny', () => {
    const outcome = plan(undefined);
    if (outcome.kind !== 'plan') throw new Error('expected a plan');

    expect(outcome.words).toContain(
      `Give ${POLICY_BUCKET} in ${finding.accountId}/${finding.region}, which has no bucket policy, one that denies`,
    );
    expect(outcome.notes).toHaveLength(2);
  });

  describe('near the 20 KB size limit', () => {
    const added = 1 + tlsOnlyStatementText(TLS_ONLY_SID, BUCKET).length; // the comma and the statement
    const largestThatFits = BUCKET_POLICY_SIZE_LIMIT_BYTES - added;

    it.each([
      ['ends exactly at the limit', largestThatFits, 'plan'],
      ['would pass it by one byte', largestThatFits + 1, 'not-remediable'],
      ['is over the limit already', BUCKET_POLICY_SIZE_LIMIT_BYTES + 100, 'not-remediable'],
    ])('a policy that %s', (_case, size, kind) => {
      const current = policyOfSize(size);
      expect(policySizeBytes(current)).toBe(size);

      const outcome = plan(current);

      expect(outcome.kind).toBe(kind);
      if (outcome.kind === 'plan')
        expect(policySizeBytes(outcome.plan.policy)).toBe(BUCKET_POLICY_SIZE_LIMIT_BYTES);
    });

    it('refuses with the sizes, the limit and what to do', () => {
      const outcome = plan(policyOfSize(largestThatFits + 1));

      expect(outcome).toEqual({
        kind: 'not-remediable',
        reason:
          `Adding the TLS-only statement would make the bucket policy of ${POLICY_BUCKET} 20,481 bytes, over S3’s limit of ` +
          `20,480 bytes (20 KB, counted without whitespace); it is ${(largestThatFits + 1).toLocaleString('en-US')} bytes now. ` +
          'The bot never removes or merges your statements. Make room (merge statements that grant the same principals, ' +
          'remove ones no longer needed, or move grants to S3 access point policies), then press Remediate again; or add ' +
          `this statement yourself: ${tlsOnlyStatementText(TLS_ONLY_SID, BUCKET)}`,
      });
    });

    it('counts the policy without whitespace, as S3 does', () => {
      const current = JSON.stringify(JSON.parse(policyOfSize(largestThatFits)), null, 4);
      expect(current.length).toBeGreaterThan(largestThatFits);

      expect(plan(current).kind).toBe('plan');
    });

    it('counts bytes, not characters', () => {
      const current = policyOfSize(largestThatFits).replace('xx', 'é');

      // "é" is two bytes in UTF-8, one character: the size in bytes is unchanged, so the policy still fits.
      expect(plan(current).kind).toBe('plan');
      expect(plan(policyOfSize(largestThatFits).replace('x', 'é')).kind).toBe('not-remediable');
    });
  });

  it.each([
    ['text that is not JSON', '{"Version":"2012-10-17",', 'it is not valid JSON'],
    ['a JSON list', '[]', 'it is not a JSON object'],
    ['no Statement', '{"Version":"2012-10-17"}', 'it has no Statement'],
    [
      'a Statement that is a string',
      '{"Version":"2012-10-17","Statement":"all"}',
      'its Statement is neither',
    ],
    [
      'a statement that is not an object',
      '{"Version":"2012-10-17","Statement":[1]}',
      'its Statement is neither',
    ],
    [
      'Statement named twice',
      `{"Version":"2012-10-17","Statement":[${ANALYTICS_READ}],"Statement":[]}`,
      'it names the same top-level element twice',
    ],
  ])('refuses a policy it cannot read: %s', (_case, current, why) => {
    const outcome = plan(current);

    expect(outcome.kind).toBe('not-remediable');
    if (outcome.kind === 'not-remediable') {
      expect(outcome.reason).toContain(
        `The bucket policy of ${POLICY_BUCKET} cannot be read as a policy the bot can add to: ${why}`,
      );
      expect(outcome.reason).toContain('then press Remediate again');
    }
  });
});

describe('verifyTlsOnlyBucketPolicy (require-tls-only-bucket-policy)', () => {
  const current = policyOf(CLOUDFRONT_READ, ANALYTICS_READ, DENY_OLD_TLS);
  const planned = planOf(plan(current));

  it.each([
    ['exactly the policy put', planned.policy],
    [
      'the policy re-serialized by S3 (keys reordered, whitespace)',
      JSON.stringify(
        {
          Statement: (JSON.parse(planned.policy) as { Statement: Record<string, unknown>[] }).Statement.map(
            (statement) => Object.fromEntries(Object.entries(statement).reverse()),
          ),
          Version: '2012-10-17',
        },
        null,
        2,
      ),
    ],
  ])('verifies %s', (_case, after) => {
    expect(verifyTlsOnlyBucketPolicy(planned, after)).toEqual({ verified: true });
  });

  it.each([
    ['no policy', undefined, `${POLICY_BUCKET} has no bucket policy after the change`],
    ['an unreadable policy', '{', 'is not a readable policy'],
    [
      'the policy as it was (the deny missing)',
      current,
      '1 statement(s) the bot put are not in the bucket policy',
    ],
    [
      'a kept statement changed',
      policyOf(CLOUDFRONT_READ, ANALYTICS_READ.replace('s3:ListBucket', 's3:*'), DENY_OLD_TLS, OUR_STATEMENT),
      '1 statement(s) the bot put are not in the bucket policy',
    ],
    ['a kept statement gone', policyOf(CLOUDFRONT_READ, DENY_OLD_TLS, OUR_STATEMENT), 'AnalyticsRead'],
  ])('does not verify %s', (_case, after, why) => {
    const verification = verifyTlsOnlyBucketPolicy(planned, after);

    expect(verification.verified).toBe(false);
    if (!verification.verified) expect(verification.why).toContain(why);
  });

  it('does not verify a deny that does not pass the control, even when every planned statement is there', () => {
    const weakPlan: TlsOnlyBucketPolicyPlan = {
      ...planned,
      policy: policyOf(CLOUDFRONT_READ, tlsDeny({ Resource: `${POLICY_BUCKET_ARN}/*` })),
    };

    expect(verifyTlsOnlyBucketPolicy(weakPlan, weakPlan.policy)).toEqual({
      verified: false,
      why: `the bucket policy of ${POLICY_BUCKET} still lets requests in without TLS`,
    });
  });
});
