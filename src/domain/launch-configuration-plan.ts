import type { ControlSpec } from './control-catalog.js';
import { controlVerdict } from './control-verdict.js';
import type { CurrentResource } from './current-resource.js';
import type { Finding } from './finding.js';
import { launchTemplateDataOf, migratedTemplateName } from './launch-configuration-migration.js';
import type { PlanOptions, PlanOutcome, Verification } from './remediation-plan.js';
import { hopLimitWords, plannedHopLimit } from './remediation-plan.js';
import type { PlannedHopLimit, RemediationPlan } from './remediation-plan-types.js';

type LaunchConfigurationState = Extract<CurrentResource, { kind: 'launch-configuration' }>;
type MigrationPlan = Extract<RemediationPlan, { kind: 'migrate-launch-configuration' }>;

/** The version spec the moved groups name: see the README ("AutoScaling.3 on a launch configuration"). */
export const MIGRATED_GROUP_VERSION = '$Default';

/** The words of the dialog's opt-in: start an instance refresh once the groups are moved. */
export const INSTANCE_REFRESH_CHOICE =
  'Also start an instance refresh on each group: replace the running instances now, a few at a time (the group keeps its own minimum healthy percentage, 90% unless set)';

function joinWords(parts: readonly string[]): string {
  if (parts.length <= 1) return parts.join('');
  return `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
}

/**
 * The hop limit of the new template. AutoScaling.3: the usual rule (never lowered unless the operator configured
 * it and a person confirms). AutoScaling.4: lowering is the point, to CSPM_IMDS_HOP_LIMIT and never below it, and
 * only with a person's confirmation.
 */
function migrationHopLimit(
  control: ControlSpec,
  current: LaunchConfigurationState,
  options: PlanOptions,
): { kind: 'hop'; hop: PlannedHopLimit } | { kind: 'refused'; reason: string } {
  const before = current.httpPutResponseHopLimit;
  if (control.check.kind !== 'auto-scaling-hop-limit')
    return { kind: 'hop', hop: plannedHopLimit(before, options) };
  const allowed = options.imdsHopLimit;
  if (before === undefined || allowed >= before)
    return {
      kind: 'refused',
      reason: `the hop limit of ${current.launchConfigurationName} is ${before ?? 'not set'}, and CSPM_IMDS_HOP_LIMIT is ${allowed}: the bot never sets it lower than that (containers behind a bridge network need 2). Lower CSPM_IMDS_HOP_LIMIT if these are not container hosts, or accept the risk.`,
    };
  if (options.automatic === true)
    return {
      kind: 'refused',
      reason: `lowering the hop limit of ${current.launchConfigurationName} from ${before} to ${allowed} needs a person's confirmation; auto-remediation never lowers a hop limit`,
    };
  return { kind: 'hop', hop: { before, after: allowed } };
}

function stillFailsWords(control: ControlSpec, name: string): string {
  return `${control.id} checks the launch configuration itself, which cannot be changed: the finding stays open until someone deletes ${name}`;
}

/**
 * AutoScaling.3 and AutoScaling.4 on a launch configuration: a launch template made from it field by field with
 * IMDSv2 required (and the planned hop limit), and every group that launches from it moved to that template. The
 * configuration is never changed nor deleted; running instances are not touched unless the person asks for an
 * instance refresh.
 */
