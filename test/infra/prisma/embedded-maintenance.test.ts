// Maintenance of the embedded database: single-user PostgreSQL has no
// autovacuum, so memql's own rounds must give the planner its statistics and
// reclaim the rows the outbox churns.

import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrismaClient, type PrismaClient } from '../../../src/infra/prisma/client.js';
import { EmbeddedMaintenance } from '../../../src/infra/prisma/embedded-maintenance.js';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '../../../src/infra/prisma/embedded-postgres.js';
import { applyMigrations } from '../../../src/infra/prisma/migrate.js';

describe('embedded database maintenance', () => {
  let root: string;
  let database: EmbeddedPostgres;
  let db: PrismaClient;
  const logged: { level: string; object: object; message: string }[] = [];
  const log = {
    info: (object: object, message: string) => logged.push({ level: 'info', object, message }),
    warn: (object: object, message: string) => logged.push({ level: 'warn', object, message }),
  };

  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'memql-maintenance-'));
    database = await startEmbeddedPostgres({ dataDir: path.join(root, 'pg') });
    await applyMigrations({ url: database.url });
    db = createPrismaClient({ url: database.url, poolMax: 1, stream: () => database.connect() });
  });
  afterAll(async () => {
    await db?.$disconnect();
    await database?.stop();
    await rm(root, { recursive: true, force: true });
  });

  const tableStats = async (table: string) => {
    const [row] = await db.$queryRawUnsafe<{ reltuples: number; bytes: bigint }[]>(
      `SELECT reltuples::float8 AS reltuples, pg_relation_size('"${table}"') AS bytes FROM pg_class WHERE relname = $1`,
      table,
    );
    return { rows: row!.reltuples, bytes: Number(row!.bytes) };
  };

  it('gives the planner row counts and reclaims the rows a churned table deleted', async () => {
    const project = await db.project.create({ data: { name: 'maintenance' } });
    await db.$executeRaw`
      INSERT INTO "User" ("pk", "projectId", "externalId", "data", "updatedAt")
      SELECT gen_random_uuid(), ${project.id}::uuid, 'user-' || n, '{}'::jsonb, now() FROM generate_series(1, 500) AS n`;
    const users = await db.user.findMany({ select: { pk: true }, take: 200 });
    await db.$executeRaw`
      INSERT INTO "IndexJob" ("kind", "projectId", "userPk")
      SELECT 'DELETE_USER', ${project.id}::uuid, pk FROM unnest(${users.map((user) => user.pk)}::uuid[]) AS pk`;
    await db.indexJob.deleteMany({});

    // Never analysed: PostgreSQL 14+ says so with -1, and the planner guesses.
    expect((await tableStats('User')).rows).toBe(-1);
    expect((await tableStats('IndexJob')).bytes).toBeGreaterThan(0);

    await new EmbeddedMaintenance(db, log, { firstRoundMs: 60_000, intervalMs: 60_000 }).round();

    expect((await tableStats('User')).rows).toBe(500);
    // VACUUM truncates a table whose pages hold only dead rows.
    expect(await tableStats('IndexJob')).toEqual({ rows: 0, bytes: 0 });
    expect(logged.filter((entry) => entry.level === 'warn')).toEqual([]);
    expect(logged.at(-1)?.message).toMatch(/planner statistics refreshed/);
  });

  it('logs a failed round and does not throw, so the next round tries again', async () => {
    const closed = createPrismaClient({
      url: 'postgresql://postgres@127.0.0.1:1/none',
      poolMax: 1,
      acquireTimeoutMs: 500,
    });
    try {
      await expect(new EmbeddedMaintenance(closed, log).round()).resolves.toBeUndefined();
      expect(logged.at(-1)).toMatchObject({ level: 'warn', message: expect.stringMatching(/maintenance failed/) });
    } finally {
      await closed.$disconnect();
    }
  });
});
