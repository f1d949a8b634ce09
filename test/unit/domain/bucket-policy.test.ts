import { describe, expect, it } from 'vitest';
import { grantsPublicAccess, parseBucketPolicy, statementWords } from '../../../src/domain/bucket-policy.js';
import type { PolicyStatement } from '../../../src/domain/bucket-policy.js';
import {
  CLOUDFRONT_STATEMENT,
  DENY_INSECURE_TRANSPORT,
  PUBLIC_READ_STATEMENT,
  policyText,
} from '../../fixtures/s3-bucket.js';

function statementsOf(text: string): readonly PolicyStatement[] {
  const parsed = parseBucketPolicy(text);
  if (!parsed.ok) throw new Error(parsed.why);
  return parsed.statements;
}

function only(statement: Record<string, unknown>): PolicyStatement {
  const [first] = statementsOf(policyText(statement));
  if (!first) throw new Error('no statement');
  return first;
}

const ALLOW_ALL_GET = { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' };

describe('parseBucketPolicy', () => {
  it('reads a policy whose Statement is one object, not a list', () => {
    const text = JSON.stringify({ Version: '2012-10-17', Statement: PUBLIC_READ_STATEMENT });

    expect(statementsOf(text)).toEqual([
      {
        index: 1,
        sid: 'PublicRead',
        effect: 'Allow',
        principal: { kind: 'everyone' },
        actions: ['s3:GetObject'],
        conditions: [],
      },
    ]);
  });

  it('numbers statements from 1 and keeps their conditions as operator, key and values', () => {
    const statements = statementsOf(policyText(CLOUDFRONT_STATEMENT, DENY_INSECURE_TRANSPORT));

    expect(statements.map((statement) => [statement.index, statement.sid, statement.effect])).toEqual([
      [1, 'AllowCloudFrontServicePrincipal', 'Allow'],
      [2, 'DenyInsecureTransport', 'Deny'],
    ]);
    expect(statements[1]?.conditions).toEqual([
      { operator: 'Bool', key: 'aws:SecureTransport', values: ['false'] },
    ]);
  });

  it.each([
    ['text that is not JSON', '{"Statement": ', 'not valid JSON'],
    [
      'a statement without Effect',
      policyText({ Principal: '*', Action: 's3:GetObject' }),
      'statement 1 has no Effect',
    ],
  ])('says why it cannot read %s', (_case, text, why) => {
    expect(parseBucketPolicy(text)).toEqual({ ok: false, why: expect.stringContaining(why) });
  });
});

describe('grantsPublicAccess, as S3 judges a statement for Block Public Access', () => {
  it.each([
    ['Principal "*"', { ...ALLOW_ALL_GET, Principal: '*' }, true],
    ['Principal {"AWS": "*"}', { ...ALLOW_ALL_GET, Principal: { AWS: '*' } }, true],
    [
      '"*" among a list of principals',
      { ...ALLOW_ALL_GET, Principal: { AWS: ['arn:aws:iam::444455556666:root', '*'] } },
      true,
    ],
    ['a named account', { ...ALLOW_ALL_GET, Principal: { AWS: 'arn:aws:iam::444455556666:root' } }, false],
    ['a service principal', { ...ALLOW_ALL_GET, Principal: { Service: 'cloudfront.amazonaws.com' } }, false],
    [
      'Allow with NotPrincipal (everyone but those named)',
      { ...ALLOW_ALL_GET, NotPrincipal: { AWS: 'arn:aws:iam::444455556666:root' } },
      true,
    ],
    ['Deny to everyone', { ...ALLOW_ALL_GET, Effect: 'Deny', Principal: '*' }, false],
    [
      'everyone, from a fixed office range (aws:SourceIp)',
      {
        ...ALLOW_ALL_GET,
        Principal: '*',
        Condition: { IpAddress: { 'aws:SourceIp': ['203.0.113.0/24', '198.51.100.7/32'] } },
      },
      false,
    ],
    [
      'everyone, "from" 0.0.0.0/0',
      { ...ALLOW_ALL_GET, Principal: '*', Condition: { IpAddress: { 'aws:SourceIp': '0.0.0.0/0' } } },
      true,
    ],
    [
      'everyone, from anywhere but one range (NotIpAddress)',
      { ...ALLOW_ALL_GET, Principal: '*', Condition: { NotIpAddress: { 'aws:SourceIp': '203.0.113.0/24' } } },
      true,
    ],
    [
      'everyone, through one VPC endpoint',
      {
        ...ALLOW_ALL_GET,
        Principal: '*',
        Condition: { StringEquals: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } },
      },
      false,
    ],
    [
      'everyone, from one source account (key written in any case)',
      {
        ...ALLOW_ALL_GET,
        Principal: '*',
        Condition: { StringEquals: { 'AWS:SOURCEACCOUNT': '111122223333' } },
      },
      false,
    ],
    [
      'everyone, from one CloudFront distribution (aws:SourceArn)',
      {
        ...ALLOW_ALL_GET,
        Principal: '*',
        Condition: {
          ArnEquals: { 'aws:SourceArn': 'arn:aws:cloudfront::111122223333:distribution/E2QWRUHAPOMQZL' },
        },
      },
      false,
    ],
    [
      'everyone, aws:SourceArn with a wildcard (ArnLike "*")',
      {
        ...ALLOW_ALL_GET,
        Principal: '*',
        Condition: { ArnLike: { 'aws:SourceArn': 'arn:aws:cloudfront::*:distribution/*' } },
      },
      true,
    ],
    [
      'everyone, aws:SourceVpc only if present (IfExists)',
      {
        ...ALLOW_ALL_GET,
        Principal: '*',
        Condition: { StringEqualsIfExists: { 'aws:SourceVpc': 'vpc-0a1b2c3d' } },
      },
      true,
    ],
    [
      'everyone, a condition S3 does not count (aws:SecureTransport)',
      { ...ALLOW_ALL_GET, Principal: '*', Condition: { Bool: { 'aws:SecureTransport': 'true' } } },
      true,
    ],
    [
      'everyone, one user id',
      {
        ...ALLOW_ALL_GET,
        Principal: '*',
        Condition: { StringEquals: { 'aws:userid': 'AIDAEXAMPLEUSERID' } },
      },
      false,
    ],
    [
      'everyone, any session of a role (AROLEID:*)',
      {
        ...ALLOW_ALL_GET,
        Principal: '*',
        Condition: { StringLike: { 'aws:userid': 'AROAEXAMPLEROLEID:*' } },
      },
      true,
    ],
  ] as const)('%s → public: %s', (_case, statement, expected) => {
    expect(grantsPublicAccess(only(statement))).toBe(expected);
  });
});

