/**
 * Finds the first byte a CSV import refuses anywhere in a file: a NUL, or a byte
 * that is not UTF-8 (which a decoder would store as U+FFFD). Fed chunk by chunk,
 * so a whole upload is checked in constant memory; pure, so it is tested on bytes.
 */
import { isUtf8 } from 'node:buffer';

export interface TextProblem {
  /** 1-based, counting LF as the end of a line (as the CSV parser counts). */
  line: number;
  /** Byte offset in the file. */
  offset: number;
  kind: 'nul' | 'utf8';
}

const LF = 0x0a;

export class TextScanner {
  private line = 1;
  private offset = 0;
  /** The start of a character split across two chunks. */
  private carry: Buffer = Buffer.alloc(0);

  /** The first problem in this chunk, or undefined. */
  push(chunk: Buffer): TextProblem | undefined {
    const bytes = this.carry.length > 0 ? Buffer.concat([this.carry, chunk]) : chunk;
    const complete = bytes.subarray(0, completeLength(bytes));
    this.carry = Buffer.from(bytes.subarray(complete.length));
    const problem = this.problemIn(complete);
    this.line += countLineFeeds(complete, complete.length);
    this.offset += complete.length;
    return problem;
  }

  /** After the last chunk: a character cut off by the end of the file. */
  end(): TextProblem | undefined {
    return this.carry.length > 0 ? this.problemAt(Buffer.alloc(0), 0, 'utf8') : undefined;
  }

  private problemIn(bytes: Buffer): TextProblem | undefined {
    const nul = bytes.indexOf(0);
    const invalid = isUtf8(bytes) ? -1 : firstInvalidUtf8(bytes);
    if (nul >= 0 && (invalid < 0 || nul < invalid)) return this.problemAt(bytes, nul, 'nul');
    if (invalid >= 0) return this.problemAt(bytes, invalid, 'utf8');
    return undefined;
  }

  private problemAt(bytes: Buffer, index: number, kind: TextProblem['kind']): TextProblem {
    return { line: this.line + countLineFeeds(bytes, index), offset: this.offset + index, kind };
  }
}

/** How many leading bytes hold whole characters; the rest start a character the next chunk ends. */
export function completeLength(bytes: Uint8Array): number {
  for (let back = 1; back <= Math.min(3, bytes.length); back += 1) {
    const byte = bytes[bytes.length - back];
    if ((byte & 0xc0) === 0x80) continue;
    const length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return length > back ? bytes.length - back : bytes.length;
  }
  return bytes.length;
}

/** The offset of the first byte that does not start a valid UTF-8 character, or -1. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let index = 0;
  while (index < bytes.length) {
    const lead = bytes[index];
    if (lead < 0x80) {
      index += 1;
      continue;
    }
    const [following, smallest] =
      lead >= 0xc2 && lead <= 0xdf
        ? [1, 0x80]
        : lead >= 0xe0 && lead <= 0xef
          ? [2, 0x800]
          : lead >= 0xf0 && lead <= 0xf4
            ? [3, 0x10000]
            : [0, 0];
    if (following === 0 || index + following >= bytes.length) return index;
    let codePoint = lead & (0x3f >> following);
    for (let next = 1; next <= following; next += 1) {
      const byte = bytes[index + next];
      if ((byte & 0xc0) !== 0x80) return index;
      codePoint = (codePoint << 6) | (byte & 0x3f);
    }
    // Overlong forms, UTF-16 surrogates and values past U+10FFFF are not UTF-8.
    if (
      codePoint < smallest ||
      codePoint > 0x10ffff ||
      (codePoint >= 0xd800 && codePoint <= 0xdfff)
    )
      return index;
    index += following + 1;
  }
  return -1;
}

function countLineFeeds(bytes: Buffer, end: number): number {
  let count = 0;
  for (let at = bytes.indexOf(LF); at >= 0 && at < end; at = bytes.indexOf(LF, at + 1)) count += 1;
  return count;
}
