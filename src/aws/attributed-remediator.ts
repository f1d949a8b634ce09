import type { RemediationExecution, RemediationPlan } from '../domain/remediation-plan-types.js';
import type { ChangeAttribution, Remediator } from '../usecases/ports.js';

/** Clients whose member-account sessions are named after one change (AccountClients.forChange). */
export interface ChangeScopedClients<Clients> {
  forChange(attribution: ChangeAttribution): Clients;
}

/**
 * A remediator built for each change on its own clients, so every AWS call of that change is signed by a session
 * named after the decision (CloudTrail shows it); reads elsewhere keep the shared, cached session.
 */
export class AttributedRemediator<Clients> implements Remediator {
  constructor(
    private readonly clients: ChangeScopedClients<Clients>,
    private readonly build: (clients: Clients) => Remediator,
  ) {}

  execute(plan: RemediationPlan, context: ChangeAttribution): Promise<RemediationExecution> {
    return this.build(this.clients.forChange(context)).execute(plan, context);
  }
}
