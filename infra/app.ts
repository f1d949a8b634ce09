import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { defineCspmBotStacks } from './cspm-bot-app.js';

// `npx cdk synth | deploy` (cdk.json runs this file with tsx). Settings come from the deploying shell's CSPM_*
// variables, e.g. `CSPM_DEFAULT_CHANNEL=C0123ABCD npx cdk deploy CspmBot`; secrets go in the Slack secret after
// deploy. With `-c botAccountId=111122223333` the member-account stack `CspmBotMember` is added.
const app = new App();
defineCspmBotStacks(app, process.env);

// cdk-nag 3 is a policy-validation plugin: violations fail the synth and are written to the cloud assembly.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
