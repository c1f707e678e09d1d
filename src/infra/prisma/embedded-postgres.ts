// The embedded default database: PostgreSQL compiled to WebAssembly (PGlite)
// persisted to a folder, served over the PostgreSQL wire protocol on
// loopback so that the same `pg` + @prisma/adapter-pg stack and the same
// migrations run against it as against a real server. The server's own pool
// skips the loopback: `connect()` hands `pg` an in-process stream (pg's
// `stream` option) that carries the wire protocol straight to PGlite, queued
// with the TCP clients. Through TCP every message crossed two loopback
// sockets (the queue, then PGlite's socket server, which runs each message
// on its own); in process the messages `pg` writes together (Parse, Bind,
// Describe, Execute, Sync) run in one call, about half the fixed cost of a
// statement (BENCHMARKS.md, "Speed and scale").
//
// ITS OWN THREAD. PGlite executes a statement synchronously: on the main
// thread nothing else ran while it worked (a third of the server's CPU under
// ingest), so requests could not even reach the database while a statement
// ran, and the blob inserts' group commit never saw two blobs to batch.
// PGlite, its socket server and the connection queue therefore live in a
// worker_thread (embedded-postgres.worker.ts); `connect()` returns a Duplex
// that exchanges the wire-protocol bytes with that thread over a MessagePort
// of its own, the buffers transferred, not cloned (what `pg` writes is copied
// once into a buffer of its own; PGlite's replies are its own copies out of
// WebAssembly memory). TCP clients never touch the main thread. The cost: a
// second V8 isolate (about 10 MiB more RSS with PGlite open, 380 -> 389 MiB)
// and two thread hops per batch of messages on top of a statement's
// milliseconds; the gain under ingest is in BENCHMARKS.md ("PGlite in a
// worker thread"). The worker program is a short eval'd script that imports
// the worker module (through tsx's tsImport when this file runs as
// TypeScript), so the same code runs under tsx, Vitest and from dist/. A
// thread that dies (an error or an exit) fails every open and waiting
// connection with the reason, and every later connect() at once.
//
// ONE CONNECTION AT A TIME. PGlite is a single-session PostgreSQL and its
// socket server serves one client (it refuses a second one outright, and
// briefly also a new one right after the previous one closed). A small proxy
// in front queues connections instead: a second client waits until the first
// disconnects (up to `queueTimeoutMs`, then it gets a FATAL "too many
// connections" error). Everything that talks to it must therefore use a pool
// of max 1 and close it when done: a pool that holds its connection blocks
// every other client (applyMigrations closes its pool before returning, so
// the app's pool can open after it). Between two clients the session is reset
// (ROLLBACK of what was left open, DEALLOCATE ALL).
//
// Durability (measured, see test/infra/prisma/embedded-postgres.test.ts):
// PGlite writes its WAL and data files with plain write() calls on the host
// filesystem, and commits write their WAL before they are acknowledged (in
// the database thread, before the reply is posted to the main thread), so a
// `kill -9` of the hosting process loses no acknowledged transaction: the
// next start replays the WAL. PGlite never fsyncs (it starts PostgreSQL with
// fsync=off and its file system layer has no fsync), so an operating-system
// crash or power loss can lose recent commits or, in the worst case, corrupt
// the folder. Use a real PostgreSQL server (DATABASE_URL) where that matters.

import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Duplex } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import type {
  DatabaseMemory,
  ParentMessage,
  PortMessage,
  ThreadMessage,
  ThreadOptions,
} from './embedded-postgres.worker.js';

export type { DatabaseMemory } from './embedded-postgres.worker.js';

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
  /**
   * A new in-process connection, for `pg`'s `stream` option (with it, `pg`
   * ignores host and port): the wire protocol over a MessagePort to the
   * database thread, without the loopback sockets. It waits for its turn
   * with the TCP clients like they do; one at a time.
   */
  connect(): Duplex;
  /**
   * Settles when the database thread has ended, for whatever reason: with
   * null after stop(), with the error that ended it otherwise.
   */
  readonly exited: Promise<Error | null>;
  /**
   * What the database thread holds now (PGlite's WebAssembly memory, the
   * thread's V8 heap), for the metrics; null when the thread does not answer
   * within 1 s or is gone.
   */
  memory(): Promise<DatabaseMemory | null>;
  /** Closes client connections, stops listening and shuts PostgreSQL down cleanly (checkpoint). Idempotent. */
  stop(): Promise<void>;
}
/** The folder is already served by a live process. */
export class EmbeddedPostgresLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(
      `the embedded database in ${dataDir} is in use by process ${pid}; stop it first or use another MEMQL_DATA_DIR`,
    );
    this.name = 'EmbeddedPostgresLockedError';
  }
}

