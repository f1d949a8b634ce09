import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { settingsFromEnvironment } from './bot-settings.js';
import { CspmBotStack } from './cspm-bot-stack.js';

// `npx cdk synth | deploy` (cdk.json runs this file with tsx). Settings come from the deploying shell's CSPM_*
// variables, e.g. `CSPM_DEFAULT_CHANNEL=C0123ABCD npx cdk deploy`; secrets go in the Slack secret after deploy.
const app = new App();
const account = process.env.CDK_DEFAULT_ACCOUNT;
const region = process.env.CDK_DEFAULT_REGION;

new CspmBotStack(app, 'CspmBot', {
  env: { ...(account && { account }), ...(region && { region }) },
  settings: settingsFromEnvironment(process.env),
});

// cdk-nag 3 is a policy-validation plugin: violations fail the synth and are written to the cloud assembly.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
