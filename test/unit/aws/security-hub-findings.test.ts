import 'aws-sdk-client-mock-vitest/extend';
import {
  AccessDeniedException,
  BatchUpdateFindingsCommand,
  GetFindingsCommand,
  InvalidAccessException,
  InvalidInputException,
  LimitExceededException,
  SecurityHubClient,
  SecurityHubServiceException,
  ThrottlingException,
} from '@aws-sdk/client-securityhub';
import type { AwsSecurityFinding, BatchUpdateFindingsCommandInput } from '@aws-sdk/client-securityhub';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { AwsAccessDeniedError, AwsThrottledError } from '../../../src/aws/errors.js';
import type { FindingWorkflowUpdate, FindingsPage } from '../../../src/aws/security-hub-findings.js';
import {
  MAX_NOTE_LENGTH,
  OPEN_END,
  SecurityHubFindings,
  openFindingsFilters,
} from '../../../src/aws/security-hub-findings.js';
import type { FindingRef } from '../../../src/domain/finding.js';
import { ACCOUNT, REGION, T0 } from '../../fixtures/finding.js';

const securityHub = mockClient(SecurityHubClient);

const PRODUCT_ARN = `arn:aws:securityhub:${REGION}::product/aws/securityhub`;

function findingId(n: number): string {
  return `arn:aws:securityhub:${REGION}:${ACCOUNT}:security-control/EC2.13/finding/1f2e3d4c-5b6a-4789-8a0b-${String(n).padStart(12, '0')}`;
}

function ref(n: number): FindingRef {
  return { id: findingId(n), productArn: PRODUCT_ARN };
}

/** A consolidated EC2.13 control finding as GetFindings returns it (shape of the Security Hub samples). */
function controlFinding(n: number): AwsSecurityFinding {
  const groupId = `sg-0abc1234d${String(n).padStart(8, '0')}`;
  const groupArn = `arn:aws:ec2:${REGION}:${ACCOUNT}:security-group/${groupId}`;
  return {
    SchemaVersion: '2018-10-08',
    Id: findingId(n),
    ProductArn: PRODUCT_ARN,
    ProductName: 'Security Hub',
    CompanyName: 'AWS',
    Region: REGION,
    GeneratorId: 'security-control/EC2.13',
    AwsAccountId: ACCOUNT,
    Types: ['Software and Configuration Checks/Industry and Regulatory Standards'],
    FirstObservedAt: T0,
    LastObservedAt: T0,
    CreatedAt: T0,
    UpdatedAt: T0,
    Severity: { Label: 'HIGH', Normalized: 70, Original: 'HIGH' },
    Title: 'Security groups should not allow ingress from 0.0.0.0/0 or ::/0 to port 22',
    Description:
      'This control checks whether an Amazon EC2 security group allows ingress from 0.0.0.0/0 or ::/0 to port 22.',
    Remediation: {
      Recommendation: {
        Text: 'For information on how to correct this issue, consult the AWS Security Hub controls documentation.',
        Url: 'https://docs.aws.amazon.com/console/securityhub/EC2.13/remediation',
      },
    },
    ProductFields: {
      'RelatedAWSResources:0/name': 'securityhub-restricted-ssh-4b6e8a2f',
      'RelatedAWSResources:0/type': 'AWS::Config::ConfigRule',
      'aws/securityhub/ProductName': 'Security Hub',
      'aws/securityhub/CompanyName': 'AWS',
      'Resources:0/Id': groupArn,
      'aws/securityhub/FindingId': `${PRODUCT_ARN}/${findingId(n)}`,
    },
    Resources: [{ Type: 'AwsEc2SecurityGroup', Id: groupArn, Partition: 'aws', Region: REGION }],
    Compliance: {
      Status: 'FAILED',
      SecurityControlId: 'EC2.13',
      AssociatedStandards: [{ StandardsId: 'standards/aws-foundational-security-best-practices/v/1.0.0' }],
    },
    WorkflowState: 'NEW',
    Workflow: { Status: 'NEW' },
    RecordState: 'ACTIVE',
    FindingProviderFields: {
      Severity: { Label: 'HIGH', Original: 'HIGH' },
      Types: ['Software and Configuration Checks/Industry and Regulatory Standards'],
    },
  };
}

