import { describe, expect, it } from 'vitest';
import type { NetworkReach } from '../../../src/domain/reachability.js';
import {
  concernsFinding,
  disagreeingVerdict,
  exposureFor,
  ownReachVerdictOf,
  sameExposure,
  shortIdOfArn,
} from '../../../src/domain/security-hub-exposure.js';
import { triage } from '../../../src/domain/triage.js';
import type { Finding } from '../../../src/domain/finding.js';
import {
  EC2_13_GROUP_ARN,
  EXPOSED_INSTANCE_ARN,
  EXPOSED_INSTANCE_ID,
  EXPOSED_INSTANCE_INTERFACE,
  makeExposure,
} from '../../fixtures/exposure.js';
import { makeFinding } from '../../fixtures/finding.js';

function reviewed(finding: Finding, reach?: NetworkReach) {
  return { finding, triage: triage(finding, reach ? { reach } : undefined) };
}

/** Another security group's EC2.13 finding: not a contributing finding, not a contributing resource. */
const otherGroup = makeFinding({
  id: 'arn:aws:securityhub:ap-northeast-1:111122223333:security-control/EC2.13/finding/0000-other',
  resource: {
    type: 'AwsEc2SecurityGroup',
    id: 'arn:aws:ec2:ap-northeast-1:111122223333:security-group/sg-0fff1234def567890',
    shortId: 'sg-0fff1234def567890',
    region: 'ap-northeast-1',
    partition: 'aws',
  },
});

const instanceFinding = makeFinding({
  id: 'arn:aws:securityhub:ap-northeast-1:111122223333:security-control/EC2.8/finding/0000-imds',
  controlId: 'EC2.8',
  resource: {
    type: 'AwsEc2Instance',
    id: EXPOSED_INSTANCE_ARN,
    shortId: EXPOSED_INSTANCE_ID,
    region: 'ap-northeast-1',
    partition: 'aws',
  },
  details: { kind: 'instance', instanceId: EXPOSED_INSTANCE_ID, httpTokens: 'optional' },
});

describe('which control findings an exposure finding concerns', () => {
  it('a contributing finding, by its own id or its other copy', () => {
    const exposure = makeExposure({ contributingResourceIds: [] });
    expect(concernsFinding(exposure, reviewed(makeFinding()))).toBe(true);
    const copy = makeFinding({
      id: 'arn:aws:securityhub:ap-northeast-1:111122223333:security-control/EC2.13/finding/asff-copy',
      resource: otherGroup.resource,
      counterpart: { id: exposure.contributingFindingIds[0]!, productArn: exposure.productArn },
    });
    expect(concernsFinding(exposure, reviewed(copy))).toBe(true);
  });

  it('the exposed resource itself, by ARN or by the short id OCSF may carry instead', () => {
    expect(concernsFinding(makeExposure({ contributingFindingIds: [] }), reviewed(instanceFinding))).toBe(
      true,
    );
    const byShortId = makeExposure({
      contributingFindingIds: [],
      resources: [{ id: EXPOSED_INSTANCE_ID, shortId: EXPOSED_INSTANCE_ID, type: 'AwsEc2Instance' }],
    });
    expect(concernsFinding(byShortId, reviewed(instanceFinding))).toBe(true);
  });

  it('a contributing resource: the group that opens the path', () => {
    const exposure = makeExposure({
      contributingFindingIds: [],
      contributingResourceIds: [EC2_13_GROUP_ARN],
    });
    expect(concernsFinding(exposure, reviewed(makeFinding()))).toBe(true);
  });

  it('a group the bot itself found in front of the exposed instance', () => {
    const exposure = makeExposure({ contributingFindingIds: [], contributingResourceIds: [] });
    expect(concernsFinding(exposure, reviewed(otherGroup))).toBe(false);
    expect(
      concernsFinding(
        exposure,
        reviewed(otherGroup, { kind: 'internet', via: [EXPOSED_INSTANCE_INTERFACE] }),
      ),
    ).toBe(true);
  });

  it('never across accounts or regions, nor an unrelated group', () => {
    expect(concernsFinding(makeExposure(), reviewed(otherGroup))).toBe(false);
    expect(concernsFinding(makeExposure({ accountId: '444455556666' }), reviewed(makeFinding()))).toBe(false);
    expect(concernsFinding(makeExposure({ region: 'eu-west-1' }), reviewed(makeFinding()))).toBe(false);
  });
});

