import type { ControlSpec } from './control-catalog.js';
import type { CurrentResource } from './current-resource.js';
import { exposedIngressRules } from './exposure.js';
import { networkAclFailure } from './network-acl-plan.js';
import { settingName, settingsOff } from './public-bucket-access.js';
import type { PublicAccessBlockSettings } from './public-bucket-access.js';
import { describeDirectedRule, describeRule } from './rule-description.js';
import { tlsOnlyVerdict } from './tls-only-plan.js';

/** Would Security Hub's check of the control pass on the resource as it is now? */
export type ControlVerdict = { readonly passes: true } | { readonly passes: false; readonly why: string };

const PASSES: ControlVerdict = { passes: true };

/**
 * The control's own pass condition, evaluated on the resource read from AWS. A finding is only ever set RESOLVED
 * when this passes: a change that leaves the control failing is not a fix.
 */
export function controlVerdict(control: ControlSpec, current: CurrentResource): ControlVerdict {
  switch (current.kind) {
    case 'gone':
      // Nothing left to check: Security Hub archives findings of deleted resources.
      return PASSES;
    case 'security-group': {
      if (control.check.kind !== 'security-group')
        return { passes: false, why: `${control.id} is not about a security group` };
      if (control.remediation === 'empty-default-group') {
        if (current.egressRules === undefined)
          return { passes: false, why: 'its outbound rules were not read' };
        const rules = [...current.ingressRules, ...current.egressRules];
        return rules.length === 0
          ? PASSES
          : {
              passes: false,
              why: `the default group still has ${rules.length} rule(s): ${rules.map(describeDirectedRule).join('; ')}`,
            };
      }
      const open = exposedIngressRules(current.ingressRules, control.check.exposure).filter(
        (hit) => hit.world !== undefined,
      );
      return open.length === 0
        ? PASSES
        : {
            passes: false,
            why: `open to the internet: ${open.map((hit) => describeRule(hit.rule)).join('; ')}`,
          };
    }
    case 'instance':
      return current.httpTokens === 'required'
        ? PASSES
        : { passes: false, why: `${current.instanceId} still allows IMDSv1` };
    case 'launch-configuration':
      if (control.check.kind === 'auto-scaling-hop-limit') {
        // Config rule autoscaling-launch-config-hop-limit; a configuration that sets none launches with 1.
        const hopLimit = current.httpPutResponseHopLimit ?? 1;
        return hopLimit <= control.check.maxHopLimit
          ? PASSES
          : {
              passes: false,
              why: `launch configuration ${current.launchConfigurationName} has hop limit ${hopLimit}, above ${control.check.maxHopLimit}`,
            };
      }
      return current.httpTokens === 'required'
        ? PASSES
        : {
            passes: false,
            why: `launch configuration ${current.launchConfigurationName} still allows IMDSv1`,
          };
    case 'network-acl': {
      if (control.check.kind !== 'network-acl-world-ports')
        return { passes: false, why: `${control.id} is not about a network ACL` };
      const failure = networkAclFailure(current.acl, control.check.ports);
      return failure === undefined ? PASSES : { passes: false, why: failure };
    }
    case 'bucket':
      // S3.5 (Config rule s3-bucket-ssl-requests-only): a statement of the policy denies requests without TLS.
      if (control.check.kind === 'bucket-tls-only') return tlsOnlyVerdict(current.bucket);
      // S3.8 (Config rule s3-bucket-level-public-access-prohibited) judges the bucket's own settings; the account's
      // setting does not make the bucket pass.
      return allOn(current.bucket.publicAccessBlock, `bucket ${current.bucket.name}`);
    case 'account-public-access':
      // S3.1 (Config rule s3-account-level-public-access-blocks-periodic): all four on for the account.
      return allOn(current.account.publicAccessBlock, `account ${current.account.accountId}`);
    case 'launch-template': {
      const { template } = current;
      if (template.findingGroup === undefined) {
        // EC2.170 checks the template's default version.
        const version = template.versions.find((candidate) => candidate.version === template.defaultVersion);
        return version?.httpTokens === 'required'
          ? PASSES
          : {
              passes: false,
              why: `the default version (${template.defaultVersion}) of ${template.launchTemplateId} allows IMDSv1`,
            };
      }
      const group = template.users.find((user) => user.groupName === template.findingGroup);
      if (!group)
        return {
          passes: false,
          why: `${template.findingGroup} no longer launches from ${template.launchTemplateId}`,
        };
      const version = template.versions.find((candidate) => candidate.version === group.runs);
      return version?.httpTokens === 'required'
        ? PASSES
        : {
            passes: false,
            why: `${group.groupName} launches version ${group.runs} of ${template.launchTemplateId}, which allows IMDSv1`,
          };
    }
  }
}

/** Every Block Public Access setting on, or which are off (all of them when none is configured). */
function allOn(settings: PublicAccessBlockSettings | undefined, owner: string): ControlVerdict {
  const off = settingsOff(settings);
  if (off.length === 0) return PASSES;
  return {
    passes: false,
    why: settings
      ? `Block Public Access of ${owner} has ${off.map(settingName).join(', ')} off`
      : `${owner} has no Block Public Access configured (every setting off)`,
  };
}
