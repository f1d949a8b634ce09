import { createHash } from 'node:crypto';

/**
 * A launch configuration as DescribeLaunchConfigurations returns it (the fields the migration reads), with the
 * names of any other fields Auto Scaling returned that the bot does not know how to carry over.
 */
export interface LaunchConfigurationSettings {
  readonly ImageId?: string | undefined;
  readonly InstanceType?: string | undefined;
  readonly KeyName?: string | undefined;
  /** Security group ids (`sg-…`) or, for EC2-Classic and default-VPC configurations, group names. */
  readonly SecurityGroups?: readonly string[] | undefined;
  readonly ClassicLinkVPCId?: string | undefined;
  readonly ClassicLinkVPCSecurityGroups?: readonly string[] | undefined;
  /** Base64-encoded, as Auto Scaling returns it (and as CreateLaunchTemplate takes it). */
  readonly UserData?: string | undefined;
  readonly KernelId?: string | undefined;
  readonly RamdiskId?: string | undefined;
  /** A name or an ARN. */
  readonly IamInstanceProfile?: string | undefined;
  readonly BlockDeviceMappings?: readonly LaunchConfigurationBlockDevice[] | undefined;
  readonly InstanceMonitoring?: { readonly Enabled?: boolean | undefined } | undefined;
  readonly SpotPrice?: string | undefined;
  readonly EbsOptimized?: boolean | undefined;
  readonly AssociatePublicIpAddress?: boolean | undefined;
  readonly PlacementTenancy?: string | undefined;
  readonly MetadataOptions?:
    | {
        readonly HttpTokens?: string | undefined;
        readonly HttpPutResponseHopLimit?: number | undefined;
        readonly HttpEndpoint?: string | undefined;
      }
    | undefined;
  /** Fields with a value that the migration does not translate: any makes the plan refuse, never drop them. */
  readonly untranslatedFields: readonly string[];
}

export interface LaunchConfigurationBlockDevice {
  readonly DeviceName?: string | undefined;
  readonly VirtualName?: string | undefined;
  readonly Ebs?:
    | {
        readonly SnapshotId?: string | undefined;
        readonly VolumeSize?: number | undefined;
        readonly VolumeType?: string | undefined;
        readonly DeleteOnTermination?: boolean | undefined;
        readonly Iops?: number | undefined;
        readonly Encrypted?: boolean | undefined;
        readonly Throughput?: number | undefined;
      }
    | undefined;
  /** Auto Scaling's boolean; a launch template says the same with an empty string. */
  readonly NoDevice?: boolean | undefined;
}

/** The CreateLaunchTemplate `LaunchTemplateData` the migration sends, field for field (EC2's names). */
export interface PlannedLaunchTemplateData {
  readonly ImageId?: string;
  readonly InstanceType?: string;
  readonly KeyName?: string;
  readonly SecurityGroupIds?: readonly string[];
  readonly UserData?: string;
  readonly KernelId?: string;
  readonly RamdiskId?: string;
  readonly IamInstanceProfile?: { readonly Arn?: string; readonly Name?: string };
  readonly BlockDeviceMappings?: readonly {
    readonly DeviceName?: string;
    readonly VirtualName?: string;
    readonly Ebs?: LaunchConfigurationBlockDevice['Ebs'];
    readonly NoDevice?: string;
  }[];
  readonly Monitoring?: { readonly Enabled: boolean };
  readonly EbsOptimized?: boolean;
  readonly NetworkInterfaces?: readonly {
    readonly DeviceIndex: number;
    readonly AssociatePublicIpAddress: boolean;
    readonly Groups?: readonly string[];
    readonly DeleteOnTermination: boolean;
  }[];
  readonly Placement?: { readonly Tenancy: string };
  readonly InstanceMarketOptions?: {
    readonly MarketType: 'spot';
    readonly SpotOptions: { readonly MaxPrice: string };
  };
  readonly MetadataOptions: {
    readonly HttpTokens: 'required';
    readonly HttpPutResponseHopLimit: number;
    readonly HttpEndpoint?: 'enabled' | 'disabled';
  };
}

export type LaunchTemplateTranslation =
  | {
      readonly kind: 'translated';
      readonly data: PlannedLaunchTemplateData;
      /** "security groups sg-1 → SecurityGroupIds sg-1", one line per field, in the order EC2 lists them. */
      readonly lines: readonly string[];
    }
  | { readonly kind: 'refused'; readonly reasons: readonly string[] };

/** The version description of the template the migration creates: how a retry recognises the bot's own template. */
export const MIGRATION_VERSION_DESCRIPTION =
  'cspm-bot: migrated from a launch configuration, IMDSv2 required';

