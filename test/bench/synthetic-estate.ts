/**
 * A large synthetic estate for the bench: findings shaped like the fixtures (EC2 security group controls), spread
 * over 200 accounts, loaded with the repository's bulk import the way a first deployment backfills.
 */
import { performance } from 'node:perf_hooks';
import type { DateTime } from 'luxon';
import type { Decision } from '../../src/domain/decision.js';
import { findingKeyOf } from '../../src/domain/finding-key.js';
import { CONTROL_CATALOG } from '../../src/domain/control-catalog.js';
import type { Finding } from '../../src/domain/finding.js';
import type { Severity } from '../../src/domain/severity.js';
import { triage } from '../../src/domain/triage.js';
import type { Store } from '../../src/runtime/store.js';
import { loadAsffFixture } from '../fixtures/asff.js';
import type { AsffJson } from '../fixtures/asff.js';
import { makeFinding } from '../fixtures/finding.js';

export const ACCOUNTS = Array.from({ length: 200 }, (_, i) => String(100000000000 + i * 7919));
export const SG_CONTROLS = Object.keys(CONTROL_CATALOG).filter(
  (id) => CONTROL_CATALOG[id as keyof typeof CONTROL_CATALOG].resourceType === 'AwsEc2SecurityGroup',
);
const SEVERITIES: Severity[] = ['HIGH', 'HIGH', 'HIGH', 'CRITICAL'];
export const ESTATE_CHANNEL = 'C0FINDINGS';

export function syntheticFinding(n: number): Finding {
  const base = makeFinding();
  const accountId = ACCOUNTS[n % ACCOUNTS.length]!;
  const controlId = SG_CONTROLS[n % SG_CONTROLS.length]!;
  const groupId = `sg-${n.toString(16).padStart(17, '0')}`;
  const day = String(1 + (n % 28)).padStart(2, '0');
  return {
    ...base,
    id: `arn:aws:securityhub:eu-west-1:${accountId}:security-control/${controlId}/finding/${n.toString(16).padStart(12, '0')}`,
    controlId,
    severity: SEVERITIES[n % SEVERITIES.length]!,
    accountId,
    region: 'eu-west-1',
    resource: {
      ...base.resource,
      id: `arn:aws:ec2:eu-west-1:${accountId}:security-group/${groupId}`,
      shortId: groupId,
    },
    details: base.details.kind === 'security-group' ? { ...base.details, groupId } : base.details,
    firstObservedAt: `2026-10-${day}T00:00:00.000Z`,
  };
}

/** The fields of the EC2.13 sample that `syntheticAsff` rewrites. */
interface SecurityGroupAsff {
  Id: string;
  AwsAccountId: string;
  Region: string;
  Compliance: { SecurityControlId: string };
  Resources: { Id: string; Details: { AwsEc2SecurityGroup: { GroupId: string; OwnerId: string } } }[];
  ProductFields: Record<string, string>;
}

const EC2_13_SAMPLE = loadAsffFixture('ec2.13-ssh-ipv4');

/**
 * The bundled EC2.13 sample made unique as Security Hub would send finding `n`: its own id, account and security
 * group, and the control `controlId` (by default one of the security-group controls in turn).
 */
export function syntheticAsff(n: number, controlId = SG_CONTROLS[n % SG_CONTROLS.length]!): AsffJson {
  const finding = structuredClone(EC2_13_SAMPLE) as AsffJson & SecurityGroupAsff;
  const resource = finding.Resources[0]!;
  const account = ACCOUNTS[n % ACCOUNTS.length]!;
  const groupId = `sg-${(0x1000000 + n).toString(16).padStart(17, '0')}`;
  const id = `arn:aws:securityhub:${finding.Region}:${account}:security-control/${controlId}/finding/${n.toString(16).padStart(8, '0')}-5b6a-4789-8a0b-c1d2e3f40001`;
  const resourceId = `arn:aws:ec2:${finding.Region}:${account}:security-group/${groupId}`;
  finding.Id = id;
  finding.AwsAccountId = account;
  finding.Compliance.SecurityControlId = controlId;
  resource.Id = resourceId;
  resource.Details.AwsEc2SecurityGroup.GroupId = groupId;
  resource.Details.AwsEc2SecurityGroup.OwnerId = account;
  finding.ProductFields['Resources:0/Id'] = resourceId;
  finding.ProductFields['aws/securityhub/FindingId'] = id;
  return finding;
}

/** Stores `count` open findings (already posted long ago) in chunks; returns the seconds it took. */
export async function loadEstate(
  store: Store,
  count: number,
  progress: (line: string) => void,
): Promise<number> {
  const started = performance.now();
  const chunk = 20_000;
  for (let start = 0; start < count; start += chunk) {
    const inputs = Array.from({ length: Math.min(chunk, count - start) }, (_, i) => {
      const finding = syntheticFinding(start + i);
      return { finding, triage: triage(finding), channel: ESTATE_CHANNEL, now: '2026-11-01T00:00:00.000Z' };
    });
    await store.findings.importNew(inputs);
    progress(
      `  ${Math.min(start + chunk, count).toLocaleString('en')} findings loaded (${((performance.now() - started) / 1000).toFixed(0)} s)`,
    );
  }
  return (performance.now() - started) / 1000;
}

const DECISION_KINDS = ['remediate', 'suppress', 'accept-risk', 'auto-remediate'] as const;

/** `count` finished decisions over the four weeks before `now`, on the estate's findings; returns the seconds. */
export async function loadDecisions(
  store: Store,
  count: number,
  findingCount: number,
  now: DateTime,
): Promise<number> {
  const started = performance.now();
  const decision = (n: number): Decision => {
    const requestedAt = now.minus({ minutes: (n * 37) % (28 * 24 * 60) }).toISO()!;
    return {
      decisionId: `bench-${n.toString(16).padStart(8, '0')}`,
      findingId: findingKeyOf(syntheticFinding(n % findingCount)),
      kind: DECISION_KINDS[n % DECISION_KINDS.length]!,
      status: 'SUCCEEDED',
      actor: { kind: 'user', userId: 'U0ALICE01', name: 'alice' },
      requestedAt,
      finishedAt: requestedAt,
      what: 'Revoke tcp/22 from 0.0.0.0/0',
    };
  };
  const inFlight = 32;
  for (let start = 0; start < count; start += inFlight) {
    await Promise.all(
      Array.from({ length: Math.min(inFlight, count - start) }, (_, i) =>
        store.decisions.record(decision(start + i)),
      ),
    );
  }
  return (performance.now() - started) / 1000;
}
