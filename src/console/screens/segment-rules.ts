/**
 * The segment builder's rule tree, kept pure: the editable tree the screen shows,
 * its translation to and from the API's rules (SPEC §9: all/any/not groups of
 * {attribute, op, value}), the path of every node in what is sent (so the API's
 * `details[].field`, e.g. `rules.all[2].any[0].value`, finds its row), and the
 * suggestions made from the Page's attributes (`GET /pages/:pageId/attributes`).
 *
 * Nothing here touches the browser or Preact: the unit tests run it under Node.
 */

export type FieldType = 'string' | 'number' | 'boolean' | 'date';
/** "all of these", "any of these", "none of these" (a `not` over an `any`). */
export type GroupMode = 'all' | 'any' | 'none';
/** The API's ops, with `exists` split in two so each reads as plain words. */
export type UiOp =
  | 'eq'
  | 'ne'
  | 'in'
  | 'nin'
  | 'gt'
  | 'gte'
  | 'lt'
  | 'lte'
  | 'contains'
  | 'startsWith'
  | 'before'
  | 'after'
  | 'withinLastDays'
  | 'exists'
  | 'notExists';

export interface ConditionNode {
  kind: 'condition';
  key: string;
  /** `builtin` (psid, firstName…) or an attribute; '' until a field is chosen. */
  source: 'builtin' | 'attribute' | '';
  name: string;
  /** A name typed by hand rather than picked from the suggestions. */
  custom: boolean;
  type: FieldType;
  op: UiOp;
  /** The value as typed: one value a line for in/nin, an ISO date for before/after. */
  text: string;
}

export interface GroupNode {
  kind: 'group';
  key: string;
  mode: GroupMode;
  children: RuleNode[];
}

export type RuleNode = ConditionNode | GroupNode;

export interface BuiltInField {
  name: string;
  label: string;
  type: FieldType;
}

/** The built-in user fields the rule compiler knows (src/segments/rule-compiler.ts), in plain words. */
export const BUILT_IN_FIELDS: BuiltInField[] = [
  { name: 'firstName', label: 'First name', type: 'string' },
  { name: 'lastName', label: 'Last name', type: 'string' },
  { name: 'psid', label: 'PSID', type: 'string' },
  { name: 'locale', label: 'Locale', type: 'string' },
  { name: 'timezone', label: 'Timezone', type: 'string' },
  { name: 'source', label: 'Came from (csv, api or webhook)', type: 'string' },
  { name: 'lastInboundAt', label: 'Last message from them', type: 'date' },
  { name: 'createdAt', label: 'Added to the audience', type: 'date' },
  { name: 'suppressed', label: 'Opted out', type: 'boolean' },
];
const BUILT_IN_NAMES = new Set(BUILT_IN_FIELDS.map((field) => field.name));

export const TYPE_LABELS: Record<FieldType, string> = {
  string: 'text',
  number: 'number',
  boolean: 'yes or no',
  date: 'date',
};

export const OP_LABELS: Record<UiOp, string> = {
  eq: 'is',
  ne: 'is not',
  in: 'is one of',
  nin: 'is none of',
  gt: 'is more than',
  gte: 'is at least',
  lt: 'is less than',
  lte: 'is at most',
  contains: 'contains',
  startsWith: 'starts with',
  before: 'is before',
  after: 'is after',
  withinLastDays: 'is within the last',
  exists: 'has a value',
  notExists: 'has no value',
};

/**
 * The comparisons offered for each kind of value: together every op of the API.
 * Dates compare with before/after/withinLastDays (an attribute date never equals a string).
 */
export const OPS_BY_TYPE: Record<FieldType, UiOp[]> = {
  string: ['eq', 'ne', 'contains', 'startsWith', 'in', 'nin', 'exists', 'notExists'],
  number: ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'nin', 'exists', 'notExists'],
  boolean: ['eq', 'exists', 'notExists'],
  date: ['after', 'before', 'withinLastDays', 'exists', 'notExists'],
};

/** The comparisons to offer: the type's, plus the current one if it came from elsewhere. */
export function opsFor(type: FieldType, current?: UiOp): UiOp[] {
  const ops = OPS_BY_TYPE[type];
  return current && !ops.includes(current) ? [...ops, current] : ops;
}

