import type { PolicyStatement } from './bucket-policy.js';
import { grantsPublicAccess, statementWords } from './bucket-policy.js';

/** S3 Block Public Access, on a bucket or on an account (the same four settings). */
export interface PublicAccessBlockSettings {
  readonly blockPublicAcls: boolean;
  readonly ignorePublicAcls: boolean;
  readonly blockPublicPolicy: boolean;
  readonly restrictPublicBuckets: boolean;
}

export type PublicAccessBlockSetting = keyof PublicAccessBlockSettings;

/** In the order the S3 console and API list them. */
export const PUBLIC_ACCESS_BLOCK_SETTINGS: readonly PublicAccessBlockSetting[] = [
  'blockPublicAcls',
  'ignorePublicAcls',
  'blockPublicPolicy',
  'restrictPublicBuckets',
];

export const EVERY_SETTING_ON: PublicAccessBlockSettings = Object.freeze({
  blockPublicAcls: true,
  ignorePublicAcls: true,
  blockPublicPolicy: true,
  restrictPublicBuckets: true,
});

/** The API's names: `BlockPublicAcls`, … */
export function settingName(setting: PublicAccessBlockSetting): string {
  return setting.charAt(0).toUpperCase() + setting.slice(1);
}

/** The settings that are off; every one when none is configured (S3 then blocks nothing). */
export function settingsOff(settings: PublicAccessBlockSettings | undefined): PublicAccessBlockSetting[] {
  return PUBLIC_ACCESS_BLOCK_SETTINGS.filter((setting) => settings?.[setting] !== true);
}

/** One grant of a bucket ACL, as GetBucketAcl returns it. */
export interface AclGrant {
  readonly permission: string;
  /** `Group` grantees carry a URI; users an id or email. */
  readonly granteeType: string;
  readonly granteeUri?: string;
  readonly granteeId?: string;
}

/** The two groups that make an ACL grant public (S3 predefined groups). */
const PUBLIC_GROUPS: Readonly<Record<string, string>> = {
  'http://acs.amazonaws.com/groups/global/AllUsers': 'everyone (AllUsers)',
  'http://acs.amazonaws.com/groups/global/AuthenticatedUsers': 'any AWS account (AuthenticatedUsers)',
};

export function isPublicGrant(grant: AclGrant): boolean {
  return grant.granteeUri !== undefined && Object.hasOwn(PUBLIC_GROUPS, grant.granteeUri);
}

/** `READ to everyone (AllUsers)`. */
export function grantWords(grant: AclGrant): string {
  return `${grant.permission} to ${PUBLIC_GROUPS[grant.granteeUri ?? ''] ?? grant.granteeUri ?? 'a group'}`;
}

/**
 * A bucket's policy as read: none, parsed into statements (with S3's own verdict from GetBucketPolicyStatus), or
 * present but not readable as a policy (then only S3's verdict is known).
 */
export type BucketPolicyFacts =
  | { readonly kind: 'none' }
  | {
      readonly kind: 'policy';
      readonly statements: readonly PolicyStatement[];
      /** GetBucketPolicy's `Policy` as S3 returned it, byte for byte (S3.5 adds to it and puts it back). */
      readonly text: string;
      /** GetBucketPolicyStatus `IsPublic`: S3's own judgement; absent when it was not asked. */
      readonly s3SaysPublic?: boolean;
    }
  | {
      readonly kind: 'unparsed';
      readonly why: string;
      readonly text: string;
      readonly s3SaysPublic?: boolean;
    };

/** What S3 says about one general purpose bucket now: its own Block Public Access, its policy and its ACL. */
export interface BucketAccess {
  readonly name: string;
  readonly region: string;
  /** Absent when the bucket has no Block Public Access configuration (NoSuchPublicAccessBlockConfiguration). */
  readonly publicAccessBlock?: PublicAccessBlockSettings;
  readonly policy: BucketPolicyFacts;
  readonly aclGrants: readonly AclGrant[];
  /** The owning account's Block Public Access; `unknown` when it could not be read. */
  readonly accountPublicAccessBlock?: PublicAccessBlockSettings | 'unknown';
}

/** S3.1: the account's Block Public Access and what the buckets of the account grant the public today. */
export interface AccountPublicAccess {
  readonly accountId: string;
  /** Absent when the account has no configuration (NoSuchPublicAccessBlockConfiguration). */
  readonly publicAccessBlock?: PublicAccessBlockSettings;
  /** Every bucket ListBuckets returned, read (up to the reader's bound). */
  readonly buckets: readonly BucketAccess[];
  /** Buckets whose policy or ACL could not be read, and why. */
  readonly unread: readonly { readonly name: string; readonly why: string }[];
  /** Buckets beyond the reader's bound, not read at all. */
  readonly notChecked: number;
}

/** What grants the public access to a bucket today, in words, by what makes it public. */
export interface BucketExposure {
  readonly policyStatements: readonly string[];
  /** S3 says the policy is public but no statement could be named (or the policy could not be parsed). */
  readonly policyPublicUnnamed: boolean;
  readonly aclGrants: readonly string[];
}

/**
 * The public statements and grants of a bucket. S3's verdict wins when it was asked: a policy S3 calls non-public
 * names no statement, even if one looks public here (a condition key S3 counts that this reading does not).
 */
export function bucketExposure(bucket: BucketAccess): BucketExposure {
  const { policy } = bucket;
  const statements =
    policy.kind === 'policy' && policy.s3SaysPublic !== false
      ? policy.statements.filter(grantsPublicAccess).map(statementWords)
      : [];
  const s3SaysPublic = policy.kind !== 'none' && policy.s3SaysPublic === true;
  return {
    policyStatements: statements,
    policyPublicUnnamed: s3SaysPublic && statements.length === 0,
    aclGrants: bucket.aclGrants.filter(isPublicGrant).map(grantWords),
  };
}
