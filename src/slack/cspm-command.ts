import type { AllMiddlewareArgs, App, SlackCommandMiddlewareArgs } from '@slack/bolt';

const HELP = [
  '*cspm-bot* posts high-severity AWS Security Hub findings here, each with what is open and how exposed it is.',
  '`/cspm help`: this help.',
  '`/cspm status`, `/cspm list`, `/cspm accepted` and `/cspm digest` come in the next release.',
].join('\n');

/** `/cspm`: for now only help; every reply is ephemeral and acked at once. */
export async function answerCspmCommand({ ack }: SlackCommandMiddlewareArgs & AllMiddlewareArgs): Promise<void> {
  await ack({ response_type: 'ephemeral', text: HELP });
}

export function registerCspmCommand(app: App): void {
  app.command('/cspm', answerCspmCommand);
}
