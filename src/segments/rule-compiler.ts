/**
 * Compiles a segment's rule tree (SPEC §9) to a MongoDB filter through a
 * whitelist: every operator, path and value in the output is produced here, so
 * nothing a client writes (`$where`, `$function`, `__proto__`, dotted paths)
 * reaches the database. Problems carry the path of the bad rule, e.g.
 * `rules.all[1].value`.
 */
import { attributeNameProblem, parseIsoDate } from '../audience/attributes';
import { FieldProblems, type ErrorDetail } from '../common/api-error';
import { isJsonObject } from '../common/json';

export const RULE_OPS = [
  'eq',
  'ne',
  'in',
  'nin',
  'gt',
  'gte',
  'lt',
  'lte',
  'exists',
  'contains',
  'startsWith',
  'before',
  'after',
  'withinLastDays',
] as const;
export type RuleOp = (typeof RULE_OPS)[number];
export const MAX_DEPTH = 5;
const MAX_IN_VALUES = 1000;
const MAX_CONDITIONS = 200;

type Scalar = string | number | boolean;
export type Rule =
  | { all: Rule[] }
  | { any: Rule[] }
  | { not: Rule }
  | { attribute: string; op: RuleOp; value?: Scalar | Scalar[] };

/** Built-in user fields and the kind of value each holds. */
const BUILT_INS: Record<string, 'string' | 'date' | 'boolean'> = {
  psid: 'string',
  firstName: 'string',
  lastName: 'string',
  locale: 'string',
  timezone: 'string',
  source: 'string',
  lastInboundAt: 'date',
  createdAt: 'date',
  suppressed: 'boolean',
};

export type MongoFilter = Record<string, unknown>;

export class RuleError extends FieldProblems {}

/** The filter for `rules`, evaluated at `now` (for withinLastDays); throws RuleError. */
export function compileRules(rules: unknown, now: Date): MongoFilter {
  const compiler = new Compiler(now);
  const filter = compiler.rule(rules, 'rules', 1);
  if (compiler.problems.length > 0) throw new RuleError(compiler.problems);
  return filter;
}

// Only plain objects: JSON never makes anything else, and a class instance must not pass.
const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  isJsonObject(value) && Object.getPrototypeOf(value) === Object.prototype;
const isScalar = (value: unknown): value is Scalar =>
  typeof value === 'string' ||
  typeof value === 'boolean' ||
  (typeof value === 'number' && Number.isFinite(value));
const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

class Compiler {
  readonly problems: ErrorDetail[] = [];
  private conditions = 0;

  constructor(private readonly now: Date) {}

  private fail(field: string, reason: string): MongoFilter {
    this.problems.push({ field, reason });
    return {};
  }

  rule(node: unknown, at: string, depth: number): MongoFilter {
    if (!isPlainObject(node))
      return this.fail(at, 'must be an object: {all}, {any}, {not} or {attribute, op, value}');
    const keys = Object.keys(node);
    const group = keys.find((key) => key === 'all' || key === 'any' || key === 'not');
    if (group) {
      if (keys.length !== 1)
        return this.fail(at, `a ${group} group takes no other keys (found ${keys.join(', ')})`);
      if (depth > MAX_DEPTH) return this.fail(at, `nesting is deeper than ${MAX_DEPTH} levels`);
      if (group === 'not') return { $nor: [this.rule(node.not, `${at}.not`, depth + 1)] };
      const children = node[group];
      if (!Array.isArray(children) || children.length === 0)
        return this.fail(`${at}.${group}`, 'must be a non-empty array of rules');
      const compiled = children.map((child, index) =>
        this.rule(child, `${at}.${group}[${index}]`, depth + 1),
      );
      return { [group === 'all' ? '$and' : '$or']: compiled };
    }
    return this.condition(node, at);
  }

