import type { Connection } from 'mongoose';

/**
 * Builds every model's indexes and resolves when all exist. The service calls it
 * before taking traffic: a claim by unique insert (SPEC §8) is only as good as its
 * index. Automatic indexing is off, so each index is built here, once.
 */
export async function createAllIndexes(connection: Connection): Promise<void> {
  await Promise.all(
    Object.values(connection.models).map(async (model) => {
      await model.init();
      await model.createIndexes();
    }),
  );
}
