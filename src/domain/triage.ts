import type { ControlSpec } from './control-catalog.js';
import { controlSpec } from './control-catalog.js';
import type { ExposedRule } from './exposure.js';
import { exposedIngressRules } from './exposure.js';
import type { Finding } from './finding.js';
import type { NetworkReach } from './reachability.js';
import type { SecurityGroupRule } from './security-group-rule.js';
import type { Severity } from './severity.js';

export type Urgency = 'act-now' | 'high' | 'normal';

export type HttpTokensState = 'required' | 'optional' | 'unknown';

export type Triage =
  | {
      readonly kind: 'security-group';
      readonly control: ControlSpec;
      readonly openRules: readonly ExposedRule[];
      /** `current` when the rules were read from EC2, `finding` when only the finding's details were at hand. */
      readonly rulesFrom: 'current' | 'finding';
      readonly reach: NetworkReach;
      readonly urgency: Urgency;
    }
  | {
      readonly kind: 'imdsv2';
      readonly control: ControlSpec;
      readonly httpTokens: HttpTokensState;
      readonly urgency: Urgency;
    }
  /** Unknown control, a resource type the control does not report on, or nothing to judge the resource by. */
  | { readonly kind: 'unsupported'; readonly reason: string; readonly urgency: Urgency };

/** What the caller read from AWS just now; each fact wins over what the finding carries. */
export interface CurrentState {
  readonly ingressRules?: readonly SecurityGroupRule[];
  readonly reach?: NetworkReach;
  /** The instance's (EC2.8) or the launch configuration's (AutoScaling.3) `MetadataOptions.HttpTokens`. */
  readonly httpTokens?: 'required' | 'optional';
}

const REACH_NOT_CHECKED: NetworkReach = { kind: 'unknown', reason: 'not checked' };

/** Urgency by severity alone: CRITICAL → act-now, HIGH → high, anything lower → normal. */
export function severityUrgency(severity: Severity): Urgency {
  if (severity === 'CRITICAL') return 'act-now';
  if (severity === 'HIGH') return 'high';
  return 'normal';
}

/**
 * Urgency of an open security group:
 * - nothing open any more → normal;
 * - open to the world on an interface the internet reaches → act-now, whatever the severity;
 * - known not to be reachable (private subnets only, or attached to nothing) → one step below its severity
 *   (CRITICAL → high, else normal): the rule is still wrong, but nobody on the internet can use it today;
 * - reach unknown, or only non-world rules (EC2.2) → by severity.
 */
export function securityGroupUrgency(
  severity: Severity,
  openRules: readonly ExposedRule[],
  reach: NetworkReach,
): Urgency {
  if (openRules.length === 0) return 'normal';
  const worldOpen = openRules.some((exposed) => exposed.world !== undefined);
  if (worldOpen && reach.kind === 'internet') return 'act-now';
  if (reach.kind === 'private' || reach.kind === 'unattached')
    return severity === 'CRITICAL' ? 'high' : 'normal';
  return severityUrgency(severity);
}

/** Urgency of an IMDS finding: none once IMDSv2 is required, else by severity. */
export function imdsUrgency(severity: Severity, httpTokens: HttpTokensState): Urgency {
  return httpTokens === 'required' ? 'normal' : severityUrgency(severity);
}

function unsupported(finding: Finding, reason: string): Triage {
  return { kind: 'unsupported', reason, urgency: severityUrgency(finding.severity) };
}

function rulesOf(
  finding: Finding,
  current: CurrentState | undefined,
): { rules: readonly SecurityGroupRule[]; from: 'current' | 'finding' } | undefined {
  if (current?.ingressRules) return { rules: current.ingressRules, from: 'current' };
  if (finding.details.kind === 'security-group')
    return { rules: finding.details.ingressRules, from: 'finding' };
  return undefined;
}

function httpTokensOf(finding: Finding, current: CurrentState | undefined): HttpTokensState {
  if (current?.httpTokens) return current.httpTokens;
  const { details } = finding;
  if ((details.kind === 'instance' || details.kind === 'launch-configuration') && details.httpTokens) return details.httpTokens;
  return 'unknown';
}

/**
 * What a finding means now: which control, what is open (or whether IMDSv1 is still allowed), and how urgent.
 * Facts in `current` (read from AWS) win over the finding's own details, which may be hours old.
 */
export function triage(finding: Finding, current?: CurrentState): Triage {
  const control = controlSpec(finding.controlId);
  if (!control) {
    return unsupported(
      finding,
      finding.controlId === undefined
        ? 'the finding names no Security Hub control'
        : `control ${finding.controlId} is not one the bot handles`,
    );
  }
  if (finding.resource.type !== control.resourceType) {
    return unsupported(
      finding,
      `${control.id} is about ${control.resourceType}, but this finding is about ${finding.resource.type}`,
    );
  }

  switch (control.check.kind) {
    case 'security-group': {
      const known = rulesOf(finding, current);
      // Judging an unknown rule set as "nothing open" would call the group fixed; the caller must read EC2.
      if (!known) return unsupported(finding, 'no security group rules are known: read them from EC2 first');
      const openRules = exposedIngressRules(known.rules, control.check.exposure);
      const reach = current?.reach ?? REACH_NOT_CHECKED;
      return {
        kind: 'security-group',
        control,
        openRules,
        rulesFrom: known.from,
        reach,
        urgency: securityGroupUrgency(finding.severity, openRules, reach),
      };
    }
    case 'instance-imdsv2':
    case 'auto-scaling-imdsv2': {
      const httpTokens = httpTokensOf(finding, current);
      return { kind: 'imdsv2', control, httpTokens, urgency: imdsUrgency(finding.severity, httpTokens) };
    }
  }
}

/**
 * Whether the resource still fails its control, as far as this triage knows. Unknown IMDS settings count as
 * exposed: the finding says the control failed, and only a reading that shows otherwise makes it fixed.
 */
export function isStillExposed(result: Triage): 'exposed' | 'fixed' | 'not-applicable' {
  switch (result.kind) {
    case 'security-group':
      return result.openRules.length === 0 ? 'fixed' : 'exposed';
    case 'imdsv2':
      return result.httpTokens === 'required' ? 'fixed' : 'exposed';
    case 'unsupported':
      return 'not-applicable';
  }
}
