/**
 * Global DTO validation: unknown fields are refused, and each failure becomes a
 * {field, reason} detail with the dotted path of the bad value (SPEC §9).
 */
import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { ApiError, type ErrorDetail } from './api-error';

export function flattenValidationErrors(errors: ValidationError[], parent = ''): ErrorDetail[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.entries(error.constraints ?? {}).map(([rule, text]) => ({
      field,
      reason:
        rule === 'whitelistValidation'
          ? 'is not an allowed field'
          : stripProperty(text, error.property),
    }));
    return [...own, ...flattenValidationErrors(error.children ?? [], field)];
  });
}

function stripProperty(text: string, property: string): string {
  return text.startsWith(`${property} `) ? text.slice(property.length + 1) : text;
}

export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: true,
    exceptionFactory: (errors) => {
      const details = flattenValidationErrors(errors);
      const message = details.map((detail) => `${detail.field} ${detail.reason}`).join('; ');
      return ApiError.badRequest(message || 'request is not valid', details);
    },
  });
}
