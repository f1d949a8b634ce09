import type { LaunchConfiguration } from '@aws-sdk/client-auto-scaling';
import { describe, expect, it } from 'vitest';
import { CONTROL_CATALOG } from '../../../src/domain/control-catalog.js';
import type { CurrentResource, MigratedTemplate } from '../../../src/domain/current-resource.js';
import type {
  LaunchConfigurationSettings,
  PlannedLaunchTemplateData,
} from '../../../src/domain/launch-configuration-migration.js';
import {
  launchTemplateDataOf,
  migratedTemplateName,
} from '../../../src/domain/launch-configuration-migration.js';
import type { PlanOptions } from '../../../src/domain/remediation-plan.js';
import { planRemediation, verifyRemediation } from '../../../src/domain/remediation-plan.js';
import type { RemediationPlan } from '../../../src/domain/remediation-plan-types.js';
import {
  LAUNCH_CONFIGURATION_NAME,
  makeLaunchConfigurationFinding,
  makeSdkLaunchConfiguration,
} from '../../fixtures/autoscaling.js';

const AUTOSCALING_3 = CONTROL_CATALOG['AutoScaling.3'];
const AUTOSCALING_4 = CONTROL_CATALOG['AutoScaling.4'];
const OPTIONS: PlanOptions = { imdsHopLimit: 1 };
const TEMPLATE_NAME = migratedTemplateName(LAUNCH_CONFIGURATION_NAME);

/** The settings the state reader makes of a DescribeLaunchConfigurations entry (the fields it translates). */
function settingsOf(configuration: LaunchConfiguration): LaunchConfigurationSettings {
  const { LaunchConfigurationName, LaunchConfigurationARN, CreatedTime, ...fields } = configuration;
  void LaunchConfigurationName;
  void LaunchConfigurationARN;
  void CreatedTime;
  return { ...fields, untranslatedFields: [] };
}

function launchConfiguration(
  overrides: Partial<LaunchConfiguration> = {},
  state: Partial<Extract<CurrentResource, { kind: 'launch-configuration' }>> = {},
): Extract<CurrentResource, { kind: 'launch-configuration' }> {
  const configuration = makeSdkLaunchConfiguration(overrides);
  const hopLimit = configuration.MetadataOptions?.HttpPutResponseHopLimit;
  return {
    kind: 'launch-configuration',
    launchConfigurationName: LAUNCH_CONFIGURATION_NAME,
    httpTokens: configuration.MetadataOptions?.HttpTokens === 'required' ? 'required' : 'optional',
    usedBy: ['batch-a', 'batch-c'],
    ...(hopLimit !== undefined && { httpPutResponseHopLimit: hopLimit }),
    settings: settingsOf(configuration),
    ...state,
  };
}

const PLAIN: Partial<LaunchConfiguration> = { AssociatePublicIpAddress: undefined, BlockDeviceMappings: [] };

