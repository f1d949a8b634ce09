import { BatchUpdateFindingsV2Command, paginateGetFindingsV2 } from '@aws-sdk/client-securityhub';
import type {
  BatchUpdateFindingsV2Response,
  CompositeFilter,
  OcsfFindingFilters,
  OcsfFindingIdentifier,
  SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import type { FindingRef, WorkflowStatus } from '../domain/finding.js';
import { cutToLength } from '../domain/finding-bounds.js';
import type { AwsCallContext, AwsScope } from './errors.js';
import { clientRegion, translateAwsError } from './errors.js';
import type { FindingsPage, UnprocessedFinding, WorkflowUpdateResult } from './security-hub-findings.js';
import { groupedCalls, MAX_PAGE_SIZE, OPEN_END, translatedPages } from './security-hub-findings.js';

/** BatchUpdateFindingsV2's `Comment`: 1 to 512 characters (API reference). */
export const MAX_COMMENT_LENGTH = 512;
/** Findings per BatchUpdateFindingsV2 call, as for the ASFF API. */
export const MAX_FINDINGS_PER_V2_UPDATE = 100;

/**
 * ASFF workflow status → OCSF `status_id` (1 New, 2 In Progress, 3 Suppressed, 4 Resolved), the mapping AWS's own
 * remediation solution writes with; ocsf-finding.ts reads it back the same way.
 */
export const OCSF_STATUS_ID: Readonly<Record<WorkflowStatus, number>> = {
  NEW: 1,
  NOTIFIED: 2,
  SUPPRESSED: 3,
  RESOLVED: 4,
};

/** A finding as the newer Security Hub identifies it: its uid, its product and its account. */
export interface V2FindingRef extends FindingRef {
  readonly accountId: string;
}

export interface V2WorkflowUpdate {
  readonly ref: V2FindingRef;
  readonly status: WorkflowStatus;
  /** The note the decision writes ("Suppressed from Slack by alice: …"). */
  readonly text: string;
  /** The decision's id, put at the end of the comment and kept there when the comment is cut. */
  readonly decisionId?: string;
}

/** "<note> (decision <id>)", at most 512 characters: the note is cut, never the decision id. */
export function commentOf(update: Pick<V2WorkflowUpdate, 'text' | 'decisionId'>): string {
  if (!/\S/.test(update.text))
    throw new RangeError('a BatchUpdateFindingsV2 comment needs a non-space character');
  const end = update.decisionId === undefined ? '' : ` (decision ${update.decisionId})`;
  // The decision id ties Security Hub back to the audit trail: the note is cut before it, never the id.
  return cutToLength(`${update.text}${end}`, MAX_COMMENT_LENGTH, end);
}

/** Findings modified since the cursor, with a fixed end so that every page of one run asks the same question. */
function modifiedSinceFilters(modifiedSince: string): Pick<CompositeFilter, 'DateFilters'> {
  return {
    DateFilters: [
      { FieldName: 'finding_info.modified_time_dt', Filter: { Start: modifiedSince, End: OPEN_END } },
    ],
  };
}

/**
 * GetFindingsV2 filters for the sync: compliance findings at or above `minSeverityId`, and when resuming only those
 * modified since the cursor (with a fixed end, so every page of one run asks the same question).
 */
export function complianceFindingsFilters(minSeverityId: number, modifiedSince?: string): OcsfFindingFilters {
  return {
    CompositeOperator: 'AND',
    CompositeFilters: [
      {
        Operator: 'AND',
        StringFilters: [
          { FieldName: 'class_name', Filter: { Value: 'Compliance Finding', Comparison: 'EQUALS' } },
        ],
        NumberFilters: [
          { FieldName: 'severity_id', Filter: { Gte: minSeverityId } },
          // The first run backfills what is open and failing now: New or In Progress, compliance Fail.
          ...(modifiedSince === undefined
            ? [
                { FieldName: 'status_id' as const, Filter: { Gte: 1, Lte: 2 } },
                { FieldName: 'compliance.status_id' as const, Filter: { Eq: 3 } },
              ]
            : []),
        ],
        ...(modifiedSince !== undefined && modifiedSinceFilters(modifiedSince)),
      },
    ],
  };
}

/**
 * GetFindingsV2 filters for the exposure sync: exposure findings of every severity (an exposure enriches findings the
 * bot already posts); the first run only those open now (New or In Progress), a resumed one every exposure modified
 * since the cursor, so one resolved or archived there reaches the findings it enriched.
 */
export function exposureFindingsFilters(modifiedSince?: string): OcsfFindingFilters {
  return {
    CompositeOperator: 'AND',
    CompositeFilters: [
      {
        Operator: 'AND',
        StringFilters: [
          { FieldName: 'class_name', Filter: { Value: 'Detection Finding', Comparison: 'EQUALS' } },
          { FieldName: 'finding_info.analytic.name', Filter: { Value: 'Exposure', Comparison: 'EQUALS' } },
        ],
        ...(modifiedSince === undefined
          ? { NumberFilters: [{ FieldName: 'status_id', Filter: { Gte: 1, Lte: 2 } }] }
          : modifiedSinceFilters(modifiedSince)),
      },
    ],
  };
}

const SERVICE = 'Security Hub';

/** Reads findings from and writes decisions to the newer Security Hub (OCSF: GetFindingsV2, BatchUpdateFindingsV2). */
export class SecurityHubV2Findings {
  readonly #client: SecurityHubClient;
  readonly #scope: AwsScope;

  constructor(client: SecurityHubClient, scope: AwsScope = {}) {
    this.#client = client;
    this.#scope = scope;
  }

  /** Every page of OCSF findings matching `filters`, oldest modification first, so a stopped sync can resume. */
  async *pages(filters: OcsfFindingFilters): AsyncGenerator<FindingsPage, void, undefined> {
    const pages = paginateGetFindingsV2(
      { client: this.#client, pageSize: MAX_PAGE_SIZE },
      {
        Filters: filters,
        SortCriteria: [{ Field: 'finding_info.modified_time_dt', SortOrder: 'asc' }],
        MaxResults: MAX_PAGE_SIZE,
      },
    );
    yield* translatedPages(pages, () => this.#call('GetFindingsV2'));
  }

  /**
   * Sets status and comment on findings, one call per status and comment, at most 100 findings a call. What the
   * service could not update comes back in `unprocessed` with its reason; a call that fails outright throws.
   */
  async updateWorkflow(items: readonly V2WorkflowUpdate[]): Promise<WorkflowUpdateResult> {
    const processed: FindingRef[] = [];
    const unprocessed: UnprocessedFinding[] = [];
    const calls = groupedCalls(
      items.map((item) => {
        const comment = commentOf(item);
        return {
          setting: { status: item.status, comment },
          settingKey: JSON.stringify([item.status, comment]),
          ref: item.ref,
          refKey: JSON.stringify([item.ref.id, item.ref.productArn, item.ref.accountId]),
        };
      }),
      MAX_FINDINGS_PER_V2_UPDATE,
    );
    for (const { setting: batch, refs } of calls) {
      let output: BatchUpdateFindingsV2Response;
      try {
        output = await this.#client.send(
          new BatchUpdateFindingsV2Command({
            FindingIdentifiers: refs.map(identifierOf),
            StatusId: OCSF_STATUS_ID[batch.status],
            Comment: batch.comment,
          }),
        );
      } catch (error) {
        throw translateAwsError(
          error,
          await this.#call('BatchUpdateFindingsV2', refs.length === 1 ? refs[0]?.id : undefined),
        );
      }
      for (const finding of output.ProcessedFindings ?? []) {
        const ref = refOf(finding.FindingIdentifier);
        if (ref) processed.push(ref);
      }
      for (const finding of output.UnprocessedFindings ?? []) {
        const ref = refOf(finding.FindingIdentifier);
        if (!ref) continue;
        unprocessed.push({
          ref,
          ...(finding.ErrorCode ? { errorCode: finding.ErrorCode } : {}),
          ...(finding.ErrorMessage ? { errorMessage: finding.ErrorMessage } : {}),
        });
      }
    }
    return { processed, unprocessed };
  }

  async #call(operation: string, resourceId?: string): Promise<AwsCallContext> {
    return {
      service: SERVICE,
      operation,
      accountId: this.#scope.accountId,
      region: this.#scope.region ?? (await clientRegion(this.#client)),
      resourceId,
    };
  }
}

function identifierOf(ref: V2FindingRef): OcsfFindingIdentifier {
  return { CloudAccountUid: ref.accountId, FindingInfoUid: ref.id, MetadataProductUid: ref.productArn };
}

function refOf(identifier: OcsfFindingIdentifier | undefined): FindingRef | undefined {
  if (!identifier?.FindingInfoUid || !identifier.MetadataProductUid) return undefined;
  return { id: identifier.FindingInfoUid, productArn: identifier.MetadataProductUid };
}