const TEMPLATE_NAME_PREFIX = 'cspm-bot-';
/** EC2: 3 to 128 characters of `[a-zA-Z0-9().\-/_]`; launch configuration names allow far more. */
const TEMPLATE_NAME_UNSAFE = /[^a-zA-Z0-9().\-/_]/g;

/**
 * The launch template's name, always the same for one launch configuration, so a retried or interrupted migration
 * finds the template it made instead of making a second one. Characters EC2 refuses become `-`, and a hash of the
 * whole name keeps two configurations whose names differ only there (or after the cut) apart.
 */
export function migratedTemplateName(launchConfigurationName: string): string {
  const readable = launchConfigurationName.replace(TEMPLATE_NAME_UNSAFE, '-').slice(0, 100);
  const hash = createHash('sha256').update(launchConfigurationName, 'utf8').digest('hex').slice(0, 8);
  return `${TEMPLATE_NAME_PREFIX}${readable}-${hash}`;
}

/**
 * CreateLaunchTemplate's `ClientToken` (at most 64 ASCII characters): the same for the same template name and
 * data, so a request repeated after a lost answer creates nothing twice.
 */
export function migrationClientToken(
  target: { readonly accountId: string; readonly region: string },
  launchTemplateName: string,
  data: PlannedLaunchTemplateData,
): string {
  return createHash('sha256')
    .update(`${target.accountId}\n${target.region}\n${launchTemplateName}\n${JSON.stringify(data)}`, 'utf8')
    .digest('hex');
}

const SECURITY_GROUP_ID = /^sg-[0-9a-f]{8,17}$/;

function present(value: string | undefined): value is string {
  return value !== undefined && value !== '';
}

function onOff(enabled: boolean): string {
  return enabled ? 'on' : 'off';
}

/**
 * The launch configuration translated field by field into launch template data that requires IMDSv2 with
 * `hopLimit`. A field that has no faithful launch template equivalent refuses the whole translation with words:
 * nothing is ever dropped silently.
 */
