import type { PublicAccessBlockSettings } from './public-bucket-access.js';
import type { PlannedLaunchTemplateData } from './launch-configuration-migration.js';

/** Where a plan acts: every plan names its account and region so executors pick the right credentials. */
export interface PlanTarget {
  readonly accountId: string;
  readonly region: string;
}

/** One security group rule to revoke, by id, with its description in words for the confirmation. */
export interface PlannedRevocation {
  readonly ruleId: string;
  /** "tcp/22 from 0.0.0.0/0" */
  readonly words: string;
}

/** A hop limit before and after the change; `before` is absent when the resource does not set one. */
export interface PlannedHopLimit {
  readonly before?: number;
  readonly after: number;
}

/**
 * The metadata options of a launch template version that the new version keeps as they are. Only the options the
 * source version sets are listed: the new version's `MetadataOptions` replaces the source's whole, so every one of
 * them must be sent again.
 */
export interface KeptMetadataOptions {
  readonly httpEndpoint?: 'enabled' | 'disabled';
  readonly httpProtocolIpv6?: 'enabled' | 'disabled';
  readonly instanceMetadataTags?: 'enabled' | 'disabled';
}

/**
 * What happens to one Auto Scaling group that launches from the template:
 * - `point-to-new`: it ran the fixed version and is pointed at the new version by number;
 * - `follows-new`: it ran the fixed version through `$Latest` or `$Default`, which will name the new version;
 * - `pin`: it follows `$Latest` (or `$Default`) to another version; pinned to that number so nothing changes for it;
 * - `unchanged`: it runs another version that the change does not move.
 */
export interface PlannedGroupChange {
  readonly groupName: string;
  /** `$Default`, `$Latest` or a version number, as the group names it now. */
  readonly versionBefore: string;
  /** The version number that resolves to now. */
  readonly runs: number;
  readonly change: 'point-to-new' | 'follows-new' | 'pin' | 'unchanged';
  /** The template sits in the group's mixed instances policy (kept as it is when the version changes). */
  readonly mixedInstancesPolicy: boolean;
}

/**
 * One inbound deny entry to add to a network ACL (EC2.21): tcp to one port from the whole address space of one
 * family, numbered just ahead of the allow entry that lets that traffic in now. The user's entries stay as they are.
 */
export interface PlannedNetworkAclDeny {
  readonly ruleNumber: number;
  /** `0.0.0.0/0` or `::/0`. */
  readonly cidr: string;
  readonly family: 'ipv4' | 'ipv6';
  readonly port: number;
  /** The allow entry this deny goes ahead of. */
  readonly aheadOfRuleNumber: number;
  /** "rule 99: deny tcp/22 from 0.0.0.0/0, ahead of rule 100 (allow all traffic from 0.0.0.0/0)" */
  readonly words: string;
}

/** S3.5: the bucket policy with one statement added that denies every request not sent over TLS. */
export interface TlsOnlyBucketPolicyPlan extends PlanTarget {
  readonly kind: 'require-tls-only-bucket-policy';
  readonly bucketName: string;
  /** The whole policy the executors put, byte for byte: the statements read when planned, unchanged, then the deny. */
  readonly policy: string;
  /** The Sid of the added statement. */
  readonly statementSid: string;
  /** The bucket had a policy when planned (otherwise the policy is new and holds only the deny). */
  readonly hadPolicy: boolean;
}

