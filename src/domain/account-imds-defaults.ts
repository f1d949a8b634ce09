import type { ControlSpec } from './control-catalog.js';
import type { Finding } from './finding.js';
import type { PlanOptions, Verification } from './remediation-plan.js';
import { hopLimitNotes, hopLimitWords, plannedHopLimit } from './remediation-plan.js';
import type { KeptAccountImdsDefaults, RemediationPlan } from './remediation-plan-types.js';

/**
 * An account's default instance metadata options in one Region (GetInstanceMetadataDefaults `AccountLevel`). An
 * option left out is "no preference": a launch then takes it from the launch request, launch template or AMI, and
 * failing those from EC2's own defaults. They apply to instances launched later, never to existing ones.
 */
export interface AccountImdsDefaults {
  readonly accountId: string;
  readonly region: string;
  readonly httpTokens?: 'optional' | 'required';
  readonly httpPutResponseHopLimit?: number;
  readonly httpEndpoint?: 'enabled' | 'disabled';
  readonly instanceMetadataTags?: 'enabled' | 'disabled';
  /** `declarative-policy`: an AWS Organizations declarative policy sets them and the account cannot change them. */
  readonly managedBy?: 'account' | 'declarative-policy';
  /** The message the declarative policy gives for refused changes. */
  readonly managedExceptionMessage?: string;
}

export type AccountDefaultsPlan = Extract<RemediationPlan, { kind: 'require-imdsv2-account-defaults' }>;

/**
 * What the account-wide fix would do. `in-place` is not "fixed": the finding's own resource is not changed by
 * the account defaults, so nothing is resolved either way.
 */
export type AccountFixOutcome =
  | {
      readonly kind: 'plan';
      readonly plan: AccountDefaultsPlan;
      readonly words: string;
      readonly notes: readonly string[];
    }
  | { readonly kind: 'in-place'; readonly words: string }
  | { readonly kind: 'not-remediable'; readonly reason: string };

function keptDefaultsOf(defaults: AccountImdsDefaults): KeptAccountImdsDefaults {
  return {
    ...(defaults.httpEndpoint && { httpEndpoint: defaults.httpEndpoint }),
    ...(defaults.instanceMetadataTags && { instanceMetadataTags: defaults.instanceMetadataTags }),
  };
}

function keptWords(kept: KeptAccountImdsDefaults): string {
  return (
    `metadata endpoint ${kept.httpEndpoint ?? 'no preference'}, ` +
    `tags in metadata ${kept.instanceMetadataTags ?? 'no preference'}`
  );
}

/** "i-0abc… (this finding's instance)", "lt-0abc… (this finding's launch template)". */
function findingResourceWords(finding: Finding, control: ControlSpec): string {
  const what = control.resourceType === 'AwsEc2LaunchTemplate' ? 'launch template' : 'instance';
  return `${finding.resource.shortId} (this finding's ${what})`;
}

/**
 * The account-wide IMDSv2 default offered with EC2.8 and EC2.170, planned from the defaults read just now. Only
 * `HttpTokens` (and the hop limit, by the same rule as every IMDSv2 plan: never lowered unless the operator set a
 * lower one and a person confirms) change; the other defaults are never sent, so EC2 keeps them.
 */
export function planAccountImdsDefaults(
  finding: Finding,
  control: ControlSpec,
  defaults: AccountImdsDefaults,
  options: PlanOptions,
): AccountFixOutcome {
  const where = `${defaults.accountId}/${defaults.region}`;
  if (defaults.managedBy === 'declarative-policy') {
    const message = defaults.managedExceptionMessage
      ? ` (the policy says: "${defaults.managedExceptionMessage}")`
      : '';
    return {
      kind: 'not-remediable',
      reason:
        `The IMDS defaults of ${where} are set by an AWS Organizations declarative policy, so the account cannot ` +
        `change them${message}. Ask whoever manages your organization's declarative policies; Remediate still fixes this finding's resource.`,
    };
  }
  if (defaults.httpTokens === 'required')
    return {
      kind: 'in-place',
      words: `the account default in ${where} already requires IMDSv2 for new instances (hop limit ${defaults.httpPutResponseHopLimit ?? 'no preference'})`,
    };
  const hop = plannedHopLimit(defaults.httpPutResponseHopLimit, options);
  const kept = keptDefaultsOf(defaults);
  const plan: AccountDefaultsPlan = {
    kind: 'require-imdsv2-account-defaults',
    accountId: defaults.accountId,
    region: defaults.region,
    httpPutResponseHopLimit: hop.after,
    ...(hop.before !== undefined && { hopLimitBefore: hop.before }),
    keptDefaults: kept,
  };
  return {
    kind: 'plan',
    plan,
    words:
      `Set the account default in ${where} to require IMDSv2 (HttpTokens ${defaults.httpTokens ?? 'no preference'} → required, ` +
      `${hopLimitWords(hop)}) for instances launched from now on whose launch request, launch template or AMI does not ` +
      `choose otherwise. Kept as they are: ${keptWords(kept)}.`,
    notes: [
      ...hopLimitNotes(hop),
      'What stops working: software on instances launched from now on that still uses IMDSv1 gets 401 from the ' +
        'metadata service (unless their launch request, launch template or AMI allows IMDSv1).',
      `Not changed: running and stopped instances (${findingResourceWords(finding, control)} included, so this ` +
        `finding stays open: use Remediate for it), launch templates, launch configurations, and every Region but ${defaults.region}.`,
    ],
  };
}

/** Verified when the defaults read back require IMDSv2 with the planned hop limit and kept everything else. */
export function verifyAccountImdsDefaults(
  plan: AccountDefaultsPlan,
  after: AccountImdsDefaults,
): Verification {
  const problems: string[] = [];
  if (after.httpTokens !== 'required')
    problems.push(`the account default HttpTokens is ${after.httpTokens ?? 'no preference'}, not required`);
  if (after.httpPutResponseHopLimit !== plan.httpPutResponseHopLimit)
    problems.push(
      `the account default hop limit is ${after.httpPutResponseHopLimit ?? 'no preference'} instead of ${plan.httpPutResponseHopLimit}`,
    );
  for (const option of ['httpEndpoint', 'instanceMetadataTags'] as const) {
    if (after[option] !== plan.keptDefaults[option])
      problems.push(
        `the account default ${option} is ${after[option] ?? 'no preference'} instead of ${plan.keptDefaults[option] ?? 'no preference'}`,
      );
  }
  return problems.length === 0
    ? { verified: true }
    : { verified: false, why: `${plan.accountId}/${plan.region}: ${problems.join('; ')}` };
}
