import type { FindingWorkflow } from '../usecases/ports.js';
import type { AccountClients } from './aws-clients.js';
import { SecurityHubFindings } from './security-hub-findings.js';

/**
 * Workflow updates go through the bot's own account in its home (aggregation) region: the administrator account
 * can update member findings there, and Security Hub replicates the change to the finding's own region.
 */
export class HomeRegionWorkflow implements FindingWorkflow {
  constructor(
    private readonly clients: Pick<AccountClients, 'securityHub'>,
    private readonly region: string,
  ) {}

  async updateWorkflow(
    items: Parameters<FindingWorkflow['updateWorkflow']>[0],
  ): ReturnType<FindingWorkflow['updateWorkflow']> {
    const client = await this.clients.securityHub(this.region);
    return new SecurityHubFindings(client, { region: this.region }).updateWorkflow([...items]);
  }
}
