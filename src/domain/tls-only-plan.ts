import { BUCKET_POLICY_SIZE_LIMIT_BYTES, parseBucketPolicy } from './bucket-policy-document.js';
import { canonicalJson } from './canonical-json.js';
import type { Finding } from './finding.js';
import type { BucketAccess } from './public-bucket-access.js';
import type { TlsOnlyBucketPolicyPlan } from './remediation-plan-types.js';
import type { PlanOutcome, Verification } from './remediation-plan.js';
import type { AllowedStatement, BucketRef } from './tls-only-bucket-policy.js';
import { bucketArn, requireTlsOnly, tlsOnlyStatementIn } from './tls-only-bucket-policy.js';

/** A bucket's policy as S3 returns it now; `policy` is absent when the bucket has none (NoSuchBucketPolicy). */
export interface CurrentBucketPolicy extends BucketRef {
  readonly policy?: string;
}

/** The bucket read from S3 as S3.5 judges it: its name and its policy text (absent when it has none). */
export function currentBucketPolicy(bucket: BucketAccess, partition: string): CurrentBucketPolicy {
  const { policy } = bucket;
  return {
    bucketName: bucket.name,
    partition,
    ...(policy.kind !== 'none' && { policy: policy.text }),
  };
}

/** Does the bucket's policy pass S3.5 now? `why` says what is missing. */
export function tlsOnlyVerdict(
  bucket: BucketAccess,
): { readonly passes: true } | { readonly passes: false; readonly why: string } {
  const policy = bucket.policy.kind === 'none' ? undefined : bucket.policy.text;
  if (tlsOnlyStatementIn(policy, bucket.name) !== undefined) return { passes: true };
  return {
    passes: false,
    why:
      policy === undefined
        ? `${bucket.name} has no bucket policy, so requests without TLS are not denied`
        : `no statement of the bucket policy of ${bucket.name} denies every request without TLS`,
  };
}

/** A plan outcome whose plan is always the TLS-only one. */
export type TlsOnlyPlanOutcome =
  | Exclude<PlanOutcome, { readonly kind: 'plan' }>
  | (Omit<Extract<PlanOutcome, { readonly kind: 'plan' }>, 'plan'> & {
      readonly plan: TlsOnlyBucketPolicyPlan;
    });

function where(finding: Finding): string {
  return `${finding.accountId}/${finding.region}`;
}

function bytes(count: number): string {
  return `${count.toLocaleString('en-US')} bytes`;
}

/** What the deny stops, in words a person can check against their clients. */
function stopsWorking(bucket: BucketRef): string {
  return (
    `What stops working: every request to ${bucket.bucketName} or its objects sent over plain HTTP is denied, for ` +
    'every caller (this account’s own roles and AWS services included): http:// URLs and presigned URLs, clients ' +
    'or tools set to an http:// endpoint or with TLS turned off, and the bucket’s S3 website endpoint ' +
    '(http://…s3-website…, which serves HTTP only) together with any CloudFront distribution that uses it as its ' +
    'origin. The AWS console, CLI and SDKs use HTTPS by default and keep working.'
  );
}

function allowsNote(allows: readonly AllowedStatement[]): string[] {
  if (allows.length === 0) return [];
  const listed = allows.map((allow) => `${allow.label}: ${allow.principals} → ${allow.actions}`).join('; ');
  return [
    `These statements grant access, and after the change they grant it over HTTPS only (the deny overrides them ` +
      `for HTTP): ${listed}. Make sure whoever they let in does not call over HTTP.`,
  ];
}

/**
 * S3.5: add a statement denying requests without TLS to the bucket policy read just now; the statements already
 * there stay exactly as they are. Already fixed only when a statement passes the control; refused with words when
 * the policy cannot be read or would pass S3's size limit.
 */
