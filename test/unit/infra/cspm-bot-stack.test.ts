import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { CfnTable } from 'aws-cdk-lib/aws-dynamodb';
import type { CfnRole } from 'aws-cdk-lib/aws-iam';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import type { CfnLogGroup } from 'aws-cdk-lib/aws-logs';
import type { CfnSecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { CfnQueue } from 'aws-cdk-lib/aws-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { BotFunction } from '../../../infra/bot-function.js';
import { BotSettingsError } from '../../../infra/bot-settings.js';
import { CspmBotStack, MEMBER_ACCOUNT_ROLE_NAME, TTL_ATTRIBUTE } from '../../../infra/cspm-bot-stack.js';
import { AUTOMATION_ROLE_NAME } from '../../../infra/remediation-runbooks.js';
import { AUTOMATION_ASSUME_ROLE_PARAMETER, SSM_DOCUMENTS } from '../../../infra/ssm-documents.js';
import { loadConfig } from '../../../src/config/config.js';
import { TABLE_INDEXES, TABLE_KEYS } from '../../../src/store/table-definition.js';
import { REMEDIATION_ACTIONS, RESOURCE_READ_ACTIONS } from '../../fixtures/iam-actions.js';
import type { PolicyStatementJson, ValidationReport } from './template-reading.js';
import {
  actionsIn,
  appForSynthesis,
  arnText,
  grantsOf,
  itPassesAwsSolutionsChecks,
  removeSynthesis,
  resourcesIn,
  statementsOf as statementsOfRole,
  synthesizeWithAwsSolutions,
} from './template-reading.js';

interface DocumentProperties {
  Name: string;
  Content: { parameters: Record<string, unknown>; outputs: string[] };
}

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
  ...RESOURCE_READ_ACTIONS,
  'sts:AssumeRole',
];
const SCOPED_REMEDIATIONS = [
  ['ec2:RevokeSecurityGroupIngress', 'arn:<AWS::Partition>:ec2:*:<AWS::AccountId>:security-group/*'],
  ['ec2:RevokeSecurityGroupEgress', 'arn:<AWS::Partition>:ec2:*:<AWS::AccountId>:security-group/*'],
  ['ec2:ModifyInstanceMetadataOptions', 'arn:<AWS::Partition>:ec2:*:<AWS::AccountId>:instance/*'],
  ['ec2:CreateLaunchTemplateVersion', 'arn:<AWS::Partition>:ec2:*:<AWS::AccountId>:launch-template/*'],
  ['ec2:ModifyLaunchTemplate', 'arn:<AWS::Partition>:ec2:*:<AWS::AccountId>:launch-template/*'],
  [
    'autoscaling:UpdateAutoScalingGroup',
    'arn:<AWS::Partition>:autoscaling:*:<AWS::AccountId>:autoScalingGroup:*:autoScalingGroupName/*',
  ],
] as const;
const AUTOMATION_ACTIONS = [...new Set(Object.values(SSM_DOCUMENTS).flatMap((spec) => spec.iamActions))];

