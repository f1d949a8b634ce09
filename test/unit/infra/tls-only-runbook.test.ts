import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SSM_DOCUMENTS, SsmParametersError, ssmParametersFor } from '../../../infra/ssm-documents.js';
import { BUCKET_POLICY_SIZE_LIMIT_BYTES } from '../../../src/domain/bucket-policy-document.js';
import type { TlsOnlyBucketPolicyPlan } from '../../../src/domain/remediation-plan-types.js';
import { planTlsOnlyBucketPolicy } from '../../../src/domain/tls-only-plan.js';
import {
  ANALYTICS_READ,
  CLOUDFRONT_READ,
  DENY_OLD_TLS,
  POLICY_BUCKET,
  makeTlsOnlyFinding,
  policyOf,
} from '../../fixtures/bucket-policy.js';
import { ACCOUNT } from '../../fixtures/finding.js';

interface Parameter {
  readonly type: string;
  readonly default?: string;
  readonly allowedPattern: string;
}

interface Step {
  readonly name: string;
  readonly inputs: Readonly<Record<string, unknown>>;
}

const document = parse(
  readFileSync(
    new URL('../../../infra/ssm/CspmBot-RequireTlsOnlyBucketPolicy.yaml', import.meta.url),
    'utf8',
  ),
) as { parameters: Record<string, Parameter>; mainSteps: Step[] };

const partNames = Object.keys(document.parameters).filter((name) => name.startsWith('PolicyPart'));
const put = document.mainSteps.find((step) => step.name === 'PutPolicy')!;

// StartAutomationExecution takes at most 512 characters per parameter value (SSM API reference), so the policy
// arrives in parts that the Put step joins.
describe('CspmBot-RequireTlsOnlyBucketPolicy', () => {
  it('puts the parts joined in order, with nothing between them', () => {
    expect(put.inputs['Policy']).toBe(partNames.map((name) => `{{ ${name} }}`).join(''));
    expect(partNames).toEqual(
      partNames.map((_name, index) => `PolicyPart${String(index + 1).padStart(2, '0')}`),
    );
  });

  it('has room for a policy at S3’s size limit, each part up to 512 characters and empty when unused', () => {
    expect(partNames.length * 512).toBeGreaterThanOrEqual(BUCKET_POLICY_SIZE_LIMIT_BYTES);
    for (const name of partNames) {
      const part = document.parameters[name]!;
      const pattern = new RegExp(part.allowedPattern);
      expect(part.type, name).toBe('String');
      expect(part.default, name).toBe('');
      expect(pattern.test(''), name).toBe(true);
      expect(pattern.test(`{"a":\n"${'x'.repeat(503)}"}`), name).toBe(true);
      expect(pattern.test('x'.repeat(513)), name).toBe(false);
    }
  });

  it('puts and reads back only the named bucket, refused unless the expected account owns it', () => {
    expect(document.mainSteps.map((step) => [step.inputs['Service'], step.inputs['Api']])).toEqual([
      ['s3', 'PutBucketPolicy'],
      ['s3', 'GetBucketPolicy'],
    ]);
    for (const step of document.mainSteps) {
      expect(step.inputs['Bucket']).toBe('{{ BucketName }}');
      expect(step.inputs['ExpectedBucketOwner']).toBe('{{ ExpectedBucketOwner }}');
    }
    expect(put.inputs).not.toHaveProperty('ConfirmRemoveSelfBucketAccess');
  });
});

const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/cspm-bot/CspmBotRemediation`;

function planFrom(policy: string): TlsOnlyBucketPolicyPlan {
  const outcome = planTlsOnlyBucketPolicy(makeTlsOnlyFinding(), {
    bucketName: POLICY_BUCKET,
    partition: 'aws',
    policy,
  });
  if (outcome.kind !== 'plan') throw new Error(`expected a plan, got ${outcome.kind}`);
  return outcome.plan;
}

describe('ssmParametersFor a TLS-only bucket policy plan', () => {
  it.each([
    ['one part', policyOf(ANALYTICS_READ)],
    [
      'several parts',
      policyOf(CLOUDFRONT_READ, ANALYTICS_READ, DENY_OLD_TLS, CLOUDFRONT_READ, ANALYTICS_READ),
    ],
  ])(
    'passes the bucket, its owner and the planned policy in %s that the Put step joins back byte for byte',
    (_case, current) => {
      const plan = planFrom(current);

      const { documentName, parameters } = ssmParametersFor(plan, ROLE_ARN);

      expect(documentName).toBe(SSM_DOCUMENTS['require-tls-only-bucket-policy'].name);
      expect(parameters).toMatchObject({
        AutomationAssumeRole: [ROLE_ARN],
        BucketName: [POLICY_BUCKET],
        ExpectedBucketOwner: [ACCOUNT],
      });
      const passedParts = partNames.filter((name) => name in parameters);
      // The Put step's input with the passed values in, and the parts not passed at their default (empty).
      const joined = String(put.inputs['Policy']).replace(
        /\{\{ (PolicyPart\d\d) \}\}/g,
        (_reference, name: string) => parameters[name]?.[0] ?? '',
      );
      expect(joined).toBe(plan.policy);
      expect(passedParts).toEqual(partNames.slice(0, passedParts.length));
      for (const name of passedParts) {
        expect(parameters[name]).toHaveLength(1);
        expect(parameters[name]![0]).toMatch(new RegExp(document.parameters[name]!.allowedPattern));
      }
    },
  );

  it('refuses a policy longer than the parts hold, and says to use the direct executor', () => {
    const plan = {
      ...planFrom(policyOf(ANALYTICS_READ)),
      policy: `{"Statement":[],"Id":"${'x'.repeat(partNames.length * 512)}"}`,
    };

    expect(() => ssmParametersFor(plan, ROLE_ARN)).toThrow(SsmParametersError);
    expect(() => ssmParametersFor(plan, ROLE_ARN)).toThrow('use the direct executor (CSPM_EXECUTOR=direct)');
  });
});
