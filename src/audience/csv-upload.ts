/**
 * Receiving an upload: a multipart field `file` (stored by multer) or a raw
 * `text/csv` body, streamed to a temporary file under the size cap; then the
 * first bytes are checked to be UTF-8 CSV text with a usable header.
 */
import { HttpStatus } from '@nestjs/common';
import { parse } from 'csv-parse/sync';
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import type { Request } from 'express';
import { ApiError } from '../common/api-error';
import { detectDelimiter, planHeader, type HeaderPlan } from './csv-columns';
import { TextScanner, type TextProblem } from './text-scan';

export const UPLOAD_DIR = join(tmpdir(), 'messenger-imports');

export interface StoredUpload {
  path: string;
  bytes: number;
  filename?: string;
}

export interface CheckedUpload extends StoredUpload {
  delimiter: ',' | ';';
  plan: HeaderPlan;
}

/** The folder uploads are streamed into, created when missing. */
export function ensureUploadDir(): string {
  mkdirSync(UPLOAD_DIR, { recursive: true });
  return UPLOAD_DIR;
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
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      done(bytes > maxBytes ? tooLarge(maxBytes) : null, chunk);
    },
  });
  try {
    await pipeline(req, counter, createWriteStream(path));
  } catch (error) {
    await rm(path, { force: true });
    throw error;
  }
  return { path, bytes };
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
