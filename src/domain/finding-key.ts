import { createHash } from 'node:crypto';
import type { Finding } from './finding.js';

/** The three fields Security Hub identifies a finding by: the same `Id` from another product or account is another finding. */
export type FindingIdentity = Pick<Finding, 'productArn' | 'accountId' | 'id'>;

/**
 * The key the bot stores a finding under (and puts in button values): a base64url SHA-256 prefix of product ARN,
 * account and id. Short and of fixed length whatever the ASFF id looks like, so it always fits a DynamoDB key and a
 * Slack button value. The aggregator's copy and the member's copy of one finding share all three fields, so one key.
 */
export function findingKeyOf(finding: FindingIdentity): string {
  // A separator no ARN, account id or finding id can contain keeps ("a", "bc") and ("ab", "c") apart.
  const identity = [finding.productArn, finding.accountId, finding.id].join('\u0000');
  return createHash('sha256').update(identity, 'utf8').digest('base64url').slice(0, 32);
}
