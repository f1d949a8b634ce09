import type { ControlSpec } from './control-catalog.js';
import { controlVerdict } from './control-verdict.js';
import type { CurrentResource } from './current-resource.js';
import type { Finding } from './finding.js';
import type { AccountPublicAccess, BucketAccess, PublicAccessBlockSettings } from './public-bucket-access.js';
import { PUBLIC_ACCESS_BLOCK_SETTINGS, bucketExposure, settingName } from './public-bucket-access.js';
import type { PlanConfirmation, PlanOutcome, Verification } from './remediation-plan.js';
import type { RemediationPlan } from './remediation-plan-types.js';

/** S3.1 names at most this many exposed buckets in its notes, and counts the rest. */
export const MAX_BUCKETS_NAMED = 10;

/**
 * What each setting does once on (S3 API reference, PublicAccessBlockConfiguration): two refuse new public
 * grants, two make existing ones ineffective. Neither changes or deletes the policy or ACL itself.
 */
const SETTING_EFFECTS: Readonly<Record<keyof PublicAccessBlockSettings, string>> = {
  blockPublicAcls: 'S3 refuses new public ACLs on the bucket and its objects, including uploads that set one',
  ignorePublicAcls: 'S3 ignores every public ACL grant on the bucket and its objects',
  blockPublicPolicy: 'S3 refuses a new bucket policy that grants public access',
  restrictPublicBuckets:
    'a public bucket policy only lets in AWS service principals and users of the bucket owner’s account (anonymous and other accounts’ requests are refused)',
};

/** `BlockPublicAcls off → on, …, RestrictPublicBuckets on (unchanged)`. */
export function settingChangeWords(before: PublicAccessBlockSettings | undefined): string {
  return PUBLIC_ACCESS_BLOCK_SETTINGS.map((setting) =>
    before?.[setting] === true
      ? `${settingName(setting)} on (unchanged)`
      : `${settingName(setting)} off → on`,
  ).join(', ');
}

/** The notes on what the settings that change will refuse from now on. */
function newRefusals(before: PublicAccessBlockSettings | undefined, scope: string): string[] {
  const changing = (['blockPublicPolicy', 'blockPublicAcls'] as const).filter(
    (setting) => before?.[setting] !== true,
  );
  return changing.length === 0
    ? []
    : [
        `From now on, for ${scope}: ${changing.map((setting) => `${SETTING_EFFECTS[setting]} (${settingName(setting)})`).join('; ')}.`,
      ];
}

function on(
  settings: PublicAccessBlockSettings | 'unknown' | undefined,
  setting: keyof PublicAccessBlockSettings,
) {
  return settings !== undefined && settings !== 'unknown' && settings[setting];
}

/** What a bucket's public statements and grants lose when `turnedOn` settings take effect on it. */
function lostAccess(
  bucket: BucketAccess,
  stillOff: (setting: 'ignorePublicAcls' | 'restrictPublicBuckets') => boolean,
): string[] {
  const exposure = bucketExposure(bucket);
  const lost: string[] = [];
  if (stillOff('restrictPublicBuckets')) {
    lost.push(...exposure.policyStatements.map((words) => `bucket policy ${words}`));
    if (exposure.policyPublicUnnamed) lost.push('the bucket policy, which S3 reports as public');
  }
  if (stillOff('ignorePublicAcls')) lost.push(...exposure.aclGrants.map((words) => `ACL grant ${words}`));
  return lost;
}

/**
 * S3.8: all four settings on the bucket itself. Every public policy statement and ACL grant that works today stops
 * working (named, with the setting that stops it), unless the account's own setting already stops it. With any,
 * the person types the bucket name to confirm, and auto-remediation never runs it.
 */
export function planBucketPublicAccess(
  finding: Finding,
  control: ControlSpec,
  bucket: BucketAccess,
): PlanOutcome {
  if (control.check.kind !== 'bucket-public-access-block')
    return { kind: 'not-remediable', reason: `${control.id} is not about a bucket's Block Public Access` };
  const where = `${finding.accountId}/${bucket.region}`;
  if (controlVerdict(control, { kind: 'bucket', bucket }).passes)
    return {
      kind: 'already-fixed',
      words: `bucket ${bucket.name} in ${where} already has all four Block Public Access settings on`,
    };
  const before = bucket.publicAccessBlock;
  const account = bucket.accountPublicAccessBlock;
  const lost = lostAccess(bucket, (setting) => before?.[setting] !== true && !on(account, setting));
  const plan: RemediationPlan = {
    kind: 'block-bucket-public-access',
    accountId: finding.accountId,
    region: bucket.region,
    bucketName: bucket.name,
    ...(before && { settingsBefore: before }),
    stopsWorking: lost,
  };
  const words =
    `Turn on Block Public Access for bucket ${bucket.name} in ${where}: ${settingChangeWords(before)}. ` +
    'Its bucket policy, ACL and objects are not changed.';
  const stops = lost.map(
    (what) =>
      `Stops working: ${what}. ${what.startsWith('ACL') ? `${SETTING_EFFECTS.ignorePublicAcls} (IgnorePublicAcls)` : `With RestrictPublicBuckets, ${SETTING_EFFECTS.restrictPublicBuckets}`}.`,
  );
  const notes = [
    ...stops,
    ...(lost.length === 0
      ? [
          `No policy statement or ACL grant of ${bucket.name} gives the public access today, so none stops working.`,
        ]
      : []),
    ...(before?.ignorePublicAcls !== true && !on(account, 'ignorePublicAcls')
      ? ['Objects with a public ACL (the bot does not read object ACLs) stop being public too.']
      : []),
    ...newRefusals(before, `bucket ${bucket.name}`),
    ...(account === 'unknown'
      ? ['The account’s own Block Public Access could not be read; what it already blocks is not known.']
      : []),
  ];
  const confirmation: PlanConfirmation | undefined =
    lost.length === 0
      ? undefined
      : {
          groupId: bucket.name,
          words: `Public access to ${bucket.name} that works today stops: ${lost.join('; ')}. Type ${bucket.name} to confirm.`,
          label: `Type ${bucket.name} to block its public access anyway`,
          hint: 'Whoever reads or writes it without credentials (websites, downloads, partners) is refused.',
        };
  return { kind: 'plan', plan, words, notes, ...(confirmation && { confirmation }) };
}

