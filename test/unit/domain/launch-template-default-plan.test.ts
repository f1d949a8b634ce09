import { describe, expect, it } from 'vitest';
import { CONTROL_CATALOG } from '../../../src/domain/control-catalog.js';
import { controlVerdict } from '../../../src/domain/control-verdict.js';
import type {
  CurrentResource,
  LaunchTemplateUser,
  LaunchTemplateVersionOptions,
} from '../../../src/domain/current-resource.js';
import { planRemediation, verifyRemediation } from '../../../src/domain/remediation-plan.js';
import type { PlannedGroupChange } from '../../../src/domain/remediation-plan-types.js';
import { makeLaunchTemplateFinding } from '../../fixtures/autoscaling.js';
import type { LaunchTemplatePlan } from '../../fixtures/remediation-plan.js';

const EC2_170 = CONTROL_CATALOG['EC2.170'];
const finding = makeLaunchTemplateFinding();
const LT = finding.resource.shortId;

function version(
  number: number,
  options: Partial<LaunchTemplateVersionOptions> = {},
): LaunchTemplateVersionOptions {
  return {
    version: number,
    httpTokens: 'optional',
    httpPutResponseHopLimit: 2,
    httpEndpoint: 'enabled',
    ...options,
  };
}

function user(groupName: string, versionSpec: string, runs: number): LaunchTemplateUser {
  return { groupName, versionSpec, runs, mixedInstancesPolicy: false };
}

/** The template as EC2.170 reads it: no finding group, the default version among the versions read. */
function template(
  users: LaunchTemplateUser[],
  versions: LaunchTemplateVersionOptions[],
  defaultVersion: number,
  latestVersion: number,
): CurrentResource {
  return {
    kind: 'launch-template',
    template: {
      launchTemplateId: LT,
      launchTemplateName: 'web-prod',
      defaultVersion,
      latestVersion,
      users,
      versions,
    },
  };
}

function planOf(
  current: CurrentResource,
  options: Parameters<typeof planRemediation>[3] = { imdsHopLimit: 1 },
) {
  const outcome = planRemediation(finding, EC2_170, current, options);
  if (outcome.kind !== 'plan') throw new Error(`expected a plan, got ${JSON.stringify(outcome)}`);
  return outcome;
}

function changesOf(
  plan: LaunchTemplatePlan | { kind: string },
): Record<string, PlannedGroupChange['change']> {
  if (plan.kind !== 'require-imdsv2-launch-template') throw new Error(plan.kind);
  const groups = (plan as LaunchTemplatePlan).groups;
  return Object.fromEntries(groups.map((group) => [group.groupName, group.change]));
}

