/**
 * A bucket policy as S3 stores it (JSON text), read far enough to say which statements grant access to the public
 * and to name them to a person. Nothing here is sent back to S3: the bot never rewrites a policy.
 */

/** One statement, with its place in the policy (1-based) so a statement without a Sid can still be named. */
export interface PolicyStatement {
  readonly index: number;
  readonly sid?: string;
  readonly effect: 'Allow' | 'Deny';
  /** `Principal`; absent when the statement uses `NotPrincipal` (or names neither). */
  readonly principal?: PolicyPrincipal;
  readonly notPrincipal?: PolicyPrincipal;
  /** `Action` values; absent when the statement uses `NotAction`. */
  readonly actions?: readonly string[];
  readonly notActions?: readonly string[];
  /** `Condition`: operator → key → values (a single value is read as a list of one). */
  readonly conditions: readonly PolicyCondition[];
}

/** `"*"`, or the principals by type (`AWS`, `Service`, `Federated`, `CanonicalUser`), each a list. */
export type PolicyPrincipal =
  | { readonly kind: 'everyone' }
  | { readonly kind: 'named'; readonly byType: Readonly<Record<string, readonly string[]>> };

export interface PolicyCondition {
  /** `StringEquals`, `IpAddress`, `ForAnyValue:StringLike`, `StringEqualsIfExists`, … */
  readonly operator: string;
  /** Condition keys are case-insensitive; kept as written, compared in lower case. */
  readonly key: string;
  readonly values: readonly string[];
}

export type BucketPolicyParse =
  | { readonly ok: true; readonly statements: readonly PolicyStatement[] }
  | { readonly ok: false; readonly why: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A policy value that may be one string or a list of them. */
function stringsOf(value: unknown): string[] | undefined {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value;
  return undefined;
}

function principalOf(value: unknown): PolicyPrincipal | undefined {
  if (value === undefined) return undefined;
  if (value === '*') return { kind: 'everyone' };
  if (!isRecord(value)) return { kind: 'named', byType: {} };
  const byType: Record<string, readonly string[]> = {};
  for (const [type, principals] of Object.entries(value)) byType[type] = stringsOf(principals) ?? [];
  return { kind: 'named', byType };
}

function conditionsOf(value: unknown): PolicyCondition[] {
  if (!isRecord(value)) return [];
  return Object.entries(value).flatMap(([operator, keys]) =>
    isRecord(keys)
      ? Object.entries(keys).map(([key, values]) => ({
          operator,
          key,
          // Numbers and booleans are written bare in policies ("aws:SecureTransport": false).
          values: (Array.isArray(values) ? values : [values]).map((item) => String(item)),
        }))
      : [],
  );
}

/** Parses the JSON text GetBucketPolicy returns. `Statement` may be one object or a list of them. */
export function parseBucketPolicy(text: string): BucketPolicyParse {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return { ok: false, why: 'the bucket policy is not valid JSON' };
  }
  if (!isRecord(document)) return { ok: false, why: 'the bucket policy is not a JSON object' };
  const raw = document['Statement'];
  const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  const statements: PolicyStatement[] = [];
  for (const [position, entry] of list.entries()) {
    if (!isRecord(entry)) return { ok: false, why: `statement ${position + 1} is not an object` };
    const effect = entry['Effect'];
    if (effect !== 'Allow' && effect !== 'Deny')
      return { ok: false, why: `statement ${position + 1} has no Effect Allow or Deny` };
    const sid = typeof entry['Sid'] === 'string' && entry['Sid'] !== '' ? entry['Sid'] : undefined;
    const principal = principalOf(entry['Principal']);
    const notPrincipal = principalOf(entry['NotPrincipal']);
    const actions = stringsOf(entry['Action']);
    const notActions = stringsOf(entry['NotAction']);
    statements.push({
      index: position + 1,
      ...(sid !== undefined && { sid }),
      effect,
      ...(principal && { principal }),
      ...(notPrincipal && { notPrincipal }),
      ...(actions && { actions }),
      ...(notActions && { notActions }),
      conditions: conditionsOf(entry['Condition']),
    });
  }
  return { ok: true, statements };
}

