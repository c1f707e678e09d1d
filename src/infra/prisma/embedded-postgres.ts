// The embedded default database: PostgreSQL compiled to WebAssembly (PGlite)
// persisted to a folder, served over the PostgreSQL wire protocol on
// loopback so that the same `pg` + @prisma/adapter-pg stack and the same
// migrations run against it as against a real server.
//
// ONE CONNECTION AT A TIME. PGlite is a single-session PostgreSQL and its
// socket server serves one client (it refuses a second one outright, and
// briefly also a new one right after the previous one closed). A small proxy
// in front queues connections instead: a second client waits until the first
// disconnects (up to `queueTimeoutMs`, then it gets a FATAL "too many
// connections" error). Everything that talks to it must therefore use a pool
// of max 1 and close it when done: a pool that holds its connection blocks
// every other client (applyMigrations closes its pool before returning, so
// the app's pool can open after it).
//
// ON ITS OWN THREAD. PGlite runs every statement synchronously on the thread
// hosting it; it lives in a worker thread (embedded-postgres.worker.ts) so
// that SQL runs on the second core while the server's event loop answers
// HTTP, GraphQL and Chroma. The handle here owns the folder's lock file and
// the worker's lifetime.
//
// Durability (measured, see test/infra/prisma/embedded-postgres.test.ts):
// PGlite writes its WAL and data files with plain write() calls on the host
// filesystem, and commits write their WAL before they are acknowledged, so a
// `kill -9` of the hosting process loses no acknowledged transaction: the
// next start replays the WAL. PGlite never fsyncs (it starts PostgreSQL with
// fsync=off and its file system layer has no fsync), so an operating-system
// crash or power loss can lose recent commits or, in the worst case, corrupt
// the folder. Use a real PostgreSQL server (DATABASE_URL) where that matters.

import { mkdir, open, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { EmbeddedPostgresWorkerData, EmbeddedPostgresWorkerMessage } from './embedded-postgres.worker.js';

export interface EmbeddedPostgresOptions {
  /** Folder holding the database files; created (with initdb) when empty. */
  dataDir: string;
  /** Interface to listen on. Default 127.0.0.1; never expose it beyond loopback. */
  host?: string;
  /** TCP port. Default 0: an ephemeral port, read back from `url`. */
  port?: number;
  /**
   * How long a connection may wait for the one in use to close, in ms.
   * Default 30000; after that it gets FATAL 53300 "too many connections".
   */
  queueTimeoutMs?: number;
}

export interface EmbeddedPostgres {
  /** postgresql:// URL for `pg` / Prisma. Use a pool of max 1 (see above). */
  readonly url: string;
  readonly dataDir: string;
  /** Always 1: the size any pool connecting to this server must have. */
  readonly maxConnections: 1;
  /** Closes client connections, stops listening and shuts PostgreSQL down cleanly (checkpoint). Idempotent. */
  stop(): Promise<void>;
}

/** The folder is already served by a live process. */
export class EmbeddedPostgresLockedError extends Error {
  constructor(readonly dataDir: string, readonly pid: number) {
    super(`the embedded database in ${dataDir} is in use by process ${pid}; stop it first or use another MEMQL_DATA_DIR`);
    this.name = 'EmbeddedPostgresLockedError';
  }
}

const LOCK_FILE = 'memql.pid';
/** A clean shutdown checkpoints; past this the worker is terminated (the next start replays the WAL). */
const STOP_TIMEOUT_MS = 30_000;

/**
 * Starts PGlite on `dataDir` in a worker thread and serves it on loopback.
 * The first start in an empty folder runs initdb (a few seconds). Fails with
 * EmbeddedPostgresLockedError when another live process serves the folder:
 * two PGlite instances on one folder would corrupt it.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const dataDir = path.resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true });
  const releaseLock = await acquireLock(dataDir);

  const workerData: EmbeddedPostgresWorkerData = {
    dataDir,
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    queueTimeoutMs: options.queueTimeoutMs ?? 30_000,
  };
  let worker: Worker;
  let address: string;
  try {
    worker = startWorker(workerData);
    address = await new Promise<string>((resolve, reject) => {
      worker.on('message', (message: EmbeddedPostgresWorkerMessage) => {
        if (message.type === 'ready') resolve(message.address);
        if (message.type === 'failed') reject(new Error(`the embedded database did not start: ${message.error}`));
      });
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the embedded database's worker exited (code ${code}) before it was ready`)));
    });
  } catch (error) {
    await releaseLock();
    throw error;
  }

  let stopping: Promise<void> | null = null;
  return {
    url: `postgresql://postgres@${address}/postgres`,
    dataDir,
    maxConnections: 1,
    stop() {
      stopping ??= stopWorker(worker).finally(releaseLock);
      return stopping;
    },
  };
}

/**
 * From the compiled dist/ the worker is a .js file Node runs as is; from the
 * sources (tsx, Vitest) it is TypeScript, so the worker registers tsx's
 * loader before importing it.
 */
function startWorker(workerData: EmbeddedPostgresWorkerData): Worker {
  const fromSources = import.meta.url.endsWith('.ts');
  const entry = new URL(`./embedded-postgres.worker.${fromSources ? 'ts' : 'js'}`, import.meta.url);
  if (!fromSources) return new Worker(entry, { workerData });
  const bootstrap = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(bootstrap, { eval: true, workerData });
}

async function stopWorker(worker: Worker): Promise<void> {
  const stopped = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      void worker.terminate();
      reject(new Error(`the embedded database did not shut down within ${STOP_TIMEOUT_MS} ms; its worker was terminated`));
    }, STOP_TIMEOUT_MS);
    worker.on('message', (message: EmbeddedPostgresWorkerMessage) => {
      if (message.type !== 'stopped') return;
      clearTimeout(timer);
      if (message.error) reject(new Error(`the embedded database's shutdown failed: ${message.error}`));
      else resolve();
    });
    worker.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  worker.postMessage({ type: 'stop' });
  await stopped;
  await worker.terminate();
}

/**
 * A pid file inside the folder, created exclusively. A file left by a process
 * that no longer exists (after kill -9) is taken over.
 */
async function acquireLock(dataDir: string): Promise<() => Promise<void>> {
  const file = path.join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(file, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      return async () => {
        await rm(file, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = Number.parseInt(await readFile(file, 'utf8').catch(() => ''), 10);
      if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) throw new EmbeddedPostgresLockedError(dataDir, pid);
      await rm(file, { force: true });
    }
  }
  throw new Error(`cannot lock the embedded database folder ${dataDir}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
