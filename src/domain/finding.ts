import type { PublicAccessBlockSettings } from './public-bucket-access.js';
import type { NetworkAclEntryFacts } from './reachability.js';
import type { SecurityGroupRule } from './security-group-rule.js';
import type { Severity } from './severity.js';

export type WorkflowStatus = 'NEW' | 'NOTIFIED' | 'RESOLVED' | 'SUPPRESSED';
export type RecordState = 'ACTIVE' | 'ARCHIVED';
export type ComplianceStatus = 'PASSED' | 'WARNING' | 'FAILED' | 'NOT_AVAILABLE';

/** What Security Hub needs to address a finding in BatchUpdateFindings. */
export interface FindingRef {
  readonly id: string;
  readonly productArn: string;
}

export interface FindingResource {
  /** ASFF resource type, e.g. `AwsEc2SecurityGroup`, `AwsEc2Instance`, `AwsAutoScalingAutoScalingGroup`. */
  readonly type: string;
  /** ASFF `Resources[].Id`: usually an ARN. */
  readonly id: string;
  /** Short id a person recognises: `sg-…`, `i-…`, the Auto Scaling group name. */
  readonly shortId: string;
  readonly region: string;
  readonly partition: string;
  /** Group name, `Name` tag, or similar, when the finding carries one. */
  readonly name?: string;
  readonly tags?: Readonly<Record<string, string>>;
}

/** Resource facts the finding itself carries (ASFF `Resources[].Details`), used before EC2 is asked. */
export type FindingResourceDetails =
  | {
      readonly kind: 'security-group';
      readonly groupId: string;
      readonly groupName?: string;
      readonly vpcId?: string;
      /**
       * The ingress rules the finding carries; absent when it carries none (details without `IpPermissions`):
       * then the rules are unknown until EC2 is read, which is not the same as "no open rules".
       */
      readonly ingressRules?: readonly SecurityGroupRule[];
    }
  | {
      readonly kind: 'instance';
      readonly instanceId: string;
      /** `required` means IMDSv2 only; `optional` allows IMDSv1. */
      readonly httpTokens?: 'required' | 'optional';
      readonly httpPutResponseHopLimit?: number;
      readonly subnetId?: string;
      readonly vpcId?: string;
      readonly publicIp?: string;
    }
  | {
      readonly kind: 'auto-scaling-group';
      readonly groupName: string;
      readonly launchConfigurationName?: string;
      readonly launchTemplateId?: string;
      readonly launchTemplateName?: string;
      readonly launchTemplateVersion?: string;
    }
  | {
      readonly kind: 'launch-configuration';
      readonly launchConfigurationName: string;
      /** `MetadataOptions.HttpTokens`: `required` means IMDSv2 only. */
      readonly httpTokens?: 'required' | 'optional';
      readonly httpPutResponseHopLimit?: number;
    }
  | {
      /** EC2.21: the ACL as the finding saw it; remediation reads it again from EC2. */
      readonly kind: 'network-acl';
      readonly networkAclId: string;
      readonly vpcId?: string;
      readonly isDefault?: boolean;
      readonly subnetIds: readonly string[];
      /** Absent when the finding carries no entries: unknown, not "no entry". */
      readonly entries?: readonly NetworkAclEntryFacts[];
    }
  | {
      /** S3.8: the bucket as the finding saw it; remediation reads it again from S3. */
      readonly kind: 'bucket';
      readonly bucketName: string;
      readonly ownerAccountId?: string;
      /** Absent when the finding carries none: unknown, not "all off". */
      readonly publicAccessBlock?: PublicAccessBlockSettings;
    }
  | { readonly kind: 'none' };

/**
 * A Security Hub finding normalized from ASFF (or, later, OCSF). Timestamps are ISO-8601 strings in UTC.
 * Nothing here is trusted for what the bot changes in AWS: remediation always re-reads current state.
 */
export interface Finding extends FindingRef {
  /** Consolidated control id (`EC2.13`) when known, mapped from CIS rule ids for legacy findings. */
  readonly controlId?: string;
  readonly generatorId: string;
  readonly title: string;
  readonly description?: string;
  readonly severity: Severity;
  readonly accountId: string;
  readonly region: string;
  readonly resource: FindingResource;
  readonly details: FindingResourceDetails;
  readonly workflowStatus: WorkflowStatus;
  readonly recordState: RecordState;
  readonly complianceStatus?: ComplianceStatus;
  readonly firstObservedAt: string;
  readonly lastObservedAt: string;
  readonly updatedAt: string;
  readonly remediationUrl?: string;
  /**
   * `Compliance.SecurityControlParameters` by name: the parameter values the control was evaluated with, e.g.
   * EC2.18's `authorizedTcpPorts: ['80', '443', '8443']`. Absent when the finding carries none (defaults apply).
   */
  readonly controlParameters?: Readonly<Record<string, readonly string[]>>;
  /** What was cut to keep the finding storable and postable (see `boundFinding`); absent when nothing was. */
  readonly truncated?: FindingTruncation;
}

export interface FindingTruncation {
  /** Dotted field names, e.g. `title`, `resource.tags`, `details.ingressRules`. */
  readonly fields: readonly string[];
  /** Ingress rules beyond the limit, not kept: the message says how many are not shown. */
  readonly rulesDropped?: number;
}

/** Findings the bot cares about are active, failing (or without compliance, for non-control products) and open. */
export function isOpen(finding: Pick<Finding, 'recordState' | 'workflowStatus'>): boolean {
  return (
    finding.recordState === 'ACTIVE' &&
    (finding.workflowStatus === 'NEW' || finding.workflowStatus === 'NOTIFIED')
  );
}
