// One suite for every implementation of the persistence ports
// (src/domain/ports.ts): the Prisma adapters on PGlite or PostgreSQL, and the
// in-memory fakes. Everything is asserted through the ports alone. Call it
// from a test file:
//
//   repositoriesContract('prisma', async () => ({ repos, dispose }));
//
// `create` is called once per suite; tests keep apart by using their own
// projects and users. The index outbox is shared, so tests that read it
// drain it first.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, MemoryEditConflict, NotFoundError } from '../../src/domain/errors.js';
import { LIVE_MEMORIES } from '../../src/domain/memory/memory-filter.js';
import { DEFAULT_MEMORY_ORDER, type MemoryKeyset } from '../../src/domain/memory/memory-page.js';
import type { NewBlob, ResolvedOperation, SignalHint } from '../../src/domain/ports.js';
import type { Repositories } from '../../src/infra/prisma/repositories.js';
import type {
  BlobContent,
  MemoryContent,
  MemoryEventRecord,
  MemoryRecord,
  NewChunk,
  Page,
  PageRequest,
  ProfileConfig,
  TokenUsage,
  UserRecord,
} from '../../src/domain/types.js';
import { memoryContract } from './memory.contract.js';

/** Every persistence port, as src/infra/prisma/repositories.ts groups them (the fakes have the same shape). */
/**
 * Webhooks are left out: their deliveries are enqueued by database triggers
 * (the webhooks migration), which an in-memory fake would only imitate; they
 * are tested through the API on PGlite and PostgreSQL (test/api/webhooks.test.ts).
 * Imports too: their writes are SQL of their own, with no in-memory twin
 * (test/api/import-roundtrip.test.ts runs them on PGlite and PostgreSQL).
 */
export type ContractRepositories = Omit<Repositories, 'webhooks' | 'imports' | 'importStore'>;

export interface RepositoriesFixture {
  repos: ContractRepositories;
  dispose(): Promise<void>;
}

const T0 = new Date('2025-01-01T00:00:00.000Z');
export const at = (minutes: number): Date => new Date(T0.getTime() + minutes * 60_000);
export const MISSING_UUID = '00000000-0000-4000-8000-000000000000';

let names = 0;
/** A project name no other test (or earlier run on a shared server) uses. */
export const uniqueName = (prefix: string): string => `${prefix}-${++names}-${Math.random().toString(36).slice(2, 8)}`;

export async function newUser(repos: ContractRepositories, prefix = 'user', externalId = 'u1'): Promise<UserRecord> {
  const project = await repos.projects.create(uniqueName(prefix));
  return repos.users.create(project.id, { externalId, data: {} });
}

