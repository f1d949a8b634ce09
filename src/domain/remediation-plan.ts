import type { ControlSpec } from './control-catalog.js';
import { exposureCheckFor } from './control-catalog.js';
import { controlVerdict } from './control-verdict.js';
import type { CurrentResource, LaunchTemplateInUse } from './current-resource.js';
import { exposedIngressRules } from './exposure.js';
import type { Finding } from './finding.js';
import {
  planLaunchConfigurationMigration,
  verifyLaunchConfigurationMigration,
} from './launch-configuration-plan.js';
import {
  networkAclFailure,
  planNetworkAclDenies,
  verifyNetworkAclDenies,
  worldOpenings,
} from './network-acl-plan.js';
import {
  planAccountPublicAccess,
  planBucketPublicAccess,
  verifyPublicAccessBlock,
} from './public-access-plan.js';
import type {
  KeptMetadataOptions,
  PlannedGroupChange,
  PlannedHopLimit,
  PlannedRevocation,
  RemediationPlan,
} from './remediation-plan-types.js';
import { describeDirectedRule, describeRule } from './rule-description.js';
import type { SecurityGroupRule } from './security-group-rule.js';
import { currentBucketPolicy, planTlsOnlyBucketPolicy, verifyTlsOnlyBucketPolicy } from './tls-only-plan.js';

/** Something the person must confirm explicitly in the dialog before the plan may run. */
export interface PlanConfirmation {
  /** What the person confirms: the id they type (the security group id, the bucket name, the account id). */
  readonly groupId: string;
  readonly words: string;
  /** The input's label and hint in the dialog; the security group wording when absent. */
  readonly label?: string;
  readonly hint?: string;
}

export type PlanOutcome =
  | {
      readonly kind: 'plan';
      readonly plan: RemediationPlan;
      readonly words: string;
      readonly notes: readonly string[];
      readonly confirmation?: PlanConfirmation;
      /**
       * Words of an opt-in the dialog offers (AutoScaling.3/4: start an instance refresh); unticked unless the
       * person ticks it, and never chosen by auto-remediation.
       */
      readonly instanceRefreshChoice?: string;
    }
  | { readonly kind: 'already-fixed'; readonly words: string }
  | { readonly kind: 'not-remediable'; readonly reason: string };

export interface PlanOptions {
  /** IMDSv2 hop limit to set where the resource has none or a lower one (containers behind a bridge need 2). */
  readonly imdsHopLimit: number;
  /**
   * The operator set the hop limit (CSPM_IMDS_HOP_LIMIT) rather than leaving the default: only then does a
   * confirmed remediation lower a higher hop limit to it.
   */
  readonly imdsHopLimitSetByOperator?: boolean;
  /** Auto-remediation: never lowers a hop limit, whatever the configuration. */
  readonly automatic?: boolean;
}

function where(finding: Finding): string {
  return `${finding.accountId}/${finding.region}`;
}

