import type { AsffFinding } from './estate.js';

/**
 * A sandbox finding as the newer Security Hub publishes it (OCSF compliance finding, class 2003): the same check,
 * the same uid, its own product (`productv2/`). The inverse of src/aws/ocsf-finding.ts, so that `npm start` with
 * CSPM_FINDINGS_FORMAT=ocsf or both plays the newer Security Hub too.
 */

const OCSF_TYPE_OF: Readonly<Record<string, string>> = {
  AwsEc2SecurityGroup: 'AWS::EC2::SecurityGroup',
  AwsEc2Instance: 'AWS::EC2::Instance',
  AwsEc2NetworkAcl: 'AWS::EC2::NetworkAcl',
  AwsEc2LaunchTemplate: 'AWS::EC2::LaunchTemplate',
  AwsAutoScalingAutoScalingGroup: 'AWS::AutoScaling::AutoScalingGroup',
  AwsAutoScalingLaunchConfiguration: 'AWS::AutoScaling::LaunchConfiguration',
  AwsS3Bucket: 'AWS::S3::Bucket',
  AwsAccount: 'AWS::::Account',
};

const SEVERITY_ID: Readonly<Record<string, number>> = {
  INFORMATIONAL: 1,
  LOW: 2,
  MEDIUM: 3,
  HIGH: 4,
  CRITICAL: 5,
};

const STATUS: Readonly<Record<string, [number, string]>> = {
  NEW: [1, 'New'],
  NOTIFIED: [2, 'In Progress'],
  SUPPRESSED: [3, 'Suppressed'],
  RESOLVED: [4, 'Resolved'],
};

const COMPLIANCE: Readonly<Record<string, [number, string]>> = {
  PASSED: [1, 'Pass'],
  WARNING: [2, 'Warning'],
  FAILED: [3, 'Fail'],
  NOT_AVAILABLE: [0, 'Unknown'],
};

/** A field of a rendered finding read as an object (an empty one when it is not). */
export function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** The newer Security Hub's product ARN for Security Hub's own findings. */
export function newerProductArnOf(productArn: string): string {
  return productArn.replace('::product/', '::productv2/');
}

export function ocsfOf(asff: AsffFinding): Record<string, unknown> {
  const severity = text(record(asff['Severity'])['Label']) ?? 'INFORMATIONAL';
  const [statusId, status] = STATUS[text(record(asff['Workflow'])['Status']) ?? 'NEW'] ?? STATUS['NEW']!;
  const archived = asff['RecordState'] === 'ARCHIVED';
  const compliance = record(asff['Compliance']);
  const [complianceId, complianceWord] = COMPLIANCE[text(compliance['Status']) ?? 'NOT_AVAILABLE'] ?? [
    0,
    'Unknown',
  ];
  const partition = text(record((asff['Resources'] as unknown[])[0])['Partition']) ?? 'aws';
  const url = text(record(record(asff['Remediation'])['Recommendation'])['Url']);
  const note = record(asff['Note']);
  return {
    activity_id: archived ? 3 : 2,
    category_uid: 2,
    category_name: 'Findings',
    class_uid: 2003,
    class_name: 'Compliance Finding',
    type_uid: archived ? 200303 : 200302,
    severity_id: SEVERITY_ID[severity] ?? 0,
    severity: severity[0] + severity.slice(1).toLowerCase(),
    status_id: archived ? 5 : statusId,
    status: archived ? 'Archived' : status,
    time_dt: asff['UpdatedAt'],
    cloud: {
      account: { uid: asff['AwsAccountId'] },
      region: asff['Region'],
      provider: 'AWS',
      cloud_partition: partition,
    },
    finding_info: {
      uid: asff['Id'],
      title: asff['Title'],
      desc: asff['Description'],
      created_time_dt: asff['CreatedAt'],
      first_seen_time_dt: asff['FirstObservedAt'],
      last_seen_time_dt: asff['LastObservedAt'],
      modified_time_dt: asff['UpdatedAt'],
      types: asff['Types'],
      analytic: { uid: asff['GeneratorId'], type: 'Rule', type_id: 1 },
    },
    compliance: {
      control: compliance['SecurityControlId'],
      status: complianceWord,
      status_id: complianceId,
      standards: ((compliance['AssociatedStandards'] as unknown[] | undefined) ?? []).map(
        (standard) => record(standard)['StandardsId'],
      ),
      ...(Array.isArray(compliance['SecurityControlParameters']) && {
        control_parameters: (compliance['SecurityControlParameters'] as unknown[]).map((parameter) => ({
          name: record(parameter)['Name'],
          value: record(parameter)['Value'],
        })),
      }),
    },
    resources: ((asff['Resources'] as unknown[] | undefined) ?? []).map((value) => {
      const resource = record(value);
      const type = text(resource['Type']) ?? 'Other';
      const id = text(resource['Id']) ?? '';
      const details = record(resource['Details'])[type];
      return {
        type: OCSF_TYPE_OF[type] ?? type,
        uid: id.split('/').at(-1),
        ...(id.startsWith('arn:') && { uid_alt: id }),
        region: resource['Region'] ?? asff['Region'],
        cloud_partition: resource['Partition'] ?? partition,
        owner: { account: { uid: asff['AwsAccountId'] } },
        ...(resource['Tags'] !== undefined && {
          tags: Object.entries(record(resource['Tags'])).map(([name, tagValue]) => ({
            name,
            value: tagValue,
          })),
        }),
        ...(details !== undefined && { data: { [type]: details } }),
      };
    }),
    metadata: {
      product: {
        uid: newerProductArnOf(String(asff['ProductArn'])),
        name: 'Security Hub',
        vendor_name: 'AWS',
      },
      version: '1.6.0',
      profiles: ['cloud', 'datetime'],
    },
    ...(url && { remediation: { references: [url] } }),
    ...(text(note['Text']) && { comment: note['Text'] }),
  };
}
