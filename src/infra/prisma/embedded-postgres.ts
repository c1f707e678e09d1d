// The embedded default database: PostgreSQL compiled to WebAssembly (PGlite)
// persisted to a folder, served over the PostgreSQL wire protocol on
// loopback so that the same `pg` + @prisma/adapter-pg stack and the same
// migrations run against it as against a real server. The server's own pool
// skips the loopback: `connect()` hands `pg` an in-process stream (pg's
// `stream` option) that feeds the wire protocol straight to PGlite, queued
// with the TCP clients. Through TCP every message crossed two loopback
// sockets (the queue, then PGlite's socket server, which runs each message
// on its own); in process the messages `pg` writes together (Parse, Bind,
// Describe, Execute, Sync) run in one call, about half the fixed cost of a
// statement (BENCHMARKS.md, "Speed and scale").
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
// Durability (measured, see test/infra/prisma/embedded-postgres.test.ts):
// PGlite writes its WAL and data files with plain write() calls on the host
// filesystem, and commits write their WAL before they are acknowledged, so a
// `kill -9` of the hosting process loses no acknowledged transaction: the
// next start replays the WAL. PGlite never fsyncs (it starts PostgreSQL with
// fsync=off and its file system layer has no fsync), so an operating-system
// crash or power loss can lose recent commits or, in the worst case, corrupt
// the folder. Use a real PostgreSQL server (DATABASE_URL) where that matters.

import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { createServer, Socket, type AddressInfo, type Server } from 'node:net';
import path from 'node:path';
import { Duplex } from 'node:stream';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

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
   * ignores host and port): the wire protocol without the loopback sockets.
   * It waits for its turn with the TCP clients like they do; one at a time.
   */
  connect(): Duplex;
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
 * Starts PGlite on `dataDir` and serves it on loopback. The first start in an
 * empty folder runs initdb (a few seconds). Fails with
 * EmbeddedPostgresLockedError when another live process serves the folder:
 * two PGlite instances on one folder would corrupt it.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const dataDir = path.resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const releaseLock = await acquireLock(dataDir);

  let db: PGlite | null = null;
  let server: PGLiteSocketServer | null = null;
  let proxy: ConnectionQueue | null = null;
  try {
    db = await PGlite.create({ dataDir });
    // The PGlite server listens on an internal ephemeral port; clients reach it through the queue.
    server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 1 });
    await server.start();
    proxy = await ConnectionQueue.listen({
      host: options.host ?? '127.0.0.1',
      port: options.port ?? 0,
      upstream: parseHostPort(server.getServerConn()),
      upstreamIdle: idleProbe(server),
      queueTimeoutMs: options.queueTimeoutMs ?? 30_000,
      resetSession: sessionReset(db),
    });
  } catch (error) {
    await server?.stop().catch(() => undefined);
    await db?.close().catch(() => undefined);
    await releaseLock();
    throw error;
  }

  const url = `postgresql://postgres@${proxy.address}/postgres`;
  const liveDb = db;
  const liveServer = server;
  const liveProxy = proxy;
  let stopping: Promise<void> | null = null;
  return {
    url,
    dataDir,
    maxConnections: 1,
    connect() {
      return new LocalConnection(liveDb, liveProxy);
    },
    stop() {
      stopping ??= (async () => {
        try {
          await liveProxy.close();
          await liveServer.stop();
          // The server rolls back a connection's open transaction while it
          // detaches; let that finish before shutting PostgreSQL down.
          await waitFor(idleProbe(liveServer), 5_000);
          await liveDb.runExclusive(async () => undefined);
          await liveDb.close();
        } finally {
          await releaseLock();
        }
      })();
      return stopping;
    },
  };
}

function parseHostPort(conn: string): { host: string; port: number } {
  const at = conn.lastIndexOf(':');
  return { host: conn.slice(0, at), port: Number(conn.slice(at + 1)) };
}

/** True once the PGlite server has released its previous connection. */
function idleProbe(server: PGLiteSocketServer): () => boolean {
  return () => server.getStats().activeConnections === 0;
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  return true;
}

/**
 * Rolls back what a connection left open and forgets its prepared
 * statements: PGlite is one session, so the next connection would otherwise
 * inherit them (and `pg`, which tracks named statements per connection,
 * would prepare a name that already exists).
 */