describe('launchTemplateDataOf: a DescribeLaunchConfigurations entry, field by field', () => {
  it.each<[string, Partial<LaunchConfiguration>, Partial<PlannedLaunchTemplateData>]>([
    [
      'the CLI example (block device, public IP setting, groups by id), with an instance profile by name',
      { IamInstanceProfile: 'legacy-batch' },
      {
        ImageId: 'ami-0528a5175983e7f28',
        InstanceType: 'm5.large',
        KeyName: 'legacy-batch',
        // With a network interface, EC2 takes the groups on the interface only.
        NetworkInterfaces: [
          {
            DeviceIndex: 0,
            AssociatePublicIpAddress: false,
            Groups: ['sg-05eaec502fcdadc2e'],
            DeleteOnTermination: true,
          },
        ],
        BlockDeviceMappings: [
          {
            DeviceName: '/dev/xvda',
            Ebs: {
              SnapshotId: 'snap-06c1606ba5ca274b1',
              VolumeSize: 8,
              VolumeType: 'gp2',
              DeleteOnTermination: true,
              Encrypted: false,
            },
          },
        ],
        Monitoring: { Enabled: true },
        EbsOptimized: false,
        IamInstanceProfile: { Name: 'legacy-batch' },
        MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 1, HttpEndpoint: 'enabled' },
      },
    ],
    [
      'no public IP setting: groups as SecurityGroupIds',
      PLAIN,
      { SecurityGroupIds: ['sg-05eaec502fcdadc2e'] },
    ],
    [
      'base64 user data, passed on as the same characters',
      { ...PLAIN, UserData: 'IyEvYmluL2Jhc2gKZWNobyBoZWxsbw==' },
      { UserData: 'IyEvYmluL2Jhc2gKZWNobyBoZWxsbw==' },
    ],
    [
      'an instance profile named by ARN',
      { ...PLAIN, IamInstanceProfile: 'arn:aws:iam::123456789012:instance-profile/legacy-batch' },
      { IamInstanceProfile: { Arn: 'arn:aws:iam::123456789012:instance-profile/legacy-batch' } },
    ],
    [
      'a suppressed device and an instance store volume',
      {
        ...PLAIN,
        BlockDeviceMappings: [
          { DeviceName: '/dev/sdb', NoDevice: true },
          { DeviceName: '/dev/sdc', VirtualName: 'ephemeral0' },
          {
            DeviceName: '/dev/sdd',
            Ebs: { VolumeSize: 100, VolumeType: 'gp3', Iops: 3000, Throughput: 125, Encrypted: true },
          },
        ],
      },
      {
        BlockDeviceMappings: [
          { DeviceName: '/dev/sdb', NoDevice: '' },
          { DeviceName: '/dev/sdc', VirtualName: 'ephemeral0' },
          {
            DeviceName: '/dev/sdd',
            Ebs: { VolumeSize: 100, VolumeType: 'gp3', Iops: 3000, Throughput: 125, Encrypted: true },
          },
        ],
      },
    ],
    [
      'Spot, dedicated tenancy, kernel and RAM disk',
      {
        ...PLAIN,
        SpotPrice: '0.05',
        PlacementTenancy: 'dedicated',
        KernelId: 'aki-88aa75e1',
        RamdiskId: 'ari-a51cf9cc',
      },
      {
        InstanceMarketOptions: { MarketType: 'spot', SpotOptions: { MaxPrice: '0.05' } },
        Placement: { Tenancy: 'dedicated' },
        KernelId: 'aki-88aa75e1',
        RamdiskId: 'ari-a51cf9cc',
      },
    ],
    [
      'a metadata endpoint switched off, kept off',
      { ...PLAIN, MetadataOptions: { HttpTokens: 'optional', HttpEndpoint: 'disabled' } },
      { MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 1, HttpEndpoint: 'disabled' } },
    ],
  ])('%s', (_label, overrides, expected) => {
    const translation = launchTemplateDataOf(settingsOf(makeSdkLaunchConfiguration(overrides)), 1);

    expect(translation.kind).toBe('translated');
    expect(translation.kind === 'translated' && translation.data).toMatchObject(expected);
  });

  it('leaves out what the configuration leaves empty (Auto Scaling answers "" for no kernel or user data)', () => {
    const translation = launchTemplateDataOf(settingsOf(makeSdkLaunchConfiguration(PLAIN)), 1);

    expect(translation.kind === 'translated' && Object.keys(translation.data).sort()).toEqual([
      'EbsOptimized',
      'ImageId',
      'InstanceType',
      'KeyName',
      'MetadataOptions',
      'Monitoring',
      'SecurityGroupIds',
    ]);
  });

  it.each<[string, LaunchConfigurationSettings, string]>([
    [
      'security groups named by name',
      { ...settingsOf(makeSdkLaunchConfiguration({ SecurityGroups: ['legacy-batch'] })) },
      'names security groups by name (legacy-batch)',
    ],
    [
      'ClassicLink',
      settingsOf(
        makeSdkLaunchConfiguration({
          ClassicLinkVPCId: 'vpc-0a1b2c3d',
          ClassicLinkVPCSecurityGroups: ['sg-0a1b2c3d4e5f60001'],
        }),
      ),
      'ClassicLink',
    ],
    [
      'a field the bot does not know',
      { ...settingsOf(makeSdkLaunchConfiguration()), untranslatedFields: ['PlacementGroup'] },
      'it sets PlacementGroup, which the bot cannot carry over',
    ],
  ])('refuses, with words, a configuration with %s', (_label, settings, words) => {
    const translation = launchTemplateDataOf(settings, 1);

    expect(translation.kind).toBe('refused');
    expect(translation.kind === 'refused' && translation.reasons.join('; ')).toContain(words);
  });
});