describe('CspmBotStack', () => {
  let app: App;
  let stack: CspmBotStack;
  let custom: CspmBotStack;
  let ocsfOnly: CspmBotStack;
  let template: Template;
  let customTemplate: Template;
  let report: ValidationReport;

  // Prepare: one app, one synthesis (esbuild bundles the four handlers once; the second stack reuses the bundles).
  beforeAll(() => {
    app = appForSynthesis('cspm-bot-cdk-');
    stack = new CspmBotStack(app, 'CspmBot', { settings: SETTINGS });
    custom = new CspmBotStack(app, 'CspmBotCustom', {
      settings: {
        CSPM_SEVERITY_THRESHOLD: 'CRITICAL',
        CSPM_SYNC_INTERVAL_MINUTES: '60',
        CSPM_EXECUTOR: 'direct',
        CSPM_FINDINGS_FORMAT: 'both',
      },
    });
    ocsfOnly = new CspmBotStack(app, 'CspmBotOcsf', { settings: { CSPM_FINDINGS_FORMAT: 'ocsf' } });
    report = synthesizeWithAwsSolutions(app);
    template = Template.fromStack(stack);
    customTemplate = Template.fromStack(custom);
  });

  afterAll(() => {
    removeSynthesis(app);
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
  const statementsOf = (bot: BotFunction): PolicyStatementJson[] =>
    statementsOfRole(template, stack, bot.role);
  const actionsOf = (bot: BotFunction): string[] => actionsIn(statementsOf(bot));
  const automationRole = () => stack.runbooks.automationRole;
  const automationRoleId = () => stack.getLogicalId(automationRole().node.defaultChild as CfnRole);
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

  it('deploys exactly the four handlers, on Node.js 22 / arm64, without X-Ray tracing', () => {
    template.resourceCountIs('AWS::Lambda::Function', 4);
    template.allResourcesProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      TracingConfig: Match.absent(),
    });
  });

  it('grants no X-Ray action to any handler (tracing is off)', () => {
    for (const bot of Object.values(bots())) {
      expect(actionsOf(bot).filter((action) => action.startsWith('xray:'))).toEqual([]);
    }
  });

  it('alarms on errors and throttles of each of the four handlers, through the alarm topic', () => {
    const alarmed = Object.values(template.findResources('AWS::CloudWatch::Alarm'))
      .filter((alarm) => alarm.Properties.Namespace === 'AWS/Lambda')
      .map((alarm) => `${alarm.Properties.Dimensions[0].Value.Ref} ${alarm.Properties.MetricName}`);

    expect(alarmed.sort()).toEqual(
      Object.values(bots())
        .flatMap((bot) => [`${functionId(bot)} Errors`, `${functionId(bot)} Throttles`])
        .sort(),
    );
  });

  it.each([
    ['SlackHandler', 30],
    ['IngestHandler', 180],
    ['SyncHandler', 900],
    ['Worker', 900],
  ])('gives %s a %i s timeout and 512 MB', (name, timeout) => {
    expect(functionProps(bots()[name]!)).toMatchObject({ Timeout: timeout, MemorySize: 512 });
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

  it.each(['SlackHandler', 'IngestHandler', 'SyncHandler', 'Worker'])(
    'tells %s its home account and the role names the stack grants',
    (name) => {
      expect(functionProps(bots()[name]!).Environment.Variables).toMatchObject({
        CSPM_HOME_ACCOUNT_ID: { Ref: 'AWS::AccountId' },
        CSPM_MEMBER_ROLE_NAME: MEMBER_ACCOUNT_ROLE_NAME,
        CSPM_AUTOMATION_ROLE_NAME: AUTOMATION_ROLE_NAME,
      });
    },
  );

  it("names the same roles as the bot's configuration defaults", () => {
    const defaults = loadConfig({}).remediation;

    expect([defaults.memberRoleName, defaults.automationRoleName]).toEqual([
      MEMBER_ACCOUNT_ROLE_NAME,
      AUTOMATION_ROLE_NAME,
    ]);
  });

  it.each(['SlackHandler', 'IngestHandler', 'SyncHandler'])(
    'tells %s which worker to hand work to, and lets it invoke just that one',
    (name) => {
      const bot = bots()[name]!;
      const workerId = functionId(stack.worker);

      expect(functionProps(bot).Environment.Variables.CSPM_WORKER_FUNCTION_NAME).toEqual({ Ref: workerId });
      expect(grantsOf(statementsOf(bot), 'lambda:InvokeFunction')).toEqual([
        expect.objectContaining({ Resource: { 'Fn::GetAtt': [workerId, 'Arn'] } }),
      ]);
    },
  );

  it('lets the Worker invoke only itself (the next leg of a long group run), without naming itself in its environment', () => {
    const workerId = functionId(stack.worker);

    expect(functionProps(stack.worker).Environment.Variables).not.toHaveProperty('CSPM_WORKER_FUNCTION_NAME');
    expect(grantsOf(statementsOf(stack.worker), 'lambda:InvokeFunction')).toEqual([
      expect.objectContaining({ Resource: { 'Fn::GetAtt': [workerId, 'Arn'] } }),
    ]);
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

  it('forwards only HIGH and CRITICAL "Findings - Imported" events to the ingest queue, with 4 retries and a DLQ', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.securityhub'],
        'detail-type': ['Security Hub Findings - Imported'],
        detail: { findings: { Severity: { Label: ['HIGH', 'CRITICAL'] } } },
      },
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^IngestQueue'), 'Arn'] },
          RetryPolicy: { MaximumRetryAttempts: 4 },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^IngestDeadLetters'), 'Arn'] } },
        }),
      ],
    });
  });

  it('feeds ingest from the queue in batches of up to 100, returning only failed messages, then to the DLQ', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: functionId(stack.ingestHandler) },
      EventSourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^IngestQueue'), 'Arn'] },
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 2,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      // 6× the ingest timeout, so a batch in progress is never handed to a second invocation.
      VisibilityTimeout: 1080,
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^IngestDeadLetters'), 'Arn'] },
        maxReceiveCount: 5,
      },
    });
    // EventBridge may send to the queue, and to its DLQ when the queue cannot take an event.
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: Match.objectLike({
        Statement: Match.arrayWith([
          Match.objectLike({ Action: 'sqs:SendMessage', Principal: { Service: 'events.amazonaws.com' } }),
        ]),
      }),
    });
  });

  describe('CSPM_FINDINGS_FORMAT decides which Security Hub events reach the queue', () => {
    const patterns = (of: CspmBotStack): unknown[] =>
      Object.values(Template.fromStack(of).findResources('AWS::Events::Rule'))
        .map((rule) => (rule.Properties as Record<string, unknown>)['EventPattern'])
        .filter((pattern) => pattern !== undefined);
    const asffRule = {
      source: ['aws.securityhub'],
      'detail-type': ['Security Hub Findings - Imported'],
      detail: { findings: { Severity: { Label: ['CRITICAL'] } } },
    };
    const v2Rule = (severityIds: number[]) => ({
      source: ['aws.securityhub'],
      'detail-type': ['Findings Imported V2'],
      detail: { findings: { class_uid: [2003], severity_id: severityIds } },
    });
    // Every severity: an exposure enriches a finding already posted.
    const exposureRule = {
      source: ['aws.securityhub'],
      'detail-type': ['Findings Imported V2'],
      detail: { findings: { class_uid: [2004], finding_info: { analytic: { name: ['Exposure'] } } } },
    };

    it('asff (the default): only Security Hub CSPM\'s "Findings - Imported"', () => {
      expect(patterns(stack).map((pattern) => (pattern as Record<string, unknown>)['detail-type'])).toEqual([
        ['Security Hub Findings - Imported'],
      ]);
    });

    it('both: both, each at the severity threshold (OCSF by severity_id, Fatal counted as CRITICAL), and exposures', () => {
      expect(patterns(custom)).toEqual(expect.arrayContaining([asffRule, v2Rule([5, 6]), exposureRule]));
      expect(patterns(custom)).toHaveLength(3);
    });

    it("ocsf: only the newer Security Hub's compliance and exposure findings", () => {
      expect(patterns(ocsfOnly)).toEqual([v2Rule([4, 5, 6]), exposureRule]);
    });

    it('sends exposure findings to the same queue, with the same retries and DLQ', () => {
      const rules = Object.values(Template.fromStack(ocsfOnly).findResources('AWS::Events::Rule')).map(
        (rule) => rule.Properties as Record<string, unknown>,
      );
      const targetsOf = (classUid: number) =>
        rules.find(
          (rule) =>
            (rule['EventPattern'] as { detail?: { findings?: { class_uid?: number[] } } } | undefined)?.detail
              ?.findings?.class_uid?.[0] === classUid,
        )?.['Targets'];
      expect(targetsOf(2004)).toEqual(targetsOf(2003));
      expect(targetsOf(2004)).toEqual([
        expect.objectContaining({
          Arn: { 'Fn::GetAtt': [expect.stringMatching(/^IngestQueue/), 'Arn'] },
          RetryPolicy: { MaximumRetryAttempts: 4 },
        }),
      ]);
    });
  });

  it('runs the sync every 15 minutes by default', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(15 minutes)',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [functionId(stack.syncHandler), 'Arn'] } })],
    });
  });

  it('follows the severity threshold and sync interval of the settings', () => {
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

  it('encrypts the ingest queue and both failure queues and refuses non-TLS access to them', () => {
    template.resourceCountIs('AWS::SQS::Queue', 3);
    template.allResourcesProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
    const queues = ['WorkerFailures', 'IngestDeadLetters', 'IngestQueue'].map((id) =>
      stack.node.findChild(id),
    );
    for (const queue of queues) {
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

  it('lets only the Worker run the runbooks (ssm) or read and change resources itself (direct)', () => {
    const directWorker = actionsIn(statementsOfRole(customTemplate, custom, custom.worker.role));
    for (const action of REMEDIATION_ACTIONS) {
      expect([...actionsOf(stack.worker), ...directWorker], action).toContain(action);
      for (const bot of [stack.slackHandler, stack.ingestHandler, stack.syncHandler]) {
        expect(actionsOf(bot), action).not.toContain(action);
      }
    }
  });

  it('lets the Slack handler do nothing in AWS beyond its table, its secret and invoking the Worker', () => {
    const actions = actionsOf(stack.slackHandler).filter(
      (action) => !/^(dynamodb|secretsmanager|logs):/.test(action),
    );

    expect(actions).toEqual(['lambda:InvokeFunction']);
  });

  it.each(SCOPED_REMEDIATIONS)(
    "lets the Worker call %s only on this account's resources of that type, and only with the direct executor",
    (action, resource) => {
      const directWorker = statementsOfRole(customTemplate, custom, custom.worker.role);

      expect(resourcesIn(grantsOf(directWorker, action))).toEqual([resource]);
      expect(grantsOf(statementsOf(stack.worker), action)).toEqual([]);
    },
  );

  it.each(Object.values(SSM_DOCUMENTS).map((spec) => [spec.name]))(
    'lets the Worker start %s, by name, in its own account and region',
    (name) => {
      const resources = resourcesIn(grantsOf(statementsOf(stack.worker), 'ssm:StartAutomationExecution'));
      const definition = `arn:<AWS::Partition>:ssm:<AWS::Region>:<AWS::AccountId>:automation-definition/${name}`;

      expect(resources).toEqual(expect.arrayContaining([`${definition}:$DEFAULT`, `${definition}:*`]));
    },
  );

  it('lets the Worker start and follow no automation but the three runbooks', () => {
    const execution = 'arn:<AWS::Partition>:ssm:<AWS::Region>:<AWS::AccountId>:automation-execution/*';
    const statements = statementsOf(stack.worker);
    const definitions = resourcesIn(grantsOf(statements, 'ssm:StartAutomationExecution')).filter(
      (arn) => arn !== execution,
    );

    expect(definitions).toHaveLength(2 * Object.keys(SSM_DOCUMENTS).length);
    for (const arn of definitions) expect(arn).toMatch(/:automation-definition\/CspmBot-[A-Za-z0-9]+:/);
    expect(resourcesIn(grantsOf(statements, 'ssm:GetAutomationExecution'))).toEqual([execution]);
  });

  it('lets the Worker pass the automation role, and only to Systems Manager', () => {
    expect(grantsOf(statementsOf(stack.worker), 'iam:PassRole')).toEqual([
      expect.objectContaining({
        Resource: { 'Fn::GetAtt': [automationRoleId(), 'Arn'] },
        Condition: { StringEquals: { 'iam:PassedToService': 'ssm.amazonaws.com' } },
      }),
    ]);
  });

  it('gives each handler its own role, and the runbooks theirs, with no AWS managed policy', () => {
    template.resourceCountIs('AWS::IAM::Role', 5);
    template.allResourcesProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent() });
  });

  it('deploys each runbook as a named Automation document that updates to a new version', () => {
    const documents = Object.values(template.findResources('AWS::SSM::Document'));

    expect(documents.map((document) => document.Properties.Name).sort()).toEqual(
      Object.values(SSM_DOCUMENTS)
        .map((spec) => spec.name)
        .sort(),
    );
    template.allResourcesProperties('AWS::SSM::Document', {
      DocumentType: 'Automation',
      DocumentFormat: 'YAML',
      UpdateMethod: 'NewVersion',
    });
  });

  it.each(Object.values(SSM_DOCUMENTS).map((spec) => [spec.name, spec]))(
    'deploys %s exactly as its YAML file, with the parameters and outputs the executor uses',
    (_name, spec) => {
      const documentId = stack.getLogicalId(stack.runbooks.documents[spec.key]);
      const content = template.toJSON().Resources[documentId].Properties as DocumentProperties;

      expect(content.Name).toBe(spec.name);
      expect(content.Content).toEqual(parse(readFileSync(spec.file, 'utf8')));
      expect(Object.keys(content.Content.parameters).sort()).toEqual(
        [AUTOMATION_ASSUME_ROLE_PARAMETER, ...spec.parameters].sort(),
      );
      expect(content.Content.outputs).toEqual(spec.outputs);
    },
  );

  it('names the automation role cspm-bot-automation and lets only SSM in this account assume it', () => {
    const role = template.toJSON().Resources[automationRoleId()].Properties;

    expect(role.RoleName).toBe(AUTOMATION_ROLE_NAME);
    expect(role.MaxSessionDuration).toBe(3600);
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Principal: { Service: 'ssm.amazonaws.com' },
        Condition: {
          StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
          ArnLike: { 'aws:SourceArn': expect.anything() },
        },
      },
    ]);
    expect(arnText(role.AssumeRolePolicyDocument.Statement[0].Condition.ArnLike['aws:SourceArn'])).toBe(
      'arn:<AWS::Partition>:ssm:*:<AWS::AccountId>:automation-execution/*',
    );
  });

  it('gives the automation role exactly the actions the runbooks call', () => {
    const actions = actionsIn(statementsOfRole(template, stack, automationRole()));

    expect([...actions].sort()).toEqual([...AUTOMATION_ACTIONS].sort());
  });

  it('keeps the automation role\'s changes off "*": only reads, the account-level S3 setting and IMDS defaults (no ARN) are unscoped', () => {
    for (const statement of statementsOfRole(template, stack, automationRole())) {
      const actions = [statement.Action].flat();
      if (statement.Resource === '*') {
        // s3:PutAccountPublicAccessBlock and the IMDS defaults authorize against no resource type: "*" is all IAM accepts.
        for (const action of actions)
          expect(action).toMatch(
            /:(?:Describe|Get|List)|^s3:PutAccountPublicAccessBlock$|^ec2:ModifyInstanceMetadataDefaults$/,
          );
      } else {
        // Launching from this account's templates only: Auto Scaling checks it when the migration moves a group.
        if (actions.includes('ec2:RunInstances')) {
          expect(actions).toEqual(['ec2:RunInstances']);
          expect(statement.Condition).toEqual({
            ArnLike: { 'ec2:LaunchTemplate': expect.objectContaining({ 'Fn::Join': expect.anything() }) },
          });
          continue;
        }
        if (actions.includes('iam:PassRole')) {
          expect(statement.Condition).toEqual({
            StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' },
          });
          continue;
        }
        if (actions.includes('ec2:CreateTags')) {
          expect(statement.Condition).toEqual({ StringEquals: { 'ec2:CreateAction': 'RunInstances' } });
          continue;
        }
        // EC2 resources by type, or Auto Scaling groups (the launch configuration migration moves and refreshes them).
        expect(arnText(statement.Resource)).toMatch(
          /^arn:<AWS::Partition>:(?:ec2:\*:<AWS::AccountId>:[a-z-]+\/\*|s3:::\*|autoscaling:\*:<AWS::AccountId>:autoScalingGroup:\*:autoScalingGroupName\/\*)$/,
        );
        // Bucket ARNs name no account: the condition keeps the grant to this account's buckets.
        if (arnText(statement.Resource) === 'arn:<AWS::Partition>:s3:::*')
          expect(statement.Condition).toEqual({
            StringEquals: { 's3:ResourceAccount': { Ref: 'AWS::AccountId' } },
          });
      }
    }
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

  itPassesAwsSolutionsChecks(() => ({ stack, report }));

  it.each([
    ['a secret-looking name', { CSPM_SLACK_TOKEN: 'anything' }],
    ['a Slack token as value', { CSPM_DEFAULT_CHANNEL: 'xoxb-1234' }],
    ['a name outside CSPM_', { SLACK_SIGNING_SECRET: 'abc' }],
    ['a stack-owned name', { CSPM_TABLE_NAME: 'other-table' }],
  ])('refuses settings with %s before building anything', (_case, settings) => {
    expect(() => new CspmBotStack(new App(), 'Refused', { settings })).toThrow(BotSettingsError);
  });

  it.each([
    [
      'an unknown severity threshold',
      { CSPM_SEVERITY_THRESHOLD: 'SEVERE' },
      /CSPM_SEVERITY_THRESHOLD: expected/,
    ],
    [
      'a local-only setting',
      { CSPM_DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000' },
      /CSPM_DYNAMODB_ENDPOINT: local-only/,
    ],
  ])('refuses %s before building anything', (_case, settings, problem) => {
    expect(() => new CspmBotStack(new App(), 'Refused', { settings })).toThrow(problem);
  });
});
