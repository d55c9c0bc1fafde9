import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Types, type AnyBulkWriteOperation, type Model } from 'mongoose';
import { ApiError, type ErrorDetail } from '../common/api-error';
import { isDuplicateKeyError } from '../common/mongo-errors';
import { PagesService } from '../pages/pages.service';
import {
  attributeFromJson,
  attributeNameProblem,
  MAX_ATTRIBUTES,
  sameAttributeValue,
  type Attributes,
} from './attributes';
import type { BuiltInField, ImportedUser } from './csv-columns';
import type { UserInputDto, UserView } from './user.dto';
import { toUserView } from './user-view';
import { User } from './user.schema';

const EDITABLE_FIELDS = ['firstName', 'lastName', 'locale', 'timezone'] as const;

export interface ImportBatchCounts {
  inserted: number;
  updated: number;
  unchanged: number;
}

@Injectable()
export class UsersService {
  constructor(
    @InjectModel(User.name) private readonly users: Model<User>,
    private readonly pages: PagesService,
  ) {}

  /** A page of a Page's users in _id order, optionally narrowed by a compiled segment filter. */
  async list(
    pageId: string,
    options: { filter?: Record<string, unknown>; limit: number; cursor?: string },
  ) {
    await this.pages.get(pageId);
    const query: Record<string, unknown> = {
      pageId,
      ...(options.filter ? { $and: [options.filter] } : {}),
    };
    if (options.cursor) query._id = { $gt: new Types.ObjectId(options.cursor) };
    const users = await this.users
      .find(query)
      .sort({ _id: 1 })
      .limit(options.limit + 1)
      .lean();
    const items = users.slice(0, options.limit);
    return {
      items: items.map(toUserView),
      nextCursor: users.length > options.limit ? String(items[items.length - 1]._id) : null,
    };
  }

  async get(pageId: string, psid: string): Promise<UserView> {
    const user = await this.users.findOne({ pageId, psid }).lean();
    if (!user) throw ApiError.notFound(`user ${psid} of Page ${pageId}`);
    return toUserView(user);
  }

  /** Creates or replaces the user's own fields and attributes; webhook facts (lastInboundAt…) stay. */
  async put(
    pageId: string,
    psid: string,
    input: UserInputDto & { suppressed?: boolean },
  ): Promise<UserView> {
    await this.pages.get(pageId);
    const attributes = validateAttributes(input.attributes ?? {}, false);
    const set: Record<string, unknown> = { attributes };
    const unset: Record<string, 1> = {};
    for (const field of EDITABLE_FIELDS) {
      if (input[field] !== undefined && input[field] !== null) set[field] = input[field];
      else unset[field] = 1;
    }
    if (input.suppressed !== undefined) set.suppressed = input.suppressed;
    return this.upsert(
      pageId,
      psid,
      { $set: set, ...(Object.keys(unset).length ? { $unset: unset } : {}) },
      'api',
    );
  }

  /** Merges fields and attributes into an existing user; null removes a field or attribute. */
  async patch(
    pageId: string,
    psid: string,
    input: UserInputDto & { suppressed?: boolean },
  ): Promise<UserView> {
    const set: Record<string, unknown> = {};
    const unset: Record<string, 1> = {};
    for (const field of EDITABLE_FIELDS) {
      if (input[field] === null) unset[field] = 1;
      else if (input[field] !== undefined) set[field] = input[field];
    }
    if (input.suppressed !== undefined) set.suppressed = input.suppressed;
    for (const [name, value] of Object.entries(validateAttributes(input.attributes ?? {}, true))) {
      if (value === null) unset[`attributes.${name}`] = 1;
      else set[`attributes.${name}`] = value;
    }
    const user = await this.users
      .findOneAndUpdate(
        { pageId, psid },
        {
          ...(Object.keys(set).length ? { $set: set } : {}),
          ...(Object.keys(unset).length ? { $unset: unset } : {}),
        },
        { new: true },
      )
      .lean();
    if (!user) throw ApiError.notFound(`user ${psid} of Page ${pageId}`);
    return toUserView(user);
  }

  async delete(pageId: string, psid: string): Promise<void> {
    const { deletedCount } = await this.users.deleteOne({ pageId, psid });
    if (deletedCount === 0) throw ApiError.notFound(`user ${psid} of Page ${pageId}`);
  }

  /**
   * The webhook's capture hook: creates the user (source `webhook`) if new and
   * moves lastInboundAt forward (never back: events may arrive out of order).
   * A first message from a Click-to-Messenger ad also opens the 7-day window.
   * Concurrent calls for one PSID create one user; the caller feeds one PSID's
   * events in order (SPEC §8: one writer per document), which keeps $max exact
   * on engines whose updates are read-modify-write.
   */
  async recordInbound(
    pageId: string,
    psid: string,
    at: Date,
    options: { fromAd?: boolean } = {},
  ): Promise<void> {
    await this.upsert(
      pageId,
      psid,
      { $max: { lastInboundAt: at, ...(options.fromAd ? { adReferralAt: at } : {}) } },
      'webhook',
    );
  }

