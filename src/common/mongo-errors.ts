/** Duplicate-key error 11000: under SPEC §8 it means "someone else already has it". */
export function isDuplicateKeyError(error: unknown): boolean {
  return (
    typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 11000
  );
}
