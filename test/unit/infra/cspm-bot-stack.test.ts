import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Duration, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { CfnTable } from 'aws-cdk-lib/aws-dynamodb';
import type { CfnRole } from 'aws-cdk-lib/aws-iam';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import type { CfnLogGroup } from 'aws-cdk-lib/aws-logs';
import type { CfnSecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { CfnQueue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BotFunction } from '../../../infra/bot-function.js';
import { PROJECT_ROOT } from '../../../infra/bot-function.js';
import { BotSettingsError } from '../../../infra/bot-settings.js';
import { CspmBotStack, MEMBER_ACCOUNT_ROLE_NAME, TTL_ATTRIBUTE } from '../../../infra/cspm-bot-stack.js';
import { TABLE_INDEXES, TABLE_KEYS } from '../../../src/store/table-definition.js';

interface ValidationReport {
  pluginReports: {
    pluginName: string;
    violations: { ruleName: string; severity: string; violatingConstructs: { constructPath: string }[] }[];
  }[];
}

type PolicyStatementJson = { Action: string | string[]; Resource: unknown };

interface FunctionProperties {
  Timeout: number;
  MemorySize: number;
  LoggingConfig: unknown;
  Environment: { Variables: Record<string, unknown> };
}

const SETTINGS = {
  CSPM_DEFAULT_CHANNEL: 'C0123ABCD',
  CSPM_ROUTES: '[{"accounts":["111122223333"],"channel":"C0PROD123"}]',
};
const FINDING_WORK_ACTIONS = [
  'securityhub:GetFindings',
  'securityhub:BatchUpdateFindings',
  'ec2:DescribeSecurityGroupRules',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeRouteTables',
  'ec2:DescribeInstances',
  'sts:AssumeRole',
];

/** The same feature flags `npx cdk synth` applies, so the test synthesizes what a deploy would. */
function cdkJsonContext(): Record<string, unknown> {
  return (
    JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }
  ).context;
}