export function launchTemplateDataOf(
  settings: LaunchConfigurationSettings,
  hopLimit: number,
): LaunchTemplateTranslation {
  const reasons: string[] = [];
  const lines: string[] = [];
  if (settings.untranslatedFields.length > 0)
    reasons.push(
      `it sets ${settings.untranslatedFields.join(', ')}, which the bot cannot carry over to a launch template`,
    );
  if (present(settings.ClassicLinkVPCId) || (settings.ClassicLinkVPCSecurityGroups ?? []).length > 0)
    reasons.push(
      'it uses EC2-Classic ClassicLink, which launch templates do not have (ClassicLink is retired)',
    );
  if (!present(settings.ImageId)) reasons.push('it names no AMI (ImageId)');
  const groups = settings.SecurityGroups ?? [];
  const named = groups.filter((group) => !SECURITY_GROUP_ID.test(group));
  if (named.length > 0)
    reasons.push(
      `it names security groups by name (${named.join(', ')}): a launch template for a VPC takes group ids, and the ` +
        'bot will not guess which group a name means; create the launch template by hand or use a configuration with group ids',
    );
  if (reasons.length > 0) return { kind: 'refused', reasons };

  const data: { -readonly [K in keyof PlannedLaunchTemplateData]: PlannedLaunchTemplateData[K] } = {
    MetadataOptions: {
      HttpTokens: 'required',
      HttpPutResponseHopLimit: hopLimit,
      ...(settings.MetadataOptions?.HttpEndpoint === 'enabled' ||
      settings.MetadataOptions?.HttpEndpoint === 'disabled'
        ? { HttpEndpoint: settings.MetadataOptions.HttpEndpoint }
        : {}),
    },
  };
  data.ImageId = settings.ImageId!;
  lines.push(`AMI ${settings.ImageId!} → ImageId ${settings.ImageId!}`);
  if (present(settings.InstanceType)) {
    data.InstanceType = settings.InstanceType;
    lines.push(`instance type ${settings.InstanceType} → InstanceType ${settings.InstanceType}`);
  }
  if (present(settings.KeyName)) {
    data.KeyName = settings.KeyName;
    lines.push(`key pair ${settings.KeyName} → KeyName ${settings.KeyName}`);
  }
  if (settings.AssociatePublicIpAddress !== undefined) {
    // EC2: with a network interface in the template, its security groups go on the interface, not beside it.
    data.NetworkInterfaces = [
      {
        DeviceIndex: 0,
        AssociatePublicIpAddress: settings.AssociatePublicIpAddress,
        ...(groups.length > 0 && { Groups: [...groups] }),
        DeleteOnTermination: true,
      },
    ];
    lines.push(
      `public IP address ${settings.AssociatePublicIpAddress ? 'assigned' : 'not assigned'}${groups.length > 0 ? `, security groups ${groups.join(', ')}` : ''} → NetworkInterfaces[0] (device 0, AssociatePublicIpAddress ${String(settings.AssociatePublicIpAddress)}${groups.length > 0 ? `, Groups ${groups.join(', ')}` : ''}, deleted with the instance)`,
    );
  } else if (groups.length > 0) {
    data.SecurityGroupIds = [...groups];
    lines.push(`security groups ${groups.join(', ')} → SecurityGroupIds ${groups.join(', ')}`);
  }
  if (present(settings.UserData)) {
    data.UserData = settings.UserData;
    lines.push(`user data (${settings.UserData.length} base64 characters) → UserData, the same bytes`);
  }
  if (present(settings.IamInstanceProfile)) {
    const byArn = settings.IamInstanceProfile.startsWith('arn:');
    data.IamInstanceProfile = byArn
      ? { Arn: settings.IamInstanceProfile }
      : { Name: settings.IamInstanceProfile };
    lines.push(
      `instance profile ${settings.IamInstanceProfile} → IamInstanceProfile.${byArn ? 'Arn' : 'Name'} ${settings.IamInstanceProfile}`,
    );
  }
  const devices = settings.BlockDeviceMappings ?? [];
  if (devices.length > 0) {
    data.BlockDeviceMappings = devices.map((device) => ({
      ...(device.DeviceName !== undefined && { DeviceName: device.DeviceName }),
      ...(present(device.VirtualName) && { VirtualName: device.VirtualName }),
      ...(device.Ebs && { Ebs: { ...device.Ebs } }),
      // A launch template suppresses a device with an empty string where Auto Scaling says `true`.
      ...(device.NoDevice === true && { NoDevice: '' }),
    }));
    lines.push(`block devices ${devices.map(blockDeviceWords).join('; ')} → BlockDeviceMappings, the same`);
  }
  if (settings.InstanceMonitoring?.Enabled !== undefined) {
    data.Monitoring = { Enabled: settings.InstanceMonitoring.Enabled };
    lines.push(
      `detailed monitoring ${onOff(settings.InstanceMonitoring.Enabled)} → Monitoring ${onOff(settings.InstanceMonitoring.Enabled)}`,
    );
  }
  if (settings.EbsOptimized !== undefined) {
    data.EbsOptimized = settings.EbsOptimized;
    lines.push(
      `EBS-optimized ${onOff(settings.EbsOptimized)} → EbsOptimized ${onOff(settings.EbsOptimized)}`,
    );
  }
  if (present(settings.PlacementTenancy)) {
    data.Placement = { Tenancy: settings.PlacementTenancy };
    lines.push(`tenancy ${settings.PlacementTenancy} → Placement.Tenancy ${settings.PlacementTenancy}`);
  }
  if (present(settings.SpotPrice)) {
    data.InstanceMarketOptions = { MarketType: 'spot', SpotOptions: { MaxPrice: settings.SpotPrice } };
    lines.push(
      `Spot price ${settings.SpotPrice} → InstanceMarketOptions spot, MaxPrice ${settings.SpotPrice}`,
    );
  }
  if (present(settings.KernelId)) {
    data.KernelId = settings.KernelId;
    lines.push(`kernel ${settings.KernelId} → KernelId ${settings.KernelId}`);
  }
  if (present(settings.RamdiskId)) {
    data.RamdiskId = settings.RamdiskId;
    lines.push(`RAM disk ${settings.RamdiskId} → RamdiskId ${settings.RamdiskId}`);
  }
  return { kind: 'translated', data, lines };
}

function blockDeviceWords(device: LaunchConfigurationBlockDevice): string {
  const name = device.DeviceName ?? '(no device name)';
  if (device.NoDevice === true) return `${name} suppressed`;
  if (present(device.VirtualName)) return `${name} ${device.VirtualName}`;
  const ebs = device.Ebs;
  if (!ebs) return name;
  const parts = [
    ebs.SnapshotId,
    ebs.VolumeSize !== undefined ? `${ebs.VolumeSize} GiB` : undefined,
    ebs.VolumeType,
    ebs.Iops !== undefined ? `${ebs.Iops} IOPS` : undefined,
    ebs.Throughput !== undefined ? `${ebs.Throughput} MiB/s` : undefined,
    ebs.Encrypted === undefined ? undefined : ebs.Encrypted ? 'encrypted' : 'not encrypted',
    ebs.DeleteOnTermination === false ? 'kept after termination' : undefined,
  ].filter((part): part is string => part !== undefined);
  return `${name} EBS ${parts.join(', ')}`;
}
