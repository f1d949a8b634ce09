import { describe, expect, it } from 'vitest';
import {
  ACCEPT_RISK_ACTION,
  ACCOUNT_FIX_ACTION,
  FINDING_ACTIONS,
  InvalidFindingKeyError,
  REMEDIATE_ACTION,
  REOPEN_ACTION,
  REVOKE_ACCEPTANCE_ACTION,
  SUPPRESS_ACTION,
  findingButtonValue,
  parseFindingButtonValue,
} from '../../../blocks/action-ids.js';
import { BLOCK_LIMITS } from '../../../blocks/limits.js';
import { makeFinding } from '../../fixtures/finding.js';

describe('action ids', () => {
  it('are distinct and within the action_id limit', () => {
    expect(new Set(FINDING_ACTIONS).size).toBe(FINDING_ACTIONS.length);
    expect([
      REMEDIATE_ACTION,
      SUPPRESS_ACTION,
      ACCEPT_RISK_ACTION,
      REOPEN_ACTION,
      REVOKE_ACCEPTANCE_ACTION,
      ACCOUNT_FIX_ACTION,
    ]).toEqual([...FINDING_ACTIONS]);
    for (const id of FINDING_ACTIONS) expect(id.length).toBeLessThanOrEqual(BLOCK_LIMITS.actionId);
  });
});

describe('findingButtonValue', () => {
  it.each([
    ['an ASFF control finding id', makeFinding().id],
    ['a key with quotes and backslashes', 'prowler-"x"\\y'],
    ['a non-ASCII key', 'finding/重要/🔥'],
  ])('round-trips %s through parseFindingButtonValue', (_, key) => {
    expect(parseFindingButtonValue(findingButtonValue(key))).toBe(key);
  });

  it('carries only the key', () => {
    expect(JSON.parse(findingButtonValue('f-1'))).toEqual({ k: 'f-1' });
  });

  it('fits the button value limit for the longest key, even one made of characters JSON escapes', () => {
    const value = findingButtonValue('"'.repeat(512));

    expect(value.length).toBeLessThanOrEqual(BLOCK_LIMITS.buttonValue);
  });

  it.each([
    ['empty', ''],
    ['longer than 512 characters', 'a'.repeat(513)],
    ['with a control character', 'a\u0000b'],
    ['with a lone surrogate', 'a\uD800b'],
  ])('refuses a key that is %s', (_, key) => {
    expect(() => findingButtonValue(key)).toThrow(InvalidFindingKeyError);
  });
});

describe('parseFindingButtonValue', () => {
  it.each([
    ['undefined', undefined],
    ['a number', 42],
    ['an object instead of a string', { k: 'f-1' }],
    ['not JSON', 'f-1'],
    ['JSON null', 'null'],
    ['a JSON array', '["f-1"]'],
    ['a JSON string', '"f-1"'],
    ['a non-string key', '{"k":1}'],
    ['an empty key', '{"k":""}'],
    ['an extra property', '{"k":"f-1","action":"remediate"}'],
    ['another property name', '{"key":"f-1"}'],
    ['whitespace', '{ "k": "f-1" }'],
    ['a duplicated property', '{"k":"f-1","k":"f-2"}'],
    ['an escaped spelling', '{"\\u006b":"f-1"}'],
    ['a key over 512 characters', JSON.stringify({ k: 'a'.repeat(513) })],
    ['a control character in the key', JSON.stringify({ k: 'a\u0007b' })],
    ['a value over 2000 characters', `{"k":"${'a'.repeat(2000)}"}`],
    ['a prototype key', '{"__proto__":"f-1"}'],
  ])('rejects %s', (_, value) => {
    expect(parseFindingButtonValue(value)).toBeUndefined();
  });
});
