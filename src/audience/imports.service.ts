/**
 * Runs CSV imports in the background of the API process. Two streaming passes
 * over the stored file: the first finds repeated PSIDs (DuplicateFinder), the
 * second maps rows and writes them in batches, so memory stays flat however
 * large the file. Progress and the first errors are written after every batch.
 */
import {
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
  OnModuleDestroy,
  OnModuleInit,
} from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { SchedulerRegistry } from '@nestjs/schedule';
import { parse, type CsvError } from 'csv-parse';
import { open, rm, type FileHandle } from 'node:fs/promises';
import { isValidObjectId, type Model } from 'mongoose';
import { ApiError } from '../common/api-error';
import { Clock } from '../common/clock';
import { PagesService } from '../pages/pages.service';
import { mapRow, rowPsid, type ImportedUser } from './csv-columns';
import {
  checkUpload,
  sweepUploadLeftovers,
  type CheckedUpload,
  type StoredUpload,
} from './csv-upload';
import { DuplicateFinder } from './duplicate-finder';
import { Import, MAX_KEPT_ERRORS, type ImportCounts } from './import.schema';
import { UsersService } from './users.service';

export const IMPORT_BATCH_SIZE = 1000;
/** An import whose heartbeat is older than this is owned by no live process (runs beat far more often). */
const STALE_AFTER_MS = 2 * 60_000;
/** How often the first pass, which writes nothing else, refreshes the heartbeat. */
const HEARTBEAT_MS = 15_000;
/** The interval (SchedulerRegistry name) that marks orphaned imports failed. */
export const ORPHAN_SWEEP = 'import-orphan-sweep';
const ORPHAN_SWEEP_MS = 60_000;
/** Waits between attempts to record a failed import while the database is away; then the sweep takes over. */
const FINISH_RETRY_MS = [1000, 2000, 4000, 8000, 15_000, 30_000, 60_000];
const INTERRUPTED =
  'interrupted (the service stopped or lost the database); upload the file again: a re-import changes only what differs';

export interface ImportView {
  importId: string;
  pageId: string;
  status: Import['status'];
  filename?: string;
  bytes: number;
  rowsProcessed: number;
  /** Null until the first pass has counted the file's rows. */
  rowsTotal: number | null;
  counts: ImportCounts;
  errors: { line: number; reason: string }[];
  errorCount: number;
  failureReason?: string;
  createdAt: Date;
  finishedAt?: Date;
}

interface ParsedRecord {
  record: string[];
  info: { lines: number; records: number };
}

type RowError = { line: number; reason: string };
/** A row waiting in a batch, with the line its errors are reported on. */
type BatchRow = { user: ImportedUser; line: number };

@Injectable()
export class ImportsService
  implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy, OnApplicationShutdown
{
  private readonly logger = new Logger(ImportsService.name);
  /** Imports this process runs; `done` never rejects. */
  private readonly running = new Map<string, { done: Promise<void>; abort: AbortController }>();

  constructor(
    @InjectModel(Import.name) private readonly imports: Model<Import>,
    private readonly users: UsersService,
    private readonly pages: PagesService,
    private readonly clock: Clock,
    private readonly registry: SchedulerRegistry,
  ) {}

  /** At start, before traffic: imports and upload files a crash left behind are cleaned up. */
  async onModuleInit(): Promise<void> {
    await this.sweepOrphans();
    await sweepUploadLeftovers(this.clock.now()).catch((error: unknown) =>
      this.logger.error(`sweeping upload leftovers failed: ${describe(error)}`),
    );
  }

  onApplicationBootstrap(): void {
    const timer = setInterval(() => void this.sweepOrphans(), ORPHAN_SWEEP_MS);
    timer.unref();
    this.registry.addInterval(ORPHAN_SWEEP, timer);
  }

  onModuleDestroy(): void {
    if (this.registry.doesExist('interval', ORPHAN_SWEEP))
      this.registry.deleteInterval(ORPHAN_SWEEP);
  }

  async onApplicationShutdown(): Promise<void> {
    for (const run of this.running.values()) run.abort.abort();
    await Promise.all([...this.running.values()].map((run) => run.done));
  }

  /**
   * Marks failed every running import no live process owns (its heartbeat is
   * stale; this process's own runs are left alone). Never rejects: a database
   * outage is logged and the next sweep tries again.
   */
  async sweepOrphans(): Promise<void> {
    try {
      const now = this.clock.now();
      await this.imports.updateMany(
        {
          status: 'running',
          heartbeatAt: { $lt: new Date(now.getTime() - STALE_AFTER_MS) },
          _id: { $nin: [...this.running.keys()] },
        },
        { $set: { status: 'failed', failureReason: INTERRUPTED, finishedAt: now } },
      );
    } catch (error) {
      this.logger.error(`the sweep for orphaned imports failed: ${describe(error)}`);
    }
  }

