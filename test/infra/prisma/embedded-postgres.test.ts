// The embedded PGlite server: persistence across stop/start, across a kill -9
// of the hosting process, the folder lock, and the one-connection rule; its
// in-process connections (the app's pool), served by the database's own
// thread: the main thread keeps running while a statement does, and a thread
// that dies fails its connections instead of leaving them hanging.

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type EmbeddedPostgres,
  EmbeddedPostgresLockedError,
  startEmbeddedPostgres,
} from '../../../src/infra/prisma/embedded-postgres.js';

const here = path.dirname(fileURLToPath(import.meta.url));

async function query<T extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** A `pg` client on an in-process connection, as the app's pool makes them. */
function localClient(server: EmbeddedPostgres): pg.Client {
  return new pg.Client({ user: 'postgres', database: 'postgres', stream: () => server.connect() });
}

/** Ends the clients still open, then stops the server. */
async function endAll(server: EmbeddedPostgres, ...clients: pg.Client[]): Promise<void> {
  for (const client of clients) await client.end().catch(() => undefined);
  await server.stop();
}

/** A StartupMessage (protocol 3.0) with the given parameters. */
function startupMessage(parameters: Record<string, string>): Buffer {
  const body = Buffer.from(`${Object.entries(parameters).flat().join('\0')}\0\0`, 'utf8');
  const header = Buffer.alloc(8);
  header.writeInt32BE(8 + body.length, 0);
  header.writeInt32BE(196_608, 4);
  return Buffer.concat([header, body]);
}

