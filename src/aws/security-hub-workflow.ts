import { toAppError } from '../domain/app-error.js';
import type { FindingRef } from '../domain/finding.js';
import { isNewerSecurityHubRef } from '../domain/same-finding.js';
import type { FindingWorkflow, WorkflowUpdate } from '../usecases/ports.js';
import type { AccountClients } from './aws-clients.js';
import type { UnprocessedFinding, WorkflowUpdateResult } from './security-hub-findings.js';
import { SecurityHubFindings } from './security-hub-findings.js';
import { SecurityHubV2Findings } from './security-hub-v2-findings.js';

/** `arn:aws:securityhub:<region>:<account>:…`: the account of a finding uid, when the update does not name it. */
function accountOfUid(uid: string): string {
  return /^arn:[^:]+:securityhub:[^:]*:(\d{12}):/.exec(uid)?.[1] ?? '';
}

/**
 * Workflow updates go through the bot's own account in its home (aggregation) region: the administrator account
 * can update member findings there, and Security Hub replicates the change to the finding's own region. Each copy
 * goes to the Security Hub that holds it; when a decision reaches both and one of them fails outright, its copies
 * come back unprocessed with the reason, so the other one's result is never lost with it.
 */
export class HomeRegionWorkflow implements FindingWorkflow {
  constructor(
    private readonly clients: Pick<AccountClients, 'securityHub'>,
    private readonly region: string,
  ) {}

  async updateWorkflow(items: readonly WorkflowUpdate[]): Promise<WorkflowUpdateResult> {
    const newer = items.filter((item) => isNewerSecurityHubRef(item.ref));
    const cspm = items.filter((item) => !isNewerSecurityHubRef(item.ref));
    const client = await this.clients.securityHub(this.region);
    const scope = { region: this.region };
    const sides: [readonly WorkflowUpdate[], () => Promise<WorkflowUpdateResult>][] = [
      [cspm, () => new SecurityHubFindings(client, scope).updateWorkflow([...cspm])],
      [
        newer,
        () =>
          new SecurityHubV2Findings(client, scope).updateWorkflow(
            newer.map((item) => ({
              ref: { ...item.ref, accountId: item.ref.accountId ?? accountOfUid(item.ref.id) },
              status: item.status,
              text: item.note.text,
              ...(item.decisionId !== undefined && { decisionId: item.decisionId }),
            })),
          ),
      ],
    ];
    const used = sides.filter(([sent]) => sent.length > 0);
    // One Security Hub only: its fault is the caller's to report, as before.
    if (used.length === 1) return used[0]![1]();
    const processed: FindingRef[] = [];
    const unprocessed: UnprocessedFinding[] = [];
    for (const [sent, update] of used) {
      try {
        const result = await update();
        processed.push(...result.processed);
        unprocessed.push(...result.unprocessed);
      } catch (error) {
        const appError = toAppError(error);
        unprocessed.push(
          ...sent.map((item) => ({
            ref: { id: item.ref.id, productArn: item.ref.productArn },
            errorCode: appError.code,
            errorMessage: appError.userMessage,
          })),
        );
      }
    }
    return { processed, unprocessed };
  }
}
