/**
 * One line of the deliveries CSV export (SPEC §4, §9): RFC 4180 quoting and line
 * ends, and text that a spreadsheet would run as a formula (a user's name or a
 * Graph error message is outside our control) neutralised with a leading `'`.
 */

export type CsvCell = string | number | boolean | Date | null | undefined;

/** What spreadsheets read as the start of a formula (OWASP CSV injection). */
const FORMULA_START = /^[=+\-@\t\r]/;
/** A field holding any of these must be quoted (RFC 4180 §2.6). */
const NEEDS_QUOTES = /[",\r\n]/;

export function csvRow(cells: readonly CsvCell[]): string {
  return `${cells.map(csvField).join(',')}\r\n`;
}

function csvField(cell: CsvCell): string {
  const text = cellText(cell);
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function cellText(cell: CsvCell): string {
  if (cell === null || cell === undefined) return '';
  if (cell instanceof Date) {
    // An invalid date has no ISO form; an empty cell keeps the rest of the export.
    return Number.isNaN(cell.getTime()) ? '' : cell.toISOString();
  }
  if (typeof cell === 'string') return FORMULA_START.test(cell) ? `'${cell}` : cell;
  // Numbers stay numbers, a negative one included: it is a value, not a formula.
  return String(cell);
}
