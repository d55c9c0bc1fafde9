import mongoose from 'mongoose';

const { mongo } = mongoose;

/** Duplicate-key error 11000: under SPEC §8 it means "someone else already has it". */
export function isDuplicateKeyError(error: unknown): boolean {
  return (
    typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 11000
  );
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
