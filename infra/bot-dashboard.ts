import { Duration } from 'aws-cdk-lib';
import {
  AlarmStatusWidget,
  Dashboard,
  GraphWidget,
  MathExpression,
  TextWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { IWidget } from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { COUNT_METRICS, DURATION_METRICS, METRICS_NAMESPACE } from '../src/usecases/bot-metrics.js';
import type { CountMetric, DurationMetric } from '../src/usecases/bot-metrics.js';
import type { BotAlarms } from './bot-alarms.js';
import { botMetric, PERIOD } from './bot-alarms.js';

export interface BotDashboardProps {
  readonly alarms: BotAlarms;
  /** The bot's Lambdas by name, as given to the alarms. */
  readonly functions: Readonly<Record<string, IFunction>>;
}

const WIDTH = 24;
const HALF = 12;

/**
 * One CloudWatch dashboard: the alarms first, then what the bot did with findings, how Slack delivery goes,
 * decisions by kind and outcome with remediation times, and each function's invocations, errors and duration.
 */
export class BotDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: BotDashboardProps) {
    super(scope, id);
    const { alarms, functions } = props;
    const sum = (name: CountMetric, label: string) =>
      botMetric(name, 'Sum', alarms.serviceName).with({ label });
    // Milliseconds as minutes; each expression names its metric apart, as one graph may hold several.
    const minutes = (name: DurationMetric, statistic: string, label: string) => {
      const id = `${name}_${statistic}`.toLowerCase();
      return new MathExpression({
        expression: `${id} / 60000`,
        usingMetrics: { [id]: botMetric(name, statistic, alarms.serviceName) },
        label,
        period: PERIOD,
      });
    };

    this.dashboard = new Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.days(1),
      widgets: [
        [
          new TextWidget({
            markdown:
              '## cspm-bot\nAlarms go to the alarm topic (stack output `AlarmTopicArn`). Logs: every line carries ' +
              '`function_request_id`; job lines also `findingId`, `controlId`, `accountId`, `slackUserId`, `decisionId`.',
            width: WIDTH,
            height: 2,
          }),
        ],
        [new AlarmStatusWidget({ title: 'Alarms', alarms: alarms.alarms, width: WIDTH, height: 4 })],
        [
          new GraphWidget({
            title: 'Findings ingested (EventBridge and sync)',
            left: [
              sum(COUNT_METRICS.findingsIngested, 'ingested'),
              sum(COUNT_METRICS.findingsAlerted, 'alerted'),
              sum(COUNT_METRICS.findingsUpdated, 'updated'),
              sum(COUNT_METRICS.findingsDropped, 'dropped'),
              sum(COUNT_METRICS.findingsQuarantined, 'quarantined'),
            ],
            width: HALF,
          }),
          new GraphWidget({
            title: 'Grouping',
            left: [
              sum(COUNT_METRICS.findingsGrouped, 'findings grouped'),
              sum(COUNT_METRICS.groupedMessagesPosted, 'grouped messages posted'),
              sum(COUNT_METRICS.findingMessagesPosted, 'finding messages posted'),
            ],
            width: HALF,
          }),
        ],
        [
          new GraphWidget({
            title: 'Slack delivery',
            left: [
              sum(COUNT_METRICS.slackDeliveryRetries, 'retried later'),
              sum(COUNT_METRICS.slackDeliveryFailures, 'given up (stuck)'),
            ],
            width: HALF,
          }),
          new GraphWidget({
            title: 'Oldest message owed to Slack (minutes)',
            left: [minutes(DURATION_METRICS.oldestOwedMessageAge, 'Maximum', 'oldest owed')],
            leftAnnotations: [{ value: alarms.maxOwedMessageAge.toMinutes(), label: 'alarm' }],
            width: HALF,
          }),
        ],
        [
          new GraphWidget({
            title: 'Decisions by kind and outcome',
            left: [
              new MathExpression({
                expression: `SEARCH('{${METRICS_NAMESPACE},kind,outcome,service} MetricName="${COUNT_METRICS.decisions}"', 'Sum', ${PERIOD.toSeconds()})`,
                label: '',
                period: PERIOD,
              }),
            ],
            width: HALF,
          }),
          new GraphWidget({
            title: 'Remediations',
            left: [sum(COUNT_METRICS.remediationsFailed, 'failed')],
            right: [
              minutes(DURATION_METRICS.remediationDuration, 'p50', 'duration p50 (min)'),
              minutes(DURATION_METRICS.remediationDuration, 'Maximum', 'duration max (min)'),
            ],
            width: HALF,
          }),
        ],
        Object.entries(functions).map(
          ([name, fn]) =>
            new GraphWidget({
              title: name,
              left: [
                fn.metricInvocations({ period: PERIOD, statistic: 'Sum' }),
                fn.metricErrors({ period: PERIOD, statistic: 'Sum' }),
                fn.metricThrottles({ period: PERIOD, statistic: 'Sum' }),
              ],
              right: [fn.metricDuration({ period: PERIOD, statistic: 'p90' })],
              width: Math.floor(WIDTH / Math.max(1, Object.keys(functions).length)),
            }) as IWidget,
        ),
      ],
    });
  }
}
