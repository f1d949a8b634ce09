// A bucket policy as S3 returns it (GetBucketPolicy's `Policy`): JSON text. The bot adds a statement by splicing
// its text in after the last statement, so every byte of the statements already there (key order, number
// spelling, whitespace) goes back to S3 exactly as it came; parsing and re-serializing could reorder keys or
// respell values.

/** S3's bucket policy size limit: 20 KB (Service Quotas L-748707F3), counted without insignificant whitespace. */
export const BUCKET_POLICY_SIZE_LIMIT_BYTES = 20_480;

/** One statement as the policy holds it: its parsed value and its exact text. */
export interface PolicyStatementText {
  readonly value: unknown;
  readonly text: string;
}

/** Where the policy's `Statement` value sits in the text, and what it holds. */
export interface BucketPolicyDocument {
  readonly text: string;
  readonly version?: unknown;
  readonly id?: unknown;
  readonly statements: readonly PolicyStatementText[];
  /** `Statement` is one object rather than a list (the policy grammar allows both). */
  readonly singleStatement: boolean;
  /** Offsets in `text` of the `Statement` value. */
  readonly statementStart: number;
  readonly statementEnd: number;
  /** Offset just after the last statement (just after `[` when the list is empty). */
  readonly afterLastStatement: number;
}

export type BucketPolicyParse =
  | { readonly kind: 'parsed'; readonly document: BucketPolicyDocument }
  | { readonly kind: 'unreadable'; readonly why: string };

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);

function skipWhitespace(text: string, index: number): number {
  let at = index;
  while (at < text.length && WHITESPACE.has(text[at]!)) at += 1;
  return at;
}

/** `index` is at an opening quote; returns the offset just after the closing one. */
function endOfString(text: string, index: number): number {
  let at = index + 1;
  while (at < text.length) {
    const char = text[at];
    if (char === '\\') at += 2;
    else if (char === '"') return at + 1;
    else at += 1;
  }
  return at;
}

/** Offset just after the JSON value starting at `index` (the text is known to be valid JSON). */
function endOfValue(text: string, index: number): number {
  const first = text[index];
  if (first === '"') return endOfString(text, index);
  if (first === '{' || first === '[') {
    let depth = 0;
    let at = index;
    while (at < text.length) {
      const char = text[at];
      if (char === '"') {
        at = endOfString(text, at);
        continue;
      }
      if (char === '{' || char === '[') depth += 1;
      else if (char === '}' || char === ']') {
        depth -= 1;
        if (depth === 0) return at + 1;
      }
      at += 1;
    }
    return at;
  }
  let at = index;
  while (at < text.length && !WHITESPACE.has(text[at]!) && !',}]'.includes(text[at]!)) at += 1;
  return at;
}

interface Member {
  readonly key: string;
  readonly start: number;
  readonly end: number;
}

/** The members of the object that starts at `index`, with the spans of their values. */
function membersOf(text: string, index: number): Member[] {
  const members: Member[] = [];
  let at = skipWhitespace(text, index + 1);
  while (text[at] === '"') {
    const keyEnd = endOfString(text, at);
    const key = JSON.parse(text.slice(at, keyEnd)) as string;
    const start = skipWhitespace(text, skipWhitespace(text, keyEnd) + 1);
    const end = endOfValue(text, start);
    members.push({ key, start, end });
    at = skipWhitespace(text, end);
    if (text[at] === ',') at = skipWhitespace(text, at + 1);
  }
  return members;
}

/** The spans of the elements of the array that starts at `index`. */
function elementsOf(text: string, index: number): { start: number; end: number }[] {
  const elements: { start: number; end: number }[] = [];
  let at = skipWhitespace(text, index + 1);
  while (at < text.length && text[at] !== ']') {
    const end = endOfValue(text, at);
    elements.push({ start: at, end });
    at = skipWhitespace(text, end);
    if (text[at] === ',') at = skipWhitespace(text, at + 1);
  }
  return elements;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads the policy text; `unreadable` says why in words when it is not a policy the bot can add a statement to. */
export function parseBucketPolicy(text: string): BucketPolicyParse {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { kind: 'unreadable', why: `it is not valid JSON (${(error as Error).message})` };
  }
  if (!isObject(parsed)) return { kind: 'unreadable', why: 'it is not a JSON object' };
  const members = membersOf(text, skipWhitespace(text, 0));
  const statementMembers = members.filter((member) => member.key === 'Statement');
  if (statementMembers.length === 0) return { kind: 'unreadable', why: 'it has no Statement' };
  // JSON.parse keeps the last of duplicate keys; which one S3 honours is not the bot's to guess.
  if (statementMembers.length > 1 || new Set(members.map((member) => member.key)).size !== members.length)
    return { kind: 'unreadable', why: 'it names the same top-level element twice' };
  const { start, end } = statementMembers[0]!;
  const statement = parsed['Statement'];
  const base = {
    text,
    ...('Version' in parsed && { version: parsed['Version'] }),
    ...('Id' in parsed && { id: parsed['Id'] }),
    statementStart: start,
    statementEnd: end,
  };
  if (isObject(statement)) {
    return {
      kind: 'parsed',
      document: {
        ...base,
        statements: [{ value: statement, text: text.slice(start, end) }],
        singleStatement: true,
        afterLastStatement: end,
      },
    };
  }
  if (!Array.isArray(statement) || !statement.every(isObject))
    return { kind: 'unreadable', why: 'its Statement is neither a statement nor a list of statements' };
  const elements = elementsOf(text, start);
  return {
    kind: 'parsed',
    document: {
      ...base,
      statements: elements.map((element, index) => ({
        value: statement[index],
        text: text.slice(element.start, element.end),
      })),
      singleStatement: false,
      afterLastStatement: elements.at(-1)?.end ?? start + 1,
    },
  };
}

/**
 * The policy text with `statement` (compact JSON text) added after the last statement; everything else in the
 * text stays byte for byte. A single `Statement` object becomes a list holding it and the new one.
 */
export function withStatementAppended(document: BucketPolicyDocument, statement: string): string {
  const { text } = document;
  if (document.singleStatement) {
    const existing = text.slice(document.statementStart, document.statementEnd);
    return `${text.slice(0, document.statementStart)}[${existing},${statement}]${text.slice(document.statementEnd)}`;
  }
  const separator = document.statements.length === 0 ? '' : ',';
  return `${text.slice(0, document.afterLastStatement)}${separator}${statement}${text.slice(document.afterLastStatement)}`;
}

/** The policy text without whitespace outside strings: what S3 measures against its size limit. */
export function compactPolicyText(text: string): string {
  let compact = '';
  let at = 0;
  while (at < text.length) {
    const char = text[at]!;
    if (char === '"') {
      const end = endOfString(text, at);
      compact += text.slice(at, end);
      at = end;
    } else {
      if (!WHITESPACE.has(char)) compact += char;
      at += 1;
    }
  }
  return compact;
}

/** UTF-8 bytes of the policy without insignificant whitespace. */
export function policySizeBytes(text: string): number {
  return new TextEncoder().encode(compactPolicyText(text)).length;
}