describe('planRemediation for launch configurations (migrate-launch-configuration)', () => {
  const finding = makeLaunchConfigurationFinding();

  it('creates a template from the configuration and moves every group on it, saying what happens to instances', () => {
    const outcome = planRemediation(finding, AUTOSCALING_3, launchConfiguration(), OPTIONS);

    expect(outcome.kind).toBe('plan');
    if (outcome.kind !== 'plan') return;
    expect(outcome.plan).toMatchObject({
      kind: 'migrate-launch-configuration',
      launchConfigurationName: LAUNCH_CONFIGURATION_NAME,
      launchTemplateName: TEMPLATE_NAME,
      httpPutResponseHopLimit: 1,
      hopLimitBefore: 1,
      groups: ['batch-a', 'batch-c'],
      startInstanceRefresh: false,
    });
    expect(outcome.plan).not.toHaveProperty('existingLaunchTemplateId');
    expect(outcome.words).toContain('AMI ami-0528a5175983e7f28 → ImageId ami-0528a5175983e7f28');
    expect(outcome.words).toContain(
      'metadata options HttpTokens optional → required, hop limit 1 (unchanged)',
    );
    expect(outcome.words).toContain('move Auto Scaling groups batch-a and batch-c from legacy-batch-lc-2021');
    expect(outcome.notes.join('\n')).toContain('Running instances are not touched');
    expect(outcome.notes.join('\n')).toContain(
      'the finding stays open until someone deletes legacy-batch-lc-2021',
    );
    expect(outcome.instanceRefreshChoice).toContain('instance refresh');
  });

  it.each<[string, number | undefined, PlanOptions, number]>([
    ['keeps hop limit 2 under the default setting', 2, { imdsHopLimit: 1 }, 2],
    [
      'lowers it when the operator set CSPM_IMDS_HOP_LIMIT',
      2,
      { imdsHopLimit: 1, imdsHopLimitSetByOperator: true },
      1,
    ],
    ['sets the configured one where none was set', undefined, { imdsHopLimit: 2 }, 2],
  ])('AutoScaling.3 %s', (_label, before, options, after) => {
    const current = launchConfiguration({
      MetadataOptions: {
        HttpTokens: 'optional',
        ...(before !== undefined && { HttpPutResponseHopLimit: before }),
      },
    });

    const outcome = planRemediation(finding, AUTOSCALING_3, current, options);

    expect(outcome.kind === 'plan' && outcome.plan).toMatchObject({ httpPutResponseHopLimit: after });
  });

  it('AutoScaling.4 lowers the hop limit to CSPM_IMDS_HOP_LIMIT and says containers behind a bridge lose IMDS', () => {
    const current = launchConfiguration({
      MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 3, HttpEndpoint: 'enabled' },
    });

    const outcome = planRemediation(finding, AUTOSCALING_4, current, OPTIONS);

    expect(outcome.kind === 'plan' && outcome.plan).toMatchObject({
      httpPutResponseHopLimit: 1,
      hopLimitBefore: 3,
    });
    expect(outcome.kind === 'plan' && outcome.notes[0]).toBe(
      'The hop limit goes down from 3 to 1: containers that reach IMDS through a bridge network (Docker bridge, ECS bridge mode) lose IMDS credentials and metadata.',
    );
  });

  it.each<[string, PlanOptions, string]>([
    ['below what the operator allows', { imdsHopLimit: 2 }, 'the bot never sets it lower than that'],
    ['automatically', { imdsHopLimit: 1, automatic: true }, "needs a person's confirmation"],
  ])('AutoScaling.4 never lowers a hop limit %s', (_label, options, words) => {
    const current = launchConfiguration({
      MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 2 },
    });

    const outcome = planRemediation(finding, AUTOSCALING_4, current, options);

    expect(outcome.kind).toBe('not-remediable');
    expect(outcome.kind === 'not-remediable' && outcome.reason).toContain(words);
  });

  it.each([
    ['AutoScaling.3', AUTOSCALING_3, { HttpTokens: 'required' as const, HttpPutResponseHopLimit: 2 }],
    ['AutoScaling.4', AUTOSCALING_4, { HttpTokens: 'optional' as const, HttpPutResponseHopLimit: 1 }],
  ])('%s: a configuration the control passes is already fixed', (_id, control, options) => {
    const outcome = planRemediation(
      finding,
      control,
      launchConfiguration({ MetadataOptions: options }),
      OPTIONS,
    );

    expect(outcome.kind).toBe('already-fixed');
  });

  const ours: MigratedTemplate = {
    launchTemplateId: 'lt-0f1e2d3c4b5a69788',
    launchTemplateName: TEMPLATE_NAME,
    defaultVersion: 1,
    httpTokens: 'required',
    httpPutResponseHopLimit: 1,
    madeByBot: true,
    users: [{ groupName: 'batch-a', versionSpec: '$Default' }],
  };

  it('reuses the template an interrupted migration made, instead of making a second one', () => {
    const outcome = planRemediation(
      finding,
      AUTOSCALING_3,
      launchConfiguration({}, { usedBy: ['batch-c'], migratedTemplate: ours }),
      OPTIONS,
    );

    expect(outcome.kind === 'plan' && outcome.plan).toMatchObject({
      existingLaunchTemplateId: 'lt-0f1e2d3c4b5a69788',
      groups: ['batch-c'],
    });
    expect(outcome.kind === 'plan' && outcome.words).toContain(`Reuse launch template ${TEMPLATE_NAME}`);
  });

  it.each<[string, MigratedTemplate, string]>([
    ['someone else made a template of that name', { ...ours, madeByBot: false }, 'the bot did not make it'],
    ['the bot’s template was changed since', { ...ours, httpTokens: 'optional' }, 'find out who changed it'],
  ])('refuses when %s', (_label, existing, words) => {
    const outcome = planRemediation(
      finding,
      AUTOSCALING_3,
      launchConfiguration({}, { migratedTemplate: existing }),
      OPTIONS,
    );

    expect(outcome.kind === 'not-remediable' && outcome.reason).toContain(words);
  });

  it('says, once every group moved, that only deleting the configuration closes the finding', () => {
    const outcome = planRemediation(
      finding,
      AUTOSCALING_3,
      launchConfiguration({}, { usedBy: [], migratedTemplate: ours }),
      OPTIONS,
    );

    expect(outcome).toEqual({
      kind: 'not-remediable',
      reason: `No Auto Scaling group launches from ${LAUNCH_CONFIGURATION_NAME} any more (batch-a launch from ${TEMPLATE_NAME}). launch configuration ${LAUNCH_CONFIGURATION_NAME} still allows IMDSv1; AutoScaling.3 checks the launch configuration itself, which cannot be changed: the finding stays open until someone deletes ${LAUNCH_CONFIGURATION_NAME}.`,
    });
  });
});