function sessionReset(db: PGlite): () => Promise<void> {
  return async () => {
    if (db.closed) return;
    try {
      if (db.isInTransaction()) await db.exec('ROLLBACK');
      await db.exec('DEALLOCATE ALL');
    } catch {
      // Shutting down; nothing to reset.
    }
  };
}

/** A client waiting for its turn: a TCP socket, or an in-process connection. */
type Waiting =
  | { kind: 'tcp'; socket: Socket; timer: NodeJS.Timeout }
  | { kind: 'local'; connection: LocalConnection; timer: NodeJS.Timeout };

/**
 * A TCP front that lets one client at a time through to the PGlite server
 * and queues the others (first come, first served). A queued client's bytes
 * (its startup packet) stay buffered in its socket until it is let through.
 * In-process connections (LocalConnection) queue in the same line.
 */
class ConnectionQueue {
  private readonly waiting: Waiting[] = [];
  private readonly sockets = new Set<Socket>();
  private active: { close(): void } | null = null;
  private closed = false;

  private constructor(
    private readonly server: Server,
    readonly address: string,
    private readonly options: ConnectionQueueOptions,
  ) {
    server.on('connection', (socket) => this.enqueue(socket));
  }

  static async listen(options: ConnectionQueueOptions): Promise<ConnectionQueue> {
    const server = createServer({ pauseOnConnect: true });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const bound = server.address() as AddressInfo;
    return new ConnectionQueue(server, `${options.host}:${bound.port}`, options);
  }

  private enqueue(socket: Socket): void {
    if (this.closed) {
      socket.destroy();
      return;
    }
    this.sockets.add(socket);
    socket.on('error', () => socket.destroy());
    const entry: Waiting = {
      kind: 'tcp',
      socket,
      timer: setTimeout(() => {
        this.remove(entry);
        socket.end(tooManyConnections(this.options.queueTimeoutMs), () => socket.destroy());
      }, this.options.queueTimeoutMs),
    };
    socket.once('close', () => {
      this.sockets.delete(socket);
      this.remove(entry);
    });
    this.waiting.push(entry);
    void this.next();
  }

  /** Queues an in-process connection; it is admitted (or fails with 53300, or closed) in its turn. */
  enqueueLocal(connection: LocalConnection): void {
    if (this.closed) {
      connection.destroy(new Error('the embedded database is shutting down'));
      return;
    }
    const entry: Waiting = {
      kind: 'local',
      connection,
      timer: setTimeout(() => {
        this.remove(entry);
        connection.destroy(
          Object.assign(new Error(tooManyConnectionsMessage(this.options.queueTimeoutMs)), { code: '53300' }),
        );
      }, this.options.queueTimeoutMs),
    };
    connection.once('close', () => this.remove(entry));
    this.waiting.push(entry);
    void this.next();
  }

  private remove(entry: Waiting): void {
    clearTimeout(entry.timer);
    const i = this.waiting.indexOf(entry);
    if (i >= 0) this.waiting.splice(i, 1);
  }

  private async next(): Promise<void> {
    if (this.active || this.closed) return;
    const entry = this.waiting.shift();
    if (!entry) return;
    clearTimeout(entry.timer);
    if (entry.kind === 'local') {
      this.admitLocal(entry.connection);
      return;
    }
    const client = entry.socket;
    const upstream = new Socket();
    this.active = { close: () => upstream.destroy() };
    // The previous connection may still be detaching inside the PGlite server.
    await waitFor(this.options.upstreamIdle, 5_000);
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      client.destroy();
      upstream.destroy();
      void this.release();
    };
    client.on('close', finish);
    upstream.on('close', finish);
    upstream.on('error', finish);
    client.on('error', finish);
    if (this.closed || client.destroyed) {
      finish();
      return;
    }
    upstream.connect(this.options.upstream.port, this.options.upstream.host, () => {
      upstream.setNoDelay(true);
      client.setNoDelay(true);
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    });
  }

  private admitLocal(connection: LocalConnection): void {
    if (connection.destroyed) {
      void this.next();
      return;
    }
    this.active = { close: () => connection.destroy() };
    let finished = false;
    connection.once('close', () => {
      if (finished) return;
      finished = true;
      // Its last statement may still be running: wait for it before the reset.
      void connection.settled().then(() => this.release());
    });
    void waitFor(this.options.upstreamIdle, 5_000).then(() => connection.admit());
  }

  /** The active client is gone: reset the session, then let the next one in. */
  private async release(): Promise<void> {
    await this.options.resetSession();
    this.active = null;
    void this.next();
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const entry of this.waiting.splice(0)) {
      clearTimeout(entry.timer);
      if (entry.kind === 'tcp') entry.socket.destroy();
      else entry.connection.destroy(new Error('the embedded database is shutting down'));
    }
    this.active?.close();
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

