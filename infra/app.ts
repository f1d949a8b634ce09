import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { BotSettingsError } from './bot-settings.js';
import { defineCspmBotStacks } from './cspm-bot-app.js';

// `npx cdk synth | deploy` (cdk.json runs this file with tsx). Settings come from cspm-bot.settings.json (or
// `-c settingsFile=<path>`), never from the shell's CSPM_* variables; secrets go in the Slack secret after deploy.
// With `-c botAccountId=111122223333` the member-account stack `CspmBotMember` is added.
const app = new App();
try {
  defineCspmBotStacks(app, process.env);
} catch (error) {
  // Settings problems are the operator's to fix: the list of them, not a stack trace.
  if (!(error instanceof BotSettingsError)) throw error;
  console.error(error.message);
  process.exit(1);
}

// cdk-nag 3 is a policy-validation plugin: violations fail the synth and are written to the cloud assembly.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
