import type { ControlSpec } from './control-catalog.js';
import type { CurrentResource } from './current-resource.js';
import { exposedIngressRules } from './exposure.js';
import { networkAclFailure } from './network-acl-plan.js';
import { describeDirectedRule, describeRule } from './rule-description.js';

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
