import type { ControlSpec } from './control-catalog.js';
import { controlSpec, exposureCheckFor } from './control-catalog.js';
import type { ExposedRule } from './exposure.js';
import { exposedIngressRules } from './exposure.js';
import type { Finding } from './finding.js';
import type { NetworkReach, RuleReach } from './reachability.js';
import { ruleReach } from './reachability.js';
import { describePorts } from './rule-description.js';
import type { SecurityGroupRule } from './security-group-rule.js';
import type { Severity } from './severity.js';

export type Urgency = 'act-now' | 'high' | 'normal';

export type HttpTokensState = 'required' | 'optional' | 'unknown';

/** A rule the control flags, and where it can be reached from (absent for rules not open to the world). */
export interface OpenRule extends ExposedRule {
  readonly reach?: RuleReach;
}

/** What an urgency rests on, so the message can say it ("Act now: reachable from the internet on tcp/22"). */
export type UrgencyBasis =
  /** World-open rules the internet reaches now; `ports` like `tcp/22`, `all traffic`. */
  | { readonly kind: 'reachable'; readonly ports: readonly string[] }
  /** Open, but nothing on the internet gets to it today (private subnets, unattached, or a network ACL). */
  | { readonly kind: 'not-reachable'; readonly why: 'private' | 'unattached' | 'network-acl' }
  | { readonly kind: 'reach-unknown'; readonly reason: string }
  | { readonly kind: 'rules-unknown' }
  | { readonly kind: 'nothing-open' }
  /** Severity alone (IMDS findings, rules open to restricted sources only, unsupported controls). */
  | { readonly kind: 'severity'; readonly severity: Severity }
  | { readonly kind: 'imdsv2-required' };

/**
 * Controls triaged on the finding's word alone, their resource read only when a person asks to remediate:
 * - `network-acl`: EC2.21, a network ACL that lets SSH or RDP in from the whole internet (the subnets' security
 *   groups still stand);
 * - `bucket-tls-only`: S3.5, a bucket policy that does not deny requests without TLS;
 * - `public-access`: S3.8 / S3.1, Block Public Access not fully on for a bucket or the account (the plan names what
 *   is public);
 * - `hop-limit`: AutoScaling.4, a launch configuration whose IMDS hop limit is above 1.
 */
export type ReadWhenRemediating = 'network-acl' | 'bucket-tls-only' | 'public-access' | 'hop-limit';

export type Triage =
  | {
      readonly kind: 'security-group';
      readonly control: ControlSpec;
      /** Empty both when nothing is open and when the rules are unknown: `rulesFrom` tells which. */
      readonly openRules: readonly OpenRule[];
      /**
       * `current` when the rules were read from EC2, `finding` when only the finding's details were at hand,
       * `unknown` when neither had them (the finding carries no rules and EC2 was not read).
       */
      readonly rulesFrom: 'current' | 'finding' | 'unknown';
      readonly reach: NetworkReach;
      readonly urgency: Urgency;
      readonly urgencyBasis?: UrgencyBasis;
    }
  | {
      readonly kind: 'imdsv2';
      readonly control: ControlSpec;
      readonly httpTokens: HttpTokensState;
      readonly urgency: Urgency;
      readonly urgencyBasis?: UrgencyBasis;
    }
  /** A control whose resource is read only when a person asks to remediate: urgency follows severity until then. */
  | {
      readonly kind: ReadWhenRemediating;
      readonly control: ControlSpec;
      readonly urgency: Urgency;
      readonly urgencyBasis?: UrgencyBasis;
    }
  /** Unknown control, a resource type the control does not report on, or nothing to judge the resource by. */
  | {
      readonly kind: 'unsupported';
      readonly reason: string;
      readonly urgency: Urgency;
      readonly urgencyBasis?: UrgencyBasis;
    };

/** What the caller read from AWS just now; each fact wins over what the finding carries. */
export interface CurrentState {
  readonly ingressRules?: readonly SecurityGroupRule[];
  readonly reach?: NetworkReach;
  /** The instance's (EC2.8) or the launch configuration's (AutoScaling.3) `MetadataOptions.HttpTokens`. */
  readonly httpTokens?: 'required' | 'optional';
}

