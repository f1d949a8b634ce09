import { describe, expect, it } from 'vitest';
import { asffResourceTypeOf } from '../../../src/aws/ocsf-resource.js';

describe('asffResourceTypeOf', () => {
  it.each([
    ['AWS::EC2::SecurityGroup', 'AwsEc2SecurityGroup'],
    ['AWS::EC2::Instance', 'AwsEc2Instance'],
    ['AWS::EC2::NetworkAcl', 'AwsEc2NetworkAcl'],
    ['AWS::EC2::LaunchTemplate', 'AwsEc2LaunchTemplate'],
    ['AWS::AutoScaling::AutoScalingGroup', 'AwsAutoScalingAutoScalingGroup'],
    ['AWS::AutoScaling::LaunchConfiguration', 'AwsAutoScalingLaunchConfiguration'],
    ['AWS::S3::Bucket', 'AwsS3Bucket'],
    ['AWS::IAM::Role', 'AwsIamRole'],
    ['AWS::::Account', 'AwsAccount'],
    ['Other', 'Other'],
  ])('%s → %s', (ocsf, asff) => {
    expect(asffResourceTypeOf(ocsf)).toBe(asff);
  });
});