/**
 * S3.1: all four settings for the account. Every bucket's public access that works today stops (each bucket named,
 * up to MAX_BUCKETS_NAMED), and buckets that could not be read or were not checked are said. With any exposed or
 * unread bucket, the person types the account id to confirm.
 */
export function planAccountPublicAccess(
  finding: Finding,
  control: ControlSpec,
  account: AccountPublicAccess,
): PlanOutcome {
  if (control.check.kind !== 'account-public-access-block')
    return { kind: 'not-remediable', reason: `${control.id} is not about the account's Block Public Access` };
  if (controlVerdict(control, { kind: 'account-public-access', account }).passes)
    return {
      kind: 'already-fixed',
      words: `account ${account.accountId} already has all four Block Public Access settings on`,
    };
  const before = account.publicAccessBlock;
  const exposed = account.buckets.flatMap((bucket) => {
    const lost = lostAccess(
      bucket,
      (setting) => before?.[setting] !== true && bucket.publicAccessBlock?.[setting] !== true,
    );
    return lost.length > 0 ? [{ bucket, lost }] : [];
  });
  const plan: RemediationPlan = {
    kind: 'block-account-public-access',
    accountId: account.accountId,
    region: finding.region,
    ...(before && { settingsBefore: before }),
    exposedBuckets: exposed.map(({ bucket }) => bucket.name),
  };
  const words =
    `Turn on Block Public Access for account ${account.accountId} (every bucket in every Region, and buckets made later): ` +
    `${settingChangeWords(before)}. No bucket policy, ACL or bucket setting is changed.`;
  const named = exposed.slice(0, MAX_BUCKETS_NAMED);
  const checked = account.buckets.length + account.unread.length;
  const notes = [
    ...named.map(
      ({ bucket, lost }) => `Stops working in ${bucket.name} (${bucket.region}): ${lost.join('; ')}.`,
    ),
    ...(exposed.length > named.length
      ? [
          `${exposed.length - named.length} more bucket(s) lose public access too: ${exposed
            .slice(named.length)
            .map(({ bucket }) => bucket.name)
            .join(', ')}.`,
        ]
      : []),
    ...(exposed.length === 0 && account.unread.length === 0
      ? [`None of the ${checked} bucket(s) checked gives the public access today, so none stops working.`]
      : []),
    ...(account.unread.length > 0
      ? [
          `${account.unread.length} bucket(s) could not be read, so whether their public access stops is unknown: ${account.unread.map((unread) => `${unread.name} (${unread.why})`).join('; ')}.`,
        ]
      : []),
    ...(account.notChecked > 0
      ? [
          `${account.notChecked} more bucket(s) were not checked (the bot reads the first ${account.buckets.length + account.unread.length}); any public access they give stops too.`,
        ]
      : []),
    'Account settings override each bucket’s own: with RestrictPublicBuckets, ' +
      `${SETTING_EFFECTS.restrictPublicBuckets}; with IgnorePublicAcls, ${SETTING_EFFECTS.ignorePublicAcls}.`,
    ...newRefusals(before, 'every bucket of the account'),
  ];
  const uncertain = exposed.length > 0 || account.unread.length > 0 || account.notChecked > 0;
  const confirmation: PlanConfirmation | undefined = uncertain
    ? {
        groupId: account.accountId,
        words:
          exposed.length > 0
            ? `Public access that works today stops in ${exposed.length} bucket(s): ${exposed.map(({ bucket }) => bucket.name).join(', ')}. Type ${account.accountId} to confirm.`
            : `Not every bucket could be checked, so public access may stop somewhere. Type ${account.accountId} to confirm.`,
        label: `Type ${account.accountId} to block public access account-wide anyway`,
        hint: 'Every bucket of the account refuses anonymous and cross-account access through public policies and ACLs.',
      }
    : undefined;
  return { kind: 'plan', plan, words, notes, ...(confirmation && { confirmation }) };
}

/** Read back after the change: all four settings on (the bucket's own for S3.8, the account's for S3.1). */
export function verifyPublicAccessBlock(
  plan: Extract<RemediationPlan, { kind: 'block-bucket-public-access' | 'block-account-public-access' }>,
  control: ControlSpec,
  after: CurrentResource,
): Verification {
  const expected = plan.kind === 'block-bucket-public-access' ? 'bucket' : 'account-public-access';
  if (after.kind !== expected)
    return {
      verified: false,
      why: `the resource read back is not the ${expected === 'bucket' ? 'bucket' : 'account'}`,
    };
  const verdict = controlVerdict(control, after);
  return verdict.passes ? { verified: true } : { verified: false, why: verdict.why };
}
