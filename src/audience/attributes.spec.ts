import {
  describeAttributes,
  attributeFromJson,
  attributeNameProblem,
  mergeAttributes,
  parseIsoDate,
  parseTypedCell,
  sameAttributeValue,
} from './attributes';

describe('attributes', () => {
  it.each(['city', 'orders_2026', '_private', 'A'])('accepts the name %p', (name) =>
    expect(attributeNameProblem(name)).toBeUndefined(),
  );
  it.each([
    '',
    '2fa',
    'a.b',
    '$gt',
    'a-b',
    'prototype',
    'constructor',
    '__proto__',
    'x'.repeat(65),
  ])('refuses the name %p', (name) => expect(attributeNameProblem(name)).toBeDefined());

  it('parses numbers strictly', () => {
    expect(parseTypedCell(' 42 ', 'number')).toEqual({ value: 42 });
    expect(parseTypedCell('-1.5e3', 'number')).toEqual({ value: -1500 });
    for (const bad of ['', '0x10', 'Infinity', 'NaN', '1 000', '12abc'])
      expect(parseTypedCell(bad, 'number')).toHaveProperty('problem');
  });

  it('parses dates as ISO 8601 only', () => {
    expect(parseIsoDate('2026-11-23')).toEqual(new Date('2026-11-23T00:00:00Z'));
    expect(parseIsoDate('2026-11-23T10:00:00+01:00')).toEqual(new Date('2026-11-23T09:00:00Z'));
    expect(parseIsoDate('2026-02-30')).toBeUndefined();
    expect(parseIsoDate('23/11/2026')).toBeUndefined();
  });

  it('reads JSON values and turns ISO date strings into dates', () => {
    expect(attributeFromJson('Lyon')).toEqual({ value: 'Lyon' });
    expect(attributeFromJson(3)).toEqual({ value: 3 });
    expect(attributeFromJson(false)).toEqual({ value: false });
    expect(attributeFromJson('2026-01-15')).toEqual({ value: new Date('2026-01-15T00:00:00Z') });
    for (const bad of [null, {}, [], Number.NaN, 'x'.repeat(2001)])
      expect(attributeFromJson(bad)).toHaveProperty('problem');
  });

  it('compares dates by time', () => {
    expect(sameAttributeValue(new Date(5), new Date(5))).toBe(true);
    expect(sameAttributeValue(new Date(5), 5)).toBe(false);
    expect(sameAttributeValue('a', 'a')).toBe(true);
  });

  it('merges within the cap: null removes, and the cap counts the result', () => {
    expect(mergeAttributes({ a: 1, b: 2 }, { b: null, c: 3 })).toEqual({
      attributes: { a: 1, c: 3 },
    });
    const names = (count: number, prefix: string) =>
      Object.fromEntries(Array.from({ length: count }, (_, index) => [`${prefix}${index}`, 1]));
    expect(mergeAttributes(names(60, 'a'), names(40, 'b'))).toHaveProperty('attributes');
    expect(mergeAttributes(names(60, 'a'), names(41, 'b'))).toEqual({
      problem: 'at most 100 attributes (the merge would make 101)',
    });
  });
});

describe('describeAttributes', () => {
  it('names each attribute with its usual type, how many hold it, and a few distinct examples', () => {
    const signedUp = new Date('2026-01-15T00:00:00Z');
    const summary = describeAttributes([
      { city: 'Lyon', orders: 3, vip: true, signed_up: signedUp },
      { city: 'Nice', orders: 5 },
      { city: 'Lyon', orders: 'many' },
      undefined,
      ...Array.from({ length: 10 }, (_, i) => ({ code: `c${i}` })),
    ]);
    expect(summary).toEqual([
      { name: 'city', type: 'string', users: 3, examples: ['Lyon', 'Nice'] },
      { name: 'code', type: 'string', users: 10, examples: ['c0', 'c1', 'c2', 'c3', 'c4'] },
      { name: 'orders', type: 'number', users: 3, examples: [3, 5, 'many'] },
      { name: 'signed_up', type: 'date', users: 1, examples: [signedUp] },
      { name: 'vip', type: 'boolean', users: 1, examples: [true] },
    ]);
  });
});
