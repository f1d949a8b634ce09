import { Aws, CfnOutput, Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { COUNT_METRICS, DURATION_METRICS, METRICS_NAMESPACE } from '../src/usecases/bot-metrics.js';
import type { CountMetric, DurationMetric } from '../src/usecases/bot-metrics.js';

export interface BotAlarmsProps {
  /** The bot's Lambdas by the name an alarm shows (SlackHandler, IngestHandler, …): errors and throttles of each. */
  readonly functions: Readonly<Record<string, IFunction>>;
  /** Ingest events that failed for good (EventBridge could not deliver them, or they failed every retry). */
  readonly ingestDeadLetters: IQueue;
  /** The Worker's on-failure destination: jobs (remediations among them) that threw. */
  readonly workerFailures: IQueue;
  /** Also sent to this address (SNS asks it to confirm the subscription first). */
  readonly alarmEmail?: string;
  /** The `service` dimension of the bot's metrics (POWERTOOLS_SERVICE_NAME). Default `cspm-bot`. */
  readonly serviceName?: string;
  /** Alarm when a message owed to Slack has waited longer than this. Default 30 minutes. */
  readonly oldestOwedMessageAge?: Duration;
}

/** Five minutes: the finest period of Lambda's and SQS's own metrics, and short enough to act on. */
export const PERIOD = Duration.minutes(5);

/** One of the bot's own metrics (usecases/bot-metrics), as the alarms and the dashboard read it. */
export function botMetric(
  name: CountMetric | DurationMetric,
  statistic: string,
  serviceName: string,
): Metric {
  return new Metric({
    namespace: METRICS_NAMESPACE,
    metricName: name,
    dimensionsMap: { service: serviceName },
    period: PERIOD,
    statistic,
  });
}

/**
 * The bot's alarms, each telling one SNS topic when it fires and when it clears: failed ingest events and Worker
 * jobs waiting in their queues, remediations that ended FAILED, each function's errors and throttles, and messages
 * owed to Slack for too long. Every alarm description says what to look at next (it is the body of the e-mail).
 */
export class BotAlarms extends Construct {
  readonly topic: Topic;
  readonly alarms: Alarm[] = [];
  readonly serviceName: string;
  /** The longest a message may stay owed to Slack before the alarm fires. */
  readonly maxOwedMessageAge: Duration;

  constructor(scope: Construct, id: string, props: BotAlarmsProps) {
    super(scope, id);
    this.serviceName = props.serviceName ?? 'cspm-bot';
    this.topic = this.createTopic();
    if (props.alarmEmail) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));

    this.whenAny(
      'IngestDeadLetters',
      props.ingestDeadLetters.metricApproximateNumberOfMessagesVisible({
        period: PERIOD,
        statistic: 'Maximum',
      }),
      'Security Hub findings failed to ingest and wait in the ingest dead-letter queue. Read the IngestHandler ' +
        'logs for the error, fix it, then redrive the queue (SQS console: "Start DLQ redrive"); the scheduled ' +
        'sync also re-reads Security Hub.',
    );
    this.whenAny(
      'WorkerFailures',
      props.workerFailures.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: 'Maximum' }),
      'A Worker job (remediation, verification, /cspm answer, delivery run) failed and waits in the Worker ' +
        "failures queue. Read the Worker logs for the job's requestId; a remediation is never re-run by itself: " +
        'check the resource, then delete the message.',
    );
    this.whenAny(
      'RemediationsFailed',
      this.botMetric(COUNT_METRICS.remediationsFailed, 'Sum'),
      'A remediation ended FAILED: the resource may be unchanged or half-changed. The finding thread in Slack ' +
        'and the Worker logs (search the decisionId) say what AWS answered; fix it in the console or retry ' +
        'from Slack.',
    );
    this.whenAny(
      'SlackDeliveriesStuck',
      this.botMetric(COUNT_METRICS.slackDeliveryFailures, 'Sum'),
      'The bot gave up posting a finding to Slack (channel archived, bot removed, token revoked, or Slack kept ' +
        'failing). "/cspm status" lists them under "Needs attention"; fix the cause and retry from there.',
    );
    const maxAge = props.oldestOwedMessageAge ?? Duration.minutes(30);
    this.maxOwedMessageAge = maxAge;
    this.add(
      'OldestOwedMessage',
      this.botMetric(DURATION_METRICS.oldestOwedMessageAge, 'Maximum'),
      maxAge.toMilliseconds(),
      `A finding message has been owed to Slack for over ${maxAge.toHumanString()}: Slack is failing or ` +
        'rate-limiting, or delivery runs are not running. Check the Worker and SyncHandler logs for ' +
        '"not delivered", and the Slack app (token, channel membership).',
    );
    for (const [name, fn] of Object.entries(props.functions)) {
      this.whenAny(
        `${name}Errors`,
        fn.metricErrors({ period: PERIOD, statistic: 'Sum' }),
        `The ${name} Lambda threw (an invocation failed). Read its log group for level ERROR around the alarm ` +
          'time; every line carries the requestId.',
      );
      this.whenAny(
        `${name}Throttles`,
        fn.metricThrottles({ period: PERIOD, statistic: 'Sum' }),
        `The ${name} Lambda was throttled: the account's concurrency (or its reserved concurrency) is used up. ` +
          'Throttled Slack requests are not acknowledged in time; queued work is retried.',
      );
    }

    new CfnOutput(this, 'AlarmTopicArn', {
      description:
        'SNS topic of the cspm-bot alarms: subscribe e-mail, a chat channel (AWS Chatbot) or paging',
      value: this.topic.topicArn,
    });
  }

  /** Encrypted with a key of its own: CloudWatch cannot publish to a topic under the AWS-managed SNS key. */
  private createTopic(): Topic {
    const key = new Key(this, 'TopicKey', {
      description: 'cspm-bot alarm topic encryption (CloudWatch alarms publish with it)',
      enableKeyRotation: true,
    });
    const fromOurAlarms = {
      StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
      ArnLike: { 'aws:SourceArn': `arn:${Aws.PARTITION}:cloudwatch:${Aws.REGION}:${Aws.ACCOUNT_ID}:alarm:*` },
    };
    const cloudWatch = new ServicePrincipal('cloudwatch.amazonaws.com');
    key.addToResourcePolicy(
      new PolicyStatement({
        principals: [cloudWatch],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: fromOurAlarms,
      }),
    );
    const topic = new Topic(this, 'Topic', {
      displayName: 'cspm-bot alarms',
      masterKey: key,
      enforceSSL: true,
    });
    // A topic policy replaces SNS's default one, which let this account's CloudWatch publish.
    topic.addToResourcePolicy(
      new PolicyStatement({
        principals: [cloudWatch],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: fromOurAlarms,
      }),
    );
    return topic;
  }

  private botMetric(name: CountMetric | DurationMetric, statistic: 'Sum' | 'Maximum'): Metric {
    return botMetric(name, statistic, this.serviceName);
  }

  /** Fires on the first occurrence in a period. */
  private whenAny(id: string, metric: IMetric, description: string): void {
    this.add(id, metric, 0, description);
  }

  /**
   * Above `threshold` in one period fires it. No data is fine: the bot's own metrics are only written when there is
   * something to count, and an empty queue may report nothing.
   */
  private add(id: string, metric: IMetric, threshold: number, description: string): void {
    const alarm = new Alarm(this, id, {
      metric,
      threshold,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: description,
    });
    const action = new SnsAction(this.topic);
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
    this.alarms.push(alarm);
  }
}
