import { describe, expect, it } from 'vitest';
import type { AccountImdsDefaults } from '../../../src/domain/account-imds-defaults.js';
import {
  planAccountImdsDefaults,
  verifyAccountImdsDefaults,
} from '../../../src/domain/account-imds-defaults.js';
import { CONTROL_CATALOG } from '../../../src/domain/control-catalog.js';
import type { PlanOptions } from '../../../src/domain/remediation-plan.js';
import { verifyRemediation } from '../../../src/domain/remediation-plan.js';
import { makeLaunchTemplateFinding } from '../../fixtures/autoscaling.js';
import { ACCOUNT, REGION, makeFinding } from '../../fixtures/finding.js';

const EC2_8 = CONTROL_CATALOG['EC2.8'];
const EC2_170 = CONTROL_CATALOG['EC2.170'];
const INSTANCE_ID = 'i-0a1b2c3d4e5f60001';
const instanceFinding = makeFinding({
  controlId: 'EC2.8',
  resource: {
    type: 'AwsEc2Instance',
    id: `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/${INSTANCE_ID}`,
    shortId: INSTANCE_ID,
    region: REGION,
    partition: 'aws',
  },
  details: { kind: 'none' },
});

const DEFAULT_OPTIONS: PlanOptions = { imdsHopLimit: 2 };

function defaults(overrides: Partial<AccountImdsDefaults> = {}): AccountImdsDefaults {
  return { accountId: ACCOUNT, region: REGION, managedBy: 'account', ...overrides };
}

describe('planAccountImdsDefaults, the account-wide fix of EC2.8 and EC2.170 (require-imdsv2-account-defaults)', () => {
  it.each([
    [
      'no preference at all (a fresh account): hop limit set to the configured 2',
      defaults(),
      DEFAULT_OPTIONS,
      { httpPutResponseHopLimit: 2 },
      'HttpTokens no preference → required, hop limit not set → 2',
    ],
    [
      'IMDSv1 allowed by default, hop limit 1: kept (never lowered, never raised past the default rule)',
      defaults({ httpTokens: 'optional', httpPutResponseHopLimit: 1 }),
      { imdsHopLimit: 1 },
      { httpPutResponseHopLimit: 1, hopLimitBefore: 1 },
      'HttpTokens optional → required, hop limit 1 (unchanged)',
    ],
    [
      'hop limit 3 with the default configuration: kept at 3',
      defaults({ httpTokens: 'optional', httpPutResponseHopLimit: 3 }),
      DEFAULT_OPTIONS,
      { httpPutResponseHopLimit: 3, hopLimitBefore: 3 },
      'hop limit 3 (unchanged)',
    ],
    [
      'hop limit 3 with the operator’s CSPM_IMDS_HOP_LIMIT=2: lowered, and said so',
      defaults({ httpTokens: 'optional', httpPutResponseHopLimit: 3 }),
      { imdsHopLimit: 2, imdsHopLimitSetByOperator: true },
      { httpPutResponseHopLimit: 2, hopLimitBefore: 3 },
      'hop limit 3 → 2',
    ],
    [
      'hop limit 2 with the operator’s 3: raised to 3',
      defaults({ httpTokens: 'optional', httpPutResponseHopLimit: 2 }),
      { imdsHopLimit: 3, imdsHopLimitSetByOperator: true },
      { httpPutResponseHopLimit: 3, hopLimitBefore: 2 },
      'hop limit 2 → 3',
    ],
  ])('plans from %s', (_case, current, options, planned, words) => {
    const outcome = planAccountImdsDefaults(instanceFinding, EC2_8, current, options);

    expect(outcome).toMatchObject({
      kind: 'plan',
      plan: { kind: 'require-imdsv2-account-defaults', accountId: ACCOUNT, region: REGION, ...planned },
      words: expect.stringContaining(words),
    });
    if (outcome.kind === 'plan' && !('hopLimitBefore' in planned))
      expect(outcome.plan).not.toHaveProperty('hopLimitBefore');
  });

  it('says in words what changes, what does not, and what stops working, before anything runs', () => {
    const outcome = planAccountImdsDefaults(
      instanceFinding,
      EC2_8,
      defaults({ httpTokens: 'optional', httpEndpoint: 'enabled' }),
      DEFAULT_OPTIONS,
    );

    if (outcome.kind !== 'plan') throw new Error(`expected a plan, got ${outcome.kind}`);
    expect(outcome.words).toBe(
      `Set the account default in ${ACCOUNT}/${REGION} to require IMDSv2 (HttpTokens optional → required, hop limit not set → 2) ` +
        'for instances launched from now on whose launch request, launch template or AMI does not choose otherwise. ' +
        'Kept as they are: metadata endpoint enabled, tags in metadata no preference.',
    );
    expect(outcome.notes).toEqual([
      'What stops working: software on instances launched from now on that still uses IMDSv1 gets 401 from the metadata service (unless their launch request, launch template or AMI allows IMDSv1).',
      `Not changed: running and stopped instances (${INSTANCE_ID} (this finding's instance) included, so this finding stays open: use Remediate for it), launch templates, launch configurations, and every Region but ${REGION}.`,
    ]);
  });

  it('keeps the other defaults in the plan, so the read-back can prove they did not move', () => {
    const outcome = planAccountImdsDefaults(
      instanceFinding,
      EC2_8,
      defaults({ httpTokens: 'optional', httpEndpoint: 'disabled', instanceMetadataTags: 'enabled' }),
      DEFAULT_OPTIONS,
    );

    expect(outcome).toMatchObject({
      kind: 'plan',
      plan: { keptDefaults: { httpEndpoint: 'disabled', instanceMetadataTags: 'enabled' } },
    });
  });

  it('names the launch template of an EC2.170 finding as not changed', () => {
    const finding = makeLaunchTemplateFinding();

    const outcome = planAccountImdsDefaults(finding, EC2_170, defaults(), DEFAULT_OPTIONS);

    expect(outcome.kind === 'plan' && outcome.notes[1]).toContain(
      `${finding.resource.shortId} (this finding's launch template) included, so this finding stays open`,
    );
  });

  it('warns when the operator’s hop limit lowers the account default', () => {
    const outcome = planAccountImdsDefaults(
      instanceFinding,
      EC2_8,
      defaults({ httpTokens: 'optional', httpPutResponseHopLimit: 3 }),
      { imdsHopLimit: 2, imdsHopLimitSetByOperator: true },
    );

    expect(outcome.kind === 'plan' && outcome.notes[0]).toContain('The hop limit goes down from 3 to 2');
  });

  it('never lowers the hop limit automatically, whatever the operator set', () => {
    const outcome = planAccountImdsDefaults(
      instanceFinding,
      EC2_8,
      defaults({ httpTokens: 'optional', httpPutResponseHopLimit: 3 }),
      { imdsHopLimit: 1, imdsHopLimitSetByOperator: true, automatic: true },
    );

    expect(outcome).toMatchObject({ kind: 'plan', plan: { httpPutResponseHopLimit: 3 } });
  });

  it('finds nothing to change when the account default already requires IMDSv2, and never calls that fixed', () => {
    const outcome = planAccountImdsDefaults(
      instanceFinding,
      EC2_8,
      defaults({ httpTokens: 'required', httpPutResponseHopLimit: 2 }),
      DEFAULT_OPTIONS,
    );

    expect(outcome).toEqual({
      kind: 'in-place',
      words: `the account default in ${ACCOUNT}/${REGION} already requires IMDSv2 for new instances (hop limit 2)`,
    });
  });

  it('refuses, in words a person can act on, when a declarative policy manages the defaults', () => {
    const outcome = planAccountImdsDefaults(
      instanceFinding,
      EC2_8,
      defaults({
        httpTokens: 'optional',
        managedBy: 'declarative-policy',
        managedExceptionMessage: 'IMDS settings are managed by the platform team',
      }),
      DEFAULT_OPTIONS,
    );

    expect(outcome).toEqual({
      kind: 'not-remediable',
      reason:
        `The IMDS defaults of ${ACCOUNT}/${REGION} are set by an AWS Organizations declarative policy, so the account cannot change them ` +
        '(the policy says: "IMDS settings are managed by the platform team"). Ask whoever manages your organization\'s declarative policies; ' +
        "Remediate still fixes this finding's resource.",
    });
  });
});

