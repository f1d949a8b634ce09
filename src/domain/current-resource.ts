import type { NetworkReach } from './reachability.js';
import type { SecurityGroupRule } from './security-group-rule.js';

/** A launch template version as Auto Scaling groups use it. */
export interface LaunchTemplateInUse {
  readonly launchTemplateId: string;
  readonly launchTemplateName?: string;
  /** The version number the groups resolve to now (`$Default`/`$Latest` resolved). */
  readonly version: number;
  readonly httpTokens: 'required' | 'optional';
  readonly httpPutResponseHopLimit?: number;
  /** Groups that use the template through `$Default` or `$Latest`: they follow a new default version. */
  readonly followingGroups: readonly string[];
  /** Groups pinned to a version number: they must be pointed at the new version explicitly. */
  readonly pinnedGroups: readonly string[];
}

/**
 * The finding's resource as AWS describes it *now* (never the finding's snapshot, never the Slack payload).
 * Remediation plans and verification are built from this.
 */
export type CurrentResource =
  | {
      readonly kind: 'security-group';
      readonly groupId: string;
      readonly groupName?: string;
      readonly vpcId?: string;
      readonly ingressRules: readonly SecurityGroupRule[];
      readonly reach: NetworkReach;
    }
  | {
      readonly kind: 'instance';
      readonly instanceId: string;
      readonly httpTokens: 'required' | 'optional';
      readonly httpPutResponseHopLimit?: number;
      readonly httpEndpoint?: 'enabled' | 'disabled';
      readonly instanceState?: string;
    }
  | {
      /** AutoScaling.3 reports on a launch configuration; launch configurations cannot be changed. */
      readonly kind: 'launch-configuration';
      readonly launchConfigurationName: string;
      readonly httpTokens: 'required' | 'optional';
      /** Auto Scaling groups that still launch from it. */
      readonly usedBy: readonly string[];
    }
  | { readonly kind: 'launch-template'; readonly template: LaunchTemplateInUse }
  /** Deleted since the finding was raised (or terminated): there is nothing left to fix. */
  | { readonly kind: 'gone'; readonly resourceId: string; readonly detail: string };
