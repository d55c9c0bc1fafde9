/**
 * The one owner of the `users` collection: every read and write of users goes
 * through these named queries, so what runs against the database (and what
 * FerretDB v1 can serve cheaply, docs/database.md) is visible in one place.
 */
import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Types, type AnyBulkWriteOperation, type Model } from 'mongoose';
import { duplicateKeyIndexes, isDuplicateKeyError } from '../common/mongo-errors';
import type { ImportedUser } from './csv-columns';
import { User } from './user.schema';

export type StoredUser = User & { _id: Types.ObjectId };
export type UserFilter = Record<string, unknown>;

/** What an import compares a colliding row with: the fields a CSV can set. */
export type ImportComparable = Pick<
  User,
  'psid' | 'attributes' | 'firstName' | 'lastName' | 'locale' | 'timezone' | 'lastInboundAt'
>;

/** What a user gets when a write creates it. */
export function newUserDefaults(source: User['source']): Record<string, unknown> {
  return { source, suppressed: false, attributes: {} };
}

@Injectable()
export class UsersRepository {
  constructor(@InjectModel(User.name) private readonly users: Model<User>) {}

  /** One user of a Page: the users API, test-send. */
  findByPsid(pageId: string, psid: string): Promise<StoredUser | null> {
    return this.users.findOne({ pageId, psid }).lean<StoredUser>().exec();
  }

  /** Named users of a Page: campaign preview for chosen PSIDs. */
  findByPsids(pageId: string, psids: string[]): Promise<StoredUser[]> {
    return this.users
      .find({ pageId, psid: { $in: psids } })
      .lean<StoredUser[]>()
      .exec();
  }

  /** Up to `limit` users matching a compiled filter: segment and campaign samples. */
  findMatching(filter: UserFilter, limit: number): Promise<StoredUser[]> {
    return this.users.find(filter).limit(limit).lean<StoredUser[]>().exec();
  }

  /** The attributes, locales and timezones of a Page's newest users: what the segment builder suggests. */
  newestProfiles(
    pageId: string,
    limit: number,
  ): Promise<Pick<StoredUser, 'attributes' | 'locale' | 'timezone'>[]> {
    return this.users
      .find({ pageId }, { attributes: 1, locale: 1, timezone: 1 })
      .sort({ _id: -1 })
      .limit(limit)
      .lean<Pick<StoredUser, 'attributes' | 'locale' | 'timezone'>[]>()
      .exec();
  }

  /** How many users match a compiled filter: segment preview, eligibility breakdown. */
  countMatching(filter: UserFilter): Promise<number> {
    return this.users.countDocuments(filter).exec();
  }

  /** Every matching user, streamed in _id order: materialising a run's audience. */
  cursorMatching(filter: UserFilter): AsyncIterable<StoredUser> {
    // Batches of a few hundred: a worker streams one segment per Page it sends for.
    return this.users.find(filter).sort({ _id: 1 }).batchSize(300).lean<StoredUser[]>().cursor();
  }

  /** A page of a Page's users after `afterId` in _id order, one extra to tell if more follow: the users list. */
  listPage(
    pageId: string,
    filter: UserFilter | undefined,
    limit: number,
    afterId?: string,
  ): Promise<StoredUser[]> {
    const query: UserFilter = { pageId, ...(filter ? { $and: [filter] } : {}) };
    if (afterId) query._id = { $gt: new Types.ObjectId(afterId) };
    return this.users
      .find(query)
      .sort({ _id: 1 })
      .limit(limit + 1)
      .lean<StoredUser[]>()
      .exec();
  }

  /**
   * Creates the user if new (with `defaults`, less what the update sets) and applies
   * `update`: PUT and the webhook's capture hook. Two first writes for one PSID at
   * once: the loser's insert fails on the unique key, and its retry is an update.
   */
  async upsert(
    pageId: string,
    psid: string,
    update: { $set?: Record<string, unknown> } & Record<string, unknown>,
    defaults: Record<string, unknown>,
  ): Promise<StoredUser> {
    const set = update.$set ?? {};
    // MongoDB refuses $setOnInsert and $set on one path.
    const onInsert = Object.fromEntries(Object.entries(defaults).filter(([key]) => !(key in set)));
    const apply = () =>
      this.users
        .findOneAndUpdate(
          { pageId, psid },
          { ...update, $setOnInsert: onInsert },
          { new: true, upsert: true },
        )
        .lean<StoredUser>()
        .orFail()
        .exec();
    try {
      return await apply();
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      return apply();
    }
  }