const REACH_NOT_CHECKED: NetworkReach = { kind: 'unknown', reason: 'EC2 not read' };

/** Urgency by severity alone: CRITICAL → act-now, HIGH → high, anything lower → normal. */
export function severityUrgency(severity: Severity): Urgency {
  if (severity === 'CRITICAL') return 'act-now';
  if (severity === 'HIGH') return 'high';
  return 'normal';
}

/** "Act now" rests on a known exposure; without one, HIGH and CRITICAL ask for a review (high). */
function reviewUrgency(severity: Severity): Urgency {
  return severity === 'CRITICAL' || severity === 'HIGH' ? 'high' : 'normal';
}

/** One step below the severity: the rule is still wrong, but nobody on the internet can use it today. */
function belowSeverity(severity: Severity): Urgency {
  return severity === 'CRITICAL' ? 'high' : 'normal';
}

/** Each open rule with where it can be reached from. */
export function withRuleReach(openRules: readonly ExposedRule[], reach: NetworkReach): OpenRule[] {
  return openRules.map((exposed) => {
    const reachOfRule = ruleReach(exposed, reach);
    return reachOfRule === undefined ? exposed : { ...exposed, reach: reachOfRule };
  });
}

/**
 * Urgency of an open security group, and what it rests on:
 * - nothing open any more → normal;
 * - a world-open rule the internet reaches (route, public address and network ACL) → act-now, whatever the severity;
 * - known not to be reachable (private subnets only, attached to nothing, or every world-open rule blocked by a
 *   network ACL) → one step below its severity (CRITICAL → high, else normal);
 * - reach unknown → a review at most (high for HIGH and CRITICAL): "act now" needs a known exposure;
 * - only non-world rules (EC2.2) → by severity.
 */
export function securityGroupUrgencyOf(
  severity: Severity,
  openRules: readonly OpenRule[],
  reach: NetworkReach,
): { urgency: Urgency; basis: UrgencyBasis } {
  if (openRules.length === 0) return { urgency: 'normal', basis: { kind: 'nothing-open' } };
  const worldRules = openRules.filter((exposed) => exposed.world !== undefined);
  if (worldRules.length === 0)
    return { urgency: severityUrgency(severity), basis: { kind: 'severity', severity } };
  // Port-less world rules (icmp under EC2.2) have no rule reach: the group's reach speaks for them.
  const reaches = worldRules.map((exposed) => exposed.reach ?? groupLevelReach(reach));
  const reachable = worldRules.filter((_, index) => reaches[index]?.kind === 'internet');
  if (reachable.length > 0) {
    const ports = [...new Set(reachable.map((exposed) => describePorts(exposed.rule)))];
    return { urgency: 'act-now', basis: { kind: 'reachable', ports } };
  }
  const unknown = reaches.find((reachOfRule) => reachOfRule.kind === 'unknown');
  if (unknown?.kind === 'unknown') {
    return { urgency: reviewUrgency(severity), basis: { kind: 'reach-unknown', reason: unknown.reason } };
  }
  const why = reaches.some((reachOfRule) => reachOfRule.kind === 'blocked')
    ? 'network-acl'
    : reaches.every((reachOfRule) => reachOfRule.kind === 'unattached')
      ? 'unattached'
      : 'private';
  return { urgency: belowSeverity(severity), basis: { kind: 'not-reachable', why } };
}

function groupLevelReach(reach: NetworkReach): RuleReach {
  switch (reach.kind) {
    case 'internet':
      return {
        kind: 'internet',
        via: reach.via.map((networkInterface) => networkInterface.networkInterfaceId),
      };
    case 'private':
      return { kind: 'private' };
    case 'unattached':
      return { kind: 'unattached' };
    case 'unknown':
      return { kind: 'unknown', reason: reach.reason };
  }
}

/** Urgency of an open security group (see `securityGroupUrgencyOf`). */
export function securityGroupUrgency(
  severity: Severity,
  openRules: readonly OpenRule[],
  reach: NetworkReach,
): Urgency {
  return securityGroupUrgencyOf(severity, openRules, reach).urgency;
}

