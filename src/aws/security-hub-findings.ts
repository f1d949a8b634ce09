import { BatchUpdateFindingsCommand, paginateGetFindings } from '@aws-sdk/client-securityhub';
import type {
  AwsSecurityFindingFilters,
  BatchUpdateFindingsResponse,
  SecurityHubClient,
  StringFilter,
} from '@aws-sdk/client-securityhub';
import type { FindingRef, WorkflowStatus } from '../domain/finding.js';
import { cutToLength } from '../domain/finding-bounds.js';
import type { Severity } from '../domain/severity.js';
import type { AwsCallContext, AwsScope } from './errors.js';
import { clientRegion, translateAwsError } from './errors.js';

/** GetFindings returns at most 100 findings a page. */
export const MAX_PAGE_SIZE = 100;
/** BatchUpdateFindings takes at most 100 findings a call. */
export const MAX_FINDINGS_PER_UPDATE = 100;
/** Security Hub's limit on `Note.Text` and `Note.UpdatedBy` (API reference, `Note`). */
export const MAX_NOTE_LENGTH = 512;

/**
 * Security Hub rejects a date filter with `Start` alone. A fixed end, rather than "now", keeps the request the
 * same on every page (a changing filter invalidates `NextToken`) and keeps this function pure.
 */
export const OPEN_END = '9999-12-31T23:59:59Z';

export interface OpenFindingsQuery {
  /** Severity labels to include; at least one. */
  readonly severities: readonly Severity[];
  /** Only findings updated at or after this instant (ISO-8601), to resume a sync. */
  readonly updatedSince?: string;
  /** Upper bound for `updatedSince`; defaults to {@link OPEN_END}. */
  readonly updatedUntil?: string;
}

const equals = (value: string): StringFilter => ({ Value: value, Comparison: 'EQUALS' });
const notEquals = (value: string): StringFilter => ({ Value: value, Comparison: 'NOT_EQUALS' });

/**
 * Filters for findings the bot should show: active, still open (NEW or NOTIFIED), of the given severities, and
 * failing — or without a compliance status at all (findings of products other than Security Hub's controls).
 *
 * Security Hub ANDs different fields and ORs EQUALS values of one field, and it refuses EQUALS and NOT_EQUALS on
 * the same field, so "FAILED or absent" has no direct form. We exclude the three other statuses instead
 * (NOT_EQUALS values are ANDed): every FAILED finding matches, no PASSED/WARNING/NOT_AVAILABLE one does, in a
 * single query that keeps one cursor. Whether a finding without `Compliance` matches NOT_EQUALS is not documented;
 * if it does not, this query is exactly `ComplianceStatus EQUALS FAILED`, never less.
 */
export function openFindingsFilters(query: OpenFindingsQuery): AwsSecurityFindingFilters {
  const severities = [...new Set(query.severities)];
  if (severities.length === 0) throw new RangeError('openFindingsFilters needs at least one severity');
  return {
    RecordState: [equals('ACTIVE')],
    WorkflowStatus: [equals('NEW'), equals('NOTIFIED')],
    ComplianceStatus: [notEquals('PASSED'), notEquals('WARNING'), notEquals('NOT_AVAILABLE')],
    // Labels compare case-sensitively; ours are already Security Hub's upper-case labels.
    SeverityLabel: severities.map(equals),
    ...(query.updatedSince !== undefined
      ? { UpdatedAt: [{ Start: query.updatedSince, End: query.updatedUntil ?? OPEN_END }] }
      : {}),
  };
}

export interface FindingsPage {
  /** ASFF findings exactly as Security Hub returned them; the normalizer decides what they mean. */
  readonly findings: unknown[];
  readonly nextToken?: string;
}

export interface FindingWorkflowUpdate {
  readonly ref: FindingRef;
  readonly status: WorkflowStatus;
  readonly note: { readonly text: string; readonly updatedBy: string };
}

export interface UnprocessedFinding {
  readonly ref: FindingRef;
  /** Security Hub's code, e.g. `FindingNotFound`, `ConcurrentUpdateError`. */
  readonly errorCode?: string;
  readonly errorMessage?: string;
}

export interface WorkflowUpdateResult {
  readonly processed: FindingRef[];
  readonly unprocessed: UnprocessedFinding[];
}

const SERVICE = 'Security Hub';

/** Reads findings from and writes workflow decisions to Security Hub (the ASFF API, "Security Hub CSPM"). */
export class SecurityHubFindings {
  readonly #client: SecurityHubClient;
  readonly #scope: AwsScope;

  /** `scope` names the account and region of `client` in errors; the region defaults to the client's. */
  constructor(client: SecurityHubClient, scope: AwsScope = {}) {
    this.#client = client;
    this.#scope = scope;
  }

