import type {
  AwsSecurityFindingFilters,
  BatchUpdateFindingsRequest,
  BatchUpdateFindingsResponse,
  DateFilter,
  GetFindingsRequest,
  StringFilter,
} from '@aws-sdk/client-securityhub';
import type { AsffFinding } from './estate.js';
import { newerProductArnOf, ocsfOf } from './ocsf-rendering.js';
import { securityHubRefusal } from './service-errors.js';

/** OCSF status ids as BatchUpdateFindingsV2 takes them, as workflow statuses. */
const WORKFLOW_OF_STATUS_ID: Readonly<Record<number, string>> = {
  1: 'NEW',
  2: 'NOTIFIED',
  3: 'SUPPRESSED',
  4: 'RESOLVED',
};

/** A finding in the sandbox's Security Hub, with every note ever set on it (ASFF keeps only the last). */
export interface HubFinding {
  asff: AsffFinding;
  notes: { text: string; updatedBy: string; updatedAt: string; workflowStatus?: string }[];
}

const MAX_RESULTS = 100;

/** Where each string filter the bot (or a person) may use reads its value in ASFF. */
const STRING_FIELDS: Readonly<Record<string, (finding: AsffFinding) => string | undefined>> = {
  Id: (finding) => text(finding['Id']),
  ProductArn: (finding) => text(finding['ProductArn']),
  AwsAccountId: (finding) => text(finding['AwsAccountId']),
  Region: (finding) => text(finding['Region']),
  GeneratorId: (finding) => text(finding['GeneratorId']),
  RecordState: (finding) => text(finding['RecordState']),
  WorkflowStatus: (finding) => text(field(finding, 'Workflow', 'Status')),
  ComplianceStatus: (finding) => text(field(finding, 'Compliance', 'Status')),
  ComplianceSecurityControlId: (finding) => text(field(finding, 'Compliance', 'SecurityControlId')),
  SeverityLabel: (finding) => text(field(finding, 'Severity', 'Label')),
};

const DATE_FIELDS: Readonly<Record<string, (finding: AsffFinding) => string | undefined>> = {
  UpdatedAt: (finding) => text(finding['UpdatedAt']),
  CreatedAt: (finding) => text(finding['CreatedAt']),
  FirstObservedAt: (finding) => text(finding['FirstObservedAt']),
  LastObservedAt: (finding) => text(finding['LastObservedAt']),
};

/** Security Hub's GetFindings and BatchUpdateFindings over the sandbox's findings (every account: the aggregator). */
export class SandboxSecurityHub {
  constructor(
    private readonly findings: HubFinding[],
    private readonly now: () => Date,
    /** The newer Security Hub's exposure findings (OCSF Detection Findings) as last published; GetFindingsV2 only. */
    private readonly exposures: readonly Record<string, unknown>[] = [],
  ) {}

  GetFindings(input: GetFindingsRequest): { Findings: AsffFinding[]; NextToken?: string } {
    const pageSize = input.MaxResults ?? MAX_RESULTS;
    if (pageSize < 1 || pageSize > MAX_RESULTS) {
      throw securityHubRefusal('InvalidInputException', `MaxResults must be between 1 and ${MAX_RESULTS}`);
    }
    const matching = this.findings
      .map((finding) => finding.asff)
      .filter((finding) => matches(finding, input.Filters ?? {}, this.now()));
    const sort = input.SortCriteria?.[0];
    if (sort?.Field) {
      const read = DATE_FIELDS[sort.Field] ?? STRING_FIELDS[sort.Field];
      if (!read)
        throw securityHubRefusal('InvalidInputException', `Sorting by ${sort.Field} is not supported`);
      const direction = sort.SortOrder === 'desc' ? -1 : 1;
      matching.sort(
        (a, b) =>
          direction * (read(a) ?? '').localeCompare(read(b) ?? '') ||
          text(a['Id'])!.localeCompare(text(b['Id'])!),
      );
    }
    const offset = input.NextToken ? offsetOf(input.NextToken) : 0;
    const page = matching.slice(offset, offset + pageSize);
    const next = offset + pageSize;
    return {
      Findings: structuredClone(page),
      ...(next < matching.length && {
        NextToken: Buffer.from(JSON.stringify({ offset: next })).toString('base64'),
      }),
    };
  }

  /**
   * The newer Security Hub's view of the same findings (OCSF, `productv2/`) and of its exposure findings: one AND
   * composite of filters (`class_name` tells compliance from exposure findings), sorted by
   * `finding_info.modified_time_dt`, paged like GetFindings.
   */
  GetFindingsV2(input: {
    Filters?: { CompositeFilters?: V2Composite[] };
    MaxResults?: number;
    NextToken?: string;
  }): { Findings: Record<string, unknown>[]; NextToken?: string } {
    const pageSize = input.MaxResults ?? MAX_RESULTS;
    const composites = input.Filters?.CompositeFilters ?? [];
    const matching = [...this.findings.map((finding) => ocsfOf(finding.asff)), ...this.exposures]
      .filter((finding) => composites.every((composite) => matchesV2(finding, composite)))
      .sort((a, b) =>
        String(ocsfField(a, 'finding_info.modified_time_dt')).localeCompare(
          String(ocsfField(b, 'finding_info.modified_time_dt')),
        ),
      );
    const offset = input.NextToken ? offsetOf(input.NextToken) : 0;
    const next = offset + pageSize;
    return {
      Findings: structuredClone(matching.slice(offset, next)),
      ...(next < matching.length && {
        NextToken: Buffer.from(JSON.stringify({ offset: next })).toString('base64'),
      }),
    };
  }