/** What remediation will change, built from current AWS state. Executors carry it out exactly. */
export type RemediationPlan =
  | (PlanTarget & {
      readonly kind: 'revoke-ingress';
      readonly groupId: string;
      readonly groupName?: string;
      readonly revocations: readonly PlannedRevocation[];
    })
  | (PlanTarget & {
      /** EC2.2: every inbound and outbound rule of a VPC's default security group goes. */
      readonly kind: 'empty-default-group';
      readonly groupId: string;
      readonly groupName?: string;
      readonly ingress: readonly PlannedRevocation[];
      readonly egress: readonly PlannedRevocation[];
      /** Network interfaces that use the group now: with any, the plan runs only if the person confirmed the group. */
      readonly interfacesInUse: readonly string[];
    })
  | (PlanTarget & {
      readonly kind: 'require-imdsv2-instance';
      readonly instanceId: string;
      /** The hop limit after the change; sent to EC2 only when it differs from `hopLimitBefore`. */
      readonly httpPutResponseHopLimit: number;
      readonly hopLimitBefore?: number;
    })
  | (PlanTarget & {
      readonly kind: 'require-imdsv2-launch-template';
      readonly launchTemplateId: string;
      readonly launchTemplateName?: string;
      /** The version the new one is copied from: the one the finding's group runs now. */
      readonly sourceVersion: number;
      readonly httpPutResponseHopLimit: number;
      readonly hopLimitBefore?: number;
      readonly keptMetadataOptions: KeptMetadataOptions;
      /** Make the new version `$Default` (only when the finding's group follows `$Default`). */
      readonly makeDefault: boolean;
      /** Every group that launches from the template, and what happens to it. */
      readonly groups: readonly PlannedGroupChange[];
    })
  | (PlanTarget & {
      /** EC2.21: deny entries ahead of the allow entries that let SSH/RDP in from the whole internet. */
      readonly kind: 'deny-network-acl-ingress';
      readonly networkAclId: string;
      /** The subnets associated with the ACL when planned: where SSH/RDP from the internet stops. */
      readonly subnetIds: readonly string[];
      readonly denies: readonly PlannedNetworkAclDeny[];
    })
  | TlsOnlyBucketPolicyPlan
  | (PlanTarget & {
      /**
       * Offered with EC2.8 and EC2.170: the account's IMDS defaults in one Region require IMDSv2 for instances
       * launched from now on (ModifyInstanceMetadataDefaults). Running instances and templates are not changed.
       */
      readonly kind: 'require-imdsv2-account-defaults';
      /** The default hop limit after the change; sent to EC2 only when it differs from `hopLimitBefore`. */
      readonly httpPutResponseHopLimit: number;
      /** Absent when the account sets no default hop limit ("no preference"). */
      readonly hopLimitBefore?: number;
      /** The other defaults as read when planned: never sent, and read back to prove they did not change. */
      readonly keptDefaults: KeptAccountImdsDefaults;
    })
  | (PlanTarget & {
      /** S3.8: the bucket's Block Public Access, all four settings on (PutPublicAccessBlock in the bucket's Region). */
      readonly kind: 'block-bucket-public-access';
      readonly bucketName: string;
      /** As configured before the change; absent when none was (every setting off). */
      readonly settingsBefore?: PublicAccessBlockSettings;
      /**
       * What gives the public access today and stops working, in words (policy statements, ACL grants). Part of
       * the plan so that a statement added after the person confirmed changes the plan, and nothing runs.
       */
      readonly stopsWorking: readonly string[];
    })
  | (PlanTarget & {
      /** S3.1: the account's Block Public Access, all four settings on (S3 Control PutPublicAccessBlock). */
      readonly kind: 'block-account-public-access';
      /** As configured before the change; absent when none was (every setting off). */
      readonly settingsBefore?: PublicAccessBlockSettings;
      /**
       * The buckets whose public access stops, named when planned: a bucket made public after the person confirmed
       * changes the plan, and nothing runs (the notes say what stops in each).
       */
      readonly exposedBuckets: readonly string[];
    })
  | (PlanTarget & {
      /**
       * AutoScaling.3 / AutoScaling.4: a launch template made from the launch configuration (IMDSv2 required, the
       * planned hop limit), and every group that launches from the configuration moved to it (`$Default`).
       */
      readonly kind: 'migrate-launch-configuration';
      readonly launchConfigurationName: string;
      /** Always the same for one configuration (see `migratedTemplateName`). */
      readonly launchTemplateName: string;
      /** Set when the bot's template of that name exists already (a retried migration): reused, never made twice. */
      readonly existingLaunchTemplateId?: string;
      readonly launchTemplateData: PlannedLaunchTemplateData;
      readonly httpPutResponseHopLimit: number;
      readonly hopLimitBefore?: number;
      /** The groups that launch from the configuration now, each moved to the template. */
      readonly groups: readonly string[];
      /**
       * Start an instance refresh on each group once it is moved: only when the person ticked it in the dialog,
       * never in the plan as built, never for auto-remediation.
       */
      readonly startInstanceRefresh: boolean;
    });

/** The account IMDS defaults the account fix leaves as they are (absent: no preference). */
export interface KeptAccountImdsDefaults {
  readonly httpEndpoint?: 'enabled' | 'disabled';
  readonly instanceMetadataTags?: 'enabled' | 'disabled';
}

/** What an executor did, for the message and the audit record. */
export interface RemediationExecution {
  readonly executor: 'ssm' | 'direct';
  /** SSM Automation execution id, when run through SSM. */
  readonly executionId?: string;
  /** Human lines: "revoked sgr-0a1b… (tcp/22 from 0.0.0.0/0)". */
  readonly steps: readonly string[];
}
