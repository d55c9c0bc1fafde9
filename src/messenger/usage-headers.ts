/**
 * Facebook's usage headers (SPEC §4): how much of the Page's, the app's and the
 * business's quota is used, in percent. Read on every answer so the sender slows
 * down before Facebook throttles it, rather than after.
 */
import { isJsonObject } from '../common/json';

/** `{"call_count":85,"total_cputime":10,"total_time":12}` */
const FLAT_HEADERS = ['x-page-usage', 'x-app-usage'];
/** `{"<id>":[{"type":"messenger","call_count":85,…,"estimated_time_to_regain_access":0}]}` */
const BUSINESS_USE_CASE_HEADER = 'x-business-use-case-usage';
/** The percentage fields; `estimated_time_to_regain_access` is minutes, not a share. */
const PERCENT_FIELDS = ['call_count', 'total_cputime', 'total_time'];

/** Above this share the Page's rate is lowered. */
const SLOWDOWN_FROM_PERCENT = 80;
/** The factor at 100 %: never stop entirely, the usage must be read again to recover. */
const FACTOR_AT_FULL_USAGE = 0.1;
const USAGE_SLOWDOWN_MS = 30_000;
/** Facebook throttles for minutes; a minute at half rate, renewed by every throttled answer. */
const THROTTLED_FACTOR = 0.5;
const THROTTLED_SLOWDOWN_MS = 60_000;

/** The highest percentage found in the three usage headers, or undefined when none carries one. */
export function usagePercent(headers: Record<string, unknown>): number | undefined {
  let highest: number | undefined;
  for (const [name, value] of Object.entries(headers)) {
    const key = name.toLowerCase();
    const flat = FLAT_HEADERS.includes(key);
    if (!flat && key !== BUSINESS_USE_CASE_HEADER) continue;
    for (const text of Array.isArray(value) ? value : [value]) {
      const parsed = parseJson(text);
      const records = flat ? [parsed] : businessUseCaseRecords(parsed);
      for (const percent of records.flatMap(percentages)) {
        highest = highest === undefined ? percent : Math.max(highest, percent);
      }
    }
  }
  return highest;
}

/**
 * How far to lower the Page's rate, and for how long: throttling halves it for a
 * minute; usage above 80 % lowers it the more the closer to 100 %. The stronger wins.
 */
export function slowdownFor(input: {
  usage?: number;
  throttled: boolean;
}): { factor: number; forMs: number } | undefined {
  const usage = input.usage;
  const usageFactor =
    usage !== undefined && usage > SLOWDOWN_FROM_PERCENT
      ? Math.max(
          FACTOR_AT_FULL_USAGE,
          1 - ((1 - FACTOR_AT_FULL_USAGE) * (usage - SLOWDOWN_FROM_PERCENT)) / 20,
        )
      : undefined;
  if (input.throttled) {
    return {
      factor: Math.min(THROTTLED_FACTOR, usageFactor ?? 1),
      forMs: THROTTLED_SLOWDOWN_MS,
    };
  }
  return usageFactor === undefined ? undefined : { factor: usageFactor, forMs: USAGE_SLOWDOWN_MS };
}

function parseJson(text: unknown): unknown {
  if (typeof text !== 'string') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // A header Facebook garbled must not cost the answer it came with.
    return undefined;
  }
}

function businessUseCaseRecords(parsed: unknown): unknown[] {
  if (!isJsonObject(parsed)) return [];
  return Object.values(parsed).flatMap((entries): unknown[] =>
    Array.isArray(entries) ? entries : [],
  );
}

function percentages(record: unknown): number[] {
  if (!isJsonObject(record)) return [];
  return PERCENT_FIELDS.map((field) => record[field]).filter(
    (value): value is number => typeof value === 'number' && Number.isFinite(value) && value >= 0,
  );
}
