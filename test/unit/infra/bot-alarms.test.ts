import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { CfnTopic } from 'aws-cdk-lib/aws-sns';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BotAlarms } from '../../../infra/bot-alarms.js';
import { BotDashboard } from '../../../infra/bot-dashboard.js';
import type { BotAlarmsProps } from '../../../infra/bot-alarms.js';
import { COUNT_METRICS, DURATION_METRICS, METRICS_NAMESPACE } from '../../../src/usecases/bot-metrics.js';
import type { ValidationReport } from './template-reading.js';
import {
  appForSynthesis,
  awsSolutionsFindings,
  removeSynthesis,
  synthesizeWithAwsSolutions,
} from './template-reading.js';

const FUNCTION_NAMES = ['SlackHandler', 'IngestHandler', 'SyncHandler', 'Worker'] as const;

interface AlarmProperties {
  MetricName: string;
  Namespace: string;
  Statistic: string;
  Period: number;
  Threshold: number;
  ComparisonOperator: string;
  EvaluationPeriods: number;
  TreatMissingData: string;
  Dimensions: { Name: string; Value: unknown }[];
  AlarmActions: unknown[];
  OKActions: unknown[];
  AlarmDescription: string;
}

/** A stack holding only the alarms, over stand-in functions and queues (no bundling). */
function alarmsStack(
  app: ReturnType<typeof appForSynthesis>,
  id: string,
  extra: Partial<BotAlarmsProps> = {},
): { stack: Stack; alarms: BotAlarms; ids: Record<string, string> } {
  const stack = new Stack(app, id);
  const functions = Object.fromEntries(
    FUNCTION_NAMES.map((name) => [
      name,
      new LambdaFunction(stack, name, {
        runtime: Runtime.NODEJS_22_X,
        handler: 'index.handler',
        code: Code.fromInline('export const handler = async () => {};'),
      }),
    ]),
  );
  const queue = (queueId: string) =>
    new Queue(stack, queueId, { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true });
  const ingestDeadLetters = queue('IngestDeadLetters');
  const workerFailures = queue('WorkerFailures');
  const alarms = new BotAlarms(stack, 'Alarms', { functions, ingestDeadLetters, workerFailures, ...extra });
  new BotDashboard(stack, 'Dashboard', { alarms, functions });
  const ids: Record<string, string> = {
    IngestDeadLetters: stack.getLogicalId(ingestDeadLetters.node.defaultChild as never),
    WorkerFailures: stack.getLogicalId(workerFailures.node.defaultChild as never),
    ...Object.fromEntries(
      Object.entries(functions).map(([name, fn]) => [
        name,
        stack.getLogicalId(fn.node.defaultChild as never),
      ]),
    ),
  };
  return { stack, alarms, ids };
}

