/**
 * The segment builder's pure rule helpers (no browser): the editor's tree to the
 * API's rules and back, and the API's `details[].field` paths to the rows they name.
 * Globals come from @jest/globals: the console's tsconfig has no jest types.
 */
import { describe, expect, it } from '@jest/globals';
import {
  attributeSuggestions,
  dayOf,
  localMidnight,
  newCondition,
  newGroup,
  parseRules,
  placeErrors,
  serialize,
  withField,
  withOp,
  type ConditionNode,
  type FieldType,
  type RuleNode,
} from './segment-rules';

/** A condition on `name` (an attribute unless it is one of the built-in fields named here). */
function cond(name: string, type: FieldType, op: ConditionNode['op'], text = ''): ConditionNode {
  const builtIn = ['psid', 'firstName', 'lastInboundAt', 'suppressed'].includes(name);
  return { ...newCondition(), source: builtIn ? 'builtin' : 'attribute', name, type, op, text };
}

const SPEC_RULES = {
  all: [
    { attribute: 'city', op: 'eq', value: 'Lyon' },
    { attribute: 'orders', op: 'gte', value: 3 },
    {
      any: [
        { attribute: 'vip', op: 'eq', value: true },
        { attribute: 'lastInboundAt', op: 'withinLastDays', value: 7 },
      ],
    },
  ],
};

const KNOWN = new Map<string, FieldType>([
  ['city', 'string'],
  ['orders', 'number'],
  ['vip', 'boolean'],
  ['signed_up', 'date'],
]);

/** The tree without its generated keys, to compare shapes. */
function shape(node: RuleNode): unknown {
  if (node.kind === 'group') return { mode: node.mode, children: node.children.map(shape) };
  const { key: _key, ...rest } = node;
  return rest;
}

describe('serialize', () => {
  it('writes the SPEC §9 example as the API has it', () => {
    const tree = newGroup('all', [
      cond('city', 'string', 'eq', 'Lyon'),
      cond('orders', 'number', 'gte', '3'),
      newGroup('any', [
        cond('vip', 'boolean', 'eq', 'true'),
        cond('lastInboundAt', 'date', 'withinLastDays', '7'),
      ]),
    ]);
    const { rules, incomplete } = serialize(tree);
    expect(rules).toEqual(SPEC_RULES);
    expect(incomplete).toBe(false);
  });

  it('writes has a value / has no value as exists true / false, with no value typed', () => {
    const tree = newGroup('any', [
      cond('psid', 'string', 'exists'),
      cond('city', 'string', 'notExists', 'left over'),
    ]);
    expect(serialize(tree)).toMatchObject({
      rules: {
        any: [
          { attribute: 'psid', op: 'exists', value: true },
          { attribute: 'city', op: 'exists', value: false },
        ],
      },
      incomplete: false,
    });
  });

  it('writes one value a line for is one of, numbers as numbers for a number attribute', () => {
    const tree = newGroup('all', [
      cond('city', 'string', 'in', 'Lyon\n  Paris \n\n'),
      cond('orders', 'number', 'nin', '1\n2.5\nmany'),
    ]);
    expect(serialize(tree).rules).toEqual({
      all: [
        { attribute: 'city', op: 'in', value: ['Lyon', 'Paris'] },
        { attribute: 'orders', op: 'nin', value: [1, 2.5, 'many'] },
      ],
    });
  });

  it('sends what is not a number as typed, so the API says why it is refused', () => {
    const tree = newGroup('all', [cond('orders', 'number', 'gte', 'three')]);
    expect(serialize(tree).rules).toEqual({
      all: [{ attribute: 'orders', op: 'gte', value: 'three' }],
    });
  });

  it('writes a none-of group as a not: over the one condition, or over an any of several', () => {
    const one = newGroup('all', [newGroup('none', [cond('firstName', 'string', 'eq', 'Ana')])]);
    expect(serialize(one).rules).toEqual({
      all: [{ not: { attribute: 'firstName', op: 'eq', value: 'Ana' } }],
    });
    const several = newGroup('none', [
      cond('city', 'string', 'eq', 'Lyon'),
      cond('vip', 'boolean', 'eq', 'false'),
    ]);
    expect(serialize(several).rules).toEqual({
      not: {
        any: [
          { attribute: 'city', op: 'eq', value: 'Lyon' },
          { attribute: 'vip', op: 'eq', value: false },
        ],
      },
    });
  });

  it('names an attribute that shares a built-in field’s name attributes.<name>', () => {
    const tree = newGroup('all', [
      { ...cond('psid', 'string', 'eq', 'x'), source: 'attribute' },
      cond('psid', 'string', 'eq', '1'),
    ]);
    expect(serialize(tree).rules).toEqual({
      all: [
        { attribute: 'attributes.psid', op: 'eq', value: 'x' },
        { attribute: 'psid', op: 'eq', value: '1' },
      ],
    });
  });

  it('says the rules are incomplete while a field, a value or a group’s conditions are missing', () => {
    expect(serialize(newGroup('all')).incomplete).toBe(true); // a new condition: no field
    expect(serialize(newGroup('all', [cond('city', 'string', 'eq', '  ')])).incomplete).toBe(true);
    expect(serialize(newGroup('all', [cond('city', 'string', 'in', '\n')])).incomplete).toBe(true);
    expect(
      serialize(newGroup('all', [cond('city', 'string', 'eq', 'x'), newGroup('any', [])]))
        .incomplete,
    ).toBe(true);
    expect(serialize(newGroup('all', [cond('city', 'string', 'eq', 'x')])).incomplete).toBe(false);
  });

  it('knows the path of every node in what it sends, longest first', () => {
    const first = cond('city', 'string', 'eq', 'Lyon');
    const inner = cond('vip', 'boolean', 'eq', 'true');
    const group = newGroup('any', [inner]);
    const root = newGroup('all', [first, group]);
    const { paths } = serialize(root);
    expect(new Map(paths)).toEqual(
      new Map([
        ['rules', root.key],
        ['rules.all', root.key],
        ['rules.all[0]', first.key],
        ['rules.all[1]', group.key],
        ['rules.all[1].any', group.key],
        ['rules.all[1].any[0]', inner.key],
      ]),
    );
    const lengths = paths.map(([path]) => path.length);
    expect(lengths).toEqual([...lengths].sort((a, b) => b - a));
  });
});

