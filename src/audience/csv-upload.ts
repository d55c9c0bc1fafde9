/**
 * Receiving an upload: a multipart field `file` (stored by multer through
 * csvUploadStorage) or a raw `text/csv` body, streamed to a temporary file under
 * the size cap; then the file is checked to be UTF-8 CSV text with a usable header.
 * Upload files are readable by this user only (0600) and removed on every path.
 */
import { HttpStatus } from '@nestjs/common';
import { parse } from 'csv-parse/sync';
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync } from 'node:fs';
import { open, readdir, rm, rmdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform, type Readable } from 'node:stream';
import type { Request } from 'express';
import type { StorageEngine } from 'multer';
import { ApiError } from '../common/api-error';
import { detectDelimiter, planHeader, type HeaderPlan } from './csv-columns';
import { TextScanner, type TextProblem } from './text-scan';

/** Every process's upload folders live here; see sweepUploadLeftovers. */
const UPLOADS_ROOT = join(tmpdir(), 'messenger-imports');
/** A file another process left this long ago is a leftover: uploads in flight keep theirs fresh. */
const LEFTOVER_AFTER_MS = 10 * 60_000;
const OWNER_ONLY = 0o600;

export interface StoredUpload {
  path: string;
  bytes: number;
  filename?: string;
}

export interface CheckedUpload extends StoredUpload {
  delimiter: ',' | ';';
  plan: HeaderPlan;
}

/** This process's upload folder: a process's start sweeps its own folder whole. */
export function uploadDir(): string {
  return join(UPLOADS_ROOT, String(process.pid));
}

/** The folder uploads are streamed into, created (owner only) when missing. */
export function ensureUploadDir(): string {
  mkdirSync(uploadDir(), { recursive: true, mode: 0o700 });
  return uploadDir();
}

/**
 * Removes leftovers of uploads that ended badly (a crash, a killed process): every
 * file in this process's folder (it has just started, nothing of its own is in
 * flight), and files elsewhere under the root untouched for LEFTOVER_AFTER_MS, then
 * other processes' folders once empty. Imports hold their file open, so removing
 * an old file never breaks one that runs.
 */
export async function sweepUploadLeftovers(now: Date): Promise<void> {
  const entries = await readdir(UPLOADS_ROOT, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    const path = join(UPLOADS_ROOT, entry.name);
    if (!entry.isDirectory()) {
      await removeLeftover(path, false, now);
      continue;
    }
    const own = path === uploadDir();
    for (const name of await readdir(path)) await removeLeftover(join(path, name), own, now);
    // rmdir refuses a folder that is not empty: one still in use stays.
    if (!own) await rmdir(path).catch(() => undefined);
  }
}

async function removeLeftover(path: string, always: boolean, now: Date): Promise<void> {
  const modified = await stat(path).then(
    ({ mtimeMs }) => mtimeMs,
    () => undefined,
  );
  if (modified === undefined) return;
  if (always || now.getTime() - modified > LEFTOVER_AFTER_MS) await rm(path, { force: true });
}

/**
 * multer's disk storage, with files created 0600 and a partly written file removed
 * when the request breaks off (a truncated body never finishes the file stream).
 */
export function csvUploadStorage(): StorageEngine {
  return {
    _handleFile(req, file, done) {
      const path = join(ensureUploadDir(), uploadFileName());
      uploadsByRequest.set(req, [...(uploadsByRequest.get(req) ?? []), path]);
      writeOwnerOnly(file.stream, path, { signal: abortedRequest(req) }).then(
        (size) => done(null, { path, size }),
        (error: Error) => done(error),
      );
    },
    _removeFile(_req, file, done) {
      rm(file.path, { force: true }).then(() => done(null), done);
    },
  };
}

/** The files multer started for a request, even those it lost track of after an error. */
const uploadsByRequest = new WeakMap<Request, string[]>();

/** Removes every file stored for the request: for a request that fails before an import took its file. */
export async function removeUploadsOf(req: Request): Promise<void> {
  await Promise.all((uploadsByRequest.get(req) ?? []).map((path) => rm(path, { force: true })));
}

