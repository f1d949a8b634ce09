import { describe, expect, it } from 'vitest';
import { parseBucketPolicy } from '../../../src/domain/bucket-policy.js';
import { CONTROL_CATALOG } from '../../../src/domain/control-catalog.js';
import type {
  AccountPublicAccess,
  AclGrant,
  BucketAccess,
  PublicAccessBlockSettings,
} from '../../../src/domain/public-bucket-access.js';
import { planRemediation, verifyRemediation } from '../../../src/domain/remediation-plan.js';
import type { RemediationPlan } from '../../../src/domain/remediation-plan-types.js';
import {
  BUCKET,
  CLOUDFRONT_STATEMENT,
  DENY_INSECURE_TRANSPORT,
  PUBLIC_READ_STATEMENT,
  S3_ACCOUNT,
  makeAccountFinding,
  makeBucketFinding,
  policyText,
} from '../../fixtures/s3-bucket.js';

const S3_8 = CONTROL_CATALOG['S3.8'];
const S3_1 = CONTROL_CATALOG['S3.1'];
const OPTIONS = { imdsHopLimit: 2 };

const ALL_OFF: PublicAccessBlockSettings = {
  blockPublicAcls: false,
  ignorePublicAcls: false,
  blockPublicPolicy: false,
  restrictPublicBuckets: false,
};
const ALL_ON: PublicAccessBlockSettings = {
  blockPublicAcls: true,
  ignorePublicAcls: true,
  blockPublicPolicy: true,
  restrictPublicBuckets: true,
};
const POLICY_ONLY: PublicAccessBlockSettings = {
  ...ALL_OFF,
  blockPublicPolicy: true,
  restrictPublicBuckets: true,
};

const OWNER_GRANT: AclGrant = {
  permission: 'FULL_CONTROL',
  granteeType: 'CanonicalUser',
  granteeId: 'owner',
};
const ALL_USERS_READ: AclGrant = {
  permission: 'READ',
  granteeType: 'Group',
  granteeUri: 'http://acs.amazonaws.com/groups/global/AllUsers',
};
const AUTHENTICATED_WRITE: AclGrant = {
  permission: 'WRITE',
  granteeType: 'Group',
  granteeUri: 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers',
};

function policy(s3SaysPublic: boolean, ...statements: Record<string, unknown>[]): BucketAccess['policy'] {
  const text = policyText(...statements);
  const parsed = parseBucketPolicy(text);
  if (!parsed.ok) throw new Error(parsed.why);
  return { kind: 'policy', statements: parsed.statements, text, s3SaysPublic };
}

function bucket(overrides: Partial<BucketAccess> = {}): BucketAccess {
  return {
    name: BUCKET,
    region: 'us-east-1',
    policy: { kind: 'none' },
    aclGrants: [OWNER_GRANT],
    ...overrides,
  };
}

function planOf(current: BucketAccess) {
  return planRemediation(makeBucketFinding(), S3_8, { kind: 'bucket', bucket: current }, OPTIONS);
}

