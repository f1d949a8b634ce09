import { createHash } from 'node:crypto';
import type { Finding, FindingRef } from './finding.js';

/**
 * Security Hub CSPM (ASFF) and the newer Security Hub (OCSF) each publish their own copy of a control finding, with
 * their own product ARN (`product/…` and `productv2/…`) and possibly their own id. Two copies are the same finding
 * when control, resource ARN, account and region all match: this key (undefined for a finding of no control, which
 * is never matched across the two).
 */
export function sameFindingKeyOf(
  finding: Pick<Finding, 'controlId' | 'accountId' | 'region' | 'resource'>,
): string | undefined {
  if (finding.controlId === undefined) return undefined;
  const identity = [finding.controlId, finding.resource.id, finding.accountId, finding.region].join('\u0000');
  return createHash('sha256').update(identity, 'utf8').digest('base64url').slice(0, 32);
}

export function isSameRef(a: FindingRef, b: FindingRef): boolean {
  return a.id === b.id && a.productArn === b.productArn;
}

/** The copy of a finding in the newer Security Hub (OCSF) is the one whose product ARN is `productv2/…`. */
export function isNewerSecurityHubRef(ref: FindingRef): boolean {
  return /::productv2\//.test(ref.productArn);
}

/** "Security Hub CSPM" or "Security Hub" (the newer one), as AWS names them since December 2025. */
export function securityHubNameOf(ref: FindingRef): string {
  return isNewerSecurityHubRef(ref) ? 'Security Hub' : 'Security Hub CSPM';
}

/** Where a decision on the finding must be written: its own copy, and the other Security Hub's copy when matched. */
export function refsOf(finding: Pick<Finding, 'id' | 'productArn' | 'counterpart'>): FindingRef[] {
  const own = { id: finding.id, productArn: finding.productArn };
  return finding.counterpart ? [own, finding.counterpart] : [own];
}
