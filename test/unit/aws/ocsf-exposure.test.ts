import { describe, expect, it } from 'vitest';
import { exposureOfOcsf, portsNamedIn } from '../../../src/aws/ocsf-exposure.js';
import { findingsFromImportedV2Event } from '../../../src/aws/ocsf-finding.js';
import type { ExposureFinding } from '../../../src/domain/security-hub-exposure.js';
import type { OcsfJson } from '../../fixtures/ocsf.js';
import {
  loadOcsfFixture,
  makeImportedV2Event,
  makeOcsfExposure,
  makeOcsfFinding,
} from '../../fixtures/ocsf.js';

function exposure(raw: unknown): ExposureFinding {
  const result = exposureOfOcsf(raw);
  if (!result.ok) throw new Error(`expected an exposure, got: ${result.reason}`);
  return result.exposure;
}

/** The EC2 fixture with its related events replaced (`finding_info.related_events` is a list: replaced whole). */
const withEvents = (events: OcsfJson[]) => makeOcsfExposure({ finding_info: { related_events: events } });

const EC2_13_FINDING_ID =
  'arn:aws:securityhub:ap-northeast-1:111122223333:security-control/EC2.13/finding/1f2e3d4c-5b6a-4789-8a0b-c1d2e3f40001';
const INSTANCE_ARN = 'arn:aws:ec2:ap-northeast-1:111122223333:instance/i-0abc1234def567891';