describe('planRemediation for S3.8 buckets (block-bucket-public-access)', () => {
  it('turns all four settings on, names those already on as unchanged, and changes nothing else', () => {
    const outcome = planOf(bucket({ publicAccessBlock: POLICY_ONLY }));

    expect(outcome).toMatchObject({
      kind: 'plan',
      plan: {
        kind: 'block-bucket-public-access',
        accountId: S3_ACCOUNT,
        region: 'us-east-1',
        bucketName: BUCKET,
        settingsBefore: POLICY_ONLY,
        stopsWorking: [],
      },
      words:
        `Turn on Block Public Access for bucket ${BUCKET} in ${S3_ACCOUNT}/us-east-1: BlockPublicAcls off → on, ` +
        'IgnorePublicAcls off → on, BlockPublicPolicy on (unchanged), RestrictPublicBuckets on (unchanged). ' +
        'Its bucket policy, ACL and objects are not changed.',
    });
  });

  it.each([
    [
      'a public-read statement among several, with a Deny and a CloudFront-only statement',
      bucket({ policy: policy(true, PUBLIC_READ_STATEMENT, CLOUDFRONT_STATEMENT, DENY_INSECURE_TRANSPORT) }),
      ['bucket policy statement "PublicRead" — s3:GetObject for everyone'],
    ],
    [
      'an AllUsers READ and an AuthenticatedUsers WRITE grant',
      bucket({ aclGrants: [OWNER_GRANT, ALL_USERS_READ, AUTHENTICATED_WRITE] }),
      ['ACL grant READ to everyone (AllUsers)', 'ACL grant WRITE to any AWS account (AuthenticatedUsers)'],
    ],
    [
      'a statement with no Sid, public only until S3 says otherwise',
      bucket({
        policy: policy(true, { Effect: 'Allow', Principal: { AWS: '*' }, Action: ['s3:ListBucket'] }),
      }),
      ['bucket policy statement 1 (no Sid) — s3:ListBucket for everyone'],
    ],
    [
      'a policy S3 calls public though no statement reads as public here',
      bucket({
        policy: {
          kind: 'unparsed',
          why: 'the bucket policy is not valid JSON',
          text: '{"Version":"2012-10-17",',
          s3SaysPublic: true,
        },
      }),
      ['the bucket policy, which S3 reports as public'],
    ],
    [
      'a statement that looks public but S3 says the policy is not (S3 decides)',
      bucket({ policy: policy(false, PUBLIC_READ_STATEMENT) }),
      [],
    ],
    [
      'a public statement the bucket already restricts (RestrictPublicBuckets on)',
      bucket({ publicAccessBlock: POLICY_ONLY, policy: policy(true, PUBLIC_READ_STATEMENT) }),
      [],
    ],
    [
      'a public grant the account already makes S3 ignore',
      bucket({
        aclGrants: [ALL_USERS_READ],
        accountPublicAccessBlock: { ...ALL_OFF, ignorePublicAcls: true },
      }),
      [],
    ],
    ['no policy and an owner-only ACL', bucket(), []],
  ])('with %s, says what stops working', (_case, current, stops) => {
    const outcome = planOf(current);

    if (outcome.kind !== 'plan' || outcome.plan.kind !== 'block-bucket-public-access')
      throw new Error(`expected a plan, got ${outcome.kind}`);
    expect(outcome.plan.stopsWorking).toEqual(stops);
    expect(outcome.notes.filter((note) => note.startsWith('Stops working:'))).toHaveLength(stops.length);
    for (const stop of stops) expect(outcome.notes.join('\n')).toContain(`Stops working: ${stop}.`);
    if (stops.length === 0) {
      expect(outcome.confirmation).toBeUndefined();
      expect(outcome.notes[0]).toMatch(/^Nothing stops working today: no policy statement or ACL grant/);
    } else {
      expect(outcome.notes[0]).toMatch(/^What stops working: the public access to /);
      expect(outcome.confirmation?.groupId).toBe(BUCKET);
    }
  });

  it('says which setting stops each kind of public access', () => {
    const outcome = planOf(
      bucket({ policy: policy(true, PUBLIC_READ_STATEMENT), aclGrants: [ALL_USERS_READ] }),
    );

    if (outcome.kind !== 'plan') throw new Error(outcome.kind);
    expect(outcome.notes).toContain(
      'Stops working: bucket policy statement "PublicRead" — s3:GetObject for everyone. With RestrictPublicBuckets, ' +
        'a public bucket policy only lets in AWS service principals and users of the bucket owner’s account ' +
        '(anonymous and other accounts’ requests are refused).',
    );
    expect(outcome.notes).toContain(
      'Stops working: ACL grant READ to everyone (AllUsers). S3 ignores every public ACL grant on the bucket and ' +
        'its objects (IgnorePublicAcls).',
    );
    expect(outcome.notes.join('\n')).toContain(
      'S3 refuses a new bucket policy that grants public access (BlockPublicPolicy)',
    );
    expect(outcome.confirmation?.label).toBe(`Type ${BUCKET} to block its public access anyway`);
  });

  it('says when the account’s own setting could not be read', () => {
    const outcome = planOf(bucket({ accountPublicAccessBlock: 'unknown' }));

    expect(outcome.kind === 'plan' && outcome.notes.join('\n')).toContain('could not be read');
  });

  it('calls a bucket with all four on already fixed, even when its policy is public', () => {
    expect(
      planOf(bucket({ publicAccessBlock: ALL_ON, policy: policy(true, PUBLIC_READ_STATEMENT) })),
    ).toEqual({
      kind: 'already-fixed',
      words: `bucket ${BUCKET} in ${S3_ACCOUNT}/us-east-1 already has all four Block Public Access settings on`,
    });
  });

  it('does not call a bucket fixed because the account blocks public access: S3.8 checks the bucket’s own', () => {
    expect(planOf(bucket({ accountPublicAccessBlock: ALL_ON })).kind).toBe('plan');
  });

  it('calls a deleted bucket already fixed', () => {
    const outcome = planRemediation(
      makeBucketFinding(),
      S3_8,
      { kind: 'gone', resourceId: BUCKET, detail: 'the bucket no longer exists' },
      OPTIONS,
    );
    expect(outcome.kind).toBe('already-fixed');
  });
});

