import { Injectable } from '@nestjs/common';
import { ApiError, type ErrorDetail } from '../common/api-error';
import { Clock } from '../common/clock';
import { PagesService } from '../pages/pages.service';
import {
  attributeFromJson,
  attributeNameProblem,
  describeAttributes,
  MAX_ATTRIBUTES,
  mergeAttributes,
  sameAttributeValue,
  type AttributeSummary,
  type Attributes,
} from './attributes';
import type { BuiltInField, ImportedUser } from './csv-columns';
import type { UserInputDto, UserView } from './user.dto';
import { toUserView } from './user-view';
import { lastInboundAtProblem, psidProblem } from './user-rules';
import { newUserDefaults, UsersRepository, type ImportComparable } from './users.repository';

const EDITABLE_FIELDS = ['firstName', 'lastName', 'locale', 'timezone'] as const;
/** Users read to suggest attributes: the newest, enough to meet every column of recent imports. */
const ATTRIBUTE_SAMPLE = 1000;
/** Reads and conditional writes a PATCH tries before answering 409 to a user that keeps changing. */
const PATCH_ATTEMPTS = 3;

export interface ImportBatchCounts {
  inserted: number;
  updated: number;
  unchanged: number;
  /** Rows not written because, merged into the stored user, they would break a rule (the attribute cap). */
  refused: { psid: string; reason: string }[];
}

@Injectable()
export class UsersService {
  constructor(
    private readonly users: UsersRepository,
    private readonly pages: PagesService,
    private readonly clock: Clock,
  ) {}

  /** A page of a Page's users in _id order, optionally narrowed by a compiled segment filter. */
  async list(
    pageId: string,
    options: { filter?: Record<string, unknown>; limit: number; cursor?: string },
  ) {
    await this.pages.get(pageId);
    const users = await this.users.listPage(pageId, options.filter, options.limit, options.cursor);
    const items = users.slice(0, options.limit);
    return {
      items: items.map(toUserView),
      nextCursor: users.length > options.limit ? String(items[items.length - 1]._id) : null,
    };
  }

  /** The attributes found on the Page's newest users (type, examples), and the locales and timezones seen. */
  async attributes(pageId: string): Promise<{
    sampled: number;
    items: AttributeSummary[];
    builtIns: { locale: string[]; timezone: string[] };
  }> {
    await this.pages.get(pageId);
    const sample = await this.users.newestProfiles(pageId, ATTRIBUTE_SAMPLE);
    const seen = (field: 'locale' | 'timezone') =>
      [...new Set(sample.map((user) => user[field]).filter((value) => value !== undefined))]
        .sort()
        .slice(0, 50);
    return {
      sampled: sample.length,
      items: describeAttributes(sample.map((user) => user.attributes)),
      builtIns: { locale: seen('locale'), timezone: seen('timezone') },
    };
  }

  async get(pageId: string, psid: string): Promise<UserView> {
    const user = await this.users.findByPsid(pageId, psid);
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
    return toUserView(
      await this.users.upsert(
        pageId,
        psid,
        { $set: set, ...(Object.keys(unset).length ? { $unset: unset } : {}) },
        newUserDefaults('api'),
      ),
    );
  }