  /** Status and comment, as BatchUpdateFindingsV2 sets them; the same finding as its ASFF copy here. */
  BatchUpdateFindingsV2(input: {
    FindingIdentifiers?: { CloudAccountUid?: string; FindingInfoUid?: string; MetadataProductUid?: string }[];
    StatusId?: number;
    Comment?: string;
  }): {
    ProcessedFindings: { FindingIdentifier: unknown }[];
    UnprocessedFindings: { FindingIdentifier: unknown; ErrorCode: string; ErrorMessage: string }[];
  } {
    const status = WORKFLOW_OF_STATUS_ID[input.StatusId ?? 0];
    const processed: { FindingIdentifier: unknown }[] = [];
    const unprocessed: { FindingIdentifier: unknown; ErrorCode: string; ErrorMessage: string }[] = [];
    const now = this.now().toISOString();
    for (const identifier of input.FindingIdentifiers ?? []) {
      const finding = this.findings.find(
        (candidate) =>
          candidate.asff['Id'] === identifier.FindingInfoUid &&
          candidate.asff['AwsAccountId'] === identifier.CloudAccountUid &&
          newerProductArnOf(String(candidate.asff['ProductArn'])) === identifier.MetadataProductUid,
      );
      if (!finding) {
        unprocessed.push({
          FindingIdentifier: identifier,
          ErrorCode: 'ResourceNotFoundException',
          ErrorMessage: 'Finding not found',
        });
        continue;
      }
      if (status) finding.asff['Workflow'] = { Status: status };
      if (input.Comment) {
        finding.asff['Note'] = { Text: input.Comment, UpdatedBy: 'BatchUpdateFindingsV2', UpdatedAt: now };
        finding.notes.push({
          text: input.Comment,
          updatedBy: 'BatchUpdateFindingsV2',
          updatedAt: now,
          ...(status && { workflowStatus: status }),
        });
      }
      processed.push({ FindingIdentifier: identifier });
    }
    return { ProcessedFindings: processed, UnprocessedFindings: unprocessed };
  }

  /** Sets workflow status and note; each updated finding's UpdatedAt moves to now, as Security Hub's does. */
  BatchUpdateFindings(input: BatchUpdateFindingsRequest): BatchUpdateFindingsResponse {
    const identifiers = input.FindingIdentifiers ?? [];
    if (identifiers.length === 0 || identifiers.length > 100) {
      throw securityHubRefusal(
        'InvalidInputException',
        'FindingIdentifiers must hold from 1 to 100 findings',
      );
    }
    const now = this.now().toISOString();
    const processed: NonNullable<BatchUpdateFindingsResponse['ProcessedFindings']> = [];
    const unprocessed: NonNullable<BatchUpdateFindingsResponse['UnprocessedFindings']> = [];
    const seen = new Set<string>();
    for (const identifier of identifiers) {
      const key = `${identifier.Id ?? ''} ${identifier.ProductArn ?? ''}`;
      const finding = this.findings.find(
        (candidate) =>
          candidate.asff['Id'] === identifier.Id && candidate.asff['ProductArn'] === identifier.ProductArn,
      );
      if (seen.has(key)) {
        unprocessed.push({
          FindingIdentifier: identifier,
          ErrorCode: 'DuplicatedFindingIdentifier',
          ErrorMessage: 'Duplicated finding identifier',
        });
        continue;
      }
      seen.add(key);
      if (!finding) {
        unprocessed.push({
          FindingIdentifier: identifier,
          ErrorCode: 'FindingNotFound',
          ErrorMessage: 'Finding Not Found',
        });
        continue;
      }
      const asff = finding.asff;
      if (input.Workflow?.Status) {
        asff['Workflow'] = { Status: input.Workflow.Status };
        asff['WorkflowState'] =
          input.Workflow.Status === 'NOTIFIED'
            ? 'ASSIGNED'
            : input.Workflow.Status === 'SUPPRESSED'
              ? 'RESOLVED'
              : input.Workflow.Status;
      }
      if (input.Note?.Text && input.Note.UpdatedBy) {
        asff['Note'] = { Text: input.Note.Text, UpdatedBy: input.Note.UpdatedBy, UpdatedAt: now };
        finding.notes.push({
          text: input.Note.Text,
          updatedBy: input.Note.UpdatedBy,
          updatedAt: now,
          ...(input.Workflow?.Status && { workflowStatus: input.Workflow.Status }),
        });
      }
      asff['UpdatedAt'] = now;
      asff['ProcessedAt'] = now;
      processed.push({ Id: identifier.Id, ProductArn: identifier.ProductArn });
    }
    return { ProcessedFindings: processed, UnprocessedFindings: unprocessed };
  }
}

