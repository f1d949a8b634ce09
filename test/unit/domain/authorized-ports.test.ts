import { describe, expect, it } from 'vitest';
import {
  CONTROL_CATALOG,
  authorizedPortsFor,
  controlSpecFor,
  controlSummaryFor,
} from '../../../src/domain/control-catalog.js';
import type { CurrentResource } from '../../../src/domain/current-resource.js';
import type { Finding } from '../../../src/domain/finding.js';
import { planRemediation } from '../../../src/domain/remediation-plan.js';
import type { SecurityGroupRule } from '../../../src/domain/security-group-rule.js';
import { isStillExposed, triage } from '../../../src/domain/triage.js';
import { makeFinding, makeRule } from '../../fixtures/finding.js';

const EC2_18 = CONTROL_CATALOG['EC2.18'];

/** An EC2.18 finding; `parameters` as Security Hub carries them in `Compliance.SecurityControlParameters`. */
function ec2_18(parameters?: Record<string, string[]>, rules: SecurityGroupRule[] = []): Finding {
  return makeFinding({
    controlId: 'EC2.18',
    generatorId: 'security-control/EC2.18',
    title: EC2_18.title,
    details: { kind: 'security-group', groupId: 'sg-0abc1234def567890', ingressRules: rules },
    ...(parameters && { controlParameters: parameters }),
  });
}

const https = makeRule({ ruleId: 'sgr-0a1b2c3d4e5f60443', fromPort: 443, toPort: 443 });
const altHttps = makeRule({ ruleId: 'sgr-0a1b2c3d4e5f68443', fromPort: 8443, toPort: 8443 });
const admin = makeRule({ ruleId: 'sgr-0a1b2c3d4e5f69090', fromPort: 9090, toPort: 9090 });
const ipsec = makeRule({ ruleId: 'sgr-0a1b2c3d4e5f60500', protocol: 'udp', fromPort: 500, toPort: 500 });

function group(rules: SecurityGroupRule[]): CurrentResource {
  return {
    kind: 'security-group',
    groupId: 'sg-0abc1234def567890',
    groupName: 'web-prod',
    ingressRules: rules,
    reach: { kind: 'unknown', reason: 'EC2 not read' },
  };
}

describe('authorizedPortsFor', () => {
  it('uses Security Hub’s defaults (tcp 80 and 443, no udp) when the finding carries no parameters', () => {
    expect(authorizedPortsFor(ec2_18())).toEqual({
      tcp: [
        { from: 80, to: 80 },
        { from: 443, to: 443 },
      ],
      udp: [],
    });
  });

  it('reads single ports, comma lists and dash ranges, skipping what is not a port', () => {
    const finding = ec2_18({
      authorizedTcpPorts: ['443', '8443,9000-9010', 'http', '70000'],
      authorizedUdpPorts: ['500'],
    });

    expect(authorizedPortsFor(finding)).toEqual({
      tcp: [
        { from: 443, to: 443 },
        { from: 8443, to: 8443 },
        { from: 9000, to: 9010 },
      ],
      udp: [{ from: 500, to: 500 }],
    });
  });

  it('authorizes nothing when the parameter is present but empty (defaults only when absent)', () => {
    expect(authorizedPortsFor(ec2_18({ authorizedTcpPorts: [] })).tcp).toEqual([]);
  });
});

describe('EC2.18 with custom authorized ports', () => {
  const parameters = { authorizedTcpPorts: ['80', '443', '8443'], authorizedUdpPorts: ['500'] };

  it('does not call tcp/8443 or udp/500 exposed when the account authorized them', () => {
    const result = triage(ec2_18(parameters, [https, altHttps, ipsec]));

    expect(result.kind === 'security-group' && result.openRules).toEqual([]);
    expect(isStillExposed(result)).toBe('fixed');
  });

  it('still flags tcp/8443 under the default parameters', () => {
    const result = triage(ec2_18(undefined, [https, altHttps]));

    expect(result.kind === 'security-group' && result.openRules.map((open) => open.rule.ruleId)).toEqual([
      altHttps.ruleId,
    ]);
  });

  it('never plans to revoke an authorized port, only the unauthorized ones', () => {
    const outcome = planRemediation(ec2_18(parameters), EC2_18, group([https, altHttps, admin]), {
      imdsHopLimit: 1,
    });

    expect(outcome).toMatchObject({ kind: 'plan', plan: { revocations: [{ ruleId: admin.ruleId }] } });
    expect(
      outcome.kind === 'plan' && outcome.plan.kind === 'revoke-ingress' && outcome.plan.revocations,
    ).toHaveLength(1);
  });

  it('calls the group fixed when only authorized ports are open', () => {
    const outcome = planRemediation(ec2_18(parameters), EC2_18, group([https, altHttps]), {
      imdsHopLimit: 1,
    });

    expect(outcome.kind).toBe('already-fixed');
  });

  it('gives planning and verification a control judged by the finding’s parameters', () => {
    const control = controlSpecFor(ec2_18(parameters));

    expect(control?.check).toEqual({
      kind: 'security-group',
      exposure: {
        kind: 'world-unauthorized-ports',
        authorizedTcpPorts: [
          { from: 80, to: 80 },
          { from: 443, to: 443 },
          { from: 8443, to: 8443 },
        ],
        authorizedUdpPorts: [{ from: 500, to: 500 }],
      },
    });
  });

  it('says which ports are authorized in the message summary', () => {
    expect(controlSummaryFor(EC2_18, ec2_18(parameters))).toBe(
      'Ports other than tcp 80, 443, 8443 and udp 500 open to the internet',
    );
    expect(controlSummaryFor(CONTROL_CATALOG['EC2.13'], ec2_18(parameters))).toBe(
      CONTROL_CATALOG['EC2.13'].summary,
    );
  });
});
