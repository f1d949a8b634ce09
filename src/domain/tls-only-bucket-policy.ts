import type { BucketPolicyDocument } from './bucket-policy-document.js';
import {
  BUCKET_POLICY_SIZE_LIMIT_BYTES,
  parseBucketPolicy,
  policySizeBytes,
  withStatementAppended,
} from './bucket-policy-document.js';

// S3.5 (Config rule s3-bucket-ssl-requests-only): a bucket policy must deny requests that do not use TLS. The
// statement that satisfies it is the one AWS publishes for the rule (Security Hub user guide, S3.5 remediation;
// Control Tower CT.S3.PR.8 spells out the same check): Effect Deny, Principal "*", Action "s3:*" (or "*"), Resource
// the bucket and its objects (or "*"), Condition exactly {"Bool": {"aws:SecureTransport": "false"}}. An Allow on
// aws:SecureTransport "true" does not satisfy it (AWS Knowledge Center, "s3-bucket-policy-for-config-rule"), nor a
// deny narrowed by more condition keys, a principal, an action or a resource.

/** The Sid the bot gives the statement it adds; suffixed with 2, 3, … when the policy already uses it. */
export const TLS_ONLY_SID = 'CspmBotDenyInsecureTransport';

/** The policy language version of a policy the bot creates (a bucket that had none). */
const POLICY_VERSION = '2012-10-17';

export interface BucketRef {
  readonly bucketName: string;
  /** `aws`, `aws-cn`, `aws-us-gov`. */
  readonly partition: string;
}