/** The filters the bot's GetFindingsV2 sync sends (one AND composite of string, number and date filters). */
interface V2Composite {
  readonly StringFilters?: { FieldName?: string; Filter?: { Value?: string; Comparison?: string } }[];
  readonly NumberFilters?: { FieldName?: string; Filter?: { Gte?: number; Lte?: number; Eq?: number } }[];
  readonly DateFilters?: { FieldName?: string; Filter?: { Start?: string; End?: string } }[];
}

/** An OCSF field by its dotted name (`compliance.status_id`). */
function ocsfField(finding: Record<string, unknown>, name: string): unknown {
  return name
    .split('.')
    .reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key], finding);
}

function matchesV2(finding: Record<string, unknown>, composite: V2Composite): boolean {
  const strings = (composite.StringFilters ?? []).every(({ FieldName, Filter }) => {
    if (Filter?.Comparison !== 'EQUALS')
      throw securityHubRefusal('ValidationException', 'The sandbox account filters strings with EQUALS only');
    return ocsfField(finding, FieldName ?? '') === Filter.Value;
  });
  const numbers = (composite.NumberFilters ?? []).every(({ FieldName, Filter }) => {
    const value = Number(ocsfField(finding, FieldName ?? ''));
    return (
      (Filter?.Gte === undefined || value >= Filter.Gte) &&
      (Filter?.Lte === undefined || value <= Filter.Lte) &&
      (Filter?.Eq === undefined || value === Filter.Eq)
    );
  });
  const dates = (composite.DateFilters ?? []).every(({ FieldName, Filter }) => {
    const value = String(ocsfField(finding, FieldName ?? '') ?? '');
    return (!Filter?.Start || value >= Filter.Start) && (!Filter?.End || value <= Filter.End);
  });
  return strings && numbers && dates;
}

function matches(finding: AsffFinding, filters: AwsSecurityFindingFilters, now: Date): boolean {
  return Object.entries(filters).every(([name, value]) => {
    if (value === undefined) return true;
    const readString = STRING_FIELDS[name];
    if (readString) return matchesStrings(readString(finding), value as StringFilter[]);
    const readDate = DATE_FIELDS[name];
    if (readDate) return matchesDates(readDate(finding), value as DateFilter[], now);
    throw securityHubRefusal('InvalidInputException', `The sandbox account does not filter on ${name}`);
  });
}

/** EQUALS, PREFIX and CONTAINS values of one field are ORed, their negations ANDed; fields are ANDed. */
function matchesStrings(actual: string | undefined, filters: readonly StringFilter[]): boolean {
  const comparisons = new Set(filters.map((filter) => filter.Comparison));
  if (comparisons.has('EQUALS') && comparisons.has('NOT_EQUALS')) {
    throw securityHubRefusal(
      'InvalidInputException',
      'EQUALS and NOT_EQUALS cannot be used on the same field',
    );
  }
  const positive = filters.filter((filter) => POSITIVE.has(filter.Comparison ?? ''));
  const negative = filters.filter((filter) => !POSITIVE.has(filter.Comparison ?? ''));
  const holds = (filter: StringFilter) => actual !== undefined && compare(actual, filter);
  return (
    (positive.length === 0 || positive.some(holds)) &&
    negative.every((filter) => actual === undefined || compare(actual, filter))
  );
}

const POSITIVE: ReadonlySet<string> = new Set(['EQUALS', 'PREFIX', 'CONTAINS']);

function compare(actual: string, filter: StringFilter): boolean {
  const value = filter.Value ?? '';
  switch (filter.Comparison) {
    case 'EQUALS':
      return actual === value;
    case 'PREFIX':
      return actual.startsWith(value);
    case 'CONTAINS':
      return actual.includes(value);
    case 'NOT_EQUALS':
      return actual !== value;
    case 'PREFIX_NOT_EQUALS':
      return !actual.startsWith(value);
    case 'NOT_CONTAINS':
      return !actual.includes(value);
    default:
      throw securityHubRefusal(
        'InvalidInputException',
        `Comparison ${String(filter.Comparison)} is not supported`,
      );
  }
}

function matchesDates(actual: string | undefined, filters: readonly DateFilter[], now: Date): boolean {
  if (actual === undefined) return false;
  const at = Date.parse(actual);
  return filters.some((filter) => {
    if (filter.DateRange?.Value !== undefined)
      return at >= now.getTime() - filter.DateRange.Value * 86_400_000;
    if (filter.Start === undefined || filter.End === undefined) {
      throw securityHubRefusal('InvalidInputException', 'A date filter needs Start and End, or DateRange');
    }
    return at >= Date.parse(filter.Start) && at <= Date.parse(filter.End);
  });
}

function offsetOf(token: string): number {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { offset?: unknown };
    if (typeof parsed.offset === 'number') return parsed.offset;
  } catch {
    // Not one of ours: refused below, as Security Hub refuses a token it did not hand out.
  }
  throw securityHubRefusal('InvalidInputException', 'The NextToken is invalid');
}

function field(finding: AsffFinding, outer: string, inner: string): unknown {
  const value = finding[outer];
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[inner] : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