describe('CspmBotStack', () => {
  let outdir: string;
  let stack: CspmBotStack;
  let custom: CspmBotStack;
  let template: Template;
  let customTemplate: Template;
  let report: ValidationReport;

  // Prepare: one app, one synthesis (esbuild bundles the four handlers once; the second stack reuses the bundles).
  beforeAll(() => {
    outdir = mkdtempSync(join(tmpdir(), 'cspm-bot-cdk-'));
    const app = new App({
      outdir,
      context: {
        ...cdkJsonContext(),
        // Report cdk-nag violations in the validation report instead of throwing, so one test can list them.
        '@aws-cdk/core:failSynthOnValidationErrors': false,
      },
      // CDK's built-in CloudFormation schema validation costs ~7 s on top of bundling; `npx cdk synth` runs it.
      builtinCloudFormationValidation: false,
    });
    stack = new CspmBotStack(app, 'CspmBot', { settings: SETTINGS });
    custom = new CspmBotStack(app, 'CspmBotCustom', {
      severityLabels: ['CRITICAL'],
      syncSchedule: Duration.hours(1),
    });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    template = Template.fromStack(stack);
    customTemplate = Template.fromStack(custom);
    report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as ValidationReport;
  });

  afterAll(() => {
    rmSync(outdir, { recursive: true, force: true });
  });

  const bots = (): Record<string, BotFunction> => ({
    SlackHandler: stack.slackHandler,
    IngestHandler: stack.ingestHandler,
    SyncHandler: stack.syncHandler,
    Worker: stack.worker,
  });
  const tableId = () => stack.getLogicalId(stack.table.node.defaultChild as CfnTable);
  const secretId = () => stack.getLogicalId(stack.slackSecret.node.defaultChild as CfnSecret);
  const functionId = (bot: BotFunction) => stack.getLogicalId(bot.handler.node.defaultChild as CfnFunction);
  const functionProps = (bot: BotFunction) =>
    template.toJSON().Resources[functionId(bot)].Properties as FunctionProperties;
  const statementsOf = (bot: BotFunction): PolicyStatementJson[] => {
    const roleId = stack.getLogicalId(bot.role.node.defaultChild as CfnRole);
    const policies = template.findResources('AWS::IAM::Policy', {
      Properties: { Roles: Match.arrayWith([{ Ref: roleId }]) },
    });
    return Object.values(policies).flatMap((policy) => policy.Properties.PolicyDocument.Statement);
  };
  const actionsOf = (bot: BotFunction): string[] =>
    statementsOf(bot).flatMap((statement) => [statement.Action].flat());
  const queueIdOf = (destination: unknown): string =>
    (destination as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];

  it('builds the table keys and indexes from the shared table definition', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: TABLE_KEYS.partitionKey.name, KeyType: 'HASH' },
        { AttributeName: TABLE_KEYS.sortKey.name, KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      GlobalSecondaryIndexes: Object.entries(TABLE_INDEXES).map(([indexName, index]) => ({
        IndexName: indexName,
        KeySchema: [
          { AttributeName: index.partitionKey.name, KeyType: 'HASH' },
          { AttributeName: index.sortKey.name, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      })),
    });
  });

  it('keeps the audit table safe: point-in-time recovery, TTL, AWS-managed encryption, never deleted', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
        DeletionProtectionEnabled: true,
        SSESpecification: { SSEEnabled: true },
      }),
    });
  });

  it('deploys exactly the four handlers, on Node.js 22 / arm64 with active tracing', () => {
    template.resourceCountIs('AWS::Lambda::Function', 4);
    template.allResourcesProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      TracingConfig: { Mode: 'Active' },
    });
  });

  it.each([
    ['SlackHandler', 30],
    ['IngestHandler', 300],
    ['SyncHandler', 900],
    ['Worker', 900],
  ])('gives %s a %i s timeout, 512 MB and no reserved concurrency', (name, timeout) => {
    const props = functionProps(bots()[name]!);

    expect(props).toMatchObject({ Timeout: timeout, MemorySize: 512 });
    expect(props).not.toHaveProperty('ReservedConcurrentExecutions');
  });

  it.each(['SlackHandler', 'IngestHandler', 'SyncHandler', 'Worker'])(
    'logs %s to its own log group kept for one year',
    (name) => {
      const bot = bots()[name]!;
      const logGroupId = stack.getLogicalId(bot.logGroup.node.defaultChild as CfnLogGroup);

      expect(functionProps(bot).LoggingConfig).toEqual({ LogGroup: { Ref: logGroupId } });
      expect(template.toJSON().Resources[logGroupId].Properties).toEqual({ RetentionInDays: 365 });
    },
  );

  it.each(['SlackHandler', 'IngestHandler', 'SyncHandler', 'Worker'])(
    'gives %s the table, the secret ARN, Powertools settings and the CSPM_* settings',
    (name) => {
      expect(functionProps(bots()[name]!).Environment.Variables).toMatchObject({
        ...SETTINGS,
        CSPM_TABLE_NAME: { Ref: tableId() },
        CSPM_SLACK_SECRET_ARN: { Ref: secretId() },
        POWERTOOLS_SERVICE_NAME: 'cspm-bot',
        POWERTOOLS_LOG_LEVEL: 'INFO',
        NODE_OPTIONS: '--enable-source-maps',
      });
    },
  );

  it('tells only the Slack handler which worker to hand long work to, and lets it invoke just that one', () => {
    const workerId = functionId(stack.worker);

    expect(functionProps(stack.slackHandler).Environment.Variables.CSPM_WORKER_FUNCTION_NAME).toEqual({
      Ref: workerId,
    });
    expect(statementsOf(stack.slackHandler)).toContainEqual(
      expect.objectContaining({
        Action: 'lambda:InvokeFunction',
        Resource: { 'Fn::GetAtt': [workerId, 'Arn'] },
      }),
    );
    for (const bot of [stack.ingestHandler, stack.syncHandler, stack.worker]) {
      expect(functionProps(bot).Environment.Variables).not.toHaveProperty('CSPM_WORKER_FUNCTION_NAME');
      expect(actionsOf(bot)).not.toContain('lambda:InvokeFunction');
    }
  });

  it('serves Slack through a Function URL without IAM auth and outputs that URL', () => {
    const urls = template.findResources('AWS::Lambda::Url');
    const [urlId, url] = Object.entries(urls)[0]!;

    expect(Object.keys(urls)).toHaveLength(1);
    expect(url.Properties).toEqual({
      AuthType: 'NONE',
      TargetFunctionArn: { 'Fn::GetAtt': [functionId(stack.slackHandler), 'Arn'] },
    });
    template.hasOutput('SlackRequestUrl', { Value: { 'Fn::GetAtt': [urlId, 'FunctionUrl'] } });
  });

  it('outputs the table name and the secret ARN', () => {
    template.hasOutput('TableName', { Value: { Ref: tableId() } });
    template.hasOutput('SlackSecretArn', {
      Value: { Ref: secretId() },
    });
  });

  it('forwards only HIGH and CRITICAL "Findings - Imported" events to ingest, with 4 retries and a DLQ', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.securityhub'],
        'detail-type': ['Security Hub Findings - Imported'],
        detail: { findings: { Severity: { Label: ['HIGH', 'CRITICAL'] } } },
      },
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [functionId(stack.ingestHandler), 'Arn'] },
          RetryPolicy: { MaximumRetryAttempts: 4 },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^IngestDeadLetters'), 'Arn'] } },
        }),
      ],
    });
  });

  it('parks an ingest invocation that keeps failing in the same dead-letter queue', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: functionId(stack.ingestHandler) },
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('^IngestDeadLetters'), 'Arn'] } },
      },
    });
  });

  it('runs the sync every 15 minutes by default', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(15 minutes)',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [functionId(stack.syncHandler), 'Arn'] } })],
    });
  });

  it('uses the severities and sync schedule given as props', () => {
    customTemplate.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ detail: { findings: { Severity: { Label: ['CRITICAL'] } } } }),
    });
    customTemplate.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 hour)' });
  });

  it('never retries a failed worker invocation and sends it to a failure queue', () => {
    const configs = template.findResources('AWS::Lambda::EventInvokeConfig', {
      Properties: { FunctionName: { Ref: functionId(stack.worker) } },
    });
    const [config] = Object.values(configs);

    expect(config?.Properties).toMatchObject({
      MaximumRetryAttempts: 0,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [expect.any(String), 'Arn'] } } },
    });
    expect(queueIdOf(config?.Properties.DestinationConfig.OnFailure.Destination)).toMatch(/^WorkerFailures/);
  });

  it('encrypts both failure queues and refuses non-TLS access to them', () => {
    template.resourceCountIs('AWS::SQS::Queue', 2);
    template.allResourcesProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
    for (const queue of [stack.node.findChild('WorkerFailures'), stack.node.findChild('IngestDeadLetters')]) {
      const queueId = stack.getLogicalId(queue.node.defaultChild as CfnQueue);
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: queueId }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    }
  });

  it.each(['SlackHandler', 'IngestHandler', 'SyncHandler', 'Worker'])(
    'lets %s read and write the table and read the Slack secret',
    (name) => {
      const actions = actionsOf(bots()[name]!);

      expect(actions).toEqual(
        expect.arrayContaining([
          'dynamodb:GetItem',
          'dynamodb:PutItem',
          'dynamodb:UpdateItem',
          'dynamodb:Query',
        ]),
      );
      expect(actions).toContain('secretsmanager:GetSecretValue');
    },
  );

  it.each([
    ['IngestHandler', 'may', true],
    ['SyncHandler', 'may', true],
    ['Worker', 'may', true],
    ['SlackHandler', 'may not', false],
  ])('%s %s read or update findings, describe EC2 or assume the member role', (name, _may, granted) => {
    const actions = actionsOf(bots()[name]!);

    for (const action of FINDING_WORK_ACTIONS) expect(actions.includes(action), action).toBe(granted);
  });

  it("scopes Security Hub to this account's hub and AssumeRole to the member-account role", () => {
    const statements = statementsOf(stack.worker);
    const securityHub = statements.find((s) => [s.Action].flat().includes('securityhub:BatchUpdateFindings'));
    const assumeRole = statements.find((s) => [s.Action].flat().includes('sts:AssumeRole'));

    expect(JSON.stringify(securityHub?.Resource)).toMatch(/:securityhub:\*:.*AWS::AccountId.*:hub\/default/);
    expect(JSON.stringify(assumeRole?.Resource)).toContain(`:iam::*:role/${MEMBER_ACCOUNT_ROLE_NAME}`);
  });

  it('gives each handler its own role with no AWS managed policy', () => {
    template.resourceCountIs('AWS::IAM::Role', 4);
    template.allResourcesProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent() });
  });

  it('holds no Slack credential: the secret starts with the right keys and empty values', () => {
    const secrets = Object.values(template.findResources('AWS::SecretsManager::Secret'));

    expect(secrets).toHaveLength(1);
    expect(JSON.parse(secrets[0]!.Properties.SecretString as string)).toEqual({
      botToken: '',
      signingSecret: '',
    });
    expect(JSON.stringify(template.toJSON())).not.toMatch(/xox[a-z]-|xapp-/);
  });

  it('leaves no unacknowledged cdk-nag AwsSolutions finding', () => {
    const findings = report.pluginReports
      .filter((plugin) => plugin.pluginName === 'AwsSolutions')
      .flatMap((plugin) => plugin.violations)
      .map(
        (v) =>
          `${v.severity} ${v.ruleName} at ${v.violatingConstructs.map((c) => c.constructPath).join(', ')}`,
      );

    expect(findings).toEqual([]);
  });

  it('gives every cdk-nag acknowledgement a reason', () => {
    const acknowledgements = stack.node
      .findAll()
      .flatMap((construct) => construct.node.metadata)
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) => Object.entries(entry.data as Record<string, string>));

    expect(acknowledgements.length).toBeGreaterThan(0);
    for (const [rule, reason] of acknowledgements) expect(reason.length, rule).toBeGreaterThan(40);
  });

  it.each([
    ['a secret-looking name', { CSPM_SLACK_TOKEN: 'anything' }],
    ['a Slack token as value', { CSPM_DEFAULT_CHANNEL: 'xoxb-1234' }],
    ['a name outside CSPM_', { SLACK_SIGNING_SECRET: 'abc' }],
    ['a stack-owned name', { CSPM_TABLE_NAME: 'other-table' }],
  ])('refuses settings with %s before building anything', (_case, settings) => {
    expect(() => new CspmBotStack(new App(), 'Refused', { settings })).toThrow(BotSettingsError);
  });

  it.each([[[]], [['SEVERE']]])('refuses severity labels %j', (severityLabels) => {
    expect(() => new CspmBotStack(new App(), 'Refused', { severityLabels: severityLabels as never })).toThrow(
      /severityLabels/,
    );
  });
});