/**
 * Condition keys that make a statement non-public when they hold a fixed value, as S3 documents for Block Public
 * Access (S3 API reference, PublicAccessBlockConfiguration: "Amazon S3 considers a bucket policy public unless …").
 * `aws:SourceIp` counts only with ranges other than the whole internet; `aws:userid` only outside `AROLEID:*`.
 */
const RESTRICTING_KEYS: ReadonlySet<string> = new Set([
  'aws:sourcearn',
  'aws:sourcevpc',
  'aws:sourcevpce',
  'aws:sourceowner',
  'aws:sourceaccount',
  's3:x-amz-server-side-encryption-aws-kms-key-id',
]);

const WORLD_CIDRS: ReadonlySet<string> = new Set(['0.0.0.0/0', '::/0']);

/**
 * A condition that pins the request to fixed values: an equality or IP operator (not `…IfExists`, which lets
 * requests without the key through, and not a negation), with no wildcard in a `Like` value.
 */
function isFixed(condition: PolicyCondition): boolean {
  const operator = condition.operator.toLowerCase().replace(/^forallvalues:|^foranyvalue:/, '');
  if (operator.endsWith('ifexists') || operator.includes('not')) return false;
  if (operator.endsWith('like') && condition.values.some((value) => /[*?]/.test(value))) return false;
  return condition.values.length > 0;
}

function restricts(condition: PolicyCondition): boolean {
  if (!isFixed(condition)) return false;
  const key = condition.key.toLowerCase();
  if (key === 'aws:sourceip')
    return (
      condition.operator.toLowerCase() === 'ipaddress' &&
      condition.values.every((cidr) => !WORLD_CIDRS.has(cidr.trim()))
    );
  if (key === 'aws:userid') return condition.values.every((value) => !value.endsWith(':*'));
  return RESTRICTING_KEYS.has(key);
}

function namesEveryone(principal: PolicyPrincipal): boolean {
  if (principal.kind === 'everyone') return true;
  return Object.values(principal.byType).some((principals) => principals.includes('*'));
}

/**
 * Does the statement grant access to the public, as S3 judges it for Block Public Access? An Allow to everyone
 * (`"*"`, `{"AWS": "*"}`, or any `NotPrincipal`, which allows everyone but those named) without a condition that
 * pins the request to a fixed source. Deny statements never grant anything.
 */
export function grantsPublicAccess(statement: PolicyStatement): boolean {
  if (statement.effect !== 'Allow') return false;
  const everyone =
    statement.notPrincipal !== undefined ||
    (statement.principal !== undefined && namesEveryone(statement.principal));
  return everyone && !statement.conditions.some(restricts);
}

const MAX_ACTIONS_NAMED = 4;

function listed(values: readonly string[]): string {
  return values.length <= MAX_ACTIONS_NAMED
    ? values.join(', ')
    : `${values.slice(0, MAX_ACTIONS_NAMED).join(', ')} and ${values.length - MAX_ACTIONS_NAMED} more`;
}

function whoWords(statement: PolicyStatement): string {
  if (statement.notPrincipal === undefined) return 'everyone';
  const named =
    statement.notPrincipal.kind === 'named' ? Object.values(statement.notPrincipal.byType).flat() : [];
  return named.length > 0 ? `everyone except ${listed(named)}` : 'everyone';
}

/** `statement "PublicRead"` or `statement 2 (no Sid)`. */
export function statementLabel(statement: PolicyStatement): string {
  return statement.sid !== undefined
    ? `statement "${statement.sid}"`
    : `statement ${statement.index} (no Sid)`;
}

/** `statement "PublicRead" — s3:GetObject for everyone`. */
export function statementWords(statement: PolicyStatement): string {
  const what =
    statement.actions !== undefined
      ? listed(statement.actions)
      : statement.notActions !== undefined
        ? `every action except ${listed(statement.notActions)}`
        : 'no action';
  const conditioned = statement.conditions.length > 0 ? ' (its conditions do not limit who)' : '';
  return `${statementLabel(statement)} — ${what} for ${whoWords(statement)}${conditioned}`;
}
