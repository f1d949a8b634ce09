import type { Finding, FindingResource, FindingResourceDetails } from './finding.js';
import type { SecurityGroupRule } from './security-group-rule.js';

/**
 * What Security Hub itself accepts for the fields that identify a finding (ASFF `AwsSecurityFinding`): a finding
 * outside these limits cannot be addressed in BatchUpdateFindings, so it is refused rather than stored.
 */
export const IDENTITY_LIMITS = {
  id: { min: 1, max: 512 },
  productArn: { min: 12, max: 2048 },
  generatorId: { min: 1, max: 512 },
} as const;

/**
 * How much text the bot keeps per field (UTF-16 code units). Chosen so that a finding at every limit at once, with
 * its triage repeating the rules, stays far below DynamoDB's 400 KB item at 3 bytes per unit (about 240 KB). Title
 * and description follow ASFF's own limits; the rest is more than any real AWS value needs.
 */
export const TEXT_LIMITS = {
  title: 256,
  description: 1024,
  controlId: 64,
  remediationUrl: 1024,
  resourceId: 1024,
  resourceText: 256,
  tagKey: 128,
  tagValue: 256,
  detailText: 256,
  ruleText: 64,
  ruleDescription: 128,
  /** All text inside resource details together (their shape grows over time), and inside control parameters. */
  detailsTotal: 8192,
  controlParametersTotal: 4096,
} as const;

export const COUNT_LIMITS = {
  /** Security Hub findings carry at most 50 tags per resource. */
  tags: 50,
  /** Most groups stay within EC2's default of 60 inbound rules; the message shows 10. */
  ingressRules: 50,
  /** Any other list inside resource details or control parameters. */
  detailItems: 50,
} as const;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
// Control characters are exactly what this looks for.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTER = /[\u0000-\u001F\u007F]/;
const ELLIPSIS = '…';

/** Lone surrogates (broken UTF-16) replaced by U+FFFD: DynamoDB and Slack refuse them, a person sees "�". */
export function wellFormed(text: string): string {
  return text.replace(LONE_SURROGATE, '\uFFFD');
}

/**
 * Text at most `max` code units: cut with "…", then `keptEnd` when the text ends with it (it is never cut), and
 * never through a surrogate pair.
 */
