import { describe, expect, it } from 'vitest';
import { openFindingsFilters } from '../../../src/aws/security-hub-findings.js';
import { complianceFindingsFilters } from '../../../src/aws/security-hub-v2-findings.js';
import { exposureFindingOf, resolvedExposureFinding } from '../../../src/sandbox/exposure-rendering.js';
import type { HubFinding } from '../../../src/sandbox/security-hub-api.js';
import { SandboxSecurityHub } from '../../../src/sandbox/security-hub-api.js';
import { makeAsffFinding } from '../../fixtures/asff.js';

const NOW = new Date('2026-11-30T10:00:00.000Z');

function hub(...findings: Record<string, unknown>[]): SandboxSecurityHub {
  const held: HubFinding[] = findings.map((asff) => ({ asff, notes: [] }));
  return new SandboxSecurityHub(held, () => NOW);
}

function finding(n: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return makeAsffFinding({
    Id: `finding-${n}`,
    UpdatedAt: `2026-11-02T10:${String(n).padStart(2, '0')}:00.000Z`,
    ...overrides,
  });
}

const ids = (answer: { Findings: Record<string, unknown>[] }) => answer.Findings.map((found) => found['Id']);

describe('the sandbox Security Hub GetFindings', () => {
  it('answers the bot’s open-findings filter with active, open, failing findings of the asked severities only', () => {
    const securityHub = hub(
      finding(1),
      finding(2, { RecordState: 'ARCHIVED' }),
      finding(3, { Workflow: { Status: 'RESOLVED' } }),
      finding(4, { Compliance: { Status: 'PASSED' } }),
      finding(5, { Severity: { Label: 'LOW' } }),
      finding(6, { Workflow: { Status: 'NOTIFIED' }, Compliance: undefined }),
    );

    const answer = securityHub.GetFindings({
      Filters: openFindingsFilters({ severities: ['HIGH', 'CRITICAL'] }),
    });

    expect(ids(answer)).toEqual(['finding-1', 'finding-6']);
  });

  it('pages oldest update first with a token that carries on where the last page ended', () => {
    const securityHub = hub(finding(3), finding(1), finding(2));
    const request = { SortCriteria: [{ Field: 'UpdatedAt', SortOrder: 'asc' as const }], MaxResults: 2 };

    const first = securityHub.GetFindings(request);
    const second = securityHub.GetFindings({ ...request, NextToken: first.NextToken! });

    expect(ids(first)).toEqual(['finding-1', 'finding-2']);
    expect(ids(second)).toEqual(['finding-3']);
    expect(second.NextToken).toBeUndefined();
  });

  it('keeps to an UpdatedAt window, and refuses a token it never handed out', () => {
    const securityHub = hub(finding(1), finding(2), finding(3));

    expect(
      ids(
        securityHub.GetFindings({
          Filters: { UpdatedAt: [{ Start: '2026-11-02T10:02:00.000Z', End: '9999-12-31T23:59:59Z' }] },
        }),
      ),
    ).toEqual(['finding-2', 'finding-3']);
    expect(() => securityHub.GetFindings({ NextToken: 'not-a-token' })).toThrow(
      expect.objectContaining({ name: 'InvalidInputException' }),
    );
  });
});

describe('the sandbox Security Hub BatchUpdateFindings', () => {
  it('reports a finding it does not hold, and one named twice, as unprocessed with Security Hub’s codes', () => {
    const held = finding(1);
    const securityHub = hub(held);
    const ref = { Id: 'finding-1', ProductArn: String(held['ProductArn']) };

    const answer = securityHub.BatchUpdateFindings({
      FindingIdentifiers: [ref, ref, { Id: 'missing', ProductArn: ref.ProductArn }],
      Workflow: { Status: 'SUPPRESSED' },
      Note: { Text: 'Accepted until 2027-01-31', UpdatedBy: 'cspm-bot' },
    });

    expect(answer.ProcessedFindings).toEqual([ref]);
    expect(answer.UnprocessedFindings?.map((entry) => entry.ErrorCode)).toEqual([
      'DuplicatedFindingIdentifier',
      'FindingNotFound',
    ]);
    expect(held).toMatchObject({
      Workflow: { Status: 'SUPPRESSED' },
      Note: { Text: 'Accepted until 2027-01-31', UpdatedBy: 'cspm-bot', UpdatedAt: NOW.toISOString() },
      UpdatedAt: NOW.toISOString(),
    });
  });
});

