/**
 * User attributes (SPEC §8): names are letters, digits and `_` (never a path, an
 * operator or a prototype key); values are strings, finite numbers, booleans or
 * dates. Shared by the CSV import, the users API and the segment compiler.
 */

export type AttributeValue = string | number | boolean | Date;
export type Attributes = Record<string, AttributeValue>;
export type AttributeType = 'string' | 'number' | 'boolean' | 'date';

export const MAX_ATTRIBUTES = 100;
export const MAX_STRING_LENGTH = 2000;
const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const RESERVED = new Set(['__proto__', 'constructor', 'prototype']);

/** Why the name is refused, or undefined when it is a valid attribute name. */
export function attributeNameProblem(name: string): string | undefined {
  if (RESERVED.has(name)) return `"${name}" is a reserved name`;
  if (!NAME.test(name))
    return `"${name}" is not a valid attribute name (letters, digits and _, at most 64, not starting with a digit)`;
  return undefined;
}

const ISO_DATE =
  /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/** A date from an ISO 8601 date or date-time; undefined when it is not one. */
export function parseIsoDate(text: string): Date | undefined {
  const trimmed = text.trim();
  if (!ISO_DATE.test(trimmed)) return undefined;
  // Date() rolls 2026-02-30 over to March: check the calendar day exists.
  const [year, month, day] = trimmed.slice(0, 10).split('-').map(Number);
  const calendar = new Date(Date.UTC(year, month - 1, day));
  if (calendar.getUTCMonth() !== month - 1 || calendar.getUTCDate() !== day) return undefined;
  const date = new Date(trimmed.length === 10 ? `${trimmed}T00:00:00Z` : trimmed);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

const TRUE = new Set(['true', 'yes', 'y', '1']);
const FALSE = new Set(['false', 'no', 'n', '0']);

/**
 * A CSV cell read as `type`. `decimalComma` accepts `1,5` for files delimited by `;`
 * (as European spreadsheets write them). Returns a problem text when it does not parse.
 */
export function parseTypedCell(
  text: string,
  type: AttributeType,
  decimalComma = false,
): { value: AttributeValue } | { problem: string } {
  const trimmed = text.trim();
  switch (type) {
    case 'string':
      return text.length > MAX_STRING_LENGTH
        ? { problem: `is longer than ${MAX_STRING_LENGTH} characters` }
        : { value: text };
    case 'number': {
      const normalised =
        decimalComma && /^-?\d+,\d+$/.test(trimmed) ? trimmed.replace(',', '.') : trimmed;
      const value = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(normalised)
        ? Number(normalised)
        : NaN;
      return Number.isFinite(value) ? { value } : { problem: `"${clip(text)}" is not a number` };
    }
    case 'boolean': {
      const lower = trimmed.toLowerCase();
      if (TRUE.has(lower)) return { value: true };
      if (FALSE.has(lower)) return { value: false };
      return { problem: `"${clip(text)}" is not a boolean (true/false, yes/no, 1/0)` };
    }
    case 'date': {
      const value = parseIsoDate(trimmed);
      return value ? { value } : { problem: `"${clip(text)}" is not an ISO 8601 date` };
    }
  }
}

/**
 * An attribute value from JSON (the users API): strings, finite numbers and
 * booleans as they are; a string holding an ISO 8601 date becomes a date.
 */
export function attributeFromJson(value: unknown): { value: AttributeValue } | { problem: string } {
  if (typeof value === 'boolean') return { value };
  if (typeof value === 'number')
    return Number.isFinite(value) ? { value } : { problem: 'must be a finite number' };
  if (typeof value === 'string') {
    if (value.length > MAX_STRING_LENGTH)
      return { problem: `is longer than ${MAX_STRING_LENGTH} characters` };
    return { value: parseIsoDate(value) ?? value };
  }
  return { problem: 'must be a string, a finite number, a boolean or an ISO 8601 date' };
}

export function sameAttributeValue(a: unknown, b: unknown): boolean {
  if (a instanceof Date || b instanceof Date) {
    return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  }
  return a === b;
}

function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/**
 * `current` with `changes` applied (null removes an attribute), or the problem
 * when the result would hold more than MAX_ATTRIBUTES: the cap holds for merges
 * (PATCH, a re-import) as well as for whole writes.
 */
export function mergeAttributes(
  current: Attributes,
  changes: Record<string, AttributeValue | null>,
): { attributes: Attributes } | { problem: string } {
  const attributes: Attributes = { ...current };
  for (const [name, value] of Object.entries(changes)) {
    if (value === null) delete attributes[name];
    else attributes[name] = value;
  }
  const count = Object.keys(attributes).length;
  return count > MAX_ATTRIBUTES
    ? { problem: `at most ${MAX_ATTRIBUTES} attributes (the merge would make ${count})` }
    : { attributes };
}

export interface AttributeSummary {
  name: string;
  /** The type most of the sampled users hold for it. */
  type: AttributeType;
  /** How many sampled users have it. */
  users: number;
  /** Up to five distinct values seen, in the order seen. */
  examples: AttributeValue[];
}

const MAX_EXAMPLES = 5;

function typeOf(value: AttributeValue): AttributeType {
  if (value instanceof Date) return 'date';
  return typeof value as 'string' | 'number' | 'boolean';
}

/** The attributes a sample of users holds, by name: what a segment builder suggests. */
export function describeAttributes(samples: Iterable<Attributes | undefined>): AttributeSummary[] {
  const byName = new Map<
    string,
    { types: Map<AttributeType, number>; users: number; examples: Map<string, AttributeValue> }
  >();
  for (const attributes of samples) {
    for (const [name, value] of Object.entries(attributes ?? {})) {
      const entry = byName.get(name) ?? { types: new Map(), users: 0, examples: new Map() };
      const type = typeOf(value);
      entry.types.set(type, (entry.types.get(type) ?? 0) + 1);
      entry.users += 1;
      const key = `${type}:${value instanceof Date ? value.toISOString() : String(value)}`;
      if (entry.examples.size < MAX_EXAMPLES && !entry.examples.has(key))
        entry.examples.set(key, value);
      byName.set(name, entry);
    }
  }
  return [...byName.entries()]
    .map(([name, entry]) => ({
      name,
      type: [...entry.types.entries()].sort((a, b) => b[1] - a[1])[0][0],
      users: entry.users,
      examples: [...entry.examples.values()],
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}
