import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../src/domain/canonical-json.js';

describe('canonicalJson', () => {
  it('is the same whatever order the keys come in, at every depth', () => {
    const stored = { b: 1, a: { y: [1, { q: 2, p: 1 }], x: 'x' } };
    const reordered = { a: { x: 'x', y: [1, { p: 1, q: 2 }] }, b: 1 };
    expect(canonicalJson(stored)).toBe(canonicalJson(reordered));
    expect(canonicalJson(stored)).toBe('{"a":{"x":"x","y":[1,{"p":1,"q":2}]},"b":1}');
  });

  it('keeps the order of arrays and tells different values apart', () => {
    expect(canonicalJson([1, 2])).not.toBe(canonicalJson([2, 1]));
    expect(canonicalJson({ a: '1' })).not.toBe(canonicalJson({ a: 1 }));
    expect(canonicalJson(null)).toBe('null');
  });
});
