import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CfnRole } from 'aws-cdk-lib/aws-iam';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BotFunction } from '../../../infra/bot-function.js';
import { CspmBotStack } from '../../../infra/cspm-bot-stack.js';
import { CspmBotMemberStack } from '../../../infra/member-account-stack.js';
import type { PolicyStatementJson, ValidationReport } from './template-reading.js';
import {
  actionsIn,
  arnText,
  awsSolutionsFindings,
  cdkJsonContext,
  grantsOf,
  readValidationReport,
  resourcesIn,
  statementsOf,
} from './template-reading.js';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Validations } from 'aws-cdk-lib';

// Written out rather than read from infra/, so that a grant added or dropped there fails here.
const READS = [
  'ec2:DescribeSecurityGroupRules',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeRouteTables',
  'ec2:DescribeNetworkAcls',
  'ec2:DescribeInstances',
  'ec2:DescribeSecurityGroups',
  'ec2:DescribeLaunchTemplates',
  'ec2:DescribeLaunchTemplateVersions',
  'autoscaling:DescribeAutoScalingGroups',
  'autoscaling:DescribeLaunchConfigurations',
  'ec2:GetInstanceMetadataDefaults',
  's3:GetBucketPublicAccessBlock',
  's3:GetBucketPolicy',
  's3:GetBucketPolicyStatus',
  's3:GetBucketAcl',
  's3:GetBucketLocation',
  's3:ListAllMyBuckets',
  's3:GetAccountPublicAccessBlock',
];
const DIRECT_WRITES = [
  'ec2:RevokeSecurityGroupIngress',
  'ec2:RevokeSecurityGroupEgress',
  'ec2:ModifyInstanceMetadataOptions',
  'ec2:CreateLaunchTemplateVersion',
  'ec2:ModifyLaunchTemplate',
  'autoscaling:UpdateAutoScalingGroup',
  'ec2:CreateNetworkAclEntry',
  'ec2:ModifyInstanceMetadataDefaults',
  's3:PutBucketPolicy',
  's3:PutBucketPublicAccessBlock',
  's3:PutAccountPublicAccessBlock',
  'ec2:CreateLaunchTemplate',
  'autoscaling:StartInstanceRefresh',
  // Checked by Auto Scaling when a group is moved onto a launch template (never called by the bot itself).
  'ec2:RunInstances',
  'ec2:CreateTags',
  'iam:PassRole',
];
const RUNBOOK_STARTS = [
  'ssm:StartAutomationExecution',
  'ssm:GetAutomationExecution',
  'ssm:AddTagsToResource',
  'iam:PassRole',
];
const TABLE_ITEMS = [
  'dynamodb:BatchGetItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:DeleteItem',
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:Query',
  'dynamodb:UpdateItem',
];
// Everything the Worker holds besides its log group and its remediation grants.
const WORKER_BASE = [
  ...TABLE_ITEMS,
  'secretsmanager:GetSecretValue',
  'secretsmanager:DescribeSecret',
  'securityhub:GetFindings',
  'securityhub:BatchUpdateFindings',
  'sts:AssumeRole',
  'lambda:InvokeFunction',
  // Lambda sends a failed invocation to the WorkerFailures queue with the Worker's own role (CDK's SqsDestination).
  'sqs:GetQueueAttributes',
  'sqs:GetQueueUrl',
  'sqs:SendMessage',
];
const BOT_ACCOUNT = '111122223333';
const EXTERNAL_ID = 'cspm-bot-7f3a9c';

const sorted = (actions: readonly string[]): string[] => [...new Set(actions)].sort();

