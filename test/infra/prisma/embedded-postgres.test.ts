// The embedded PGlite server: persistence across stop/start, across a kill -9
// of the hosting process, the folder lock, and the one-connection rule.

import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedPostgresLockedError, startEmbeddedPostgres } from '../../../src/infra/prisma/embedded-postgres.js';

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
      await a.end().catch(() => undefined);
      await b.end().catch(() => undefined);
      await server.stop();
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
});