describe('parseRules', () => {
  it('reads saved rules back into the tree they were written from', () => {
    const tree = parseRules(SPEC_RULES, KNOWN);
    const attribute = { kind: 'condition', source: 'attribute', custom: false };
    expect(shape(tree)).toEqual({
      mode: 'all',
      children: [
        { ...attribute, name: 'city', type: 'string', op: 'eq', text: 'Lyon' },
        { ...attribute, name: 'orders', type: 'number', op: 'gte', text: '3' },
        {
          mode: 'any',
          children: [
            { ...attribute, name: 'vip', type: 'boolean', op: 'eq', text: 'true' },
            {
              ...attribute,
              source: 'builtin',
              name: 'lastInboundAt',
              type: 'date',
              op: 'withinLastDays',
              text: '7',
            },
          ],
        },
      ],
    });
    expect(serialize(tree).rules).toEqual(SPEC_RULES);
  });

  it('round-trips lists, exists, dates, none-of groups and attributes.<built-in name>', () => {
    const rules = {
      any: [
        { attribute: 'city', op: 'in', value: ['Lyon', 'Paris'] },
        { attribute: 'orders', op: 'nin', value: [1, 2] },
        { attribute: 'signed_up', op: 'before', value: '2026-06-01T00:00:00+02:00' },
        { attribute: 'locale', op: 'exists', value: false },
        { attribute: 'attributes.psid', op: 'startsWith', value: '12' },
        { not: { attribute: 'firstName', op: 'contains', value: 'an' } },
        {
          not: {
            any: [
              { attribute: 'vip', op: 'eq', value: true },
              { all: [{ attribute: 'suppressed', op: 'eq', value: false }] },
            ],
          },
        },
      ],
    };
    const tree = parseRules(rules, KNOWN);
    expect(serialize(tree).rules).toEqual(rules);
    const [, , date, locale, shadow] = tree.children as ConditionNode[];
    expect(date).toMatchObject({ type: 'date', op: 'before' });
    expect(locale).toMatchObject({ source: 'builtin', op: 'notExists', text: '' });
    expect(shadow).toMatchObject({ source: 'attribute', name: 'psid' });
  });

  it('puts a single saved condition in an all-of group, and guesses the kind of an unknown attribute', () => {
    const tree = parseRules({ attribute: 'score', op: 'gt', value: 2 }, new Map());
    expect(tree.mode).toBe('all');
    expect(tree.children).toHaveLength(1);
    expect(tree.children[0]).toMatchObject({ name: 'score', type: 'number', op: 'gt' });
    expect(
      parseRules({ attribute: 'joined', op: 'after', value: '2026-01-01' }, new Map()).children[0],
    ).toMatchObject({ type: 'date' });
    expect(
      parseRules({ attribute: 'ok', op: 'in', value: [true] }, new Map()).children[0],
    ).toMatchObject({ type: 'boolean', op: 'in', text: 'true' });
  });
});

