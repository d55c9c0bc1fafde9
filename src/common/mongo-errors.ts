import mongoose from 'mongoose';

const { mongo } = mongoose;

/** Duplicate-key error 11000: under SPEC §8 it means "someone else already has it". */
export function isDuplicateKeyError(error: unknown): boolean {
  return (
    typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 11000
  );
}

/**
 * The positions an unordered insertMany refused as duplicates (11000), when
 * duplicates are all that failed; undefined for any other failure.
 */
export function duplicateKeyIndexes(error: unknown): Set<number> | undefined {
  const raw = (error as { writeErrors?: unknown }).writeErrors;
  const failures = (Array.isArray(raw) ? raw : raw ? [raw] : []) as {
    index: number;
    code: number;
  }[];
  if (failures.length === 0 || failures.some((failure) => failure.code !== 11000)) return undefined;
  return new Set(failures.map((failure) => failure.index));
}

/**
 * The database could not be reached (network, server selection, closed client, or
 * mongoose's command buffer timing out): the request may succeed later, so a 503.
 */
export function isDatabaseUnavailableError(error: unknown): boolean {
  return (
    error instanceof mongo.MongoNetworkError ||
    error instanceof mongo.MongoServerSelectionError ||
    error instanceof mongo.MongoNotConnectedError ||
    error instanceof mongo.MongoTopologyClosedError ||
    error instanceof mongoose.Error.MongooseServerSelectionError ||
    isBufferingTimeout(error)
  );
}

// Mongoose has no class of its own for this one: a plain MongooseError with this message.
function isBufferingTimeout(error: unknown): boolean {
  return error instanceof mongoose.Error && / buffering timed out after /.test(error.message);
}
