import type { EC2Client } from '@aws-sdk/client-ec2';
import type { Finding } from '../domain/finding.js';
import type { NetworkReach } from '../domain/reachability.js';
import { networkReach } from '../domain/reachability.js';
import type { SecurityGroupRule } from '../domain/security-group-rule.js';
import type { SecurityGroupInspector } from '../usecases/ports.js';
import { Ec2NetworkReader } from './ec2-network.js';

/** Gives an EC2 client for the account and region a finding lives in (cross-account via an assumed role). */
export interface Ec2ClientProvider {
  ec2(accountId: string, region: string): Promise<EC2Client>;
}

/** Reads a group's current ingress rules and whether the internet can reach what it is attached to. */
export class Ec2SecurityGroupInspector implements SecurityGroupInspector {
  constructor(private readonly clients: Ec2ClientProvider) {}

  async inspect(
    finding: Finding,
    groupId: string,
  ): Promise<{ ingressRules: SecurityGroupRule[]; reach: NetworkReach }> {
    const client = await this.clients.ec2(finding.accountId, finding.region);
    const reader = new Ec2NetworkReader(client, { accountId: finding.accountId, region: finding.region });
    const vpcId = finding.details.kind === 'security-group' ? finding.details.vpcId : undefined;
    const [ingressRules, facts] = await Promise.all([
      reader.ingressRules(groupId),
      reader.networkFacts(groupId, vpcId),
    ]);
    return { ingressRules, reach: networkReach(facts.interfaces, facts.routeTables, facts.networkAcls) };
  }
}
