import { compileRules, MAX_DEPTH } from './rule-compiler';
import { problemsOf } from '../../test/harness/problems';

const now = new Date('2026-11-23T12:00:00Z');
const compile = (rules: unknown) => compileRules(rules, now);
const problems = (rules: unknown) => problemsOf(() => compile(rules));
const condition = (attribute: string, op: string, value?: unknown) => ({ attribute, op, value });

describe('compileRules: each operator', () => {
  it.each([
    [condition('city', 'eq', 'Lyon'), { 'attributes.city': { $eq: 'Lyon' } }],
    [condition('vip', 'ne', true), { 'attributes.vip': { $ne: true } }],
    [condition('city', 'in', ['Lyon', 'Paris']), { 'attributes.city': { $in: ['Lyon', 'Paris'] } }],
    [condition('city', 'nin', ['Lyon']), { 'attributes.city': { $nin: ['Lyon'] } }],
    [condition('orders', 'gt', 2), { 'attributes.orders': { $gt: 2 } }],
    [condition('orders', 'gte', 3), { 'attributes.orders': { $gte: 3 } }],
    [condition('orders', 'lt', 10), { 'attributes.orders': { $lt: 10 } }],
    [condition('orders', 'lte', 9.5), { 'attributes.orders': { $lte: 9.5 } }],
    [condition('psid', 'exists', true), { psid: { $exists: true } }],
    [condition('email', 'exists', false), { 'attributes.email': { $exists: false } }],
    [
      condition('firstName', 'contains', 'an.a*'),
      { firstName: { $regex: 'an\\.a\\*', $options: 'i' } },
    ],
    [
      condition('firstName', 'startsWith', '(A)'),
      { firstName: { $regex: '^\\(A\\)', $options: 'i' } },
    ],
    [
      condition('signed_up', 'before', '2026-01-01'),
      { 'attributes.signed_up': { $lt: new Date('2026-01-01T00:00:00Z') } },
    ],
    [
      condition('createdAt', 'after', '2026-11-01T09:00:00Z'),
      { createdAt: { $gt: new Date('2026-11-01T09:00:00Z') } },
    ],
    [
      condition('lastInboundAt', 'withinLastDays', 7),
      { lastInboundAt: { $gte: new Date('2026-11-16T12:00:00Z') } },
    ],
    [
      condition('lastInboundAt', 'eq', '2026-11-20'),
      { lastInboundAt: { $eq: new Date('2026-11-20T00:00:00Z') } },
    ],
    [condition('attributes.city', 'eq', 'Lyon'), { 'attributes.city': { $eq: 'Lyon' } }],
  ])('%j compiles to %j', (rule, filter) => {
    expect(compile(rule)).toEqual(filter);
  });

  it('compiles all, any and not groups', () => {
    expect(
      compile({
        all: [
          condition('city', 'eq', 'Lyon'),
          { any: [condition('vip', 'eq', true), { not: condition('orders', 'lt', 1) }] },
        ],
      }),
    ).toEqual({
      $and: [
        { 'attributes.city': { $eq: 'Lyon' } },
        {
          $or: [
            { 'attributes.vip': { $eq: true } },
            { $nor: [{ 'attributes.orders': { $lt: 1 } }] },
          ],
        },
      ],
    });
  });

  it(`accepts nesting ${MAX_DEPTH} deep`, () => {
    let rule: unknown = condition('city', 'eq', 'Lyon');
    for (let depth = 0; depth < MAX_DEPTH; depth += 1) rule = { all: [rule] };
    expect(() => compile(rule)).not.toThrow();
  });
});

describe('compileRules: each rejection names the path of the bad rule', () => {
  it.each([
    ['an unknown op', { all: [condition('city', 'regex', 'x')] }, 'rules.all[0].op'],
    ['eq with an object', condition('city', 'eq', { $gt: '' }), 'rules.value'],
    ['gt with a string', condition('orders', 'gt', '3'), 'rules.value'],
    ['in with an empty list', condition('city', 'in', []), 'rules.value'],
    ['in with an object inside', condition('city', 'in', [{ $ne: 1 }]), 'rules.value'],
    ['exists with a string', condition('city', 'exists', 'yes'), 'rules.value'],
    ['before with a non-date', condition('signed_up', 'before', 'tomorrow'), 'rules.value'],
    [
      'a date built-in with a non-date',
      condition('lastInboundAt', 'eq', 'yesterday'),
      'rules.value',
    ],
    [
      'withinLastDays with a negative',
      condition('lastInboundAt', 'withinLastDays', -1),
      'rules.value',
    ],
    ['contains with an empty string', condition('city', 'contains', ''), 'rules.value'],
    ['an empty group', { all: [] }, 'rules.all'],
    ['a group with extra keys', { all: [condition('a', 'eq', 1)], any: [] }, 'rules'],
    ['a condition with extra keys', { ...condition('a', 'eq', 1), $where: 'sleep(1)' }, 'rules'],
    ['$where as a group', { $where: 'function() { return true }' }, 'rules'],
    ['$function smuggled as an attribute', condition('$function', 'eq', 1), 'rules.attribute'],
    ['an operator as an attribute', condition('$where', 'exists', true), 'rules.attribute'],
    ['__proto__', condition('__proto__', 'eq', 1), 'rules.attribute'],
    ['constructor', condition('constructor', 'eq', 1), 'rules.attribute'],
    ['a dotted attribute', condition('address.city', 'eq', 'Lyon'), 'rules.attribute'],
    ['a dotted path into attributes', condition('attributes.a.b', 'eq', 1), 'rules.attribute'],
    ['a non-string attribute', condition(42 as unknown as string, 'eq', 1), 'rules.attribute'],
    ['an array as the root', [condition('a', 'eq', 1)], 'rules'],
  ])('%s', (_name, rules, field) => {
    expect(problems(rules)).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
  });

  it(`refuses nesting deeper than ${MAX_DEPTH}`, () => {
    let rule: unknown = condition('city', 'eq', 'Lyon');
    for (let depth = 0; depth <= MAX_DEPTH; depth += 1) rule = { any: [rule] };
    expect(problems(rule)[0].reason).toMatch(/deeper than 5/);
  });

  it('refuses a value that is a query operator object even inside groups', () => {
    expect(
      problems({ any: [condition('a', 'eq', 1), condition('b', 'ne', { $where: '1' })] }),
    ).toEqual([expect.objectContaining({ field: 'rules.any[1].value' })]);
  });

  it('never lets a client key through: output holds only compiler-made keys', () => {
    const output = JSON.stringify(
      compile({ all: [condition('city', 'eq', '$where'), condition('n', 'in', ['$gt'])] }),
    );
    expect(output).toBe(
      '{"$and":[{"attributes.city":{"$eq":"$where"}},{"attributes.n":{"$in":["$gt"]}}]}',
    );
  });
});
