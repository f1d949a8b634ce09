import type { AccountPublicAccess, BucketAccess } from './public-bucket-access.js';
import type { LaunchConfigurationSettings } from './launch-configuration-migration.js';
import type { NetworkAclFacts, NetworkReach } from './reachability.js';
import type { KeptMetadataOptions } from './remediation-plan-types.js';
import type { SecurityGroupRule } from './security-group-rule.js';

/** The metadata options of one launch template version, as EC2 describes it. */
export interface LaunchTemplateVersionOptions extends KeptMetadataOptions {
  readonly version: number;
  readonly httpTokens: 'required' | 'optional';
  readonly httpPutResponseHopLimit?: number;
}

/** An Auto Scaling group that launches from the template, with its version spec resolved. */
export interface LaunchTemplateUser {
  readonly groupName: string;
  /** `$Default`, `$Latest` or a version number; a group that names no version uses `$Default`. */
  readonly versionSpec: string;
  /** The version number `versionSpec` resolves to now. */
  readonly runs: number;
  readonly mixedInstancesPolicy: boolean;
}

/**
 * A launch template as the finding's Auto Scaling group uses it (AutoScaling.3 through a group), or the finding's
 * template itself (EC2.170), with every group that uses it.
 */
export interface LaunchTemplateInUse {
  readonly launchTemplateId: string;
  readonly launchTemplateName?: string;
  readonly defaultVersion: number;
  readonly latestVersion: number;
  /** The group the finding is about; absent when the finding is about the template, whose `$Default` is checked. */
  readonly findingGroup?: string;
  /** Every group that launches from the template (the finding's group included). */
  readonly users: readonly LaunchTemplateUser[];
  /** The metadata options of every version a group runs (and of the default version when no group is the finding's). */
  readonly versions: readonly LaunchTemplateVersionOptions[];
}

/** The launch template named as the bot's migration of a launch configuration names it, as EC2 describes it now. */
export interface MigratedTemplate {
  readonly launchTemplateId: string;
  readonly launchTemplateName: string;
  readonly defaultVersion: number;
  /** Its default version's metadata options. */
  readonly httpTokens: 'required' | 'optional';
  readonly httpPutResponseHopLimit?: number;
  /** Its default version carries the migration's description: the bot made it (a retry may reuse it). */
  readonly madeByBot: boolean;
  /** Groups that launch from it, with the version they name (`$Default` when none). */
  readonly users: readonly { readonly groupName: string; readonly versionSpec: string }[];
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
      /** Read for a default group (EC2.2), whose outbound rules fail the control too. */
      readonly egressRules?: readonly SecurityGroupRule[];
      /** Network interfaces that use the group (`eni-…` and what they belong to). */
      readonly interfaces?: readonly { readonly networkInterfaceId: string; readonly attachedTo?: string }[];
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
      /** AutoScaling.4: its `MetadataOptions.HttpPutResponseHopLimit`; absent when it sets none (instances get 1). */
      readonly httpPutResponseHopLimit?: number;
      /** Everything the migration to a launch template carries over. */
      readonly settings?: LaunchConfigurationSettings;
      /** The launch template the bot's migration makes from it (by its fixed name), when it exists already. */
      readonly migratedTemplate?: MigratedTemplate;
    }
  | { readonly kind: 'launch-template'; readonly template: LaunchTemplateInUse }
  /** EC2.21 reports on a network ACL: its entries (both families, both directions) and its subnets. */
  | { readonly kind: 'network-acl'; readonly acl: NetworkAclFacts }
  /** S3.8 reports on a bucket: its own Block Public Access, its policy and ACL, and the account's setting. */
  | { readonly kind: 'bucket'; readonly bucket: BucketAccess }
  /** S3.1 reports on the account: its Block Public Access and what its buckets grant the public today. */
  | { readonly kind: 'account-public-access'; readonly account: AccountPublicAccess }
  /** Deleted since the finding was raised (or terminated): there is nothing left to fix. */
  | { readonly kind: 'gone'; readonly resourceId: string; readonly detail: string };
