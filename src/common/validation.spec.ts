import { findPrototypeKey } from './validation';

describe('findPrototypeKey', () => {
  it('finds prototype keys at any depth and names their path', () => {
    expect(findPrototypeKey(JSON.parse('{"a": {"__proto__": {"x": 1}}}'))).toBe('a.__proto__');
    expect(findPrototypeKey({ items: [{ ok: 1 }, { constructor: 1 }] })).toBe(
      'items[1].constructor',
    );
    expect(findPrototypeKey({ rules: { all: [{ prototype: {} }] } })).toBe(
      'rules.all[0].prototype',
    );
  });

  it('passes ordinary bodies and values that merely say the words', () => {
    expect(
      findPrototypeKey({ name: '__proto__', list: ['constructor'], nested: { a: null } }),
    ).toBeUndefined();
    expect(findPrototypeKey('text')).toBeUndefined();
  });
});
