import { Aws, CfnOutput, DefaultStackSynthesizer, Duration, Stack } from 'aws-cdk-lib';
import type { IStackSynthesizer, StackProps } from 'aws-cdk-lib';
import { AccountPrincipal, Role } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { BotSettingsError } from './bot-settings.js';
import { MEMBER_ROLE_CALLERS } from './bot-role-names.js';
import { RemediationRunbooks } from './remediation-runbooks.js';
import { allowRemediation } from './resource-permissions.js';
import type { Executor } from './resource-permissions.js';

/** The role the bot assumes in every member account (CSPM_MEMBER_ROLE_NAME's default). */
export const MEMBER_ACCOUNT_ROLE_NAME = 'cspm-bot-member';

export interface CspmBotMemberStackProps extends StackProps {
  /** The 12-digit account cspm-bot runs in; only it may assume the member role. */
  readonly botAccountId: string;
  /** The bot's CSPM_MEMBER_ROLE_EXTERNAL_ID, required on every AssumeRole when given. */
  readonly externalId?: string;
  /** The bot's CSPM_EXECUTOR: only `direct` lets the member role change resources itself. Default `ssm`. */
  readonly executor?: Executor;
  /** The bot's CSPM_AWS_REGIONS: the member role may start the runbooks of every one (CspmBotRunbooks-<region>). */
  readonly regions?: readonly string[];
}

const ACCOUNT_ID = /^\d{12}$/;
// STS AssumeRole's own constraint on ExternalId.
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;

function assertMemberProps(props: CspmBotMemberStackProps): void {
  const problems: string[] = [];
  if (!ACCOUNT_ID.test(props.botAccountId)) {
    problems.push('botAccountId: expected the 12-digit account id cspm-bot runs in');
  }
  if (props.externalId !== undefined && !EXTERNAL_ID.test(props.externalId)) {
    problems.push('externalId: expected 2 to 1224 characters of A-Z, a-z, 0-9 and +=,.@:/-_');
  }
  if (problems.length > 0) throw new BotSettingsError(problems);
}

/**
 * What cspm-bot needs in each member account (one region): the role it assumes from the bot account to read and
 * remediate findings, and the runbooks with their automation role. Deploy it with StackSets across an
 * organization, or with `cdk deploy CspmBotMember -c botAccountId=…` in one account. Never in the bot's own
 * account: the bot stack already holds the runbooks there, and the bot uses its own role at home.
 */
export class CspmBotMemberStack extends Stack {
  readonly memberRole: Role;
  readonly runbooks: RemediationRunbooks;

  constructor(scope: Construct, id: string, props: CspmBotMemberStackProps) {
    assertMemberProps(props);
    const { botAccountId, externalId, executor = 'ssm', regions = [], ...stackProps } = props;
    super(scope, id, {
      // No CDK bootstrap check in the template: StackSets deploy it to accounts that were never bootstrapped.
      // (The cast: aws-cdk-lib declares `bootstrapQualifier?: string` without `| undefined`.)
      synthesizer: new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }) as IStackSynthesizer,
      description: `cspm-bot member account: the role cspm-bot in ${botAccountId} assumes, and the cspm-bot runbooks`,
      ...stackProps,
    });

    this.runbooks = new RemediationRunbooks(this, 'Runbooks', { regions });
    this.memberRole = new Role(this, 'MemberRole', {
      roleName: MEMBER_ACCOUNT_ROLE_NAME,
      description: `Assumed by cspm-bot in account ${botAccountId} to read and remediate Security Hub findings`,
      // The bot's own function roles, by name, rather than the whole account: any other role or user there is
      // refused. A condition on the account principal, not role ARN principals: the trust then survives the bot's
      // roles being recreated, and this stack deploys before the bot stack exists.
      assumedBy: new AccountPrincipal(botAccountId).withConditions({
        ArnEquals: {
          'aws:PrincipalArn': MEMBER_ROLE_CALLERS.map(
            (name) => `arn:${Aws.PARTITION}:iam::${botAccountId}:role/${name}`,
          ),
        },
      }),
      ...(externalId !== undefined && { externalIds: [externalId] }),
      // The bot renews its session before expiry; a short session limits what a leaked one is worth.
      maxSessionDuration: Duration.hours(1),
    });
    allowRemediation(this.memberRole, executor, this.runbooks);

    new CfnOutput(this, 'MemberRoleArn', {
      description: 'The role cspm-bot assumes in this account',
      value: this.memberRole.roleArn,
    });
    new CfnOutput(this, 'AutomationRoleArn', {
      description: 'The role SSM Automation assumes to run the cspm-bot runbooks',
      value: this.runbooks.automationRole.roleArn,
    });
  }
}