/** Urgency of an IMDS finding: none once IMDSv2 is required, else by severity. */
export function imdsUrgency(severity: Severity, httpTokens: HttpTokensState): Urgency {
  return httpTokens === 'required' ? 'normal' : severityUrgency(severity);
}

function unsupported(finding: Finding, reason: string): Triage {
  return {
    kind: 'unsupported',
    reason,
    urgency: severityUrgency(finding.severity),
    urgencyBasis: { kind: 'severity', severity: finding.severity },
  };
}

function rulesOf(
  finding: Finding,
  current: CurrentState | undefined,
): { rules: readonly SecurityGroupRule[]; from: 'current' | 'finding' } | undefined {
  if (current?.ingressRules) return { rules: current.ingressRules, from: 'current' };
  if (finding.details.kind === 'security-group' && finding.details.ingressRules)
    return { rules: finding.details.ingressRules, from: 'finding' };
  return undefined;
}

function httpTokensOf(finding: Finding, current: CurrentState | undefined): HttpTokensState {
  if (current?.httpTokens) return current.httpTokens;
  const { details } = finding;
  if ((details.kind === 'instance' || details.kind === 'launch-configuration') && details.httpTokens)
    return details.httpTokens;
  return 'unknown';
}

/** Urgency from the finding's severity, for a control whose resource is read only when a person asks to remediate. */
function bySeverity(kind: ReadWhenRemediating, control: ControlSpec, finding: Finding): Triage {
  return {
    kind,
    control,
    urgency: severityUrgency(finding.severity),
    urgencyBasis: { kind: 'severity', severity: finding.severity },
  };
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
      const reach = current?.reach ?? REACH_NOT_CHECKED;
      // Unknown rules are not "nothing open": that would call the group fixed. The message says EC2 must be read.
      if (!known) {
        return {
          kind: 'security-group',
          control,
          openRules: [],
          rulesFrom: 'unknown',
          reach,
          urgency: reviewUrgency(finding.severity),
          urgencyBasis: { kind: 'rules-unknown' },
        };
      }
      const exposed = exposedIngressRules(known.rules, exposureCheckFor(control.check.exposure, finding));
      const openRules = withRuleReach(exposed, reach);
      const { urgency, basis } = securityGroupUrgencyOf(finding.severity, openRules, reach);
      return {
        kind: 'security-group',
        control,
        openRules,
        rulesFrom: known.from,
        reach,
        urgency,
        urgencyBasis: basis,
      };
    }
    case 'network-acl-world-ports':
      return bySeverity('network-acl', control, finding);
    case 'bucket-tls-only':
      return bySeverity('bucket-tls-only', control, finding);
    case 'bucket-public-access-block':
    case 'account-public-access-block':
      return bySeverity('public-access', control, finding);
    case 'auto-scaling-hop-limit':
      return bySeverity('hop-limit', control, finding);
    case 'instance-imdsv2':
    case 'auto-scaling-imdsv2':
    case 'launch-template-imdsv2': {
      const httpTokens = httpTokensOf(finding, current);
      return {
        kind: 'imdsv2',
        control,
        httpTokens,
        urgency: imdsUrgency(finding.severity, httpTokens),
        urgencyBasis:
          httpTokens === 'required'
            ? { kind: 'imdsv2-required' }
            : { kind: 'severity', severity: finding.severity },
      };
    }
  }
}

/**
 * Whether the resource still fails its control, as far as this triage knows. Unknown IMDS settings and unknown
 * security group rules count as exposed: the finding says the control failed, and only a reading that shows otherwise makes it fixed.
 */
export function isStillExposed(result: Triage): 'exposed' | 'fixed' | 'not-applicable' {
  switch (result.kind) {
    case 'security-group':
      if (result.rulesFrom === 'unknown') return 'exposed';
      return result.openRules.length === 0 ? 'fixed' : 'exposed';
    case 'imdsv2':
      return result.httpTokens === 'required' ? 'fixed' : 'exposed';
    case 'network-acl':
    case 'bucket-tls-only':
    case 'public-access':
    case 'hop-limit':
      // Only a reading of the resource (the ACL, S3, the launch configuration) shows it fixed; the finding says the
      // control failed.
      return 'exposed';
    case 'unsupported':
      return 'not-applicable';
  }
}
