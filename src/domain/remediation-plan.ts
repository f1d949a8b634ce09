import type { ControlSpec } from './control-catalog.js';
import type { CurrentResource } from './current-resource.js';
import { exposedIngressRules } from './exposure.js';
import type { Finding } from './finding.js';
import type { PlannedRevocation, RemediationPlan } from './remediation-plan-types.js';
import { describeRule } from './rule-description.js';

export type PlanOutcome =
  | { readonly kind: 'plan'; readonly plan: RemediationPlan; readonly words: string; readonly notes: readonly string[] }
  | { readonly kind: 'already-fixed'; readonly words: string }
  | { readonly kind: 'not-remediable'; readonly reason: string };

export interface PlanOptions {
  /** IMDSv2 hop limit to set; 1 keeps the credentials on the instance (containers may need 2: configure it). */
  readonly imdsHopLimit: number;
}

function where(finding: Finding): string {
  return `${finding.accountId}/${finding.region}`;
}

function joinWords(parts: readonly string[]): string {
  if (parts.length <= 1) return parts.join('');
  return `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
}

function planSecurityGroup(finding: Finding, control: ControlSpec, current: Extract<CurrentResource, { kind: 'security-group' }>): PlanOutcome {
  if (control.check.kind !== 'security-group') return { kind: 'not-remediable', reason: `${control.id} is not a security group control` };
  const exposed = exposedIngressRules(current.ingressRules, control.check.exposure);
  // Only rules open to the whole internet are revoked; restricted CIDRs, group references and prefix lists never are.
  const revocable = exposed.filter((hit) => hit.world !== undefined && hit.rule.ruleId !== undefined);
  const kept = exposed.filter((hit) => !revocable.includes(hit));
  const group = `${current.groupId}${current.groupName ? ` (${current.groupName})` : ''}`;
  if (revocable.length === 0) {
    return kept.length === 0
      ? { kind: 'already-fixed', words: `${group} in ${where(finding)} has no rule open to the internet any more` }
      : { kind: 'not-remediable', reason: `${group} only has rules the bot never touches (restricted sources, group references or prefix lists): ${kept.map((hit) => describeRule(hit.rule)).join('; ')}` };
  }
  const revocations: PlannedRevocation[] = revocable.map((hit) => ({ ruleId: hit.rule.ruleId!, words: describeRule(hit.rule) }));
  const notes = kept.length > 0 ? [`Kept (never touched by the bot): ${kept.map((hit) => describeRule(hit.rule)).join('; ')}. ${control.id} may still fail until someone removes them.`] : [];
  return {
    kind: 'plan',
    plan: {
      kind: 'revoke-ingress',
      accountId: finding.accountId,
      region: finding.region,
      groupId: current.groupId,
      ...(current.groupName && { groupName: current.groupName }),
      revocations,
    },
    words: `Revoke ${joinWords(revocations.map((revocation) => revocation.words))} on ${group} in ${where(finding)}`,
    notes,
  };
}

/**
 * What Remediate will do, decided from the resource's *current* state (read from AWS just now), never from the
 * finding's snapshot or the Slack payload. Three outcomes: a plan, already fixed, or not something the bot fixes.
 */
export function planRemediation(finding: Finding, control: ControlSpec, current: CurrentResource, options: PlanOptions): PlanOutcome {
  switch (current.kind) {
    case 'gone':
      return { kind: 'already-fixed', words: `${current.resourceId} no longer exists (${current.detail})` };
    case 'security-group':
      return planSecurityGroup(finding, control, current);
    case 'instance': {
      if (current.httpTokens === 'required') return { kind: 'already-fixed', words: `${current.instanceId} already requires IMDSv2` };
      const hop = options.imdsHopLimit;
      const hopNote = current.httpPutResponseHopLimit !== undefined && current.httpPutResponseHopLimit !== hop
        ? [`The hop limit changes from ${current.httpPutResponseHopLimit} to ${hop}${hop < current.httpPutResponseHopLimit ? ': containers that call IMDS through a bridge network may lose access (set CSPM_IMDS_HOP_LIMIT=2 for them)' : ''}.`]
        : [];
      return {
        kind: 'plan',
        plan: { kind: 'require-imdsv2-instance', accountId: finding.accountId, region: finding.region, instanceId: current.instanceId, httpPutResponseHopLimit: hop },
        words: `Require IMDSv2 (HttpTokens=required, hop limit ${hop}) on ${current.instanceId} in ${where(finding)}`,
        notes: [...hopNote, 'Software that still uses IMDSv1 on this instance will get 401 from the metadata service.'],
      };
    }
    case 'launch-configuration':
      if (current.httpTokens === 'required') return { kind: 'already-fixed', words: `${current.launchConfigurationName} already requires IMDSv2` };
      if (current.usedBy.length === 0) return { kind: 'already-fixed', words: `no Auto Scaling group launches from ${current.launchConfigurationName} any more (delete it to close the finding for good)` };
      return {
        kind: 'not-remediable',
        reason: `Launch configurations cannot be changed. Move ${joinWords([...current.usedBy])} to a launch template that requires IMDSv2 (console: "Copy to launch template"); the bot can then enforce IMDSv2 on the template.`,
      };
    case 'launch-template': {
      const { template } = current;
      const name = template.launchTemplateName ? `${template.launchTemplateId} (${template.launchTemplateName})` : template.launchTemplateId;
      if (template.httpTokens === 'required') return { kind: 'already-fixed', words: `${name} version ${template.version} already requires IMDSv2` };
      const hop = options.imdsHopLimit;
      const groups = [...template.followingGroups, ...template.pinnedGroups];
      return {
        kind: 'plan',
        plan: {
          kind: 'require-imdsv2-launch-template',
          accountId: finding.accountId,
          region: finding.region,
          launchTemplateId: template.launchTemplateId,
          ...(template.launchTemplateName && { launchTemplateName: template.launchTemplateName }),
          sourceVersion: template.version,
          httpPutResponseHopLimit: hop,
          pinnedGroups: template.pinnedGroups,
        },
        words: `Create a new version of ${name} from version ${template.version} with IMDSv2 required (hop limit ${hop}) and make it the default${template.pinnedGroups.length > 0 ? `, then point ${joinWords([...template.pinnedGroups])} at it` : ''} in ${where(finding)}`,
        notes: [`Running instances of ${groups.length > 0 ? joinWords(groups) : 'the group'} keep IMDSv1 until they are replaced (start an instance refresh to roll them now).`],
      };
    }
  }
}

/**
 * "Verified" means the resource, read again after the change, is fixed: every revoked rule is gone and nothing is
 * open to the internet any more; or IMDSv2 is required. Not that Security Hub already says PASSED.
 */
export function verifyRemediation(plan: RemediationPlan, control: ControlSpec, after: CurrentResource): { verified: true } | { verified: false; why: string } {
  if (after.kind === 'gone') return { verified: true };
  switch (plan.kind) {
    case 'revoke-ingress': {
      if (after.kind !== 'security-group' || control.check.kind !== 'security-group') return { verified: false, why: 'the resource read back is not the security group' };
      const remaining = after.ingressRules.filter((rule) => plan.revocations.some((revocation) => revocation.ruleId === rule.ruleId));
      if (remaining.length > 0) return { verified: false, why: `still present: ${remaining.map(describeRule).join('; ')}` };
      const stillOpen = exposedIngressRules(after.ingressRules, control.check.exposure).filter((hit) => hit.world !== undefined);
      return stillOpen.length === 0 ? { verified: true } : { verified: false, why: `open to the internet now: ${stillOpen.map((hit) => describeRule(hit.rule)).join('; ')}` };
    }
    case 'require-imdsv2-instance':
      return after.kind === 'instance' && after.httpTokens === 'required' ? { verified: true } : { verified: false, why: 'the instance still allows IMDSv1' };
    case 'require-imdsv2-launch-template':
      return after.kind === 'launch-template' && after.template.httpTokens === 'required' ? { verified: true } : { verified: false, why: 'the groups still launch from a version that allows IMDSv1' };
  }
}
