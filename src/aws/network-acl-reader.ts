import { DescribeNetworkAclsCommand } from '@aws-sdk/client-ec2';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { NetworkAclFacts } from '../domain/reachability.js';
import { toNetworkAclFacts } from './ec2-network.js';
import type { AwsCallContext } from './errors.js';
import { AwsResourceNotFoundError, translateAwsError } from './errors.js';

/**
 * One network ACL by id, as EC2 describes it now (every entry, both directions and families, and its subnets), in
 * the account and region of `ec2`. `undefined` when EC2 says it no longer exists (`InvalidNetworkAclID.NotFound`).
 */
export async function readNetworkAcl(
  ec2: EC2Client,
  scope: { readonly accountId: string; readonly region: string },
  networkAclId: string,
): Promise<NetworkAclFacts | undefined> {
  const call: AwsCallContext = {
    service: 'EC2',
    operation: 'DescribeNetworkAcls',
    ...scope,
    resourceId: networkAclId,
  };
  try {
    const output = await ec2.send(new DescribeNetworkAclsCommand({ NetworkAclIds: [networkAclId] }));
    const found = output.NetworkAcls?.find((acl) => acl.NetworkAclId === networkAclId);
    return found ? toNetworkAclFacts(found, call) : undefined;
  } catch (error) {
    const translated = translateAwsError(error, call);
    if (translated instanceof AwsResourceNotFoundError) return undefined;
    throw translated;
  }
}
