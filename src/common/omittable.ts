import { ValidateIf } from 'class-validator';

/**
 * The field may be left out, but `null` is checked like any other value and so
 * refused: class-validator's IsOptional lets `null` through, which would store
 * null in a required field on PATCH (SPEC §10).
 */
export function IsOmittable(): PropertyDecorator {
  return ValidateIf((_object: object, value: unknown) => value !== undefined);
}
