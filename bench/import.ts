/**
 * CSV import throughput and memory (issue 3): the service's import, over HTTP,
 * against a bare driver insertMany of the same documents on the same database,
 * at 100k and 1M rows, each in its own process and database.
 */
import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startDatabase, withDatabaseName } from '../scripts/database';
import { ensureCsv } from './import-data';

interface Measurement {
  rows: number;
  seconds: number;
  rssMiB: number;
  heapUsedMiB: number;
  externalMiB: number;
}

/** One run in a fresh Node process (compiled JavaScript, as in production). */
async function measure(
  mode: 'import' | 'bare',
  file: string,
  uri: string,
  nodeFlags: string[] = [],
): Promise<Measurement> {
  const child = join(__dirname, 'import-child.js');
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [...nodeFlags, child, mode, file, uri],
    { maxBuffer: 1 << 20 },
  );
  return JSON.parse(stdout.trim().split('\n').pop()!) as Measurement;
}

/** A heap this small cannot hold a file's worth of rows: completing under it shows memory stays bounded. */
const CAPPED_HEAP_MIB = 128;

export async function benchImport(sizes = [100_000, 1_000_000]): Promise<string> {
  const database = await startDatabase();
  const lines = [
    `### CSV import (${database.engine}; 11 columns; each run in a fresh process and database)`,
    '',
    '| rows | file | bare insertMany (limit) | service import | ratio import ÷ bare | peak RSS bare | peak RSS import | peak heap import |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  try {
    for (const size of sizes) {
      const file = await ensureCsv(size);
      const bare = await measure(
        'bare',
        file,
        withDatabaseName(database.uri, `bench_bare_${size}_${Date.now()}`),
      );
      const imported = await measure(
        'import',
        file,
        withDatabaseName(database.uri, `bench_import_${size}_${Date.now()}`),
      );
      if (imported.rows !== size || bare.rows !== size)
        throw new Error(`expected ${size} rows, bare wrote ${bare.rows}, import ${imported.rows}`);
      const rate = (m: Measurement) => Math.round(m.rows / m.seconds);
      lines.push(
        `| ${size.toLocaleString('en')} | ${(statSync(file).size / 2 ** 20).toFixed(0)} MiB | ${rate(bare).toLocaleString('en')} rows/s | ${rate(imported).toLocaleString('en')} rows/s | **${(rate(imported) / rate(bare)).toFixed(2)}** | ${bare.rssMiB.toFixed(0)} MiB | ${imported.rssMiB.toFixed(0)} MiB | ${imported.heapUsedMiB.toFixed(0)} MiB |`,
      );
    }
    const largest = sizes[sizes.length - 1];
    const capped = await measure(
      'import',
      await ensureCsv(largest),
      withDatabaseName(database.uri, `bench_capped_${Date.now()}`),
      [`--max-old-space-size=${CAPPED_HEAP_MIB}`],
    );
    lines.push(
      '',
      `With the heap capped at ${CAPPED_HEAP_MIB} MiB (\`--max-old-space-size\`), the ${largest.toLocaleString('en')}-row import completes: ${capped.rows.toLocaleString('en')} rows, ${Math.round(capped.rows / capped.seconds).toLocaleString('en')} rows/s, peak RSS ${capped.rssMiB.toFixed(0)} MiB, peak heap ${capped.heapUsedMiB.toFixed(0)} MiB.`,
    );
  } finally {
    await database.stop();
  }
  return lines.join('\n');
}
