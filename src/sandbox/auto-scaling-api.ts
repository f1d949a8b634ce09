import type {
  AutoScalingGroupNamesType,
  AutoScalingGroupsType,
  LaunchConfigurationNamesType,
  LaunchConfigurationsType,
  StartInstanceRefreshAnswer,
  StartInstanceRefreshType,
  UpdateAutoScalingGroupType,
} from '@aws-sdk/client-auto-scaling';
import type { RegionEstate } from './estate.js';
import { autoScalingRefusal } from './service-errors.js';

/** Auto Scaling as the bot's adapters call it, over one account's groups in one region. */
export class SandboxAutoScaling {
  constructor(private readonly estate: RegionEstate | undefined) {}

  /** Unknown names are left out of the answer, not refused (as Auto Scaling does). */
  DescribeAutoScalingGroups(input: AutoScalingGroupNamesType): AutoScalingGroupsType {
    const names = input.AutoScalingGroupNames ?? [];
    return {
      AutoScalingGroups: structuredClone(
        (this.estate?.AutoScalingGroups ?? []).filter(
          (group) => names.length === 0 || names.includes(group.AutoScalingGroupName ?? ''),
        ),
      ),
    };
  }

  DescribeLaunchConfigurations(input: LaunchConfigurationNamesType): LaunchConfigurationsType {
    const names = input.LaunchConfigurationNames ?? [];
    return {
      LaunchConfigurations: structuredClone(
        (this.estate?.LaunchConfigurations ?? []).filter(
          (configuration) =>
            names.length === 0 || names.includes(configuration.LaunchConfigurationName ?? ''),
        ),
      ),
    };
  }

  /** Moves a group to a launch template version (directly or inside its mixed instances policy). */
  UpdateAutoScalingGroup(input: UpdateAutoScalingGroupType): Record<string, never> {
    const group = (this.estate?.AutoScalingGroups ?? []).find(
      (candidate) => candidate.AutoScalingGroupName === input.AutoScalingGroupName,
    );
    if (!group) throw autoScalingRefusal('ValidationError', 'AutoScalingGroup name not found - null');
    if (input.LaunchTemplate) {
      group.LaunchTemplate = { ...input.LaunchTemplate };
      delete group.LaunchConfigurationName;
      delete group.MixedInstancesPolicy;
    }
    const specification = input.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification;
    if (specification) {
      const policy = group.MixedInstancesPolicy ?? {};
      group.MixedInstancesPolicy = {
        ...policy,
        LaunchTemplate: { ...policy.LaunchTemplate, LaunchTemplateSpecification: { ...specification } },
      };
      delete group.LaunchTemplate;
      delete group.LaunchConfigurationName;
    }
    if (input.LaunchConfigurationName) {
      group.LaunchConfigurationName = input.LaunchConfigurationName;
      delete group.LaunchTemplate;
    }
    for (const field of ['MinSize', 'MaxSize', 'DesiredCapacity'] as const) {
      const value = input[field];
      if (value !== undefined) group[field] = value;
    }
    return {};
  }

  /** Accepts the refresh and names it; the sandbox's instances are not replaced (nothing reads them back). */
  StartInstanceRefresh(input: StartInstanceRefreshType): StartInstanceRefreshAnswer {
    const exists = (this.estate?.AutoScalingGroups ?? []).some(
      (group) => group.AutoScalingGroupName === input.AutoScalingGroupName,
    );
    if (!exists)
      throw autoScalingRefusal(
        'ValidationError',
        `AutoScalingGroup name not found - ${input.AutoScalingGroupName ?? ''}`,
      );
    return { InstanceRefreshId: '08b91cf7-8fa6-48af-b6a6-d227f40f1b9b' };
  }
}
