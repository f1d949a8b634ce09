import { describe, expect, it } from 'vitest';
import { openFindingsFilters } from '../../../src/aws/security-hub-findings.js';
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
