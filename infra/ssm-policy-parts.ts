/**
 * StartAutomationExecution takes at most 512 characters per parameter value (SSM API reference, AutomationParameters),
 * and a bucket policy may be 20 KB, so CspmBot-RequireTlsOnlyBucketPolicy takes the policy in consecutive parts
 * (`PolicyPart01` … `PolicyPart42`) that its Put step joins in order.
 */
export const MAX_PARAMETER_VALUE_LENGTH = 512;

/** 42 × 512 characters: room for a policy at S3's limit (20,480 bytes) with slack for parts cut short. */
export const POLICY_PART_COUNT = 42;

export const POLICY_PART_PARAMETERS: readonly string[] = Array.from(
  { length: POLICY_PART_COUNT },
  (_unused, index) => `PolicyPart${String(index + 1).padStart(2, '0')}`,
);

const WHITESPACE = /\s/;

/**
 * The policy cut into parts of at most 512 characters that join back to exactly the policy. No cut falls next to
 * whitespace (it moves back until it falls between two other characters), so nothing on the way can trim a part at a
 * cut and change the text; a cut never splits a UTF-16 surrogate pair. `undefined` when the parts do not fit.
 */
export function policyParts(policy: string): string[] | undefined {
  const parts: string[] = [];
  let start = 0;
  while (start < policy.length) {
    let end = Math.min(start + MAX_PARAMETER_VALUE_LENGTH, policy.length);
    while (end < policy.length && end > start + 1 && !isCleanCut(policy, end)) end -= 1;
    if (end < policy.length && !isCleanCut(policy, end)) return undefined;
    parts.push(policy.slice(start, end));
    start = end;
  }
  return parts.length <= POLICY_PART_COUNT ? parts : undefined;
}

/** A cut before `index` leaves no whitespace at either side and no half of a surrogate pair. */
function isCleanCut(text: string, index: number): boolean {
  const before = text[index - 1]!;
  const after = text[index]!;
  const splitsPair = /[\uD800-\uDBFF]/.test(before);
  return !WHITESPACE.test(before) && !WHITESPACE.test(after) && !splitsPair;
}