describe('verifyRemediation after a migration (migrate-launch-configuration)', () => {
  const finding = makeLaunchConfigurationFinding();
  const outcome = planRemediation(finding, AUTOSCALING_3, launchConfiguration(), OPTIONS);
  const plan = (outcome.kind === 'plan' ? outcome.plan : undefined) as RemediationPlan;
  const moved: MigratedTemplate = {
    launchTemplateId: 'lt-0f1e2d3c4b5a69788',
    launchTemplateName: TEMPLATE_NAME,
    defaultVersion: 1,
    httpTokens: 'required',
    httpPutResponseHopLimit: 1,
    madeByBot: true,
    users: [
      { groupName: 'batch-a', versionSpec: '$Default' },
      { groupName: 'batch-c', versionSpec: '$Default' },
    ],
  };

  it('is done, but the finding stays open: the configuration still fails and cannot be changed', () => {
    const verification = verifyRemediation(
      plan,
      AUTOSCALING_3,
      launchConfiguration({}, { usedBy: [], migratedTemplate: moved }),
    );

    expect(verification).toEqual({
      verified: true,
      stillFails: `launch configuration ${LAUNCH_CONFIGURATION_NAME} still allows IMDSv1; AutoScaling.3 checks the launch configuration itself, which cannot be changed: the finding stays open until someone deletes ${LAUNCH_CONFIGURATION_NAME}`,
    });
  });

  it.each<[string, MigratedTemplate | undefined, string]>([
    ['no template', undefined, `launch template ${TEMPLATE_NAME} does not exist`],
    [
      'a group left behind',
      { ...moved, users: [{ groupName: 'batch-a', versionSpec: '$Default' }] },
      `batch-c does not launch from ${TEMPLATE_NAME}`,
    ],
    ['another hop limit', { ...moved, httpPutResponseHopLimit: 2 }, 'has hop limit 2 instead of 1'],
  ])('is not verified with %s', (_label, template, why) => {
    const verification = verifyRemediation(
      plan,
      AUTOSCALING_3,
      launchConfiguration({}, { usedBy: [], ...(template && { migratedTemplate: template }) }),
    );

    expect(verification).toEqual({ verified: false, why: expect.stringContaining(why) });
  });

  it('is verified outright once the configuration is deleted', () => {
    expect(
      verifyRemediation(plan, AUTOSCALING_3, {
        kind: 'gone',
        resourceId: LAUNCH_CONFIGURATION_NAME,
        detail: 'the launch configuration no longer exists',
      }),
    ).toEqual({ verified: true });
  });
});
