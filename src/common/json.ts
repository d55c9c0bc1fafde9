/** A Graph id as a string: ids arrive as strings or numbers; anything else is no id. */
export function asId(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  return undefined;
}