/** Exposure n: its own instance, modified at minute n. */
function exposure(n: number): Record<string, unknown> {
  const at = `2026-11-02T10:${String(n).padStart(2, '0')}:00.000Z`;
  const instanceId = `i-0a1b2c3d4e5f6c00${n}`;
  return exposureFindingOf(
    {
      accountId: '111122223333',
      region: 'ap-northeast-1',
      partition: 'aws',
      instanceId,
      instanceArn: `arn:aws:ec2:ap-northeast-1:111122223333:instance/${instanceId}`,
      controlFindings: [],
      ports: [{ protocol: 'tcp', from: 22, to: 22 }],
    },
    { createdAt: at, modifiedAt: at },
  );
}

/** The filters the bot's exposure sync sends: exposures, open ones on a first run, else modified since a time. */
function exposureFilters(modifiedSince?: string) {
  return {
    CompositeFilters: [
      {
        StringFilters: [
          { FieldName: 'class_name', Filter: { Value: 'Detection Finding', Comparison: 'EQUALS' } },
          { FieldName: 'finding_info.analytic.name', Filter: { Value: 'Exposure', Comparison: 'EQUALS' } },
        ],
        ...(modifiedSince === undefined
          ? { NumberFilters: [{ FieldName: 'status_id', Filter: { Gte: 1, Lte: 2 } }] }
          : {
              DateFilters: [
                {
                  FieldName: 'finding_info.modified_time_dt',
                  Filter: { Start: modifiedSince, End: '9999-12-31T23:59:59Z' },
                },
              ],
            }),
      },
    ],
  };
}

const uids = (answer: { Findings: Record<string, unknown>[] }) =>
  answer.Findings.map((found) => (found['finding_info'] as { uid: string }).uid);
const uidOf = (finding: Record<string, unknown>) => (finding['finding_info'] as { uid: string }).uid;

describe('the sandbox Security Hub GetFindingsV2 with exposure findings', () => {
  const resolved = resolvedExposureFinding(exposure(4), '2026-11-02T10:05:00.000Z');
  const securityHub = new SandboxSecurityHub(
    [finding(1), finding(2)].map((asff) => ({ asff, notes: [] })),
    () => NOW,
    [exposure(3), exposure(1), resolved, exposure(2)],
  );

  it('answers the exposure filter with the open exposures only, oldest modification first, page by page', () => {
    const first = securityHub.GetFindingsV2({ Filters: exposureFilters(), MaxResults: 2 });
    const second = securityHub.GetFindingsV2({
      Filters: exposureFilters(),
      MaxResults: 2,
      NextToken: first.NextToken!,
    });

    expect(uids(first)).toEqual([uidOf(exposure(1)), uidOf(exposure(2))]);
    expect(uids(second)).toEqual([uidOf(exposure(3))]);
    expect(second.NextToken).toBeUndefined();
  });

  it('keeps to a modification window, resolved exposures included, and leaves exposures out of the compliance filter', () => {
    const since = securityHub.GetFindingsV2({ Filters: exposureFilters('2026-11-02T10:02:00.000Z') });
    // The SDK's filter type marks every field `| undefined`; the sandbox's names only what it reads.
    const compliance = securityHub.GetFindingsV2({
      Filters: complianceFindingsFilters(1) as NonNullable<
        Parameters<SandboxSecurityHub['GetFindingsV2']>[0]['Filters']
      >,
    });

    expect(uids(since)).toEqual([uidOf(exposure(2)), uidOf(exposure(3)), uidOf(resolved)]);
    expect(compliance.Findings.map((found) => found['class_name'])).toEqual([
      'Compliance Finding',
      'Compliance Finding',
    ]);
  });
});
