// The baseline for the Slack handler's bundle: a Bolt app on the AWS Lambda receiver that only acks one command.
import { App, AwsLambdaReceiver } from '@slack/bolt';

const receiver = new AwsLambdaReceiver({
  signingSecret: process.env['SLACK_SIGNING_SECRET'] ?? 'bench-signing-secret',
});
const app = new App({
  token: process.env['SLACK_BOT_TOKEN'] ?? 'xoxb-bench',
  receiver,
  tokenVerificationEnabled: false,
});
app.command('/bare', async ({ ack }) => ack());

export const handler = await receiver.start();