function findingsFrom(first: number, count: number): AwsSecurityFinding[] {
  return Array.from({ length: count }, (_, index) => controlFinding(first + index));
}

function newAdapter(): SecurityHubFindings {
  return new SecurityHubFindings(new SecurityHubClient({ region: REGION }), { accountId: ACCOUNT });
}

async function collect(pages: AsyncIterable<FindingsPage>): Promise<FindingsPage[]> {
  const collected: FindingsPage[] = [];
  for await (const page of pages) collected.push(page);
  return collected;
}

function update(n: number, overrides: Partial<FindingWorkflowUpdate> = {}): FindingWorkflowUpdate {
  return {
    ref: ref(n),
    status: 'SUPPRESSED',
    note: { text: 'Suppressed from Slack by @alice: test account, no data.', updatedBy: 'cspm-bot' },
    ...overrides,
  };
}

/** Security Hub's answer when every finding of the call was updated. */
function acceptAll(): void {
  securityHub.on(BatchUpdateFindingsCommand).callsFake((input: BatchUpdateFindingsCommandInput) => ({
    ProcessedFindings: input.FindingIdentifiers,
    UnprocessedFindings: [],
  }));
}

function sentBatches(): BatchUpdateFindingsCommandInput[] {
  return securityHub.commandCalls(BatchUpdateFindingsCommand).map((call) => call.args[0].input);
}

beforeEach(() => {
  securityHub.reset();
});

describe('openFindingsFilters', () => {
  it('asks for active, open, failing findings of the chosen severities', () => {
    // Act
    const filters = openFindingsFilters({ severities: ['CRITICAL', 'HIGH'] });

    // Assess
    expect(filters).toEqual({
      RecordState: [{ Value: 'ACTIVE', Comparison: 'EQUALS' }],
      WorkflowStatus: [
        { Value: 'NEW', Comparison: 'EQUALS' },
        { Value: 'NOTIFIED', Comparison: 'EQUALS' },
      ],
      ComplianceStatus: [
        { Value: 'PASSED', Comparison: 'NOT_EQUALS' },
        { Value: 'WARNING', Comparison: 'NOT_EQUALS' },
        { Value: 'NOT_AVAILABLE', Comparison: 'NOT_EQUALS' },
      ],
      SeverityLabel: [
        { Value: 'CRITICAL', Comparison: 'EQUALS' },
        { Value: 'HIGH', Comparison: 'EQUALS' },
      ],
    });
  });

  it('never mixes EQUALS and NOT_EQUALS on the compliance field, which Security Hub rejects', () => {
    // Act
    const { ComplianceStatus = [] } = openFindingsFilters({ severities: ['HIGH'] });

    // Assess
    expect(new Set(ComplianceStatus.map((filter) => filter.Comparison))).toEqual(new Set(['NOT_EQUALS']));
    expect(ComplianceStatus.map((filter) => filter.Value)).not.toContain('FAILED');
  });

  it('lists each severity once', () => {
    // Act
    const { SeverityLabel } = openFindingsFilters({ severities: ['HIGH', 'CRITICAL', 'HIGH'] });

    // Assess
    expect(SeverityLabel?.map((filter) => filter.Value)).toEqual(['HIGH', 'CRITICAL']);
  });

  it('has no UpdatedAt filter without updatedSince', () => {
    // Act
    const filters = openFindingsFilters({ severities: ['HIGH'] });

    // Assess
    expect(filters).not.toHaveProperty('UpdatedAt');
  });

  it('starts at updatedSince and ends at a fixed far date, since Security Hub rejects a lone Start', () => {
    // Act
    const { UpdatedAt } = openFindingsFilters({ severities: ['HIGH'], updatedSince: T0 });

    // Assess
    expect(UpdatedAt).toEqual([{ Start: T0, End: OPEN_END }]);
    expect(Date.parse(OPEN_END)).toBeGreaterThan(Date.parse('2999-01-01T00:00:00Z'));
  });

  it('ends at updatedUntil when given', () => {
    // Act
    const { UpdatedAt } = openFindingsFilters({
      severities: ['HIGH'],
      updatedSince: T0,
      updatedUntil: '2026-11-03T00:00:00.000Z',
    });

    // Assess
    expect(UpdatedAt).toEqual([{ Start: T0, End: '2026-11-03T00:00:00.000Z' }]);
  });

  it('refuses an empty severity list rather than asking for every severity', () => {
    expect(() => openFindingsFilters({ severities: [] })).toThrow(RangeError);
  });
});

