import * as z from 'zod';
import type { FindingResourceDetails } from '../domain/finding.js';
import type { NetworkAclEntryFacts } from '../domain/reachability.js';

const optionalText = z.string().nullish();

/** ASFF `AwsEc2NetworkAcl` details, as far as the bot reads them (Security Hub API: AwsEc2NetworkAclDetails). */
const NetworkAclDetailsSchema = z.looseObject({
  NetworkAclId: optionalText,
  VpcId: optionalText,
  IsDefault: z.boolean().nullish(),
  Associations: z.array(z.looseObject({ SubnetId: optionalText })).nullish(),
  Entries: z
    .array(
      z.looseObject({
        CidrBlock: optionalText,
        Ipv6CidrBlock: optionalText,
        Egress: z.boolean().nullish(),
        Protocol: optionalText,
        RuleAction: optionalText,
        RuleNumber: z.number().int().nullish(),
        PortRange: z
          .looseObject({ From: z.number().int().nullish(), To: z.number().int().nullish() })
          .nullish(),
      }),
    )
    .nullish(),
});

type AsffEntry = NonNullable<z.infer<typeof NetworkAclDetailsSchema>['Entries']>[number];

/** An entry without a number, action, protocol or CIDR decides nothing, as in the EC2 reader. */
function entryFacts(entry: AsffEntry): NetworkAclEntryFacts[] {
  const { RuleNumber, RuleAction, Protocol } = entry;
  if (RuleNumber == null || (RuleAction !== 'allow' && RuleAction !== 'deny') || !Protocol) return [];
  const source = entry.CidrBlock
    ? { family: 'ipv4' as const, cidr: entry.CidrBlock }
    : entry.Ipv6CidrBlock
      ? { family: 'ipv6' as const, cidr: entry.Ipv6CidrBlock }
      : undefined;
  if (!source) return [];
  const from = entry.PortRange?.From;
  const to = entry.PortRange?.To;
  return [
    {
      ruleNumber: RuleNumber,
      action: RuleAction,
      egress: entry.Egress === true,
      protocol: Protocol,
      source,
      ...(from != null && to != null ? { portRange: { from, to } } : {}),
    },
  ];
}

/** The finding's view of the ACL (a head start for the message); `none` when the details lack its shape. */
export function networkAclDetails(raw: unknown, shortId: string): FindingResourceDetails {
  const parsed = NetworkAclDetailsSchema.safeParse(raw);
  if (raw === undefined || !parsed.success) return { kind: 'none' };
  const details = parsed.data;
  return {
    kind: 'network-acl',
    networkAclId: details.NetworkAclId || shortId,
    ...(details.VpcId ? { vpcId: details.VpcId } : {}),
    ...(details.IsDefault != null ? { isDefault: details.IsDefault } : {}),
    subnetIds: (details.Associations ?? []).flatMap((association) =>
      association.SubnetId ? [association.SubnetId] : [],
    ),
    ...(details.Entries ? { entries: details.Entries.flatMap(entryFacts) } : {}),
  };
}