describe('placeErrors', () => {
  it('places each reason on the row and the part its path names, and leaves the rest', () => {
    const days = cond('lastInboundAt', 'date', 'withinLastDays', '5000');
    const inner = cond('orders', 'number', 'gte', 'three');
    const group = newGroup('any', [inner]);
    const root = newGroup('all', [days, group]);
    const { paths } = serialize(root);
    const { byNode, rest } = placeErrors(
      [
        { field: 'rules.all[0].value', reason: 'takes a number of days' },
        { field: 'rules.all[1].any[0].value', reason: 'must be a number' },
        { field: 'rules.all[1].any[0].op', reason: 'unknown op' },
        { field: 'rules.all[1].any', reason: 'nesting is deeper than 5 levels' },
        { field: 'rules.all[1]', reason: 'is not a rule' },
        { field: 'name', reason: 'must not be empty' },
        { field: 'rulesets', reason: 'not a rules path' },
      ],
      paths,
    );
    expect(byNode.get(days.key)).toEqual([{ part: 'value', reason: 'takes a number of days' }]);
    expect(byNode.get(inner.key)).toEqual([
      { part: 'value', reason: 'must be a number' },
      { part: 'op', reason: 'unknown op' },
    ]);
    expect(byNode.get(group.key)).toEqual([
      { part: '', reason: 'nesting is deeper than 5 levels' },
      { part: '', reason: 'is not a rule' },
    ]);
    expect(byNode.has(root.key)).toBe(false);
    expect(rest).toEqual([
      { field: 'name', reason: 'must not be empty' },
      { field: 'rulesets', reason: 'not a rules path' },
    ]);
  });

  it('tells all[1] from all[10]', () => {
    const children = Array.from({ length: 11 }, (_, i) => cond('city', 'string', 'eq', `${i}`));
    const { paths } = serialize(newGroup('all', children));
    const { byNode } = placeErrors([{ field: 'rules.all[10].value', reason: 'no' }], paths);
    expect([...byNode.keys()]).toEqual([children[10].key]);
  });

  it('finds the condition under a none-of group, with one condition or several', () => {
    const alone = cond('city', 'string', 'eq', 'x');
    const one = newGroup('all', [newGroup('none', [alone])]);
    expect([
      ...placeErrors([{ field: 'rules.all[0].not.value', reason: 'no' }], serialize(one).paths)
        .byNode,
    ]).toEqual([[alone.key, [{ part: 'value', reason: 'no' }]]]);

    const second = cond('city', 'string', 'eq', 'y');
    const none = newGroup('none', [cond('city', 'string', 'eq', 'x'), second]);
    const placed = placeErrors(
      [
        { field: 'rules.not.any[1].attribute', reason: 'unknown' },
        { field: 'rules.not.any', reason: 'too deep' },
      ],
      serialize(none).paths,
    ).byNode;
    expect(placed.get(second.key)).toEqual([{ part: 'attribute', reason: 'unknown' }]);
    expect(placed.get(none.key)).toEqual([{ part: '', reason: 'too deep' }]);
  });
});

describe('editing a condition', () => {
  it('keeps the comparison and value while the new field has the same kind of value', () => {
    const node = cond('city', 'string', 'contains', 'yo');
    expect(
      withField(node, { source: 'attribute', name: 'region', custom: false, type: 'string' }),
    ).toMatchObject({ name: 'region', op: 'contains', text: 'yo' });
    expect(
      withField(node, { source: 'attribute', name: 'signed_up', custom: false, type: 'date' }),
    ).toMatchObject({ type: 'date', op: 'after', text: '' });
    expect(
      withField(node, { source: 'attribute', name: 'vip', custom: false, type: 'boolean' }),
    ).toMatchObject({ type: 'boolean', op: 'eq', text: 'true' });
  });

  it('keeps the first line leaving a list, and starts the days afresh', () => {
    expect(withOp(cond('city', 'string', 'in', 'Lyon\nParis'), 'eq').text).toBe('Lyon');
    expect(
      withOp(cond('lastInboundAt', 'date', 'after', '2026-01-01'), 'withinLastDays').text,
    ).toBe('');
  });
});

describe('attributeSuggestions', () => {
  it('offers the attributes by name, with the examples of their kind as text', () => {
    expect(
      attributeSuggestions([
        { name: 'vip', type: 'boolean', users: 2, examples: [false, true] },
        { name: 'orders', type: 'number', users: 3, examples: [5, 3, 'n/a'] },
        { name: 'city', type: 'string', users: 3, examples: ['Lyon', 'Nice', 7] },
        { name: 'signed_up', type: 'date', users: 1, examples: ['2026-01-15T00:00:00.000Z'] },
      ]),
    ).toEqual([
      { name: 'city', type: 'string', examples: ['Lyon', 'Nice'] },
      { name: 'orders', type: 'number', examples: ['5', '3'] },
      { name: 'signed_up', type: 'date', examples: [] },
      { name: 'vip', type: 'boolean', examples: [] },
    ]);
  });
});

describe('dates', () => {
  it('starts a calendar day at local midnight, and reads the day back', () => {
    const value = localMidnight('2026-06-01');
    expect(value).toMatch(/^2026-06-01T00:00:00[+-]\d{2}:\d{2}$/);
    expect(new Date(value).getTime()).toBe(new Date(2026, 5, 1).getTime());
    expect(dayOf(value)).toBe('2026-06-01');
    expect(dayOf('soon')).toBe('');
  });
});
