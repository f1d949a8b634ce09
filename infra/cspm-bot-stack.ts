import { Aws, CfnOutput, Duration, RemovalPolicy, SecretValue, Stack, Validations } from 'aws-cdk-lib';
import type { StackProps } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import type { Attribute, CfnTable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction, SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { Policy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Role } from 'aws-cdk-lib/aws-iam';
import { FunctionUrlAuthType } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { TABLE_INDEXES, TABLE_KEYS } from '../src/store/table-definition.js';
import { BotAlarms } from './bot-alarms.js';
import { BotDashboard } from './bot-dashboard.js';
import { BotFunction } from './bot-function.js';
import { FINDINGS_IMPORTED_DETAIL_TYPE } from '../src/aws/asff-finding.js';
import { FINDINGS_IMPORTED_V2_DETAIL_TYPE, ocsfSeverityIdsOf } from '../src/aws/ocsf-finding.js';
import { readsAsff, readsOcsf } from '../src/domain/findings-format.js';
import { deployableConfig, lambdaSettings, severitiesFrom } from './bot-settings.js';
import type { BotSettings } from './bot-settings.js';
import { MEMBER_ACCOUNT_ROLE_NAME } from './member-account-stack.js';
import { AUTOMATION_ROLE_NAME, RemediationRunbooks } from './remediation-runbooks.js';
import { allowRemediation, allowResourceActions, FINDING_READ_ACTIONS } from './resource-permissions.js';
import { BOT_ROLE_NAMES } from './bot-role-names.js';
import { allowTableItems } from './table-permissions.js';

export { MEMBER_ACCOUNT_ROLE_NAME } from './member-account-stack.js';

/** The Worker's reserved concurrency (see where it is set). */
export const WORKER_CONCURRENCY = 10;

/** Items whose `expiresAt` (epoch seconds) has passed are deleted by DynamoDB; reads filter on it too. */
export const TTL_ATTRIBUTE = 'expiresAt';

export interface CspmBotStackProps extends StackProps {
  /**
   * `CSPM_*` settings for every function (CSPM_DEFAULT_CHANNEL, CSPM_ROUTES, …); never secrets. They also shape the
   * stack: CSPM_SEVERITY_THRESHOLD the EventBridge rule, CSPM_SYNC_INTERVAL_MINUTES the sync schedule,
   * CSPM_EXECUTOR the Worker's grants.
   */
  readonly settings?: BotSettings;
}

/** A batch of 100 findings (each maybe an EC2 read) ends well within this. */
const INGEST_TIMEOUT = Duration.minutes(3);

const ATTRIBUTE_TYPES = {
  string: AttributeType.STRING,
  number: AttributeType.NUMBER,
  binary: AttributeType.BINARY,
};

function attribute(key: { readonly name: string; readonly type: keyof typeof ATTRIBUTE_TYPES }): Attribute {
  return { name: key.name, type: ATTRIBUTE_TYPES[key.type] };
}

/**
 * cspm-bot in one account and region: the DynamoDB table (findings, Slack messages, audit of decisions), the Slack
 * secret, four Lambdas — Slack HTTP endpoint, EventBridge ingest, scheduled sync, and the worker that runs long
 * work (remediation) handed off after the Slack handler's 3-second ack or queued by ingest (auto-remediation) —
 * and the remediation runbooks of this account.
 */
export class CspmBotStack extends Stack {
  readonly table: Table;
  readonly slackSecret: Secret;
  readonly slackHandler: BotFunction;
  readonly ingestHandler: BotFunction;
  /** EventBridge's findings wait here for the Ingest Lambda, which takes them in batches. */
  readonly ingestQueue: Queue;
  readonly syncHandler: BotFunction;
  readonly worker: BotFunction;
  readonly runbooks: RemediationRunbooks;
  readonly alarms: BotAlarms;

  constructor(scope: Construct, id: string, props: CspmBotStackProps = {}) {
    super(scope, id, props);
    const settings = props.settings ?? {};
    // Validated by the runtime's own schema; the rule and the schedule follow the same values the Lambdas load.
    const config = deployableConfig(settings);
    const severityLabels = severitiesFrom(config.severityThreshold);
    const syncSchedule = Duration.minutes(config.syncIntervalMinutes);

    this.table = this.createTable();
    this.slackSecret = this.createSlackSecret();
    // The documents of the other CSPM_AWS_REGIONS are CspmBotRunbooks-<region> stacks; the Worker may start them all.
    this.runbooks = new RemediationRunbooks(this, 'Runbooks', { regions: config.awsRegions });

    const environment = {
      ...lambdaSettings(settings),
      CSPM_TABLE_NAME: this.table.tableName,
      CSPM_SLACK_SECRET_ARN: this.slackSecret.secretArn,
      // The bot's own account is reached with the function's role; every other one through the member role.
      CSPM_HOME_ACCOUNT_ID: this.account,
      CSPM_MEMBER_ROLE_NAME: MEMBER_ACCOUNT_ROLE_NAME,
      CSPM_AUTOMATION_ROLE_NAME: AUTOMATION_ROLE_NAME,
      POWERTOOLS_SERVICE_NAME: 'cspm-bot',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      NODE_OPTIONS: '--enable-source-maps',
    };

    const workerFailures = this.createQueue('WorkerFailures');
    Validations.of(workerFailures).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        "This queue is the Worker's on-failure destination (a dead-letter queue in all but name): failed " +
        'remediations land here for a human, never to be retried; a DLQ of its own would add nothing.',
    });
    this.worker = new BotFunction(this, 'Worker', {
      entry: 'src/runtime/lambda-worker.ts',
      description:
        'cspm-bot: long work after a Slack ack (remediation, verification), /cspm answers, the delivery run',
      timeout: Duration.minutes(15),
      memorySize: 512,
      environment,
      roleName: BOT_ROLE_NAMES.worker,
      // Bounds what a burst of auto-remediations or overlapping group runs can start at once (each instance paces
      // its own EC2/SSM calls, so ten instances spend at most ten paces). Invocations over it are asynchronous (Slack
      // hand-offs, ingest, its own next leg): Lambda queues and retries throttled ones, so they wait, never drop.
      reservedConcurrentExecutions: WORKER_CONCURRENCY,
      // A failed remediation must never run again by itself (docs/ARCHITECTURE.md "Rules that keep it safe").
      retryAttempts: 0,
      onFailure: new SqsDestination(workerFailures),
    });
    // A long "Remediate all reachable…" run hands its next leg to the Worker itself (AWS_LAMBDA_FUNCTION_NAME).
    // A policy of its own: the role's default policy cannot name the function, which waits for it (a cycle).
    new Policy(this, 'WorkerHandsOnToItself', {
      roles: [this.worker.role],
      statements: [
        new PolicyStatement({
          actions: ['lambda:InvokeFunction'],
          resources: [this.worker.handler.functionArn],
        }),
      ],
    });
    const handOffEnvironment = {
      ...environment,
      CSPM_WORKER_FUNCTION_NAME: this.worker.handler.functionName,
    };

    this.slackHandler = new BotFunction(this, 'SlackHandler', {
      entry: 'src/runtime/lambda-slack.ts',
      description: 'cspm-bot: Slack events, interactions and slash commands (Bolt, acks within 3 s)',
      // Bolt acks within 3 s; anything longer is handed to the Worker by an asynchronous invoke.
      timeout: Duration.seconds(30),
      memorySize: 512,
      environment: handOffEnvironment,
      roleName: BOT_ROLE_NAMES.slackHandler,
    });
    this.allowInvokeWorker(this.slackHandler.role);
    // No IAM auth: Slack cannot sign AWS requests. Every request is verified by Bolt against the Slack signing
    // secret (HMAC, 5-minute window) before any listener runs. AwsSolutions has no rule on Function URL auth.
    const slackUrl = this.slackHandler.handler.addFunctionUrl({ authType: FunctionUrlAuthType.NONE });

    const ingestDeadLetters = this.createQueue('IngestDeadLetters');
    Validations.of(ingestDeadLetters).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the dead-letter queue of the ingest (events EventBridge could not put on the ingest ' +
        'queue, and messages that still failed after 5 receives); the scheduled sync re-reads Security Hub anyway.',
    });
    // EventBridge sends one finding per event; the queue lets Lambda take up to 100 at a time, so each batch pays
    // its reads, counters and delivery hand-off once. Visibility is 6× the function timeout (AWS's advice).
    this.ingestQueue = new Queue(this, 'IngestQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(4),
      visibilityTimeout: Duration.seconds(INGEST_TIMEOUT.toSeconds() * 6),
      deadLetterQueue: { queue: ingestDeadLetters, maxReceiveCount: 5 },
    });
    this.ingestHandler = new BotFunction(this, 'IngestHandler', {
      entry: 'src/runtime/lambda-ingest.ts',
      description:
        'cspm-bot: batches of Security Hub "Findings - Imported" events to stored findings owing their Slack messages',
      timeout: INGEST_TIMEOUT,
      memorySize: 512,
      environment: handOffEnvironment,
      roleName: BOT_ROLE_NAMES.ingest,
    });
    this.ingestHandler.handler.addEventSource(
      new SqsEventSource(this.ingestQueue, {
        batchSize: 100,
        // Required above 10 messages a batch; also the most a finding waits for its batch to fill.
        maxBatchingWindow: Duration.seconds(2),
        // Only the messages that still fail return to the queue; the rest of the batch is done.
        reportBatchItemFailures: true,
      }),
    );
    // CSPM_FINDINGS_FORMAT decides which Security Hub's events reach the queue (both: each finding arrives twice
    // and is stored and posted once).
    if (readsAsff(config.findingsFormat))
      new Rule(this, 'FindingsImported', {
        description: `Security Hub CSPM (ASFF) findings of severity ${severityLabels.join('/')} to the cspm-bot ingest queue`,
        eventPattern: {
          source: ['aws.securityhub'],
          detailType: [FINDINGS_IMPORTED_DETAIL_TYPE],
          detail: { findings: { Severity: { Label: [...severityLabels] } } },
        },
        targets: [new SqsQueue(this.ingestQueue, { retryAttempts: 4, deadLetterQueue: ingestDeadLetters })],
      });
    if (readsOcsf(config.findingsFormat)) {
      new Rule(this, 'FindingsImportedV2', {
        description: `Security Hub (OCSF) compliance findings of severity ${severityLabels.join('/')} to the cspm-bot ingest queue`,
        eventPattern: {
          source: ['aws.securityhub'],
          detailType: [FINDINGS_IMPORTED_V2_DETAIL_TYPE],
          detail: { findings: { class_uid: [2003], severity_id: ocsfSeverityIdsOf(severityLabels) } },
        },
        targets: [new SqsQueue(this.ingestQueue, { retryAttempts: 4, deadLetterQueue: ingestDeadLetters })],
      });
      // No severity filter: an exposure enriches a finding the bot already posts; its own severity is not the control's.
      new Rule(this, 'ExposureFindingsImportedV2', {
        description:
          'Security Hub (OCSF) exposure findings, which enrich the findings posted, to the cspm-bot ingest queue',
        eventPattern: {
          source: ['aws.securityhub'],
          detailType: [FINDINGS_IMPORTED_V2_DETAIL_TYPE],
          detail: { findings: { class_uid: [2004], finding_info: { analytic: { name: ['Exposure'] } } } },
        },
        targets: [new SqsQueue(this.ingestQueue, { retryAttempts: 4, deadLetterQueue: ingestDeadLetters })],
      });
    }

    this.syncHandler = new BotFunction(this, 'SyncHandler', {
      entry: 'src/runtime/lambda-sync.ts',
      description: 'cspm-bot: scheduled GetFindings sync and backfill',
      timeout: Duration.minutes(15),
      memorySize: 512,
      environment: handOffEnvironment,
      roleName: BOT_ROLE_NAMES.sync,
      // One sync at a time: a run that outlasts the schedule is never joined by a second one re-reading the same pages.
      reservedConcurrentExecutions: 1,
    });
    new Rule(this, 'SyncSchedule', {
      description: `Runs the cspm-bot Security Hub sync every ${syncSchedule.toHumanString()}`,
      schedule: Schedule.rate(syncSchedule),
      targets: [new LambdaFunction(this.syncHandler.handler)],
    });

    for (const bot of [this.slackHandler, this.ingestHandler, this.syncHandler, this.worker]) {
      allowTableItems(bot.role, this.table);
      this.slackSecret.grantRead(bot.role);
      Validations.of(bot.role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${this.logicalIdOf(this.table)}.Arn>/index/*]`,
        reason:
          `Queries on the table's own global secondary indexes (${Object.keys(TABLE_INDEXES).join(', ')}); ` +
          '"index/*" stays inside this one table.',
      });
    }
    for (const bot of [this.ingestHandler, this.syncHandler, this.worker]) this.allowFindingWork(bot);
    // Ingest and sync queue auto-remediation; the Worker runs it.
    for (const bot of [this.ingestHandler, this.syncHandler]) {
      this.allowInvokeWorker(bot.role);
      allowResourceActions(bot.role, FINDING_READ_ACTIONS);
    }
    // The state reader and the direct executor act in this account with the Worker's own role (elsewhere through
    // the member role); the SSM executor starts the runbooks here, and only their automation role changes resources.
    allowRemediation(this.worker.role, config.remediation.executor, this.runbooks);

    // Someone is told when it breaks (SNS topic, optional e-mail), and one dashboard shows how it goes.
    const functions = {
      SlackHandler: this.slackHandler.handler,
      IngestHandler: this.ingestHandler.handler,
      SyncHandler: this.syncHandler.handler,
      Worker: this.worker.handler,
    };
    this.alarms = new BotAlarms(this, 'Alarms', {
      functions,
      ingestDeadLetters,
      workerFailures,
      serviceName: environment.POWERTOOLS_SERVICE_NAME,
      ...(settings['CSPM_ALARM_EMAIL'] && { alarmEmail: settings['CSPM_ALARM_EMAIL'] }),
    });
    new BotDashboard(this, 'Dashboard', { alarms: this.alarms, functions });

    new CfnOutput(this, 'SlackRequestUrl', {
      description: 'Request URL for the Slack app (Event Subscriptions, Interactivity, Slash Commands)',
      value: slackUrl.url,
    });
    new CfnOutput(this, 'TableName', {
      description: 'DynamoDB table of cspm-bot',
      value: this.table.tableName,
    });
    new CfnOutput(this, 'SlackSecretArn', {
      description: 'Fill with {"botToken": "...", "signingSecret": "..."} from the Slack app settings',
      value: this.slackSecret.secretArn,
    });
  }

  private createTable(): Table {
    const table = new Table(this, 'Table', {
      partitionKey: attribute(TABLE_KEYS.partitionKey),
      sortKey: attribute(TABLE_KEYS.sortKey),
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: TTL_ATTRIBUTE,
      encryption: TableEncryption.AWS_MANAGED,
      // The audit trail of who remediated or accepted what outlives the stack.
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const [indexName, index] of Object.entries(TABLE_INDEXES)) {
      table.addGlobalSecondaryIndex({
        indexName,
        partitionKey: attribute(index.partitionKey),
        sortKey: attribute(index.sortKey),
        projectionType: ProjectionType.ALL,
      });
    }
    return table;
  }

  /**
   * Created with the right shape and empty values: the template never holds a credential. The operator pastes the
   * bot token and signing secret in after the first deploy; later deploys leave the value alone.
   */
  private createSlackSecret(): Secret {
    const secret = new Secret(this, 'SlackSecret', {
      description:
        'cspm-bot Slack credentials. Fill in after deploy: JSON {"botToken": "<Bot User OAuth Token>", ' +
        '"signingSecret": "<Signing Secret>"} from the Slack app settings (OAuth & Permissions, Basic Information).',
      secretObjectValue: {
        botToken: SecretValue.unsafePlainText(''),
        signingSecret: SecretValue.unsafePlainText(''),
      },
    });
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The values are issued by Slack (bot token, app signing secret), not generated by AWS; Secrets Manager ' +
        'cannot rotate them. They are rotated in the Slack app settings and pasted here.',
    });
    return secret;
  }

  private createQueue(id: string): Queue {
    return new Queue(this, id, {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
  }

  /** Only the unqualified Worker: no versions or aliases, so no `:*` wildcard. */
  private allowInvokeWorker(role: Role): void {
    role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        resources: [this.worker.handler.functionArn],
      }),
    );
  }

  /** Security Hub and the member role, for the finding readers and writers (ingest, sync, worker). */
  private allowFindingWork(bot: BotFunction): void {
    bot.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['securityhub:GetFindings', 'securityhub:BatchUpdateFindings'],
        // Both actions authorize against the hub of the calling account and region.
        resources: [`arn:${Aws.PARTITION}:securityhub:*:${Aws.ACCOUNT_ID}:hub/default`],
      }),
    );
    bot.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['sts:AssumeRole'],
        resources: [`arn:${Aws.PARTITION}:iam::*:role/${MEMBER_ACCOUNT_ROLE_NAME}`],
      }),
    );
    Validations.of(bot.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:securityhub:*:<AWS::AccountId>:hub/default]`,
      reason:
        "Only this account's Security Hub hub, in any region: the sync reads every region in CSPM_AWS_REGIONS " +
        'and findings are updated in the region that holds them.',
    });
    Validations.of(bot.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::*:role/${MEMBER_ACCOUNT_ROLE_NAME}]`,
      reason:
        `Only the ${MEMBER_ACCOUNT_ROLE_NAME} role, which each member account creates to trust this account; the ` +
        'member accounts are not known at deploy time (1 to 500 of them).',
    });
  }

  private logicalIdOf(table: Table): string {
    return this.getLogicalId(table.node.defaultChild as CfnTable);
  }
}