/** Whether the comparison takes no value (has a value / has no value). */
export const takesNoValue = (op: UiOp): boolean => op === 'exists' || op === 'notExists';
export const isListOp = (op: UiOp): boolean => op === 'in' || op === 'nin';

let counter = 0;
export const newKey = (): string => `n${(counter += 1)}`;

export function newCondition(): ConditionNode {
  return {
    kind: 'condition',
    key: newKey(),
    source: '',
    name: '',
    custom: false,
    type: 'string',
    op: 'eq',
    text: '',
  };
}

export function newGroup(mode: GroupMode = 'all', children: RuleNode[] = [newCondition()]) {
  return { kind: 'group', key: newKey(), mode, children } satisfies GroupNode;
}

/** The condition after its field changed: the comparison and value are kept while they still fit. */
export function withField(
  node: ConditionNode,
  field: { source: 'builtin' | 'attribute' | ''; name: string; custom: boolean; type: FieldType },
): ConditionNode {
  const sameType = field.type === node.type;
  const op =
    sameType && OPS_BY_TYPE[field.type].includes(node.op) ? node.op : defaultOp(field.type);
  return {
    ...node,
    ...field,
    op,
    text: sameType ? node.text : field.type === 'boolean' ? 'true' : '',
  };
}

export function withType(node: ConditionNode, type: FieldType): ConditionNode {
  return withField(node, { source: node.source, name: node.name, custom: node.custom, type });
}

export function withOp(node: ConditionNode, op: UiOp): ConditionNode {
  const fromList = isListOp(node.op) && !isListOp(op);
  const toDays = op === 'withinLastDays' || node.op === 'withinLastDays';
  let text = node.text;
  if (fromList) text = node.text.split('\n')[0] ?? '';
  if (toDays && op !== node.op) text = '';
  return { ...node, op, text };
}

function defaultOp(type: FieldType): UiOp {
  return type === 'date' ? 'after' : 'eq';
}

// ---------------------------------------------------------------------------
// Tree edits (immutable)

export function updateNode(
  root: GroupNode,
  key: string,
  change: (node: RuleNode) => RuleNode,
): GroupNode {
  const visit = (node: RuleNode): RuleNode => {
    if (node.key === key) return change(node);
    if (node.kind === 'condition') return node;
    return { ...node, children: node.children.map(visit) };
  };
  return visit(root) as GroupNode;
}

export function removeNode(root: GroupNode, key: string): GroupNode {
  const visit = (group: GroupNode): GroupNode => ({
    ...group,
    children: group.children
      .filter((child) => child.key !== key)
      .map((child) => (child.kind === 'group' ? visit(child) : child)),
  });
  return visit(root);
}

export function appendChild(root: GroupNode, groupKey: string, child: RuleNode): GroupNode {
  return updateNode(root, groupKey, (node) =>
    node.kind === 'group' ? { ...node, children: [...node.children, child] } : node,
  );
}

