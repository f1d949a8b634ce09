import { CreateNetworkAclEntryCommand } from '@aws-sdk/client-ec2';
import type { CreateNetworkAclEntryRequest, EC2Client } from '@aws-sdk/client-ec2';
import type { PlannedNetworkAclDeny, RemediationPlan } from '../domain/remediation-plan-types.js';
import type { AwsCallContext } from './errors.js';
import { AwsError, translateAwsError } from './errors.js';
import { RemediationIncompleteError } from './remediation-errors.js';

type DenyPlan = Extract<RemediationPlan, { kind: 'deny-network-acl-ingress' }>;

/** A planned rule number someone used since the plan was made: EC2 refuses it, and nothing was added under it. */
export class NetworkAclRuleNumberTakenError extends AwsError {
  readonly code = 'NETWORK_ACL_RULE_NUMBER_TAKEN';

  override get userMessage(): string {
    return (
      `An entry now uses ${this.call.resourceId ?? 'the planned rule number'} in ${this.call.accountId ?? 'the account'}/` +
      `${this.call.region ?? 'the region'}, taken since the plan was made; no deny was added under it. Re-check ` +
      `the finding to plan from the ACL as it is now.`
    );
  }
}

/** EC2's protocol number for tcp: CreateNetworkAclEntry takes numbers (`6`), not names. */
const TCP = '6';

/** The request that adds one planned deny: inbound, tcp to one port, from the whole address space of one family. */
export function denyEntryRequest(
  networkAclId: string,
  deny: PlannedNetworkAclDeny,
): CreateNetworkAclEntryRequest {
  return {
    NetworkAclId: networkAclId,
    RuleNumber: deny.ruleNumber,
    Protocol: TCP,
    RuleAction: 'deny',
    Egress: false,
    ...(deny.family === 'ipv4' ? { CidrBlock: deny.cidr } : { Ipv6CidrBlock: deny.cidr }),
    PortRange: { From: deny.port, To: deny.port },
  };
}

/**
 * Adds the planned deny entries one by one, under exactly the planned numbers; nothing else in the ACL changes.
 * A number taken since the plan was made (`NetworkAclEntryAlreadyExists`) stops the run: the entries already added
 * are said, and the use case re-reads the ACL.
 */
export async function addDenyEntries(ec2: EC2Client, plan: DenyPlan): Promise<string[]> {
  const steps: string[] = [];
  for (const deny of plan.denies) {
    try {
      await ec2.send(new CreateNetworkAclEntryCommand(denyEntryRequest(plan.networkAclId, deny)));
    } catch (error) {
      const call: AwsCallContext = {
        service: 'EC2',
        operation: 'CreateNetworkAclEntry',
        accountId: plan.accountId,
        region: plan.region,
        resourceId: `rule ${deny.ruleNumber} of ${plan.networkAclId}`,
      };
      const name = (error as { name?: unknown } | null)?.name;
      const translated =
        name === 'NetworkAclEntryAlreadyExists'
          ? new NetworkAclRuleNumberTakenError(`rule ${deny.ruleNumber} is taken`, call, name, {
              cause: error,
            })
          : translateAwsError(error, call);
      if (steps.length === 0) throw translated;
      throw new RemediationIncompleteError(steps, translated);
    }
    steps.push(`added to ${plan.networkAclId} ${deny.words}`);
  }
  return steps;
}
