import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetBucketPolicyCommand } from '@aws-sdk/client-s3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { normalizeAsffFinding } from '../../../src/aws/asff-finding.js';
import { AwsAccountImdsDefaultsReader } from '../../../src/aws/account-imds-defaults-reader.js';
import { DirectRemediator } from '../../../src/aws/direct-remediator.js';
import { AwsResourceStateReader } from '../../../src/aws/resource-state-reader.js';
import {
  planAccountImdsDefaults,
  verifyAccountImdsDefaults,
} from '../../../src/domain/account-imds-defaults.js';
import { controlSpec } from '../../../src/domain/control-catalog.js';
import type { Finding } from '../../../src/domain/finding.js';
import { networkAclOf, networkAclVerdict } from '../../../src/domain/reachability.js';
import { planRemediation, verifyRemediation } from '../../../src/domain/remediation-plan.js';
import { TLS_ONLY_SID, tlsOnlyStatementText } from '../../../src/domain/tls-only-bucket-policy.js';
import type { SandboxAccount } from '../../../src/sandbox/sandbox-account.js';
import { createSandboxAccount } from '../../../src/sandbox/sandbox-account.js';
import { simulatedControls } from '../../../src/sandbox/simulation.js';
import { allSampleFindings } from '../../fixtures/asff.js';
import { fixedClock } from '../../support/fixed-clock.js';

const PLAN_OPTIONS = { imdsHopLimit: 2 };
const CONTEXT = { findingId: 'f', decisionId: 'd' };

function normalized(raw: unknown): Finding {
  const item = normalizeAsffFinding(raw);
  if (!item.ok) throw new Error(`sample did not normalize: ${item.reason}`);
  return item.finding;
}

/** Every sample whose control the bot remediates (EC2.17 is not one). */
const remediableSamples = allSampleFindings()
  .map(normalized)
  .filter((finding) => controlSpec(finding.controlId) !== undefined);

/** AutoScaling.4 lowers the hop limit to CSPM_IMDS_HOP_LIMIT, here left at its default 1. */
function optionsFor(finding: Finding): typeof PLAN_OPTIONS {
  return finding.controlId === 'AutoScaling.4' ? { imdsHopLimit: 1 } : PLAN_OPTIONS;
}

/** The resource stays failing after a good remediation: EC2.21's allow entry, a launch configuration (immutable). */
const LEFT_FAILING: ReadonlySet<string> = new Set(['EC2.21', 'AutoScaling.3', 'AutoScaling.4']);

