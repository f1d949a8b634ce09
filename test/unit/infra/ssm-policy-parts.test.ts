import { describe, expect, it } from 'vitest';
import {
  MAX_PARAMETER_VALUE_LENGTH,
  POLICY_PART_COUNT,
  POLICY_PART_PARAMETERS,
  policyParts,
} from '../../../infra/ssm-policy-parts.js';
import { BUCKET_POLICY_SIZE_LIMIT_BYTES } from '../../../src/domain/bucket-policy-document.js';
import { ANALYTICS_READ, CLOUDFRONT_READ, policyOf } from '../../fixtures/bucket-policy.js';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** A compact policy of about `length` characters (exactly, for a one-character `pad`) padded with `pad`. */
function policyOfLength(length: number, pad = 'x'): string {
  const shell = policyOf(
    `{"Sid":"Pad","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":""}`,
  );
  return shell.replace(
    '"Resource":""',
    `"Resource":"${pad.repeat(Math.floor((length - shell.length) / pad.length))}"`,
  );
}

describe('policyParts', () => {
  it.each([
    ['a short policy', policyOf(CLOUDFRONT_READ)],
    ['a policy of several parts', policyOf(CLOUDFRONT_READ, ANALYTICS_READ, CLOUDFRONT_READ, ANALYTICS_READ)],
    [
      'a pretty-printed policy',
      JSON.stringify(JSON.parse(policyOf(CLOUDFRONT_READ, ANALYTICS_READ)), null, 2),
    ],
    ['a policy at S3’s size limit', policyOfLength(BUCKET_POLICY_SIZE_LIMIT_BYTES)],
    ['a policy of spaces inside a string', policyOfLength(4000, 'ab     ')],
    ['a policy of characters outside the BMP', policyOfLength(3001, '𝄞')],
  ])('cuts %s into parts that join back to it exactly, none over 512 characters', (_case, policy) => {
    const parts = policyParts(policy);

    expect(parts?.join('')).toBe(policy);
    for (const part of parts ?? []) {
      expect(part.length).toBeLessThanOrEqual(MAX_PARAMETER_VALUE_LENGTH);
      expect(part).not.toBe('');
    }
    expect(parts!.length).toBeLessThanOrEqual(POLICY_PART_COUNT);
  });

  it('never cuts next to whitespace nor inside a surrogate pair', () => {
    const parts = policyParts(policyOfLength(4000, 'ab     𝄞')) ?? [];

    for (const [index, part] of parts.entries()) {
      if (index > 0) expect(part).toMatch(/^\S/u);
      if (index < parts.length - 1) expect(part).toMatch(/\S$/u);
      expect(part).not.toMatch(LONE_SURROGATE);
    }
  });

  it('gives up when 512 characters hold no place to cut', () => {
    expect(policyParts(policyOfLength(4000, 'a '))).toBeUndefined();
  });

  it('gives up when the policy needs more parts than the runbook has', () => {
    expect(policyParts(policyOfLength(POLICY_PART_COUNT * MAX_PARAMETER_VALUE_LENGTH + 1))).toBeUndefined();
    expect(policyParts(policyOfLength(POLICY_PART_COUNT * MAX_PARAMETER_VALUE_LENGTH))).toHaveLength(
      POLICY_PART_COUNT,
    );
  });

  it('names the parts as the runbook declares them', () => {
    expect(POLICY_PART_PARAMETERS).toHaveLength(POLICY_PART_COUNT);
    expect(POLICY_PART_PARAMETERS[0]).toBe('PolicyPart01');
    expect(POLICY_PART_PARAMETERS.at(-1)).toBe('PolicyPart42');
  });
});
