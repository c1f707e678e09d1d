// The Prisma repositories against the test database (embedded PGlite by
// default; a real server with MEMQL_TEST_DATABASE_URL).

import { PrismaPg } from '@prisma/adapter-pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError } from '../../../src/domain/errors.js';
import type { NewBlob } from '../../../src/domain/ports.js';
import type { BlobContent, NewChunk, UserRecord } from '../../../src/domain/types.js';
import { PrismaApiKeyRepository } from '../../../src/infra/prisma/api-key.repository.js';
import { PrismaBlobRepository } from '../../../src/infra/prisma/blob.repository.js';
import { PrismaChunkRepository, queryWords } from '../../../src/infra/prisma/chunk.repository.js';
import { PrismaClient } from '../../../src/infra/prisma/generated/client.js';
import { PrismaIndexJobQueue } from '../../../src/infra/prisma/index-job.repository.js';
import { PrismaIndexStateRepository } from '../../../src/infra/prisma/index-state.repository.js';
import { PrismaProjectRepository } from '../../../src/infra/prisma/project.repository.js';
import { PrismaUserRepository } from '../../../src/infra/prisma/user.repository.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';

const T0 = new Date('2025-01-01T00:00:00.000Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

describe(`Prisma repositories (${process.env.MEMQL_TEST_DATABASE_URL ? 'PostgreSQL server' : 'embedded PGlite'})`, () => {
  let database: TestDatabase;
  let db: PrismaClient;
  /** SQL statements sent by `db`, for the bounded-queries assertion. */
  const statements: string[] = [];
  let projects: PrismaProjectRepository;
  let apiKeys: PrismaApiKeyRepository;
  let users: PrismaUserRepository;
  let blobs: PrismaBlobRepository;
  let chunks: PrismaChunkRepository;
  let jobs: PrismaIndexJobQueue;
  let indexState: PrismaIndexStateRepository;

  beforeAll(async () => {
    database = await createTestDatabase();
    const client = new PrismaClient({
      adapter: new PrismaPg({ connectionString: database.url, max: database.poolMax, idleTimeoutMillis: 0 }),
      log: [{ emit: 'event', level: 'query' }],
    });
    client.$on('query', (event) => statements.push(event.query));
    db = client;
    projects = new PrismaProjectRepository(db);
    apiKeys = new PrismaApiKeyRepository(db);
    users = new PrismaUserRepository(db);
    blobs = new PrismaBlobRepository(db);
    chunks = new PrismaChunkRepository(db);
    jobs = new PrismaIndexJobQueue(db);
    indexState = new PrismaIndexStateRepository(db);
  });
  afterAll(async () => {
    await db?.$disconnect();
    await database?.drop();
  });

  async function newUser(name: string, externalId = 'u1'): Promise<UserRecord> {
    const project = await projects.create(`${name}-${Math.random().toString(36).slice(2)}`);
    return users.create(project.id, { externalId, data: {} });
  }

  function docChunks(...texts: string[]): NewChunk[] {
    let offset = 0;
    return texts.map((text, ordinal) => {
      const chunk: NewChunk = {
        ordinal,
        text,
        searchText: text,
        locator: { kind: 'text', start: offset, end: offset + text.length },
      };
      offset += text.length + 1;
      return chunk;
    });
  }

  function newDoc(user: UserRecord, texts: string[], createdAt = T0, extra: Partial<NewBlob> = {}): NewBlob {
    return {
      projectId: user.projectId,
      userPk: user.pk,
      content: { type: 'DOC', title: null, content: texts.join(' ') },
      metadata: null,
      createdAt,
      chunks: docChunks(...texts),
      buffer: null,
      ...extra,
    };
  }

  async function drainJobs(): Promise<void> {
    const due = await jobs.due(10_000);
    await jobs.complete(due.map((j) => j.id));
  }

  // ---------------------------------------------------------------- projects and keys

  describe('projects and API keys', () => {
    it('creates, finds and refuses duplicate names', async () => {
      const project = await projects.create('acme');
      expect(project).toMatchObject({ name: 'acme' });
      expect(await projects.findByName('acme')).toEqual(project);
      expect(await projects.findById(project.id)).toEqual(project);
      expect(await projects.findById('not-a-uuid')).toBeNull();
      await expect(projects.create('acme')).rejects.toBeInstanceOf(ConflictError);
    });

    it('finds active keys by hash and revokes them once', async () => {
      const project = await projects.create('keys');
      const key = await apiKeys.create({
        projectId: project.id,
        name: 'ci',
        role: 'project',
        hash: 'h-1',
        prefix: 'mq_ab',
      });
      expect(key).toMatchObject({ projectId: project.id, name: 'ci', role: 'project', revokedAt: null });
      const admin = await apiKeys.create({
        projectId: project.id,
        name: null,
        role: 'admin',
        hash: 'h-2',
        prefix: 'mq_cd',
      });
      expect(admin.role).toBe('admin');
      expect(await apiKeys.findActiveByHash('h-1')).toEqual(key);
      expect(await apiKeys.findById(key.id)).toEqual(key);
      expect(await apiKeys.revoke(key.id)).toBe(true);
      expect(await apiKeys.revoke(key.id)).toBe(false);
      expect(await apiKeys.findActiveByHash('h-1')).toBeNull();
      expect((await apiKeys.findById(key.id))!.revokedAt).toBeInstanceOf(Date);
    });
  });

  // ---------------------------------------------------------------- users

  describe('users', () => {
    it('maps externalId to the domain id and refuses a duplicate within a project', async () => {
      const project = await projects.create('users-dup');
      const other = await projects.create('users-dup-other');
      const user = await users.create(project.id, { externalId: 'alice', data: { plan: 'pro' } });
      expect(user).toMatchObject({ id: 'alice', projectId: project.id, data: { plan: 'pro' } });
      expect(user.pk).not.toBe('alice');
      const error = await users.create(project.id, { externalId: 'alice', data: {} }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConflictError);
      expect(error).toMatchObject({ field: 'input.id', message: 'input.id: a user with this id already exists' });
      // The same id in another project is another user.
      expect((await users.create(other.id, { externalId: 'alice', data: {} })).pk).not.toBe(user.pk);
      expect(await users.findByExternalId(project.id, 'alice')).toEqual(user);
      expect(await users.findByExternalId(other.id, 'bob')).toBeNull();
    });

    it('updates data', async () => {
      const user = await newUser('users-update');
      const updated = await users.update(user.pk, { data: { a: [1, 'two', null] } });
      expect(updated).toMatchObject({ pk: user.pk, id: user.id, data: { a: [1, 'two', null] } });
      expect(updated.updatedAt.getTime()).toBeGreaterThanOrEqual(user.updatedAt.getTime());
    });

    it('finds by pks in key order, null where absent', async () => {
      const project = await projects.create('users-pks');
      const a = await users.create(project.id, { externalId: 'a', data: {} });
      const b = await users.create(project.id, { externalId: 'b', data: {} });
      const missing = '00000000-0000-4000-8000-000000000000';
      expect(await users.findByPks([b.pk, missing, a.pk, b.pk, 'nope'])).toEqual([b, null, a, b, null]);
      expect(await users.findByPks([])).toEqual([]);
    });

    it('pages by (createdAt, id) with totalCount and hasNextPage', async () => {
      const project = await projects.create('users-page');
      const created: UserRecord[] = [];
      for (const id of ['c', 'a', 'e', 'b', 'd'])
        created.push(await users.create(project.id, { externalId: id, data: {} }));
      const expected = created
        .sort((x, y) => x.createdAt.getTime() - y.createdAt.getTime() || (x.id < y.id ? -1 : 1))
        .map((u) => u.id);
      const seen: string[] = [];
      let after: { createdAt: Date; id: string } | null = null;
      for (;;) {
        const page = await users.list(project.id, { first: 2, after });
        expect(page.totalCount).toBe(5);
        seen.push(...page.items.map((u) => u.id));
        if (!page.hasNextPage) break;
        const last = page.items[page.items.length - 1]!;
        after = { createdAt: last.createdAt, id: last.id };
      }
      expect(seen).toEqual(expected);
      const empty = await users.list(project.id, { first: 0, after: null });
      expect(empty).toEqual({ items: [], hasNextPage: true, totalCount: 5 });
    });

    it('deletes the user with its blobs and enqueues DELETE_USER in the same transaction', async () => {
      await drainJobs();
      const user = await newUser('users-delete');
      const blob = await blobs.insert(newDoc(user, ['hello world']));
      await drainJobs();
      await users.delete(user);
      expect(await users.findByPks([user.pk])).toEqual([null]);
      expect(await blobs.findById(user.projectId, blob.id)).toBeNull();
      expect(await chunks.findByBlob(blob.id)).toEqual([]);
      const due = await jobs.due(10);
      expect(due).toEqual([
        {
          id: expect.any(BigInt),
          kind: 'DELETE_USER',
          projectId: user.projectId,
          userPk: user.pk,
          blobId: null,
          attempts: 0,
        },
      ]);
      await users.delete(user); // already gone: nothing more
      expect(await jobs.pendingCount()).toBe(1);
      await drainJobs();
    });
  });

  // ---------------------------------------------------------------- blobs

  describe('blobs', () => {
    const contents: BlobContent[] = [
      {
        type: 'CHAT',
        messages: [
          { role: 'user', content: 'I moved to Porto', name: 'ana', createdAt: new Date('2024-05-01T10:00:00.000Z') },
          { role: 'assistant', content: 'Nice!', name: null, createdAt: null },
        ],
      },
      { type: 'DOC', title: 'Notes', content: 'Some notes' },
      { type: 'DOC', title: null, content: 'Untitled' },
      {
        type: 'TRANSCRIPT',
        segments: [
          { start: 0, end: 1.5, text: 'hi', speaker: 'A' },
          { start: 1.5, end: 3, text: 'hey', speaker: null },
        ],
      },
      { type: 'SUMMARY', summary: 'They talked about travel.' },
      { type: 'CODE', language: 'ts', content: 'const x = 1;' },
      { type: 'CODE', language: null, content: 'x' },
    ];

    it('round-trips every content type', async () => {
      const user = await newUser('blobs-roundtrip');
      for (const content of contents) {
        const inserted = await blobs.insert({ ...newDoc(user, ['x']), content, metadata: { source: 'test', n: 1 } });
        expect(inserted.content).toEqual(content);
        expect(inserted.metadata).toEqual({ source: 'test', n: 1 });
        expect(await blobs.findById(user.projectId, inserted.id)).toEqual(inserted);
      }
      const bare = await blobs.insert(newDoc(user, ['y']));
      expect(bare.metadata).toBeNull();
    });

    it('commits blob, chunks and an UPSERT_BLOB job together, with the buffer state', async () => {
      await drainJobs();
      const user = await newUser('blobs-outbox');
      const chat = await blobs.insert({ ...newDoc(user, ['a', 'b']), content: contents[0]!, buffer: { tokens: 42 } });
      const doc = await blobs.insert(newDoc(user, ['c']));
      const rows = await db.blob.findMany({ where: { userPk: user.pk }, orderBy: { insertedAt: 'asc' } });
      expect(rows.map((r) => [r.id, r.bufferState, r.tokens])).toEqual([
        [chat.id, 'PENDING', 42],
        [doc.id, 'NONE', 0],
      ]);
      expect((await chunks.findByBlob(chat.id)).map((c) => c.text)).toEqual(['a', 'b']);
      const due = await jobs.due(10);
      expect(due.map((j) => [j.kind, j.blobId, j.userPk])).toEqual([
        ['UPSERT_BLOB', chat.id, user.pk],
        ['UPSERT_BLOB', doc.id, user.pk],
      ]);
      await drainJobs();
    });

    it('writes nothing when any part of the insert fails', async () => {
      await drainJobs();
      const user = await newUser('blobs-atomic');
      const bad = newDoc(user, ['a', 'b']);
      bad.chunks[1]!.ordinal = 0; // violates (blobId, ordinal)
      await expect(blobs.insert(bad)).rejects.toThrow();
      expect(await db.blob.count({ where: { userPk: user.pk } })).toBe(0);
      expect(await db.chunk.count({ where: { userPk: user.pk } })).toBe(0);
      expect(await jobs.pendingCount()).toBe(0);
    });

    it('scopes findById by project and finds by ids in key order', async () => {
      const user = await newUser('blobs-find');
      const other = await newUser('blobs-find-other');
      const a = await blobs.insert(newDoc(user, ['a']));
      const b = await blobs.insert(newDoc(user, ['b']));
      expect(await blobs.findById(other.projectId, a.id)).toBeNull();
      expect(await blobs.findById(user.projectId, 'not-a-uuid')).toBeNull();
      expect(await blobs.findByIds([b.id, 'x', a.id, '00000000-0000-4000-8000-000000000000'])).toEqual([
        b,
        null,
        a,
        null,
      ]);
    });

    it("lists a user's blobs by (createdAt, id) with a type filter", async () => {
      const user = await newUser('blobs-list');
      const inserted = [];
      for (let i = 0; i < 5; i++) inserted.push(await blobs.insert(newDoc(user, [`d${i}`], at(10 - i))));
      const summary = await blobs.insert({ ...newDoc(user, ['s'], at(0)), content: { type: 'SUMMARY', summary: 's' } });
      const expected = [...inserted].reverse(); // oldest createdAt first
      const page1 = await blobs.listByUser(user.pk, { type: 'DOC' }, { first: 3, after: null });
      expect(page1).toMatchObject({ totalCount: 5, hasNextPage: true });
      expect(page1.items).toEqual(expected.slice(0, 3));
      const last = page1.items[2]!;
      const page2 = await blobs.listByUser(
        user.pk,
        { type: 'DOC' },
        { first: 3, after: { createdAt: last.createdAt, id: last.id } },
      );
      expect(page2).toEqual({ items: expected.slice(3), hasNextPage: false, totalCount: 5 });
      const all = await blobs.listByUser(user.pk, { type: null }, { first: 10, after: null });
      expect(all.totalCount).toBe(6);
      expect(all.items[0]).toEqual(summary);
    });

    it('lists the first page of many users in a bounded number of queries', async () => {
      const project = await projects.create('blobs-batch');
      const many: UserRecord[] = [];
      for (let i = 0; i < 12; i++) many.push(await users.create(project.id, { externalId: `u${i}`, data: {} }));
      for (const [i, user] of many.entries()) {
        for (let j = 0; j < i % 4; j++) await blobs.insert(newDoc(user, [`u${i} b${j}`], at(j)));
        if (i % 3 === 0)
          await blobs.insert({ ...newDoc(user, ['s'], at(9)), content: { type: 'SUMMARY', summary: `s${i}` } });
      }
      const missing = '00000000-0000-4000-8000-000000000000';
      const keys = [...many.map((u) => u.pk), missing];

      statements.length = 0;
      const pages = await blobs.listFirstPageByUsers(keys, { type: null }, 2);
      expect(statements).toHaveLength(2); // the window-function page query and the grouped count

      for (const [i, user] of many.entries()) {
        const single = await blobs.listByUser(user.pk, { type: null }, { first: 2, after: null });
        expect(pages[i]).toEqual(single);
      }
      expect(pages[many.length]).toEqual({ items: [], hasNextPage: false, totalCount: 0 });

      const docsOnly = await blobs.listFirstPageByUsers(keys, { type: 'DOC' }, 1);
      for (const [i, user] of many.entries()) {
        expect(docsOnly[i]).toEqual(await blobs.listByUser(user.pk, { type: 'DOC' }, { first: 1, after: null }));
      }
    });

    it('deletes a blob with its chunks and enqueues DELETE_BLOB', async () => {
      await drainJobs();
      const user = await newUser('blobs-delete');
      const blob = await blobs.insert(newDoc(user, ['a', 'b']));
      await drainJobs();
      await blobs.delete(blob);
      expect(await blobs.findById(user.projectId, blob.id)).toBeNull();
      expect(await chunks.findByBlob(blob.id)).toEqual([]);
      const due = await jobs.due(10);
      expect(due).toEqual([
        {
          id: expect.any(BigInt),
          kind: 'DELETE_BLOB',
          projectId: user.projectId,
          userPk: user.pk,
          blobId: blob.id,
          attempts: 0,
        },
      ]);
      await blobs.delete(blob);
      expect(await jobs.pendingCount()).toBe(1);
      await drainJobs();
    });
  });

  // ---------------------------------------------------------------- chunks

  describe('chunks', () => {
    it('keeps locators and the blob type, and finds by blob and ids', async () => {
      const user = await newUser('chunks-locators');
      const chunkList: NewChunk[] = [
        { ordinal: 0, text: 'm', searchText: 'user: m', locator: { kind: 'message', messageIndex: 3 } },
        { ordinal: 1, text: 't', searchText: 't', locator: { kind: 'text', start: 5, end: 9 } },
        { ordinal: 2, text: 's', searchText: 's', locator: { kind: 'time', start: 1.25, end: 2.5 } },
      ];
      const blob = await blobs.insert({ ...newDoc(user, []), chunks: chunkList, createdAt: at(3) });
      const found = await chunks.findByBlob(blob.id);
      expect(found).toEqual(
        chunkList.map((c) => ({
          ...c,
          id: expect.any(String),
          blobId: blob.id,
          projectId: user.projectId,
          userPk: user.pk,
          blobType: 'DOC',
          createdAt: at(3),
        })),
      );
      const ids = found.map((c) => c.id);
      expect(await chunks.findByIds([ids[2]!, 'bad', ids[0]!])).toEqual([found[2], found[0]]);
    });

    it('scans every chunk in id order, in batches', async () => {
      const total = await db.chunk.count();
      const seen: string[] = [];
      for await (const batch of chunks.scanAll(7)) {
        expect(batch.length).toBeLessThanOrEqual(7);
        seen.push(...batch.map((c) => c.id));
      }
      expect(seen.length).toBe(total);
      expect([...seen].sort()).toEqual(seen);
      expect(new Set(seen).size).toBe(total);
    });
  });

  // ---------------------------------------------------------------- lexical search

  describe('lexical search', () => {
    let user: UserRecord;
    const ids: Record<string, string> = {};

    beforeAll(async () => {
      user = await newUser('search');
      const other = await newUser('search-other');
      const texts: [string, string, Date, BlobContent['type']][] = [
        ['zoo', 'Caroline went to the zoo and saw a zebra.', at(0), 'DOC'],
        ['painting', 'Caroline loves painting sunsets over the lake.', at(10), 'DOC'],
        ['adoption', 'Caroline researched adoption agencies last week.', at(20), 'SUMMARY'],
        ['running', 'Melanie is running a marathon, running every day.', at(30), 'DOC'],
        ['dull', 'Caroline said hello. Caroline said goodbye.', at(40), 'DOC'],
      ];
      for (const [key, text, createdAt, type] of texts) {
        const content: BlobContent =
          type === 'SUMMARY' ? { type, summary: text } : { type: 'DOC', title: null, content: text };
        const blob = await blobs.insert({ ...newDoc(user, [text], createdAt), content });
        ids[key] = (await chunks.findByBlob(blob.id))[0]!.id;
      }
      await blobs.insert(newDoc(other, ['Caroline adoption zebra painting'])); // another user's: never returned
    });

    const filter = () => ({ userPk: user.pk, types: null, since: null, until: null });

    it("matches chunks having any of the question's terms, rare terms first", async () => {
      const results = await chunks.searchLexical('What did Caroline research about adoption?', filter(), 10);
      expect(results[0]!.chunkId).toBe(ids.adoption);
      // Every chunk mentioning Caroline matches, even without the other words.
      expect(new Set(results.map((r) => r.chunkId))).toEqual(new Set([ids.adoption, ids.zoo, ids.painting, ids.dull]));
      for (let i = 1; i < results.length; i++) expect(results[i - 1]!.score).toBeGreaterThanOrEqual(results[i]!.score);
      expect(results.every((r) => r.score > 0)).toBe(true);
    });

    it('stems words and respects the limit', async () => {
      const results = await chunks.searchLexical('runs', filter(), 10);
      expect(results.map((r) => r.chunkId)).toEqual([ids.running]);
      expect(await chunks.searchLexical('caroline', filter(), 2)).toHaveLength(2);
    });

    it('filters by blob type and time', async () => {
      const bySummary = await chunks.searchLexical('Caroline', { ...filter(), types: ['SUMMARY'] }, 10);
      expect(bySummary.map((r) => r.chunkId)).toEqual([ids.adoption]);
      const inWindow = await chunks.searchLexical('Caroline', { ...filter(), since: at(10), until: at(20) }, 10);
      expect(new Set(inWindow.map((r) => r.chunkId))).toEqual(new Set([ids.painting, ids.adoption]));
    });

    it('treats tsquery syntax as plain text and ignores stop words', async () => {
      const nasty = "zebra') | !(:* & <-> \\ '' ; DROP TABLE \"Chunk\"; --";
      expect((await chunks.searchLexical(nasty, filter(), 10)).map((r) => r.chunkId)).toEqual([ids.zoo]);
      expect(await chunks.searchLexical('the and of', filter(), 10)).toEqual([]);
      expect(await chunks.searchLexical('   ', filter(), 10)).toEqual([]);
      expect(await chunks.searchLexical('zebra', { ...filter(), userPk: 'not-a-uuid' }, 10)).toEqual([]);
      expect(queryWords("Don't  stop: café, ZEBRA & zebra")).toEqual(['don', 't', 'stop', 'café', 'zebra']);
    });
  });

  // ---------------------------------------------------------------- outbox and index state

  describe('index jobs', () => {
    it('returns due jobs by id, retries later and completes', async () => {
      await drainJobs();
      const user = await newUser('jobs');
      const a = await blobs.insert(newDoc(user, ['a']));
      const b = await blobs.insert(newDoc(user, ['b']));
      const [first, second] = await jobs.due(10);
      expect([first!.blobId, second!.blobId]).toEqual([a.id, b.id]);
      expect(first!.id < second!.id).toBe(true);
      expect(await jobs.due(1)).toHaveLength(1);

      await jobs.retryLater(first!.id, 'chroma down', new Date(Date.now() + 60_000));
      expect((await jobs.due(10)).map((j) => j.blobId)).toEqual([b.id]);
      expect(await jobs.pendingCount()).toBe(2);
      const row = await db.indexJob.findUnique({ where: { id: first!.id } });
      expect(row).toMatchObject({ attempts: 1, lastError: 'chroma down' });

      await jobs.retryLater(first!.id, 'again', new Date(Date.now() - 1_000));
      const again = (await jobs.due(10)).find((j) => j.id === first!.id);
      expect(again?.attempts).toBe(2);

      await jobs.complete([first!.id, second!.id]);
      expect(await jobs.pendingCount()).toBe(0);
      await jobs.complete([]);
    });
  });

  describe('index state', () => {
    it('is null until set, then holds the last value', async () => {
      expect(await indexState.get()).toBeNull();
      await indexState.set({ model: 'use-lite', dimension: 512, collection: 'memql' });
      expect(await indexState.get()).toEqual({ model: 'use-lite', dimension: 512, collection: 'memql' });
      await indexState.set({ model: 'hashing', dimension: 256, collection: 'memql2' });
      expect(await indexState.get()).toEqual({ model: 'hashing', dimension: 256, collection: 'memql2' });
    });
  });
});
