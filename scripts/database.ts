/**
 * Finds or starts a MongoDB-wire server, in the order docs/database.md gives:
 * MONGODB_URI, a `mongod` on the PATH, embedded FerretDB v1 (built once from
 * scripts/ferretdb with the machine's Go; over the local PostgreSQL when one
 * answers, else over SQLite), mongodb-memory-server.
 * `npm run db`, the jest global setup and the demo all use this one function.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';

export type DatabaseEngine =
  | 'external'
  | 'mongod'
  | 'ferretdb-postgresql'
  | 'ferretdb-sqlite'
  | 'mongodb-memory-server';

export interface RunningDatabase {
  /** Connection string without a database name, e.g. `mongodb://127.0.0.1:41234/`. */
  uri: string;
  engine: DatabaseEngine;
  stop(): Promise<void>;
}

/** The checkout's root: the nearest folder up from here holding the launcher's sources (also from a compiled copy). */
function projectRoot(from = __dirname): string {
  let dir = from;
  while (!existsSync(join(dir, 'scripts', 'ferretdb', 'main.go'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no scripts/ferretdb/main.go above ${from}`);
    dir = parent;
  }
  return dir;
}

const ROOT = projectRoot();
const FERRETDB_SOURCE = join(ROOT, 'scripts', 'ferretdb');
const CACHE = join(ROOT, '.cache', 'ferretdb');
/** The PostgreSQL server FerretDB may use (it creates a database of its own there and drops it at exit). */
const POSTGRESQL_URL =
  process.env.FERRETDB_POSTGRESQL_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export async function startDatabase(
  log: (line: string) => void = () => {},
): Promise<RunningDatabase> {
  if (process.env.MONGODB_URI) {
    return { uri: process.env.MONGODB_URI, engine: 'external', stop: async () => {} };
  }
  if (onPath('mongod')) return startMongod(log);
  if (onPath('go')) return startFerretDb(log);
  return startMemoryServer(log);
}

/** The URI with its database replaced by `name` (query options kept). */
export function withDatabaseName(uri: string, name: string): string {
  const url = new URL(uri);
  url.pathname = `/${name}`;
  return url.toString();
}

function onPath(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function startMongod(log: (line: string) => void): Promise<RunningDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'mongod-'));
  const port = await freePort();
  log(`starting mongod on 127.0.0.1:${port}`);
  const child = spawn(
    'mongod',
    ['--dbpath', dir, '--port', String(port), '--bind_ip', '127.0.0.1'],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  await waitForLine(child, (line) => line.includes('Waiting for connections'), 'mongod');
  return {
    uri: `mongodb://127.0.0.1:${port}/`,
    engine: 'mongod',
    stop: () => stopChild(child, () => rmSync(dir, { recursive: true, force: true })),
  };
}

/** Builds the launcher when its sources changed (the binary's name carries their hash). */
export function ensureFerretDbBinary(log: (line: string) => void): string {
  const hash = createHash('sha256');
  for (const file of ['main.go', 'go.mod', 'go.sum']) {
    hash.update(readFileSync(join(FERRETDB_SOURCE, file)));
  }
  const binary = join(CACHE, `ferretdb-embedded-${hash.digest('hex').slice(0, 12)}`);
  if (existsSync(binary)) return binary;
  mkdirSync(CACHE, { recursive: true });
  log('building the embedded FerretDB launcher once (a few minutes on a fresh machine)…');
  // -checklinkname=0: newer Go refuses FerretDB v1's dependencies' go:linkname uses otherwise.
  const build = spawnSync('go', ['build', '-ldflags=-checklinkname=0', '-o', binary, '.'], {
    cwd: FERRETDB_SOURCE,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, CGO_ENABLED: '0' },
  });
  if (build.status !== 0)
    throw new Error(`go build of scripts/ferretdb failed (exit ${build.status})`);
  return binary;
}

/**
 * FerretDB over PostgreSQL when the local server answers: it filters on indexed
 * fields in SQL, where the SQLite handler reads every document of a collection
 * for any query but one by _id (docs/database.md). `FERRETDB_HANDLER` picks one.
 */
async function startFerretDb(log: (line: string) => void): Promise<RunningDatabase> {
  const binary = ensureFerretDbBinary(log);
  const handler = process.env.FERRETDB_HANDLER;
  if (handler !== 'sqlite' && (handler === 'postgresql' || (await answers(POSTGRESQL_URL)))) {
    try {
      return await startFerretDbOn(binary, 'postgresql', () => undefined);
    } catch (error) {
      if (handler === 'postgresql') throw error;
      log(`FerretDB over PostgreSQL did not start (${String(error)}); using SQLite`);
    }
  }
  const dir = mkdtempSync(join(tmpdir(), 'ferretdb-'));
  return startFerretDbOn(binary, 'sqlite', () => rmSync(dir, { recursive: true, force: true }), [
    '-sqlite-dir',
    dir,
  ]);
}

async function startFerretDbOn(
  binary: string,
  handler: 'postgresql' | 'sqlite',
  cleanup: () => void,
  args = ['-postgresql-url', POSTGRESQL_URL],
): Promise<RunningDatabase> {
  // stdin stays a pipe: the launcher exits when it closes, so it never outlives us.
  const child = spawn(binary, ['-handler', handler, ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, GOMEMLIMIT: process.env.GOMEMLIMIT ?? ferretDbMemoryLimit() },
  });
  const uri = await waitForLine(child, (line) => line.startsWith('mongodb://'), 'FerretDB');
  return { uri, engine: `ferretdb-${handler}`, stop: () => stopChild(child, cleanup) };
}

/**
 * Go's soft memory limit for FerretDB, half the machine's memory: FerretDB sorts in
 * memory (a run's audience cursor holds the Page's users, about 6.5 KB each), and
 * at GOGC 400 its heap could otherwise grow to five times what it holds.
 */
function ferretDbMemoryLimit(): string {
  // A container's limit when there is one (0 when none), else the machine's memory.
  const memory = Math.min(totalmem(), process.constrainedMemory?.() || Infinity);
  return `${Math.floor(memory / 2 / 1024 / 1024)}MiB`;
}

/** Whether something accepts connections at the URL's host and port, within a second. */
function answers(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port || 5432) });
    const done = (result: boolean) => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function startMemoryServer(log: (line: string) => void): Promise<RunningDatabase> {
  log('no mongod and no Go: trying mongodb-memory-server (downloads MongoDB)');
  const { MongoMemoryServer } = await import('mongodb-memory-server-core');
  const server = await MongoMemoryServer.create();
  return {
    uri: server.getUri(),
    engine: 'mongodb-memory-server',
    stop: async () => {
      await server.stop();
    },
  };
}

function waitForLine(
  child: ChildProcess,
  matches: (line: string) => boolean,
  name: string,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const timer = setTimeout(() => reject(new Error(`${name} did not start within 60 s`)), 60_000);
    lines.on('line', (line) => {
      if (!matches(line)) return;
      clearTimeout(timer);
      resolve(line.trim());
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with code ${code} before it was ready`));
    });
  });
}

function stopChild(child: ChildProcess, cleanup: () => void): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) {
      cleanup();
      resolve();
      return;
    }
    child.once('exit', () => {
      cleanup();
      resolve();
    });
    child.stdin?.end();
    child.kill('SIGTERM');
  });
}