  /** Checks the stored upload and starts the import; the file is removed whatever happens. */
  async start(pageId: string, upload: StoredUpload): Promise<ImportView> {
    const { checked, file, created } = await this.prepare(pageId, upload);
    const importId = String(created._id);
    const abort = new AbortController();
    const done = this.run(importId, pageId, checked, file, abort.signal)
      .catch((error: unknown) => this.recordFailure(importId, error, abort.signal))
      .then(() => file.close())
      .finally(() => rm(checked.path, { force: true }))
      .catch((error: unknown) =>
        this.logger.error(`import ${importId}: cleaning up failed: ${describe(error)}`),
      )
      .finally(() => this.running.delete(importId));
    this.running.set(importId, { done, abort });
    return toImportView(created.toObject());
  }

  /** Everything before the import runs; on any failure the upload is removed. */
  private async prepare(pageId: string, upload: StoredUpload) {
    let file: FileHandle | undefined;
    try {
      await this.pages.get(pageId);
      const checked = await checkUpload(upload);
      // Held open for the whole run, so a leftover sweep that removes the path cannot break it.
      file = await open(upload.path, 'r');
      const created = await this.imports.create({
        pageId,
        status: 'running',
        filename: upload.filename,
        bytes: upload.bytes,
        delimiter: checked.delimiter,
        counts: { rows: 0, inserted: 0, updated: 0, unchanged: 0, invalid: 0, duplicates: 0 },
        rowsProcessed: 0,
        rowErrors: [],
        errorCount: 0,
        heartbeatAt: this.clock.now(),
      });
      return { checked, file, created };
    } catch (error) {
      await file?.close().catch(() => undefined);
      await rm(upload.path, { force: true });
      throw error;
    }
  }

  /**
   * Records a failed run, retrying while the database is away (the usual cause).
   * Never rejects: if the record cannot be written, the sweep fails the import
   * once this process stops owning it.
   */
  private async recordFailure(importId: string, error: unknown, signal: AbortSignal) {
    this.logger.error(`import ${importId} failed: ${describe(error)}`);
    const failureReason = signal.aborted
      ? INTERRUPTED
      : 'stopped by an error (see the service log); upload the file again: a re-import changes only what differs';
    for (const wait of [...FINISH_RETRY_MS, undefined]) {
      try {
        return await this.finish(importId, { status: 'failed', failureReason });
      } catch (finishError) {
        this.logger.warn(
          `import ${importId}: recording the failure failed: ${describe(finishError)}`,
        );
        if (wait === undefined || signal.aborted) return;
        await pause(wait, signal);
      }
    }
  }

