/**
 * What each CSV column means (SPEC §7): the PSID column, built-in user fields,
 * and attributes with an optional type in the header (`age:number`). Pure, so
 * the import's rules are tested without a file or a database.
 */
import {
  attributeNameProblem,
  MAX_ATTRIBUTES,
  parseTypedCell,
  type AttributeType,
  type Attributes,
  type AttributeValue,
} from './attributes';
import { isIanaTimeZone, lastInboundAtProblem, psidProblem, TIME_ZONE_PROBLEM } from './user-rules';

export type BuiltInField = 'firstName' | 'lastName' | 'locale' | 'timezone' | 'lastInboundAt';

const PSID_HEADERS = new Set(['psid', 'ps_id']);
// A Map, not an object: a header such as `__proto__` must not find Object.prototype.
const BUILT_IN_COLUMNS = new Map<string, { field: BuiltInField; type: AttributeType }>(
  Object.entries({
    first_name: { field: 'firstName', type: 'string' },
    last_name: { field: 'lastName', type: 'string' },
    locale: { field: 'locale', type: 'string' },
    timezone: { field: 'timezone', type: 'string' },
    last_inbound_at: { field: 'lastInboundAt', type: 'date' },
  } satisfies Record<string, { field: BuiltInField; type: AttributeType }>),
);
const TYPES: readonly AttributeType[] = ['string', 'number', 'boolean', 'date'];
/** A row's cells together may hold at most this many bytes: far above any real CRM row, far below a document's 16 MB. */
export const MAX_ROW_BYTES = 1024 * 1024;

export type ColumnTarget =
  | { kind: 'psid' }
  | { kind: 'builtIn'; field: BuiltInField; type: AttributeType }
  | { kind: 'attribute'; name: string; type: AttributeType };

export interface ColumnPlan {
  header: string;
  target: ColumnTarget;
}

export interface HeaderPlan {
  columns: ColumnPlan[];
  psidIndex: number;
}

export interface HeaderProblem {
  column: number;
  header: string;
  reason: string;
}

/** One imported row: the built-in fields it carries and its attributes. */
export interface ImportedUser {
  psid: string;
  fields: Partial<Record<BuiltInField, string | Date>>;
  attributes: Attributes;
}

export function planHeader(cells: string[]): { plan: HeaderPlan } | { problems: HeaderProblem[] } {
  const problems: HeaderProblem[] = [];
  const seen = new Set<string>();
  const columns: ColumnPlan[] = [];
  cells.forEach((raw, index) => {
    const header = raw.trim();
    const problem = (reason: string) => problems.push({ column: index + 1, header, reason });
    const [namePart, typePart, ...extra] = header.split(':');
    const name = namePart.trim();
    const type = (typePart ?? 'string').trim().toLowerCase() as AttributeType;
    if (name === '') return problem('the column has no name');
    if (extra.length > 0 || !TYPES.includes(type)) {
      return problem(`unknown type "${typePart}" (string, number, boolean or date)`);
    }
    const key = PSID_HEADERS.has(name.toLowerCase()) ? 'psid' : name;
    if (seen.has(key)) return problem(`the column "${name}" appears twice`);
    seen.add(key);
    if (key === 'psid') return columns.push({ header, target: { kind: 'psid' } });
    const builtIn = BUILT_IN_COLUMNS.get(name);
    if (builtIn) {
      if (typePart !== undefined && type !== builtIn.type)
        return problem(`${name} is a built-in ${builtIn.type} column`);
      return columns.push({ header, target: { kind: 'builtIn', ...builtIn } });
    }
    const nameProblem = attributeNameProblem(name);
    if (nameProblem) return problem(nameProblem);
    columns.push({ header, target: { kind: 'attribute', name, type } });
  });
  const psidIndex = columns.findIndex((column) => column.target.kind === 'psid');
  if (problems.length === 0 && psidIndex < 0) {
    problems.push({
      column: 0,
      header: '',
      reason: 'the file has no PSID column (psid, ps_id or PSID)',
    });
  }
  return problems.length > 0 ? { problems } : { plan: { columns, psidIndex } };
}

/** The PSID of a row, or a problem; used by both import passes. */
export function rowPsid(cells: string[], plan: HeaderPlan): { psid: string } | { problem: string } {
  const psid = (cells[plan.psidIndex] ?? '').trim();
  const problem = psidProblem(psid);
  return problem ? { problem } : { psid };
}

/**
 * A row as a user, or the first problem found. Empty cells carry no value.
 * `decimalComma` reads `1,5` in `;`-separated files; `now` bounds lastInboundAt.
 */
export function mapRow(
  cells: string[],
  plan: HeaderPlan,
  options: { decimalComma: boolean; now: Date },
): { user: ImportedUser } | { problem: string } {
  if (rowBytes(cells) > MAX_ROW_BYTES) {
    return { problem: `the row is larger than ${MAX_ROW_BYTES / 1024 / 1024} MiB` };
  }
  if (cells.length > plan.columns.length) {
    return { problem: `the row has ${cells.length} fields, the header has ${plan.columns.length}` };
  }
  const psid = rowPsid(cells, plan);
  if ('problem' in psid) return psid;
  const user: ImportedUser = { psid: psid.psid, fields: {}, attributes: {} };
  for (const [index, column] of plan.columns.entries()) {
    const cell = cells[index];
    const target = column.target;
    if (cell === undefined || cell.trim() === '' || target.kind === 'psid') continue;
    const parsed = parseTypedCell(cell, target.type, options.decimalComma);
    if ('problem' in parsed) return { problem: `${column.header}: ${parsed.problem}` };
    const problem =
      target.kind === 'builtIn'
        ? builtInProblem(target.field, parsed.value, options.now)
        : undefined;
    if (problem) return { problem: `${column.header}: ${problem}` };
    if (target.kind === 'builtIn') user.fields[target.field] = parsed.value as string | Date;
    else user.attributes[target.name] = parsed.value;
  }
  const attributeCount = Object.keys(user.attributes).length;
  if (attributeCount > MAX_ATTRIBUTES) {
    return { problem: `the row has ${attributeCount} attributes, at most ${MAX_ATTRIBUTES}` };
  }
  return { user };
}

/** What a built-in field's own rule says about its value (SPEC §10), if anything. */
function builtInProblem(field: BuiltInField, value: AttributeValue, now: Date): string | undefined {
  if (field === 'timezone' && !isIanaTimeZone(String(value))) return TIME_ZONE_PROBLEM;
  if (field === 'lastInboundAt' && value instanceof Date) return lastInboundAtProblem(value, now);
  return undefined;
}

function rowBytes(cells: string[]): number {
  return cells.reduce((bytes, cell) => bytes + Buffer.byteLength(cell), 0);
}

/** `;` when the header line has more semicolons than commas outside quotes, else `,`. */
export function detectDelimiter(headerLine: string): ',' | ';' {
  let inQuotes = false;
  let commas = 0;
  let semicolons = 0;
  for (const char of headerLine) {
    if (char === '"') inQuotes = !inQuotes;
    else if (!inQuotes && char === ',') commas += 1;
    else if (!inQuotes && char === ';') semicolons += 1;
  }
  return semicolons > commas ? ';' : ',';
}