interface ConnectionQueueOptions {
  host: string;
  port: number;
  upstream: { host: string; port: number };
  upstreamIdle: () => boolean;
  queueTimeoutMs: number;
  /** Run between two clients. */
  resetSession: () => Promise<void>;
}

/**
 * An in-process PostgreSQL connection to PGlite, as a stream for `pg`:
 * what `pg` writes is cut into whole protocol messages and run by PGlite,
 * the messages of one write in one call (pg writes a statement's Parse,
 * Bind, Describe, Execute and Sync together); PGlite's replies are read back.
 * `connect()` (called by `pg`) queues it; 'connect' is emitted in its turn.
 */
class LocalConnection extends Duplex {
  private pending: Buffer = Buffer.alloc(0);
  private started = false;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: PGlite,
    private readonly queue: ConnectionQueue,
  ) {
    super();
  }

  // The net.Socket methods `pg` calls.
  connect(): this {
    this.queue.enqueueLocal(this);
    return this;
  }
  setNoDelay(): this {
    return this;
  }
  setKeepAlive(): this {
    return this;
  }
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }

  admit(): void {
    if (!this.destroyed) this.emit('connect');
  }

  /** Resolves once no statement of this connection is running in PGlite. */
  settled(): Promise<void> {
    return this.running;
  }

  override _read(): void {}

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this._writev([{ chunk }], callback);
  }

  override _writev(chunks: { chunk: Buffer }[], callback: (error?: Error | null) => void): void {
    this.pending = Buffer.concat([this.pending, ...chunks.map((c) => c.chunk)]);
    const messages = this.takeMessages();
    if (messages.length === 0) {
      callback();
      return;
    }
    const run = async () => {
      // A startup message is handled on its own by PGlite; the others go together.
      for (const batch of messages) {
        if (this.destroyed) return;
        await this.db.runExclusive(() =>
          this.db.execProtocolRawStream(batch, {
            onRawData: (data) => {
              if (data.length > 0 && !this.destroyed) this.push(Buffer.from(data));
            },
          }),
        );
      }
    };
    this.running = run();
    this.running.then(
      () => callback(),
      (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
    );
  }

  override _final(callback: () => void): void {
    this.push(null);
    callback();
  }

  /** The whole messages buffered so far: the startup message alone, then the rest in one batch. */
  private takeMessages(): Uint8Array[] {
    const batches: Uint8Array[] = [];
    let offset = 0;
    if (!this.started) {
      if (this.pending.length < 4) return batches;
      const length = this.pending.readInt32BE(0);
      if (this.pending.length < length) return batches;
      batches.push(new Uint8Array(this.pending.subarray(0, length)));
      offset = length;
      this.started = true;
    }
    let end = offset;
    while (end + 5 <= this.pending.length) {
      const length = 1 + this.pending.readInt32BE(end + 1);
      if (end + length > this.pending.length) break;
      end += length;
    }
    if (end > offset) batches.push(new Uint8Array(this.pending.subarray(offset, end)));
    this.pending = Buffer.from(this.pending.subarray(end));
    return batches;
  }
}

function tooManyConnectionsMessage(waitedMs: number): string {
  return `the embedded database serves one connection at a time and the current one stayed open for more than ${waitedMs} ms; use a pool of max 1 and release it`;
}

/** A PostgreSQL ErrorResponse: FATAL 53300 too_many_connections. */
function tooManyConnections(waitedMs: number): Buffer {
  const fields = [
    ['S', 'FATAL'],
    ['V', 'FATAL'],
    ['C', '53300'],
    ['M', tooManyConnectionsMessage(waitedMs)],
  ];
  const body = Buffer.concat([
    ...fields.map(([code, text]) => Buffer.from(`${code}${text}\0`, 'utf8')),
    Buffer.from([0]),
  ]);
  const header = Buffer.alloc(5);
  header.write('E', 0, 'ascii');
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
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