  /** The import; with `waitSeconds`, first waits (up to that long) for it to finish when this process runs it. */
  async get(importId: string, waitSeconds = 0): Promise<ImportView> {
    if (!isValidObjectId(importId)) throw ApiError.notFound(`import ${importId}`);
    const run = this.running.get(importId);
    if (run && waitSeconds > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        run.done,
        new Promise((resolve) => (timer = setTimeout(resolve, waitSeconds * 1000))),
      ]);
      clearTimeout(timer);
    }
    const found = await this.imports.findById(importId).lean();
    if (!found) throw ApiError.notFound(`import ${importId}`);
    return toImportView(found);
  }

  async list(pageId: string): Promise<ImportView[]> {
    await this.pages.get(pageId);
    const found = await this.imports.find({ pageId }).sort({ createdAt: -1 }).limit(50).lean();
    return found.map(toImportView);
  }

  /** The file's records with their line; `onSkip` hears of each record the parser refused. */
  private parse(
    upload: CheckedUpload,
    file: FileHandle,
    onSkip?: (error: CsvError, lastRecordLine: number) => void,
  ): AsyncIterable<ParsedRecord> {
    // Tracked as the parser goes (not as the loop reads), so a skip knows where the last good record ended.
    let lastRecordLine = 0;
    const parser = parse({
      delimiter: upload.delimiter,
      bom: true,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      on_record: (record, context) => {
        lastRecordLine = context.lines;
        return record;
      },
    });
    if (onSkip) parser.on('skip', (error: CsvError) => onSkip(error, lastRecordLine));
    // pipe() does not forward a read error: without this the parser would wait forever.
    const source = file
      .createReadStream({ start: 0, autoClose: false })
      .on('error', (error) => parser.destroy(error));
    return source.pipe(parser);
  }

  private async run(
    importId: string,
    pageId: string,
    upload: CheckedUpload,
    file: FileHandle,
    signal: AbortSignal,
  ): Promise<void> {
    const finder = new DuplicateFinder();
    let lastBeat = this.clock.now().getTime();
    // Rows the parser refuses are rows too: the second pass reports each.
    let rowsTotal = 0;
    for await (const { record, info } of this.parse(upload, file, () => (rowsTotal += 1))) {
      if (info.records === 1) continue;
      rowsTotal += 1;
      const psid = rowPsid(record, upload.plan);
      if ('psid' in psid) finder.add(psid.psid, info.lines);
      // This pass writes nothing else, and the run is this document's only writer.
      if (this.clock.now().getTime() - lastBeat >= HEARTBEAT_MS) {
        if (signal.aborted) throw new Error('import aborted by shutdown');
        lastBeat = this.clock.now().getTime();
        await this.imports.updateOne(
          { _id: importId },
          { $set: { heartbeatAt: this.clock.now() } },
        );
      }
    }

    await this.imports.updateOne({ _id: importId }, { $set: { rowsTotal } });

    const counts: ImportCounts = {
      rows: 0,
      inserted: 0,
      updated: 0,
      unchanged: 0,
      invalid: 0,
      duplicates: 0,
    };
    let errorCount = 0;
    let pendingErrors: RowError[] = [];
    const noteError = (errors: RowError[], line: number, reason: string) => {
      counts.invalid += 1;
      if (errorCount < MAX_KEPT_ERRORS) errors.push({ line, reason });
      errorCount += 1;
    };
    const reject = (line: number, reason: string) => {
      counts.rows += 1;
      noteError(pendingErrors, line, reason);
    };
    let batch: BatchRow[] = [];
    // One batch is written while the next is parsed. Writes never race on a PSID: the
    // first pass made every PSID appear in at most one batch, so their order is free.
    let writing: Promise<void> = Promise.resolve();
    let writeFailure: Error | undefined;
    const write = async (rows: BatchRow[], errors: RowError[], processed: number) => {
      const written = await this.users.applyImportBatch(
        pageId,
        rows.map((row) => row.user),
      );
      counts.inserted += written.inserted;
      counts.updated += written.updated;
      counts.unchanged += written.unchanged;
      const lines = new Map(rows.map((row) => [row.user.psid, row.line]));
      for (const { psid, reason } of written.refused)
        noteError(errors, lines.get(psid) ?? 0, reason);
      await this.imports.updateOne(
        { _id: importId },
        {
          $set: {
            counts: { ...counts, rows: processed },
            rowsProcessed: processed,
            errorCount,
            heartbeatAt: this.clock.now(),
          },
          ...(errors.length > 0 ? { $push: { rowErrors: { $each: errors } } } : {}),
        },
      );
    };
    const flush = async () => {
      await writing;
      if (writeFailure) throw writeFailure;
      if (signal.aborted) throw new Error('import aborted by shutdown');
      writing = write(batch, pendingErrors, counts.rows).catch((error: unknown) => {
        writeFailure = error instanceof Error ? error : new Error(String(error));
      });
      batch = [];
      pendingErrors = [];
    };

    const rules = { decimalComma: upload.delimiter === ';', now: this.clock.now() };
    const onSkip = (error: CsvError, lastRecordLine: number) =>
      reject(...skippedRow(error, lastRecordLine));
    for await (const { record, info } of this.parse(upload, file, onSkip)) {
      if (info.records === 1) continue;
      const mapped = mapRow(record, upload.plan, rules);
      if ('problem' in mapped) {
        reject(info.lines, mapped.problem);
      } else {
        counts.rows += 1;
        if (finder.isSuperseded(mapped.user.psid, info.lines)) counts.duplicates += 1;
        else batch.push({ user: mapped.user, line: info.lines });
      }
      if (batch.length >= IMPORT_BATCH_SIZE) await flush();
    }
    await flush();
    await writing;
    if (writeFailure) throw writeFailure;
    await this.finish(importId, { status: 'completed' });
  }

  private async finish(
    importId: string,
    outcome: { status: 'completed' | 'failed'; failureReason?: string },
  ): Promise<void> {
    const now = this.clock.now();
    await this.imports.updateOne(
      { _id: importId },
      { $set: { ...outcome, finishedAt: now, heartbeatAt: now } },
    );
  }
}

function toImportView(doc: Import & { _id: unknown }): ImportView {
  return {
    importId: String(doc._id),
    pageId: doc.pageId,
    status: doc.status,
    filename: doc.filename,
    bytes: doc.bytes,
    rowsProcessed: doc.rowsProcessed,
    rowsTotal: doc.rowsTotal ?? null,
    counts: doc.counts,
    errors: (doc.rowErrors ?? []).map(({ line, reason }) => ({ line, reason })),
    errorCount: doc.errorCount,
    failureReason: doc.failureReason,
    createdAt: doc.createdAt,
    finishedAt: doc.finishedAt,
  };
}

/**
 * The line and reason of a record the parser refused. An unclosed quote swallows
 * the rest of the file, so the parser only notices at the end: it is reported on
 * the line after the last good record, where that quote opened.
 */
function skippedRow(error: CsvError, lastRecordLine: number): [number, string] {
  if (error.code === 'CSV_QUOTE_NOT_CLOSED') {
    return [lastRecordLine + 1, 'not valid CSV: a quote opened on this line is never closed'];
  }
  const line = Number((error as CsvError & { lines?: number }).lines ?? 0);
  return [
    line,
    `not valid CSV: ${error.message.replace(/^Invalid Record Length: |\s*at line \d+.*$/gi, '')}`,
  ];
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

/** Waits `ms`, or less when the service shuts down. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    const stop = () => {
      clearTimeout(timer);
      resolve();
    };
    signal.addEventListener('abort', stop, { once: true });
  });
}
