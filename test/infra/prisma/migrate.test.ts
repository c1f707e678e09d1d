// Migrations through the WebAssembly schema engine, on the test database
// (embedded PGlite by default; a real server with MEMQL_TEST_DATABASE_URL).

import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyMigrations,
  createMigrationSql,
  readMigrations,
  defaultMigrationsDir,
} from '../../../src/infra/prisma/migrate.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';

async function withClient<T>(url: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

describe(`migrations (${process.env.MEMQL_TEST_DATABASE_URL ? 'PostgreSQL server' : 'embedded PGlite'})`, () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase(); // applies the migrations
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('records every migration in _prisma_migrations, as migrate deploy does', async () => {
    const names = (await readMigrations(defaultMigrationsDir())).migrationDirectories.map((d) => d.path);
    expect(names.length).toBeGreaterThan(0);
    const rows = await withClient(
      db.url,
      async (c) =>
        (
          await c.query<{ migration_name: string; finished: boolean; rolled_back: boolean }>(
            'SELECT migration_name, finished_at IS NOT NULL AS finished, rolled_back_at IS NOT NULL AS rolled_back FROM _prisma_migrations ORDER BY migration_name',
          )
        ).rows,
    );
    expect(rows).toEqual(names.map((migration_name) => ({ migration_name, finished: true, rolled_back: false })));
  });

  it('is a no-op the second time', async () => {
    const again = await applyMigrations({ url: db.url });
    expect(again.applied).toEqual([]);
    const count = await withClient(
      db.url,
      async (c) => (await c.query<{ n: number }>('SELECT count(*)::int AS n FROM _prisma_migrations')).rows[0]!.n,
    );
    expect(count).toBe((await readMigrations(defaultMigrationsDir())).migrationDirectories.length);
  });

  it('creates the tables of the schema', async () => {
    const tables = await withClient(db.url, async (c) =>
      (
        await c.query<{ table_name: string }>(
          "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
        )
      ).rows.map((r) => r.table_name),
    );
    for (const table of [
      'Project',
      'ApiKey',
      'User',
      'Blob',
      'Chunk',
      'IndexJob',
      'IndexState',
      'Memory',
      'MemoryChange',
      'MemoryEvent',
    ]) {
      expect(tables).toContain(table);
    }
  });

  it('fills the chunk tsvector from searchText (a trigger), unless the row is sealed, and indexes it with GIN', async () => {
    await withClient(db.url, async (c) => {
      const project = (
        await c.query<{ id: string }>(`INSERT INTO "Project" (id, name) VALUES (gen_random_uuid(), 'tsv') RETURNING id`)
      ).rows[0]!.id;
      const user = (
        await c.query<{ pk: string }>(
          `INSERT INTO "User" (pk, "projectId", "externalId", "updatedAt") VALUES (gen_random_uuid(), $1, 'u', now()) RETURNING pk`,
          [project],
        )
      ).rows[0]!.pk;
      const blob = (
        await c.query<{ id: string }>(
          `INSERT INTO "Blob" (id, "projectId", "userPk", type, content) VALUES (gen_random_uuid(), $1, $2, 'DOC', '{}') RETURNING id`,
          [project, user],
        )
      ).rows[0]!.id;
      await c.query(
        `INSERT INTO "Chunk" (id, "blobId", "projectId", "userPk", ordinal, text, "searchText", "createdAt") VALUES (gen_random_uuid(), $1, $2, $3, 0, 'x', 'The zebras were running', now())`,
        [blob, project, user],
      );
      const tsvOf = async (ordinal: number) =>
        (
          await c.query<{ tsv: string }>(
            `SELECT "searchTsv"::text AS tsv FROM "Chunk" WHERE "blobId" = $1 AND ordinal = $2`,
            [blob, ordinal],
          )
        ).rows[0]!.tsv;
      expect(await tsvOf(0)).toContain("'zebra'");
      expect(await tsvOf(0)).toContain("'run'");

      // Updates follow the text; a direct write to a row in clear is overwritten from its text.
      await c.query(`UPDATE "Chunk" SET "searchText" = 'giraffes' WHERE "blobId" = $1`, [blob]);
      expect(await tsvOf(0)).toBe("'giraff':1");
      await c.query(`UPDATE "Chunk" SET "searchTsv" = to_tsvector('english', 'lions') WHERE "blobId" = $1`, [blob]);
      expect(await tsvOf(0)).toBe("'giraff':1");

      // A sealed row (encryption at rest) keeps the vector its writer made from the plaintext.
      await c.query(
        `INSERT INTO "Chunk" (id, "blobId", "projectId", "userPk", ordinal, text, "searchText", "createdAt", "searchTsv") VALUES (gen_random_uuid(), $1, $2, $3, 1, 'mqe1:AAAA', 'mqe1:BBBB', now(), to_tsvector('english', 'otters swimming'))`,
        [blob, project, user],
      );
      expect(await tsvOf(1)).toBe("'otter':1 'swim':2");

      const index = (
        await c.query<{ indexdef: string }>(`SELECT indexdef FROM pg_indexes WHERE indexname = 'Chunk_searchTsv_idx'`)
      ).rows[0]!;
      expect(index.indexdef).toMatch(/USING gin/i);
    });
  });

  it('has no drift: schema.prisma diffed against the migrations is empty', async () => {
    // A server URL lets the engine create its shadow database there; otherwise embedded shadows.
    const sql = await createMigrationSql({ shadowServerUrl: process.env.MEMQL_TEST_DATABASE_URL });
    expect(sql).toBe('');
  }, 120_000);
});
