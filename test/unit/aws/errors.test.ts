import { AutoScalingServiceException } from '@aws-sdk/client-auto-scaling';
import { describe, expect, it } from 'vitest';
import { AwsResourceNotFoundError, translateAwsError } from '../../../src/aws/errors.js';
import type { AwsCallContext } from '../../../src/aws/errors.js';
import { ec2Error } from '../../support/ec2-error.js';

const call = (operation: string, resourceId: string): AwsCallContext => ({
  service: 'EC2',
  operation,
  accountId: '111122223333',
  region: 'eu-west-1',
  resourceId,
});
const PLACE = 'account 111122223333 (eu-west-1)';

describe('translateAwsError for missing resources', () => {
  it.each([
    [
      'InvalidGroup.NotFound',
      'RevokeSecurityGroupIngress',
      'sg-0abc1234def567890',
      'security-group',
      `Security group sg-0abc1234def567890 no longer exists in ${PLACE}: it was deleted since the finding was raised. Security Hub archives the finding at its next check; nothing needs fixing.`,
    ],
    [
      'InvalidSecurityGroupRuleId.NotFound',
      'RevokeSecurityGroupIngress',
      'sg-0abc1234def567890',
      'security-group-rule',
      `A rule of sg-0abc1234def567890 that the plan names no longer exists in ${PLACE}; the group itself still exists. Nothing was changed by this call. Re-check the finding to see which rules are still open.`,
    ],
    [
      'InvalidPermission.NotFound',
      'RevokeSecurityGroupEgress',
      'sg-0abc1234def567890',
      'security-group-rule',
      `A rule of sg-0abc1234def567890 that the plan names no longer exists in ${PLACE}; the group itself still exists. Nothing was changed by this call. Re-check the finding to see which rules are still open.`,
    ],
    [
      'InvalidInstanceID.NotFound',
      'ModifyInstanceMetadataOptions',
      'i-0a1b2c3d4e5f60001',
      'instance',
      `Instance i-0a1b2c3d4e5f60001 no longer exists in ${PLACE} (terminated). Security Hub archives the finding at its next check; nothing needs fixing.`,
    ],
    [
      'InvalidLaunchTemplateId.NotFound',
      'CreateLaunchTemplateVersion',
      'lt-0a1b2c3d4e5f60001',
      'launch-template',
      `Launch template lt-0a1b2c3d4e5f60001 no longer exists in ${PLACE}. Groups that used it launch from something else now; re-check the finding.`,
    ],
    [
      'InvalidLaunchTemplateName.NotFoundException',
      'DescribeLaunchTemplates',
      'web-prod',
      'launch-template',
      `Launch template web-prod no longer exists in ${PLACE}. Groups that used it launch from something else now; re-check the finding.`,
    ],
    [
      'InvalidLaunchTemplateId.VersionNotFound',
      'CreateLaunchTemplateVersion',
      'lt-0a1b2c3d4e5f60001',
      'launch-template-version',
      `The launch template version the bot works from (lt-0a1b2c3d4e5f60001) no longer exists in ${PLACE}. Re-check the finding to plan from the template as it is now.`,
    ],
  ] as const)(
    'reads %s as the %s gone, in words true for that case',
    (code, operation, resourceId, missing, words) => {
      const translated = translateAwsError(ec2Error(code, 'not found'), call(operation, resourceId));

      expect(translated).toBeInstanceOf(AwsResourceNotFoundError);
      expect((translated as AwsResourceNotFoundError).missing).toBe(missing);
      expect((translated as AwsResourceNotFoundError).userMessage).toBe(words);
    },
  );

  it('reads Auto Scaling’s ValidationError about an unknown group as the group gone, and any other ValidationError as it is', () => {
    const failure = (message: string) =>
      new AutoScalingServiceException({
        name: 'ValidationError',
        message,
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
      });
    const groupCall: AwsCallContext = {
      service: 'Auto Scaling',
      operation: 'UpdateAutoScalingGroup',
      accountId: '111122223333',
      region: 'eu-west-1',
      resourceId: 'web-asg',
    };

    const gone = translateAwsError(failure('AutoScalingGroup name not found - null'), groupCall);
    const invalid = failure('The launch template version 7 does not exist');

    expect(gone).toBeInstanceOf(AwsResourceNotFoundError);
    expect((gone as AwsResourceNotFoundError).userMessage).toBe(
      `Auto Scaling group web-asg no longer exists in ${PLACE}. Security Hub archives the finding at its next check; nothing needs fixing.`,
    );
    expect(translateAwsError(invalid, groupCall)).toBe(invalid);
  });
});
