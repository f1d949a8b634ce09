import { createHash } from 'node:crypto';
import type { Finding } from './finding.js';
import type { RemediationPlan } from './remediation-plan-types.js';

/** One resource of a group remediation as the person confirmed it: the plan is re-checked against this digest. */
export interface ConfirmedMember {
  readonly findingId: string;
  /** `planDigest` of the plan shown. */
  readonly planDigest: string;
  /** "sg-0abc (web) in 111122223333/eu-west-1" */
  readonly resource: string;
  /** "revoke tcp/22 from 0.0.0.0/0" */
  readonly change: string;
}

/** A member left out of the confirmation, or skipped while running, and why (shown to the person). */
export interface SkippedMember {
  readonly resource: string;
  readonly reason: string;
}

/** A member whose remediation ran and failed, with what the person needs to know. */
export interface FailedMember {
  readonly resource: string;
  readonly reason: string;
}

/** The running count shown in the grouped message's thread. */
export interface GroupRunProgress {
  readonly total: number;
  readonly done: number;
  readonly failed: readonly FailedMember[];
  /** Members in the confirmed list that were not run (changed since, acted on by someone else, …). */
  readonly skipped: readonly SkippedMember[];
  /** Members left out of the list before it was confirmed (not reachable, resolved, …). */
  readonly leftOut: number;
  readonly finished: boolean;
  /** Set when the run stopped before the end (the person lost the right to remediate). */
  readonly stoppedBecause?: string;
}

/** At most this many resources run under one confirmation; a bigger group is confirmed again for the rest. */
export const MAX_GROUP_RUN_MEMBERS = 500;

/** The resource as a person recognises it, with where it lives. */
export function resourceLabel(finding: Finding): string {
  const { resource } = finding;
  const name = resource.name && resource.name !== resource.shortId ? ` (${resource.name})` : '';
  return `${resource.shortId}${name} in ${finding.accountId}/${finding.region}`;
}

/** The change alone, without the resource, so identical changes over many resources can be summarised. */
export function changeWords(plan: RemediationPlan): string {
  switch (plan.kind) {
    case 'revoke-ingress':
      return `revoke ${plan.revocations.map((revocation) => revocation.words).join(', ')}`;
    case 'empty-default-group':
      return `remove every rule of the default group (${[...plan.ingress, ...plan.egress].map((revocation) => revocation.words).join(', ')})`;
    case 'require-imdsv2-instance':
      return `require IMDSv2 (hop limit ${plan.httpPutResponseHopLimit})`;
    case 'require-imdsv2-launch-template':
      return `require IMDSv2 in a new version of launch template ${plan.launchTemplateName ?? plan.launchTemplateId}`;
    case 'migrate-launch-configuration':
      return `move the groups of launch configuration ${plan.launchConfigurationName} to launch template ${plan.launchTemplateName} (IMDSv2 required, hop limit ${plan.httpPutResponseHopLimit})`;
    case 'deny-network-acl-ingress':
      return `deny ${plan.denies.map((deny) => `tcp/${deny.port} from ${deny.cidr}`).join(', ')} ahead of the allow entries`;
    case 'require-imdsv2-account-defaults':
      return `require IMDSv2 in the account defaults of ${plan.accountId}/${plan.region}`;
    case 'require-tls-only-bucket-policy':
      return plan.hadPolicy
        ? 'add a statement denying requests without TLS to the bucket policy (existing statements kept)'
        : 'give the bucket a policy that denies requests without TLS';
    case 'block-bucket-public-access':
      return 'turn on all four Block Public Access settings of the bucket';
    case 'block-account-public-access':
      return 'turn on all four Block Public Access settings of the account';
  }
}

/**
 * One fingerprint of the whole confirmed list (which findings, each with its plan digest, in order): the modal
 * carries it, so the run is exactly the list the person saw, never a list rebuilt or altered since.
 */
export function memberListDigest(
  members: readonly Pick<ConfirmedMember, 'findingId' | 'planDigest'>[],
): string {
  const hash = createHash('sha256');
  for (const member of members) hash.update(`${member.findingId}\n${member.planDigest}\n`);
  return hash.digest('hex');
}

/**
 * The confirmation id of one member: the bulk confirmation plus the finding, so each member's remediation runs at
 * most once per confirmation, however often the run (or a leg of it) is delivered.
 */
export function memberConfirmationId(runId: string, findingId: string): string {
  return `${runId}#${findingId}`;
}