describe('least privilege per executor and settings', () => {
  let app: App;
  let ssmBot: CspmBotStack;
  let directBot: CspmBotStack;
  let ssmMember: CspmBotMemberStack;
  let directMember: CspmBotMemberStack;
  let report: ValidationReport;

  // Prepare: one app, one synthesis with cdk-nag. No bundling: these tests read IAM and rules, not the code.
  beforeAll(() => {
    app = new App({
      outdir: mkdtempSync(join(tmpdir(), 'cspm-bot-least-privilege-')),
      context: {
        ...cdkJsonContext(),
        '@aws-cdk/core:failSynthOnValidationErrors': false,
        'aws:cdk:bundling-stacks': [],
      },
      builtinCloudFormationValidation: false,
    });
    ssmBot = new CspmBotStack(app, 'SsmBot', {
      settings: { CSPM_EXECUTOR: 'ssm', CSPM_SEVERITY_THRESHOLD: 'MEDIUM', CSPM_SYNC_INTERVAL_MINUTES: '30' },
    });
    directBot = new CspmBotStack(app, 'DirectBot', {
      settings: { CSPM_EXECUTOR: 'direct', CSPM_SEVERITY_THRESHOLD: 'LOW' },
    });
    ssmMember = new CspmBotMemberStack(app, 'SsmMember', {
      botAccountId: BOT_ACCOUNT,
      externalId: EXTERNAL_ID,
      executor: 'ssm',
    });
    directMember = new CspmBotMemberStack(app, 'DirectMember', {
      botAccountId: BOT_ACCOUNT,
      executor: 'direct',
    });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    app.synth();
    report = readValidationReport(app.outdir);
  });

  afterAll(() => {
    rmSync(app.outdir, { recursive: true, force: true });
  });

  const botStatements = (stack: CspmBotStack, bot: BotFunction): PolicyStatementJson[] =>
    statementsOf(Template.fromStack(stack), stack, bot.role);
  const awsActions = (statements: readonly PolicyStatementJson[]): string[] =>
    sorted(actionsIn(statements).filter((action) => !action.startsWith('logs:')));
  const memberStatements = (stack: CspmBotMemberStack): PolicyStatementJson[] =>
    statementsOf(Template.fromStack(stack), stack, stack.memberRole);
  const functionProps = (stack: CspmBotStack, bot: BotFunction): Record<string, unknown> =>
    Template.fromStack(stack).toJSON().Resources[
      stack.getLogicalId(bot.handler.node.defaultChild as CfnFunction)
    ].Properties;

  describe('the Worker role', () => {
    it('with ssm: reads, starts the runbooks and passes their role, and changes nothing itself', () => {
      expect(awsActions(botStatements(ssmBot, ssmBot.worker))).toEqual(
        sorted([...WORKER_BASE, ...READS, ...RUNBOOK_STARTS]),
      );
    });

    it('with direct: reads and makes the changes, and starts no runbook', () => {
      expect(awsActions(botStatements(directBot, directBot.worker))).toEqual(
        sorted([...WORKER_BASE, ...READS, ...DIRECT_WRITES]),
      );
    });

    it.each([
      ['ec2:RevokeSecurityGroupIngress', 'arn:<AWS::Partition>:ec2:*:<AWS::AccountId>:security-group/*'],
      ['ec2:ModifyInstanceMetadataOptions', 'arn:<AWS::Partition>:ec2:*:<AWS::AccountId>:instance/*'],
      ['ec2:CreateNetworkAclEntry', 'arn:<AWS::Partition>:ec2:*:<AWS::AccountId>:network-acl/*'],
      // Bucket ARNs name no account: the grant's s3:ResourceAccount condition does (resource-permissions.test.ts).
      ['s3:PutBucketPolicy', 'arn:<AWS::Partition>:s3:::*'],
      ['s3:PutBucketPublicAccessBlock', 'arn:<AWS::Partition>:s3:::*'],
      [
        'autoscaling:UpdateAutoScalingGroup',
        'arn:<AWS::Partition>:autoscaling:*:<AWS::AccountId>:autoScalingGroup:*:autoScalingGroupName/*',
      ],
    ])("with direct: %s only on this account's resources of that type", (action, resource) => {
      expect(resourcesIn(grantsOf(botStatements(directBot, directBot.worker), action))).toEqual([resource]);
    });
  });

  describe('the member role', () => {
    it('with ssm: reads, starts the runbooks and passes their role, and changes nothing itself', () => {
      expect(sorted(actionsIn(memberStatements(ssmMember)))).toEqual(sorted([...READS, ...RUNBOOK_STARTS]));
    });

    it('with direct: reads and makes the changes, and starts no runbook', () => {
      expect(sorted(actionsIn(memberStatements(directMember)))).toEqual(sorted([...READS, ...DIRECT_WRITES]));
    });

    it("is assumable only by the bot's ingest, sync and worker roles, with the external id", () => {
      const role = Template.fromStack(ssmMember).toJSON().Resources[
        ssmMember.getLogicalId(ssmMember.memberRole.node.defaultChild as CfnRole)
      ].Properties as { AssumeRolePolicyDocument: { Statement: Record<string, unknown>[] } };
      const [trust, ...others] = role.AssumeRolePolicyDocument.Statement;
      const condition = trust?.['Condition'] as {
        ArnEquals: { 'aws:PrincipalArn': unknown[] };
        StringEquals: Record<string, string>;
      };

      expect(others).toEqual([]);
      expect(arnText((trust?.['Principal'] as { AWS: unknown }).AWS)).toBe(
        `arn:<AWS::Partition>:iam::${BOT_ACCOUNT}:root`,
      );
      expect(condition.ArnEquals['aws:PrincipalArn'].map(arnText)).toEqual(
        ['cspm-bot-ingest', 'cspm-bot-sync', 'cspm-bot-worker'].map(
          (name) => `arn:<AWS::Partition>:iam::${BOT_ACCOUNT}:role/${name}`,
        ),
      );
      expect(condition.StringEquals).toEqual({ 'sts:ExternalId': EXTERNAL_ID });
    });
  });

  describe("the bot's function roles", () => {
    it.each([
      ['slackHandler', 'cspm-bot-slack-handler'],
      ['ingestHandler', 'cspm-bot-ingest'],
      ['syncHandler', 'cspm-bot-sync'],
      ['worker', 'cspm-bot-worker'],
    ] as const)('names the %s role %s, the name member roles trust', (bot, name) => {
      const role = Template.fromStack(ssmBot).toJSON().Resources[
        ssmBot.getLogicalId(ssmBot[bot].role.node.defaultChild as CfnRole)
      ].Properties as { RoleName: string };

      expect(role.RoleName).toBe(name);
    });

    it.each(['slackHandler', 'ingestHandler', 'syncHandler', 'worker'] as const)(
      'lets %s do on the table exactly what the code sends: items and index queries, no Scan',
      (bot) => {
        const statements = botStatements(ssmBot, ssmBot[bot]).filter((statement) =>
          [statement.Action].flat().some((action) => action.startsWith('dynamodb:')),
        );
        const tableId = ssmBot.getLogicalId(ssmBot.table.node.defaultChild as CfnRole);

        expect(
          statements.map((statement) => [sorted([statement.Action].flat()), arnText(statement.Resource)]),
        ).toEqual([
          [sorted(TABLE_ITEMS), `<${tableId}.Arn>`],
          [['dynamodb:Query'], `<${tableId}.Arn>/index/*`],
        ]);
      },
    );
  });

  describe('the EventBridge rule and schedule follow the settings', () => {
    const findingsRule = (stack: CspmBotStack): Record<string, unknown> => {
      const rules = Object.values(Template.fromStack(stack).findResources('AWS::Events::Rule')).map(
        (rule) => rule.Properties as Record<string, unknown>,
      );
      return rules.find((rule) => rule['EventPattern'] !== undefined)!;
    };

    it.each([
      ['MEDIUM', () => ssmBot, ['MEDIUM', 'HIGH', 'CRITICAL']],
      ['LOW', () => directBot, ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL']],
    ])(
      'with CSPM_SEVERITY_THRESHOLD=%s forwards that severity and every one above it',
      (_threshold, stack, labels) => {
        expect(findingsRule(stack())).toMatchObject({
          EventPattern: { detail: { findings: { Severity: { Label: labels } } } },
          Description: expect.stringContaining(labels.join('/')),
        });
      },
    );

    it('runs the sync at CSPM_SYNC_INTERVAL_MINUTES', () => {
      Template.fromStack(ssmBot).hasResourceProperties('AWS::Events::Rule', {
        ScheduleExpression: 'rate(30 minutes)',
      });
    });
  });

  describe('reserved concurrency', () => {
    it('runs one sync at a time and at most ten Workers, and leaves the Slack handler and ingest unreserved', () => {
      expect(functionProps(ssmBot, ssmBot.syncHandler)['ReservedConcurrentExecutions']).toBe(1);
      expect(functionProps(ssmBot, ssmBot.worker)['ReservedConcurrentExecutions']).toBe(10);
      expect(functionProps(ssmBot, ssmBot.slackHandler)).not.toHaveProperty('ReservedConcurrentExecutions');
      expect(functionProps(ssmBot, ssmBot.ingestHandler)).not.toHaveProperty('ReservedConcurrentExecutions');
    });
  });

  it('leaves no unacknowledged cdk-nag AwsSolutions finding in either executor mode', () => {
    expect(awsSolutionsFindings(report)).toEqual([]);
  });
});