export function cutToLength(text: string, max: number, keptEnd = ''): string {
  if (text.length <= max) return text;
  const end = text.endsWith(keptEnd) ? keptEnd : '';
  let cut = text.slice(0, Math.max(0, max - end.length - ELLIPSIS.length));
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut}${ELLIPSIS}${end}`;
}

/** Text at most `max` code units, cut with "…" and never through a surrogate pair; broken Unicode replaced. */
export function truncateText(text: string, max: number): string {
  return cutToLength(wellFormed(text), max);
}

/**
 * Why Security Hub would not accept this identity, or undefined when it would. Shown in logs and the ingest
 * report, so it names the field and the limit, never the (possibly huge) value.
 */
export function identityProblem(
  identity: Pick<Finding, 'id' | 'productArn' | 'generatorId'>,
): string | undefined {
  for (const field of ['id', 'productArn', 'generatorId'] as const) {
    const value = identity[field];
    const { min, max } = IDENTITY_LIMITS[field];
    const name = ASFF_NAMES[field];
    if (value.trim() === '') return `${name} is blank`;
    if (value.length < min || value.length > max) {
      return `${name} is ${value.length} characters; Security Hub accepts ${min} to ${max}`;
    }
    if (CONTROL_CHARACTER.test(value)) return `${name} contains a control character`;
    if (wellFormed(value) !== value) return `${name} contains broken Unicode (a lone surrogate)`;
  }
  return undefined;
}

const ASFF_NAMES = { id: 'Id', productArn: 'ProductArn', generatorId: 'GeneratorId' } as const;

/** Collects which fields were cut while bounding one finding. */
class Cuts {
  readonly fields = new Set<string>();
  rulesDropped = 0;
  /** Code units still allowed for nested text (details, control parameters), set before each is bounded. */
  budget = 0;

  /** Nested text: held to `max` and to what is left of the budget. */
  budgeted(field: string, value: string, max: number): string {
    const bounded = this.text(field, value, Math.min(max, this.budget));
    if (value !== '' && bounded === '') this.fields.add(field);
    this.budget = Math.max(0, this.budget - bounded.length);
    return bounded;
  }

  text(field: string, value: string, max: number): string {
    const bounded = truncateText(value, max);
    if (bounded !== value) this.fields.add(field);
    return bounded;
  }

  optionalText(field: string, value: string | undefined, max: number): string | undefined {
    return value === undefined ? undefined : this.text(field, value, max);
  }
}

function boundTags(tags: Readonly<Record<string, string>>, cuts: Cuts): Record<string, string> {
  const entries = Object.entries(tags);
  if (entries.length > COUNT_LIMITS.tags) cuts.fields.add('resource.tags');
  return Object.fromEntries(
    entries
      .slice(0, COUNT_LIMITS.tags)
      .map(([key, value]) => [
        cuts.text('resource.tags', key, TEXT_LIMITS.tagKey),
        cuts.text('resource.tags', value, TEXT_LIMITS.tagValue),
      ]),
  );
}

function boundControlParameters(
  parameters: Readonly<Record<string, readonly string[]>>,
  cuts: Cuts,
): Record<string, readonly string[]> {
  const entries = Object.entries(parameters);
  cuts.budget = TEXT_LIMITS.controlParametersTotal;
  if (entries.length > COUNT_LIMITS.detailItems) cuts.fields.add('controlParameters');
  return Object.fromEntries(
    entries
      .slice(0, COUNT_LIMITS.detailItems)
      .map(([name, values]) => [
        cuts.text('controlParameters', name, TEXT_LIMITS.ruleText),
        boundValue(values, 'controlParameters', TEXT_LIMITS.detailText, cuts) as string[],
      ]),
  );
}

function boundResource(resource: FindingResource, cuts: Cuts): FindingResource {
  const { name, tags, ...required } = resource;
  const text = (field: keyof FindingResource, value: string) =>
    cuts.text(`resource.${field}`, value, field === 'id' ? TEXT_LIMITS.resourceId : TEXT_LIMITS.resourceText);
  return {
    ...required,
    type: text('type', resource.type),
    id: text('id', resource.id),
    shortId: text('shortId', resource.shortId),
    region: text('region', resource.region),
    partition: text('partition', resource.partition),
    ...(name !== undefined && { name: text('name', name) }),
    ...(tags !== undefined && { tags: boundTags(tags, cuts) }),
  };
}

function boundRule(rule: SecurityGroupRule, cuts: Cuts): SecurityGroupRule {
  const bounded = boundValue(
    rule,
    'details.ingressRules',
    TEXT_LIMITS.ruleText,
    cuts,
    false,
  ) as SecurityGroupRule;
  // A rule's description is prose, longer than its ids; EC2 allows 255 characters.
  return rule.description === undefined
    ? bounded
    : {
        ...bounded,
        description: cuts.text('details.ingressRules', rule.description, TEXT_LIMITS.ruleDescription),
      };
}

/**
 * Every string and list inside `value`, however deep, held to the limits (details gain fields over time). With
 * `budgeted`, all strings together share `cuts.budget`, so no nesting multiplies the size.
 */
function boundValue(value: unknown, field: string, maxText: number, cuts: Cuts, budgeted = true): unknown {
  if (typeof value === 'string') {
    return budgeted ? cuts.budgeted(field, value, maxText) : cuts.text(field, value, maxText);
  }
  if (Array.isArray(value)) {
    const kept = budgeted && cuts.budget === 0 ? [] : value.slice(0, COUNT_LIMITS.detailItems);
    if (value.length > kept.length) cuts.fields.add(field);
    return kept.map((item) => boundValue(item, field, maxText, cuts, budgeted));
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value);
    const kept = budgeted && cuts.budget === 0 ? [] : entries.slice(0, COUNT_LIMITS.detailItems);
    if (entries.length > kept.length) cuts.fields.add(field);
    return Object.fromEntries(
      kept.map(([key, inner]) => {
        const boundedKey = truncateText(key, TEXT_LIMITS.ruleText);
        if (budgeted) cuts.budget = Math.max(0, cuts.budget - boundedKey.length);
        return [boundedKey, boundValue(inner, field, maxText, cuts, budgeted)];
      }),
    );
  }
  return value;
}

/**
 * The details' own fields (kind, ids, names) each held to a fixed limit, never emptied; anything nested below them
 * (lists, objects from `Details`) shares one budget.
 */
function boundDetailFields<T extends object>(details: T, cuts: Cuts): T {
  cuts.budget = TEXT_LIMITS.detailsTotal;
  return Object.fromEntries(
    Object.entries(details).map(([key, value]) => [
      key,
      typeof value === 'string'
        ? cuts.text(`details.${key}`, value, TEXT_LIMITS.detailText)
        : boundValue(value, `details.${key}`, TEXT_LIMITS.detailText, cuts),
    ]),
  ) as T;
}

function boundDetails(details: FindingResourceDetails, cuts: Cuts): FindingResourceDetails {
  if (details.kind !== 'security-group') return boundDetailFields(details, cuts);
  const { ingressRules, ...rest } = details;
  const boundedRest = boundDetailFields(rest, cuts);
  // Absent rules mean "unknown until EC2 is read": they stay absent.
  if (ingressRules === undefined) return boundedRest;
  const kept = ingressRules.slice(0, COUNT_LIMITS.ingressRules);
  cuts.rulesDropped = ingressRules.length - kept.length;
  if (cuts.rulesDropped > 0) cuts.fields.add('details.ingressRules');
  return { ...boundedRest, ingressRules: kept.map((rule) => boundRule(rule, cuts)) };
}

/**
 * The finding as the bot stores and posts it: every text and list held to the limits above and broken Unicode
 * replaced, so no finding Security Hub sends can make a DynamoDB item (400 KB, key sizes) or a Slack message fail.
 * What was cut is listed in `truncated`. Identity fields are not touched here: see `identityProblem`.
 */
export function boundFinding(finding: Finding): Finding {
  const cuts = new Cuts();
  const {
    description,
    controlId,
    remediationUrl,
    controlParameters,
    truncated: _previous,
    ...rest
  } = finding;
  const boundedDescription = cuts.optionalText('description', description, TEXT_LIMITS.description);
  const boundedControlId = cuts.optionalText('controlId', controlId, TEXT_LIMITS.controlId);
  // A cut link would lead nowhere: an over-long one is dropped instead.
  const keptUrl = remediationUrl !== undefined && remediationUrl.length <= TEXT_LIMITS.remediationUrl;
  if (remediationUrl !== undefined && !keptUrl) cuts.fields.add('remediationUrl');
  const bounded: Finding = {
    ...rest,
    title: cuts.text('title', finding.title, TEXT_LIMITS.title),
    region: cuts.text('region', finding.region, TEXT_LIMITS.resourceText),
    ...(boundedDescription !== undefined && { description: boundedDescription }),
    ...(boundedControlId !== undefined && { controlId: boundedControlId }),
    ...(keptUrl && { remediationUrl: wellFormed(remediationUrl) }),
    ...(controlParameters !== undefined && {
      controlParameters: boundControlParameters(controlParameters, cuts),
    }),
    resource: boundResource(finding.resource, cuts),
    details: boundDetails(finding.details, cuts),
  };
  if (cuts.fields.size === 0) return bounded;
  return {
    ...bounded,
    truncated: {
      fields: [...cuts.fields].sort(),
      ...(cuts.rulesDropped > 0 && { rulesDropped: cuts.rulesDropped }),
    },
  };
}