/** Aborts when the client goes away before its request body ended. */
function abortedRequest(req: Request): AbortSignal {
  const controller = new AbortController();
  req.once('close', () => {
    if (!req.complete) controller.abort();
  });
  return controller.signal;
}

/** A fresh temporary file name for one upload. */
export function uploadFileName(): string {
  return `${Date.now()}-${randomBytes(8).toString('hex')}.csv`;
}

export const tooLarge = (maxBytes: number): ApiError =>
  new ApiError(
    HttpStatus.PAYLOAD_TOO_LARGE,
    `the file is larger than the ${maxBytes}-byte import limit (IMPORT_MAX_BYTES)`,
  );

/** Streams a `text/csv` request body to disk, refusing it past `maxBytes`. */
export async function storeCsvBody(req: Request, maxBytes: number): Promise<StoredUpload> {
  const path = join(ensureUploadDir(), uploadFileName());
  return { path, bytes: await writeOwnerOnly(req, path, { maxBytes }) };
}

/** Writes `source` to a new 0600 file; on any failure the partial file is removed. Returns the size. */
async function writeOwnerOnly(
  source: Readable,
  path: string,
  options: { maxBytes?: number; signal?: AbortSignal },
): Promise<number> {
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, next) {
      bytes += chunk.length;
      const over = options.maxBytes !== undefined && bytes > options.maxBytes;
      next(over ? tooLarge(options.maxBytes ?? 0) : null, chunk);
    },
  });
  try {
    await pipeline(source, counter, createWriteStream(path, { mode: OWNER_ONLY }), {
      signal: options.signal,
    });
    return bytes;
  } catch (error) {
    await rm(path, { force: true });
    throw error;
  }
}

const HEAD_BYTES = 64 * 1024;

/**
 * Refuses what cannot be imported as a whole (400, with details): an empty or
 * binary file, a NUL or a non-UTF-8 byte anywhere (naming its line), a header
 * row longer than 64 KiB, and a header without a PSID column.
 */
export async function checkUpload(upload: StoredUpload): Promise<CheckedUpload> {
  const head = await readHead(upload.path);
  const notCsv = (reason: string) => ApiError.invalidField('file', reason);
  if (head.length === 0) throw notCsv('is empty: a CSV file with a header row is required');
  if (head.includes(0)) throw notCsv('is binary, not CSV text');
  const problem = await findTextProblem(upload.path);
  if (problem?.kind === 'nul') throw notCsv(`has a NUL byte on line ${problem.line}`);
  if (problem) throw notCsv(`is not UTF-8 text (line ${problem.line})`);
  const text = new TextDecoder().decode(head, { stream: true }).replace(/^\uFEFF/, '');
  const headerEnd = text.search(/\r?\n/);
  if (headerEnd < 0 && upload.bytes > head.length) {
    throw ApiError.invalidField('header', `is longer than ${HEAD_BYTES / 1024} KiB`);
  }
  const headerLine = headerEnd < 0 ? text : text.slice(0, headerEnd);
  const delimiter = detectDelimiter(headerLine);
  let cells: string[];
  try {
    cells = parse(headerLine, { delimiter, relax_quotes: true })[0] ?? [];
  } catch {
    throw notCsv('has a header row that is not valid CSV');
  }
  const planned = planHeader(cells);
  if ('problems' in planned) {
    const details = planned.problems.map((problem) => ({
      field: problem.column > 0 ? `header.${problem.column}` : 'header',
      reason: problem.header ? `${problem.header}: ${problem.reason}` : problem.reason,
    }));
    throw ApiError.badRequest(
      `the header row cannot be imported: ${details.map((detail) => detail.reason).join('; ')}`,
      details,
    );
  }
  return { ...upload, delimiter, plan: planned.plan };
}

async function readHead(path: string): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, HEAD_BYTES, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** The first NUL or non-UTF-8 byte of the whole file: checked before anything is imported. */
async function findTextProblem(path: string): Promise<TextProblem | undefined> {
  const scanner = new TextScanner();
  for await (const chunk of createReadStream(path)) {
    const problem = scanner.push(chunk as Buffer);
    if (problem) return problem;
  }
  return scanner.end();
}
