import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetFindingsV2Command } from '@aws-sdk/client-securityhub';
import { afterEach, describe, expect, it } from 'vitest';
import { normalizeAsffFinding } from '../../../src/aws/asff-finding.js';
import { DirectRemediator } from '../../../src/aws/direct-remediator.js';
import { AwsResourceStateReader } from '../../../src/aws/resource-state-reader.js';
import { controlSpec } from '../../../src/domain/control-catalog.js';
import type { FindingsFormat } from '../../../src/domain/findings-format.js';
import { planRemediation } from '../../../src/domain/remediation-plan.js';
import type { FindingsImportedEvent, SandboxAccount } from '../../../src/sandbox/sandbox-account.js';
import { createSandboxAccount } from '../../../src/sandbox/sandbox-account.js';
import { findingsOfSecurityHubEvent } from '../../../src/aws/security-hub-event.js';
import { concernsFinding } from '../../../src/domain/security-hub-exposure.js';
import { triage } from '../../../src/domain/triage.js';
import { allSampleFindings } from '../../fixtures/asff.js';
import { loadAsffFixture } from '../../fixtures/asff.js';
import { fixedClock } from '../../support/fixed-clock.js';

/** The sample instances the internet reaches through a group an open sample finding flags. */
const EXPOSED_SAMPLE_INSTANCES = [
  'i-03e4f5a6b7c8dc001', // EC2.53: tcp/22 and udp/3389 from 0.0.0.0/0
  'i-0a0b0c0d0e0f1c001', // EC2.2: the default group lets all traffic in
  'i-0a1b2c3d4e5f60789', // EC2.14: tcp/3389 from ::/0
  'i-0a1b2c3d4e5f6c001', // EC2.13: tcp/22 from 0.0.0.0/0
  'i-0a1b2c3d4e5f6c003', // EC2.18: tcp/8080 from 0.0.0.0/0
  'i-0f9e8d7c6b5a4c001', // EC2.19 and EC2.13: every tcp port
];
/** The EC2.13 sample's instance, and the sample itself. */
const SSH_INSTANCE = 'i-0a1b2c3d4e5f6c001';
const SSH_SAMPLE = loadAsffFixture('ec2.13-ssh-ipv4');

let dataDir: string | undefined;
let sandbox: SandboxAccount | undefined;
afterEach(async () => {
  await sandbox?.saved();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
  sandbox = undefined;
  dataDir = undefined;
});

async function openSandbox(findingsFormat: FindingsFormat, reset = true): Promise<SandboxAccount> {
  dataDir ??= await mkdtemp(join(tmpdir(), 'cspm-sandbox-exposures-'));
  await sandbox?.saved();
  sandbox = await createSandboxAccount({
    dataDir,
    clock: fixedClock('2026-11-30T10:00:00Z'),
    reset,
    findingsFormat,
  });
  return sandbox;
}

function recordedEvents(account: SandboxAccount): FindingsImportedEvent[] {
  const events: FindingsImportedEvent[] = [];
  account.events.on('findings-imported', (event) => events.push(event));
  return events;
}

type OcsfRecord = Record<string, unknown>;
const exposuresIn = (events: readonly FindingsImportedEvent[]): OcsfRecord[] =>
  events.flatMap((event) => event.detail.findings).filter((finding) => finding['class_uid'] === 2004);
const instanceOf = (exposure: OcsfRecord) => (exposure['resources'] as { uid: string }[])[0]!.uid;
const uidOf = (exposure: OcsfRecord) => (exposure['finding_info'] as { uid: string }).uid;

/** What the bot's exposure sync asks GetFindingsV2 on a first run. */
const OPEN_EXPOSURES = {
  CompositeFilters: [
    {
      StringFilters: [
        {
          FieldName: 'class_name' as const,
          Filter: { Value: 'Detection Finding', Comparison: 'EQUALS' as const },
        },
        {
          FieldName: 'finding_info.analytic.name' as const,
          Filter: { Value: 'Exposure', Comparison: 'EQUALS' as const },
        },
      ],
      NumberFilters: [{ FieldName: 'status_id' as const, Filter: { Gte: 1, Lte: 2 } }],
    },
  ],
};

