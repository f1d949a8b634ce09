import { CONTROL_CATALOG } from './control-catalog.js';
import type { CspmCommand, StatusScope } from './status-report.js';

/**
 * The text after `/cspm`, parsed. Subcommands and the `--exposed` flag are case-insensitive and words may be
 * separated by any whitespace. Decisions:
 * - `help` ignores anything after it (asking for help never fails); `accepted`, `digest` and `retry` take no
 *   arguments.
 * - A control id is `Service.Number` (`EC2.13`, `AutoScaling.3`). One the catalog knows is rewritten in the
 *   catalog's case (`ec2.13` → `EC2.13`), since Security Hub compares control ids case-sensitively. Any other
 *   well-formed id is kept as typed: the service part's case varies across Security Hub (`S3`, `CloudTrail`,
 *   `ElasticBeanstalk`), so no rule of ours could restore it.
 * - Slack clients turn `--` into an em or en dash as people type, so `—exposed` and `–exposed` count as `--exposed`.
 * Refusals echo the offending input (at most 100 characters) as mrkdwn-safe code, ready to show in Slack.
 */
export function parseCspmCommand(text: string): CspmCommand {
  const [first, ...args] = text
    .trim()
    .split(/\s+/)
    .filter((word) => word.length > 0);
  if (first === undefined) return { kind: 'help' };
  switch (first.toLowerCase()) {
    case 'help':
      return { kind: 'help' };
    case 'status':
      return parseStatus(args);
    case 'list':
      return parseList(args);
    case 'accepted':
      return noArguments('accepted', args);
    case 'digest':
      return noArguments('digest', args);
    case 'retry':
      return noArguments('retry', args);
    default:
      return invalid(`Unknown subcommand ${echo(first)}. Try \`/cspm help\`.`);
  }
}

const ACCOUNT_ID = /^\d{12}$/;
const CONTROL_ID = /^[A-Za-z][A-Za-z0-9]*\.\d{1,4}$/;
const EXPOSED_FLAG = /^(--|—|–)exposed$/i;
/** Anything that looks like an option, including the dashes Slack's smart punctuation makes. */
const FLAG = /^(-|—|–)/;

const MAX_ECHOED = 100;

function isAccountId(value: string): boolean {
  return ACCOUNT_ID.test(value);
}

/** The catalog's spelling of a well-formed control id, the id as typed if the catalog lacks it, else undefined. */
function normalizeControlId(value: string): string | undefined {
  if (!CONTROL_ID.test(value)) return undefined;
  const wanted = value.toLowerCase();
  return Object.keys(CONTROL_CATALOG).find((id) => id.toLowerCase() === wanted) ?? value;
}

const STATUS_USAGE = '`/cspm status` takes an AWS account id (12 digits) or a control id like EC2.13';

function parseStatus(args: readonly string[]): CspmCommand {
  const [only, ...extra] = args;
  if (only === undefined) return { kind: 'status', scope: { kind: 'all' } };
  if (extra.length > 0) return invalid(`${STATUS_USAGE}, not more than one; got ${echo(args.join(' '))}.`);
  const scope = statusScope(only);
  return scope ? { kind: 'status', scope } : invalid(`${STATUS_USAGE}; got ${echo(only)}.`);
}

function statusScope(word: string): StatusScope | undefined {
  if (isAccountId(word)) return { kind: 'account', accountId: word };
  const controlId = normalizeControlId(word);
  return controlId === undefined ? undefined : { kind: 'control', controlId };
}

const LIST_USAGE =
  '`/cspm list` takes an AWS account id (12 digits), a control id like EC2.13 and `--exposed`, in any order';

function parseList(args: readonly string[]): CspmCommand {
  let accountId: string | undefined;
  let controlId: string | undefined;
  let exposedOnly = false;
  for (const word of args) {
    if (EXPOSED_FLAG.test(word)) {
      if (exposedOnly) return invalid('`/cspm list` takes `--exposed` once.');
      exposedOnly = true;
    } else if (FLAG.test(word)) {
      return invalid(`Unknown option ${echo(word)} for \`/cspm list\`: the only option is \`--exposed\`.`);
    } else if (isAccountId(word)) {
      if (accountId !== undefined)
        return invalid(`\`/cspm list\` takes one account id; got ${echo(accountId)} and ${echo(word)}.`);
      accountId = word;
    } else {
      const control = normalizeControlId(word);
      if (control === undefined) return invalid(`${LIST_USAGE}; got ${echo(word)}.`);
      if (controlId !== undefined)
        return invalid(`\`/cspm list\` takes one control id; got ${echo(controlId)} and ${echo(word)}.`);
      controlId = control;
    }
  }
  return {
    kind: 'list',
    ...(accountId !== undefined ? { accountId } : {}),
    ...(controlId !== undefined ? { controlId } : {}),
    exposedOnly,
  };
}

function noArguments(kind: 'accepted' | 'digest' | 'retry', args: readonly string[]): CspmCommand {
  return args.length === 0
    ? { kind }
    : invalid(`\`/cspm ${kind}\` takes no arguments; got ${echo(args.join(' '))}.`);
}

function invalid(message: string): CspmCommand {
  return { kind: 'invalid', message };
}

const DECODED: Readonly<Record<string, string>> = { '&amp;': '&', '&lt;': '<', '&gt;': '>' };
const ENCODED: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/**
 * User input as an inline code span that Slack shows literally: at most 100 characters, `&`/`<`/`>` escaped
 * (so `<!channel>` notifies no one), a backtick swapped for a look-alike so it cannot close the span. Slack may
 * send the text entity-escaped already; decoding first shows `<!channel>` rather than `&lt;!channel&gt;`.
 */
function echo(input: string): string {
  const decoded = input.replace(/&(amp|lt|gt);/g, (entity) => DECODED[entity] ?? entity);
  const cut = decoded.length > MAX_ECHOED ? `${firstCodeUnits(decoded, MAX_ECHOED)}…` : decoded;
  // The domain stays free of blocks/: this is the same escaping blocks/mrkdwn.ts `codeText` does.
  const safe = cut
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ')
    .replace(/[&<>]/g, (character) => ENCODED[character] ?? character)
    .replace(/`/g, 'ˋ');
  return `\`${safe}\``;
}

/** At most `max` UTF-16 code units, never half a surrogate pair. */
function firstCodeUnits(text: string, max: number): string {
  let kept = '';
  for (const codePoint of text) {
    if (kept.length + codePoint.length > max) break;
    kept += codePoint;
  }
  return kept;
}
