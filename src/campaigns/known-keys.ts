import type { ErrorDetail } from '../common/api-error';

/**
 * A problem for every key of `input` that its kind does not allow, so nothing
 * unknown is stored or dropped silently. An unknown kind allows only `kindKey`
 * (its own problem is reported by the parser).
 */
export function unknownKeyProblems(
  input: Record<string, unknown>,
  allowedByKind: Readonly<Record<string, readonly string[]>>,
  kind: unknown,
  kindKey: string,
  field: string,
): ErrorDetail[] {
  const allowed =
    typeof kind === 'string' && Object.hasOwn(allowedByKind, kind)
      ? allowedByKind[kind]
      : [kindKey];
  return Object.keys(input)
    .filter((key) => !allowed.includes(key))
    .map((key) => ({ field: `${field}.${key}`, reason: 'is not an allowed field' }));
}