describe('embedded PostgreSQL (PGlite)', () => {
  let root: string;

  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'memql-embedded-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('keeps committed data across stop and start', async () => {
    const dataDir = path.join(root, 'restart');
    const first = await startEmbeddedPostgres({ dataDir });
    expect(first.url).toMatch(/^postgresql:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/);
    await query(first.url, 'CREATE TABLE notes (id serial PRIMARY KEY, body text)');
    await query(first.url, "INSERT INTO notes (body) VALUES ('one'), ('two')");
    await first.stop();
    await first.stop(); // idempotent

    const second = await startEmbeddedPostgres({ dataDir });
    try {
      const rows = await query<{ body: string }>(second.url, 'SELECT body FROM notes ORDER BY id');
      expect(rows.map((r) => r.body)).toEqual(['one', 'two']);
    } finally {
      await second.stop();
    }
  });

  it('refuses a folder another live instance is serving', async () => {
    const dataDir = path.join(root, 'locked');
    const first = await startEmbeddedPostgres({ dataDir });
    try {
      await expect(startEmbeddedPostgres({ dataDir })).rejects.toBeInstanceOf(EmbeddedPostgresLockedError);
    } finally {
      await first.stop();
    }
    const again = await startEmbeddedPostgres({ dataDir });
    await again.stop();
  });

  it('serves one connection at a time and queues the next one', async () => {
    const server = await startEmbeddedPostgres({ dataDir: path.join(root, 'single'), queueTimeoutMs: 1_000 });
    const a = new pg.Client({ connectionString: server.url });
    const b = new pg.Client({ connectionString: server.url });
    const c = new pg.Client({ connectionString: server.url });
    c.on('error', () => undefined);
    try {
      await a.connect();
      await a.query('BEGIN');
      await a.query('CREATE TABLE queued (n int)');
      // b waits for a; a's transaction stays isolated from it.
      let bConnected = false;
      const bReady = b.connect().then(() => (bConnected = true));
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(bConnected).toBe(false);
      await a.query('COMMIT');
      await a.end();
      await bReady;
      expect((await b.query('SELECT count(*)::int AS n FROM queued')).rows).toEqual([{ n: 0 }]);

      // A client that waits longer than queueTimeoutMs gets a PostgreSQL error.
      await expect(c.connect()).rejects.toMatchObject({ code: '53300' });
    } finally {
      await endAll(server, a, b);
    }
  });

  it('lets a new connection in right after the previous one closed', async () => {
    const server = await startEmbeddedPostgres({ dataDir: path.join(root, 'reconnect') });
    try {
      for (let i = 0; i < 20; i++) {
        expect((await query<{ i: number }>(server.url, 'SELECT $1::int AS i', [i]))[0]!.i).toBe(i);
      }
    } finally {
      await server.stop();
    }
  });

  it('keeps every acknowledged commit when the hosting process is killed with SIGKILL', async () => {
    const dataDir = path.join(root, 'crash');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(here, 'fixtures', 'crash-writer.ts'), dataDir],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, signal) => resolve(signal)),
    );

    // Let it commit a few hundred rows, then kill it in the middle of the stream.
    let acknowledged = 0;
    let buffered = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) {
          const id = Number.parseInt(line, 10);
          if (Number.isInteger(id)) acknowledged = id;
        }
        if (acknowledged >= 300) resolve();
      });
      child.on('exit', () => reject(new Error(`writer exited early: ${stderr}`)));
    });
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    // A fresh start on the same folder: the stale lock is taken over and the WAL is replayed.
    const server = await startEmbeddedPostgres({ dataDir });
    try {
      const [row] = await query<{ n: number; max: number }>(
        server.url,
        'SELECT count(*)::int AS n, max(id) AS max FROM crash_log',
      );
      expect(row!.n).toBe(row!.max); // no gaps
      expect(row!.n).toBeGreaterThanOrEqual(acknowledged);
      // The database is writable after recovery.
      await query(server.url, 'INSERT INTO crash_log (id, payload) VALUES ($1, $2)', [row!.max + 1, 'after']);
    } finally {
      await server.stop();
    }
  });

  it("reports the database thread's memory (PGlite's WebAssembly memory, the thread's heap), and null once stopped", async () => {
    const server = await startEmbeddedPostgres({ dataDir: path.join(root, 'memory') });
    try {
      const memory = await server.memory();
      // PGlite starts with 128 MiB of WebAssembly memory (shared buffers and all) and grows from there.
      expect(memory?.wasm).toBeGreaterThanOrEqual(128 * 2 ** 20);
      expect(memory?.heapUsed).toBeGreaterThan(0);
      expect(memory?.heapTotal).toBeGreaterThanOrEqual(memory?.heapUsed ?? 0);
      // A statement in between: the thread answers both kinds of message in turn.
      await query(server.url, 'SELECT 1');
      expect((await server.memory())?.wasm).toBeGreaterThanOrEqual(memory?.wasm ?? 0);
    } finally {
      await server.stop();
    }
    expect(await server.memory()).toBeNull();
  });

  it("does not keep the rows it served in the database thread's heap (PGlite keeps every parsed reply of the raw protocol)", async () => {
    const server = await startEmbeddedPostgres({ dataDir: path.join(root, 'replies') });
    const client = localClient(server);
    try {
      await client.connect();
      // 40 reads of 5,000 rows of 1 KB: 200 MB served over one connection, as the app's pool holds its one.
      for (let i = 0; i < 40; i++) {
        const { rows } = await client.query("SELECT g, repeat('x', 1000) AS body FROM generate_series(1, 5000) AS g");
        expect(rows).toHaveLength(5_000);
      }
      const memory = await server.memory();
      // Kept, the parsed replies alone would hold over 200 MB; the thread's whole heap stays far below that.
      expect(memory?.heapUsed).toBeLessThan(100 * 2 ** 20);
    } finally {
      await endAll(server, client);
    }
  });

  it('leaves transactions as they were between statements: open blocks stay open, failed ones failed', async () => {
    const server = await startEmbeddedPostgres({ dataDir: path.join(root, 'transactions') });
    const client = localClient(server);
    try {
      await client.connect();
      await client.query('CREATE TABLE notes (body text)');
      await client.query('BEGIN');
      await client.query("INSERT INTO notes VALUES ('rolled back')");
      await client.query('ROLLBACK');
      expect((await client.query('SELECT count(*)::int AS n FROM notes')).rows).toEqual([{ n: 0 }]);

      await client.query('BEGIN');
      await expect(client.query('SELECT 1 / 0')).rejects.toThrow(/division by zero/);
      await expect(client.query('SELECT 1')).rejects.toThrow(/current transaction is aborted/);
      await client.query('ROLLBACK');
      expect((await client.query('SELECT 2 AS two')).rows).toEqual([{ two: 2 }]);
    } finally {
      await endAll(server, client);
    }
  });

  it('answers each message batch with exactly its own replies (one ReadyForQuery per Sync or Query)', async () => {
    const server = await startEmbeddedPostgres({ dataDir: path.join(root, 'replies-exact') });
    const connection = server.connect() as ReturnType<EmbeddedPostgres['connect']> & { connect(): void };
    try {
      const received: Buffer[] = [];
      connection.on('data', (data: Buffer) => received.push(data));
      connection.connect();
      await once(connection, 'connect');
      const readyCount = () => {
        const bytes = Buffer.concat(received);
        let count = 0;
        for (let at = 0; at + 5 <= bytes.length; at += 1 + bytes.readInt32BE(at + 1)) if (bytes[at] === 0x5a) count++;
        return count;
      };
      const waitReady = async (count: number) => {
        while (readyCount() < count) await once(connection, 'data');
      };
      connection.write(startupMessage({ user: 'postgres', database: 'postgres' }));
      await waitReady(1);
      // The startup reply begins with AuthenticationOk ('R'): skip its length-prefixed messages like any others.
      const sql = Buffer.from('SELECT 1\0', 'utf8');
      const simpleQuery = Buffer.concat([Buffer.from([0x51]), Buffer.alloc(4), sql]);
      simpleQuery.writeInt32BE(4 + sql.length, 1);
      connection.write(simpleQuery);
      await waitReady(2);
      connection.write(simpleQuery);
      await waitReady(3);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(readyCount()).toBe(3);
    } finally {
      connection.destroy();
      await server.stop();
    }
  });

  it('keeps the main thread running while a statement runs on an in-process connection', async () => {
    const server = await startEmbeddedPostgres({ dataDir: path.join(root, 'responsive') });
    const client = localClient(server);
    try {
      await client.connect();
      const events: string[] = [];
      const statement = client.query('SELECT pg_sleep(1)').then(() => events.push('statement done'));
      // Due long before the statement ends: it fires while PostgreSQL still sleeps.
      await new Promise((resolve) => setTimeout(resolve, 20)).then(() => events.push('timer fired'));
      await statement;
      expect(events).toEqual(['timer fired', 'statement done']);
      // The connection is still in step after that.
      expect((await client.query('SELECT 2 + 2 AS four')).rows).toEqual([{ four: 4 }]);
    } finally {
      await endAll(server, client);
    }
  });

  it('queues in-process and TCP connections in one line and resets the session between them', async () => {
    const server = await startEmbeddedPostgres({ dataDir: path.join(root, 'mixed'), queueTimeoutMs: 1_000 });
    const local = localClient(server);
    const tcp = new pg.Client({ connectionString: server.url });
    const late = localClient(server);
    late.on('error', () => undefined);
    try {
      await local.connect();
      // Left behind on purpose: an open transaction and a prepared statement.
      await local.query('BEGIN');
      await local.query('CREATE TABLE left_open (n int)');
      await local.query({ name: 'kept', text: 'SELECT 1 AS one' });

      let tcpConnected = false;
      const tcpReady = tcp.connect().then(() => (tcpConnected = true));
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(tcpConnected).toBe(false);
      await local.end();
      await tcpReady;
      const [state] = (
        await tcp.query<{ tables: number; prepared: number }>(
          "SELECT (SELECT count(*)::int FROM pg_tables WHERE tablename = 'left_open') AS tables, (SELECT count(*)::int FROM pg_prepared_statements) AS prepared",
        )
      ).rows;
      expect(state).toEqual({ tables: 0, prepared: 0 });

      // An in-process client that waits longer than queueTimeoutMs gets the same error as a TCP one.
      await expect(late.connect()).rejects.toMatchObject({ code: '53300' });
    } finally {
      await endAll(server, local, tcp);
    }
  });

  it('fails open and waiting connections with the reason when the database thread dies', async () => {
    const dataDir = path.join(root, 'dies');
    const server = await startEmbeddedPostgres({ dataDir });
    const waiting = localClient(server);
    waiting.on('error', () => undefined);
    try {
      // PGlite exits on a FATAL error during startup (here: an empty user name), which ends its thread.
      const doomed = server.connect() as ReturnType<EmbeddedPostgres['connect']> & { connect(): void };
      doomed.on('error', () => undefined);
      doomed.connect();
      await once(doomed, 'connect');
      const waitingConnect = waiting.connect();
      doomed.write(startupMessage({ user: '', database: 'postgres' }));

      const reason = await server.exited;
      expect(reason?.message).toMatch(/PGlite\) stopped while running a statement/);
      await expect(waitingConnect).rejects.toThrow(reason!.message);
      expect(doomed.destroyed).toBe(true);
      // Later connections fail at once, with the same reason.
      await expect(localClient(server).connect()).rejects.toThrow(reason!.message);
    } finally {
      await server.stop();
    }
    // The folder is free again, and the database opens.
    const again = await startEmbeddedPostgres({ dataDir });
    try {
      expect(await query<{ one: number }>(again.url, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
    } finally {
      await again.stop();
    }
  });
});