  /**
   * Applies `update` to the user only if it was not written since `updatedAt` (the
   * version the caller read): PATCH merges, which check the result before writing.
   * Null when the user is gone or changed meanwhile.
   */
  updateIfUnchanged(
    pageId: string,
    psid: string,
    updatedAt: Date,
    update: Record<string, unknown>,
  ): Promise<StoredUser | null> {
    return this.users
      .findOneAndUpdate({ pageId, psid, updatedAt }, update, { new: true })
      .lean<StoredUser>()
      .exec();
  }

  /** Never sends this user campaign messages again: the engine, on a "person unavailable" error. */
  async suppress(pageId: string, psid: string, reason: string): Promise<void> {
    await this.users
      .updateOne({ pageId, psid }, { $set: { suppressed: true, suppressedReason: reason } })
      .exec();
  }

  /**
   * Sets the other app that owns the user's thread, or clears it (null): the
   * handover module. A handover can come before anything else of a PSID: the
   * user is then created (from the webhook), so a later import keeps the owner.
   */
  async setThreadOwner(pageId: string, psid: string, appId: string | null): Promise<void> {
    if (appId)
      await this.upsert(
        pageId,
        psid,
        { $set: { threadOwnerAppId: appId } },
        newUserDefaults('webhook'),
      );
    else await this.users.updateOne({ pageId, psid }, { $unset: { threadOwnerAppId: 1 } }).exec();
  }

  /**
   * Keeps what the user's latest inbound event was (kind, mid, payloads, referral),
   * unless a later one is already kept: the webhook. Written through the driver:
   * the field is the webhook's record, not part of the user the API edits.
   */
  async recordLastInbound(pageId: string, psid: string, last: { at: Date }): Promise<void> {
    await this.users.collection.updateOne(
      {
        pageId,
        psid,
        $or: [{ 'lastInbound.at': { $exists: false } }, { 'lastInbound.at': { $lte: last.at } }],
      },
      { $set: { lastInbound: last } },
      // Fields Facebook did not send are left out rather than stored as null.
      { ignoreUndefined: true },
    );
  }

  /** Removes one user: the users API. True when there was one. */
  async deleteByPsid(pageId: string, psid: string): Promise<boolean> {
    const { deletedCount } = await this.users.deleteOne({ pageId, psid }).exec();
    return deletedCount > 0;
  }

  /**
   * Inserts imported rows as new users (source csv); returns the rows whose PSID
   * already exists (duplicate key). Insert-first: a first import never reads.
   */
  async insertImported(pageId: string, rows: ImportedUser[], now: Date): Promise<ImportedUser[]> {
    const documents = rows.map((row) => ({
      pageId,
      psid: row.psid,
      ...row.fields,
      source: 'csv',
      suppressed: false,
      attributes: row.attributes,
      createdAt: now,
      updatedAt: now,
    }));
    try {
      await this.users.collection.insertMany(documents, { ordered: false });
      return [];
    } catch (error) {
      const duplicates = duplicateKeyIndexes(error);
      if (!duplicates) throw error;
      return [...duplicates].map((index) => rows[index]);
    }
  }

  /** The stored fields of the PSIDs an import collided with, to compare row by row. */
  findImportComparables(pageId: string, psids: string[]): Promise<ImportComparable[]> {
    return this.users.collection
      .find<ImportComparable>(
        { pageId, psid: { $in: psids } },
        {
          projection: {
            _id: 0,
            psid: 1,
            attributes: 1,
            firstName: 1,
            lastName: 1,
            locale: 1,
            timezone: 1,
            lastInboundAt: 1,
          },
        },
      )
      .toArray();
  }

  /** Sets what differs on existing users, one `$set` per PSID: an import's updates. */
  async applyImportChanges(
    pageId: string,
    changes: { psid: string; set: Record<string, unknown> }[],
  ): Promise<void> {
    if (changes.length === 0) return;
    const operations: AnyBulkWriteOperation[] = changes.map(({ psid, set }) => ({
      updateOne: { filter: { pageId, psid }, update: { $set: set } },
    }));
    await this.users.collection.bulkWrite(operations as never[], { ordered: false });
  }
}