function joinWords(parts: readonly string[]): string {
  if (parts.length <= 1) return parts.join('');
  return `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
}

/**
 * The hop limit after requiring IMDSv2. A hop limit is never lowered (containers behind a bridge network lose IMDS
 * at 1) unless the operator configured the lower value and a person confirms it; auto-remediation never lowers.
 */
export function plannedHopLimit(before: number | undefined, options: PlanOptions): PlannedHopLimit {
  const configured = options.imdsHopLimit;
  if (before === undefined) return { after: configured };
  const mayLower = options.imdsHopLimitSetByOperator === true && options.automatic !== true;
  return { before, after: configured < before && !mayLower ? before : configured };
}

/** "hop limit 2 → 2 (unchanged)", "hop limit 2 → 1", "hop limit not set → 1". */
export function hopLimitWords(hop: PlannedHopLimit): string {
  if (hop.before === undefined) return `hop limit not set → ${hop.after}`;
  return hop.before === hop.after
    ? `hop limit ${hop.before} (unchanged)`
    : `hop limit ${hop.before} → ${hop.after}`;
}

export function hopLimitNotes(hop: PlannedHopLimit): string[] {
  if (hop.before === undefined || hop.after >= hop.before) return [];
  return [
    `The hop limit goes down from ${hop.before} to ${hop.after} because CSPM_IMDS_HOP_LIMIT is set to ${hop.after}: ` +
      'containers that call IMDS through a bridge network may lose access.',
  ];
}

type SecurityGroupState = Extract<CurrentResource, { kind: 'security-group' }>;

function groupLabel(current: SecurityGroupState): string {
  return `${current.groupId}${current.groupName ? ` (${current.groupName})` : ''}`;
}

function revocationsOf(rules: readonly SecurityGroupRule[]): PlannedRevocation[] {
  return rules.flatMap((rule) =>
    rule.ruleId ? [{ ruleId: rule.ruleId, words: describeDirectedRule(rule) }] : [],
  );
}

/** EC2.2: the control fails on any rule of a default group, so every inbound and outbound rule goes. */
function planDefaultGroup(finding: Finding, control: ControlSpec, current: SecurityGroupState): PlanOutcome {
  const group = groupLabel(current);
  if (current.groupName !== undefined && current.groupName !== 'default') {
    return {
      kind: 'not-remediable',
      reason: `${group} is not a VPC default security group, which is all ${control.id} is about`,
    };
  }
  if (current.egressRules === undefined) {
    return {
      kind: 'not-remediable',
      reason: `the outbound rules of ${group} could not be read, so the bot cannot plan ${control.id}`,
    };
  }
  const verdict = controlVerdict(control, current);
  if (verdict.passes)
    return {
      kind: 'already-fixed',
      words: `${group} in ${where(finding)} has no inbound or outbound rule any more`,
    };
  const ingress = revocationsOf(current.ingressRules);
  const egress = revocationsOf(current.egressRules);
  const interfaces = current.interfaces ?? [];
  const interfaceWords = interfaces.map((eni) =>
    eni.attachedTo ? `${eni.networkInterfaceId} (${eni.attachedTo})` : eni.networkInterfaceId,
  );
  const plan: RemediationPlan = {
    kind: 'empty-default-group',
    accountId: finding.accountId,
    region: finding.region,
    groupId: current.groupId,
    ...(current.groupName && { groupName: current.groupName }),
    ingress,
    egress,
    interfacesInUse: interfaces.map((eni) => eni.networkInterfaceId),
  };
  const words = `Remove every rule of the default security group ${group} in ${where(finding)}: ${joinWords([...ingress, ...egress].map((revocation) => revocation.words))}`;
  if (interfaces.length === 0) {
    return {
      kind: 'plan',
      plan,
      words,
      notes: [
        'Nothing stops working today: no network interface uses this group; resources that join it later get no traffic through it.',
      ],
    };
  }
  const confirmation: PlanConfirmation = {
    groupId: current.groupId,
    words:
      `${interfaces.length} network interface(s) use ${group}: ${joinWords(interfaceWords)}. They lose all traffic this group ` +
      'allows (including to each other through its self-reference). Give them their own security group first, or ' +
      `confirm ${current.groupId} below to remove the rules anyway.`,
  };
  const stops =
    'What stops working: every connection this group allows, in and out, for the interfaces that use it (below).';
  return { kind: 'plan', plan, words, notes: [stops, confirmation.words], confirmation };
}

function planSecurityGroup(finding: Finding, control: ControlSpec, current: SecurityGroupState): PlanOutcome {
  if (control.check.kind !== 'security-group')
    return { kind: 'not-remediable', reason: `${control.id} is not a security group control` };
  if (control.remediation === 'empty-default-group') return planDefaultGroup(finding, control, current);
  const exposed = exposedIngressRules(
    current.ingressRules,
    exposureCheckFor(control.check.exposure, finding),
  );
  // Only rules open to the whole internet are revoked; restricted CIDRs, group references and prefix lists never are.
  const revocable = exposed.filter((hit) => hit.world !== undefined && hit.rule.ruleId !== undefined);
  const kept = exposed.filter((hit) => !revocable.includes(hit));
  const group = groupLabel(current);
  if (revocable.length === 0) {
    return kept.length === 0
      ? {
          kind: 'already-fixed',
          words: `${group} in ${where(finding)} has no rule open to the internet any more`,
        }
      : {
          kind: 'not-remediable',
          reason: `${group} only has rules the bot never touches (restricted sources, group references or prefix lists): ${kept.map((hit) => describeRule(hit.rule)).join('; ')}`,
        };
  }
  const revocations: PlannedRevocation[] = revocable.map((hit) => ({
    ruleId: hit.rule.ruleId!,
    words: describeRule(hit.rule),
  }));
  const notes = [
    revokedTrafficNote(current, revocations),
    ...(kept.length > 0
      ? [
          `Kept (never touched by the bot): ${kept.map((hit) => describeRule(hit.rule)).join('; ')}. ${control.id} may still fail until someone removes them.`,
        ]
      : []),
  ];
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

/** What stops working when the world-open rules go: new connections from the internet to what uses the group. */
function revokedTrafficNote(current: SecurityGroupState, revocations: readonly PlannedRevocation[]): string {
  const traffic = joinWords(revocations.map((revocation) => revocation.words));
  const interfaces = current.interfaces;
  if (interfaces === undefined)
    return `What stops working: new connections for ${traffic} to whatever uses ${groupLabel(current)}; traffic other rules allow keeps working.`;
  if (interfaces.length === 0)
    return `Nothing stops working today: no network interface uses ${groupLabel(current)}; resources that join it later will not get ${traffic}.`;
  const users = joinWords(
    interfaces.map((eni) =>
      eni.attachedTo ? `${eni.networkInterfaceId} (${eni.attachedTo})` : eni.networkInterfaceId,
    ),
  );
  return `What stops working: new connections for ${traffic} to the ${interfaces.length} network interface(s) using ${groupLabel(current)} (${users}); traffic other rules allow (narrower sources, other groups) keeps working.`;
}

/**
 * What happens to each group of the template. The new version is a copy of the version the finding's group runs
 * (`source`); `CreateLaunchTemplateVersion` always makes it `$Latest`. Only groups that ran `source` may end up on
 * it; every other group keeps running exactly the version it runs today (pinned if it followed `$Latest`).
 */
export function groupChanges(
  template: LaunchTemplateInUse,
  source: number,
  makeDefault: boolean,
  /** AutoScaling.3 re-points groups pinned to `source`; EC2.170 (about the template, not a group) leaves them. */
  repointPinned = true,
): PlannedGroupChange[] {
  return template.users.map((user) => {
    const base = {
      groupName: user.groupName,
      versionBefore: user.versionSpec,
      runs: user.runs,
      mixedInstancesPolicy: user.mixedInstancesPolicy,
    };
    if (user.runs === source) {
      const follows = user.versionSpec === '$Latest' || (user.versionSpec === '$Default' && makeDefault);
      if (!follows && !repointPinned && !user.versionSpec.startsWith('$'))
        return { ...base, change: 'unchanged' };
      return { ...base, change: follows ? 'follows-new' : 'point-to-new' };
    }
    // `$Latest` moves to the new version; `$Default` moves only when made default, and then every group on it ran `source`.
    return { ...base, change: user.versionSpec === '$Latest' ? 'pin' : 'unchanged' };
  });
}

/** "web-asg: version 3 → new version (copy of 3 with IMDSv2 required)". */
export function groupChangeWords(change: PlannedGroupChange, source: number, newVersion?: number): string {
  const before = change.versionBefore.startsWith('$')
    ? `${change.versionBefore} (version ${change.runs})`
    : `version ${change.runs}`;
  const created = newVersion === undefined ? 'the new version' : `version ${newVersion}`;
  switch (change.change) {
    case 'point-to-new':
      return `${change.groupName}: ${before} → ${created} (copy of ${source} with IMDSv2 required)`;
    case 'follows-new':
      return `${change.groupName}: ${before} → ${change.versionBefore} = ${created} (copy of ${source} with IMDSv2 required)`;
    case 'pin':
      return `${change.groupName}: ${change.versionBefore} → pinned to ${change.runs} (what it runs today; unchanged)`;
    case 'unchanged':
      return `${change.groupName}: ${before} (unchanged)`;
  }
}

function keptOptionsOf(options: KeptMetadataOptions): KeptMetadataOptions {
  return {
    ...(options.httpEndpoint && { httpEndpoint: options.httpEndpoint }),
    ...(options.httpProtocolIpv6 && { httpProtocolIpv6: options.httpProtocolIpv6 }),
    ...(options.instanceMetadataTags && { instanceMetadataTags: options.instanceMetadataTags }),
  };
}

function keptOptionsWords(options: KeptMetadataOptions): string {
  const parts = [
    options.httpEndpoint && `metadata endpoint ${options.httpEndpoint}`,
    options.httpProtocolIpv6 && `IPv6 endpoint ${options.httpProtocolIpv6}`,
    options.instanceMetadataTags && `tags in metadata ${options.instanceMetadataTags}`,
  ].filter((part): part is string => typeof part === 'string');
  return parts.length > 0 ? `; kept as they are: ${parts.join(', ')}` : '';
}

/**
 * The plan both launch-template fixes make (AutoScaling.3 through a group, EC2.170 on the template): a new version
 * copied from `source` with IMDSv2 required, the planned hop limit and the other metadata options kept.
 */
function newTemplateVersionPlan(
  finding: Finding,
  template: LaunchTemplateInUse,
  source: LaunchTemplateInUse['versions'][number],
  options: PlanOptions,
  makeDefault: boolean,
  groups: readonly PlannedGroupChange[],
): { plan: RemediationPlan; hop: PlannedHopLimit; kept: KeptMetadataOptions } {
  const hop = plannedHopLimit(source.httpPutResponseHopLimit, options);
  const kept = keptOptionsOf(source);
  const plan: RemediationPlan = {
    kind: 'require-imdsv2-launch-template',
    accountId: finding.accountId,
    region: finding.region,
    launchTemplateId: template.launchTemplateId,
    ...(template.launchTemplateName && { launchTemplateName: template.launchTemplateName }),
    sourceVersion: source.version,
    httpPutResponseHopLimit: hop.after,
    ...(hop.before !== undefined && { hopLimitBefore: hop.before }),
    keptMetadataOptions: kept,
    makeDefault,
    groups,
  };
  return { plan, hop, kept };
}

function planLaunchTemplate(
  finding: Finding,
  template: LaunchTemplateInUse,
  options: PlanOptions,
): PlanOutcome {
  const name = template.launchTemplateName
    ? `${template.launchTemplateId} (${template.launchTemplateName})`
    : template.launchTemplateId;
  if (template.findingGroup === undefined) return planTemplateDefault(finding, template, name, options);
  const group = template.users.find((user) => user.groupName === template.findingGroup);
  if (!group)
    return {
      kind: 'not-remediable',
      reason: `${template.findingGroup} no longer launches from ${name}; re-check the finding`,
    };
  const source = template.versions.find((version) => version.version === group.runs);
  if (!source)
    return { kind: 'not-remediable', reason: `version ${group.runs} of ${name} could not be read` };
  if (source.httpTokens === 'required')
    return {
      kind: 'already-fixed',
      words: `${group.groupName} launches version ${source.version} of ${name}, which already requires IMDSv2`,
    };
  const makeDefault = group.versionSpec === '$Default';
  const groups = groupChanges(template, source.version, makeDefault);
  const fixed = groups.filter(
    (change) => change.change === 'point-to-new' || change.change === 'follows-new',
  );
  const { plan, hop, kept } = newTemplateVersionPlan(finding, template, source, options, makeDefault, groups);
  return {
    kind: 'plan',
    plan,
    words:
      `Create a new version of ${name} in ${where(finding)}, a copy of version ${source.version} with IMDSv2 required ` +
      `(${hopLimitWords(hop)}${keptOptionsWords(kept)})${makeDefault ? ', and make it the default version' : ` (the default stays version ${template.defaultVersion})`}. ` +
      `Auto Scaling groups: ${groups.map((change) => groupChangeWords(change, source.version)).join('; ')}`,
    notes: [
      ...hopLimitNotes(hop),
      'What stops working: software on instances launched from the new version that still uses IMDSv1 (no session token) gets 401 from the metadata service.',
      `Running instances of ${joinWords(fixed.map((change) => change.groupName))} keep IMDSv1 until they are replaced (start an instance refresh to roll them now).`,
    ],
  };
}

/**
 * EC2.170: the finding is the template, and Security Hub checks its `$Default` version. The new version copies the
 * default and becomes `$Default`, so groups that follow `$Default` move with it; groups that follow `$Latest` to
 * another version are pinned first (as for AutoScaling.3); groups pinned to a number are left as they are.
 */
function planTemplateDefault(
  finding: Finding,
  template: LaunchTemplateInUse,
  name: string,
  options: PlanOptions,
): PlanOutcome {
  const source = template.versions.find((version) => version.version === template.defaultVersion);
  if (!source)
    return {
      kind: 'not-remediable',
      reason: `the default version (${template.defaultVersion}) of ${name} could not be read`,
    };
  if (source.httpTokens === 'required')
    return {
      kind: 'already-fixed',
      words: `the default version (${source.version}) of ${name} already requires IMDSv2`,
    };
  const groups = groupChanges(template, source.version, true, false);
  const moving = groups.filter((change) => change.change === 'follows-new');
  const stay = groups.filter((change) => change.change === 'unchanged' || change.change === 'pin');
  const groupWords =
    groups.length === 0
      ? 'no Auto Scaling group launches from it'
      : groups.map((change) => groupChangeWords(change, source.version)).join('; ');
  const { plan, hop, kept } = newTemplateVersionPlan(finding, template, source, options, true, groups);
  return {
    kind: 'plan',
    plan,
    words:
      `Create a new version of ${name} in ${where(finding)}, a copy of the default version ${source.version} with IMDSv2 ` +
      `required (${hopLimitWords(hop)}${keptOptionsWords(kept)}; every other setting copied), and make it the default version. ` +
      `Auto Scaling groups: ${groupWords}`,
    notes: [
      ...hopLimitNotes(hop),
      moving.length > 0
        ? `What stops working: software that still uses IMDSv1 on instances launched from now on gets 401 from the metadata service. ${joinWords(moving.map((change) => change.groupName))} get IMDSv2 at their next instance launch or instance refresh; their running instances keep IMDSv1 until replaced.`
        : 'What stops working: software that still uses IMDSv1 on instances launched from the default version from now on gets 401 from the metadata service.',
      ...(stay.length > 0
        ? [
            `${joinWords(stay.map((change) => change.groupName))} keep launching the version they run today (IMDSv1 still allowed there); point them at the new version yourself when ready.`,
          ]
        : []),
    ],
  };
}

/**
 * What Remediate will do, decided from the resource's *current* state (read from AWS just now), never from the
 * finding's snapshot or the Slack payload. Three outcomes: a plan, already fixed (only when the control passes
 * now), or not something the bot fixes.
 */
export function planRemediation(
  finding: Finding,
  control: ControlSpec,
  current: CurrentResource,
  options: PlanOptions,
): PlanOutcome {
  switch (current.kind) {
    case 'gone':
      return { kind: 'already-fixed', words: `${current.resourceId} no longer exists (${current.detail})` };
    case 'security-group':
      return planSecurityGroup(finding, control, current);
    case 'instance': {
      if (current.httpTokens === 'required')
        return { kind: 'already-fixed', words: `${current.instanceId} already requires IMDSv2` };
      const hop = plannedHopLimit(current.httpPutResponseHopLimit, options);
      return {
        kind: 'plan',
        plan: {
          kind: 'require-imdsv2-instance',
          accountId: finding.accountId,
          region: finding.region,
          instanceId: current.instanceId,
          httpPutResponseHopLimit: hop.after,
          ...(hop.before !== undefined && { hopLimitBefore: hop.before }),
        },
        words: `Require IMDSv2 (HttpTokens=required, ${hopLimitWords(hop)}) on ${current.instanceId} in ${where(finding)}; the metadata endpoint and every other option stay as they are`,
        notes: [
          ...hopLimitNotes(hop),
          'What stops working: software on this instance that still uses IMDSv1 (no session token) gets 401 from the metadata service; the instance keeps running and is not restarted.',
        ],
      };
    }
    case 'launch-configuration':
      return planLaunchConfigurationMigration(finding, control, current, options);
    case 'launch-template':
      return planLaunchTemplate(finding, current.template, options);
    case 'network-acl':
      return planNetworkAclDenies(finding, control, current.acl);
    case 'bucket':
      if (control.check.kind === 'bucket-tls-only')
        return planTlsOnlyBucketPolicy(
          finding,
          currentBucketPolicy(current.bucket, finding.resource.partition),
        );
      return planBucketPublicAccess(finding, control, current.bucket);
    case 'account-public-access':
      return planAccountPublicAccess(finding, control, current.account);
  }
}

/**
 * `stillFails`: the planned change is in place and does what it is for, but Security Hub's check of the control
 * would still fail (EC2.21: deny entries block the traffic while the user's allow entry, which the bot never
 * deletes, remains). The remediation succeeded; the finding must not be set RESOLVED.
 */
export type Verification =
  | { readonly verified: true; readonly stillFails?: string }
  | { readonly verified: false; readonly why: string };

function verifyLaunchTemplate(
  plan: Extract<RemediationPlan, { kind: 'require-imdsv2-launch-template' }>,
  template: LaunchTemplateInUse,
): Verification {
  const problems: string[] = [];
  // EC2.170 (no finding group): the default version must be the new one, with the planned options.
  if (template.findingGroup === undefined) problems.push(...defaultVersionProblems(plan, template));
  for (const planned of plan.groups) {
    const now = template.users.find((user) => user.groupName === planned.groupName);
    if (!now) {
      problems.push(`${planned.groupName} no longer launches from ${plan.launchTemplateId}`);
      continue;
    }
    if (planned.change === 'pin' || planned.change === 'unchanged') {
      if (now.runs !== planned.runs)
        problems.push(`${planned.groupName} now runs version ${now.runs} instead of ${planned.runs}`);
      continue;
    }
    const version = template.versions.find((candidate) => candidate.version === now.runs);
    if (now.runs === plan.sourceVersion || version?.httpTokens !== 'required') {
      problems.push(`${planned.groupName} launches version ${now.runs}, which allows IMDSv1`);
    }
  }
  return problems.length === 0 ? { verified: true } : { verified: false, why: problems.join('; ') };
}

function defaultVersionProblems(
  plan: Extract<RemediationPlan, { kind: 'require-imdsv2-launch-template' }>,
  template: LaunchTemplateInUse,
): string[] {
  if (template.defaultVersion === plan.sourceVersion)
    return [`the default version of ${plan.launchTemplateId} is still version ${plan.sourceVersion}`];
  const version = template.versions.find((candidate) => candidate.version === template.defaultVersion);
  if (!version) return [`the default version (${template.defaultVersion}) could not be read`];
  const problems: string[] = [];
  if (version.httpTokens !== 'required')
    problems.push(`the default version ${version.version} allows IMDSv1`);
  if (version.httpPutResponseHopLimit !== plan.httpPutResponseHopLimit)
    problems.push(
      `the default version ${version.version} has hop limit ${version.httpPutResponseHopLimit ?? 'unset'} instead of ${plan.httpPutResponseHopLimit}`,
    );
  const kept = plan.keptMetadataOptions;
  for (const option of ['httpEndpoint', 'httpProtocolIpv6', 'instanceMetadataTags'] as const) {
    if (kept[option] !== undefined && version[option] !== kept[option])
      problems.push(
        `the default version ${version.version} has ${option} ${version[option] ?? 'unset'} instead of ${kept[option]}`,
      );
  }
  return problems;
}

/**
 * "Verified" means the resource, read again after the change, is what the plan said (revoked rules gone, other
 * groups on the versions they ran) *and* the control would pass on it now. Not that Security Hub already says
 * PASSED; and never verified while the control still fails.
 */
export function verifyRemediation(
  plan: RemediationPlan,
  control: ControlSpec,
  after: CurrentResource,
): Verification {
  // The account defaults never change the finding's resource (the account fix reads them back itself): never verified here.
  if (plan.kind === 'require-imdsv2-account-defaults')
    return { verified: false, why: "the account-wide IMDS defaults do not change this finding's resource" };
  if (after.kind === 'gone') return { verified: true };
  let planned: Verification = { verified: true };
  switch (plan.kind) {
    case 'revoke-ingress': {
      if (after.kind !== 'security-group')
        return { verified: false, why: 'the resource read back is not the security group' };
      const remaining = after.ingressRules.filter((rule) =>
        plan.revocations.some((revocation) => revocation.ruleId === rule.ruleId),
      );
      if (remaining.length > 0)
        planned = { verified: false, why: `still present: ${remaining.map(describeRule).join('; ')}` };
      break;
    }
    case 'empty-default-group':
      if (after.kind !== 'security-group')
        return { verified: false, why: 'the resource read back is not the security group' };
      break;
    case 'require-imdsv2-instance':
      if (after.kind !== 'instance')
        return { verified: false, why: 'the resource read back is not the instance' };
      break;
    case 'require-imdsv2-launch-template':
      if (after.kind !== 'launch-template')
        return { verified: false, why: 'the resource read back is not the launch template' };
      planned = verifyLaunchTemplate(plan, after.template);
      break;
    case 'migrate-launch-configuration':
      return verifyLaunchConfigurationMigration(plan, control, after);
    case 'deny-network-acl-ingress':
      if (after.kind !== 'network-acl')
        return { verified: false, why: 'the resource read back is not the network ACL' };
      planned = verifyNetworkAclDenies(plan, after.acl);
      if (planned.verified) {
        const ports = control.check.kind === 'network-acl-world-ports' ? control.check.ports : [];
        // The denies must keep the internet out in rule order (nobody slipped an allow in ahead of them).
        if (worldOpenings(after.acl, ports).length > 0)
          return {
            verified: false,
            why: networkAclFailure(after.acl, ports) ?? 'the internet still gets in',
          };
        const verdict = controlVerdict(control, after);
        return verdict.passes ? { verified: true } : { verified: true, stillFails: verdict.why };
      }
      break;
    case 'require-tls-only-bucket-policy':
      if (after.kind !== 'bucket')
        return { verified: false, why: 'the resource read back is not the bucket' };
      planned = verifyTlsOnlyBucketPolicy(
        plan,
        after.bucket.policy.kind === 'none' ? undefined : after.bucket.policy.text,
      );
      break;
    case 'block-bucket-public-access':
    case 'block-account-public-access':
      return verifyPublicAccessBlock(plan, control, after);
  }
  if (!planned.verified) return planned;
  const verdict = controlVerdict(control, after);
  return verdict.passes
    ? { verified: true }
    : { verified: false, why: `${control.id} would still fail: ${verdict.why}` };
}
