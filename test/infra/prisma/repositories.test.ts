// What only the Prisma adapters promise, beyond the persistence contracts
// they pass in repositories.contract.test.ts (the in-memory fakes pass the
// same ones): bounded SQL for batch reads, the columns operators read, and
// query parsing. On the test database: embedded PGlite by default, a real
// server with MEMQL_TEST_DATABASE_URL.

import { PrismaPg } from '@prisma/adapter-pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserRecord } from '../../../src/domain/types.js';
import { queryWords } from '../../../src/infra/prisma/chunk.repository.js';
import { PrismaClient } from '../../../src/infra/prisma/generated/client.js';
import { createRepositories, type Repositories } from '../../../src/infra/prisma/repositories.js';
import { at, drainJobs, MISSING_UUID, newChat, newDoc, newUser } from '../../contracts/repositories.contract.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';

describe(`Prisma repositories (${process.env.MEMQL_TEST_DATABASE_URL ? 'PostgreSQL server' : 'embedded PGlite'})`, () => {
  let database: TestDatabase;
  let db: PrismaClient;
  let repos: Repositories;
  /** SQL statements sent by `db`, for the bounded-queries assertion. */
  const statements: string[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    const client = new PrismaClient({
      adapter: new PrismaPg({ connectionString: database.url, max: database.poolMax, idleTimeoutMillis: 0 }),
      log: [{ emit: 'event', level: 'query' }],
    });
    client.$on('query', (event) => statements.push(event.query));
    db = client;
    repos = createRepositories(db, database.poolMax);
  });
  afterAll(async () => {
    await db?.$disconnect();
    await database?.drop();
  });

  it('lists the first page of many users in two statements, whatever their number', async () => {
    const project = await repos.projects.create('blobs-batch');
    const many: UserRecord[] = [];
    for (let i = 0; i < 12; i++) many.push(await repos.users.create(project.id, { externalId: `u${i}`, data: {} }));
    for (const [i, user] of many.entries()) {
      for (let j = 0; j < i % 4; j++) await repos.blobs.insert(newDoc(user, [`u${i} b${j}`], at(j)));
    }
    statements.length = 0;
    const pages = await repos.blobs.listFirstPageByUsers([...many.map((u) => u.pk), MISSING_UUID], { type: null }, 2);
    expect(statements).toHaveLength(2); // the window-function page query and the grouped count
    expect(pages.map((page) => page.totalCount)).toEqual([...many.map((_, i) => i % 4), 0]);
  });

  it('keeps the buffer state and token count of each blob in its row', async () => {
    const user = await newUser(repos, 'buffer-columns');
    const chat = await repos.blobs.insert(newChat(user, 'I moved to Porto', 42));
    const doc = await repos.blobs.insert(newDoc(user, ['c']));
    const rows = await db.blob.findMany({ where: { userPk: user.pk }, orderBy: { insertedAt: 'asc' } });
    expect(rows.map((r) => [r.id, r.bufferState, r.tokens])).toEqual([
      [chat.id, 'PENDING', 42],
      [doc.id, 'NONE', 0],
    ]);
  });

  it("keeps an index job's last error for operators, cut to 2,000 characters", async () => {
    await drainJobs(repos);
    const user = await newUser(repos, 'job-error');
    await repos.blobs.insert(newDoc(user, ['a']));
    const [job] = await repos.indexJobs.due(10);
    await repos.indexJobs.retryLater(job!.id, 'chroma down', new Date(Date.now() + 60_000));
    expect(await db.indexJob.findUnique({ where: { id: job!.id } })).toMatchObject({
      attempts: 1,
      lastError: 'chroma down',
    });
    await repos.indexJobs.retryLater(job!.id, 'x'.repeat(5_000), new Date());
    expect((await db.indexJob.findUnique({ where: { id: job!.id } }))!.lastError).toHaveLength(2_000);
    await drainJobs(repos);
  });

  it('reads the words of a free-text query, dropping tsquery syntax', () => {
    expect(queryWords("Don't  stop: café, ZEBRA & zebra")).toEqual(['don', 't', 'stop', 'café', 'zebra']);
    expect(queryWords("zebra') | !(:* & <-> \\ '' ;")).toEqual(['zebra']);
    expect(queryWords('x'.repeat(65))).toEqual([]);
  });
});
