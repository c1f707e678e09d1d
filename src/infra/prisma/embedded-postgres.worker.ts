// The embedded database's own thread (see embedded-postgres.ts for why it
// exists). Loaded by startEmbeddedPostgres() as a worker_thread entry: it
// opens PGlite, serves it on loopback through PGlite's socket server behind a
// one-at-a-time ConnectionQueue, and serves the main thread's connections
// over MessagePorts, one port per connection, in the same queue.
//
// Messages, all structured-cloned (bytes travel as transferred ArrayBuffers):
//   parent -> thread   StopRequest, ConnectRequest (carrying the connection's port)
//   thread -> parent   ThreadReady | ThreadFailed, then ThreadStopped
//   port, main -> here ArrayBuffer: wire-protocol bytes the client wrote
//   port, here -> main PortMessage; the thread closes the port when the
//                      connection ends (a close without 'closing' first
//                      means the thread itself went away)

import { createServer, Socket, type AddressInfo, type Server } from 'node:net';
import { getHeapStatistics } from 'node:v8';
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import type { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { openPglite } from './embedded-template.js';

export interface ThreadOptions {
  dataDir: string;
  host: string;
  port: number;
  queueTimeoutMs: number;
}

export type ParentMessage = { type: 'connect'; port: MessagePort } | { type: 'memory' } | { type: 'stop' };

/** What the database thread holds, in bytes (see EmbeddedPostgres.memory()). */
export interface DatabaseMemory {
  /** PGlite's WebAssembly memory: PostgreSQL's shared buffers, caches and work memory. It grows and never shrinks. */
  wasm: number;
  /** The thread's own V8 heap, committed and in use. */
  heapTotal: number;
  heapUsed: number;
}

export type ThreadMessage =
  | { type: 'ready'; address: string }
  | { type: 'failed'; error: string }
  | { type: 'memory'; memory: DatabaseMemory }
  | { type: 'stopped' };

export type PortMessage =
  /** The connection's turn has come: the client may send its startup message. */
  | { type: 'admitted' }
  /** What PGlite answered to one batch of messages, in order. */
  | { type: 'data'; chunks: ArrayBuffer[] }
  /** Not admitted: the queue timed out (code 53300) or the database is stopping. */
  | { type: 'refused'; message: string; code?: string }
  /** The thread is about to close this port on purpose (the client ended, or the database stops). */
  | { type: 'closing' };

if (parentPort) void serve(parentPort, workerData as ThreadOptions);

async function serve(parent: MessagePort, options: ThreadOptions): Promise<void> {
  let db: PGlite | null = null;
  let server: PGLiteSocketServer | null = null;
  let queue: ConnectionQueue;
  try {
    db = await openPglite(options.dataDir);
    // The PGlite server listens on an internal ephemeral port; TCP clients reach it through the queue.
    server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 1 });
    await server.start();
    queue = await ConnectionQueue.listen({
      host: options.host,
      port: options.port,
      upstream: parseHostPort(server.getServerConn()),
      upstreamIdle: idleProbe(server),
      queueTimeoutMs: options.queueTimeoutMs,
      resetSession: sessionReset(db),
    });
  } catch (error) {
    await server?.stop().catch(() => undefined);
    await db?.close().catch(() => undefined);
    post(parent, { type: 'failed', error: String((error as Error)?.stack ?? error) });
    return;
  }

  const liveDb = db;
  const liveServer = server;
  let stopping = false;
  parent.on('message', (message: ParentMessage) => {
    if (message.type === 'connect') {
      queue.enqueueLocal(new PortConnection(liveDb, message.port));
      return;
    }
    if (message.type === 'memory') {
      const heap = getHeapStatistics();
      const memory = {
        wasm: liveDb.Module.HEAP8.byteLength,
        heapTotal: heap.total_heap_size,
        heapUsed: heap.used_heap_size,
      };
      post(parent, { type: 'memory', memory });
      return;
    }
    if (stopping) return;
    stopping = true;
    void (async () => {
      await queue.close();
      await liveServer.stop();
      // The server rolls back a connection's open transaction while it
      // detaches; let that finish before shutting PostgreSQL down.
      await waitFor(idleProbe(liveServer), 5_000);
      await liveDb.runExclusive(async () => undefined);
      await liveDb.close(); // checkpoint
      post(parent, { type: 'stopped' });
    })();
  });
  post(parent, { type: 'ready', address: queue.address });
}

