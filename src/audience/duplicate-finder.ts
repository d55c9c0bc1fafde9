/**
 * Finds the last line of every PSID that occurs more than once in a file, in
 * memory that does not grow with the file: a Bloom filter remembers the PSIDs
 * seen, and only PSIDs it reports as seen before (true repeats, and a few false
 * positives that do no harm) are kept with their latest line. The import then
 * skips every occurrence but the last, so the last row wins and counts once.
 */
export class DuplicateFinder {
  private readonly bits: Uint8Array;
  private readonly bitCount: number;
  private readonly repeatedAt = new Map<string, number>();

  /** 2^27 bits (16 MiB) and 4 probes: about 1 false positive in 10^6 at a million PSIDs. */
  constructor(
    bitCountLog2 = 27,
    private readonly probes = 4,
  ) {
    this.bitCount = 2 ** bitCountLog2;
    this.bits = new Uint8Array(this.bitCount / 8);
  }

  add(psid: string, line: number): void {
    const h1 = fnv1a(psid, 0x811c9dc5);
    const h2 = fnv1a(psid, 0x01000193) | 1;
    let seen = true;
    for (let probe = 0; probe < this.probes; probe += 1) {
      const bit = ((h1 + Math.imul(probe, h2)) >>> 0) & (this.bitCount - 1);
      const mask = 1 << (bit & 7);
      if ((this.bits[bit >>> 3] & mask) === 0) {
        seen = false;
        this.bits[bit >>> 3] |= mask;
      }
    }
    if (seen) this.repeatedAt.set(psid, line);
  }

  /** Whether the row at `line` is superseded by a later row of the same PSID. */
  isSuperseded(psid: string, line: number): boolean {
    const last = this.repeatedAt.get(psid);
    return last !== undefined && last !== line;
  }
}

function fnv1a(text: string, seed: number): number {
  let hash = seed >>> 0;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