export function textChunks(...texts: string[]): NewChunk[] {
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

export function newDoc(user: UserRecord, texts: string[], createdAt = T0, extra: Partial<NewBlob> = {}): NewBlob {
  return {
    projectId: user.projectId,
    userPk: user.pk,
    content: { type: 'DOC', title: null, content: texts.join(' ') },
    metadata: null,
    createdAt,
    chunks: textChunks(...texts),
    buffer: null,
    tokens: Math.ceil(texts.join(' ').length / 4),
    agentId: null,
    runId: null,
    ...extra,
  };
}

/** A chat blob in the user's extraction buffer. */
export function newChat(user: UserRecord, text: string, tokens = 10, createdAt = T0): NewBlob {
  return {
    ...newDoc(user, [text], createdAt),
    content: { type: 'CHAT', messages: [{ role: 'user', content: text, name: null, createdAt: null }] },
    chunks: [{ ordinal: 0, text, searchText: `user: ${text}`, locator: { kind: 'message', messageIndex: 0 } }],
    buffer: { tokens },
  };
}

export async function drainJobs(repos: ContractRepositories): Promise<void> {
  for (let due = await repos.indexJobs.due(1_000); due.length; due = await repos.indexJobs.due(1_000))
    await repos.indexJobs.complete(due.map((job) => job.id));
}

/** What commitBatch's ADD of `text` stores: unscoped, from a CHAT blob, its categories as tags. */
export const extracted = (text: string, topic = 'basic_info', subTopic = 'location'): MemoryContent => ({
  text,
  topic,
  subTopic,
  categories: ['c1'],
  title: null,
  summary: null,
  tags: ['c1'],
  importance: null,
  confidence: null,
  source: 'CHAT',
  agentId: null,
  runId: null,
  expiresAt: null,
  immutable: false,
});

const fact = (text: string, topic = 'basic_info', subTopic = 'location') => ({
  text,
  topic,
  subTopic,
  categories: ['c1'],
});

/** Commits one extraction batch for the user (claim, take the buffer, commit) and returns what it wrote. */
export async function commitBatch(
  repos: ContractRepositories,
  user: UserRecord,
  operations: ResolvedOperation[],
  summary = 'batch',
  usage: TokenUsage | null = null,
): Promise<{ event: MemoryEventRecord; blobIds: string[] }> {
  const blob = await repos.blobs.insert(newChat(user, `${summary}: something the user said`));
  expect(await repos.processing.claim(user.pk, 'contract-worker', 60_000)).toBe(true);
  const batch = await repos.processing.nextBatch(user.pk, 100_000);
  const blobIds = batch.map((b) => b.id);
  expect(blobIds).toContain(blob.id);
  const { event } = await repos.processing.commit({
    projectId: user.projectId,
    userPk: user.pk,
    scope: { agentId: null, runId: null },
    source: 'CHAT',
    workerId: 'contract-worker',
    blobIds,
    summary,
    tags: ['t'],
    usage,
    operations,
  });
  return { event, blobIds };
}

const add = (text: string, topic?: string, subTopic?: string): ResolvedOperation => ({
  kind: 'ADD',
  fact: fact(text, topic, subTopic),
  embedding: [1, 0, 0],
});

async function pageThrough<T extends { createdAt: Date }>(
  list: (page: PageRequest) => Promise<{ items: T[]; hasNextPage: boolean; totalCount: number }>,
  key: (item: T) => string,
  size: number,
): Promise<{ seen: T[]; totals: number[] }> {
  const seen: T[] = [];
  const totals: number[] = [];
  let after: PageRequest['after'] = null;
  for (let round = 0; round < 100; round++) {
    const page = await list({ first: size, after });
    totals.push(page.totalCount);
    seen.push(...page.items);
    if (!page.hasNextPage) break;
    const last = page.items[page.items.length - 1]!;
    after = { createdAt: last.createdAt, id: key(last) };
  }
  return { seen, totals };
}

export function repositoriesContract(name: string, create: () => Promise<RepositoriesFixture>): void {
  describe(`Repositories contract: ${name}`, () => {
    let fixture: RepositoriesFixture;
    let repos: ContractRepositories;

    beforeAll(async () => {
      fixture = await create();
      repos = fixture.repos;
    });
    afterAll(async () => {
      await fixture?.dispose();
    });

    // ------------------------------------------------------------ projects and keys

    describe('projects and API keys', () => {
      it('creates, finds and refuses a duplicate name', async () => {
        const name = uniqueName('acme');
        const project = await repos.projects.create(name);
        expect(project).toEqual({ id: expect.any(String), name, createdAt: expect.any(Date) });
        expect(await repos.projects.findByName(name)).toEqual(project);
        expect(await repos.projects.findById(project.id)).toEqual(project);
        expect(await repos.projects.findById('not-a-uuid')).toBeNull();
        expect(await repos.projects.findById(MISSING_UUID)).toBeNull();
        expect(await repos.projects.findByName(uniqueName('nobody'))).toBeNull();
        const error = await repos.projects.create(name).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ConflictError);
        expect(error).toMatchObject({ field: 'name' });
      });

      it('finds active keys by hash and revokes them once', async () => {
        const project = await repos.projects.create(uniqueName('keys'));
        const hash = uniqueName('hash');
        const key = await repos.apiKeys.create({
          projectId: project.id,
          name: 'ci',
          role: 'project',
          hash,
          prefix: 'mq_ab',
        });
        expect(key).toEqual({
          id: expect.any(String),
          projectId: project.id,
          name: 'ci',
          role: 'project',
          prefix: 'mq_ab',
          createdAt: expect.any(Date),
          lastUsedAt: null,
          revokedAt: null,
        });
        const admin = await repos.apiKeys.create({
          projectId: project.id,
          name: null,
          role: 'admin',
          hash: uniqueName('hash'),
          prefix: 'mq_cd',
        });
        expect(admin).toMatchObject({ role: 'admin', name: null });
        expect(await repos.apiKeys.findActiveByHash(hash)).toEqual(key);
        expect(await repos.apiKeys.findById(key.id)).toEqual(key);
        expect(await repos.apiKeys.findById('nope')).toBeNull();
        expect(await repos.apiKeys.revoke(key.id)).toBe(true);
        expect(await repos.apiKeys.revoke(key.id)).toBe(false);
        expect(await repos.apiKeys.revoke(MISSING_UUID)).toBe(false);
        expect(await repos.apiKeys.findActiveByHash(hash)).toBeNull();
        expect((await repos.apiKeys.findById(key.id))!.revokedAt).toBeInstanceOf(Date);
        expect(await repos.apiKeys.findActiveByHash(uniqueName('unknown'))).toBeNull();
      });

      it("lists projects, a project's keys (revoked too) and the active keys of a role", async () => {
        const project = await repos.projects.create(uniqueName('listed'));
        expect((await repos.projects.list()).map((p) => p.id)).toContain(project.id);
        const first = await repos.apiKeys.create({
          projectId: project.id,
          name: 'a',
          role: 'project',
          hash: uniqueName('hash'),
          prefix: 'mq_a',
        });
        const second = await repos.apiKeys.create({
          projectId: project.id,
          name: 'b',
          role: 'admin',
          hash: uniqueName('hash'),
          prefix: 'mq_b',
        });
        await repos.apiKeys.revoke(first.id);
        const listed = await repos.apiKeys.listByProject(project.id);
        expect(listed.map((key) => [key.id, key.revokedAt === null])).toEqual([
          [first.id, false],
          [second.id, true],
        ]);
        expect(await repos.apiKeys.listByProject(MISSING_UUID)).toEqual([]);
        const admins = await repos.apiKeys.listActiveByRole('admin');
        expect(admins.map((key) => key.id)).toContain(second.id);
        expect(admins.every((key) => key.role === 'admin' && key.revokedAt === null)).toBe(true);
        const at = new Date('2030-01-02T03:04:05.000Z');
        await repos.apiKeys.touch(second.id, at);
        expect((await repos.apiKeys.findById(second.id))?.lastUsedAt).toEqual(at);
      });
    });

    // ------------------------------------------------------------ users

    describe('users', () => {
      it('keeps the app id as the domain id and refuses a duplicate within a project only', async () => {
        const project = await repos.projects.create(uniqueName('users'));
        const other = await repos.projects.create(uniqueName('users-other'));
        const user = await repos.users.create(project.id, { externalId: 'alice', data: { plan: 'pro' } });
        expect(user).toEqual({
          pk: expect.any(String),
          projectId: project.id,
          id: 'alice',
          data: { plan: 'pro' },
          createdAt: expect.any(Date),
          updatedAt: expect.any(Date),
        });
        expect(user.pk).not.toBe('alice');
        const error = await repos.users.create(project.id, { externalId: 'alice', data: {} }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ConflictError);
        expect(error).toMatchObject({ field: 'input.id' });
        expect((await repos.users.create(other.id, { externalId: 'alice', data: {} })).pk).not.toBe(user.pk);
        expect(await repos.users.findByExternalId(project.id, 'alice')).toEqual(user);
        expect(await repos.users.findByExternalId(other.id, 'bob')).toBeNull();
        expect(await repos.users.findByExternalId('not-a-uuid', 'alice')).toBeNull();
      });

      it('updates data and returns the stored user', async () => {
        const user = await newUser(repos, 'users-update');
        const updated = await repos.users.update(user.pk, { data: { a: [1, 'two', null], nested: { b: true } } });
        expect(updated).toMatchObject({ pk: user.pk, id: user.id, data: { a: [1, 'two', null], nested: { b: true } } });
        expect(updated.updatedAt.getTime()).toBeGreaterThanOrEqual(user.updatedAt.getTime());
        expect(await repos.users.findByPks([user.pk])).toEqual([updated]);
        await expect(repos.users.update(MISSING_UUID, { data: {} })).rejects.toThrow();
      });

      it('finds by pks in key order, repeated keys repeated, null where absent', async () => {
        const project = await repos.projects.create(uniqueName('users-pks'));
        const a = await repos.users.create(project.id, { externalId: 'a', data: {} });
        const b = await repos.users.create(project.id, { externalId: 'b', data: {} });
        expect(await repos.users.findByPks([b.pk, MISSING_UUID, a.pk, b.pk, 'nope'])).toEqual([b, null, a, b, null]);
        expect(await repos.users.findByPks([])).toEqual([]);
      });

      it('pages by (createdAt, id) with totalCount and hasNextPage', async () => {
        const project = await repos.projects.create(uniqueName('users-page'));
        const created: UserRecord[] = [];
        for (const id of ['c', 'a', 'e', 'b', 'd'])
          created.push(await repos.users.create(project.id, { externalId: id, data: {} }));
        const expected = [...created]
          .sort((x, y) => x.createdAt.getTime() - y.createdAt.getTime() || (x.id < y.id ? -1 : 1))
          .map((u) => u.id);
        const { seen, totals } = await pageThrough(
          (page) => repos.users.list(project.id, page),
          (u) => u.id,
          2,
        );
        expect(seen.map((u) => u.id)).toEqual(expected);
        expect(totals).toEqual([5, 5, 5]);
        expect(await repos.users.list(project.id, { first: 0, after: null })).toEqual({
          items: [],
          hasNextPage: true,
          totalCount: 5,
        });
      });

      it('deletes the user with its blobs, chunks, memories and events, and enqueues DELETE_USER', async () => {
        await drainJobs(repos);
        const user = await newUser(repos, 'users-delete');
        const blob = await repos.blobs.insert(newDoc(user, ['hello world']));
        const { event } = await commitBatch(repos, user, [add('User says hello.')]);
        const [memory] = await repos.memories.listProfile(user.pk, null, new Date());
        await drainJobs(repos);

        await repos.users.delete(user);

        expect(await repos.users.findByPks([user.pk])).toEqual([null]);
        expect(await repos.blobs.findById(user.projectId, blob.id)).toBeNull();
        expect(await repos.chunks.findByBlob(blob.id)).toEqual([]);
        expect(await repos.memories.findById(user.projectId, memory!.id)).toBeNull();
        expect(await repos.events.findById(user.projectId, event.id)).toBeNull();
        expect(await repos.indexJobs.due(10)).toEqual([
          {
            id: expect.any(BigInt),
            kind: 'DELETE_USER',
            projectId: user.projectId,
            userPk: user.pk,
            blobId: null,
            attempts: 0,
          },
        ]);
        await repos.users.delete(user); // already gone: nothing more
        expect(await repos.indexJobs.pendingCount()).toBe(1);
        await drainJobs(repos);
      });
    });

    // ------------------------------------------------------------ blobs

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

      it('round-trips every content type, metadata and createdAt', async () => {
        const user = await newUser(repos, 'blobs-roundtrip');
        for (const content of contents) {
          const inserted = await repos.blobs.insert({
            ...newDoc(user, ['x'], at(7)),
            content,
            metadata: { source: 'test', n: 1, deep: { list: [1, null] } },
            agentId: content.type === 'CHAT' ? 'agent-1' : null,
            runId: content.type === 'DOC' ? 'run-1' : null,
          });
          expect(inserted).toEqual({
            id: expect.any(String),
            projectId: user.projectId,
            userPk: user.pk,
            content,
            metadata: { source: 'test', n: 1, deep: { list: [1, null] } },
            createdAt: at(7),
            agentId: content.type === 'CHAT' ? 'agent-1' : null,
            runId: content.type === 'DOC' ? 'run-1' : null,
          });
          expect(await repos.blobs.findById(user.projectId, inserted.id)).toEqual(inserted);
        }
        expect((await repos.blobs.insert(newDoc(user, ['y']))).metadata).toBeNull();
      });

      it('commits the blob, its chunks, an UPSERT_BLOB job and its place in the buffer together', async () => {
        await drainJobs(repos);
        const user = await newUser(repos, 'blobs-outbox');
        const chat = await repos.blobs.insert(newChat(user, 'I moved to Porto', 42));
        const doc = await repos.blobs.insert(newDoc(user, ['c', 'd']));
        expect((await repos.chunks.findByBlob(doc.id)).map((c) => c.text)).toEqual(['c', 'd']);
        expect((await repos.indexJobs.due(10)).map((j) => [j.kind, j.blobId, j.userPk, j.projectId])).toEqual([
          ['UPSERT_BLOB', chat.id, user.pk, user.projectId],
          ['UPSERT_BLOB', doc.id, user.pk, user.projectId],
        ]);
        // Past a job (the indexer reads on while a round is in flight).
        const [first] = await repos.indexJobs.due(1);
        expect((await repos.indexJobs.due(10, first!.id)).map((j) => j.blobId)).toEqual([doc.id]);
        // Only the chat entered the extraction buffer.
        expect(await repos.processing.status([user.pk])).toEqual([
          { pendingBlobs: 1, pendingTokens: 42, state: 'IDLE', lastError: null, attempts: 0, nextAttemptAt: null },
        ]);
        await drainJobs(repos);
      });

      it('writes nothing when any part of the insert fails', async () => {
        await drainJobs(repos);
        const user = await newUser(repos, 'blobs-atomic');
        const bad = newChat(user, 'a', 5);
        bad.chunks.push({ ...bad.chunks[0]!, text: 'b' }); // two chunks with ordinal 0
        await expect(repos.blobs.insert(bad)).rejects.toThrow();
        expect((await repos.blobs.listByUser(user.pk, { type: null }, { first: 10, after: null })).totalCount).toBe(0);
        expect(await repos.indexJobs.pendingCount()).toBe(0);
        expect((await repos.processing.status([user.pk]))[0]).toMatchObject({ pendingBlobs: 0 });
      });

      it('refuses a blob for a user deleted meanwhile with NotFoundError, writing nothing', async () => {
        await drainJobs(repos);
        const user = await newUser(repos, 'blobs-gone');
        await repos.users.delete(user);
        await drainJobs(repos);
        const error = await repos.blobs.insert(newDoc(user, ['late'])).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(NotFoundError);
        expect(error).toMatchObject({ entity: 'User' });
        expect(await repos.indexJobs.pendingCount()).toBe(0);
      });

      it('scopes findById by project and finds by ids in key order', async () => {
        const user = await newUser(repos, 'blobs-find');
        const other = await newUser(repos, 'blobs-find-other');
        const a = await repos.blobs.insert(newDoc(user, ['a']));
        const b = await repos.blobs.insert(newDoc(user, ['b']));
        expect(await repos.blobs.findById(other.projectId, a.id)).toBeNull();
        expect(await repos.blobs.findById(user.projectId, 'not-a-uuid')).toBeNull();
        expect(await repos.blobs.findByIds([b.id, 'x', a.id, MISSING_UUID, b.id])).toEqual([b, null, a, null, b]);
      });

      it("lists a user's blobs by (createdAt, id), filtered by type", async () => {
        const user = await newUser(repos, 'blobs-list');
        const inserted = [];
        for (let i = 0; i < 5; i++) inserted.push(await repos.blobs.insert(newDoc(user, [`d${i}`], at(10 - i))));
        const summary = await repos.blobs.insert({
          ...newDoc(user, ['s'], at(0)),
          content: { type: 'SUMMARY', summary: 's' },
        });
        const expected = [...inserted].reverse();
        const { seen, totals } = await pageThrough(
          (page) => repos.blobs.listByUser(user.pk, { type: 'DOC' }, page),
          (blob) => blob.id,
          3,
        );
        expect(seen).toEqual(expected);
        expect(totals).toEqual([5, 5]);
        const all = await repos.blobs.listByUser(user.pk, { type: null }, { first: 10, after: null });
        expect(all.totalCount).toBe(6);
        expect(all.items[0]).toEqual(summary);
        expect(await repos.blobs.listByUser(user.pk, { type: 'CODE' }, { first: 10, after: null })).toEqual({
          items: [],
          hasNextPage: false,
          totalCount: 0,
        });
      });

      it('lists the first page of many users at once, as listByUser would', async () => {
        const project = await repos.projects.create(uniqueName('blobs-batch'));
        const many: UserRecord[] = [];
        for (let i = 0; i < 6; i++) many.push(await repos.users.create(project.id, { externalId: `u${i}`, data: {} }));
        for (const [i, user] of many.entries()) {
          for (let j = 0; j < i % 4; j++) await repos.blobs.insert(newDoc(user, [`u${i} b${j}`], at(j)));
          if (i % 3 === 0)
            await repos.blobs.insert({ ...newDoc(user, ['s'], at(9)), content: { type: 'SUMMARY', summary: `s${i}` } });
        }
        const keys = [...many.map((u) => u.pk), MISSING_UUID, many[1]!.pk];
        for (const type of [null, 'DOC'] as const) {
          const pages = await repos.blobs.listFirstPageByUsers(keys, { type }, 2);
          expect(pages).toHaveLength(keys.length);
          for (const [i, pk] of keys.entries())
            expect(pages[i]).toEqual(await repos.blobs.listByUser(pk, { type }, { first: 2, after: null }));
        }
        expect(await repos.blobs.listFirstPageByUsers([], { type: null }, 2)).toEqual([]);
      });

      it('deletes a blob with its chunks and enqueues DELETE_BLOB once', async () => {
        await drainJobs(repos);
        const user = await newUser(repos, 'blobs-delete');
        const blob = await repos.blobs.insert(newDoc(user, ['a', 'b']));
        await drainJobs(repos);
        await repos.blobs.delete({ ...blob, projectId: (await newUser(repos, 'blobs-delete-other')).projectId });
        expect(await repos.blobs.findById(user.projectId, blob.id)).toEqual(blob); // another project's delete: no-op
        await repos.blobs.delete(blob);
        expect(await repos.blobs.findById(user.projectId, blob.id)).toBeNull();
        expect(await repos.chunks.findByBlob(blob.id)).toEqual([]);
        expect(await repos.indexJobs.due(10)).toEqual([
          {
            id: expect.any(BigInt),
            kind: 'DELETE_BLOB',
            projectId: user.projectId,
            userPk: user.pk,
            blobId: blob.id,
            attempts: 0,
          },
        ]);
        await repos.blobs.delete(blob);
        expect(await repos.indexJobs.pendingCount()).toBe(1);
        await drainJobs(repos);
      });
    });

    // ------------------------------------------------------------ chunks

    describe('chunks', () => {
      it('keeps locators, the blob type and createdAt, and finds by blob and by ids', async () => {
        const user = await newUser(repos, 'chunks-locators');
        const chunks: NewChunk[] = [
          { ordinal: 0, text: 'm', searchText: 'user: m', locator: { kind: 'message', messageIndex: 3 } },
          { ordinal: 1, text: 't', searchText: 't', locator: { kind: 'text', start: 5, end: 9 } },
          { ordinal: 2, text: 's', searchText: 's', locator: { kind: 'time', start: 1.25, end: 2.5 } },
        ];
        const blob = await repos.blobs.insert({ ...newDoc(user, []), chunks, createdAt: at(3) });
        const found = await repos.chunks.findByBlob(blob.id);
        expect(found).toEqual(
          chunks.map((c) => ({
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
        expect(await repos.chunks.findByIds([ids[2]!, 'bad', ids[0]!, ids[2]!, MISSING_UUID])).toEqual([
          found[2],
          found[0],
        ]);
        expect(await repos.chunks.findByIds([])).toEqual([]);
        expect(await repos.chunks.findByBlob(MISSING_UUID)).toEqual([]);
        const other = await repos.blobs.insert(newDoc(user, ['o1', 'o2']));
        const others = await repos.chunks.findByBlob(other.id);
        expect(await repos.chunks.findByBlobs([other.id, 'bad', blob.id, MISSING_UUID, other.id])).toEqual([
          ...others,
          ...found,
        ]);
        expect(await repos.chunks.findByBlobs([])).toEqual([]);
      });

      it("reads ranked chunks with the best blobs, the owner's only", async () => {
        const user = await newUser(repos, 'chunks-ranked');
        const other = await newUser(repos, 'chunks-ranked-other');
        const a = await repos.blobs.insert({ ...newDoc(user, ['a1', 'a2']), createdAt: at(1) });
        const b = await repos.blobs.insert({ ...newDoc(user, ['b1']), createdAt: at(2) });
        const c = await repos.blobs.insert(newDoc(user, ['c1']));
        const theirs = await repos.blobs.insert(newDoc(other, ['x1']));
        const [a1, a2] = await repos.chunks.findByBlob(a.id);
        const [b1] = await repos.chunks.findByBlob(b.id);
        const [c1] = await repos.chunks.findByBlob(c.id);
        const [x1] = await repos.chunks.findByBlob(theirs.id);
        const owner = { projectId: user.projectId, userPk: user.pk };
        const read = await repos.chunks.findRanked(
          [
            { chunkId: b1!.id, score: 0.9 },
            { chunkId: x1!.id, score: 0.95 },
            { chunkId: a2!.id, score: 0.5 },
            { chunkId: 'bad', score: 1 },
            { chunkId: a1!.id, score: 0.4 },
            { chunkId: c1!.id, score: 0.5 },
            { chunkId: MISSING_UUID, score: 0.3 },
          ],
          owner,
          2,
        );
        const byId = (list: { id: string }[]) => [...list].sort((p, q) => p.id.localeCompare(q.id));
        expect(byId(read.chunks)).toEqual(byId([a1!, a2!, b1!, c1!]));
        // b by its 0.9; a and c tie at 0.5, and a's chunk comes first.
        expect(read.blobs.get(b.id)).toEqual(b);
        expect(read.blobs.get(a.id)).toEqual(a);
        expect(read.blobs.has(theirs.id)).toBe(false);
        expect(await repos.chunks.findRanked([], owner, 10)).toEqual({ chunks: [], blobs: new Map() });
      });

      it('brings, with a hint, the blobs the signals are expected to put first', async () => {
        const user = await newUser(repos, 'chunks-ranked-hint');
        const said = (speaker: string, text: string): NewBlob => ({
          ...newDoc(user, [text]),
          content: { type: 'CHAT', messages: [{ role: 'user', content: text, name: speaker, createdAt: null }] },
          chunks: [
            { ordinal: 0, text, searchText: `${speaker}: ${text}`, locator: { kind: 'message', messageIndex: 0 } },
          ],
        });
        const best = await repos.blobs.insert(newDoc(user, ['the sunset was red']));
        const maria = await repos.blobs.insert(said('Maria Lopez', 'I painted a sunset'));
        const dated = await repos.blobs.insert(newDoc(user, ['we saw the sunset last Friday']));
        const inMay = await repos.blobs.insert(newDoc(user, ['a sunset'], new Date(Date.UTC(2023, 4, 20))));
        const chunkOf = async (blob: { id: string }) => (await repos.chunks.findByBlob(blob.id))[0]!.id;
        const ranked = [
          { chunkId: await chunkOf(best), score: 0.9 },
          { chunkId: await chunkOf(maria), score: 0.5 },
          { chunkId: await chunkOf(dated), score: 0.5 },
          { chunkId: await chunkOf(inMay), score: 0.5 },
        ];
        const owner = { projectId: user.projectId, userPk: user.pk };
        const none = { words: ['what', 'did', 'maria', 'paint'], speaker: 0, when: 0, period: null };
        const topBlob = async (hint: SignalHint | null) =>
          (await repos.chunks.findRanked(ranked, owner, 1, hint)).blobs;
        expect((await topBlob(null)).get(best.id)).toEqual(best);
        expect((await topBlob({ ...none, speaker: 1 })).get(maria.id)).toEqual(maria);
        expect((await topBlob({ ...none, when: 1 })).get(dated.id)).toEqual(dated);
        const may = { start: new Date(Date.UTC(2023, 4, 1)), end: new Date(Date.UTC(2023, 5, 1)), boost: 1 };
        expect((await topBlob({ ...none, period: may })).get(inMay.id)).toEqual(inMay);
      });

      it('scans every chunk once, in id order, in batches', async () => {
        const user = await newUser(repos, 'chunks-scan');
        const blob = await repos.blobs.insert(newDoc(user, ['s1', 's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9']));
        const seen: string[] = [];
        for await (const batch of repos.chunks.scanAll(4)) {
          expect(batch.length).toBeGreaterThan(0);
          expect(batch.length).toBeLessThanOrEqual(4);
          seen.push(...batch.map((c) => c.id));
        }
        expect([...seen].sort()).toEqual(seen);
        expect(new Set(seen).size).toBe(seen.length);
        for (const chunk of await repos.chunks.findByBlob(blob.id)) expect(seen).toContain(chunk.id);
      });
    });

    // ------------------------------------------------------------ lexical search

    describe('lexical search', () => {
      let user: UserRecord;
      const ids: Record<string, string> = {};

      beforeAll(async () => {
        user = await newUser(repos, 'search');
        const other = await newUser(repos, 'search-other');
        const texts: [string, string, Date, 'DOC' | 'SUMMARY'][] = [
          ['zoo', 'Caroline went to the zoo and saw a zebra.', at(0), 'DOC'],
          ['painting', 'Caroline loves painting sunsets over the lake.', at(10), 'DOC'],
          ['adoption', 'Caroline researched adoption agencies last week.', at(20), 'SUMMARY'],
          ['running', 'Melanie is running a marathon, running every day.', at(30), 'DOC'],
          ['dull', 'Caroline said hello. Caroline said goodbye.', at(40), 'DOC'],
        ];
        for (const [key, text, createdAt, type] of texts) {
          const content: BlobContent =
            type === 'SUMMARY' ? { type, summary: text } : { type: 'DOC', title: null, content: text };
          const blob = await repos.blobs.insert({ ...newDoc(user, [text], createdAt), content });
          ids[key] = (await repos.chunks.findByBlob(blob.id))[0]!.id;
        }
        await repos.blobs.insert(newDoc(other, ['Caroline adoption zebra painting'])); // never returned
      });

      const filter = () => ({ userPk: user.pk, types: null, since: null, until: null });

      it("matches chunks with any of the question's terms, rare terms first, best first", async () => {
        const results = await repos.chunks.searchLexical('What did Caroline research about adoption?', filter(), 10);
        expect(results[0]!.chunkId).toBe(ids.adoption);
        expect(new Set(results.map((r) => r.chunkId))).toEqual(
          new Set([ids.adoption, ids.zoo, ids.painting, ids.dull]),
        );
        for (let i = 1; i < results.length; i++)
          expect(results[i - 1]!.score).toBeGreaterThanOrEqual(results[i]!.score);
        expect(results.every((r) => r.score > 0)).toBe(true);
      });

      it('stems words and respects the limit', async () => {
        expect((await repos.chunks.searchLexical('runs', filter(), 10)).map((r) => r.chunkId)).toEqual([ids.running]);
        expect(await repos.chunks.searchLexical('caroline', filter(), 2)).toHaveLength(2);
        expect(await repos.chunks.searchLexical('caroline', filter(), 0)).toEqual([]);
      });

      it('filters by blob type and time, inclusive', async () => {
        const bySummary = await repos.chunks.searchLexical('Caroline', { ...filter(), types: ['SUMMARY'] }, 10);
        expect(bySummary.map((r) => r.chunkId)).toEqual([ids.adoption]);
        const inWindow = await repos.chunks.searchLexical(
          'Caroline',
          { ...filter(), since: at(10), until: at(20) },
          10,
        );
        expect(new Set(inWindow.map((r) => r.chunkId))).toEqual(new Set([ids.painting, ids.adoption]));
      });

      it('treats query syntax as plain text and finds nothing in stop words, blanks or unknown users', async () => {
        const nasty = "zebra') | !(:* & <-> \\ '' ; DROP TABLE \"Chunk\"; --";
        expect((await repos.chunks.searchLexical(nasty, filter(), 10)).map((r) => r.chunkId)).toEqual([ids.zoo]);
        expect(await repos.chunks.searchLexical('the and of', filter(), 10)).toEqual([]);
        expect(await repos.chunks.searchLexical('   ', filter(), 10)).toEqual([]);
        expect(await repos.chunks.searchLexical('zebra', { ...filter(), userPk: MISSING_UUID }, 10)).toEqual([]);
        expect(await repos.chunks.searchLexical('zebra', { ...filter(), userPk: 'not-a-uuid' }, 10)).toEqual([]);
      });
    });

    // ------------------------------------------------------------ outbox and index state

    describe('index jobs', () => {
      it('returns due jobs oldest first, hides a job retried later, counts its attempts and completes', async () => {
        await drainJobs(repos);
        const user = await newUser(repos, 'jobs');
        const a = await repos.blobs.insert(newDoc(user, ['a']));
        const b = await repos.blobs.insert(newDoc(user, ['b']));
        const [first, second] = await repos.indexJobs.due(10);
        expect([first!.blobId, second!.blobId]).toEqual([a.id, b.id]);
        expect(first!.id < second!.id).toBe(true);
        expect(await repos.indexJobs.due(1)).toHaveLength(1);

        await repos.indexJobs.retryLater(first!.id, 'chroma down', new Date(Date.now() + 60_000));
        expect((await repos.indexJobs.due(10)).map((j) => j.blobId)).toEqual([b.id]);
        expect(await repos.indexJobs.pendingCount()).toBe(2);

        await repos.indexJobs.retryLater(first!.id, 'x'.repeat(5_000), new Date(Date.now() - 1_000));
        expect((await repos.indexJobs.due(10)).find((j) => j.id === first!.id)?.attempts).toBe(2);

        await repos.indexJobs.complete([first!.id, second!.id]);
        expect(await repos.indexJobs.pendingCount()).toBe(0);
        await repos.indexJobs.complete([]);
        await repos.indexJobs.retryLater(first!.id, 'completed meanwhile', new Date()); // no-op
        expect(await repos.indexJobs.pendingCount()).toBe(0);
      });
    });

    describe('index state', () => {
      it('is null until set, then holds the last value', async () => {
        expect(await repos.indexState.get()).toBeNull();
        await repos.indexState.set({ model: 'use-lite', dimension: 512, collection: 'memql' });
        expect(await repos.indexState.get()).toEqual({ model: 'use-lite', dimension: 512, collection: 'memql' });
        await repos.indexState.set({ model: 'hashing', dimension: 256, collection: 'memql2' });
        expect(await repos.indexState.get()).toEqual({ model: 'hashing', dimension: 256, collection: 'memql2' });
      });
    });

    // ------------------------------------------------------------ memories, history, events

    describe('memories and events', () => {
      it('stores extracted memories with their history, sources and event', async () => {
        const user = await newUser(repos, 'memories');
        const { event, blobIds } = await commitBatch(repos, user, [
          add('User lives in Porto.'),
          add('User has a cat.', 'family', 'pets'),
        ]);
        expect(event).toEqual({
          id: expect.any(String),
          projectId: user.projectId,
          userPk: user.pk,
          kind: 'EXTRACTION',
          summary: 'batch',
          tags: ['t'],
          blobIds,
          usage: null,
          createdAt: expect.any(Date),
        });
        const profile = await repos.memories.listProfile(user.pk, null, new Date());
        expect(profile.map((m) => [m.topic, m.subTopic, m.text])).toEqual([
          ['basic_info', 'location', 'User lives in Porto.'],
          ['family', 'pets', 'User has a cat.'],
        ]);
        const [porto] = profile;
        expect(porto).toEqual({
          id: expect.any(String),
          projectId: user.projectId,
          userPk: user.pk,
          ...extracted('User lives in Porto.'),
          metadata: null,
          createdAt: expect.any(Date),
          updatedAt: expect.any(Date),
          deletedAt: null,
        });
        expect(await repos.memories.findById(user.projectId, porto!.id)).toEqual(porto);
        expect(await repos.memories.findById((await newUser(repos, 'memories-other')).projectId, porto!.id)).toBeNull();
        expect(await repos.memories.findByIds([porto!.id, MISSING_UUID])).toEqual([porto, null]);
        expect((await repos.memories.sourceBlobIds([porto!.id, MISSING_UUID])).map((ids) => ids.sort())).toEqual([
          [...blobIds].sort(),
          [],
        ]);
        const [history] = await repos.memories.history([porto!.id]);
        expect(history).toEqual([
          {
            id: expect.any(String),
            projectId: user.projectId,
            userPk: user.pk,
            memoryId: porto!.id,
            kind: 'ADD',
            actor: 'EXTRACTOR',
            before: null,
            after: extracted('User lives in Porto.'),
            sourceBlobIds: blobIds,
            eventId: event.id,
            createdAt: expect.any(Date),
          },
        ]);
        const [ofEvent, none] = await repos.memories.changesOfEvents([event.id, MISSING_UUID]);
        // In the order the batch wrote them.
        expect(ofEvent!.map((c) => c.after?.text)).toEqual(['User lives in Porto.', 'User has a cat.']);
        expect(none).toEqual([]);
        expect(await repos.events.findById(user.projectId, event.id)).toEqual(event);
        expect(await repos.events.findById((await newUser(repos, 'events-other')).projectId, event.id)).toBeNull();
        const live = await repos.memories.listLiveWithEmbeddings(user.pk, { agentId: null, runId: null }, new Date());
        expect(live.map((m) => [m.text, m.embedding]).sort()).toEqual([
          ['User has a cat.', [1, 0, 0]],
          ['User lives in Porto.', [1, 0, 0]],
        ]);
      });

      it('applies extracted UPDATE and DELETE, keeps deleted memories readable, and skips gone ones', async () => {
        const user = await newUser(repos, 'memories-change');
        await commitBatch(repos, user, [add('User lives in Porto.'), add('User plays chess.', 'interests', 'hobbies')]);
        const [porto, chess] = await repos.memories.listProfile(user.pk, null, new Date());
        const { event, blobIds } = await commitBatch(
          repos,
          user,
          [
            { kind: 'UPDATE', memoryId: porto!.id, fact: fact('User lives in Lyon.'), embedding: [0, 1, 0] },
            { kind: 'DELETE', memoryId: chess!.id },
            { kind: 'DELETE', memoryId: MISSING_UUID },
          ],
          'second',
        );
        const [changes] = await repos.memories.changesOfEvents([event.id]);
        expect(changes!.map((c) => [c.kind, c.memoryId, c.before?.text ?? null, c.after?.text ?? null])).toEqual([
          ['UPDATE', porto!.id, 'User lives in Porto.', 'User lives in Lyon.'],
          ['DELETE', chess!.id, 'User plays chess.', null],
        ]);
        const live = await repos.memories.listLiveWithEmbeddings(user.pk, { agentId: null, runId: null }, new Date());
        expect(live.map((m) => [m.id, m.text, m.embedding])).toEqual([[porto!.id, 'User lives in Lyon.', [0, 1, 0]]]);
        const deleted = await repos.memories.findById(user.projectId, chess!.id);
        expect(deleted!.deletedAt).toBeInstanceOf(Date);
        expect((await repos.memories.sourceBlobIds([porto!.id]))[0]).toEqual(expect.arrayContaining(blobIds));
        expect((await repos.memories.history([porto!.id]))[0]!.map((c) => c.kind)).toEqual(['ADD', 'UPDATE']);

        // A memory deleted meanwhile stays deleted: a later UPDATE of it writes nothing.
        const late = await commitBatch(
          repos,
          user,
          [{ kind: 'UPDATE', memoryId: chess!.id, fact: fact('User plays go.'), embedding: [0, 0, 1] }],
          'late',
        );
        expect(await repos.memories.changesOfEvents([late.event.id])).toEqual([[]]);
        expect((await repos.memories.findById(user.projectId, chess!.id))!.deletedAt).toBeInstanceOf(Date);
      });

      it('records API edits in history and refuses to edit a deleted memory', async () => {
        const user = await newUser(repos, 'memories-manual');
        await commitBatch(repos, user, [add('User lives in Porto.')]);
        const [memory] = await repos.memories.listProfile(user.pk, null, new Date());
        const after = {
          ...extracted('User lives in Braga.'),
          categories: ['moved'],
          tags: ['moved', 'api'],
          importance: 0.5,
          agentId: 'agent-1',
          expiresAt: at(60 * 24 * 365 * 20),
        };
        const [update] = await repos.memories.applyEdits([
          { kind: 'UPDATE', memory: memory!, after, metadata: { checked: true }, embedding: [0, 0, 1] },
        ]);
        expect(update).toEqual({
          id: expect.any(String),
          projectId: user.projectId,
          userPk: user.pk,
          memoryId: memory!.id,
          kind: 'UPDATE',
          actor: 'API',
          before: extracted('User lives in Porto.'),
          after,
          sourceBlobIds: [],
          eventId: null,
          createdAt: expect.any(Date),
        });
        const updated = await repos.memories.findById(user.projectId, memory!.id);
        expect(updated).toMatchObject({ ...after, metadata: { checked: true }, deletedAt: null });
        const scoped = await repos.memories.listLiveWithEmbeddings(
          user.pk,
          { agentId: 'agent-1', runId: null },
          new Date(),
        );
        expect(scoped[0]!.embedding).toEqual([0, 0, 1]);
        expect(
          await repos.memories.listLiveWithEmbeddings(user.pk, { agentId: null, runId: null }, new Date()),
        ).toEqual([]);
        // A text left as it is keeps its embedding (null), and metadata set to null is cleared.
        await repos.memories.applyEdits([
          { kind: 'UPDATE', memory: updated!, after: { ...after, title: 'Home' }, metadata: null, embedding: null },
        ]);
        const titled = await repos.memories.findById(user.projectId, memory!.id);
        expect(titled).toMatchObject({ title: 'Home', metadata: null });
        expect(
          (await repos.memories.listLiveWithEmbeddings(user.pk, { agentId: 'agent-1', runId: null }, new Date()))[0]!
            .embedding,
        ).toEqual([0, 0, 1]);

        const [deletion] = await repos.memories.applyEdits([{ kind: 'DELETE', memory: titled! }]);
        expect(deletion).toMatchObject({
          kind: 'DELETE',
          actor: 'API',
          before: { ...after, title: 'Home' },
          after: null,
          eventId: null,
        });
        expect(await repos.memories.listProfile(user.pk, null, new Date())).toEqual([]);
        expect((await repos.memories.history([memory!.id]))[0]!.map((c) => [c.kind, c.actor])).toEqual([
          ['ADD', 'EXTRACTOR'],
          ['UPDATE', 'API'],
          ['UPDATE', 'API'],
          ['DELETE', 'API'],
        ]);
        await expect(repos.memories.applyEdits([{ kind: 'DELETE', memory: updated! }])).rejects.toEqual(
          new MemoryEditConflict(0),
        );
      });

      it('lists live memories by (createdAt, id) and the profile by topic, sub-topic and age', async () => {
        const user = await newUser(repos, 'memories-list');
        await commitBatch(repos, user, [add('b1', 'topic_b', 'sub_a'), add('a2', 'topic_a', 'sub_b')], 'one');
        await commitBatch(repos, user, [add('a1', 'topic_a', 'sub_a'), add('gone', 'topic_c', 'sub_a')], 'two');
        const gone = (await repos.memories.listProfile(user.pk, ['topic_c'], new Date()))[0]!;
        await repos.memories.applyEdits([{ kind: 'DELETE', memory: gone }]);

        expect((await repos.memories.listProfile(user.pk, null, new Date())).map((m) => m.text)).toEqual([
          'a1',
          'a2',
          'b1',
        ]);
        expect((await repos.memories.listProfile(user.pk, ['topic_b', 'nope'], new Date())).map((m) => m.text)).toEqual(
          ['b1'],
        );
        const live = await repos.memories.listLiveWithEmbeddings(user.pk, { agentId: null, runId: null }, new Date());
        const byKeyset = [...live].sort(
          (x, y) => x.createdAt.getTime() - y.createdAt.getTime() || (x.id < y.id ? -1 : 1),
        );
        expect(live.map((m) => m.id)).toEqual(byKeyset.map((m) => m.id));
        expect(live.map((m) => m.text).sort()).toEqual(['a1', 'a2', 'b1']);
        const seen: string[] = [];
        const totals: number[] = [];
        let after: MemoryKeyset | null = null;
        for (let round = 0; round < 10; round++) {
          const page: Page<MemoryRecord> = await repos.memories.list(
            user.pk,
            LIVE_MEMORIES,
            { first: 2, after, order: DEFAULT_MEMORY_ORDER },
            new Date(),
          );
          totals.push(page.totalCount);
          seen.push(...page.items.map((m) => m.id));
          if (!page.hasNextPage) break;
          const last = page.items.at(-1)!;
          after = { value: last.createdAt, id: last.id };
        }
        expect(seen).toEqual(byKeyset.map((m) => m.id));
        expect(totals).toEqual([3, 3]);
      });

      memoryContract(() => repos);

      it("pages a user's events oldest first", async () => {
        const user = await newUser(repos, 'events-list');
        const events: MemoryEventRecord[] = [];
        for (const summary of ['one', 'two', 'three']) events.push((await commitBatch(repos, user, [], summary)).event);
        const { seen, totals } = await pageThrough(
          (page) => repos.events.listByUser(user.pk, page),
          (e) => e.id,
          2,
        );
        const byKeyset = [...events].sort(
          (x, y) => x.createdAt.getTime() - y.createdAt.getTime() || (x.id < y.id ? -1 : 1),
        );
        expect(seen).toEqual(byKeyset);
        expect(totals).toEqual([3, 3]);
        const newest = [...byKeyset].reverse().map((e) => e.id);
        expect((await repos.events.listRecent(user.pk, 2)).map((e) => e.id)).toEqual(newest.slice(0, 2));
        expect((await repos.events.listRecent(user.pk, 10)).map((e) => e.id)).toEqual(newest);
      });
    });

    // ------------------------------------------------------------ profile configuration

    describe('usage', () => {
      it('counts blobs, their tokens and the LLM usage of committed batches by user and UTC day', async () => {
        const ana = await newUser(repos, 'usage', 'ana');
        const ben = await repos.users.create(ana.projectId, { externalId: 'ben', data: {} });
        const today = new Date().toISOString().slice(0, 10);
        await repos.blobs.insert(newDoc(ana, ['twelve chars', 'and some more']));
        await repos.blobs.insert(newDoc(ben, ['x'.repeat(40)]));
        // commitBatch inserts a chat blob first; a batch without LLM calls (the rule-based extractor) adds none.
        await commitBatch(repos, ana, [add('Lives in Porto')], 'batch', {
          calls: 2,
          promptTokens: 300,
          completionTokens: 40,
        });
        await commitBatch(repos, ben, [], 'rules', { calls: 0, promptTokens: 0, completionTokens: 0 });

        const chat = (summary: string) => Math.ceil(`${summary}: something the user said`.length / 4);
        const anaDay = {
          day: today,
          blobs: 2,
          tokensStored: Math.ceil('twelve chars and some more'.length / 4) + chat('batch'),
          llmCalls: 2,
          llmPromptTokens: 300,
          llmCompletionTokens: 40,
          blobsForgotten: 0,
          tokensForgotten: 0,
        };
        expect(await repos.usage.daily({ projectId: ana.projectId, userPk: ana.pk }, today, today)).toEqual([anaDay]);
        expect(await repos.usage.daily({ projectId: ana.projectId }, today, today)).toEqual([
          { ...anaDay, blobs: 4, tokensStored: anaDay.tokensStored + 10 + chat('rules') },
        ]);
        // Outside the range, or another project: nothing.
        expect(await repos.usage.daily({ projectId: ana.projectId }, '2000-01-01', '2000-12-31')).toEqual([]);
        const other = await newUser(repos, 'usage-other', 'ana');
        expect(await repos.usage.daily({ projectId: other.projectId }, today, today)).toEqual([]);
      });
    });

    describe('blob retention', () => {
      it('forgets the oldest blobs past the cap, never those waiting for extraction, and counts them', async () => {
        const ana = await newUser(repos, 'retention', 'ana');
        const ben = await repos.users.create(ana.projectId, { externalId: 'ben', data: {} });
        const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
        // 10 tokens each (40 characters), oldest first; the second waits in the extraction buffer.
        const first = await repos.blobs.insert(newDoc(ana, ['a'.repeat(40)], at(1)));
        const pending = await repos.blobs.insert(newChat(ana, 'b'.repeat(40), 10, at(2)));
        const third = await repos.blobs.insert(newDoc(ana, ['c'.repeat(40)], at(3)));
        const fourth = await repos.blobs.insert(newDoc(ana, ['d'.repeat(40)], at(4)));
        const benBlob = await repos.blobs.insert(newDoc(ben, ['e'.repeat(400)], at(1)));

        const nobody = await repos.users.create(ana.projectId, { externalId: 'nobody', data: {} });
        expect(await repos.blobRetention.storedTokens([ana.pk, ben.pk, nobody.pk])).toEqual(
          new Map([
            [ana.pk, 40],
            [ben.pk, 100],
            [nobody.pk, 0],
          ]),
        );
        expect(await repos.blobRetention.forgetOldest({ projectId: ana.projectId, userPk: ana.pk }, 40)).toBeNull();
        // 40 tokens, cap 15: only the newest fits; the pending chat stays.
        const forgotten = await repos.blobRetention.forgetOldest({ projectId: ana.projectId, userPk: ana.pk }, 15);
        expect(forgotten).toMatchObject({ blobIds: [first.id, third.id], tokens: 20 });
        expect(forgotten!.event).toMatchObject({
          kind: 'BLOBS_FORGOTTEN',
          blobIds: [first.id, third.id],
          userPk: ana.pk,
        });
        expect(
          (await repos.blobs.findByIds([first.id, pending.id, third.id, fourth.id, benBlob.id])).map(
            (b) => b?.id ?? null,
          ),
        ).toEqual([null, pending.id, null, fourth.id, benBlob.id]);
        expect(await repos.chunks.findByBlobs([first.id, third.id])).toEqual([]);
        // Asked again: nothing more can go (the rest is the pending chat and the newest doc).
        expect(await repos.blobRetention.forgetOldest({ projectId: ana.projectId, userPk: ana.pk }, 15)).toBeNull();
        expect(await repos.events.findById(ana.projectId, forgotten!.event.id)).toMatchObject({
          kind: 'BLOBS_FORGOTTEN',
        });
        const today = new Date().toISOString().slice(0, 10);
        expect(await repos.usage.daily({ projectId: ana.projectId, userPk: ana.pk }, today, today)).toMatchObject([
          { blobsForgotten: 2, tokensForgotten: 20 },
        ]);
      });
    });

    describe('memory exports', () => {
      it('stores a job in its project, claims it once, and lists it while unfinished or its lease has passed', async () => {
        const user = await newUser(repos, 'exports');
        const schema = { type: 'object', properties: { name: { type: 'string' } } };
        const job = await repos.memoryExports.create({
          projectId: user.projectId,
          userPk: user.pk,
          schema,
          instructions: 'Be brief.',
          filter: { topic: { eq: 'health' } },
        });
        expect(job).toMatchObject({ status: 'PENDING', schema, filter: { topic: { eq: 'health' } }, attempts: 0 });
        expect(job.errors).toEqual([]);
        expect(await repos.memoryExports.findById(user.projectId, job.id)).toEqual(job);
        const other = await repos.projects.create(uniqueName('exports-other'));
        expect(await repos.memoryExports.findById(other.id, job.id)).toBeNull();

        const now = new Date();
        expect(await repos.memoryExports.unfinished(now, 1000)).toContain(job.id);
        expect((await repos.memoryExports.claim(job.id, 60_000, now))?.status).toBe('RUNNING');
        expect(await repos.memoryExports.claim(job.id, 60_000, now)).toBeNull();
        expect(await repos.memoryExports.unfinished(now, 1000)).not.toContain(job.id);
        const later = new Date(now.getTime() + 120_000);
        expect(await repos.memoryExports.unfinished(later, 1000)).toContain(job.id);
        expect((await repos.memoryExports.claim(job.id, 60_000, later))?.status).toBe('RUNNING');

        const done = await repos.memoryExports.finish(job.id, {
          status: 'FINISHED',
          result: { name: 'Ann' },
          errors: [],
          usage: { promptTokens: 3, completionTokens: 2, calls: 1 },
          attempts: 2,
          finishedAt: later,
        });
        expect(done).toMatchObject({ status: 'FINISHED', result: { name: 'Ann' }, attempts: 2, finishedAt: later });
        expect(await repos.memoryExports.findById(user.projectId, job.id)).toEqual(done);
        expect(await repos.memoryExports.unfinished(new Date(later.getTime() + 10 * 60_000), 1000)).not.toContain(
          job.id,
        );
        expect(await repos.memoryExports.claim(job.id, 60_000, new Date(later.getTime() + 10 * 60_000))).toBeNull();

        await repos.users.delete(user);
        expect(await repos.memoryExports.findById(user.projectId, job.id)).toBeNull();
      });
    });

    describe('profile configuration', () => {
      it("is null until a project saves one, then the project's own", async () => {
        const a = await repos.projects.create(uniqueName('profile-a'));
        const b = await repos.projects.create(uniqueName('profile-b'));
        const config: ProfileConfig = {
          strict: true,
          blobTokenCap: 3_000_000,
          topics: [
            { name: 'diet', description: 'Food', subTopics: [{ name: 'rules', description: '', singleValued: false }] },
          ],
        };
        expect(await repos.profileConfigs.get(a.id)).toBeNull();
        await repos.profileConfigs.set(a.id, config);
        expect(await repos.profileConfigs.get(a.id)).toEqual(config);
        expect(await repos.profileConfigs.get(b.id)).toBeNull();
        await repos.profileConfigs.set(a.id, { ...config, strict: false });
        expect(await repos.profileConfigs.get(a.id)).toEqual({ ...config, strict: false });
      });
    });
  });
}
