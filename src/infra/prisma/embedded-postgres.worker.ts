// The embedded database's worker thread: PGlite (PostgreSQL compiled to
// WebAssembly), its wire-protocol socket server and the connection queue in
// front of it. PGlite executes every statement synchronously on the thread
// that hosts it, and its file system layer does its reads and writes there
// too; hosted on the server's main thread, that work blocked HTTP, GraphQL
// and Chroma's answers for as long as each statement ran. Here it runs on the
// second core while the main thread goes on. Started and stopped by
// embedded-postgres.ts, which documents the protocol below.

import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { ConnectionQueue, waitFor } from './connection-queue.js';

export interface EmbeddedPostgresWorkerData {
  dataDir: string;
  host: string;
  port: number;
  queueTimeoutMs: number;
}

export type EmbeddedPostgresWorkerMessage =
  | { type: 'ready'; address: string }
  | { type: 'failed'; error: string }
  | { type: 'stopped'; error?: string };

const port = parentPort;
if (!port) throw new Error('embedded-postgres.worker must run in a worker thread');
const options = workerData as EmbeddedPostgresWorkerData;
const post = (message: EmbeddedPostgresWorkerMessage) => port.postMessage(message);

let db: PGlite | null = null;
let server: PGLiteSocketServer | null = null;
let queue: ConnectionQueue | null = null;

try {
  db = await PGlite.create({ dataDir: options.dataDir });
  // The PGlite server listens on an internal ephemeral port; clients reach it through the queue.
  const socketServer = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 1 });
  server = socketServer;
  await socketServer.start();
  queue = await ConnectionQueue.listen({
    host: options.host,
    port: options.port,
    upstream: parseHostPort(socketServer.getServerConn()),
    upstreamIdle: () => socketServer.getStats().activeConnections === 0,
    queueTimeoutMs: options.queueTimeoutMs,
  });
  port.on('message', (message: { type: 'stop' }) => {
    if (message.type === 'stop') void stop();
  });
  post({ type: 'ready', address: queue.address });
} catch (error) {
  await server?.stop().catch(() => undefined);
  await db?.close().catch(() => undefined);
  post({ type: 'failed', error: describe(error) });
  port.close();
}

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  try {
    await queue?.close();
    await server?.stop();
    // The server rolls back a connection's open transaction while it
    // detaches; let that finish before shutting PostgreSQL down.
    if (server) await waitFor(() => server!.getStats().activeConnections === 0, 5_000);
    await db?.runExclusive(async () => undefined);
    // Closing checkpoints: the next start has no WAL to replay.
    await db?.close();
    post({ type: 'stopped' });
  } catch (error) {
    post({ type: 'stopped', error: describe(error) });
  }
  port!.close();
}

function parseHostPort(conn: string): { host: string; port: number } {
  const at = conn.lastIndexOf(':');
  return { host: conn.slice(0, at), port: Number(conn.slice(at + 1)) };
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
