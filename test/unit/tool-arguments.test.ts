// How the registry reads tool arguments before validating them: a top-level null stands for "not given"
// (the official server's None defaults) unless the tool says what null means for that parameter.
import { describe, expect, it } from 'vitest';
import { withoutNulls } from '../../src/mcp/tool-registry.js';

describe('withoutNulls', () => {
  it('drops top-level nulls and keeps every other value, falsy ones included', () => {
    expect(withoutNulls({ a: null, b: 0, c: '', d: false, e: 'x' })).toEqual({ b: 0, c: '', d: false, e: 'x' });
  });

  it('replaces a null with what the tool says it stands for, and only that one', () => {
    expect(withoutNulls({ voice_id: null, llm: null }, { voice_id: '' })).toEqual({ voice_id: '' });
    // A given value is kept as written.
    expect(withoutNulls({ voice_id: 'v1' }, { voice_id: '' })).toEqual({ voice_id: 'v1' });
  });

  it('leaves nested nulls to the schema (only top-level arguments mean "not given")', () => {
    const args = { paths: [null], plan: { chunks: null } };
    expect(withoutNulls(args)).toBe(args);
  });

  it('returns the same object when there is no null, and never changes the caller\'s object', () => {
    const clean = { a: 1 };
    expect(withoutNulls(clean)).toBe(clean);
    const dirty = { a: null, b: 1 };
    expect(withoutNulls(dirty)).toEqual({ b: 1 });
    expect(dirty).toEqual({ a: null, b: 1 });
  });

  it('passes non-objects through for the schema to refuse', () => {
    expect(withoutNulls(null)).toBeNull();
    expect(withoutNulls([null])).toEqual([null]);
    expect(withoutNulls('x')).toBe('x');
  });

  it('ignores nullAs keys inherited from the prototype', () => {
    expect(withoutNulls({ toString: null })).toEqual({});
  });
});