describe('planRemediation for EC2.170, the launch template itself (require-imdsv2-launch-template)', () => {
  // Versions 1..4; $Default = 2, $Latest = 4.
  const versions = [version(1), version(2, { instanceMetadataTags: 'enabled' }), version(3), version(4)];

  it.each([
    {
      name: 'a group following $Default moves with the new default',
      users: [user('web-asg', '$Default', 2)],
      expected: { 'web-asg': 'follows-new' },
    },
    {
      name: 'a group following $Latest to another version is pinned to it first',
      users: [user('canary-asg', '$Latest', 4)],
      expected: { 'canary-asg': 'pin' },
    },
    {
      name: 'groups pinned to numbers stay, even on the default version',
      users: [user('batch-asg', '2', 2), user('old-asg', '1', 1)],
      expected: { 'batch-asg': 'unchanged', 'old-asg': 'unchanged' },
    },
    {
      name: 'all of them together',
      users: [user('web-asg', '$Default', 2), user('canary-asg', '$Latest', 4), user('batch-asg', '2', 2)],
      expected: { 'web-asg': 'follows-new', 'canary-asg': 'pin', 'batch-asg': 'unchanged' },
    },
  ])('$name', ({ users, expected }) => {
    const outcome = planOf(template(users, versions, 2, 4));

    expect(outcome.plan).toMatchObject({
      kind: 'require-imdsv2-launch-template',
      launchTemplateId: LT,
      sourceVersion: 2,
      makeDefault: true,
      keptMetadataOptions: { httpEndpoint: 'enabled', instanceMetadataTags: 'enabled' },
    });
    expect(changesOf(outcome.plan)).toEqual(expected);
    expect(outcome.words).toContain('a copy of the default version 2 with IMDSv2 required');
    expect(outcome.words).toContain('make it the default version');
  });

  it('copies the default version, not the latest, when they differ', () => {
    const outcome = planOf(template([], [version(1, { httpTokens: 'required' }), version(3)], 3, 5));

    expect(outcome.plan).toMatchObject({ sourceVersion: 3, makeDefault: true, groups: [] });
    expect(outcome.words).toContain('no Auto Scaling group launches from it');
  });

  it('says in words who gets IMDSv2 and when, and who keeps IMDSv1', () => {
    const outcome = planOf(
      template([user('web-asg', '$Default', 2), user('batch-asg', '2', 2)], versions, 2, 4),
    );

    expect(outcome.notes.join('\n')).toMatch(
      /web-asg get IMDSv2 at their next instance launch or instance refresh/,
    );
    expect(outcome.notes.join('\n')).toMatch(/batch-asg keep launching the version they run today/);
    expect(outcome.notes.join('\n')).toMatch(/401 from the metadata service/);
  });

  it.each([
    { name: 'keeps hop limit 2 by default', before: 2, options: { imdsHopLimit: 1 }, after: 2 },
    {
      name: 'keeps hop limit 2 even when the operator set 1, for automatic remediation',
      before: 2,
      options: { imdsHopLimit: 1, imdsHopLimitSetByOperator: true, automatic: true },
      after: 2,
    },
    {
      name: 'lowers 2 to 1 only when the operator set it and a person confirms',
      before: 2,
      options: { imdsHopLimit: 1, imdsHopLimitSetByOperator: true },
      after: 1,
    },
    { name: 'raises 1 to the configured 2', before: 1, options: { imdsHopLimit: 2 }, after: 2 },
  ])('$name', ({ before, options, after }) => {
    const outcome = planOf(template([], [version(2, { httpPutResponseHopLimit: before })], 2, 2), options);

    expect(outcome.plan).toMatchObject({ httpPutResponseHopLimit: after, hopLimitBefore: before });
  });

  it('is already fixed when the default version requires IMDSv2, whatever the latest allows', () => {
    const outcome = planRemediation(
      finding,
      EC2_170,
      template(
        [user('canary-asg', '$Latest', 4)],
        [version(2, { httpTokens: 'required' }), version(4)],
        2,
        4,
      ),
      { imdsHopLimit: 1 },
    );

    expect(outcome).toMatchObject({ kind: 'already-fixed' });
  });

  it('is not remediable when the default version could not be read', () => {
    const outcome = planRemediation(finding, EC2_170, template([], [version(1)], 2, 2), { imdsHopLimit: 1 });

    expect(outcome).toMatchObject({
      kind: 'not-remediable',
      reason: expect.stringContaining('default version (2)'),
    });
  });
});

describe('verifyRemediation for EC2.170', () => {
  const before = template(
    [user('web-asg', '$Default', 2), user('canary-asg', '$Latest', 4), user('batch-asg', '2', 2)],
    [version(2, { instanceMetadataTags: 'enabled' }), version(4)],
    2,
    4,
  );
  const { plan } = planOf(before, { imdsHopLimit: 1 });
  const fixedVersion = version(5, { httpTokens: 'required', instanceMetadataTags: 'enabled' });

  function after(defaultVersion: number, newVersion: LaunchTemplateVersionOptions): CurrentResource {
    return template(
      [user('web-asg', '$Default', defaultVersion), user('canary-asg', '4', 4), user('batch-asg', '2', 2)],
      [version(2, { instanceMetadataTags: 'enabled' }), version(4), newVersion],
      defaultVersion,
      5,
    );
  }

  it('is verified when the new version is the default, requires IMDSv2 and kept every option', () => {
    const current = after(5, fixedVersion);

    expect(verifyRemediation(plan, EC2_170, current)).toEqual({ verified: true });
    expect(controlVerdict(EC2_170, current)).toEqual({ passes: true });
  });

  it('is not verified while the old version is still the default', () => {
    const result = verifyRemediation(plan, EC2_170, after(2, fixedVersion));

    expect(result).toMatchObject({ verified: false, why: expect.stringContaining('still version 2') });
  });

  it('is not verified when the new default dropped a kept option or the hop limit', () => {
    const result = verifyRemediation(
      plan,
      EC2_170,
      after(5, version(5, { httpTokens: 'required', httpPutResponseHopLimit: 1 })),
    );

    expect(result).toMatchObject({ verified: false, why: expect.stringContaining('instanceMetadataTags') });
    expect(result).toMatchObject({ why: expect.stringContaining('hop limit 1 instead of 2') });
  });
});
