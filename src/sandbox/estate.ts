import { readFile, readdir } from 'node:fs/promises';
import type { AutoScalingGroup, LaunchConfiguration } from '@aws-sdk/client-auto-scaling';
import type { Grant, Owner, PublicAccessBlockConfiguration } from '@aws-sdk/client-s3';
import type {
  InternetGateway,
  LaunchTemplate,
  LaunchTemplateVersion,
  NetworkAcl,
  NetworkInterface,
  Reservation,
  RouteTable,
  SecurityGroup,
  SecurityGroupRule,
  Subnet,
  Vpc,
} from '@aws-sdk/client-ec2';

/**
 * One account's EC2 and Auto Scaling resources in one region, each exactly as the describe-* call returns it.
 * Security groups are kept without their rules: the rules live (with their `sgr-` ids) in `SecurityGroupRules`,
 * and DescribeSecurityGroups builds `IpPermissions` from them, so the two views never disagree.
 */
export interface RegionEstate {
  readonly accountId: string;
  readonly region: string;
  Vpcs: Vpc[];
  Subnets: Subnet[];
  InternetGateways: InternetGateway[];
  RouteTables: RouteTable[];
  NetworkAcls: NetworkAcl[];
  SecurityGroups: SecurityGroup[];
  SecurityGroupRules: SecurityGroupRule[];
  NetworkInterfaces: NetworkInterface[];
  Reservations: Reservation[];
  LaunchTemplates: LaunchTemplate[];
  LaunchTemplateVersions: LaunchTemplateVersion[];
  AutoScalingGroups: AutoScalingGroup[];
  LaunchConfigurations: LaunchConfiguration[];
  /** General purpose buckets whose Region this is (absent: none). */
  Buckets?: SandboxBucket[];
}

/** A bucket with what GetBucketPolicy, GetBucketAcl and GetPublicAccessBlock return for it. */
export interface SandboxBucket {
  Name: string;
  CreationDate: Date;
  /** The policy's JSON text; absent when the bucket has none. */
  Policy?: string;
  /** Absent when the bucket has no Block Public Access configuration. */
  PublicAccessBlockConfiguration?: PublicAccessBlockConfiguration;
  Owner: Owner;
  Grants: Grant[];
}

/** An account's own S3 Block Public Access (S3 Control), for the accounts that have one. */
export interface AccountPublicAccessBlock {
  readonly AccountId: string;
  PublicAccessBlockConfiguration: PublicAccessBlockConfiguration;
}

export interface Estate {
  /** The account the bot runs in (STS GetCallerIdentity answers it); the other accounts are members. */
  readonly homeAccountId: string;
  readonly regions: RegionEstate[];
  /** Accounts with an account-level Block Public Access configuration (absent: none has one). */
  AccountPublicAccessBlocks?: AccountPublicAccessBlock[];
}

export type AsffFinding = Record<string, unknown>;

const SAMPLES_DIR = new URL('../../samples/', import.meta.url);

/** Fields the SDK hands out as `Date`; JSON keeps them as ISO strings, so they are revived on reading. */
const DATE_FIELDS: ReadonlySet<string> = new Set([
  'AttachTime',
  'CreateTime',
  'CreatedTime',
  'LaunchTime',
  'Expiration',
  'CreationDate',
]);

/** `JSON.parse` that gives back the SDK's `Date`s for the EC2 and Auto Scaling timestamp fields. */
export function parseWithDates(text: string): unknown {
  return JSON.parse(text, (key, value: unknown) =>
    DATE_FIELDS.has(key) && typeof value === 'string' ? new Date(value) : value,
  );
}

/** The bundled sample estate (samples/estate.json). */
export async function sampleEstate(): Promise<Estate> {
  const parsed = parseWithDates(await readFile(new URL('estate.json', SAMPLES_DIR), 'utf8')) as Estate;
  return {
    homeAccountId: parsed.homeAccountId,
    regions: parsed.regions,
    ...(parsed.AccountPublicAccessBlocks && { AccountPublicAccessBlocks: parsed.AccountPublicAccessBlocks }),
  };
}

/** The bundled sample findings (samples/findings/*.json), as Security Hub returns them. */
export async function sampleFindings(): Promise<AsffFinding[]> {
  const dir = new URL('findings/', SAMPLES_DIR);
  const files = (await readdir(dir)).filter((file) => file.endsWith('.json')).sort();
  return Promise.all(
    files.map(async (file) => JSON.parse(await readFile(new URL(file, dir), 'utf8')) as AsffFinding),
  );
}

/** The account's resources in the region, or `undefined` when the estate has none there. */
export function regionOf(estate: Estate, accountId: string, region: string): RegionEstate | undefined {
  return estate.regions.find((candidate) => candidate.accountId === accountId && candidate.region === region);
}

/** The account's resources in the region, made empty the first time something is added there. */
export function ensureRegion(estate: Estate, accountId: string, region: string): RegionEstate {
  const existing = regionOf(estate, accountId, region);
  if (existing) return existing;
  const created: RegionEstate = {
    accountId,
    region,
    Vpcs: [],
    Subnets: [],
    InternetGateways: [],
    RouteTables: [],
    NetworkAcls: [],
    SecurityGroups: [],
    SecurityGroupRules: [],
    NetworkInterfaces: [],
    Reservations: [],
    LaunchTemplates: [],
    LaunchTemplateVersions: [],
    AutoScalingGroups: [],
    LaunchConfigurations: [],
  };
  estate.regions.push(created);
  return created;
}
