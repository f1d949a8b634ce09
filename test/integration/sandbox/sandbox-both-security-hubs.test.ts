import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { normalizeAsffFinding } from '../../../src/aws/asff-finding.js';
import { normalizeOcsfFinding } from '../../../src/aws/ocsf-finding.js';
import { findingsOfSecurityHubEvent } from '../../../src/aws/security-hub-event.js';
import {
  complianceFindingsFilters,
  SecurityHubV2Findings,
} from '../../../src/aws/security-hub-v2-findings.js';
import { HomeRegionWorkflow } from '../../../src/aws/security-hub-workflow.js';
import type { FindingsFormat } from '../../../src/domain/findings-format.js';
import type { Finding } from '../../../src/domain/finding.js';
import { ocsfOf } from '../../../src/sandbox/ocsf-rendering.js';
import type { FindingsImportedEvent, SandboxAccount } from '../../../src/sandbox/sandbox-account.js';
import { createSandboxAccount } from '../../../src/sandbox/sandbox-account.js';
import type { IngestItem } from '../../../src/usecases/ingest-findings.js';
import { allSampleFindings } from '../../fixtures/asff.js';
import { fixedClock } from '../../support/fixed-clock.js';

let dataDir: string | undefined;
let sandbox: SandboxAccount | undefined;
afterEach(async () => {
  await sandbox?.saved();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
  sandbox = undefined;
  dataDir = undefined;
});

async function sandboxPublishing(findingsFormat: FindingsFormat): Promise<SandboxAccount> {
  dataDir = await mkdtemp(join(tmpdir(), 'cspm-sandbox-hubs-'));
  sandbox = await createSandboxAccount({
    dataDir,
    clock: fixedClock('2026-11-30T10:00:00Z'),
    reset: true,
    findingsFormat,
  });
  // As npm start does: the exposures of the account as it starts are published before anything changes.
  await sandbox.publishExposures();
  return sandbox;
}

function finding(result: IngestItem): Finding {
  if (!result.ok) throw new Error(result.reason);
  if (!('finding' in result)) throw new Error(`expected a finding, got exposure ${result.exposure.id}`);
  return result.finding;
}

/** What a person compares across the two Security Hubs: everything but the product (and so the key). */
const comparable = ({ productArn: _product, ...rest }: Finding) => rest;

describe('the sandbox plays either Security Hub, or both', () => {
  it('renders every sample finding in OCSF so that it normalizes to the same finding as its ASFF', () => {
    for (const asff of allSampleFindings()) {
      const fromOcsf = finding(normalizeOcsfFinding(ocsfOf(asff)));
      const fromAsff = finding(normalizeAsffFinding(asff));
      expect(comparable(fromOcsf), String(asff['Id'])).toEqual(comparable(fromAsff));
      expect(fromOcsf.productArn).toBe(fromAsff.productArn.replace('::product/', '::productv2/'));
    }
  });

  it.each([
    ['asff', ['Security Hub Findings - Imported']],
    ['ocsf', ['Findings Imported V2']],
    ['both', ['Security Hub Findings - Imported', 'Findings Imported V2']],
  ] as const)('with %s, a simulated finding arrives as %j', async (format, detailTypes) => {
    const account = await sandboxPublishing(format);
    const events: FindingsImportedEvent[] = [];
    account.events.on('findings-imported', (event) => events.push(event));

    await account.simulate.newFinding('EC2.13');

    expect(events.map((event) => event['detail-type'])).toEqual(detailTypes);
    const findings = events
      .flatMap((event) => findingsOfSecurityHubEvent(event, format).findings)
      .map(finding);
    expect(new Set(findings.map((item) => `${item.controlId} ${item.resource.id}`)).size).toBe(1);
  });

  it('answers GetFindingsV2 with its open findings and takes BatchUpdateFindingsV2 status and comment', async () => {
    const account = await sandboxPublishing('ocsf');
    const client = account.securityHubClient('ap-northeast-1');
    const pages = [];
    for await (const page of new SecurityHubV2Findings(client).pages(complianceFindingsFilters(4)))
      pages.push(page);
    const open = pages.flatMap((page) => page.findings).map((raw) => finding(normalizeOcsfFinding(raw)));
    const ec213 = open.find((item) => item.controlId === 'EC2.13')!;
    expect(ec213.productArn).toMatch(/::productv2\/aws\/securityhub$/);

    const result = await new HomeRegionWorkflow(
      { securityHub: async () => client },
      'ap-northeast-1',
    ).updateWorkflow([
      {
        ref: { id: ec213.id, productArn: ec213.productArn, accountId: ec213.accountId },
        status: 'SUPPRESSED',
        note: { text: 'Suppressed from Slack by alice: test VPC', updatedBy: 'cspm-bot' },
        decisionId: 'd-0001',
      },
    ]);

    expect(result.unprocessed).toEqual([]);
    const shown = account.securityHubFindings().find((item) => item.id === ec213.id)!;
    expect(shown.workflowStatus).toBe('SUPPRESSED');
    expect(shown.notes.at(-1)?.text).toBe('Suppressed from Slack by alice: test VPC (decision d-0001)');
  });
});