describe('statementWords', () => {
  it.each([
    [PUBLIC_READ_STATEMENT, 'statement "PublicRead" — s3:GetObject for everyone'],
    [
      { Effect: 'Allow', Principal: { AWS: '*' }, Action: ['s3:GetObject', 's3:ListBucket'] },
      'statement 1 (no Sid) — s3:GetObject, s3:ListBucket for everyone',
    ],
    [
      { Sid: 'AllButDelete', Effect: 'Allow', Principal: '*', NotAction: 's3:DeleteObject' },
      'statement "AllButDelete" — every action except s3:DeleteObject for everyone',
    ],
    [
      { Effect: 'Allow', NotPrincipal: { AWS: 'arn:aws:iam::444455556666:root' }, Action: 's3:*' },
      'statement 1 (no Sid) — s3:* for everyone except arn:aws:iam::444455556666:root',
    ],
    [
      {
        Sid: 'Tls',
        Effect: 'Allow',
        Principal: '*',
        Action: 's3:GetObject',
        Condition: { Bool: { 'aws:SecureTransport': 'true' } },
      },
      'statement "Tls" — s3:GetObject for everyone (its conditions do not limit who)',
    ],
    [
      {
        Effect: 'Allow',
        Principal: '*',
        Action: [
          's3:GetObject',
          's3:PutObject',
          's3:DeleteObject',
          's3:ListBucket',
          's3:GetObjectAcl',
          's3:PutObjectAcl',
        ],
      },
      'statement 1 (no Sid) — s3:GetObject, s3:PutObject, s3:DeleteObject, s3:ListBucket and 2 more for everyone',
    ],
  ] as const)('names %j as a person reads it', (statement, words) => {
    expect(statementWords(only(statement))).toBe(words);
  });
});
