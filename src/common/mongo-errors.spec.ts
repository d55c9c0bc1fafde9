import mongoose from 'mongoose';
import {
  duplicateKeyIndexes,
  isDatabaseUnavailableError,
  isDuplicateKeyError,
} from './mongo-errors';

describe('database errors', () => {
  it('tell an unreachable database from other failures', () => {
    const { mongo } = mongoose;
    expect(isDatabaseUnavailableError(new mongo.MongoNetworkError('connection closed'))).toBe(true);
    expect(isDatabaseUnavailableError(new mongo.MongoNetworkTimeoutError('timed out'))).toBe(true);
    expect(isDatabaseUnavailableError(new mongo.MongoNotConnectedError('not connected'))).toBe(
      true,
    );
    expect(
      isDatabaseUnavailableError(
        new mongoose.Error('Operation `pages.findOne()` buffering timed out after 10000ms'),
      ),
    ).toBe(true);

    const duplicate = Object.assign(new mongo.MongoServerError({ message: 'E11000' }), {
      code: 11000,
    });
    expect(isDatabaseUnavailableError(duplicate)).toBe(false);
    expect(isDuplicateKeyError(duplicate)).toBe(true);
    expect(isDatabaseUnavailableError(new mongoose.Error('Cast to ObjectId failed'))).toBe(false);
    expect(isDatabaseUnavailableError(new Error('connection closed'))).toBe(false);
  });
});

describe('duplicateKeyIndexes', () => {
  it('names the refused positions when duplicates are all that failed', () => {
    expect(
      duplicateKeyIndexes({
        writeErrors: [
          { index: 2, code: 11000 },
          { index: 5, code: 11000 },
        ],
      }),
    ).toEqual(new Set([2, 5]));
    // The driver reports a single failure without an array.
    expect(duplicateKeyIndexes({ writeErrors: { index: 0, code: 11000 } })).toEqual(new Set([0]));
  });

  it('is undefined for any other failure', () => {
    expect(
      duplicateKeyIndexes({
        writeErrors: [
          { index: 1, code: 11000 },
          { index: 3, code: 2 },
        ],
      }),
    ).toBeUndefined();
    expect(duplicateKeyIndexes(new Error('network'))).toBeUndefined();
  });
});