describe('what a finding keeps of the exposure', () => {
  it('names the exposed instance when it is not the finding resource', () => {
    expect(exposureFor(makeExposure(), makeFinding())).toMatchObject({
      reachable: true,
      ports: ['tcp/22'],
      resourceShortId: EXPOSED_INSTANCE_ID,
      sameResource: false,
    });
    expect(exposureFor(makeExposure(), instanceFinding)).toMatchObject({ sameResource: true });
  });

  it('a resolved exposure is not reachable, whatever its traits said', () => {
    expect(exposureFor(makeExposure({ open: false }), makeFinding())).toMatchObject({
      open: false,
      reachable: false,
    });
  });

  it('is the same exposure when stored with its keys in another order (DynamoDB keeps no map order)', () => {
    const kept = exposureFor(makeExposure(), makeFinding());
    const reordered = Object.fromEntries(Object.entries(kept).reverse()) as typeof kept;
    expect(sameExposure(kept, reordered)).toBe(true);
    expect(sameExposure(kept, { ...reordered, ports: ['tcp/3389'] })).toBe(false);
    expect(sameExposure(kept, undefined)).toBe(false);
  });

  it('short ids of ARNs', () => {
    expect(shortIdOfArn(EXPOSED_INSTANCE_ARN)).toBe(EXPOSED_INSTANCE_ID);
    expect(shortIdOfArn('arn:aws:s3:::my-bucket')).toBe('my-bucket');
    expect(shortIdOfArn('arn:aws:lambda:us-east-1:123456789012:function:checkout')).toBe('checkout');
    expect(shortIdOfArn('i-0abc')).toBe('i-0abc');
  });
});

describe('when Security Hub and the bot disagree on reachability', () => {
  const finding = makeFinding();
  const own = (reach: NetworkReach) => ownReachVerdictOf(triage(finding, { reach }));
  const reachable = exposureFor(makeExposure(), finding);
  const noPath = exposureFor(makeExposure({ reachable: false, traits: ['Vulnerability'] }), finding);

  it('Security Hub finds a path, the bot finds private subnets only', () => {
    expect(disagreeingVerdict(reachable, own({ kind: 'private', attachments: 2 }))).toEqual({
      kind: 'not-reachable',
      why: 'private',
    });
  });

  it('the bot finds a path, Security Hub names none (or resolved its exposure)', () => {
    const internet = own({ kind: 'internet', via: [EXPOSED_INSTANCE_INTERFACE] });
    expect(disagreeingVerdict(noPath, internet)).toEqual({ kind: 'reachable', ports: ['tcp/22'] });
    const resolved = exposureFor(makeExposure({ open: false }), finding);
    expect(disagreeingVerdict(resolved, internet)).toMatchObject({ kind: 'reachable' });
  });

  it('no disagreement when both agree or the bot made no verdict', () => {
    expect(
      disagreeingVerdict(reachable, own({ kind: 'internet', via: [EXPOSED_INSTANCE_INTERFACE] })),
    ).toBeUndefined();
    expect(disagreeingVerdict(noPath, own({ kind: 'unattached' }))).toBeUndefined();
    expect(disagreeingVerdict(reachable, own({ kind: 'unknown', reason: 'not checked' }))).toBeUndefined();
    expect(disagreeingVerdict(reachable, ownReachVerdictOf(triage(instanceFinding)))).toBeUndefined();
  });
});