  /**
   * Every page of findings that match `filters`, oldest update first, so a sync that stops can resume from the
   * last `UpdatedAt` it stored. Throttling is retried by the client's retry strategy, not here.
   */
  async *pages(
    filters: AwsSecurityFindingFilters,
    options: { readonly pageSize?: number } = {},
  ): AsyncGenerator<FindingsPage, void, undefined> {
    const pageSize = options.pageSize ?? MAX_PAGE_SIZE;
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
      throw new RangeError(`pageSize must be an integer from 1 to ${MAX_PAGE_SIZE}, got ${pageSize}`);
    }
    const pages = paginateGetFindings(
      { client: this.#client, pageSize },
      { Filters: filters, SortCriteria: [{ Field: 'UpdatedAt', SortOrder: 'asc' }], MaxResults: pageSize },
    );
    yield* translatedPages(pages, () => this.#call('GetFindings'));
  }

  /**
   * Sets workflow status and note on findings. One BatchUpdateFindings call carries one status and one note, so
   * items are grouped by both and sent in chunks of at most 100. Findings Security Hub could not update come back
   * in `unprocessed` with its reason. A call that fails outright throws; calls made before it stay applied, and
   * repeating the whole update only sets the same values again.
   */
  async updateWorkflow(items: readonly FindingWorkflowUpdate[]): Promise<WorkflowUpdateResult> {
    const processed: FindingRef[] = [];
    const unprocessed: UnprocessedFinding[] = [];
    const calls = groupedCalls(
      items.map((item) => {
        const note = {
          Text: fitNoteField(item.note.text, 'text'),
          UpdatedBy: fitNoteField(item.note.updatedBy, 'updatedBy'),
        };
        return {
          setting: { status: item.status, note },
          settingKey: JSON.stringify([item.status, note.Text, note.UpdatedBy]),
          ref: item.ref,
          refKey: JSON.stringify([item.ref.id, item.ref.productArn]),
        };
      }),
      MAX_FINDINGS_PER_UPDATE,
    );
    for (const { setting: batch, refs } of calls) {
      let output: BatchUpdateFindingsResponse;
      try {
        output = await this.#client.send(
          new BatchUpdateFindingsCommand({
            FindingIdentifiers: refs.map((ref) => ({ Id: ref.id, ProductArn: ref.productArn })),
            Workflow: { Status: batch.status },
            Note: batch.note,
          }),
        );
      } catch (error) {
        throw translateAwsError(
          error,
          await this.#call('BatchUpdateFindings', refs.length === 1 ? refs[0]?.id : undefined),
        );
      }
      for (const identifier of output.ProcessedFindings ?? []) {
        const ref = toRef(identifier);
        if (ref) processed.push(ref);
      }
      for (const finding of output.UnprocessedFindings ?? []) {
        const ref = toRef(finding.FindingIdentifier);
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

/**
 * The pages of a Security Hub paginator as FindingsPage, the SDK's faults translated (only the call's: whatever the
 * consumer does between pages is none of ours). Shared by GetFindings and GetFindingsV2.
 */
export async function* translatedPages(
  pages: AsyncIterable<{ Findings?: unknown[] | undefined; NextToken?: string | undefined }>,
  call: () => Promise<AwsCallContext>,
): AsyncGenerator<FindingsPage, void, undefined> {
  const iterator = pages[Symbol.asyncIterator]();
  for (;;) {
    let next: IteratorResult<{ Findings?: unknown[] | undefined; NextToken?: string | undefined }>;
    try {
      next = await iterator.next();
    } catch (error) {
      throw translateAwsError(error, await call());
    }
    if (next.done) return;
    const { Findings, NextToken } = next.value;
    yield { findings: Findings ?? [], ...(NextToken ? { nextToken: NextToken } : {}) };
  }
}

/**
 * One batch update call sets one status and one note (or comment) on its findings: the items grouped by what they
 * set (`settingKey`), each finding once per group (the same finding twice in one call is refused), cut into calls of
 * at most `max` findings. Shared by BatchUpdateFindings and BatchUpdateFindingsV2.
 */
export function groupedCalls<S, R>(
  items: readonly { setting: S; settingKey: string; ref: R; refKey: string }[],
  max: number,
): { setting: S; refs: R[] }[] {
  const groups = new Map<string, { setting: S; refs: Map<string, R> }>();
  for (const item of items) {
    const group = groups.get(item.settingKey) ?? { setting: item.setting, refs: new Map<string, R>() };
    groups.set(item.settingKey, group);
    group.refs.set(item.refKey, item.ref);
  }
  return [...groups.values()].flatMap(({ setting, refs }) => {
    const all = [...refs.values()];
    const calls: { setting: S; refs: R[] }[] = [];
    for (let start = 0; start < all.length; start += max)
      calls.push({ setting, refs: all.slice(start, start + max) });
    return calls;
  });
}

/** Security Hub needs 1–512 characters with at least one non-space; longer text is cut and ends with "…". */
function fitNoteField(value: string, field: 'text' | 'updatedBy'): string {
  if (!/\S/.test(value)) throw new RangeError(`note ${field} must contain a non-space character`);
  return cutToLength(value, MAX_NOTE_LENGTH);
}

function toRef(
  identifier: { Id?: string | undefined; ProductArn?: string | undefined } | undefined,
): FindingRef | undefined {
  if (!identifier?.Id || !identifier.ProductArn) return undefined;
  return { id: identifier.Id, productArn: identifier.ProductArn };
}