  /**
   * Writes one batch of an import (PSIDs unique within the batch). Optimistic:
   * every row is inserted as a new user first, and only the rows that collide
   * with an existing user (duplicate key) are read and compared, then updated
   * field by field or left alone when identical. A first import never reads,
   * which matters on engines without index-backed `$in` lookups (FerretDB).
   */
  async applyImportBatch(pageId: string, rows: ImportedUser[]): Promise<ImportBatchCounts> {
    const counts: ImportBatchCounts = { inserted: 0, updated: 0, unchanged: 0 };
    if (rows.length === 0) return counts;
    const now = new Date();
    const existingRows = await this.insertNew(pageId, rows, now);
    counts.inserted = rows.length - existingRows.length;
    if (existingRows.length === 0) return counts;

    const existing = await this.users.collection
      .find(
        { pageId, psid: { $in: existingRows.map((row) => row.psid) } },
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
    const byPsid = new Map(existing.map((user) => [user.psid as string, user]));
    const updates: AnyBulkWriteOperation[] = [];
    for (const row of existingRows) {
      const set = changedFields(byPsid.get(row.psid) ?? {}, row);
      if (Object.keys(set).length === 0) counts.unchanged += 1;
      else
        updates.push({
          updateOne: {
            filter: { pageId, psid: row.psid },
            update: { $set: { ...set, updatedAt: now } },
          },
        });
    }
    if (updates.length > 0)
      await this.users.collection.bulkWrite(updates as never[], { ordered: false });
    counts.updated = updates.length;
    return counts;
  }

  /** Inserts the rows as new users; returns those whose PSID already exists (duplicate key). */
  private async insertNew(
    pageId: string,
    rows: ImportedUser[],
    now: Date,
  ): Promise<ImportedUser[]> {
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
      const writeErrors = (
        error as {
          writeErrors?: { index: number; code: number }[] | { index: number; code: number };
        }
      ).writeErrors;
      const failures = Array.isArray(writeErrors) ? writeErrors : writeErrors ? [writeErrors] : [];
      if (failures.length === 0 || failures.some((failure) => failure.code !== 11000)) throw error;
      return failures.map((failure) => rows[failure.index]);
    }
  }

  private async upsert(
    pageId: string,
    psid: string,
    update: Record<string, unknown>,
    source: User['source'],
  ): Promise<UserView> {
    // Defaults for a new user, less whatever the update sets itself (MongoDB refuses both on one path).
    const set = (update.$set ?? {}) as Record<string, unknown>;
    const defaults = Object.fromEntries(
      Object.entries({ source, suppressed: false, attributes: {} }).filter(
        ([key]) => !(key in set),
      ),
    );
    const apply = () =>
      this.users
        .findOneAndUpdate(
          { pageId, psid },
          { ...update, $setOnInsert: defaults },
          { new: true, upsert: true },
        )
        .lean();
    try {
      return toUserView(await apply());
    } catch (error) {
      // Two first writes for one PSID at once: the loser's insert fails; now it is an update.
      if (!isDuplicateKeyError(error)) throw error;
      return toUserView(await apply());
    }
  }
}

function changedFields(
  current: Record<string, unknown>,
  row: ImportedUser,
): Record<string, unknown> {
  const set: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(row.fields) as [BuiltInField, string | Date][]) {
    if (!sameAttributeValue(current[field], value)) set[field] = value;
  }
  const attributes = (current.attributes ?? {}) as Attributes;
  for (const [name, value] of Object.entries(row.attributes)) {
    if (!sameAttributeValue(attributes[name], value)) set[`attributes.${name}`] = value;
  }
  return set;
}

/** Checks names and values; with `allowNull`, null marks an attribute to remove. */
function validateAttributes(
  input: Record<string, unknown>,
  allowNull: boolean,
): Record<string, Attributes[string] | null> {
  const details: ErrorDetail[] = [];
  const output: Record<string, Attributes[string] | null> = {};
  const entries = Object.entries(input);
  if (entries.length > MAX_ATTRIBUTES)
    details.push({ field: 'attributes', reason: `at most ${MAX_ATTRIBUTES} attributes` });
  for (const [name, raw] of entries) {
    const field = `attributes.${name}`;
    const nameProblem = attributeNameProblem(name);
    if (nameProblem) {
      details.push({ field, reason: nameProblem });
      continue;
    }
    if (raw === null && allowNull) {
      output[name] = null;
      continue;
    }
    const parsed = attributeFromJson(raw);
    if ('problem' in parsed) details.push({ field, reason: parsed.problem });
    else output[name] = parsed.value;
  }
  if (details.length > 0) throw ApiError.fromProblems(details);
  return output;
}
