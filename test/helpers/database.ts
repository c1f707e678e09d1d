// A fresh, migrated database per caller.
//
// With MEMQL_TEST_DATABASE_URL set (e.g. postgresql://postgres@127.0.0.1:5432/test)
// a uniquely named database is created on that server and dropped by drop().
// Otherwise an embedded PGlite server is started in a fresh temporary folder
// (hosted by this process; one connection at a time, so pools must have
// max 1) and drop() stops it and deletes the folder.

import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres } from '../../src/infra/prisma/embedded-postgres.js';
import { applyMigrations } from '../../src/infra/prisma/migrate.js';
import { createScratchDatabase } from '../../src/infra/prisma/scratch-database.js';

export interface TestDatabase {
  url: string;
  /** True for the embedded PGlite server: use a pool of max 1. */
  embedded: boolean;
  /** The pool size to use with this database (1 when embedded). */
  poolMax: number;
  /** Drops the database (or stops the embedded server and deletes its folder). Idempotent. */
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const serverUrl = process.env.MEMQL_TEST_DATABASE_URL;
  return serverUrl ? createServerDatabase(serverUrl) : createEmbeddedDatabase();
}

async function createServerDatabase(serverUrl: string): Promise<TestDatabase> {
  const database = await createScratchDatabase(serverUrl, 'memql_t_');
  try {
    await applyMigrations({ url: database.url });
  } catch (error) {
    await database.drop();
    throw error;
  }
  return { url: database.url, embedded: false, poolMax: 5, drop: database.drop };
}

async function createEmbeddedDatabase(): Promise<TestDatabase> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'memql-testdb-'));
  const server = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg') });
  let dropped: Promise<void> | null = null;
  const drop = () =>
    (dropped ??= (async () => {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    })());
  try {
    await applyMigrations({ url: server.url });
  } catch (error) {
    await drop();
    throw error;
  }
  return { url: server.url, embedded: true, poolMax: 1, drop };
}
