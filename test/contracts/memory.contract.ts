// The memory repository's writes, filters and search (issue 8), part of the
// repositories contract: run against the Prisma adapter (PGlite or
// PostgreSQL) and the in-memory fake. The filter tests compare each
// implementation with the domain's own evaluation of the filter tree
// (memory-filter.ts) on random data, so SQL, fake and evaluator agree.

import { describe, expect, it } from 'vitest';
import { MemoryEditConflict } from '../../src/domain/errors.js';
import { BLANK_MEMORY_CONTENT } from '../fakes/memory-record.js';
import {
  LIVE_MEMORIES,
  type MemoryFilterInput,
  parseMemoryFilter,
  selects,
} from '../../src/domain/memory/memory-filter.js';
import { compareMemories, type MemoryOrder } from '../../src/domain/memory/memory-page.js';
import type { MemoryScope, NewMemory } from '../../src/domain/ports.js';
import type { MemoryContent, MemoryRecord, UserRecord } from '../../src/domain/types.js';
import {
  at,
  commitBatch,
  type ContractRepositories,
  drainJobs,
  MISSING_UUID,
  newChat,
  newDoc,
  newUser,
} from './repositories.contract.js';

/** mulberry32: the same random data and filters on every run and implementation. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const CONTENT = BLANK_MEMORY_CONTENT;

export function newMemory(user: UserRecord, fields: Partial<MemoryContent> & { text: string }): NewMemory {
  return { ...CONTENT, ...fields, projectId: user.projectId, userPk: user.pk, metadata: null, embedding: [1, 0, 0] };
}

const WORDS = ['alpha', 'Beta', 'gamma', 'DELTA', 'épée', 'Ünïcode', 'x', 'a b', "it's"];
const LABELS = ['red', 'green', 'blue', 'Red', 'ünï'];
const SCOPE_IDS = ['a1', 'a2', 'A1'];
const SOURCE_IDS = ['CHAT', 'crm', 'SUMMARY'];
const TOPICS = ['t1', 't2', 'T1'];

export function memoryContract(repositories: () => ContractRepositories): void {
  describe('memories written, selected and searched through the API', () => {
    it('creates a memory with its ADD by the API and a SYNC_MEMORY job', async () => {
      const repos = repositories();
      await drainJobs(repos);
      const user = await newUser(repos, 'create');
      const fields = {
        text: 'Prefers window seats',
        title: 'Seats',
        tags: ['travel'],
        importance: 0.75,
        agentId: 'travel',
        runId: 'trip',
        expiresAt: at(60 * 24 * 365 * 30),
        immutable: true,
      };
      const { memory, change } = await repos.memories.create({ ...newMemory(user, fields), metadata: { a: [1] } });
      expect(memory).toEqual({
        ...CONTENT,
        ...fields,
        id: expect.any(String),
        projectId: user.projectId,
        userPk: user.pk,
        metadata: { a: [1] },
        createdAt: expect.any(Date),
        updatedAt: expect.any(Date),
        deletedAt: null,
      });
      expect(await repos.memories.findById(user.projectId, memory.id)).toEqual(memory);
      expect(change).toMatchObject({ kind: 'ADD', actor: 'API', before: null, after: { ...CONTENT, ...fields } });
      expect((await repos.memories.history([memory.id]))[0]).toEqual([change]);
      expect(await repos.indexJobs.due(10)).toEqual([
        expect.objectContaining({ kind: 'SYNC_MEMORY', memoryId: memory.id, userPk: user.pk, blobId: null }),
      ]);
      const [withEmbedding] = await repos.memories.findWithEmbeddings([memory.id, MISSING_UUID]);
      expect(withEmbedding).toEqual({ ...memory, embedding: [1, 0, 0] });
      await repos.memories.setEmbeddings([{ id: memory.id, embedding: [0, 1] }]);
      expect((await repos.memories.findWithEmbeddings([memory.id]))[0]!.embedding).toEqual([0, 1]);
      await drainJobs(repos);
    });

    it('applies a batch of edits all or nothing, with history and index jobs', async () => {
      const repos = repositories();
      await drainJobs(repos);
      const user = await newUser(repos, 'edits');
      const [a, b, c, gone] = await Promise.all(
        ['a', 'b', 'c', 'gone'].map(async (text) => (await repos.memories.create(newMemory(user, { text }))).memory),
      );
      await repos.memories.applyEdits([{ kind: 'DELETE', memory: gone! }]);
      await drainJobs(repos);
      const edits = [
        { kind: 'UPDATE' as const, memory: a!, after: { ...a!, text: 'a2' }, metadata: null, embedding: [0, 1, 0] },
        { kind: 'DELETE' as const, memory: gone! },
        { kind: 'UPDATE' as const, memory: b!, after: { ...b!, text: 'b2' }, metadata: null, embedding: null },
      ];
      await expect(repos.memories.applyEdits(edits)).rejects.toEqual(new MemoryEditConflict(1));
      expect((await repos.memories.findByIds([a!.id, b!.id])).map((m) => m!.text)).toEqual(['a', 'b']);
      expect(await repos.indexJobs.due(10)).toEqual([]);
      // One change per memory (the use cases refuse a memory named twice in a batch).
      const changes = await repos.memories.applyEdits([edits[0]!, edits[2]!, { kind: 'DELETE', memory: c! }]);
      expect(changes.map((change) => [change.kind, change.before?.text, change.after?.text ?? null])).toEqual([
        ['UPDATE', 'a', 'a2'],
        ['UPDATE', 'b', 'b2'],
        ['DELETE', 'c', null],
      ]);
      expect((await repos.memories.history([a!.id, c!.id])).map((h) => h.map((change) => change.kind))).toEqual([
        ['ADD', 'UPDATE'],
        ['ADD', 'DELETE'],
      ]);
      expect((await repos.memories.findWithEmbeddings([a!.id, b!.id])).map((m) => [m.text, m.embedding])).toEqual([
        ['a2', [0, 1, 0]],
        ['b2', [1, 0, 0]],
      ]);
      expect((await repos.indexJobs.due(10)).map((job) => job.kind)).toEqual([
        'SYNC_MEMORY',
        'SYNC_MEMORY',
        'SYNC_MEMORY',
      ]);
      await drainJobs(repos);
    });

    it('deletes by selection, resets a user and expires memories, recording each deletion', async () => {
      const repos = repositories();
      await drainJobs(repos);
      const user = await newUser(repos, 'bulk');
      const now = new Date();
      const make = (text: string, fields: Partial<MemoryContent> = {}) =>
        repos.memories.create(newMemory(user, { text, ...fields })).then((created) => created.memory);
      const red = await make('red one', { tags: ['red'] });
      const red2 = await make('red two', { tags: ['red', 'blue'] });
      const blue = await make('blue one', { tags: ['blue'] });
      await drainJobs(repos);

      const changes = await repos.memories.deleteWhere(user.pk, parseMemoryFilter({ tags: { contains: 'red' } }), now);
      expect(changes.map((c) => c.memoryId)).toEqual([red.id, red2.id].sort());
      expect(changes.every((c) => c.kind === 'DELETE' && c.actor === 'API' && c.after === null)).toBe(true);
      expect((await repos.indexJobs.due(10)).map((j) => j.kind)).toEqual(['SYNC_MEMORY', 'SYNC_MEMORY']);
      await drainJobs(repos);
      expect(await repos.memories.countLive([user.pk], now)).toEqual([1]);

      // Expiry: only what has expired by `now`, oldest expiry first, at most `limit`.
      const soon = await make('soon', { expiresAt: new Date(now.getTime() + 1_000) });
      const sooner = await make('sooner', { expiresAt: new Date(now.getTime() + 500) });
      await make('later', { expiresAt: new Date(now.getTime() + 60_000) });
      await drainJobs(repos);
      const inTwo = new Date(now.getTime() + 2_000);
      const first = await repos.memories.expire(inTwo, 1);
      expect(first.map((c) => [c.memoryId, c.kind, c.actor])).toEqual([[sooner.id, 'DELETE', 'EXPIRY']]);
      expect((await repos.memories.expire(inTwo, 10)).map((c) => c.memoryId)).toEqual([soon.id]);
      expect(await repos.memories.expire(inTwo, 10)).toEqual([]);
      expect((await repos.indexJobs.due(10)).map((j) => j.kind)).toEqual(['SYNC_MEMORY', 'SYNC_MEMORY']);
      await drainJobs(repos);

      // Reset: every live memory (recorded), events, buffer; blobs kept or deleted.
      const { event } = await commitBatch(repos, user, [
        { kind: 'ADD', fact: { text: 'extracted', topic: 't', subTopic: 's', categories: [] }, embedding: [1, 0, 0] },
      ]);
      const pending = await repos.blobs.insert(newChat(user, 'waiting in the buffer'));
      await drainJobs(repos);
      const reset = await repos.memories.reset(user, true);
      expect(reset.eventsDeleted).toBe(1);
      expect(reset.blobsDeleted).toBe(0);
      expect(reset.changes.map((c) => c.kind)).toEqual(['DELETE', 'DELETE', 'DELETE']);
      expect(await repos.memories.countLive([user.pk], now)).toEqual([0]);
      expect(await repos.events.findById(user.projectId, event.id)).toBeNull();
      expect((await repos.processing.status([user.pk]))[0]).toMatchObject({ pendingBlobs: 0, state: 'IDLE' });
      expect(await repos.blobs.findById(user.projectId, pending.id)).not.toBeNull();
      expect((await repos.indexJobs.due(10)).map((j) => j.kind)).toEqual(['DELETE_USER_MEMORIES']);
      await drainJobs(repos);
      expect(await repos.memories.history([blue.id])).toEqual([
        [expect.objectContaining({ kind: 'ADD' }), expect.objectContaining({ kind: 'DELETE', actor: 'API' })],
      ]);

      await make('after the reset');
      await drainJobs(repos);
      const wiped = await repos.memories.reset(user, false);
      expect(wiped).toMatchObject({ eventsDeleted: 0, blobsDeleted: 2 });
      expect(wiped.changes).toHaveLength(1);
      expect(await repos.blobs.countByUsers([user.pk])).toEqual([0]);
      expect((await repos.indexJobs.due(10)).map((j) => j.kind)).toEqual(['DELETE_USER_BLOBS', 'DELETE_USER_MEMORIES']);
      await drainJobs(repos);
    });

    it('counts live memories, blobs and the scopes in use per user', async () => {
      const repos = repositories();
      const now = new Date();
      const user = await newUser(repos, 'scopes');
      const other = await newUser(repos, 'scopes-other');
      await repos.memories.create(newMemory(user, { text: 'm1', agentId: 'b-agent', runId: 'r1' }));
      await repos.memories.create(newMemory(user, { text: 'm2', agentId: 'a-agent', runId: 'r1' }));
      const gone = (await repos.memories.create(newMemory(user, { text: 'm3', agentId: 'c-agent' }))).memory;
      await repos.memories.applyEdits([{ kind: 'DELETE', memory: gone }]);
      await repos.memories.create(newMemory(user, { text: 'm4', expiresAt: new Date(now.getTime() + 60_000) }));
      await repos.blobs.insert(newDoc(user, ['doc'], at(1), { agentId: 'a-agent', runId: 'r2' }));
      await repos.blobs.insert(newDoc(user, ['doc'], at(2)));
      expect(await repos.memories.countLive([other.pk, user.pk, MISSING_UUID], now)).toEqual([0, 3, 0]);
      expect(await repos.memories.countLive([user.pk], new Date(now.getTime() + 120_000))).toEqual([2]);
      expect(await repos.blobs.countByUsers([user.pk, other.pk])).toEqual([2, 0]);
      expect(await repos.memories.scopeUsage([user.pk, other.pk], 'agentId', now)).toEqual([
        [
          { id: 'a-agent', memoryCount: 1, blobCount: 1 },
          { id: 'b-agent', memoryCount: 1, blobCount: 0 },
        ],
        [],
      ]);
      expect((await repos.memories.scopeUsage([user.pk], 'runId', now))[0]).toEqual([
        { id: 'r1', memoryCount: 2, blobCount: 0 },
        { id: 'r2', memoryCount: 0, blobCount: 1 },
      ]);
      await drainJobs(repos);
    });

    it('searches memories by words (BM25), within the selection and the scope', async () => {
      const repos = repositories();
      const now = new Date();
      const ann = await newUser(repos, 'lexical');
      const bob = await repos.users.create(ann.projectId, { externalId: 'bob', data: {} });
      const stranger = await newUser(repos, 'lexical-other');
      const one = (await repos.memories.create(newMemory(ann, { text: 'Collects rare zymurgy books', tags: ['a'] })))
        .memory;
      const two = (await repos.memories.create(newMemory(ann, { text: 'Reads books on trains', tags: ['b'] }))).memory;
      const titled = (
        await repos.memories.create(newMemory(bob, { text: 'A hobby', title: 'Zymurgy at home', summary: 'beer' }))
      ).memory;
      await repos.memories.create(newMemory(stranger, { text: 'Zymurgy expert' }));
      const annOnly = { projectId: ann.projectId, userPks: [ann.pk] };
      const ids = async (query: string, scope: MemoryScope = annOnly, filter: MemoryFilterInput | null = null) =>
        (await repos.memories.searchLexical(query, scope, parseMemoryFilter(filter), 10, now)).map((h) => h.memoryId);
      expect(await ids('zymurgy')).toEqual([one.id]);
      expect(await ids('books')).toEqual(expect.arrayContaining([one.id, two.id]));
      expect((await ids('zymurgy books'))[0]).toBe(one.id);
      expect(await ids('books', annOnly, { tags: { contains: 'b' } })).toEqual([two.id]);
      expect(await ids('the of and')).toEqual([]);
      expect((await ids('zymurgy', { projectId: ann.projectId, userPks: null })).sort()).toEqual(
        [one.id, titled.id].sort(),
      );
      expect(await ids('beer', { projectId: ann.projectId, userPks: [bob.pk] })).toEqual([titled.id]);
      await repos.memories.applyEdits([{ kind: 'DELETE', memory: one }]);
      expect(await ids('zymurgy')).toEqual([]);
      expect(await ids('zymurgy', annOnly, { includeDeleted: true })).toEqual([one.id]);
      await drainJobs(repos);
    });

    it('selects what the filter tree selects, in the order asked, for 300 random filters', async () => {
      const repos = repositories();
      const random = rng(42);
      const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
      const some = <T>(items: readonly T[], max = 3): T[] => [
        ...new Set(Array.from({ length: 1 + Math.floor(random() * max) }, () => pick(items))),
      ];
      const now = new Date();
      const user = await newUser(repos, 'filters');
      const created: MemoryRecord[] = [];
      for (let i = 0; i < 50; i++) {
        const metadata: Record<string, unknown> = {};
        if (random() < 0.7) metadata.lang = pick(['en', 'EN-us', 'de', 'Ünï', 7, true]);
        if (random() < 0.6) metadata.score = pick([1, 2.5, 5, 10, -3, '5', '10', 'abc', null]);
        if (random() < 0.5) metadata.list = some([1, 2, 'b', 'B', true, 'ünï'], 4);
        if (random() < 0.4) metadata.nested = { level: pick(['high', 'low', 3]), deep: { x: pick([1, 'y']) } };
        const { memory } = await repos.memories.create({
          ...newMemory(user, {
            text: `${pick(WORDS)} ${pick(WORDS)} ${i}`,
            topic: pick(TOPICS),
            subTopic: pick(TOPICS),
            categories: some(LABELS),
            tags: random() < 0.2 ? [] : some(LABELS),
            importance: random() < 0.25 ? null : Math.round(random() * 10) / 10,
            confidence: random() < 0.25 ? null : Math.round(random() * 10) / 10,
            source: random() < 0.25 ? null : pick(SOURCE_IDS),
            agentId: random() < 0.3 ? null : pick(SCOPE_IDS),
            runId: random() < 0.3 ? null : pick(SCOPE_IDS),
            expiresAt: random() < 0.15 ? new Date(now.getTime() + (random() < 0.5 ? 60_000 : 1_000)) : null,
          }),
          metadata: random() < 0.15 ? null : (metadata as never),
        });
        created.push(memory);
      }
      await repos.memories.applyEdits(
        created.filter((_, i) => i % 7 === 0).map((memory) => ({ kind: 'DELETE', memory })),
      );
      const all = (await repos.memories.findByIds(created.map((m) => m.id))).map((m) => m!);
      // Read a little later, so the memories expiring after 1 s are expired.
      const readAt = new Date(now.getTime() + 2_000);

      const condition = (): MemoryFilterInput => {
        switch (Math.floor(random() * 10)) {
          case 0:
            return {
              [pick(['agentId', 'runId'])]: pick([
                { eq: pick(SCOPE_IDS) },
                { in: some(SCOPE_IDS) },
                { isNull: random() < 0.5 },
              ]),
            };
          case 1:
            return { [pick(['topic', 'subTopic'])]: pick([{ eq: pick(TOPICS) }, { in: some(TOPICS) }]) };
          case 2:
            return { source: random() < 0.5 ? { eq: pick(SOURCE_IDS) } : { in: some(SOURCE_IDS) } };
          case 3:
            return {
              [pick(['tags', 'categories'])]: pick([
                { contains: pick(LABELS) },
                { containsAny: some(LABELS) },
                { containsAll: some(LABELS, 2) },
              ]),
            };
          case 4:
            return {
              [pick(['importance', 'confidence'])]: pick([
                { gte: random() },
                { lte: random() },
                { gte: 0.2, lte: 0.7 },
              ]),
            };
          case 5:
            return {
              [pick(['createdAt', 'updatedAt'])]: pick([{ gte: pick(all).createdAt }, { lte: pick(all).createdAt }]),
            };
          case 6:
            return { text: { contains: pick(['ALPHA', 'beta', 'ÉPÉE', 'épée', 'üNÏ', "t's", 'a b', '1']) } };
          default: {
            const path = pick([
              ['lang'],
              ['score'],
              ['list'],
              ['nested', 'level'],
              ['nested', 'deep', 'x'],
              ['list', '0'],
              ['list', '-1'],
              ['missing'],
            ]);
            const op = pick(['eq', 'in', 'gte', 'lte', 'contains']);
            const scalar = () =>
              pick<string | number | boolean>([
                'en',
                'EN-us',
                'de',
                'ünï',
                'b',
                'B',
                '5',
                'abc',
                1,
                2.5,
                5,
                7,
                true,
                'high',
              ]);
            const value =
              op === 'in'
                ? some([scalar(), scalar(), scalar()])
                : op === 'gte' || op === 'lte'
                  ? pick([0, 2.5, 5, '5', 'b', 'abc'])
                  : scalar();
            return { metadata: [{ path, [op]: value }] };
          }
        }
      };
      const filter = (depth: number): MemoryFilterInput => {
        const roll = random();
        if (depth >= 4 || roll < 0.45) return condition();
        if (roll < 0.6) return { NOT: filter(depth + 1) };
        const children = Array.from({ length: Math.floor(random() * 4) }, () => filter(depth + 1));
        if (roll < 0.8) return { AND: children };
        if (roll < 0.95) return { OR: children };
        return { ...condition(), ...condition() };
      };
      const label = (items: readonly MemoryRecord[]) => items.map((m) => m.text.split(' ').at(-1));

      let selective = 0;
      for (let i = 0; i < 300; i++) {
        const input: MemoryFilterInput = {
          ...filter(1),
          includeDeleted: random() < 0.2,
          includeExpired: random() < 0.2,
        };
        const selection = parseMemoryFilter(input);
        const order: MemoryOrder = {
          field: pick(['createdAt', 'updatedAt', 'importance'] as const),
          direction: pick(['asc', 'desc'] as const),
        };
        const expected = all.filter((memory) => selects(selection, memory, readAt)).sort(compareMemories(order));
        const page = await repos.memories.list(user.pk, selection, { first: 1_000, after: null, order }, readAt);
        expect(label(page.items), JSON.stringify(input)).toEqual(label(expected));
        expect(page.totalCount).toBe(expected.length);
        if (i % 10 === 0) {
          const ids = all.filter(() => random() < 0.5).map((m) => m.id);
          const scope = { projectId: user.projectId, userPks: [user.pk] };
          const chosen = await repos.memories.select(ids, scope, selection, readAt);
          expect(chosen.map((m) => m.id)).toEqual(
            expected
              .filter((m) => ids.includes(m.id))
              .map((m) => m.id)
              .sort((a, b) => ids.indexOf(a) - ids.indexOf(b)),
          );
        }
        if (expected.length > 0 && expected.length < all.length / 2) selective++;
      }
      // The generator must make selective filters, not only "everything" and "nothing".
      expect(selective).toBeGreaterThan(80);
      const live = all.filter((m) => selects(LIVE_MEMORIES, m, readAt)).length;
      expect(await repos.memories.countLive([user.pk], readAt)).toEqual([live]);
      await drainJobs(repos);
    });

    it('takes one scope and one blob type per extraction batch; new memories inherit them', async () => {
      const repos = repositories();
      const user = await newUser(repos, 'batch-scopes');
      const scoped = (
        text: string,
        scope: { agentId: string | null; runId: string | null },
        type: 'CHAT' | 'SUMMARY',
      ) => {
        const blob = { ...newChat(user, text), ...scope };
        return repos.blobs.insert(
          type === 'CHAT' ? blob : { ...blob, content: { type: 'SUMMARY', summary: text }, chunks: blob.chunks },
        );
      };
      // Apart in time: the buffer is ordered by insertion time, to the millisecond.
      const pause = () => new Promise((resolve) => setTimeout(resolve, 5));
      const a1 = await scoped('a1', { agentId: 'a', runId: null }, 'CHAT');
      await pause();
      const b1 = await scoped('b1', { agentId: 'b', runId: 'r' }, 'CHAT');
      await pause();
      const a2 = await scoped('a2', { agentId: 'a', runId: null }, 'CHAT');
      await pause();
      const a3 = await scoped('a3', { agentId: 'a', runId: null }, 'SUMMARY');
      await pause();
      const a4 = await scoped('a4', { agentId: 'a', runId: null }, 'CHAT');
      expect(await repos.processing.claim(user.pk, 'w', 60_000)).toBe(true);
      const first = await repos.processing.nextBatch(user.pk, 100_000);
      expect(first.map((b) => b.id)).toEqual([a1.id, a2.id]);
      const { changes } = await repos.processing.commit({
        projectId: user.projectId,
        userPk: user.pk,
        scope: { agentId: 'a', runId: null },
        source: 'CHAT',
        workerId: 'w',
        blobIds: first.map((b) => b.id),
        summary: 's',
        tags: [],
        usage: null,
        operations: [
          {
            kind: 'ADD',
            fact: { text: 'Likes tea', topic: 't', subTopic: 's', categories: ['drinks'], confidence: 0.7 },
            embedding: [1, 0, 0],
          },
        ],
      });
      const [memory] = await repos.memories.findByIds([changes[0]!.memoryId]);
      expect(memory).toMatchObject({ agentId: 'a', runId: null, source: 'CHAT', tags: ['drinks'], confidence: 0.7 });
      expect(await repos.processing.claim(user.pk, 'w', 60_000)).toBe(true);
      expect((await repos.processing.nextBatch(user.pk, 100_000)).map((b) => b.id)).toEqual([b1.id]);
      await repos.processing.release(user.pk, 'w');
      expect([a3.id, a4.id]).toHaveLength(2);
      await drainJobs(repos);
    });

    it('never lets extraction change an immutable memory', async () => {
      const repos = repositories();
      const user = await newUser(repos, 'immutable');
      const { memory } = await repos.memories.create(
        newMemory(user, { text: 'Born in Porto', topic: 'basic_info', subTopic: 'birthplace', immutable: true }),
      );
      const { event } = await commitBatch(repos, user, [
        {
          kind: 'UPDATE',
          memoryId: memory.id,
          fact: { text: 'Born in Lisbon', topic: 'basic_info', subTopic: 'birthplace', categories: [] },
          embedding: [0, 1, 0],
        },
        { kind: 'DELETE', memoryId: memory.id },
      ]);
      const [changes] = await repos.memories.changesOfEvents([event.id]);
      expect(changes!.map((c) => [c.kind, c.after?.text ?? null])).toEqual([['ADD', 'Born in Lisbon']]);
      expect(changes![0]!.memoryId).not.toBe(memory.id);
      expect(await repos.memories.findById(user.projectId, memory.id)).toEqual(memory);
      await drainJobs(repos);
    });
  });
}
