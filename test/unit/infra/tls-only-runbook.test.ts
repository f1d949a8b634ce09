import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { BUCKET_POLICY_SIZE_LIMIT_BYTES } from '../../../src/domain/bucket-policy-document.js';

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
