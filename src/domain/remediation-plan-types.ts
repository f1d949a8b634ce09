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

/** What remediation will change, built from current AWS state. Executors carry it out exactly. */
export type RemediationPlan =
  | (PlanTarget & {
      readonly kind: 'revoke-ingress';
      readonly groupId: string;
      readonly groupName?: string;
      readonly revocations: readonly PlannedRevocation[];
    })
  | (PlanTarget & {
      readonly kind: 'require-imdsv2-instance';
      readonly instanceId: string;
      readonly httpPutResponseHopLimit: number;
    })
  | (PlanTarget & {
      readonly kind: 'require-imdsv2-launch-template';
      readonly launchTemplateId: string;
      readonly launchTemplateName?: string;
      /** The version the new one is copied from (the one the groups run now). */
      readonly sourceVersion: number;
      readonly httpPutResponseHopLimit: number;
      /** Groups pinned to a version number, pointed at the new version after it is made default. */
      readonly pinnedGroups: readonly string[];
    });

/** What an executor did, for the message and the audit record. */
export interface RemediationExecution {
  readonly executor: 'ssm' | 'direct';
  /** SSM Automation execution id, when run through SSM. */
  readonly executionId?: string;
  /** Human lines: "revoked sgr-0a1b… (tcp/22 from 0.0.0.0/0)". */
  readonly steps: readonly string[];
}