describe('the sandbox publishes Security Hub’s exposure findings', () => {
  it('with ocsf, announces one exposure per reachable sample instance at start, and none again after a restart', async () => {
    const account = await openSandbox('ocsf');
    const events = recordedEvents(account);

    await account.publishExposures();

    expect(events.every((event) => event['detail-type'] === 'Findings Imported V2')).toBe(true);
    const exposures = exposuresIn(events);
    expect(exposures).toHaveLength(events.length);
    expect(exposures.map(instanceOf).sort()).toEqual(EXPOSED_SAMPLE_INSTANCES);
    expect(exposures[0]).toMatchObject({
      class_name: 'Detection Finding',
      status_id: 1,
      finding_info: { analytic: { name: 'Exposure' } },
    });

    const restarted = await openSandbox('ocsf', false);
    const afterRestart = recordedEvents(restarted);
    await restarted.publishExposures();
    expect(afterRestart).toEqual([]);
  });

  it('with asff, announces no exposure and GetFindingsV2 holds none', async () => {
    const account = await openSandbox('asff');
    const events = recordedEvents(account);

    await account.publishExposures();
    await account.simulate.passControl(String(SSH_SAMPLE['Id']));
    const answer = await account
      .securityHubClient('ap-northeast-1')
      .send(new GetFindingsV2Command({ Filters: OPEN_EXPOSURES }));

    expect(events.map((event) => event['detail-type'])).toEqual(['Security Hub Findings - Imported']);
    expect(answer.Findings).toEqual([]);
  });

  it('announces the exposure Resolved, under the same uid, once the bot’s remediation revokes the rule', async () => {
    const account = await openSandbox('ocsf');
    const published = await (async () => {
      const events = recordedEvents(account);
      await account.publishExposures();
      return exposuresIn(events).find((exposure) => instanceOf(exposure) === SSH_INSTANCE)!;
    })();
    const events = recordedEvents(account);
    const clients = account.accountClients();
    const normalized = normalizeAsffFinding(SSH_SAMPLE);
    if (!normalized.ok) throw new Error(normalized.reason);
    const finding = normalized.finding;
    const outcome = planRemediation(
      finding,
      controlSpec(finding.controlId)!,
      await new AwsResourceStateReader(clients).read(finding),
      { imdsHopLimit: 2 },
    );
    if (outcome.kind !== 'plan') throw new Error(`expected a plan, got ${outcome.kind}`);

    await new DirectRemediator(clients).execute(outcome.plan, { findingId: 'f', decisionId: 'd' });

    expect(exposuresIn(events)).toEqual([
      expect.objectContaining({
        status: 'Resolved',
        status_id: 4,
        finding_info: expect.objectContaining({ uid: uidOf(published) }) as unknown,
      }),
    ]);
  });

  it('resolves an exposure when Security Hub’s check passes, and reopens it when the control fails again', async () => {
    const account = await openSandbox('ocsf');
    await account.publishExposures();
    const events = recordedEvents(account);

    await account.simulate.passControl(String(SSH_SAMPLE['Id']));
    await account.simulate.failAgain(String(SSH_SAMPLE['Id']));

    expect(
      exposuresIn(events).map((exposure) => [
        instanceOf(exposure),
        exposure['status'],
        exposure['activity_name'],
      ]),
    ).toEqual([
      [SSH_INSTANCE, 'Resolved', 'Close'],
      [SSH_INSTANCE, 'New', 'Update'],
    ]);
  });

  it('answers the bot’s exposure filter through GetFindingsV2, page by page', async () => {
    const account = await openSandbox('ocsf');
    const client = account.securityHubClient('ap-northeast-1');

    const first = await client.send(new GetFindingsV2Command({ Filters: OPEN_EXPOSURES, MaxResults: 4 }));
    const second = await client.send(
      new GetFindingsV2Command({ Filters: OPEN_EXPOSURES, MaxResults: 4, NextToken: first.NextToken! }),
    );

    expect(first.Findings).toHaveLength(4);
    expect(second.NextToken).toBeUndefined();
    const instances = [...first.Findings!, ...second.Findings!].map((found) =>
      instanceOf(found as OcsfRecord),
    );
    expect(instances.sort()).toEqual(EXPOSED_SAMPLE_INSTANCES);
  });
});

describe('the bot reads the sandbox’s exposure findings', () => {
  it('each is an exposure the bot accepts, reachable on the ports its group opens, concerning its control finding', async () => {
    const account = await openSandbox('ocsf');
    const events = recordedEvents(account);
    await account.publishExposures();

    const items = events.flatMap((event) => findingsOfSecurityHubEvent(event, 'ocsf').findings);
    const samples = allSampleFindings().flatMap((asff) => {
      const normalized = normalizeAsffFinding(asff);
      return normalized.ok ? [{ finding: normalized.finding, triage: triage(normalized.finding) }] : [];
    });

    expect(items).toHaveLength(EXPOSED_SAMPLE_INSTANCES.length);
    for (const item of items) {
      if (!item.ok || !('exposure' in item))
        throw new Error(`not read as an exposure: ${JSON.stringify(item)}`);
      const { exposure } = item;
      expect(exposure, exposure.id).toMatchObject({ open: true, reachable: true });
      expect(exposure.reachablePorts.length, exposure.id).toBeGreaterThan(0);
      const concerned = samples.filter((sample) => concernsFinding(exposure, sample));
      expect(
        concerned.length,
        `${exposure.resources[0]?.shortId} concerns no sample finding`,
      ).toBeGreaterThan(0);
    }
    const ssh = items.find(
      (item) => item.ok && 'exposure' in item && item.exposure.resources[0]?.shortId === SSH_INSTANCE,
    );
    expect(ssh).toMatchObject({ exposure: { reachablePorts: ['tcp/22'] } });
  });
});
