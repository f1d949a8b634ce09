import { CONTROL_CATALOG } from '../domain/control-catalog.js';
import type { SandboxAccount } from '../sandbox/sandbox-account.js';
import type { SlackWebApi } from '../workspace/slack-web-api.js';
import type { WorkspaceSandbox } from '../workspace/workspace-server.js';

/** What the Simulate menu offers besides a new finding of each control: what AWS (or Slack) would do, now. */
const SIMULATIONS = [
  { id: 'burst-200', label: 'A burst of 200 new findings' },
  { id: 'fail-again', label: 'The control fails again after RESOLVED (newest resolved finding)' },
  { id: 'advance-clock', label: 'Advance the clock 31 days (acceptances expire)' },
  { id: 'slack-refuses', label: 'Slack refuses the next post (channel_not_found)' },
] as const;

type SimulationId = (typeof SIMULATIONS)[number]['id'];

const NEW_FINDING = 'new-finding:';

/** One menu entry per control the sandbox can raise, e.g. "A new EC2.21 finding (Network ACL lets SSH …)". */
function newFindingSimulations(sandbox: SandboxAccount): { id: string; label: string }[] {
  return sandbox.simulatedControls().map((control) => ({
    id: `${NEW_FINDING}${control}`,
    label: `A new ${control} finding (${CONTROL_CATALOG[control].summary})`,
  }));
}

function requestedId(request: unknown): string | undefined {
  const id = typeof request === 'object' && request !== null ? (request as { id?: unknown }).id : undefined;
  return typeof id === 'string' ? id : undefined;
}

/**
 * The sandbox account as the workspace page shows it: a badge, the Security Hub panel (each finding's workflow
 * status and last note) and the Simulate menu. `afterClockMoved` runs the sweeper so an expiry takes effect at once.
 */
export function workspaceSandbox(input: {
  sandbox: SandboxAccount;
  slackApi: () => SlackWebApi;
  afterClockMoved: () => Promise<void>;
}): WorkspaceSandbox {
  const { sandbox } = input;
  return {
    describe: () =>
      Promise.resolve({
        label: 'Sandbox AWS account',
        description: sandbox.describe(),
        now: sandbox.clock.now().toUTC().toISO(),
        findings: sandbox.securityHubFindings().map((finding) => {
          const lastNote = finding.notes.at(-1);
          return {
            title:
              `${finding.controlId ?? ''} ${finding.resourceId.split('/').at(-1) ?? finding.resourceId}`.trim(),
            severity: finding.severity,
            status: [
              finding.workflowStatus,
              finding.complianceStatus && `compliance ${finding.complianceStatus}`,
              lastNote && `note: “${lastNote.text}” (${lastNote.updatedBy})`,
            ]
              .filter(Boolean)
              .join(' · '),
          };
        }),
        simulations: [...newFindingSimulations(sandbox), ...SIMULATIONS],
      }),
    simulate: async (request) => {
      const id = requestedId(request);
      const control = id?.startsWith(NEW_FINDING) ? id.slice(NEW_FINDING.length) : undefined;
      if (control !== undefined) {
        if (!(sandbox.simulatedControls() as string[]).includes(control))
          return { ok: false, error: `The sandbox cannot raise a new ${control} finding` };
        await sandbox.simulate.newFinding(control);
        return { ok: true, did: `raised a new ${control} finding` };
      }
      switch (SIMULATIONS.find((simulation) => simulation.id === id)?.id as SimulationId | undefined) {
        case 'burst-200':
          await sandbox.simulate.burst(200);
          return { ok: true, did: 'raised 200 new findings' };
        case 'fail-again': {
          const resolved = sandbox
            .securityHubFindings()
            .find((finding) => finding.workflowStatus === 'RESOLVED');
          if (!resolved) return { ok: false, error: 'No finding is RESOLVED yet: remediate one first.' };
          await sandbox.simulate.failAgain(resolved.id);
          return { ok: true, did: `the control fails again on ${resolved.resourceId}` };
        }
        case 'advance-clock':
          await sandbox.simulate.advanceClock({ days: 31 });
          await input.afterClockMoved();
          return { ok: true, did: 'moved the clock 31 days ahead and ran the sweeper' };
        case 'slack-refuses':
          input.slackApi().fail('chat.postMessage', { kind: 'slack-error', error: 'channel_not_found' });
          return { ok: true, did: 'the next chat.postMessage answers channel_not_found' };
        case undefined:
          return { ok: false, error: 'unknown simulation' };
      }
    },
  };
}
