import { describe, expect, it } from 'vitest';
import { AttributedRemediator } from '../../../src/aws/attributed-remediator.js';
import type { RemediationPlan } from '../../../src/domain/remediation-plan-types.js';
import type { ChangeAttribution, Remediator } from '../../../src/usecases/ports.js';
import { revokePlan } from '../../fixtures/remediation-plan.js';

/** Stands in for AccountClients: each change gets its own clients, named after the attribution. */
class ScopedClientsRecorder {
  readonly scopes: ChangeAttribution[] = [];

  forChange(attribution: ChangeAttribution): string {
    this.scopes.push(attribution);
    return `clients for ${attribution.decisionId}`;
  }
}

describe('AttributedRemediator', () => {
  it('runs each change on clients scoped to that change, passing who asked through', async () => {
    const clients = new ScopedClientsRecorder();
    const ran: { clients: string; plan: RemediationPlan; context: ChangeAttribution }[] = [];
    const remediator = new AttributedRemediator(clients, (scoped): Remediator => ({
      execute: async (plan, context) => {
        ran.push({ clients: scoped, plan, context });
        return { executor: 'direct', steps: [] };
      },
    }));

    await remediator.execute(revokePlan, {
      findingId: 'finding-1',
      decisionId: 'decision-1',
      slackUserId: 'U0ALICE01',
    });
    await remediator.execute(revokePlan, { findingId: 'finding-2', decisionId: 'decision-2' });

    expect(clients.scopes.map((scope) => scope.decisionId)).toEqual(['decision-1', 'decision-2']);
    expect(ran.map((run) => run.clients)).toEqual(['clients for decision-1', 'clients for decision-2']);
    expect(ran[0]?.context).toEqual({
      findingId: 'finding-1',
      decisionId: 'decision-1',
      slackUserId: 'U0ALICE01',
    });
  });
});
