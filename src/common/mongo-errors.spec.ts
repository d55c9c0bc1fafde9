import mongoose from 'mongoose';
import { isDatabaseUnavailableError, isDuplicateKeyError } from './mongo-errors';

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