describe('exposureOfOcsf: an exposure finding of the newer Security Hub', () => {
  it('reads the instance exposure: the EC2.13 finding and its security group among what it rests on', () => {
    expect(exposureOfOcsf(loadOcsfFixture('exposure-ec2-instance'))).toEqual({
      ok: true,
      exposure: {
        id: 'arn:aws:securityhub:ap-northeast-1:111122223333:exposure/0b7d4e2a-91c3-4f58-a6e0-d2c8b5f13a97',
        productArn: 'arn:aws:securityhub:ap-northeast-1::productv2/aws/securityhub',
        accountId: '111122223333',
        region: 'ap-northeast-1',
        title: 'EC2 instance is reachable from the internet and has a vulnerability with a known exploit',
        resources: [{ id: INSTANCE_ARN, shortId: 'i-0abc1234def567891', type: 'AwsEc2Instance' }],
        open: true,
        traits: ['Reachability', 'Misconfiguration', 'Vulnerability'],
        reachable: true,
        // The control's "… to port 22" names no protocol; Inspector's "Port 22 … - TCP" does: one port, tcp/22.
        reachablePorts: ['tcp/22'],
        contributingFindingIds: [
          EC2_13_FINDING_ID,
          'arn:aws:inspector2:ap-northeast-1:111122223333:finding/3c9e1f7a52b84d06a1e4f2c8d7b6a590',
          'arn:aws:inspector2:ap-northeast-1:111122223333:finding/8f41d2b6e07c4a93b5d16e2f9a0c3b74',
        ],
        contributingResourceIds: [
          'arn:aws:ec2:ap-northeast-1:111122223333:security-group/sg-0abc1234def567890',
          INSTANCE_ARN,
        ],
        // Nine fractional digits, cut to milliseconds like every other timestamp the bot keeps.
        updatedAt: '2026-11-02T09:27:12.904Z',
      },
    });
  });

  it('names the EC2.13 fixture as it is: same uid, same account and region', () => {
    const control = loadOcsfFixture('ec2.13-ssh-ipv4') as {
      finding_info: { uid: string };
      cloud: { account: { uid: string }; region: string };
    };
    const read = exposure(makeOcsfExposure());
    expect(read.contributingFindingIds).toContain(control.finding_info.uid);
    expect([read.accountId, read.region]).toEqual([control.cloud.account.uid, control.cloud.region]);
  });

  it("reads AWS's documented Lambda sample, its time under the sample's own key", () => {
    expect(exposure(loadOcsfFixture('exposure-lambda-sample'))).toEqual({
      id: 'arn:aws:securityhub:us-east-1:123456789012:exposure/4e1c7a9b-2d58-4f36-a0b1-e9c3d6f82a57',
      productArn: 'arn:aws:securityhub:us-east-1::productv2/aws/securityhub',
      accountId: '123456789012',
      region: 'us-east-1',
      title:
        'Potential Remote Execution: Lambda function is publicly invocable and has a vulnerability with a known exploit',
      resources: [
        {
          id: 'arn:aws:lambda:us-east-1:123456789012:application-function',
          shortId: 'application-function',
          type: 'AwsLambdaFunction',
        },
      ],
      open: true,
      traits: ['Vulnerability', 'Reachability', 'Misconfiguration'],
      reachable: true,
      // Publicly invocable: reachable, on no port.
      reachablePorts: [],
      contributingFindingIds: [
        'arn:aws:inspector2:us-east-1:123456789012:finding/2b5e8d1f4a7c40369e1b5d8f2a6c9e03',
        'arn:aws:securityhub:us-east-1:123456789012:security-control/Lambda.1/finding/7d3a9c5e-2f1b-4e08-b6a4-c9e0d2f7a183',
        'arn:aws:securityhub:us-east-1:123456789012:security-control/Lambda.3/finding/c1e6b8f2-9a4d-4c73-8e05-3f7a2d9b6e41',
      ],
      contributingResourceIds: ['arn:aws:lambda:us-east-1:123456789012:application-function'],
      updatedAt: '2024-11-15T21:39:26.337Z',
    });
  });

  describe('traits, in either shape', () => {
    it('reads OCSF traits (category, name, values) as it reads the sample tags (name, values)', () => {
      const read = exposure(
        withEvents([
          {
            uid: 'arn:aws:inspector2:ap-northeast-1:111122223333:finding/0a1b2c3d4e5f60718293a4b5c6d7e8f9',
            title: 'Network path to EC2 instance from the internet',
            traits: [
              { category: 'Reachability', name: 'Port 3389 is reachable from an Internet Gateway - TCP' },
              { category: 'Sensitive Data', values: ['Credentials'] },
            ],
            observables: [{ type_id: 10, value: INSTANCE_ARN }],
          },
          {
            uid: EC2_13_FINDING_ID,
            tags: [{ name: 'Misconfiguration', values: ['Unrestricted SSH Access'] }],
            traits: [{ category: 'Reachability', values: ['tcp/22'] }],
            // Named by type alone, not by its id: still the resource's uid.
            observables: [{ type: 'Resource UID', value: 'sg-0abc1234def567890' }],
          },
        ]),
      );
      expect(read.traits).toEqual(['Reachability', 'Sensitive Data', 'Misconfiguration']);
      expect(read.reachable).toBe(true);
      expect(read.reachablePorts).toEqual(['tcp/3389', 'tcp/22']);
      expect(read.contributingResourceIds).toEqual([INSTANCE_ARN, 'sg-0abc1234def567890']);
    });

    it('reads a tag that carries one value (OCSF key-value `value`) as one that carries several', () => {
      const read = exposure(withEvents([{ uid: 'x', tags: [{ name: 'Reachability', value: 'udp 53' }] }]));
      expect(read.reachablePorts).toEqual(['udp/53']);
    });

    it('names each category once, in the order first seen, whatever its case', () => {
      const read = exposure(
        withEvents([
          { uid: 'a', tags: [{ name: 'Vulnerability' }, { name: 'Reachability' }] },
          { uid: 'b', traits: [{ category: 'vulnerability' }, { category: 'Assumability' }] },
        ]),
      );
      expect(read.traits).toEqual(['Vulnerability', 'Reachability', 'Assumability']);
    });

    it('is not reachable without a Reachability trait, whatever the other findings name', () => {
      const read = exposure(
        withEvents([
          {
            uid: 'a',
            title: 'CVE-2026-0001 - a web server listening on port 8080',
            tags: [{ name: 'Vulnerability', values: ['Attack Vector Network'] }],
          },
        ]),
      );
      expect([read.reachable, read.reachablePorts, read.traits]).toEqual([false, [], ['Vulnerability']]);
    });

    it('takes ports only from the reachability traits of a finding, not from its other traits', () => {
      const read = exposure(
        withEvents([
          {
            uid: 'a',
            tags: [
              { name: 'Reachability', values: ['Reachable From An Internet Gateway'] },
              { name: 'Misconfiguration', values: ['Port 23 allowed by the network ACL'] },
            ],
          },
        ]),
      );
      expect(read.reachablePorts).toEqual([]);
    });

    it('reads related events at the top level when finding_info has none', () => {
      const raw = makeOcsfExposure({
        finding_info: { related_events: undefined },
        related_events: [{ uid: EC2_13_FINDING_ID, tags: [{ name: 'Reachability' }] }],
      });
      expect(exposure(raw)).toMatchObject({
        contributingFindingIds: [EC2_13_FINDING_ID],
        reachable: true,
      });
    });

    it('keeps only non-empty contributing finding ids and resource uids, each once', () => {
      const read = exposure(
        withEvents([
          {
            uid: '',
            observables: [
              { type_id: 10, value: '' },
              { type_id: 10, value: 42 },
            ],
          },
          { uid: 'a', observables: [{ type_id: 10, value: 'r' }] },
          {
            uid: 'a',
            observables: [
              { type_id: 10, value: 'r' },
              { type_id: 20, value: '203.0.113.7' },
            ],
          },
          { title: 'no uid' },
        ]),
      );
      expect([read.contributingFindingIds, read.contributingResourceIds]).toEqual([['a'], ['r']]);
    });

    it('has no traits, ports or contributing findings when it names none', () => {
      expect(exposure(makeOcsfExposure({ finding_info: { related_events: undefined } }))).toMatchObject({
        traits: [],
        reachable: false,
        reachablePorts: [],
        contributingFindingIds: [],
        contributingResourceIds: [],
      });
    });
  });

  it.each([
    [{ status_id: 1 }, true],
    [{ status_id: 2 }, true],
    [{ status_id: 3 }, true],
    [{ status_id: 4 }, false],
    [{ status_id: 5 }, false],
    [{ status_id: 1, activity_id: 3 }, false],
    [{ status_id: undefined, activity_id: 2 }, true],
  ])('%j: open %s', (overrides, open) => {
    expect(exposure(makeOcsfExposure(overrides)).open).toBe(open);
  });

  it.each([
    ['the modification time', {}, '2026-11-02T09:27:12.904Z'],
    [
      "the sample's odd key when there is no modification time",
      {
        finding_info: {
          modified_time_dt: undefined,
          'finding.info.modified_time_dt': '2026-11-02T09:26:00.000Z',
        },
      },
      '2026-11-02T09:26:00.000Z',
    ],
    ['then the event time', { finding_info: { modified_time_dt: undefined } }, '2026-11-02T09:27:12.904Z'],
    [
      'then the last sighting',
      { time_dt: undefined, finding_info: { modified_time_dt: undefined } },
      '2026-11-02T09:27:12.904Z',
    ],
    [
      'then the creation',
      { time_dt: undefined, finding_info: { modified_time_dt: undefined, last_seen_time_dt: undefined } },
      '2026-11-02T09:20:41.518Z',
    ],
    [
      'an offset, as UTC',
      { finding_info: { modified_time_dt: '2026-11-02T18:27:12+09:00' } },
      '2026-11-02T09:27:12.000Z',
    ],
  ])('updatedAt is %s', (_name, overrides, updatedAt) => {
    expect(exposure(makeOcsfExposure(overrides)).updatedAt).toBe(updatedAt);
  });

  it('takes the region of the first resource when the cloud names none', () => {
    expect(exposure(makeOcsfExposure({ cloud: { region: undefined } })).region).toBe('ap-northeast-1');
  });

  it.each([
    [
      'its title',
      {},
      'EC2 instance is reachable from the internet and has a vulnerability with a known exploit',
    ],
    [
      'its description without a title',
      { finding_info: { title: undefined } },
      'EC2 instance is reachable from the internet on port 22 and has a software vulnerability with a known exploit that can be exploited from a remote network',
    ],
    ['"Exposure" without either', { finding_info: { title: ' ', desc: undefined } }, 'Exposure'],
  ])('is titled by %s', (_name, overrides, title) => {
    expect(exposure(makeOcsfExposure(overrides)).title).toBe(title);
  });

  it.each([
    [
      'an instance by its ARN (uid_alt) and its uid',
      { type: 'AWS::EC2::Instance', uid: 'i-0abc1234def567891', uid_alt: INSTANCE_ARN },
      { id: INSTANCE_ARN, shortId: 'i-0abc1234def567891', type: 'AwsEc2Instance' },
    ],
    [
      'a bucket whose uid is its ARN',
      { type: 'AWS::S3::Bucket', uid: 'arn:aws:s3:::web-prod-assets' },
      { id: 'arn:aws:s3:::web-prod-assets', shortId: 'web-prod-assets', type: 'AwsS3Bucket' },
    ],
    [
      'an instance known only by its uid',
      { type: 'AWS::EC2::Instance', uid: 'i-0abc1234def567891' },
      { id: 'i-0abc1234def567891', shortId: 'i-0abc1234def567891', type: 'AwsEc2Instance' },
    ],
    [
      'a resource known only by its name',
      { type: 'AWS::EKS::Cluster', name: 'web-prod' },
      { id: 'web-prod', shortId: 'web-prod', type: 'AwsEksCluster' },
    ],
  ])('names %s', (_name, resource, expected) => {
    expect(exposure(makeOcsfExposure({ resources: [resource] })).resources).toEqual([expected]);
  });

  it('reads an analytic name in any case, with spaces around it', () => {
    expect(exposureOfOcsf(makeOcsfExposure({ finding_info: { analytic: { name: ' exposure ' } } })).ok).toBe(
      true,
    );
  });

  it.each([
    [
      'a GuardDuty threat (another analytic)',
      { finding_info: { analytic: { name: 'UnauthorizedAccess:EC2/SSHBruteForce', type: 'Rule' } } },
      'a Detection Finding of analytic "UnauthorizedAccess:EC2/SSHBruteForce" is not an exposure finding: only those of the Exposure analytic are',
    ],
    [
      'a Detection Finding without an analytic',
      { finding_info: { analytic: undefined } },
      'a Detection Finding of no analytic (finding_info.analytic.name) is not an exposure finding: only those of the Exposure analytic are',
    ],
    [
      'a compliance finding',
      { class_uid: 2003 },
      'OCSF class 2003 is not an exposure finding: only Detection Findings (class 2004) of the Exposure analytic are',
    ],
  ])('refuses %s in words', (_name, overrides, reason) => {
    expect(exposureOfOcsf(makeOcsfExposure(overrides))).toEqual({
      ok: false,
      reason,
      findingId:
        'arn:aws:securityhub:ap-northeast-1:111122223333:exposure/0b7d4e2a-91c3-4f58-a6e0-d2c8b5f13a97',
    });
  });

  it.each([
    ['no finding uid', { finding_info: { uid: undefined } }, /finding_info\.uid: /],
    [
      'an account id of 11 digits',
      { cloud: { account: { uid: '11112222333' } } },
      /cloud\.account\.uid: is not a 12-digit account id/,
    ],
    ['no product', { metadata: { product: { uid: '' } } }, /metadata\.product\.uid: /],
    ['no resources', { resources: [] }, /resources: /],
    [
      'a resource without any id',
      { resources: [{ type: 'AWS::EC2::Instance', region: 'ap-northeast-1' }] },
      /resources\.0\.uid: is missing, and so are uid_alt and name/,
    ],
    [
      'a resource ARN that is not text',
      { resources: [{ type: 'AWS::EC2::Instance', uid_alt: 42 }] },
      /resources\.0\.uid_alt: /,
    ],
    ['a resource without a type', { resources: [{ uid: 'i-0abc1234def567891' }] }, /resources\.0\.type: /],
    [
      'related events that are not a list',
      { finding_info: { related_events: { uid: 'x' } } },
      /finding_info\.related_events: /,
    ],
    [
      'a trait list that is not a list',
      { finding_info: { related_events: [{ uid: 'x', traits: 'Reachability' }] } },
      /finding_info\.related_events\.0\.traits: /,
    ],
    [
      'a bad modification time',
      { finding_info: { modified_time_dt: 'yesterday' } },
      /finding_info\.modified_time_dt is not a valid timestamp: "yesterday"/,
    ],
    [
      "a bad time under the sample's key",
      { finding_info: { modified_time_dt: undefined, 'finding.info.modified_time_dt': '2026-13-45' } },
      /finding_info\.finding\.info\.modified_time_dt is not a valid timestamp/,
    ],
    [
      'no time at all',
      {
        time_dt: undefined,
        finding_info: {
          modified_time_dt: undefined,
          last_seen_time_dt: undefined,
          created_time_dt: undefined,
        },
      },
      /finding_info\.modified_time_dt: is missing, and so are time_dt, finding_info\.last_seen_time_dt and finding_info\.created_time_dt/,
    ],
    [
      'no region anywhere',
      {
        cloud: { region: undefined },
        resources: [{ type: 'AWS::EC2::Instance', uid: 'i-0abc1234def567891' }],
      },
      /cloud\.region: is missing, and so is resources\.0\.region/,
    ],
  ])('skips %s as malformed, naming the field and keeping the finding id', (_name, overrides, reason) => {
    const raw = makeOcsfExposure(overrides);
    const uid = (raw['finding_info'] as { uid?: string }).uid;
    expect(exposureOfOcsf(raw)).toEqual({
      ok: false,
      reason: expect.stringMatching(/^OCSF exposure finding is malformed: /),
      ...(uid !== undefined && { findingId: uid }),
    });
    expect(exposureOfOcsf(raw)).toMatchObject({ reason: expect.stringMatching(reason) });
  });

  it.each([['nope'], [null], [[makeOcsfExposure()]], [42]])(
    'never throws on %j, which is not an object',
    (raw) => {
      expect(exposureOfOcsf(raw)).toEqual({ ok: false, reason: 'OCSF finding is not an object' });
    },
  );
});

