import type { Finding } from './finding.js';
import type { Severity } from './severity.js';

/** One channel rule; every field given must match (AND); lists match any of their values (OR). */
export interface RouteRule {
  readonly channel: string;
  readonly accounts?: readonly string[] | undefined;
  readonly controls?: readonly string[] | undefined;
  readonly severities?: readonly Severity[] | undefined;
  readonly regions?: readonly string[] | undefined;
}

export interface Routing {
  readonly rules: readonly RouteRule[];
  readonly defaultChannel: string;
}

function matches(rule: RouteRule, finding: Finding): boolean {
  const accountMatches = !rule.accounts || rule.accounts.includes(finding.accountId);
  const controlMatches = !rule.controls || (!!finding.controlId && rule.controls.includes(finding.controlId));
  const severityMatches = !rule.severities || rule.severities.includes(finding.severity);
  const regionMatches = !rule.regions || rule.regions.includes(finding.region);
  return accountMatches && controlMatches && severityMatches && regionMatches;
}

/** The first matching rule wins, in the order configured; otherwise the default channel. */
export function channelFor(finding: Finding, routing: Routing): string {
  return routing.rules.find((rule) => matches(rule, finding))?.channel ?? routing.defaultChannel;
}
