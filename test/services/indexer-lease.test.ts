// Two server processes sharing PostgreSQL, Redis and one Chroma server: one
// of them (the indexer lease holder) drains the index outbox into Chroma,
// both answer searches from it, and when the holder dies the other takes
// over (at once on one host; across hosts once the lease lapses). Run by .ci/run (vitest.services.config.ts).

import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChromaServer, startChromaServer } from '../../src/infra/chroma/chroma-server.js';
import { generateSecret } from '../../src/lib/secrets.js';
import { createTestDatabase } from '../helpers/database.js';
import { GraphQLClient } from '../helpers/graphql-client.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';

const redisUrl = process.env.MEMQL_TEST_REDIS_URL;
if (!process.env.MEMQL_TEST_DATABASE_URL || !redisUrl) {
  throw new Error('test/services needs MEMQL_TEST_DATABASE_URL and MEMQL_TEST_REDIS_URL (see .ci/run)');
}

describe('two server processes, one Chroma: the indexer lease', () => {
  const adminKey = generateSecret();
  let dirs: string[] = [];
  const servers: ServerProcess[] = [];
  let chroma: ChromaServer;
  let db: pg.Client;
  let drop = async () => {};

  const outboxEmpty = async (timeoutMs = 60_000) => {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const { rows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM "IndexJob"');
      if (Number(rows[0]!.n) === 0) return;
      if (Date.now() > until) throw new Error(`outbox still holds ${rows[0]!.n} jobs`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  };
  const holderPid = async () => {
    const { rows } = await db.query<{ holder: string }>(`SELECT holder FROM "WorkerLease" WHERE name = 'indexer'`);
    return Number(rows[0]?.holder.split(':')[1]);
  };
  const client = (server: ServerProcess) => new GraphQLClient(server.url, adminKey);
  const insert = (server: ServerProcess, user: string, content: string) =>
    client(server).raw(
      `mutation ($u: ID!, $c: String!) { createUser(input: { id: $u }) { id } insertBlob(userId: $u, input: { doc: { title: "t", content: $c } }) { blob { id } } }`,
      { u: user, c: content },
    );
  const found = async (server: ServerProcess, user: string, text: string) => {
    const result = await client(server).raw<{ user: { query: { blob: { id: string } }[] } }>(
      'query ($u: ID!, $t: String!) { user(id: $u) { query(text: $t, mode: SEMANTIC, topK: 1) { blob { id } } } }',
      { u: user, t: text },
    );
    return result.data?.user.query.length ?? 0;
  };

  beforeAll(async () => {
    const database = await createTestDatabase();
    drop = database.drop;
    db = new pg.Client({ connectionString: database.url });
    await db.connect();
    dirs = await Promise.all([0, 1, 2].map(() => mkdtemp(path.join(os.tmpdir(), 'memql-lease-'))));
    chroma = await startChromaServer({ dataDir: dirs[2]! });
    const env = (dir: string) => ({
      DATABASE_URL: database.url,
      REDIS_URL: redisUrl!,
      CHROMA_URL: chroma.url,
      MEMQL_ADMIN_KEY: adminKey,
      MEMQL_DATA_DIR: dir,
      MEMQL_EMBEDDINGS_PROVIDER: 'hashing',
    });
    servers.push(await startServerProcess(env(dirs[0]!)));
    servers.push(await startServerProcess(env(dirs[1]!)));
  });
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.kill('SIGTERM')));
    await db?.end();
    await chroma?.stop();
    await drop();
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('lets one process index what both accept, and hands over when it dies', async () => {
    for (let i = 0; i < 6; i++) {
      expect(
        (await insert(servers[i % 2]!, `u${i}`, `User ${i} keeps ${i + 2} bees on a rooftop in town ${i}.`)).errors,
      ).toBeUndefined();
    }
    await outboxEmpty();
    const pid = await holderPid();
    const holder = servers.find((server) => server.child.pid === pid)!;
    const other = servers.find((server) => server !== holder)!;
    expect(holder).toBeDefined();
    const took = (server: ServerProcess) =>
      server.logs.filter((entry) => String(entry.msg).includes('took the indexer lease'));
    expect(took(holder)).toHaveLength(1);
    expect(took(other)).toHaveLength(0);
    // Both processes search the one index: everything either accepted is there.
    for (let i = 0; i < 6; i++) {
      expect(await found(holder, `u${i}`, `bees on a rooftop in town ${i}`)).toBe(1);
      expect(await found(other, `u${i}`, `bees on a rooftop in town ${i}`)).toBe(1);
    }

    // The holder dies without releasing the lease: the survivor on this host sees it is gone and takes over.
    await holder.kill('SIGKILL');
    expect((await insert(other, 'late', 'Late keeps goats on a hillside.')).errors).toBeUndefined();
    await outboxEmpty(30_000);
    expect(await holderPid()).toBe(other.child.pid);
    expect(took(other)).toHaveLength(1);
    expect(await found(other, 'late', 'goats on a hillside')).toBe(1);
    servers.splice(servers.indexOf(holder), 1);
  });
});
