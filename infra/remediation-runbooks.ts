import { readFileSync } from 'node:fs';
import { Aws, Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnDocument } from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { parse } from 'yaml';
import { AUTOMATION_TAG_KEYS } from '../src/aws/change-attribution.js';
import { remediationsInUse } from '../src/domain/control-catalog.js';
import { SSM_DOCUMENTS } from './ssm-documents.js';
import type { SsmDocumentKey, SsmDocumentSpec } from './ssm-documents.js';
import { allowResourceActions, nagForm } from './resource-permissions.js';

/** The role SSM Automation assumes in every account the bot remediates (CSPM_AUTOMATION_ROLE_NAME's default). */
export const AUTOMATION_ROLE_NAME = 'cspm-bot-automation';

/** The documents of the remediations the catalog's controls use: a new control's runbook comes with its entry. */
function documentsInUse(): SsmDocumentSpec[] {
  return remediationsInUse().map((remediation) => SSM_DOCUMENTS[remediation.planKind]);
}

/** Every IAM action the documents' steps call, once each. */
export function automationActions(): string[] {
  return [...new Set(documentsInUse().flatMap((spec) => spec.iamActions))];
}

export interface RemediationRunbooksProps {
  /**
   * Every region the documents exist in (CSPM_AWS_REGIONS): this stack's own, plus those of the `CspmBotRunbooks-<region>`
   * stacks. Starting them is granted in each. Default: this stack's region only.
   */
  readonly regions?: readonly string[];
}

/**
 * Every cspm-bot SSM Automation document, created in `scope` under its own name. Documents are regional, so each
 * region the bot remediates in holds one set; the names are the same everywhere because the bot starts a document
 * by name in the finding's region.
 */
export function createRunbookDocuments(scope: Construct): Readonly<Record<SsmDocumentKey, CfnDocument>> {
  const documents: Partial<Record<SsmDocumentKey, CfnDocument>> = {};
  for (const spec of documentsInUse()) documents[spec.key] = createDocument(scope, spec);
  return documents as Record<SsmDocumentKey, CfnDocument>;
}

function createDocument(scope: Construct, spec: SsmDocumentSpec): CfnDocument {
  return new CfnDocument(scope, spec.name, {
    name: spec.name,
    documentType: 'Automation',
    documentFormat: 'YAML',
    // Read at synth time only: the template carries the document, the Lambdas never read the file.
    content: parse(readFileSync(spec.file, 'utf8')) as unknown,
    // The name is fixed (the bot starts documents by name), so a content change must update in place.
    updateMethod: 'NewVersion',
  });
}

/**
 * cspm-bot's SSM Automation documents in this account and region, and the role they run as in every region (IAM
 * is global: one role per account). The bot starts them by name in the account and region of the finding, so every
 * account it remediates with SSM holds this construct once, and a `CspmBotRunbooks-<region>` stack in each other
 * region.
 */
export class RemediationRunbooks extends Construct {
  readonly automationRole: Role;
  readonly documents: Readonly<Record<SsmDocumentKey, CfnDocument>>;
  readonly #regions: readonly string[];

  constructor(scope: Construct, id: string, props: RemediationRunbooksProps = {}) {
    super(scope, id);
    this.#regions = props.regions ?? [];

    this.automationRole = new Role(this, 'AutomationRole', {
      roleName: AUTOMATION_ROLE_NAME,
      description: 'Assumed by SSM Automation to run the cspm-bot runbooks (CspmBot-*) in this account',
      // Confused-deputy guard: only automations started in this account may assume the role.
      assumedBy: new ServicePrincipal('ssm.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
          ArnLike: { 'aws:SourceArn': `arn:${Aws.PARTITION}:ssm:*:${Aws.ACCOUNT_ID}:automation-execution/*` },
        },
      }),
      maxSessionDuration: Duration.hours(1),
    });
    allowResourceActions(this.automationRole, automationActions());

    // Created directly under this construct, as before regions existed: their logical ids must not change (a
    // replaced document would clash with itself by name).
    this.documents = createRunbookDocuments(this);
  }

  /**
   * Lets `role` run the documents in this account, in this region and every other runbook region, pass the
   * automation role to SSM (and to nothing else), and follow the executions it started.
   */
  grantStartAutomation(role: Role): void {
    const regions = this.regionsOfDocuments();
    const executions = regions.map(
      (region) => `arn:${Aws.PARTITION}:ssm:${region}:${Aws.ACCOUNT_ID}:automation-execution/*`,
    );
    const definitions = regions.flatMap((region) =>
      documentsInUse().flatMap((spec) => {
        const definition = `arn:${Aws.PARTITION}:ssm:${region}:${Aws.ACCOUNT_ID}:automation-definition/${spec.name}`;
        // `$DEFAULT` is what an unversioned start authorizes against; `:*` any pinned version.
        return [`${definition}:$DEFAULT`, `${definition}:*`];
      }),
    );
    role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['ssm:StartAutomationExecution'],
        // The execution a start creates is authorized too (Systems Manager's own policy examples grant it).
        resources: [...definitions, ...executions],
      }),
    );
    role.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['ssm:GetAutomationExecution'], resources: executions }),
    );
    // Tags given to StartAutomationExecution (finding, decision, Slack user) are authorized as tagging the new
    // execution; only the bot's own keys.
    role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['ssm:AddTagsToResource'],
        resources: executions,
        conditions: { 'ForAllValues:StringEquals': { 'aws:TagKeys': [...AUTOMATION_TAG_KEYS] } },
      }),
    );
    role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [this.automationRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'ssm.amazonaws.com' } },
      }),
    );
    for (const definition of definitions.filter((arn) => arn.endsWith(':*'))) {
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${nagForm(definition)}]`,
        reason:
          'Every version of one named cspm-bot runbook (each content update deploys a new version); no other ' +
          'document matches.',
      });
    }
    for (const execution of executions) {
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${nagForm(execution)}]`,
        reason:
          'Automation executions of this account in one runbook region: their ids are generated by ' +
          'StartAutomationExecution, so they cannot be named in advance; the bot only starts and reads them.',
      });
    }
  }

  /** This stack's region, then every other configured one (a region named twice would grant twice). */
  private regionsOfDocuments(): string[] {
    const home = Stack.of(this).region;
    const others = this.#regions.filter((region) => Token.isUnresolved(home) || region !== home);
    return [Aws.REGION, ...new Set(others)];
  }
}
