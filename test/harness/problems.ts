import { FieldProblems, type ErrorDetail } from '../../src/common/api-error';

/** The field problems `check` throws; fails the test when it throws nothing or something else. */
export function problemsOf(check: () => unknown): ErrorDetail[] {
  try {
    check();
  } catch (error) {
    if (error instanceof FieldProblems) return error.details;
    throw error;
  }
  throw new Error('expected field problems, but the input was accepted');
}
