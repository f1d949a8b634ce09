import type { SQSEvent, SQSRecord } from 'aws-lambda';

const QUEUE_ARN = 'arn:aws:sqs:eu-west-1:111122223333:CspmBot-IngestQueue';

/** An SQS record as Lambda delivers it from the ingest queue: EventBridge's event as the message body. */
export function queuedEventRecord(event: unknown, n = 0, receiveCount = 1): SQSRecord {
  const body = JSON.stringify(event);
  return {
    messageId: `0a1b2c3d-${String(n).padStart(4, '0')}-4e5f-8a9b-0c1d2e3f4a5b`,
    receiptHandle: `AQEB${Buffer.from(`receipt-${n}`).toString('base64')}`,
    body,
    attributes: {
      ApproximateReceiveCount: String(receiveCount),
      SentTimestamp: '1763805600000',
      SenderId: 'AIDAIENQZJOLO23YVJ4VO',
      ApproximateFirstReceiveTimestamp: '1763805600010',
    },
    messageAttributes: {},
    md5OfBody: 'e4e68fb7bd0e697a0ae8f1bb342846b3',
    eventSource: 'aws:sqs',
    eventSourceARN: QUEUE_ARN,
    awsRegion: 'eu-west-1',
  };
}

/** A Lambda event of the ingest queue carrying these EventBridge events, in order. */
export function queuedEvents(events: readonly unknown[]): SQSEvent {
  return { Records: events.map((event, n) => queuedEventRecord(event, n)) };
}