function post(port: MessagePort, message: ThreadMessage | PortMessage, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
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

/** A client waiting for its turn: a TCP socket, or a connection of the main thread. */
type Waiting =
  | { kind: 'tcp'; socket: Socket; timer: NodeJS.Timeout }
  | { kind: 'local'; connection: PortConnection; timer: NodeJS.Timeout };

/**
 * A TCP front that lets one client at a time through to the PGlite server
 * and queues the others (first come, first served). A queued client's bytes
 * (its startup packet) stay buffered in its socket until it is let through.
 * The main thread's connections (PortConnection) queue in the same line.
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

  /** Queues a main-thread connection; it is admitted (or refused with 53300, or closed) in its turn. */
  enqueueLocal(connection: PortConnection): void {
    if (this.closed) {
      connection.refuse(SHUTTING_DOWN);
      return;
    }
    const entry: Waiting = {
      kind: 'local',
      connection,
      timer: setTimeout(() => {
        this.remove(entry);
        connection.refuse(tooManyConnectionsMessage(this.options.queueTimeoutMs), '53300');
      }, this.options.queueTimeoutMs),
    };
    connection.onClose(() => this.remove(entry));
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

  private admitLocal(connection: PortConnection): void {
    if (connection.closed) {
      void this.next();
      return;
    }
    this.active = { close: () => connection.close() };
    connection.onClose(() => {
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
      else entry.connection.refuse(SHUTTING_DOWN);
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

const SHUTTING_DOWN = 'the embedded database is shutting down';

/**
 * A main-thread connection, at this end of its MessagePort: the bytes `pg`
 * wrote are cut into whole protocol messages and run by PGlite, the messages
 * of one write in one call (pg writes a statement's Parse, Bind, Describe,
 * Execute and Sync together); PGlite's replies to that call go back in one
 * message, their buffers transferred. PGlite hands each reply chunk over as a
 * fresh copy out of its WebAssembly memory, so the bytes are never copied
 * again on their way to the main thread.
 */
class PortConnection {
  private pending: Buffer = Buffer.alloc(0);
  private started = false;
  private admitted = false;
  private running: Promise<void> = Promise.resolve();
  private readonly closeListeners: (() => void)[] = [];
  closed = false;

  constructor(
    private readonly db: PGlite,
    private readonly port: MessagePort,
  ) {
    port.on('message', (bytes: ArrayBuffer) => this.receive(Buffer.from(bytes)));
    port.once('close', () => {
      this.closed = true;
      for (const listener of this.closeListeners.splice(0)) listener();
    });
  }

  onClose(listener: () => void): void {
    if (this.closed) listener();
    else this.closeListeners.push(listener);
  }

  admit(): void {
    if (this.closed) return;
    this.admitted = true;
    post(this.port, { type: 'admitted' });
    this.receive(Buffer.alloc(0)); // anything written early
  }

  refuse(message: string, code?: string): void {
    if (this.closed) return;
    post(this.port, code ? { type: 'refused', message, code } : { type: 'refused', message });
    this.port.close();
  }

  /** Ends the connection from this side (the database is stopping). */
  close(): void {
    if (this.closed) return;
    post(this.port, { type: 'closing' });
    this.port.close();
  }

  /** Resolves once no statement of this connection is running in PGlite. */
  settled(): Promise<void> {
    return this.running;
  }

  private receive(bytes: Buffer): void {
    this.pending = this.pending.length === 0 ? bytes : Buffer.concat([this.pending, bytes]);
    if (!this.admitted) return;
    const batches = this.takeMessages();
    if (batches.length === 0) return;
    this.running = this.running.then(() => this.run(batches)).catch(stopThread);
  }

  private async run(batches: Uint8Array[]): Promise<void> {
    // A startup message is handled on its own by PGlite; the others go together.
    for (const batch of batches) {
      if (this.closed) return;
      const chunks: ArrayBuffer[] = [];
      await this.db.runExclusive(async () => {
        // PGlite keeps calling this onRawData until the next raw call: the Sync's own reply must not reach the client.
        let forClient = true;
        await this.db.execProtocolRawStream(batch, {
          onRawData: (data) => {
            if (forClient && data.length > 0) chunks.push(ownBuffer(data));
          },
        });
        forClient = false;
        if (endsWithReadyForQuery(chunks)) await forgetParsedReplies(this.db);
      });
      if (!this.closed && chunks.length > 0) post(this.port, { type: 'data', chunks }, chunks);
    }
  }

  /** The whole messages buffered so far: the startup message alone, then the rest in one batch. */
  private takeMessages(): Uint8Array[] {
    const batches: Uint8Array[] = [];
    let offset = 0;
    if (!this.started) {
      if (this.pending.length < 4) return batches;
      const length = this.pending.readInt32BE(0);
      if (this.pending.length < length) return batches;
      batches.push(this.pending.subarray(0, length));
      offset = length;
      this.started = true;
    }
    let end = offset;
    while (end + 5 <= this.pending.length) {
      const length = 1 + this.pending.readInt32BE(end + 1);
      if (end + length > this.pending.length) break;
      end += length;
    }
    if (end > offset) batches.push(this.pending.subarray(offset, end));
    this.pending = this.pending.subarray(end);
    return batches;
  }
}

/**
 * PGlite failed while running a statement (it calls exit() on a FATAL error,
 * and throws Emscripten's ExitStatus): it cannot run another one. The thread
 * ends with the reason, and the main thread fails every connection with it.
 */
function stopThread(error: unknown): never {
  const reason = error instanceof Error ? error.message : describeExit(error);
  throw new Error(`PostgreSQL (PGlite) stopped while running a statement: ${reason}`, { cause: error });
}

function describeExit(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'status' in error) return `exit status ${String(error.status)}`;
  return String(error);
}

/**
 * PGlite (0.4.3) parses every message it sends back, the raw protocol's
 * included, and keeps the parsed messages in a private list that only its
 * own execProtocol() (query(), exec()) empties. Served through the raw
 * protocol alone, as this thread does, the list grew with every row ever
 * read: about 125 MiB of the thread's heap after loading 120,000 chunks and
 * 300 queries, and without bound after that (BENCHMARKS.md, "Where the memory
 * goes"). A Sync through execProtocol() empties it. It is sent only at a
 * ReadyForQuery, where it changes nothing: outside a transaction block it
 * only answers ReadyForQuery (discarded here), inside one it neither commits
 * nor ends it, and a failed block stays failed.
 */
async function forgetParsedReplies(db: PGlite): Promise<void> {
  await db.execProtocol(SYNC, { syncToFs: false, throwOnError: false });
}

/** A Sync message ('S', length 4). */
const SYNC = new Uint8Array([0x53, 0, 0, 0, 4]);

/** True when the last message of the reply is a ReadyForQuery ('Z', length 5, status). */
function endsWithReadyForQuery(chunks: ArrayBuffer[]): boolean {
  const last = chunks.at(-1);
  if (!last || last.byteLength < 6) return false;
  const tail = new Uint8Array(last, last.byteLength - 6);
  return tail[0] === 0x5a && tail[1] === 0 && tail[2] === 0 && tail[3] === 0 && tail[4] === 5;
}

/** The bytes as an ArrayBuffer of their own, to transfer: PGlite's chunks already are one; anything else is copied. */
function ownBuffer(data: Uint8Array): ArrayBuffer {
  if (data.byteOffset === 0 && data.byteLength === data.buffer.byteLength && data.buffer instanceof ArrayBuffer) {
    return data.buffer;
  }
  return data.slice().buffer as ArrayBuffer;
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
