import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { BotSettingsError } from '../../../infra/bot-settings.js';
import { defineCspmBotStacks } from '../../../infra/cspm-bot-app.js';
import type { CspmBotStacks } from '../../../infra/cspm-bot-app.js';
import { MEMBER_ACCOUNT_ROLE_NAME } from '../../../infra/member-account-stack.js';
import { RegionalRunbooksStack } from '../../../infra/regional-runbooks-stack.js';
import { AUTOMATION_ROLE_NAME } from '../../../infra/remediation-runbooks.js';
import { SSM_DOCUMENTS } from '../../../infra/ssm-documents.js';
import type { ValidationReport } from './template-reading.js';
import {
  awsSolutionsFindings,
  cdkJsonContext,
  grantsOf,
  readValidationReport,
  resourcesIn,
  statementsOf,
} from './template-reading.js';

const BOT_ACCOUNT = '444455556666';
const HOME = 'eu-west-1';
const REGIONS = ['eu-west-1', 'us-east-1', 'ap-southeast-2'];
const DOCUMENT_NAMES = Object.values(SSM_DOCUMENTS)
  .map((spec) => spec.name)
  .sort();

const folder = mkdtempSync(join(tmpdir(), 'cspm-regional-runbooks-'));
let files = 0;
afterAll(() => rmSync(folder, { recursive: true, force: true }));

function settingsFile(settings: Record<string, unknown>): string {
  files += 1;
  const path = join(folder, `settings-${files}.json`);
  writeFileSync(path, JSON.stringify(settings));
  return path;
}

/** `npx cdk synth -c botAccountId=…` as the bot account's shell would run it, Lambdas not bundled. */
function appWith(settings: Record<string, unknown>, context: Record<string, unknown> = {}): App {
  return new App({
    outdir: mkdtempSync(join(tmpdir(), 'cspm-regional-runbooks-out-')),
    context: {
      ...cdkJsonContext(),
      '@aws-cdk/core:failSynthOnValidationErrors': false,
      'aws:cdk:bundling-stacks': [],
      settingsFile: settingsFile(settings),
      ...context,
    },
    builtinCloudFormationValidation: false,
  });
}

function stackIds(app: App): string[] {
  return app.node.children.filter((child) => child instanceof Stack).map((stack) => stack.node.id);
}

interface DocumentProperties {
  Name: string;
  DocumentType: string;
  Content: unknown;
}

function documentsIn(template: Template): DocumentProperties[] {
  return Object.values(template.findResources('AWS::SSM::Document')).map(
    (resource) => resource.Properties as DocumentProperties,
  );
}

function roleNamesIn(template: Template): string[] {
  return Object.values(template.findResources('AWS::IAM::Role')).map((resource) =>
    String(resource.Properties.RoleName),
  );
}

