import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CfnRole } from 'aws-cdk-lib/aws-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { BotSettingsError } from '../../../infra/bot-settings.js';
import { CspmBotMemberStack, MEMBER_ACCOUNT_ROLE_NAME } from '../../../infra/member-account-stack.js';
import { AUTOMATION_ROLE_NAME } from '../../../infra/remediation-runbooks.js';
import { SSM_DOCUMENTS } from '../../../infra/ssm-documents.js';
import { REMEDIATION_ACTIONS, RESOURCE_READ_ACTIONS } from '../../fixtures/iam-actions.js';
import type { ValidationReport } from './template-reading.js';
import {
  actionsIn,
  appForSynthesis,
  arnText,
  grantsOf,
  itPassesAwsSolutionsChecks,
  removeSynthesis,
  resourcesIn,
  statementsOf,
  synthesizeWithAwsSolutions,
} from './template-reading.js';

const BOT_ACCOUNT = '111122223333';
const EXTERNAL_ID = 'cspm-bot-7f3a9c';

// What the bot does in a member account through the member role with the default (ssm) executor: read, and run the
// runbooks; their automation role makes the changes (least-privilege.test.ts covers `direct`).
const MEMBER_ACTIONS = [...RESOURCE_READ_ACTIONS, ...REMEDIATION_ACTIONS].filter((action) =>
  /:(?:Describe|Get|List)|^ssm:|^iam:PassRole$/.test(action),
);
// The bot's roles that assume the member role.
const BOT_CALLERS = ['cspm-bot-ingest', 'cspm-bot-sync', 'cspm-bot-worker'].map(
  (name) => `arn:<AWS::Partition>:iam::${BOT_ACCOUNT}:role/${name}`,
);

interface RoleProperties {
  RoleName: string;
  MaxSessionDuration: number;
  AssumeRolePolicyDocument: {
    Statement: {
      Principal: { AWS: unknown };
      Condition: { ArnEquals: { 'aws:PrincipalArn': unknown[] }; StringEquals?: unknown };
    }[];
  };
}

