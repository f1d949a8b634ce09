import * as z from 'zod';
import { ocsfText as text } from './ocsf-fields.js';

/**
 * An OCSF `resources[]` entry of the newer Security Hub, as compliance and exposure findings both carry it, and
 * the names the bot gives it (the ASFF type name, the ARN when there is one).
 */

export const OcsfResourceSchema = z.looseObject({
  type: z.string().min(1),
  uid: text,
  uid_alt: text,
  name: text,
  region: text,
  cloud_partition: text,
  tags: z.array(z.looseObject({ name: z.string(), value: text })).nullish(),
  data: z.record(z.string(), z.unknown()).nullish(),
});

export type OcsfResource = z.infer<typeof OcsfResourceSchema>;

/**
 * `AWS::EC2::SecurityGroup` → `AwsEc2SecurityGroup`, `AWS::AutoScaling::LaunchConfiguration` →
 * `AwsAutoScalingLaunchConfiguration`, `AWS::S3::Bucket` → `AwsS3Bucket`, `AWS::::Account` → `AwsAccount`: ASFF
 * names a type `Aws` + service + resource, with an all-capitals service written as a word (EC2 → Ec2, IAM → Iam).
 */
export function asffResourceTypeOf(ocsfType: string): string {
  const parts = ocsfType.split('::');
  if (parts.length !== 3 || parts[0] !== 'AWS') return ocsfType;
  const [, service = '', resource = ''] = parts;
  const word = (part: string) =>
    /^[A-Z0-9]+$/.test(part) && part.length > 2 ? part[0] + part.slice(1).toLowerCase() : part;
  return `Aws${word(service)}${resource}`;
}

/** The resource's ARN when OCSF carries one (`uid_alt` usually, `uid` for some types), else its uid or name. */
export function resourceIdOf(resource: OcsfResource): string | undefined {
  if (resource.uid_alt?.startsWith('arn:')) return resource.uid_alt;
  return resource.uid || resource.uid_alt || resource.name || undefined;
}