describe('BotAlarms', () => {
  let app: ReturnType<typeof appForSynthesis>;
  let plain: ReturnType<typeof alarmsStack>;
  let withEmail: ReturnType<typeof alarmsStack>;
  let template: Template;
  let emailTemplate: Template;
  let report: ValidationReport;
  let topicId: string;

  beforeAll(() => {
    app = appForSynthesis('cspm-bot-alarms-');
    plain = alarmsStack(app, 'Plain');
    withEmail = alarmsStack(app, 'WithEmail', { alarmEmail: 'secops@example.com' });
    report = synthesizeWithAwsSolutions(app);
    template = Template.fromStack(plain.stack);
    emailTemplate = Template.fromStack(withEmail.stack);
    topicId = plain.stack.getLogicalId(plain.alarms.topic.node.defaultChild as CfnTopic);
  });

  afterAll(() => removeSynthesis(app));

  function alarmOn(metricName: string, dimension: { Name: string; Value: unknown }): AlarmProperties {
    const found = Object.values(
      template.findResources('AWS::CloudWatch::Alarm', {
        Properties: { MetricName: metricName, Dimensions: Match.arrayWith([dimension]) },
      }),
    );
    expect(found, `${metricName} on ${JSON.stringify(dimension)}`).toHaveLength(1);
    return found[0]!.Properties as AlarmProperties;
  }

  it('tells the topic when each alarm fires and when it clears, and nothing else', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));

    // Two queues, failed remediations, stuck deliveries, owed-message age, and errors + throttles of 4 functions.
    expect(alarms).toHaveLength(2 + 3 + 2 * FUNCTION_NAMES.length);
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
      expect(alarm.Properties.OKActions).toEqual([{ Ref: topicId }]);
      expect(alarm.Properties.TreatMissingData).toBe('notBreaching');
      expect(alarm.Properties.AlarmDescription.length).toBeGreaterThan(60);
    }
  });

  it.each(['IngestDeadLetters', 'WorkerFailures'])('fires on the first message in the %s queue', (queue) => {
    const alarm = alarmOn('ApproximateNumberOfMessagesVisible', {
      Name: 'QueueName',
      Value: { 'Fn::GetAtt': [plain.ids[queue], 'QueueName'] },
    });

    expect(alarm).toMatchObject({
      Namespace: 'AWS/SQS',
      Statistic: 'Maximum',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 1,
      Period: 300,
    });
  });

  it.each(FUNCTION_NAMES.flatMap((name) => [[name, 'Errors'] as const, [name, 'Throttles'] as const]))(
    'fires on the first %s %s in five minutes',
    (name, metricName) => {
      const alarm = alarmOn(metricName, { Name: 'FunctionName', Value: { Ref: plain.ids[name] } });

      expect(alarm).toMatchObject({ Namespace: 'AWS/Lambda', Statistic: 'Sum', Threshold: 0, Period: 300 });
      expect(alarm.AlarmDescription).toContain(name);
    },
  );

  it.each([COUNT_METRICS.remediationsFailed, COUNT_METRICS.slackDeliveryFailures])(
    "fires on the first %s the bot's own metrics count",
    (metricName) => {
      const alarm = alarmOn(metricName, { Name: 'service', Value: 'cspm-bot' });

      expect(alarm).toMatchObject({ Namespace: METRICS_NAMESPACE, Statistic: 'Sum', Threshold: 0 });
      expect(alarm.Dimensions).toHaveLength(1);
    },
  );

  it('fires when a message has been owed to Slack for more than 30 minutes', () => {
    const alarm = alarmOn(DURATION_METRICS.oldestOwedMessageAge, { Name: 'service', Value: 'cspm-bot' });

    expect(alarm).toMatchObject({
      Namespace: METRICS_NAMESPACE,
      Statistic: 'Maximum',
      Threshold: 30 * 60 * 1000,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    expect(alarm.AlarmDescription).toContain('30 minutes');
  });

  it('encrypts the topic with a rotated key CloudWatch may use, for alarms of this account only', () => {
    template.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('TopicKey'), 'Arn'] },
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Condition: Match.objectLike({ StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } }),
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({
            Effect: 'Allow',
            Action: 'sns:Publish',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
          }),
        ]),
      },
    });
  });

  it('subscribes nobody unless an alarm e-mail is set, then that address', () => {
    template.resourceCountIs('AWS::SNS::Subscription', 0);
    emailTemplate.resourceCountIs('AWS::SNS::Subscription', 1);
    emailTemplate.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'secops@example.com',
      TopicArn: { Ref: withEmail.stack.getLogicalId(withEmail.alarms.topic.node.defaultChild as CfnTopic) },
    });
  });

  it('shows every alarm and every metric the bot emits on one dashboard', () => {
    const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    expect(dashboards).toHaveLength(1);
    const body = JSON.stringify(dashboards[0]?.Properties.DashboardBody);

    for (const name of [...Object.values(COUNT_METRICS), ...Object.values(DURATION_METRICS)]) {
      expect(body, name).toContain(name);
    }
    const alarmIds = Object.keys(template.findResources('AWS::CloudWatch::Alarm'));
    for (const alarmId of alarmIds) expect(body, alarmId).toContain(alarmId);
  });

  it('leaves no cdk-nag AwsSolutions finding on the topic and its key', () => {
    const alarmFindings = awsSolutionsFindings(report).filter((line) => line.includes('/Alarms/'));

    expect(alarmFindings).toEqual([]);
  });
});