describe('verifyAccountImdsDefaults', () => {
  const planned = planAccountImdsDefaults(
    instanceFinding,
    EC2_8,
    defaults({ httpTokens: 'optional', httpEndpoint: 'enabled' }),
    DEFAULT_OPTIONS,
  );
  if (planned.kind !== 'plan') throw new Error('expected a plan');
  const { plan } = planned;

  it('verifies defaults read back as planned', () => {
    expect(
      verifyAccountImdsDefaults(
        plan,
        defaults({ httpTokens: 'required', httpPutResponseHopLimit: 2, httpEndpoint: 'enabled' }),
      ),
    ).toEqual({ verified: true });
  });

  it.each([
    [
      'IMDSv1 still allowed',
      defaults({ httpTokens: 'optional', httpPutResponseHopLimit: 2, httpEndpoint: 'enabled' }),
      'the account default HttpTokens is optional, not required',
    ],
    [
      'another hop limit',
      defaults({ httpTokens: 'required', httpPutResponseHopLimit: 1, httpEndpoint: 'enabled' }),
      'the account default hop limit is 1 instead of 2',
    ],
    [
      'a default the plan kept that changed',
      defaults({ httpTokens: 'required', httpPutResponseHopLimit: 2 }),
      'the account default httpEndpoint is no preference instead of enabled',
    ],
  ])('does not verify %s', (_case, after, why) => {
    expect(verifyAccountImdsDefaults(plan, after)).toEqual({
      verified: false,
      why: `${ACCOUNT}/${REGION}: ${why}`,
    });
  });

  it('is never verified against the finding’s own resource (the finding is not fixed by it)', () => {
    expect(
      verifyRemediation(plan, EC2_8, { kind: 'gone', resourceId: INSTANCE_ID, detail: 'terminated' }),
    ).toEqual({
      verified: false,
      why: "the account-wide IMDS defaults do not change this finding's resource",
    });
  });
});