export function planLaunchConfigurationMigration(
  finding: Finding,
  control: ControlSpec,
  current: LaunchConfigurationState,
  options: PlanOptions,
): PlanOutcome {
  const name = current.launchConfigurationName;
  const where = `${finding.accountId}/${finding.region}`;
  const verdict = controlVerdict(control, current);
  if (verdict.passes)
    return {
      kind: 'already-fixed',
      words:
        control.check.kind === 'auto-scaling-hop-limit'
          ? `${name} has hop limit ${current.httpPutResponseHopLimit ?? '1 (not set)'}, which ${control.id} allows`
          : `${name} already requires IMDSv2`,
    };
  const existing = current.migratedTemplate;
  if (current.usedBy.length === 0) {
    const moved = existing?.users.map((user) => user.groupName) ?? [];
    return {
      kind: 'not-remediable',
      reason:
        moved.length > 0
          ? `No Auto Scaling group launches from ${name} any more (${joinWords(moved)} launch from ${existing!.launchTemplateName}). ${verdict.why}; ${stillFailsWords(control, name)}.`
          : `No Auto Scaling group uses ${name}; delete it or ignore it. It still allows IMDSv1, so the finding stays open until it is deleted (launch configurations cannot be changed).`,
    };
  }
  if (!current.settings)
    return { kind: 'not-remediable', reason: `the settings of ${name} could not be read` };
  const hopLimit = migrationHopLimit(control, current, options);
  if (hopLimit.kind === 'refused') return { kind: 'not-remediable', reason: hopLimit.reason };
  const { hop } = hopLimit;
  const templateName = migratedTemplateName(name);
  if (existing && !existing.madeByBot)
    return {
      kind: 'not-remediable',
      reason: `A launch template named ${templateName} (${existing.launchTemplateId}) already exists and the bot did not make it from ${name}; rename or delete it, then click Remediate again.`,
    };
  if (existing && (existing.httpTokens !== 'required' || existing.httpPutResponseHopLimit !== hop.after))
    return {
      kind: 'not-remediable',
      reason: `The bot's launch template ${templateName} (${existing.launchTemplateId}) from an earlier migration of ${name} now has default version ${existing.defaultVersion} with HttpTokens ${existing.httpTokens} and hop limit ${existing.httpPutResponseHopLimit ?? 'not set'}, not IMDSv2 required with hop limit ${hop.after}: find out who changed it, or delete it so the bot makes it again.`,
    };
  const translation = launchTemplateDataOf(current.settings, hop.after);
  if (translation.kind === 'refused')
    return {
      kind: 'not-remediable',
      reason: `The bot cannot move ${name} to a launch template without losing settings: ${translation.reasons.join('; ')}. Migrate it by hand (console: "Copy to launch template").`,
    };
  const groups = [...current.usedBy];
  const plan: MigrationPlan = {
    kind: 'migrate-launch-configuration',
    accountId: finding.accountId,
    region: finding.region,
    launchConfigurationName: name,
    launchTemplateName: templateName,
    ...(existing && { existingLaunchTemplateId: existing.launchTemplateId }),
    launchTemplateData: translation.data,
    httpPutResponseHopLimit: hop.after,
    ...(hop.before !== undefined && { hopLimitBefore: hop.before }),
    groups,
    startInstanceRefresh: false,
  };
  const endpoint = translation.data.MetadataOptions.HttpEndpoint;
  const metadata =
    `metadata options HttpTokens ${current.httpTokens} → required, ${hopLimitWords(hop)}` +
    (endpoint ? `, endpoint ${endpoint} (kept)` : '');
  const template = existing
    ? `Reuse launch template ${templateName} (${existing.launchTemplateId}), made from ${name} by an earlier run of the bot (its default version ${existing.defaultVersion} requires IMDSv2, hop limit ${hop.after})`
    : `Create launch template ${templateName} in ${where} from launch configuration ${name}, field by field: ${[...translation.lines, metadata].join('; ')}`;
  return {
    kind: 'plan',
    plan,
    words: `${template}. Then move Auto Scaling group${groups.length > 1 ? 's' : ''} ${joinWords(groups)} from ${name} to ${templateName}, version ${MIGRATED_GROUP_VERSION}.`,
    notes: [
      ...hopLimitNotes(hop),
      `Running instances are not touched: they keep IMDSv1 (and their hop limit) until ${joinWords(groups)} replace${groups.length > 1 ? '' : 's'} them. Tick the instance refresh below to replace them now; otherwise they change at the next scale-out or replacement.`,
      'What stops working: software on instances launched from the template that still uses IMDSv1 (no session token) gets 401 from the metadata service.',
      `${name} itself is neither changed nor deleted (launch configurations cannot be changed, and accounts made since October 2024 cannot create new ones). ${stillFailsWords(control, name)}; nothing uses it after this.`,
      `The groups name version ${MIGRATED_GROUP_VERSION}, so whoever owns the template ships new versions by making them the default (EC2.170 checks that default version requires IMDSv2).`,
    ],
    instanceRefreshChoice: INSTANCE_REFRESH_CHOICE,
  };
}

function hopLimitNotes(hop: PlannedHopLimit): string[] {
  if (hop.before === undefined || hop.after >= hop.before) return [];
  return [
    `The hop limit goes down from ${hop.before} to ${hop.after}: containers that reach IMDS through a bridge network (Docker bridge, ECS bridge mode) ` +
      (hop.after === 1 ? 'lose IMDS credentials and metadata.' : 'may lose access.'),
  ];
}

/**
 * Read back after a migration: the template requires IMDSv2 with the planned hop limit, and every planned group
 * launches from it. The configuration still fails its control (it cannot be changed), which is `stillFails`, never
 * a failed remediation and never RESOLVED, unless it was deleted meanwhile.
 */
export function verifyLaunchConfigurationMigration(
  plan: MigrationPlan,
  control: ControlSpec,
  after: CurrentResource,
): Verification {
  if (after.kind === 'gone') return { verified: true };
  if (after.kind !== 'launch-configuration')
    return { verified: false, why: 'the resource read back is not the launch configuration' };
  const template = after.migratedTemplate;
  if (!template) return { verified: false, why: `launch template ${plan.launchTemplateName} does not exist` };
  const problems: string[] = [];
  if (template.httpTokens !== 'required')
    problems.push(
      `the default version ${template.defaultVersion} of ${plan.launchTemplateName} allows IMDSv1`,
    );
  if (template.httpPutResponseHopLimit !== plan.httpPutResponseHopLimit)
    problems.push(
      `the default version ${template.defaultVersion} of ${plan.launchTemplateName} has hop limit ${template.httpPutResponseHopLimit ?? 'not set'} instead of ${plan.httpPutResponseHopLimit}`,
    );
  for (const group of plan.groups) {
    const user = template.users.find((candidate) => candidate.groupName === group);
    if (!user) problems.push(`${group} does not launch from ${plan.launchTemplateName}`);
    else if (user.versionSpec !== MIGRATED_GROUP_VERSION)
      problems.push(`${group} names version ${user.versionSpec} of ${plan.launchTemplateName}`);
  }
  if (problems.length > 0) return { verified: false, why: problems.join('; ') };
  const verdict = controlVerdict(control, after);
  return verdict.passes
    ? { verified: true }
    : {
        verified: true,
        stillFails: `${verdict.why}; ${stillFailsWords(control, plan.launchConfigurationName)}`,
      };
}