export function bucketArn(bucket: BucketRef): string {
  return `arn:${bucket.partition}:s3:::${bucket.bucketName}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function listOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}

function isEveryone(principal: unknown): boolean {
  if (principal === '*') return true;
  if (!isObject(principal) || !('AWS' in principal)) return false;
  const aws = listOf(principal['AWS']);
  return aws.length > 0 && aws.every((entry) => entry === '*');
}

function coversEveryS3Action(action: unknown): boolean {
  const actions = listOf(action);
  return actions.length > 0 && actions.every((entry) => entry === 's3:*' || entry === '*');
}

/** The partitions `P` for which `arn:P:s3:::<bucket><suffix>` is listed (any AWS partition, as the rule's spec). */
function bucketArnPartitions(resources: readonly unknown[], bucketName: string, suffix: string): Set<string> {
  const partitions = new Set<string>();
  for (const entry of resources) {
    if (typeof entry !== 'string') continue;
    const match = /^arn:(aws[a-z0-9-]*):s3:::(.+)$/.exec(entry);
    if (match && match[2] === `${bucketName}${suffix}`) partitions.add(match[1]!);
  }
  return partitions;
}

function coversBucketAndObjects(resource: unknown, bucketName: string): boolean {
  const resources = listOf(resource);
  if (resources.length > 0 && resources.every((entry) => entry === '*')) return true;
  if (!Array.isArray(resource)) return false;
  const objects = bucketArnPartitions(resources, bucketName, '/*');
  return [...bucketArnPartitions(resources, bucketName, '')].some((partition) => objects.has(partition));
}

/** Exactly `{"Bool": {"aws:SecureTransport": "false"}}`: any other key would narrow the deny. */
function onlyWhenInsecure(condition: unknown): boolean {
  if (!isObject(condition) || Object.keys(condition).length !== 1 || !isObject(condition['Bool']))
    return false;
  const bool = condition['Bool'];
  if (Object.keys(bool).length !== 1) return false;
  const value = bool['aws:SecureTransport'];
  return value === 'false' || (Array.isArray(value) && value.length === 1 && value[0] === 'false');
}

/** Does this statement, on its own, deny every request to the bucket and its objects that does not use TLS? */
export function deniesInsecureTransport(statement: unknown, bucketName: string): boolean {
  if (!isObject(statement) || statement['Effect'] !== 'Deny') return false;
  return (
    isEveryone(statement['Principal']) &&
    coversEveryS3Action(statement['Action']) &&
    coversBucketAndObjects(statement['Resource'], bucketName) &&
    onlyWhenInsecure(statement['Condition'])
  );
}

/** "statement “AllowCloudFront”" or "statement 3" (1-based) for one without a Sid. */
export function statementLabel(statement: unknown, index: number): string {
  const sid = isObject(statement) ? statement['Sid'] : undefined;
  return typeof sid === 'string' && sid !== '' ? `statement “${sid}”` : `statement ${index + 1}`;
}

/** A Sid no statement of the policy uses (Sids compared without case, to be safe). */
function freeSid(statements: readonly unknown[]): string {
  const taken = new Set(
    statements.flatMap((statement) =>
      isObject(statement) && typeof statement['Sid'] === 'string' ? [statement['Sid'].toLowerCase()] : [],
    ),
  );
  if (!taken.has(TLS_ONLY_SID.toLowerCase())) return TLS_ONLY_SID;
  for (let suffix = 2; ; suffix += 1) {
    const sid = `${TLS_ONLY_SID}${suffix}`;
    if (!taken.has(sid.toLowerCase())) return sid;
  }
}

/** The statement the bot adds, as compact JSON text. */
export function tlsOnlyStatementText(sid: string, bucket: BucketRef): string {
  const arn = bucketArn(bucket);
  return JSON.stringify({
    Sid: sid,
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:*',
    Resource: [arn, `${arn}/*`],
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  });
}

/** A statement of the current policy that lets principals in (the deny makes it HTTPS-only). */
export interface AllowedStatement {
  readonly label: string;
  readonly principals: string;
  readonly actions: string;
}

export type TlsOnlyPolicy =
  /** The policy has a statement that passes S3.5 already. */
  | { readonly kind: 'already-required'; readonly statement: string }
  | {
      readonly kind: 'policy';
      /** The whole new policy text: the current one byte for byte with the statement added. */
      readonly policy: string;
      readonly sid: string;
      readonly hadPolicy: boolean;
      /** How many statements the current policy has (all kept). */
      readonly keptStatements: number;
      readonly sizeBytes: number;
      readonly allows: readonly AllowedStatement[];
    }
  | {
      readonly kind: 'too-large';
      readonly currentBytes: number;
      readonly sizeBytes: number;
      readonly statement: string;
    }
  | { readonly kind: 'unreadable'; readonly why: string };

function words(value: unknown): string {
  return listOf(value)
    .map((entry) => (typeof entry === 'string' ? entry : JSON.stringify(entry)))
    .join(', ');
}

function principalWords(principal: unknown): string {
  if (principal === '*') return 'everyone (*)';
  if (!isObject(principal)) return words(principal);
  return Object.entries(principal)
    .map(([kind, who]) => (listOf(who).every((entry) => entry === '*') ? `everyone (${kind} *)` : words(who)))
    .join(', ');
}

function allowedStatements(statements: readonly unknown[]): AllowedStatement[] {
  return statements.flatMap((statement, index) => {
    if (!isObject(statement) || statement['Effect'] !== 'Allow') return [];
    const principal = statement['Principal'] ?? statement['NotPrincipal'];
    return [
      {
        label: statementLabel(statement, index),
        principals:
          'NotPrincipal' in statement
            ? `everyone except ${principalWords(principal)}`
            : principalWords(principal),
        actions: words(statement['Action'] ?? statement['NotAction']),
      },
    ];
  });
}

function existingTlsOnly(document: BucketPolicyDocument, bucketName: string): string | undefined {
  const index = document.statements.findIndex((statement) =>
    deniesInsecureTransport(statement.value, bucketName),
  );
  return index === -1 ? undefined : statementLabel(document.statements[index]!.value, index);
}

/**
 * The bucket policy that makes S3.5 pass, from the policy read just now (`undefined`: the bucket has none): every
 * existing statement kept exactly as it is, plus one deny for requests without TLS. Refused when the current text
 * is not a policy the bot can add to, or when the result would pass S3's size limit.
 */
export function requireTlsOnly(current: string | undefined, bucket: BucketRef): TlsOnlyPolicy {
  if (current === undefined) {
    const policy = `{"Version":"${POLICY_VERSION}","Statement":[${tlsOnlyStatementText(TLS_ONLY_SID, bucket)}]}`;
    return {
      kind: 'policy',
      policy,
      sid: TLS_ONLY_SID,
      hadPolicy: false,
      keptStatements: 0,
      sizeBytes: policySizeBytes(policy),
      allows: [],
    };
  }
  const parsed = parseBucketPolicy(current);
  if (parsed.kind === 'unreadable') return parsed;
  const { document } = parsed;
  const already = existingTlsOnly(document, bucket.bucketName);
  if (already !== undefined) return { kind: 'already-required', statement: already };
  const values = document.statements.map((statement) => statement.value);
  const sid = freeSid(values);
  const statement = tlsOnlyStatementText(sid, bucket);
  const policy = withStatementAppended(document, statement);
  const sizeBytes = policySizeBytes(policy);
  if (sizeBytes > BUCKET_POLICY_SIZE_LIMIT_BYTES)
    return { kind: 'too-large', currentBytes: policySizeBytes(current), sizeBytes, statement };
  return {
    kind: 'policy',
    policy,
    sid,
    hadPolicy: true,
    keptStatements: document.statements.length,
    sizeBytes,
    allows: allowedStatements(values),
  };
}

/** The label of a statement in `policy` that passes S3.5, if any (undefined also when the text is unreadable). */
export function tlsOnlyStatementIn(policy: string | undefined, bucketName: string): string | undefined {
  if (policy === undefined) return undefined;
  const parsed = parseBucketPolicy(policy);
  return parsed.kind === 'parsed' ? existingTlsOnly(parsed.document, bucketName) : undefined;
}
