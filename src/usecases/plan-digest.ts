import { createHash } from 'node:crypto';
import type { RemediationPlan } from '../domain/remediation-plan-types.js';

/**
 * A short fingerprint of a plan, carried by the confirmation modal (whose metadata is limited to 3,000
 * characters) so execution can check that AWS still calls for exactly what the person confirmed. It covers every
 * field of the plan: for EC2.2 the network interfaces that use the group, so a typed confirmation of the group
 * holds for exactly those interfaces (one more attached since, and the plan has changed).
 */
export function planDigest(plan: RemediationPlan): string {
  return createHash('sha256').update(JSON.stringify(plan)).digest('hex');
}
