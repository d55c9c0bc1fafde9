/**
 * Collects documents written one by one by many concurrent sends and inserts them
 * together, one batch at a time and in the order they were written: a batch
 * waits at most `maxDelayMs` for company, and what arrives while a batch is being
 * stored goes in the next one, so batches grow with the load. One round trip per
 * batch, not per message; each caller learns whether its document was stored or
 * already existed (duplicate key: someone else had it).
 */
import type { Collection, Document } from 'mongodb';
import { duplicateKeyIndexes } from './mongo-errors';

export type WriteResult = 'stored' | 'duplicate';

interface Waiting<T> {
  document: T;
  resolve: (result: WriteResult) => void;
  reject: (error: unknown) => void;
}

export class BatchWriter<T extends Document> {
  private queue: Waiting<T>[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;

  constructor(
    private readonly collection: Collection<T>,
    private readonly maxBatch = 1000,
    private readonly maxDelayMs = 5,
  ) {}

  write(document: T): Promise<WriteResult> {
    return new Promise<WriteResult>((resolve, reject) => {
      this.queue.push({ document, resolve, reject });
      if (this.writing) return;
      if (this.queue.length >= this.maxBatch) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.maxDelayMs);
    });
  }

  /** Resolves once everything written so far is stored (or has failed). */
  async drain(): Promise<void> {
    this.flush();
    while (this.writing) await this.writing;
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.writing || this.queue.length === 0) return;
    const batch = this.queue.splice(0, this.maxBatch);
    this.writing = this.insert(batch).finally(() => {
      this.writing = undefined;
      this.flush();
    });
  }

  private async insert(batch: Waiting<T>[]): Promise<void> {
    try {
      await this.collection.insertMany(batch.map((waiting) => waiting.document) as never[], {
        ordered: false,
      });
      for (const waiting of batch) waiting.resolve('stored');
    } catch (error) {
      const duplicates = duplicateKeyIndexes(error);
      if (!duplicates) {
        for (const waiting of batch) waiting.reject(error);
        return;
      }
      batch.forEach((waiting, index) =>
        waiting.resolve(duplicates.has(index) ? 'duplicate' : 'stored'),
      );
    }
  }
}