  /**
   * Merges fields and attributes into an existing user; null removes a field or
   * attribute. The merge is checked against the attribute cap on what was read and
   * written whole, only if the user did not change meanwhile (else read again), so
   * no interleaving of merges can pass the cap.
   */
  async patch(
    pageId: string,
    psid: string,
    input: UserInputDto & { suppressed?: boolean },
  ): Promise<UserView> {
    const changes = validateAttributes(input.attributes ?? {}, true);
    const set: Record<string, unknown> = {};
    const unset: Record<string, 1> = {};
    for (const field of EDITABLE_FIELDS) {
      if (input[field] === null) unset[field] = 1;
      else if (input[field] !== undefined) set[field] = input[field];
    }
    if (input.suppressed !== undefined) set.suppressed = input.suppressed;
    for (let attempt = 0; attempt < PATCH_ATTEMPTS; attempt += 1) {
      const current = await this.users.findByPsid(pageId, psid);
      if (!current) throw ApiError.notFound(`user ${psid} of Page ${pageId}`);
      const merged = mergeAttributes(current.attributes ?? {}, changes);
      if ('problem' in merged) throw ApiError.invalidField('attributes', merged.problem);
      const updated = await this.users.updateIfUnchanged(pageId, psid, current.updatedAt, {
        $set: { ...set, attributes: merged.attributes },
        ...(Object.keys(unset).length ? { $unset: unset } : {}),
      });
      if (updated) return toUserView(updated);
    }
    throw ApiError.conflict(
      'user_changed',
      `user ${psid} kept changing while the PATCH was applied; send it again`,
    );
  }

  async delete(pageId: string, psid: string): Promise<void> {
    if (!(await this.users.deleteByPsid(pageId, psid)))
      throw ApiError.notFound(`user ${psid} of Page ${pageId}`);
  }

  /**
   * The webhook's capture hook: creates the user (source `webhook`) if new and
   * moves lastInboundAt forward (never back: events may arrive out of order).
   * A first message from a Click-to-Messenger ad also opens the 7-day window.
   * Concurrent calls for one PSID create one user; the caller feeds one PSID's
   * events in order (SPEC §8: one writer per document), which keeps $max exact
   * on engines whose updates are read-modify-write. A PSID or a time the API would
   * refuse is refused here too (400), so the webhook stores nothing the API could not.
   */
  async recordInbound(
    pageId: string,
    psid: string,
    at: Date,
    options: { fromAd?: boolean } = {},
  ): Promise<void> {
    const details = [
      { field: 'psid', reason: psidProblem(psid) },
      { field: 'lastInboundAt', reason: lastInboundAtProblem(at, this.clock.now()) },
    ].filter((detail): detail is ErrorDetail => detail.reason !== undefined);
    if (details.length > 0) throw ApiError.fromProblems(details);
    await this.users.upsert(
      pageId,
      psid,
      { $max: { lastInboundAt: at, ...(options.fromAd ? { adReferralAt: at } : {}) } },
      newUserDefaults('webhook'),
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
    const counts: ImportBatchCounts = { inserted: 0, updated: 0, unchanged: 0, refused: [] };
    if (rows.length === 0) return counts;
    const now = this.clock.now();
    const existingRows = await this.users.insertImported(pageId, rows, now);
    counts.inserted = rows.length - existingRows.length;
    if (existingRows.length === 0) return counts;

    const existing = await this.users.findImportComparables(
      pageId,
      existingRows.map((row) => row.psid),
    );
    const byPsid = new Map(existing.map((user) => [user.psid, user]));
    const changes: { psid: string; set: Record<string, unknown> }[] = [];
    for (const row of existingRows) {
      const current: Partial<ImportComparable> = byPsid.get(row.psid) ?? {};
      const merged = mergeAttributes(current.attributes ?? {}, row.attributes);
      if ('problem' in merged) {
        counts.refused.push({ psid: row.psid, reason: `attributes: ${merged.problem}` });
        continue;
      }
      const set = changedFields(current, row);
      if (Object.keys(set).length === 0) counts.unchanged += 1;
      else changes.push({ psid: row.psid, set: { ...set, updatedAt: now } });
    }
    await this.users.applyImportChanges(pageId, changes);
    counts.updated = changes.length;
    return counts;
  }
}

function changedFields(
  current: Partial<ImportComparable>,
  row: ImportedUser,
): Record<string, unknown> {
  const set: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(row.fields) as [BuiltInField, string | Date][]) {
    if (!sameAttributeValue(current[field], value)) set[field] = value;
  }
  const attributes = current.attributes ?? {};
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