describe('the bot remediating the sandbox account through its real adapters', () => {
  let dataDir: string;
  let sandbox: SandboxAccount;
  let reader: AwsResourceStateReader;
  let remediator: DirectRemediator;

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'cspm-sandbox-'));
    sandbox = await createSandboxAccount({ dataDir, clock: fixedClock('2026-11-30T10:00:00Z'), reset: true });
    const clients = sandbox.accountClients();
    reader = new AwsResourceStateReader(clients);
    remediator = new DirectRemediator(clients);
  });

  afterEach(async () => {
    await sandbox.saved();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('covers every remediable control of the samples', () => {
    expect(new Set(remediableSamples.map((finding) => finding.controlId))).toEqual(
      new Set([
        'EC2.2',
        'EC2.8',
        'EC2.13',
        'EC2.14',
        'EC2.18',
        'EC2.19',
        'EC2.21',
        'EC2.53',
        'EC2.54',
        'EC2.170',
        'S3.5',
        'S3.1',
        'S3.8',
        'AutoScaling.3',
        'AutoScaling.4',
      ]),
    );
  });

  it.each(
    remediableSamples.map(
      (finding) => [`${finding.controlId} on ${finding.resource.shortId}`, finding] as const,
    ),
  )(
    '%s: plans a change, executes it, verifies it, and then finds it already fixed',
    async (_name, finding) => {
      const control = controlSpec(finding.controlId)!;
      const before = await reader.read(finding);
      const outcome = planRemediation(finding, control, before, optionsFor(finding));
      if (outcome.kind !== 'plan') throw new Error(`expected a plan, got ${JSON.stringify(outcome)}`);

      // Before the confirm button, the plan says in words what stops working (or that nothing does).
      expect(outcome.notes.filter((note) => /^(What|Nothing) stops working/.test(note))).toHaveLength(1);

      const execution = await remediator.execute(outcome.plan, CONTEXT);
      expect(execution.steps.length).toBeGreaterThan(0);

      const after = await reader.read(finding);
      const verification = verifyRemediation(outcome.plan, control, after);
      expect(verification.verified).toBe(true);
      // EC2.21: deny entries block the traffic, but the sample's own allow entry stays; AutoScaling.3/4: the groups
      // left the launch configuration, which stays as it was. Security Hub still fails them and the bot says so.
      const leftOpen = LEFT_FAILING.has(control.id);
      expect(verification).toEqual(
        leftOpen ? { verified: true, stillFails: expect.any(String) } : { verified: true },
      );
      expect(planRemediation(finding, control, after, optionsFor(finding)).kind).toBe(
        leftOpen ? 'not-remediable' : 'already-fixed',
      );
    },
  );

  it('can raise every control whose resource it can make afresh, each modelled on a sample', () => {
    expect(simulatedControls(allSampleFindings())).toEqual([
      'EC2.8',
      'EC2.13',
      'EC2.14',
      'EC2.18',
      'EC2.19',
      'EC2.21',
      'EC2.53',
      'EC2.54',
      'EC2.170',
    ]);
  });

  it.each(simulatedControls(allSampleFindings()))(
    'a new %s finding from Simulate is remediated and verified on its new resource',
    async (control) => {
      const finding = normalized(await sandbox.simulate.newFinding(control));
      expect(finding.controlId).toBe(control);
      const before = await reader.read(finding);
      expect(before.kind).not.toBe('gone');
      const spec = controlSpec(control)!;
      const outcome = planRemediation(finding, spec, before, PLAN_OPTIONS);
      if (outcome.kind !== 'plan') throw new Error(`expected a plan, got ${JSON.stringify(outcome)}`);
      await remediator.execute(outcome.plan, CONTEXT);
      // EC2.21's denies block the traffic while the allow entry Security Hub judges stays (see above).
      expect(verifyRemediation(outcome.plan, spec, await reader.read(finding))).toEqual(
        control === 'EC2.21' ? { verified: true, stillFails: expect.any(String) } : { verified: true },
      );
    },
  );

  it('refuses to raise a control it has no resource for', async () => {
    await expect(sandbox.simulate.newFinding('EC2.2' as never)).rejects.toThrow(
      /cannot raise a new EC2.2 finding/,
    );
  });

  it('keeps every statement of the S3.5 log bucket’s policy byte for byte and adds the TLS-only deny after them', async () => {
    const finding = remediableSamples.find((candidate) => candidate.controlId === 'S3.5')!;
    const control = controlSpec('S3.5')!;
    const s3 = await sandbox.accountClients().s3(finding.accountId, finding.region);
    const policyOf = async () =>
      (await s3.send(new GetBucketPolicyCommand({ Bucket: finding.resource.shortId }))).Policy ?? '';
    const before = await policyOf();
    const outcome = planRemediation(finding, control, await reader.read(finding), PLAN_OPTIONS);
    if (outcome.kind !== 'plan') throw new Error('expected a plan');

    await remediator.execute(outcome.plan, CONTEXT);

    const after = await policyOf();
    expect(after.startsWith(before.slice(0, -2))).toBe(true);
    expect(after).toBe(
      `${before.slice(0, -2)},${tlsOnlyStatementText(TLS_ONLY_SID, { bucketName: finding.resource.shortId, partition: 'aws' })}]}`,
    );
  });

  it('keeps the rules a finding does not name: the restricted SSH rule of the EC2.14 bastion stays', async () => {
    const finding = remediableSamples.find((candidate) => candidate.controlId === 'EC2.14')!;
    const control = controlSpec('EC2.14')!;
    const outcome = planRemediation(finding, control, await reader.read(finding), PLAN_OPTIONS);
    if (outcome.kind !== 'plan') throw new Error('expected a plan');
    await remediator.execute(outcome.plan, CONTEXT);

    const after = await reader.read(finding);
    if (after.kind !== 'security-group') throw new Error('expected the security group');
    expect(after.ingressRules.map((rule) => [rule.fromPort, rule.source])).toEqual([
      [22, { kind: 'ipv4', cidr: '203.0.113.0/24' }],
    ]);
  });

  it('reads reachability from the estate: a public group, a private one, and one behind a network ACL denying 22', async () => {
    const reachOf = async (shortId: string) => {
      const finding = remediableSamples.find((candidate) => candidate.resource.shortId === shortId)!;
      const current = await reader.read(finding);
      if (current.kind !== 'security-group') throw new Error('expected a security group');
      return current.reach;
    };
    expect(await reachOf('sg-0abc1234def567890')).toMatchObject({
      kind: 'internet',
      via: [{ networkInterfaceId: 'eni-0a1b2c3d4e5f6b001' }],
    });
    expect(await reachOf('sg-0d4e5f6a7b8c9d0e1')).toEqual({ kind: 'private', attachments: 2 });

    const behindAcl = await reachOf('sg-0d3c2b1a0f9e8d7c6');
    if (behindAcl.kind !== 'internet' || behindAcl.networkAcls?.kind !== 'read')
      throw new Error('expected the ACLs read');
    const acl = networkAclOf(
      'subnet-0e1f2a3b4c5d6a001',
      'vpc-0e1f2a3b4c5d6e7f8',
      behindAcl.networkAcls.networkAcls,
    );
    expect(acl?.networkAclId).toBe('acl-0e1f2a3b4c5d6a002');
    expect(networkAclVerdict(acl!, 'ipv6', 'tcp', [{ from: 22, to: 22 }])).toEqual({
      kind: 'denied',
      ruleNumber: 91,
    });
    expect(networkAclVerdict(acl!, 'ipv6', 'tcp', [{ from: 443, to: 443 }])).toEqual({
      kind: 'allowed',
      ruleNumber: 101,
    });
  });

  it('moves the AutoScaling.3 group to a launch template made from its configuration, and a retry makes no second one', async () => {
    const finding = remediableSamples.find((candidate) => candidate.controlId === 'AutoScaling.3')!;
    const control = controlSpec('AutoScaling.3')!;
    const outcome = planRemediation(finding, control, await reader.read(finding), PLAN_OPTIONS);
    if (outcome.kind !== 'plan' || outcome.plan.kind !== 'migrate-launch-configuration')
      throw new Error(`expected a migration, got ${JSON.stringify(outcome)}`);
    expect(outcome.plan.groups).toEqual(['legacy-batch-asg']);

    const execution = await remediator.execute({ ...outcome.plan, startInstanceRefresh: true }, CONTEXT);
    // The same plan delivered again: the group left the configuration, so nothing is sent a second time.
    await expect(remediator.execute(outcome.plan, CONTEXT)).rejects.toThrow(
      'legacy-batch-asg no longer launches from legacy-batch-lc-2021',
    );

    const after = await reader.read(finding);
    if (after.kind !== 'launch-configuration') throw new Error('expected the launch configuration');
    expect(after.usedBy).toEqual([]);
    expect(after.migratedTemplate).toMatchObject({
      launchTemplateName: outcome.plan.launchTemplateName,
      httpTokens: 'required',
      httpPutResponseHopLimit: 2,
      madeByBot: true,
      users: [{ groupName: 'legacy-batch-asg', versionSpec: '$Default' }],
    });
    expect(execution.steps.at(-1)).toContain('started instance refresh');
    expect(planRemediation(finding, control, after, PLAN_OPTIONS)).toMatchObject({
      kind: 'not-remediable',
      reason: expect.stringContaining('the finding stays open until someone deletes legacy-batch-lc-2021'),
    });
  });

  it('requires IMDSv2 on the launch template of an Auto Scaling group; the $Latest group is pinned to what it ran', async () => {
    const asgFinding: Finding = {
      ...remediableSamples.find(
        (candidate) => candidate.controlId === 'EC2.13' && candidate.accountId === '111122223333',
      )!,
      controlId: 'AutoScaling.3',
      resource: {
        type: 'AwsAutoScalingAutoScalingGroup',
        id: 'arn:aws:autoscaling:ap-northeast-1:111122223333:autoScalingGroup:group/autoScalingGroupName/web-prod-asg',
        shortId: 'web-prod-asg',
        region: 'ap-northeast-1',
        partition: 'aws',
      },
      details: { kind: 'auto-scaling-group', groupName: 'web-prod-asg' },
    };
    const control = controlSpec('AutoScaling.3')!;
    const before = await reader.read(asgFinding);
    if (before.kind !== 'launch-template')
      throw new Error(`expected the launch template, got ${before.kind}`);
    expect(before.template).toMatchObject({ defaultVersion: 1, latestVersion: 2 });
    expect(before.template.users.map((user) => [user.groupName, user.versionSpec, user.runs])).toEqual([
      ['web-prod-asg', '$Default', 1],
      ['web-prod-canary-asg', '$Latest', 2],
      ['web-prod-pinned-asg', '1', 1],
    ]);

    const outcome = planRemediation(asgFinding, control, before, PLAN_OPTIONS);
    if (outcome.kind !== 'plan') throw new Error(`expected a plan, got ${JSON.stringify(outcome)}`);
    await remediator.execute(outcome.plan, CONTEXT);

    const after = await reader.read(asgFinding);
    expect(verifyRemediation(outcome.plan, control, after)).toEqual({ verified: true });
    if (after.kind !== 'launch-template') throw new Error('expected the launch template');
    expect(after.template.latestVersion).toBe(3);
    const tokensOf = (version: number) =>
      after.template.versions.find((candidate) => candidate.version === version)?.httpTokens;
    expect(
      after.template.users.map((user) => [user.groupName, user.versionSpec, tokensOf(user.runs)]),
    ).toEqual([
      ['web-prod-asg', '$Default', 'required'],
      ['web-prod-canary-asg', '2', 'optional'],
      ['web-prod-pinned-asg', '3', 'required'],
    ]);
  });
  it('plays the account-wide IMDSv2 default of EC2.8: no preference at first, required after, only in that account and region, the instance untouched', async () => {
    const finding = remediableSamples.find((candidate) => candidate.controlId === 'EC2.8')!;
    const control = controlSpec('EC2.8')!;
    const defaults = new AwsAccountImdsDefaultsReader(sandbox.accountClients());
    const target = { accountId: finding.accountId, region: finding.resource.region };
    const instanceBefore = await reader.read(finding);

    const before = await defaults.readImdsDefaults(target);
    expect(before).toEqual(target);
    const outcome = planAccountImdsDefaults(finding, control, before, PLAN_OPTIONS);
    if (outcome.kind !== 'plan') throw new Error(`expected a plan, got ${JSON.stringify(outcome)}`);
    await remediator.execute(outcome.plan, CONTEXT);

    const after = await defaults.readImdsDefaults(target);
    expect(after).toEqual({ ...target, httpTokens: 'required', httpPutResponseHopLimit: 2 });
    expect(verifyAccountImdsDefaults(outcome.plan, after)).toEqual({ verified: true });
    expect(planAccountImdsDefaults(finding, control, after, PLAN_OPTIONS).kind).toBe('in-place');
    // The finding's own instance still allows IMDSv1: the account default is for instances launched later.
    expect(await reader.read(finding)).toEqual(instanceBefore);
    expect(planRemediation(finding, control, await reader.read(finding), PLAN_OPTIONS).kind).toBe('plan');
    // Another region of the same account, and the same region of another account, keep no preference.
    const otherRegion = target.region === 'eu-west-1' ? 'ap-northeast-1' : 'eu-west-1';
    expect(await defaults.readImdsDefaults({ ...target, region: otherRegion })).toEqual({
      ...target,
      region: otherRegion,
    });
    const otherAccount = target.accountId === '444455556666' ? '111122223333' : '444455556666';
    expect(await defaults.readImdsDefaults({ ...target, accountId: otherAccount })).toEqual({
      ...target,
      accountId: otherAccount,
    });
  });
});