function account(overrides: Partial<AccountPublicAccess> = {}): AccountPublicAccess {
  return { accountId: S3_ACCOUNT, buckets: [], unread: [], notChecked: 0, ...overrides };
}

function accountPlanOf(current: AccountPublicAccess) {
  return planRemediation(
    makeAccountFinding(),
    S3_1,
    { kind: 'account-public-access', account: current },
    OPTIONS,
  );
}

describe('planRemediation for S3.1 accounts (block-account-public-access)', () => {
  it('names each bucket whose public access stops, skipping what a bucket already blocks itself', () => {
    const outcome = accountPlanOf(
      account({
        buckets: [
          bucket({ name: 'assets', policy: policy(true, PUBLIC_READ_STATEMENT) }),
          bucket({ name: 'downloads', region: 'eu-west-1', aclGrants: [OWNER_GRANT, ALL_USERS_READ] }),
          bucket({
            name: 'restricted',
            publicAccessBlock: ALL_ON,
            policy: policy(true, PUBLIC_READ_STATEMENT),
          }),
          bucket({ name: 'private-logs' }),
        ],
      }),
    );

    if (outcome.kind !== 'plan' || outcome.plan.kind !== 'block-account-public-access')
      throw new Error(`expected a plan, got ${outcome.kind}`);
    expect(outcome.plan).toEqual({
      kind: 'block-account-public-access',
      accountId: S3_ACCOUNT,
      region: 'us-east-1',
      exposedBuckets: ['assets', 'downloads'],
    });
    expect(outcome.words).toContain('BlockPublicAcls off → on, IgnorePublicAcls off → on');
    expect(outcome.notes.slice(0, 3)).toEqual([
      'What stops working: the public access that works today in 2 bucket(s) (below).',
      'Stops working in assets (us-east-1): bucket policy statement "PublicRead" — s3:GetObject for everyone.',
      'Stops working in downloads (eu-west-1): ACL grant READ to everyone (AllUsers).',
    ]);
    expect(outcome.confirmation).toMatchObject({ groupId: S3_ACCOUNT });
    expect(outcome.confirmation?.words).toContain('2 bucket(s): assets, downloads');
  });

  it('names at most 10 buckets and counts the rest', () => {
    const buckets = Array.from({ length: 13 }, (_, index) =>
      bucket({ name: `public-${String(index).padStart(2, '0')}`, aclGrants: [ALL_USERS_READ] }),
    );
    const outcome = accountPlanOf(account({ buckets }));

    if (outcome.kind !== 'plan') throw new Error(outcome.kind);
    expect(outcome.notes.filter((note) => note.startsWith('Stops working in'))).toHaveLength(10);
    expect(outcome.notes).toContain(
      '3 more bucket(s) lose public access too: public-10, public-11, public-12.',
    );
  });

  it('says which buckets could not be read or were not checked, and asks for the account id even with none public', () => {
    const outcome = accountPlanOf(
      account({
        buckets: [bucket({ name: 'private-logs' })],
        unread: [{ name: 'partner-drop', why: 'access denied (AccessDenied)' }],
        notChecked: 4,
      }),
    );

    if (outcome.kind !== 'plan') throw new Error(outcome.kind);
    expect(outcome.notes).toContain(
      '1 bucket(s) could not be read, so whether their public access stops is unknown: partner-drop (access denied (AccessDenied)).',
    );
    expect(outcome.notes.join('\n')).toContain('4 more bucket(s) were not checked');
    expect(outcome.confirmation?.groupId).toBe(S3_ACCOUNT);
  });

  it('needs no typed confirmation when every bucket was read and none is public', () => {
    const outcome = accountPlanOf(account({ buckets: [bucket({ name: 'private-logs' })] }));

    if (outcome.kind !== 'plan') throw new Error(outcome.kind);
    expect(outcome.confirmation).toBeUndefined();
    expect(outcome.notes[0]).toBe(
      'Nothing stops working today: none of the 1 bucket(s) checked gives the public access.',
    );
  });

  it('calls an account with all four on already fixed', () => {
    expect(accountPlanOf(account({ publicAccessBlock: ALL_ON }))).toEqual({
      kind: 'already-fixed',
      words: `account ${S3_ACCOUNT} already has all four Block Public Access settings on`,
    });
  });
});

