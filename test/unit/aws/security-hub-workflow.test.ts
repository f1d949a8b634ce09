import {
  BatchUpdateFindingsCommand,
  BatchUpdateFindingsV2Command,
  GetFindingsV2Command,
  SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { HomeRegionWorkflow } from '../../../src/aws/security-hub-workflow.js';
import {
  commentOf,
  complianceFindingsFilters,
  SecurityHubV2Findings,
} from '../../../src/aws/security-hub-v2-findings.js';
import type { WorkflowUpdate } from '../../../src/usecases/ports.js';

const securityHub = mockClient(SecurityHubClient);
beforeEach(() => securityHub.reset());

const ACCOUNT = '111122223333';
const UID = `arn:aws:securityhub:ap-northeast-1:${ACCOUNT}:security-control/EC2.13/finding/1f2e3d4c-5b6a-4789-8a0b-c1d2e3f40001`;
const CSPM = { id: UID, productArn: 'arn:aws:securityhub:ap-northeast-1::product/aws/securityhub' };
const NEWER = { id: UID, productArn: 'arn:aws:securityhub:ap-northeast-1::productv2/aws/securityhub' };

const workflow = () =>
  new HomeRegionWorkflow(
    { securityHub: async () => new SecurityHubClient({ region: 'ap-northeast-1' }) },
    'ap-northeast-1',
  );

const update = (ref: { id: string; productArn: string }): WorkflowUpdate => ({
  ref: { ...ref, accountId: ACCOUNT },
  status: 'SUPPRESSED',
  note: { text: 'Suppressed from Slack by alice: test VPC', updatedBy: 'cspm-bot' },
  decisionId: 'd-0001',
});

describe('HomeRegionWorkflow: each copy to the Security Hub that holds it', () => {
  it('sends the CSPM copy to BatchUpdateFindings and the newer copy to BatchUpdateFindingsV2, exactly', async () => {
    securityHub.on(BatchUpdateFindingsCommand).resolves({
      ProcessedFindings: [{ Id: CSPM.id, ProductArn: CSPM.productArn }],
      UnprocessedFindings: [],
    });
    securityHub.on(BatchUpdateFindingsV2Command).resolves({
      ProcessedFindings: [
        {
          FindingIdentifier: {
            CloudAccountUid: ACCOUNT,
            FindingInfoUid: NEWER.id,
            MetadataProductUid: NEWER.productArn,
          },
        },
      ],
      UnprocessedFindings: [],
    });

    const result = await workflow().updateWorkflow([update(CSPM), update(NEWER)]);

    expect(securityHub.commandCalls(BatchUpdateFindingsCommand).map((call) => call.args[0].input)).toEqual([
      {
        FindingIdentifiers: [{ Id: CSPM.id, ProductArn: CSPM.productArn }],
        Workflow: { Status: 'SUPPRESSED' },
        Note: { Text: 'Suppressed from Slack by alice: test VPC', UpdatedBy: 'cspm-bot' },
      },
    ]);
    expect(securityHub.commandCalls(BatchUpdateFindingsV2Command).map((call) => call.args[0].input)).toEqual([
      {
        FindingIdentifiers: [
          { CloudAccountUid: ACCOUNT, FindingInfoUid: NEWER.id, MetadataProductUid: NEWER.productArn },
        ],
        StatusId: 3,
        Comment: 'Suppressed from Slack by alice: test VPC (decision d-0001)',
      },
    ]);
    expect(result).toEqual({ processed: [CSPM, NEWER], unprocessed: [] });
  });

  it.each([
    ['NEW', 1],
    ['NOTIFIED', 2],
    ['SUPPRESSED', 3],
    ['RESOLVED', 4],
  ] as const)('writes %s as status_id %i', async (status, statusId) => {
    securityHub.on(BatchUpdateFindingsV2Command).resolves({ ProcessedFindings: [], UnprocessedFindings: [] });
    await workflow().updateWorkflow([{ ...update(NEWER), status }]);
    expect(securityHub.commandCalls(BatchUpdateFindingsV2Command)[0]?.args[0].input.StatusId).toBe(statusId);
  });

  it("returns each side's unprocessed copies, and a side that fails outright as unprocessed, never losing the other", async () => {
    securityHub.on(BatchUpdateFindingsCommand).resolves({
      ProcessedFindings: [{ Id: CSPM.id, ProductArn: CSPM.productArn }],
      UnprocessedFindings: [],
    });
    securityHub.on(BatchUpdateFindingsV2Command).rejects(
      Object.assign(new Error('User is not authorized to perform: securityhub:BatchUpdateFindingsV2'), {
        name: 'AccessDeniedException',
        $metadata: { httpStatusCode: 403 },
      }),
    );

    const result = await workflow().updateWorkflow([update(CSPM), update(NEWER)]);

    expect(result.processed).toEqual([CSPM]);
    expect(result.unprocessed).toEqual([
      {
        ref: NEWER,
        errorCode: expect.stringMatching(/ACCESS_DENIED|AccessDenied/),
        errorMessage: expect.any(String),
      },
    ]);
  });

  it("passes on the newer Security Hub's own unprocessed list with its code", async () => {
    securityHub.on(BatchUpdateFindingsV2Command).resolves({
      ProcessedFindings: [],
      UnprocessedFindings: [
        {
          FindingIdentifier: {
            CloudAccountUid: ACCOUNT,
            FindingInfoUid: NEWER.id,
            MetadataProductUid: NEWER.productArn,
          },
          ErrorCode: 'ResourceNotFoundException',
          ErrorMessage: 'Finding not found',
        },
      ],
    });
    expect(await workflow().updateWorkflow([update(NEWER)])).toEqual({
      processed: [],
      unprocessed: [
        { ref: NEWER, errorCode: 'ResourceNotFoundException', errorMessage: 'Finding not found' },
      ],
    });
  });

  it('throws as before when only one Security Hub is involved and it fails', async () => {
    securityHub
      .on(BatchUpdateFindingsCommand)
      .rejects(
        Object.assign(new Error('boom'), { name: 'InternalException', $metadata: { httpStatusCode: 500 } }),
      );
    await expect(workflow().updateWorkflow([update(CSPM)])).rejects.toThrow();
  });
});

describe('the newer Security Hub comment', () => {
  it('keeps a note that fits, with the decision id at the end', () => {
    expect(commentOf({ text: 'Reopened from Slack by alice', decisionId: 'd-1' })).toBe(
      'Reopened from Slack by alice (decision d-1)',
    );
  });

  it('cuts a long note to 512 characters and keeps the decision id whole', () => {
    const comment = commentOf({
      text: `Suppressed from Slack by alice: ${'x'.repeat(600)}`,
      decisionId: '8f1c2d3e-0000-4000-8000-000000000001',
    });
    expect(comment).toHaveLength(512);
    expect(comment.endsWith('… (decision 8f1c2d3e-0000-4000-8000-000000000001)')).toBe(true);
  });

  it('never cuts an emoji in half', () => {
    const comment = commentOf({ text: `${'a'.repeat(470)}${'😀'.repeat(40)}`, decisionId: 'd-1' });
    expect(comment.length).toBeLessThanOrEqual(512);
    expect(comment).not.toMatch(/[\uD800-\uDBFF]…/);
  });

  it('refuses an empty note', () => {
    expect(() => commentOf({ text: '   ' })).toThrow(RangeError);
  });
});

describe('SecurityHubV2Findings.pages: the sync through GetFindingsV2', () => {
  it('pages with NextToken, oldest modification first, asking the same question on every page', async () => {
    // The paginator reuses its input object: each call's input is copied as it is sent.
    const inputs: Record<string, unknown>[] = [];
    const responses = [
      { Findings: [{ finding_info: { uid: 'a' } }], NextToken: 'page-2' },
      { Findings: [{ finding_info: { uid: 'b' } }] },
    ];
    securityHub.on(GetFindingsV2Command).callsFake((input: Record<string, unknown>) => {
      inputs.push(structuredClone(input));
      return responses[inputs.length - 1];
    });
    const reader = new SecurityHubV2Findings(new SecurityHubClient({ region: 'ap-northeast-1' }));
    const filters = complianceFindingsFilters(4, '2026-11-02T00:00:00.000Z');

    const pages = [];
    for await (const page of reader.pages(filters)) pages.push(page);

    expect(pages).toEqual([
      { findings: [{ finding_info: { uid: 'a' } }], nextToken: 'page-2' },
      { findings: [{ finding_info: { uid: 'b' } }] },
    ]);
    expect(inputs.map((input) => input.NextToken)).toEqual([undefined, 'page-2']);
    for (const input of inputs) {
      expect(input).toMatchObject({
        Filters: filters,
        SortCriteria: [{ Field: 'finding_info.modified_time_dt', SortOrder: 'asc' }],
        MaxResults: 100,
      });
    }
    expect(filters.CompositeFilters?.[0]).toEqual({
      Operator: 'AND',
      StringFilters: [
        { FieldName: 'class_name', Filter: { Value: 'Compliance Finding', Comparison: 'EQUALS' } },
      ],
      NumberFilters: [{ FieldName: 'severity_id', Filter: { Gte: 4 } }],
      DateFilters: [
        {
          FieldName: 'finding_info.modified_time_dt',
          Filter: { Start: '2026-11-02T00:00:00.000Z', End: '9999-12-31T23:59:59Z' },
        },
      ],
    });
  });
});