const LOCK_FILE = 'memql.pid';

/**
 * Starts PGlite on `dataDir` in its own thread and serves it on loopback. The
 * first start in an empty folder runs initdb (a few seconds). Fails with
 * EmbeddedPostgresLockedError when another live process serves the folder:
 * two PGlite instances on one folder would corrupt it.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const dataDir = path.resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const releaseLock = await acquireLock(dataDir);

  let thread: DatabaseThread;
  try {
    thread = await DatabaseThread.start({
      dataDir,
      host: options.host ?? '127.0.0.1',
      port: options.port ?? 0,
      queueTimeoutMs: options.queueTimeoutMs ?? 30_000,
    });
  } catch (error) {
    await releaseLock();
    throw error;
  }

  let stopping: Promise<void> | null = null;
  return {
    url: `postgresql://postgres@${thread.address}/postgres`,
    dataDir,
    maxConnections: 1,
    exited: thread.exited,
    connect() {
      return thread.connect();
    },
    memory() {
      return thread.memory();
    },
    stop() {
      stopping ??= thread.stop().finally(releaseLock);
      return stopping;
    },
  };
}

/**
 * The eval'd program of the database thread: it imports the worker module,
 * through tsx when that module is TypeScript (tsx, Vitest), directly from
 * dist/. A failure to load it ends the thread with an error.
 */
const THREAD_PROGRAM = `
const { workerData } = require('node:worker_threads');
const { moduleUrl, tsxApi } = workerData.load;
(tsxApi ? require(tsxApi).tsImport(moduleUrl, moduleUrl) : import(moduleUrl)).catch((error) => {
  setImmediate(() => { throw error; });
});
`;

function workerModule(): { moduleUrl: string; tsxApi: string | null } {
  const here = import.meta.url;
  const typescript = here.endsWith('.ts');
  const moduleUrl = new URL(`./embedded-postgres.worker.${typescript ? 'ts' : 'js'}`, here).href;
  return { moduleUrl, tsxApi: typescript ? createRequire(here).resolve('tsx/esm/api') : null };
}

/** The worker thread that runs PGlite, as seen from the main thread. */
class DatabaseThread {
  private readonly connections = new Set<ThreadConnection>();
  private death: Error | null = null;
  private stopping = false;
  readonly exited: Promise<Error | null>;

  private constructor(
    private readonly worker: Worker,
    readonly address: string,
    exited: Promise<Error | null>,
  ) {
    this.exited = exited.then((error) => {
      this.death = error ?? new Error('the embedded database is stopped');
      for (const connection of this.connections) connection.destroy(this.death);
      return error;
    });
  }

  static async start(options: ThreadOptions): Promise<DatabaseThread> {
    const worker = new Worker(THREAD_PROGRAM, {
      eval: true,
      workerData: { ...options, load: workerModule() },
    });
    let stopped = false;
    let failure: Error | null = null;
    worker.on('error', (error) => {
      failure ??= new Error(`the embedded database thread failed: ${error.message}`, { cause: error });
    });
    const exited = new Promise<Error | null>((resolve) => {
      worker.on('exit', (code) => {
        if (stopped) resolve(null);
        else resolve(failure ?? new Error(`the embedded database thread exited with code ${code}`));
      });
    });
    worker.on('message', (message: ThreadMessage) => {
      if (message.type === 'stopped') stopped = true;
    });

    const ready = await new Promise<{ address: string } | { error: Error }>((resolve) => {
      const onMessage = (message: ThreadMessage) => {
        if (message.type === 'ready') resolve({ address: message.address });
        else if (message.type === 'failed')
          resolve({ error: new Error(`the embedded database in ${options.dataDir} did not start: ${message.error}`) });
      };
      worker.on('message', onMessage);
      void exited.then((error) => resolve({ error: error ?? new Error('the embedded database thread exited') }));
    });
    if ('error' in ready) {
      await worker.terminate();
      throw ready.error;
    }
    return new DatabaseThread(worker, ready.address, exited);
  }

  connect(): Duplex {
    return new ThreadConnection(this);
  }

  /** A port to the thread for a new connection; the connection is queued there. */
  open(connection: ThreadConnection): MessagePort | Error {
    if (this.death) return this.death;
    if (this.stopping) return new Error('the embedded database is shutting down');
    const { port1, port2 } = new MessageChannel();
    this.connections.add(connection);
    connection.once('close', () => this.connections.delete(connection));
    const message: ParentMessage = { type: 'connect', port: port2 };
    this.worker.postMessage(message, [port2]);
    return port1;
  }