describe('portsNamedIn: the ports a reachability text names', () => {
  it.each<[string, string[]]>([
    ['Port 22 is reachable from an Internet Gateway - TCP', ['tcp/22']],
    ['Port 53 is reachable from an Internet Gateway - UDP', ['udp/53']],
    ['Port range 8000 - 8080 is reachable from an Internet Gateway - TCP', ['tcp/8000-8080']],
    ['port range 8000 - 8080', ['port 8000-8080']],
    ['port 22', ['port 22']],
    ['ports 22-25', ['port 22-25']],
    ['Security groups should not allow ingress from 0.0.0.0/0 or ::/0 to port 22', ['port 22']],
    ['tcp/22', ['tcp/22']],
    ['TCP/3389', ['tcp/3389']],
    ['tcp/8000-8080', ['tcp/8000-8080']],
    ['TCP port 3389', ['tcp/3389']],
    ['udp 53', ['udp/53']],
    ['UDP port range 500 - 4500', ['udp/500-4500']],
    // The protocol next to a port is its own, even when the text names another elsewhere.
    ['tcp/22 and udp 53 are open', ['tcp/22', 'udp/53']],
    ['port 53 over TCP and UDP', ['port 53']],
    ['port 22, then port 3389 - TCP', ['tcp/22', 'tcp/3389']],
    ['port 0', ['port 0']],
    ['port 65535', ['port 65535']],
    // Not ports: out of range, backwards, a port of nothing.
    ['port 65536', []],
    ['port 99999999999999999999', []],
    ['ports 25-22', []],
    ['port range 8000 - 70000', []],
    ['Reachable From An Internet Gateway', []],
    ['The port is open - TCP', []],
    ['export 22 rows', []],
    ['', []],
  ])('%j → %j', (text, ports) => {
    expect(portsNamedIn(text)).toEqual(ports);
  });
});

describe('findingsFromImportedV2Event with an exposure finding', () => {
  it('reads an exposure as an exposure and a compliance finding as a finding', () => {
    const findings = (raw: unknown) => findingsFromImportedV2Event(makeImportedV2Event([raw])).findings;
    expect(findings(makeOcsfExposure())).toEqual([
      { ok: true, exposure: expect.objectContaining({ reachablePorts: ['tcp/22'] }) },
    ]);
    expect(findings(makeOcsfFinding())).toEqual([
      { ok: true, finding: expect.objectContaining({ controlId: 'EC2.13' }) },
    ]);
  });

  it('refuses a Detection Finding of another analytic in words', () => {
    const guardDuty = makeOcsfExposure({
      finding_info: { analytic: { name: 'Recon:EC2/PortProbeUnprotectedPort' } },
    });
    expect(findingsFromImportedV2Event(makeImportedV2Event([guardDuty])).findings).toEqual([
      {
        ok: false,
        reason: expect.stringContaining('is not an exposure finding'),
        findingId: expect.stringContaining(':exposure/'),
      },
    ]);
  });
});