/** The group that holds `key`, if any. */
export function parentOf(root: GroupNode, key: string): GroupNode | undefined {
  for (const child of root.children) {
    if (child.key === key) return root;
    if (child.kind === 'group') {
      const found = parentOf(child, key);
      if (found) return found;
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------
// To the API

export interface Serialized {
  rules: unknown;
  /** Every node's path in `rules` (a group's `.all`, `.not`… too), longest first. */
  paths: [path: string, key: string][];
  /** A condition without a field or a value, or a group without conditions: not worth counting yet. */
  incomplete: boolean;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** The attribute name as the rule compiler reads it: `attributes.x` where x is also a built-in field. */
export function ruleAttribute(node: ConditionNode): string {
  if (node.source === 'attribute' && BUILT_IN_NAMES.has(node.name))
    return `attributes.${node.name}`;
  return node.name;
}

export function serialize(root: GroupNode): Serialized {
  const paths: [string, string][] = [];
  let incomplete = false;

  const condition = (node: ConditionNode, at: string): Record<string, unknown> => {
    paths.push([at, node.key]);
    const rule: Record<string, unknown> = {};
    if (node.source && node.name.trim()) rule.attribute = ruleAttribute(node);
    else incomplete = true;
    if (takesNoValue(node.op)) {
      rule.op = 'exists';
      rule.value = node.op === 'exists';
      return rule;
    }
    rule.op = node.op;
    const value = valueOf(node);
    if (value === undefined) incomplete = true;
    else rule.value = value;
    return rule;
  };

  const group = (node: GroupNode, at: string): Record<string, unknown> => {
    paths.push([at, node.key]);
    if (node.children.length === 0) incomplete = true;
    if (node.mode === 'none') {
      // One child is the `not` itself; several are an `any` under it.
      if (node.children.length === 1) return { not: rule(node.children[0], `${at}.not`) };
      paths.push([`${at}.not`, node.key], [`${at}.not.any`, node.key]);
      return {
        not: { any: node.children.map((child, i) => rule(child, `${at}.not.any[${i}]`)) },
      };
    }
    paths.push([`${at}.${node.mode}`, node.key]);
    return {
      [node.mode]: node.children.map((child, i) => rule(child, `${at}.${node.mode}[${i}]`)),
    };
  };

  const rule = (node: RuleNode, at: string): Record<string, unknown> =>
    node.kind === 'group' ? group(node, at) : condition(node, at);

  const rules = group(root, 'rules');
  paths.sort((a, b) => b[0].length - a[0].length);
  return { rules, paths, incomplete };
}

/** The value to send, or undefined when none is typed yet. */
function valueOf(node: ConditionNode): unknown {
  const text = node.text.trim();
  if (isListOp(node.op)) {
    const items = node.text
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean);
    if (items.length === 0) return undefined;
    return node.type === 'number'
      ? items.map((item) => (NUMBER.test(item) ? Number(item) : item))
      : items;
  }
  if (text === '') return undefined;
  if (node.type === 'number' || node.op === 'withinLastDays' || isNumberOp(node.op)) {
    // Anything that is not a number is sent as typed: the API says why it is refused.
    return NUMBER.test(text) ? Number(text) : text;
  }
  if (node.type === 'boolean') return text === 'true';
  if (node.type === 'date') return text;
  return node.text;
}

const isNumberOp = (op: UiOp): boolean =>
  op === 'gt' || op === 'gte' || op === 'lt' || op === 'lte';

// ---------------------------------------------------------------------------
// From the API

/** An attribute as `GET /pages/:pageId/attributes` describes it (on the newest 1,000 users). */
export interface AttributeSummary {
  name: string;
  /** The kind of value most of those users hold. */
  type: FieldType;
  /** How many of them hold it. */
  users: number;
  /** Up to five distinct values seen (dates as ISO strings). */
  examples: (string | number | boolean)[];
}

export interface AttributeInfo {
  name: string;
  type: FieldType;
  /** Values to suggest while typing (text and numbers only: yes/no and dates have their own inputs). */
  examples: string[];
}

/** The attributes to offer, by name, with the examples of their usual kind as typed text. */
export function attributeSuggestions(items: AttributeSummary[]): AttributeInfo[] {
  return items
    .map((item) => ({
      name: item.name,
      type: item.type,
      examples:
        item.type === 'string' || item.type === 'number'
          ? [
              ...new Set(
                item.examples
                  .filter((example) => typeof example === item.type)
                  .map((example) => String(example)),
              ),
            ]
          : [],
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The editable tree of saved rules; the root is always a group. */
export function parseRules(rules: unknown, known: Map<string, FieldType>): GroupNode {
  const node = parseNode(rules, known);
  return node.kind === 'group' ? node : newGroup('all', [node]);
}

function parseNode(rule: unknown, known: Map<string, FieldType>): RuleNode {
  if (!isObject(rule)) return newCondition();
  if (Array.isArray(rule.all))
    return newGroup(
      'all',
      rule.all.map((child) => parseNode(child, known)),
    );
  if (Array.isArray(rule.any))
    return newGroup(
      'any',
      rule.any.map((child) => parseNode(child, known)),
    );
  if ('not' in rule) {
    const inner = rule.not;
    if (isObject(inner) && Array.isArray(inner.any))
      return newGroup(
        'none',
        inner.any.map((child) => parseNode(child, known)),
      );
    return newGroup('none', [parseNode(inner, known)]);
  }
  return parseCondition(rule, known);
}

function parseCondition(rule: Record<string, unknown>, known: Map<string, FieldType>) {
  const attribute = typeof rule.attribute === 'string' ? rule.attribute : '';
  const op = typeof rule.op === 'string' ? rule.op : 'eq';
  const value = rule.value;
  const builtIn = BUILT_IN_FIELDS.find((field) => field.name === attribute);
  const name = builtIn
    ? attribute
    : attribute.startsWith('attributes.')
      ? attribute.slice('attributes.'.length)
      : attribute;
  const type: FieldType = builtIn?.type ?? known.get(name) ?? guessType(op, value);
  const uiOp: UiOp =
    op === 'exists' ? (value === false ? 'notExists' : 'exists') : (op as UiOp) || 'eq';
  const scalar = (item: unknown): string =>
    typeof item === 'string' || typeof item === 'number' || typeof item === 'boolean'
      ? String(item)
      : '';
  let text = '';
  if (Array.isArray(value)) text = value.map(scalar).join('\n');
  else if (op !== 'exists') text = scalar(value);
  return {
    kind: 'condition',
    key: newKey(),
    source: builtIn ? 'builtin' : attribute ? 'attribute' : '',
    name,
    custom: false,
    type,
    op: uiOp,
    text,
  } satisfies ConditionNode;
}

function guessType(op: string, value: unknown): FieldType {
  if (op === 'before' || op === 'after' || op === 'withinLastDays') return 'date';
  if (op === 'gt' || op === 'gte' || op === 'lt' || op === 'lte') return 'number';
  const sample: unknown = Array.isArray(value) ? (value as unknown[])[0] : value;
  if (typeof sample === 'number') return 'number';
  if (typeof sample === 'boolean') return 'boolean';
  return 'string';
}

// ---------------------------------------------------------------------------
// The API's reasons, placed

export interface PlacedError {
  /** `attribute`, `op` or `value` of a condition; '' for the node itself or a group. */
  part: string;
  reason: string;
}

/**
 * The API's details (`rules.all[1].value`) placed on the nodes of the tree that
 * was sent, by its paths; details about anything else (`name`) are left over.
 */
export function placeErrors(
  details: { field: string; reason: string }[],
  paths: [string, string][],
): { byNode: Map<string, PlacedError[]>; rest: { field: string; reason: string }[] } {
  const byNode = new Map<string, PlacedError[]>();
  const rest: { field: string; reason: string }[] = [];
  for (const detail of details) {
    const owner = paths.find(
      ([path]) =>
        detail.field === path ||
        detail.field.startsWith(`${path}.`) ||
        detail.field.startsWith(`${path}[`),
    );
    if (!owner) {
      rest.push(detail);
      continue;
    }
    const remainder = detail.field.slice(owner[0].length).replace(/^\./, '');
    const part = ['attribute', 'op', 'value'].includes(remainder) ? remainder : '';
    const list = byNode.get(owner[1]) ?? [];
    list.push({ part, reason: detail.reason });
    byNode.set(owner[1], list);
  }
  return { byNode, rest };
}

// ---------------------------------------------------------------------------
// Dates typed as a calendar day start at the marketer's local midnight.

/** `2026-04-01T00:00:00+02:00` for `2026-04-01`, in the browser's timezone. */
export function localMidnight(day: string): string {
  const date = new Date(`${day}T00:00:00`);
  if (Number.isNaN(date.getTime())) return day;
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  const hours = String(Math.floor(Math.abs(offset) / 60)).padStart(2, '0');
  const minutes = String(Math.abs(offset) % 60).padStart(2, '0');
  return `${day}T00:00:00${sign}${hours}:${minutes}`;
}

/** The calendar day an ISO value starts with ('' when it has none). */
export const dayOf = (value: string): string => /^\d{4}-\d{2}-\d{2}/.exec(value)?.[0] ?? '';