  memory(): Promise<DatabaseMemory | null> {
    if (this.death || this.stopping) return Promise.resolve(null);
    return new Promise((resolve) => {
      const onMessage = (reply: ThreadMessage) => {
        if (reply.type !== 'memory') return;
        done(reply.memory);
      };
      const timer = setTimeout(() => done(null), 1_000);
      const done = (memory: DatabaseMemory | null) => {
        clearTimeout(timer);
        this.worker.off('message', onMessage);
        resolve(memory);
      };
      this.worker.on('message', onMessage);
      const message: ParentMessage = { type: 'memory' };
      this.worker.postMessage(message);
    });
  }

  /** Why the thread is gone, once it is; null while it runs. */
  failure(): Error | null {
    return this.death;
  }

  async stop(): Promise<void> {
    if (!this.stopping && !this.death) {
      this.stopping = true;
      const message: ParentMessage = { type: 'stop' };
      this.worker.postMessage(message);
      await new Promise<void>((resolve) => {
        this.worker.on('message', (reply: ThreadMessage) => {
          if (reply.type === 'stopped') resolve();
        });
        void this.exited.then(() => resolve());
      });
    }
    await this.worker.terminate();
    await this.exited;
  }
}

/**
 * An in-process PostgreSQL connection to the database thread, as a stream
 * for `pg`: what `pg` writes is copied once into a fresh ArrayBuffer and
 * transferred; the thread's replies arrive as transferred buffers and are
 * pushed as they are. `connect()` (called by `pg`) queues it in the thread;
 * 'connect' is emitted in its turn.
 */
class ThreadConnection extends Duplex {
  private port: MessagePort | null = null;
  /** This side closed the port, or the thread said it would. */
  private closingOnPurpose = false;
  private referenced = true;

  constructor(private readonly thread: DatabaseThread) {
    super();
  }

  // The net.Socket methods `pg` calls.
  connect(): this {
    const port = this.thread.open(this);
    if (port instanceof Error) {
      process.nextTick(() => this.destroy(port));
      return this;
    }
    this.port = port;
    if (!this.referenced) port.unref();
    port.on('message', (message: PortMessage) => this.receive(message));
    port.once('close', () => {
      if (this.destroyed) return;
      if (this.closingOnPurpose) {
        this.push(null);
        this.destroy();
        return;
      }
      // The thread went away: its exit (with the reason) follows the closing of its ports.
      void Promise.race([this.thread.exited, sleep(1_000)]).then(() =>
        this.destroy(
          this.thread.failure() ?? new Error('the embedded database thread closed the connection unexpectedly'),
        ),
      );
    });
    return this;
  }
  setNoDelay(): this {
    return this;
  }
  setKeepAlive(): this {
    return this;
  }
  ref(): this {
    this.referenced = true;
    this.port?.ref();
    return this;
  }
  unref(): this {
    this.referenced = false;
    this.port?.unref();
    return this;
  }

  private receive(message: PortMessage): void {
    if (this.destroyed) return;
    switch (message.type) {
      case 'admitted':
        this.emit('connect');
        return;
      case 'data':
        for (const chunk of message.chunks) this.push(Buffer.from(chunk));
        return;
      case 'refused':
        this.closingOnPurpose = true;
        this.destroy(Object.assign(new Error(message.message), message.code ? { code: message.code } : {}));
        return;
      case 'closing':
        this.closingOnPurpose = true;
        return;
      default: {
        const unreachable: never = message;
        throw new Error(`unknown message from the embedded database thread: ${JSON.stringify(unreachable)}`);
      }
    }
  }

  override _read(): void {}

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this._writev([{ chunk }], callback);
  }

  override _writev(chunks: { chunk: Buffer }[], callback: (error?: Error | null) => void): void {
    if (!this.port) {
      callback(new Error('write before connect() on an embedded database connection'));
      return;
    }
    // One copy, into a buffer of its own (pg's may share Node's pool), then transferred.
    const bytes = new Uint8Array(chunks.reduce((total, { chunk }) => total + chunk.length, 0));
    let offset = 0;
    for (const { chunk } of chunks) {
      bytes.set(chunk, offset);
      offset += chunk.length;
    }
    this.port.postMessage(bytes.buffer, [bytes.buffer]);
    callback();
  }

  override _final(callback: () => void): void {
    this.closingOnPurpose = true;
    this.port?.close();
    this.push(null);
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.closingOnPurpose = true;
    this.port?.close();
    callback(error);
  }
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
