/**
 * Global DTO validation: unknown fields are refused, and each failure becomes a
 * {field, reason} detail with the dotted path of the bad value (SPEC §9).
 */
import { ValidationPipe, type ArgumentMetadata, type ValidationError } from '@nestjs/common';
import { ApiError, type ErrorDetail } from './api-error';

/**
 * Rules about what kind of value a field holds. When one fails, it is the reason
 * given, whatever order the decorators stand in: `ratePerSecond: "40"` is "must
 * be an integer number", not "must not be greater than 300".
 */
const KIND_RULES = [
  'whitelistValidation',
  'isString',
  'isInt',
  'isNumber',
  'isBoolean',
  'isObject',
  'isArray',
  'isDate',
  'isEnum',
  'isIn',
];

/** One reason per field: the failed kind rule if there is one, otherwise the first rule that failed. */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): ErrorDetail[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const failed = Object.entries(error.constraints ?? {});
    const [rule, text] = failed.find(([name]) => KIND_RULES.includes(name)) ?? failed[0] ?? [];
    const own =
      rule === undefined
        ? []
        : [
            {
              field,
              reason:
                rule === 'whitelistValidation'
                  ? 'is not an allowed field'
                  : stripProperty(text, error.property),
            },
          ];
    return [...own, ...flattenValidationErrors(error.children ?? [], field)];
  });
}

function stripProperty(text: string, property: string): string {
  return text.startsWith(`${property} `) ? text.slice(property.length + 1) : text;
}

const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * The path of the first `__proto__`, `constructor` or `prototype` key in a parsed
 * body. JSON.parse keeps them as own keys, and copying them onto objects would
 * change prototypes or break the DTO transform, so they are refused outright.
 */
export function findPrototypeKey(value: unknown, path = ''): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const entries: [string, unknown][] = Array.isArray(value)
    ? value.map((item, index) => [`[${index}]`, item])
    : Object.keys(value).map((key) => [key, (value as Record<string, unknown>)[key]]);
  for (const [key, child] of entries) {
    const childPath = key.startsWith('[') ? `${path}${key}` : path ? `${path}.${key}` : key;
    if (!key.startsWith('[') && PROTOTYPE_KEYS.has(key)) return childPath;
    const found = findPrototypeKey(child, childPath);
    if (found) return found;
  }
  return undefined;
}

class RequestValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const forbidden =
      metadata.type === 'body' || metadata.type === 'query' ? findPrototypeKey(value) : undefined;
    if (forbidden) throw ApiError.invalidField(forbidden, 'is not an allowed key');
    return super.transform(value, metadata);
  }
}

export function createValidationPipe(): ValidationPipe {
  return new RequestValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => ApiError.fromProblems(flattenValidationErrors(errors)),
  });
}
