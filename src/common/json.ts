/** A Graph id as a string: ids arrive as strings or numbers; anything else is no id. */
export function asId(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  return undefined;
}

/**
 * The fields that were given. DTO classes compile with ES2022 class fields, so an
 * instance carries every optional field as `undefined`; spreading or `$set`-ing it
 * as is would erase stored values.
 */
export function definedOnly<T extends object>(input: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(input).filter(([, value]) => value !== undefined),
  ) as Partial<T>;
}

/** A JSON object (not null, not an array). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