  private condition(node: Record<string, unknown>, at: string): MongoFilter {
    const unknownKeys = Object.keys(node).filter(
      (key) => !['attribute', 'op', 'value'].includes(key),
    );
    if (unknownKeys.length > 0)
      return this.fail(
        at,
        `unknown keys ${unknownKeys.join(', ')} (a condition has attribute, op, value)`,
      );
    if ((this.conditions += 1) > MAX_CONDITIONS)
      return this.fail(at, `a segment has at most ${MAX_CONDITIONS} conditions`);
    const field = this.field(node.attribute, `${at}.attribute`);
    const op = node.op;
    if (typeof op !== 'string' || !(RULE_OPS as readonly string[]).includes(op)) {
      return this.fail(`${at}.op`, `must be one of ${RULE_OPS.join(', ')}`);
    }
    if (!field) return {};
    const value = this.operand(op as RuleOp, node.value, field.kind, `${at}.value`);
    return value === undefined ? {} : { [field.path]: value };
  }

  private field(
    attribute: unknown,
    at: string,
  ): { path: string; kind: 'string' | 'date' | 'boolean' | 'any' } | undefined {
    if (typeof attribute !== 'string') {
      this.fail(at, 'must be an attribute name');
      return undefined;
    }
    if (Object.prototype.hasOwnProperty.call(BUILT_INS, attribute))
      return { path: attribute, kind: BUILT_INS[attribute] };
    const name = attribute.startsWith('attributes.')
      ? attribute.slice('attributes.'.length)
      : attribute;
    if (name.includes('.')) {
      this.fail(
        at,
        `"${attribute}" is not a built-in field, and attribute names cannot contain "."`,
      );
      return undefined;
    }
    const problem = attributeNameProblem(name);
    if (problem) {
      this.fail(at, problem);
      return undefined;
    }
    return { path: `attributes.${name}`, kind: 'any' };
  }

  private operand(op: RuleOp, value: unknown, kind: string, at: string): unknown {
    const bad = (reason: string) => void this.fail(at, reason);
    switch (op) {
      case 'eq':
      case 'ne': {
        if (!isScalar(value)) return bad(`${op} takes a string, a finite number or a boolean`);
        const operand = kind === 'date' ? this.date(value, at) : value;
        if (operand === undefined) return undefined;
        return op === 'eq' ? { $eq: operand } : { $ne: operand };
      }
      case 'in':
      case 'nin':
        if (
          !Array.isArray(value) ||
          value.length === 0 ||
          value.length > MAX_IN_VALUES ||
          !value.every(isScalar)
        ) {
          return bad(
            `${op} takes a non-empty array of at most ${MAX_IN_VALUES} strings, numbers or booleans`,
          );
        }
        return { [op === 'in' ? '$in' : '$nin']: value };
      case 'gt':
      case 'gte':
      case 'lt':
      case 'lte':
        if (typeof value !== 'number' || !Number.isFinite(value))
          return bad(`${op} takes a finite number (use before/after for dates)`);
        return { [`$${op}`]: value };
      case 'exists':
        if (typeof value !== 'boolean') return bad('exists takes true or false');
        return { $exists: value };
      case 'contains':
      case 'startsWith':
        if (typeof value !== 'string' || value.length === 0 || value.length > 200)
          return bad(`${op} takes a string of 1 to 200 characters`);
        return { $regex: `${op === 'startsWith' ? '^' : ''}${escapeRegExp(value)}`, $options: 'i' };
      case 'before':
      case 'after': {
        const date = this.date(value, at);
        if (date === undefined) return undefined;
        return op === 'before' ? { $lt: date } : { $gt: date };
      }
      case 'withinLastDays':
        if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > 3650) {
          return bad('withinLastDays takes a number of days from 0 (exclusive) to 3650');
        }
        return { $gte: new Date(this.now.getTime() - value * 86_400_000) };
    }
  }

  private date(value: unknown, at: string): Date | undefined {
    const date = typeof value === 'string' ? parseIsoDate(value) : undefined;
    if (!date) this.fail(at, 'must be an ISO 8601 date, e.g. 2026-11-01 or 2026-11-01T09:00:00Z');
    return date;
  }
}
