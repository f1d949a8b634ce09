import type { AccountClients } from '../aws/aws-clients.js';
import type { Config } from '../config/config.js';
import type { SlackJobDeps } from '../slack/slack-jobs.js';
import type { LambdaBase } from './lambda-environment.js';
import { accountClients, remediationDeps } from './remediation-wiring.js';

/** Remediation, suppression and risk acceptance for the Lambdas that run them (Worker, Sync), with AWS connected. */
export function lambdaJobDeps(
  config: Config,
  { store, slack, base }: LambdaBase,
): { clients: AccountClients; jobs: SlackJobDeps } {
  const clients = accountClients(config);
  return {
    clients,
    jobs: remediationDeps({ config, base, store, slack, clients, homeRegion: config.awsRegion }),
  };
}