export function planTlsOnlyBucketPolicy(finding: Finding, bucket: CurrentBucketPolicy): TlsOnlyPlanOutcome {
  const outcome = requireTlsOnly(bucket.policy, bucket);
  const name = bucket.bucketName;
  switch (outcome.kind) {
    case 'already-required':
      return {
        kind: 'already-fixed',
        words: `The bucket policy of ${name} in ${where(finding)} already denies requests without TLS (${outcome.statement})`,
      };
    case 'unreadable':
      return {
        kind: 'not-remediable',
        reason:
          `The bucket policy of ${name} cannot be read as a policy the bot can add to: ${outcome.why}. The bot never ` +
          'rewrites a policy it cannot read. Fix the policy in the S3 console (Permissions → Bucket policy), then press ' +
          'Remediate again.',
      };
    case 'too-large':
      return {
        kind: 'not-remediable',
        reason:
          `Adding the TLS-only statement would make the bucket policy of ${name} ${bytes(outcome.sizeBytes)}, over ` +
          `S3’s limit of ${bytes(BUCKET_POLICY_SIZE_LIMIT_BYTES)} (20 KB, counted without whitespace); it is ` +
          `${bytes(outcome.currentBytes)} now. The bot never removes or merges your statements. Make room (merge ` +
          'statements that grant the same principals, remove ones no longer needed, or move grants to S3 access ' +
          `point policies), then press Remediate again; or add this statement yourself: ${outcome.statement}`,
      };
    case 'policy': {
      const plan: TlsOnlyBucketPolicyPlan = {
        kind: 'require-tls-only-bucket-policy',
        accountId: finding.accountId,
        region: finding.region,
        bucketName: name,
        policy: outcome.policy,
        statementSid: outcome.sid,
        hadPolicy: outcome.hadPolicy,
      };
      const arn = bucketArn(bucket);
      const statement = `"${outcome.sid}": Deny, Principal *, Action s3:*, on ${arn} and ${arn}/*, when aws:SecureTransport is false`;
      return {
        kind: 'plan',
        plan,
        words: outcome.hadPolicy
          ? `Add one statement to the bucket policy of ${name} in ${where(finding)} that denies every request not sent ` +
            `over HTTPS (${statement}). Its ${outcome.keptStatements} existing statement(s) stay exactly as they are.`
          : `Give ${name} in ${where(finding)}, which has no bucket policy, one that denies every request not sent ` +
            `over HTTPS (${statement}), and nothing else.`,
        notes: [
          stopsWorking(bucket),
          ...allowsNote(outcome.allows),
          `The policy will be ${bytes(outcome.sizeBytes)} of S3’s ${bytes(BUCKET_POLICY_SIZE_LIMIT_BYTES)} limit.`,
        ],
      };
    }
  }
}

/** The statements of `policy` as canonical JSON (keys sorted), or undefined when it cannot be read. */
function canonicalStatements(policy: string): string[] | undefined {
  const parsed = parseBucketPolicy(policy);
  return parsed.kind === 'parsed'
    ? parsed.document.statements.map((statement) => canonicalJson(statement.value))
    : undefined;
}

/**
 * The policy read back after the change holds every statement the plan put (the ones kept and the deny), unchanged
 * apart from key order, and a statement that passes S3.5. S3 may store a policy re-serialized, so the check compares
 * statements, not text.
 */
export function verifyTlsOnlyBucketPolicy(
  plan: TlsOnlyBucketPolicyPlan,
  policyAfter: string | undefined,
): Verification {
  if (policyAfter === undefined)
    return { verified: false, why: `${plan.bucketName} has no bucket policy after the change` };
  const after = canonicalStatements(policyAfter);
  if (after === undefined)
    return {
      verified: false,
      why: `the bucket policy of ${plan.bucketName} read back is not a readable policy`,
    };
  const planned = canonicalStatements(plan.policy) ?? [];
  const unmatched = [...after];
  const missing = planned.filter((statement) => {
    const index = unmatched.indexOf(statement);
    if (index === -1) return true;
    unmatched.splice(index, 1);
    return false;
  });
  if (missing.length > 0)
    return {
      verified: false,
      why: `${missing.length} statement(s) the bot put are not in the bucket policy of ${plan.bucketName} as planned: ${missing.join('; ')}`,
    };
  return tlsOnlyStatementIn(policyAfter, plan.bucketName) === undefined
    ? { verified: false, why: `the bucket policy of ${plan.bucketName} still lets requests in without TLS` }
    : { verified: true };
}