describe('verifyRemediation of Block Public Access', () => {
  const bucketPlan: RemediationPlan = {
    kind: 'block-bucket-public-access',
    accountId: S3_ACCOUNT,
    region: 'us-east-1',
    bucketName: BUCKET,
    stopsWorking: [],
  };
  const accountPlan: RemediationPlan = {
    kind: 'block-account-public-access',
    accountId: S3_ACCOUNT,
    region: 'us-east-1',
    exposedBuckets: [],
  };

  it.each([
    [
      'the bucket read back with all four on',
      bucketPlan,
      S3_8,
      { kind: 'bucket', bucket: bucket({ publicAccessBlock: ALL_ON }) },
      { verified: true },
    ],
    [
      'the bucket read back with one still off',
      bucketPlan,
      S3_8,
      { kind: 'bucket', bucket: bucket({ publicAccessBlock: { ...ALL_ON, ignorePublicAcls: false } }) },
      { verified: false, why: `Block Public Access of bucket ${BUCKET} has IgnorePublicAcls off` },
    ],
    [
      'the bucket read back with none configured',
      bucketPlan,
      S3_8,
      { kind: 'bucket', bucket: bucket() },
      { verified: false, why: `bucket ${BUCKET} has no Block Public Access configured (every setting off)` },
    ],
    [
      'the account read back with all four on',
      accountPlan,
      S3_1,
      { kind: 'account-public-access', account: account({ publicAccessBlock: ALL_ON }) },
      { verified: true },
    ],
    [
      'the account read back with RestrictPublicBuckets off',
      accountPlan,
      S3_1,
      {
        kind: 'account-public-access',
        account: account({ publicAccessBlock: { ...ALL_ON, restrictPublicBuckets: false } }),
      },
      { verified: false, why: `Block Public Access of account ${S3_ACCOUNT} has RestrictPublicBuckets off` },
    ],
  ] as const)('%s', (_case, plan, control, after, expected) => {
    expect(verifyRemediation(plan, control, after)).toEqual(expected);
  });
});
