import { CfnOutput, DefaultStackSynthesizer, Stack } from 'aws-cdk-lib';
import type { IStackSynthesizer, StackProps } from 'aws-cdk-lib';
import type { CfnDocument } from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { BotSettingsError } from './bot-settings.js';
import { AUTOMATION_ROLE_NAME, createRunbookDocuments } from './remediation-runbooks.js';
import type { SsmDocumentKey } from './ssm-documents.js';

/** `CspmBotRunbooks-eu-west-1`: the stack of cspm-bot's runbooks in one extra region. */
export function regionalRunbooksStackName(region: string): string {
  return `CspmBotRunbooks-${region}`;
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

/**
 * The regions besides `homeRegion` that need a `CspmBotRunbooks-<region>` stack: every configured one
 * (CSPM_AWS_REGIONS), once. The home region's runbooks live in the bot or member stack itself.
 */
export function extraRunbookRegions(regions: readonly string[], homeRegion: string | undefined): string[] {
  const extra = [...new Set(regions)].filter((region) => region !== homeRegion);
  if (extra.length > 0 && homeRegion === undefined) {
    // Unknown home region: a runbook stack could land where the bot stack already holds the same documents.
    throw new BotSettingsError([
      `CSPM_AWS_REGIONS: lists ${regions.join(', ')}, so the deploy region must be known to place the runbook ` +
        'stacks: set AWS_REGION (or a profile with a region) before npx cdk synth | deploy',
    ]);
  }
  return extra;
}

/**
 * cspm-bot's SSM Automation documents in one more region, and nothing else: the automation role, the member role
 * and every grant are account-wide (IAM is global) and stay in the bot or member stack of the home region, so this
 * stack deploys to each extra region of the bot account and of every member account without a name clash.
 */
export class RegionalRunbooksStack extends Stack {
  readonly documents: Readonly<Record<SsmDocumentKey, CfnDocument>>;

  constructor(
    scope: Construct,
    id: string,
    props: StackProps & { readonly env: { readonly region: string } },
  ) {
    if (!REGION.test(props.env.region)) {
      throw new BotSettingsError([`${id}: expected an AWS region like eu-west-1; got "${props.env.region}"`]);
    }
    super(scope, id, {
      // No CDK bootstrap check in the template: StackSets deploy it to member accounts that were never bootstrapped.
      // (The cast: aws-cdk-lib declares `bootstrapQualifier?: string` without `| undefined`.)
      synthesizer: new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }) as IStackSynthesizer,
      // No region in the text: every regional template is the same, so one StackSet template serves all regions.
      description: `cspm-bot runbooks (SSM Automation documents) of one more region; they run as the ${AUTOMATION_ROLE_NAME} role`,
      ...props,
    });
    this.documents = createRunbookDocuments(new Construct(this, 'Runbooks'));
    new CfnOutput(this, 'RunbookNames', {
      description: 'The cspm-bot runbooks in this region (Systems Manager → Documents → Owned by me)',
      value: Object.values(this.documents)
        .map((document) => document.name!)
        .join(', '),
    });
  }
}
