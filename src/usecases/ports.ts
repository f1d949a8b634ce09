import type { DateTime } from 'luxon';
import type { AccountImdsDefaults } from '../domain/account-imds-defaults.js';
import type { CurrentResource } from '../domain/current-resource.js';
import type { FindingNotice } from '../domain/finding-notice.js';
import type { Finding, FindingRef, WorkflowStatus } from '../domain/finding.js';
import type { PlanTarget, RemediationExecution, RemediationPlan } from '../domain/remediation-plan-types.js';
import type { NetworkReach } from '../domain/reachability.js';
import type { SecurityGroupRule } from '../domain/security-group-rule.js';
import type { FindingRecord } from '../store/finding-repository.js';
import type { FindingGroup } from '../store/finding-group-repository.js';
import type { IngestItem } from './ingest-findings.js';
import type { CountMetric, DecisionDimensions, DurationMetric } from './bot-metrics.js';

/** The time, injected so use cases and tests agree on "now". */
export interface Clock {
  now(): DateTime;
}

/** Keys every line of a job carries (findingId, controlId, accountId, slackUserId, decisionId, …). */
export type LogKeys = Readonly<Record<string, string>>;

/** Structured logger (Powertools Logger in the runtimes, a recorder in tests). */
export interface Log {
  debug(message: string, ...extra: unknown[]): void;
  info(message: string, ...extra: unknown[]): void;
  warn(message: string, ...extra: unknown[]): void;
  error(message: string, ...extra: unknown[]): void;
  /** A log whose every line also carries `keys`; this one is left as it is. Absent: lines carry only their fields. */
  withKeys?(keys: LogKeys): Log;
}

/**
 * Operational metrics (CloudWatch EMF in the Lambdas; absent locally). Names come from usecases/bot-metrics, so the
 * stack's alarms and dashboard read what the code emits.
 */
export interface Metrics {
  count(name: CountMetric, n: number, dimensions?: DecisionDimensions): void;
  duration(name: DurationMetric, ms: number): void;
}

/** Whether a post whose answer was lost is in the channel after all. */
export type PostedLookup =
  | {
      readonly kind: 'found';
      readonly ts: string;
      /** The record version the message shows. */ readonly version?: number;
    }
  /** `complete: false` when the channel had too many messages since then to read them all. */
  | { readonly kind: 'not-found'; readonly complete: boolean };

/** Where a finding's message is posted: Slack in production, the console in a dry run. */
export interface FindingMessenger {
  /**
   * Posts the finding's message, tagged with the record's `findingId` and version so a lost post can be found.
   * With `threadTs` (a grouped finding), the message is a reply in that grouped message's thread.
   */
  post(channel: string, record: FindingRecord, threadTs?: string): Promise<{ channel: string; ts: string }>;
  /** Looks for this finding's message posted in `channel` (in the thread of `threadTs`, if given) since `since` (ISO time). */
  findPosted(channel: string, record: FindingRecord, since: string, threadTs?: string): Promise<PostedLookup>;
  update(channel: string, ts: string, record: FindingRecord): Promise<void>;
  /** Mark an old message as superseded (no buttons) before the finding is posted afresh. */
  retire(channel: string, ts: string, record: FindingRecord): Promise<void>;
  /** A reply in the finding's thread (the grouped message's thread for a grouped finding; the channel if it has no message yet). */
  notify(record: FindingRecord, notice: FindingNotice): Promise<void>;
}

/** Where a grouped message (many new findings of one control in one channel) is posted and kept up to date. */
export interface GroupMessenger {
  /** Posts it, tagged with the group id so a lost post can be found. */
  postGroup(group: FindingGroup, members: readonly FindingRecord[]): Promise<{ channel: string; ts: string }>;
  updateGroup(group: FindingGroup, ts: string, members: readonly FindingRecord[]): Promise<void>;
  findPostedGroup(group: FindingGroup, since: string): Promise<PostedLookup>;
}

/** Current state of a security group, read from EC2 in the finding's account and region. */
export interface SecurityGroupInspector {
  inspect(
    finding: Finding,
    groupId: string,
  ): Promise<{ ingressRules: SecurityGroupRule[]; reach: NetworkReach }>;
}

/** Findings from Security Hub, normalized, oldest update first, from `updatedSince` on (or a backfill). */
export interface FindingSource {
  pages(updatedSince: string | undefined): AsyncIterable<readonly IngestItem[]>;
}

/** Reads the finding's resource from AWS now, in the finding's account and region. */
export interface ResourceStateReader {
  read(finding: Finding): Promise<CurrentResource>;
}

/** The account's IMDS defaults in one Region, read now (the account-wide fix offered with EC2.8 and EC2.170). */
export interface AccountImdsDefaultsReader {
  readImdsDefaults(target: PlanTarget): Promise<AccountImdsDefaults>;
}

/** Who asked for a change, carried into AWS's own records (role session name, automation tags) for CloudTrail. */
export interface ChangeAttribution {
  readonly findingId: string;
  readonly decisionId: string;
  /** The Slack user who confirmed it; absent for an automatic remediation. */
  readonly slackUserId?: string;
}

/** Carries out a remediation plan (SSM Automation or direct EC2 calls). Failures throw typed AWS errors. */
export interface Remediator {
  execute(plan: RemediationPlan, context: ChangeAttribution): Promise<RemediationExecution>;
}

/** One finding's new workflow status and note, for the Security Hub that holds that copy of it. */
export interface WorkflowUpdate {
  /** Security Hub CSPM's copy (`product/…`) or the newer Security Hub's (`productv2/…`, which also needs the account). */
  readonly ref: FindingRef & { readonly accountId?: string };
  readonly status: WorkflowStatus;
  readonly note: { readonly text: string; readonly updatedBy: string };
  /** Kept at the end of the newer Security Hub's comment, which is cut to 512 characters. */
  readonly decisionId?: string;
}

/**
 * Security Hub workflow updates (BatchUpdateFindings, BatchUpdateFindingsV2 for `productv2/` refs); unprocessed
 * findings come back, never silently dropped.
 */
export interface FindingWorkflow {
  updateWorkflow(items: readonly WorkflowUpdate[]): Promise<{
    processed: FindingRef[];
    unprocessed: { ref: FindingRef; errorCode?: string; errorMessage?: string }[];
  }>;
}

/** Slack users: group membership for authorization, display names for the audit trail. */
export interface UserDirectory {
  userGroupsOf(userId: string): Promise<string[]>;
  displayName(userId: string): Promise<string | undefined>;
}

export interface IdGenerator {
  newId(): string;
}

/** Hands an automatic remediation to the work queue (it runs after ingest, like a confirmed one). */
export interface AutoRemediationQueue {
  enqueueAutoRemediation(input: { findingId: string; attempt: number; maxAttempts: number }): Promise<void>;
}