describe('CspmBotMemberStack', () => {
  let app: App;
  let stack: CspmBotMemberStack;
  let open: CspmBotMemberStack;
  let template: Template;
  let openTemplate: Template;
  let report: ValidationReport;

  // Prepare: one app, one synthesis; no Lambda, so no bundling.
  beforeAll(() => {
    app = appForSynthesis('cspm-bot-member-cdk-');
    stack = new CspmBotMemberStack(app, 'CspmBotMember', {
      botAccountId: BOT_ACCOUNT,
      externalId: EXTERNAL_ID,
    });
    open = new CspmBotMemberStack(app, 'CspmBotMemberNoExternalId', { botAccountId: BOT_ACCOUNT });
    report = synthesizeWithAwsSolutions(app);
    template = Template.fromStack(stack);
    openTemplate = Template.fromStack(open);
  });

  afterAll(() => {
    removeSynthesis(app);
  });

  const roleProps = (of: CspmBotMemberStack, from: Template): RoleProperties =>
    from.toJSON().Resources[of.getLogicalId(of.memberRole.node.defaultChild as CfnRole)].Properties;
  const memberStatements = () => statementsOf(template, stack, stack.memberRole);

  it('names the role cspm-bot-member and limits its sessions to one hour', () => {
    expect(roleProps(stack, template)).toMatchObject({
      RoleName: MEMBER_ACCOUNT_ROLE_NAME,
      MaxSessionDuration: 3600,
    });
  });

  it("lets only the bot's named roles assume the role, and only with the external id", () => {
    const [trust, ...others] = roleProps(stack, template).AssumeRolePolicyDocument.Statement;

    expect(others).toEqual([]);
    expect(arnText(trust?.Principal.AWS)).toBe(`arn:<AWS::Partition>:iam::${BOT_ACCOUNT}:root`);
    expect(trust?.Condition.ArnEquals['aws:PrincipalArn'].map(arnText)).toEqual(BOT_CALLERS);
    expect(trust?.Condition.StringEquals).toEqual({ 'sts:ExternalId': EXTERNAL_ID });
  });

  it("requires no external id when none is given, still only from the bot's named roles", () => {
    const [trust] = roleProps(open, openTemplate).AssumeRolePolicyDocument.Statement;

    expect(arnText(trust?.Principal.AWS)).toBe(`arn:<AWS::Partition>:iam::${BOT_ACCOUNT}:root`);
    expect(trust?.Condition.ArnEquals['aws:PrincipalArn'].map(arnText)).toEqual(BOT_CALLERS);
    expect(trust?.Condition).not.toHaveProperty('StringEquals');
  });

  it('lets the bot read and run the runbooks, and nothing else (by default it changes nothing itself)', () => {
    expect([...new Set(actionsIn(memberStatements()))].sort()).toEqual([...MEMBER_ACTIONS].sort());
  });

  it('lets the bot pass only the automation role of this account, and only to Systems Manager', () => {
    const automationRoleId = stack.getLogicalId(stack.runbooks.automationRole.node.defaultChild as CfnRole);

    expect(grantsOf(memberStatements(), 'iam:PassRole')).toEqual([
      expect.objectContaining({
        Resource: { 'Fn::GetAtt': [automationRoleId, 'Arn'] },
        Condition: { StringEquals: { 'iam:PassedToService': 'ssm.amazonaws.com' } },
      }),
    ]);
  });

  it('lets the bot start the runbooks of this account and region, by name', () => {
    const resources = resourcesIn(grantsOf(memberStatements(), 'ssm:StartAutomationExecution'));

    for (const spec of Object.values(SSM_DOCUMENTS)) {
      expect(resources).toContain(
        `arn:<AWS::Partition>:ssm:<AWS::Region>:<AWS::AccountId>:automation-definition/${spec.name}:$DEFAULT`,
      );
    }
  });

  it('lets the bot start runbooks and follow executions of this account only, never on "*"', () => {
    for (const action of ['ssm:StartAutomationExecution', 'ssm:GetAutomationExecution']) {
      for (const resource of resourcesIn(grantsOf(memberStatements(), action))) {
        expect(resource).toMatch(/^arn:<AWS::Partition>:ssm:<AWS::Region>:<AWS::AccountId>:/);
      }
    }
  });

  it('deploys the same three runbooks and their automation role', () => {
    const documents = Object.values(template.findResources('AWS::SSM::Document'));
    const automationRole = template.toJSON().Resources[
      stack.getLogicalId(stack.runbooks.automationRole.node.defaultChild as CfnRole)
    ].Properties as RoleProperties;

    expect(documents).toHaveLength(Object.keys(SSM_DOCUMENTS).length);
    for (const spec of Object.values(SSM_DOCUMENTS)) {
      expect(documents).toContainEqual(
        expect.objectContaining({
          Properties: expect.objectContaining({
            Name: spec.name,
            DocumentType: 'Automation',
            Content: parse(readFileSync(spec.file, 'utf8')),
          }),
        }),
      );
    }
    expect(automationRole.RoleName).toBe(AUTOMATION_ROLE_NAME);
    expect(automationRole.AssumeRolePolicyDocument.Statement).toEqual([
      expect.objectContaining({ Principal: { Service: 'ssm.amazonaws.com' } }),
    ]);
  });

  it('needs no CDK bootstrap in the member account, so StackSets can deploy the template as it is', () => {
    const json = template.toJSON();

    expect(json.Parameters ?? {}).not.toHaveProperty('BootstrapVersion');
    expect(json.Rules ?? {}).not.toHaveProperty('CheckBootstrapVersion');
  });

  it('outputs the member role ARN', () => {
    template.hasOutput('MemberRoleArn', {
      Value: { 'Fn::GetAtt': [stack.getLogicalId(stack.memberRole.node.defaultChild as CfnRole), 'Arn'] },
    });
  });

  itPassesAwsSolutionsChecks(() => ({ stack, report }));

  it.each([
    ['a short account id', { botAccountId: '12345' }, 'botAccountId'],
    ['an account ARN', { botAccountId: `arn:aws:iam::${BOT_ACCOUNT}:root` }, 'botAccountId'],
    ['a one-character external id', { botAccountId: BOT_ACCOUNT, externalId: 'x' }, 'externalId'],
    ['an external id with a space', { botAccountId: BOT_ACCOUNT, externalId: 'two words' }, 'externalId'],
  ])('refuses %s before building anything', (_case, props, field) => {
    expect(() => new CspmBotMemberStack(new App(), 'Refused', props)).toThrow(BotSettingsError);
    expect(() => new CspmBotMemberStack(new App(), 'Refused', props)).toThrow(field);
  });
});