describe('runbooks in every configured region (CSPM_AWS_REGIONS)', () => {
  let app: App;
  let stacks: CspmBotStacks;
  let report: ValidationReport;

  // Prepare: the bot account's stacks and a member account's, for three regions; one synthesis with cdk-nag.
  beforeAll(() => {
    app = appWith({ CSPM_AWS_REGIONS: REGIONS.join(',') }, { botAccountId: '111122223333' });
    stacks = defineCspmBotStacks(app, { CDK_DEFAULT_ACCOUNT: BOT_ACCOUNT, CDK_DEFAULT_REGION: HOME });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    app.synth();
    report = readValidationReport(app.outdir);
  }, 120_000);

  afterAll(() => rmSync(app.outdir, { recursive: true, force: true }));

  it('adds one CspmBotRunbooks-<region> stack per configured region besides the deploy region', () => {
    expect(stackIds(app)).toEqual([
      'CspmBot',
      'CspmBotRunbooks-us-east-1',
      'CspmBotRunbooks-ap-southeast-2',
      'CspmBotMember',
    ]);
    expect(stacks.runbooks.map((stack) => stack.region)).toEqual(['us-east-1', 'ap-southeast-2']);
  });

  it('puts every document, under the same name and with the committed content, in every region', () => {
    const byRegion = new Map<string, DocumentProperties[]>([
      [stacks.bot.region, documentsIn(Template.fromStack(stacks.bot))],
      ...stacks.runbooks.map((stack): [string, DocumentProperties[]] => [
        stack.region,
        documentsIn(Template.fromStack(stack)),
      ]),
    ]);

    expect([...byRegion.keys()].sort()).toEqual([...REGIONS].sort());
    for (const [region, documents] of byRegion) {
      expect(documents.map((document) => document.Name).sort(), region).toEqual(DOCUMENT_NAMES);
      for (const spec of Object.values(SSM_DOCUMENTS)) {
        const document = documents.find((candidate) => candidate.Name === spec.name)!;
        expect(document.DocumentType, `${spec.name} in ${region}`).toBe('Automation');
        expect(document.Content, `${spec.name} in ${region}`).toEqual(parse(readFileSync(spec.file, 'utf8')));
      }
    }
  });

  it('keeps the account-wide roles in the home-region stacks: the regional stacks hold documents only', () => {
    for (const stack of stacks.runbooks) {
      const types = Object.values(
        Template.fromStack(stack).toJSON().Resources as Record<string, { Type: string }>,
      ).map((resource) => resource.Type);
      expect(new Set(types), stack.stackName).toEqual(new Set(['AWS::SSM::Document']));
    }
    expect(roleNamesIn(Template.fromStack(stacks.bot))).toContain(AUTOMATION_ROLE_NAME);
    expect(roleNamesIn(Template.fromStack(stacks.member!)).sort()).toEqual(
      [AUTOMATION_ROLE_NAME, MEMBER_ACCOUNT_ROLE_NAME].sort(),
    );
  });

  it('lets the automation role be assumed by SSM executions of any region of its own account', () => {
    const role = Template.fromStack(stacks.bot).findResources('AWS::IAM::Role', {
      Properties: { RoleName: AUTOMATION_ROLE_NAME },
    });
    const [statement] = Object.values(role)[0]!.Properties.AssumeRolePolicyDocument.Statement;

    expect(statement.Condition.ArnLike['aws:SourceArn']).toEqual({
      'Fn::Join': [
        '',
        ['arn:', { Ref: 'AWS::Partition' }, ':ssm:*:', { Ref: 'AWS::AccountId' }, ':automation-execution/*'],
      ],
    });
  });

  it.each([
    ['the Worker (bot account)', () => ({ stack: stacks.bot as Stack, role: stacks.bot.worker.role })],
    ['the member role', () => ({ stack: stacks.member! as Stack, role: stacks.member!.memberRole })],
  ])(
    'lets %s start every runbook, and follow its executions, in every configured region',
    (_who, subject) => {
      const { stack, role } = subject();
      const statements = statementsOf(Template.fromStack(stack), stack, role);
      const starts = resourcesIn(grantsOf(statements, 'ssm:StartAutomationExecution'));
      const reads = resourcesIn(grantsOf(statements, 'ssm:GetAutomationExecution'));

      for (const region of ['<AWS::Region>', 'us-east-1', 'ap-southeast-2']) {
        for (const name of DOCUMENT_NAMES) {
          expect(starts, `${name} in ${region}`).toContain(
            `arn:<AWS::Partition>:ssm:${region}:<AWS::AccountId>:automation-definition/${name}:$DEFAULT`,
          );
        }
        expect(reads).toContain(`arn:<AWS::Partition>:ssm:${region}:<AWS::AccountId>:automation-execution/*`);
      }
      // The deploy region is granted as <AWS::Region>, not a second time by name.
      expect(starts.filter((arn) => arn.includes(`:ssm:${HOME}:`))).toEqual([]);
    },
  );

  it('leaves no unacknowledged cdk-nag AwsSolutions finding in any stack', () => {
    expect(awsSolutionsFindings(report)).toEqual([]);
  });

  it('gives every region the same template, so one StackSet template deploys them all', () => {
    const [first, ...others] = stacks.runbooks.map((stack) => Template.fromStack(stack).toJSON());

    expect(others.length).toBeGreaterThan(0);
    for (const template of others) expect(template).toEqual(first);
  });

  it('deploys to accounts that were never bootstrapped (StackSets), as the member stack does', () => {
    for (const stack of stacks.runbooks) {
      expect(
        Template.fromStack(stack).toJSON().Rules?.CheckBootstrapVersion,
        stack.stackName,
      ).toBeUndefined();
    }
  });
});

describe('runbook stacks for other settings', () => {
  it('adds none when CSPM_AWS_REGIONS is unset or names only the deploy region', () => {
    for (const settings of [{}, { CSPM_AWS_REGIONS: HOME }]) {
      const app = appWith(settings);
      const { runbooks } = defineCspmBotStacks(app, { CDK_DEFAULT_REGION: HOME });

      expect(runbooks).toEqual([]);
      expect(stackIds(app)).toEqual(['CspmBot']);
    }
  });

  it('refuses to place runbook stacks when the deploy region is unknown, naming what to set', () => {
    const app = appWith({ CSPM_AWS_REGIONS: REGIONS.join(',') });

    expect(() => defineCspmBotStacks(app, {})).toThrow(BotSettingsError);
    expect(() => defineCspmBotStacks(appWith({ CSPM_AWS_REGIONS: REGIONS.join(',') }), {})).toThrow(
      /AWS_REGION/,
    );
  });

  it('refuses a stack for something that is not a region', () => {
    expect(
      () => new RegionalRunbooksStack(new App(), 'CspmBotRunbooks-x', { env: { region: 'europe' } }),
    ).toThrow(/expected an AWS region like eu-west-1/);
  });
});