describe('SecurityHubFindings', () => {
  describe('pages', () => {
    const filters = openFindingsFilters({ severities: ['CRITICAL', 'HIGH'], updatedSince: T0 });

    it('yields every page until NextToken runs out, sorted by UpdatedAt ascending, 100 a page', async () => {
      // Prepare
      const pageOne = findingsFrom(1, 100);
      const pageTwo = findingsFrom(101, 100);
      const pageThree = findingsFrom(201, 30);
      securityHub
        .on(GetFindingsCommand, { NextToken: undefined })
        .resolves({ Findings: pageOne, NextToken: 'token-2' })
        .on(GetFindingsCommand, { NextToken: 'token-2' })
        .resolves({ Findings: pageTwo, NextToken: 'token-3' })
        .on(GetFindingsCommand, { NextToken: 'token-3' })
        .resolves({ Findings: pageThree });

      // Act
      const pages = await collect(newAdapter().pages(filters));

      // Assess
      expect(pages).toEqual([
        { findings: pageOne, nextToken: 'token-2' },
        { findings: pageTwo, nextToken: 'token-3' },
        { findings: pageThree },
      ]);
      expect(securityHub).toHaveReceivedCommandTimes(GetFindingsCommand, 3);
      expect(securityHub).toHaveReceivedCommandWith(GetFindingsCommand, {
        Filters: filters,
        SortCriteria: [{ Field: 'UpdatedAt', SortOrder: 'asc' }],
        MaxResults: 100,
      });
    });

    it('asks for a smaller page size when told to', async () => {
      // Prepare
      securityHub.on(GetFindingsCommand).resolves({ Findings: findingsFrom(1, 25) });

      // Act
      await collect(newAdapter().pages(filters, { pageSize: 25 }));

      // Assess
      expect(securityHub).toHaveReceivedCommandExactlyOnceWith(GetFindingsCommand, { MaxResults: 25 });
    });

    it.each([0, 101, 2.5])('refuses page size %s without calling Security Hub', async (pageSize) => {
      // Act
      const error = await collect(newAdapter().pages(filters, { pageSize })).catch(
        (thrown: unknown) => thrown,
      );

      // Assess
      expect(error).toBeInstanceOf(RangeError);
      expect(securityHub).toHaveReceivedCommandTimes(GetFindingsCommand, 0);
    });

    it('stops asking for pages once the reader stops', async () => {
      // Prepare
      securityHub
        .on(GetFindingsCommand)
        .resolves({ Findings: findingsFrom(1, 100), NextToken: 'token-again' });

      // Act
      for await (const page of newAdapter().pages(filters)) {
        expect(page.findings).toHaveLength(100);
        break;
      }

      // Assess
      expect(securityHub).toHaveReceivedCommandTimes(GetFindingsCommand, 1);
    });

    it.each([
      [
        'AccessDeniedException',
        new AccessDeniedException({ $metadata: {}, message: 'User is not authorized' }),
        AwsAccessDeniedError,
      ],
      [
        'InvalidAccessException',
        new InvalidAccessException({
          $metadata: {},
          message: `Account ${ACCOUNT} is not subscribed to AWS Security Hub`,
        }),
        AwsAccessDeniedError,
      ],
      [
        'LimitExceededException',
        new LimitExceededException({ $metadata: {}, message: 'Rate exceeded' }),
        AwsThrottledError,
      ],
      [
        'ThrottlingException',
        new ThrottlingException({ $metadata: {}, message: 'Rate exceeded' }),
        AwsThrottledError,
      ],
      [
        'TooManyRequestsException',
        new SecurityHubServiceException({
          name: 'TooManyRequestsException',
          $fault: 'client',
          $metadata: {},
        }),
        AwsThrottledError,
      ],
    ])(
      'turns %s on a later page into our error after yielding the pages before it',
      async (name, sdkError, ErrorClass) => {
        // Prepare
        securityHub
          .on(GetFindingsCommand, { NextToken: undefined })
          .resolves({ Findings: findingsFrom(1, 100), NextToken: 'token-2' })
          .on(GetFindingsCommand, { NextToken: 'token-2' })
          .rejects(sdkError);
        const yielded: FindingsPage[] = [];

        // Act
        const error = await (async () => {
          for await (const page of newAdapter().pages(filters)) yielded.push(page);
        })().catch((thrown: unknown) => thrown);

        // Assess
        expect(yielded).toHaveLength(1);
        expect(error).toBeInstanceOf(ErrorClass);
        expect(error).toMatchObject({
          cause: sdkError,
          context: {
            service: 'Security Hub',
            operation: 'GetFindings',
            accountId: ACCOUNT,
            region: REGION,
            awsErrorName: name,
          },
        });
      },
    );

    it('tells the user Security Hub may be off when it answers InvalidAccessException', async () => {
      // Prepare
      securityHub.on(GetFindingsCommand).rejects(
        new InvalidAccessException({
          $metadata: {},
          message: `Account ${ACCOUNT} is not subscribed to AWS Security Hub`,
        }),
      );

      // Act
      const error = await collect(newAdapter().pages(filters)).catch((thrown: unknown) => thrown);

      // Assess
      expect((error as AwsAccessDeniedError).userMessage).toMatch(/not be enabled/);
      expect((error as AwsAccessDeniedError).userMessage).toContain(ACCOUNT);
    });

    it('rethrows an error it does not know unchanged', async () => {
      // Prepare
      const sdkError = new InvalidInputException({ $metadata: {}, message: 'Invalid filter' });
      securityHub.on(GetFindingsCommand).rejects(sdkError);

      // Act
      const error = await collect(newAdapter().pages(filters)).catch((thrown: unknown) => thrown);

      // Assess
      expect(error).toBe(sdkError);
    });
  });

  describe('updateWorkflow', () => {
    it('sends 230 findings with the same status and note in calls of 100, 100 and 30', async () => {
      // Prepare
      acceptAll();
      const items = Array.from({ length: 230 }, (_, index) => update(index + 1));

      // Act
      const result = await newAdapter().updateWorkflow(items);

      // Assess
      expect(sentBatches().map((input) => input.FindingIdentifiers?.length)).toEqual([100, 100, 30]);
      expect(result.processed).toEqual(items.map((item) => item.ref));
      expect(result.unprocessed).toEqual([]);
      expect(securityHub).toHaveReceivedCommandWith(BatchUpdateFindingsCommand, {
        Workflow: { Status: 'SUPPRESSED' },
        Note: { Text: 'Suppressed from Slack by @alice: test account, no data.', UpdatedBy: 'cspm-bot' },
      });
    });

    it('makes one call per status and note, since a call carries only one of each', async () => {
      // Prepare
      acceptAll();
      const testAccount = { text: 'Test account, no data.', updatedBy: 'cspm-bot' };
      const acceptedUntil = { text: 'Risk accepted by @bob until 2026-12-31.', updatedBy: 'cspm-bot' };
      const byAnotherBot = { text: 'Test account, no data.', updatedBy: 'cspm-bot-staging' };

      // Act
      await newAdapter().updateWorkflow([
        update(1, { note: testAccount }),
        update(2, { note: acceptedUntil }),
        update(3, { note: testAccount }),
        update(4, { status: 'RESOLVED', note: testAccount }),
        update(5, { note: byAnotherBot }),
      ]);

      // Assess
      const batches = sentBatches().map((input) => ({
        status: input.Workflow?.Status,
        note: input.Note,
        ids: input.FindingIdentifiers?.map((identifier) => identifier.Id),
      }));
      expect(batches).toEqual([
        {
          status: 'SUPPRESSED',
          note: { Text: testAccount.text, UpdatedBy: 'cspm-bot' },
          ids: [findingId(1), findingId(3)],
        },
        {
          status: 'SUPPRESSED',
          note: { Text: acceptedUntil.text, UpdatedBy: 'cspm-bot' },
          ids: [findingId(2)],
        },
        { status: 'RESOLVED', note: { Text: testAccount.text, UpdatedBy: 'cspm-bot' }, ids: [findingId(4)] },
        {
          status: 'SUPPRESSED',
          note: { Text: testAccount.text, UpdatedBy: 'cspm-bot-staging' },
          ids: [findingId(5)],
        },
      ]);
    });

    it('returns the findings Security Hub could not update, with its reason', async () => {
      // Prepare
      securityHub.on(BatchUpdateFindingsCommand).resolves({
        ProcessedFindings: [{ Id: findingId(1), ProductArn: PRODUCT_ARN }],
        UnprocessedFindings: [
          {
            FindingIdentifier: { Id: findingId(2), ProductArn: PRODUCT_ARN },
            ErrorCode: 'FindingNotFound',
            ErrorMessage: 'Finding Not Found',
          },
          {
            FindingIdentifier: { Id: findingId(3), ProductArn: PRODUCT_ARN },
            ErrorCode: 'ConcurrentUpdateError',
            ErrorMessage: 'Concurrent finding updates detected',
          },
        ],
      });

      // Act
      const result = await newAdapter().updateWorkflow([update(1), update(2), update(3)]);

      // Assess
      expect(result).toEqual({
        processed: [ref(1)],
        unprocessed: [
          { ref: ref(2), errorCode: 'FindingNotFound', errorMessage: 'Finding Not Found' },
          {
            ref: ref(3),
            errorCode: 'ConcurrentUpdateError',
            errorMessage: 'Concurrent finding updates detected',
          },
        ],
      });
    });

    it('collects unprocessed findings from every call, not only the last', async () => {
      // Prepare
      securityHub.on(BatchUpdateFindingsCommand).callsFake((input: BatchUpdateFindingsCommandInput) => {
        const [first, ...rest] = input.FindingIdentifiers ?? [];
        return {
          ProcessedFindings: rest,
          UnprocessedFindings: [
            {
              FindingIdentifier: first,
              ErrorCode: 'InternalFailure',
              ErrorMessage: 'Internal service failure',
            },
          ],
        };
      });
      const items = Array.from({ length: 150 }, (_, index) => update(index + 1));

      // Act
      const result = await newAdapter().updateWorkflow(items);

      // Assess
      expect(result.unprocessed.map((finding) => finding.ref)).toEqual([ref(1), ref(101)]);
      expect(result.processed).toHaveLength(148);
    });

    it('cuts a note longer than 512 characters and ends it with an ellipsis', async () => {
      // Prepare
      acceptAll();
      const longText = `Accepted by @carol: ${'the legacy bastion stays until the migration ends. '.repeat(20)}`;

      // Act
      await newAdapter().updateWorkflow([update(1, { note: { text: longText, updatedBy: 'cspm-bot' } })]);

      // Assess
      const sent = sentBatches()[0]?.Note?.Text ?? '';
      expect(longText.length).toBeGreaterThan(MAX_NOTE_LENGTH);
      expect(sent).toHaveLength(MAX_NOTE_LENGTH);
      expect(sent.endsWith('…')).toBe(true);
      expect(longText.startsWith(sent.slice(0, -1))).toBe(true);
    });

    it('keeps a note of exactly 512 characters whole', async () => {
      // Prepare
      acceptAll();
      const text = 'x'.repeat(MAX_NOTE_LENGTH);

      // Act
      await newAdapter().updateWorkflow([update(1, { note: { text, updatedBy: 'cspm-bot' } })]);

      // Assess
      expect(sentBatches()[0]?.Note?.Text).toBe(text);
    });

    it('does not cut an emoji in half', async () => {
      // Prepare
      acceptAll();
      const text = `${'x'.repeat(MAX_NOTE_LENGTH - 2)}🔒 and more`;

      // Act
      await newAdapter().updateWorkflow([update(1, { note: { text, updatedBy: 'cspm-bot' } })]);

      // Assess
      const sent = sentBatches()[0]?.Note?.Text ?? '';
      expect(sent).toBe(`${'x'.repeat(MAX_NOTE_LENGTH - 2)}…`);
      expect(sent).not.toMatch(/[\uD800-\uDBFF]/);
    });

    it('cuts UpdatedBy to 512 characters too', async () => {
      // Prepare
      acceptAll();

      // Act
      await newAdapter().updateWorkflow([update(1, { note: { text: 'ok', updatedBy: 'u'.repeat(600) } })]);

      // Assess
      expect(sentBatches()[0]?.Note?.UpdatedBy).toHaveLength(MAX_NOTE_LENGTH);
    });

    it('sends a finding listed twice only once, which Security Hub would reject as duplicated', async () => {
      // Prepare
      acceptAll();

      // Act
      const result = await newAdapter().updateWorkflow([update(1), update(2), update(1)]);

      // Assess
      expect(sentBatches()[0]?.FindingIdentifiers?.map((identifier) => identifier.Id)).toEqual([
        findingId(1),
        findingId(2),
      ]);
      expect(result.processed).toEqual([ref(1), ref(2)]);
    });

    it('makes no call for an empty list', async () => {
      // Act
      const result = await newAdapter().updateWorkflow([]);

      // Assess
      expect(result).toEqual({ processed: [], unprocessed: [] });
      expect(securityHub).toHaveReceivedCommandTimes(BatchUpdateFindingsCommand, 0);
    });

    it('refuses a blank note before calling Security Hub', async () => {
      // Act
      const error = await newAdapter()
        .updateWorkflow([update(1, { note: { text: '   ', updatedBy: 'cspm-bot' } })])
        .catch((thrown: unknown) => thrown);

      // Assess
      expect(error).toBeInstanceOf(RangeError);
      expect(securityHub).toHaveReceivedCommandTimes(BatchUpdateFindingsCommand, 0);
    });

    it('turns AccessDeniedException into AwsAccessDeniedError naming BatchUpdateFindings and the finding', async () => {
      // Prepare
      const sdkError = new AccessDeniedException({
        $metadata: {},
        message: 'User is not authorized to perform: securityhub:BatchUpdateFindings',
      });
      securityHub.on(BatchUpdateFindingsCommand).rejects(sdkError);

      // Act
      const error = await newAdapter()
        .updateWorkflow([update(1)])
        .catch((thrown: unknown) => thrown);

      // Assess
      expect(error).toBeInstanceOf(AwsAccessDeniedError);
      expect(error).toMatchObject({
        code: 'AWS_ACCESS_DENIED',
        cause: sdkError,
        context: {
          operation: 'BatchUpdateFindings',
          accountId: ACCOUNT,
          region: REGION,
          resourceId: findingId(1),
        },
      });
      expect((error as AwsAccessDeniedError).userMessage).toContain('BatchUpdateFindings');
    });
  });
});
