// Indexer and index maintenance on in-memory fakes: the outbox drained into
// the vector store, failures retried one by one with backoff.

import { afterEach, describe, expect, it, vi } from 'vitest';
import { indexIsStale, rebuildIndex } from '../../../src/domain/indexing/index-maintenance.js';
import type { UserRecord } from '../../../src/domain/types.js';
import { HashingEmbedder } from '../../../src/infra/embeddings/hashing.embedder.js';
import { createTestDomain, type TestDomain } from '../../fakes/test-domain.js';

let domain: TestDomain;

afterEach(async () => {
  vi.useRealTimers();
  vi.restoreAllMocks();
  await domain?.stop();
});

const doc = (content: string, createdAt?: Date) => ({ doc: { content }, createdAt: createdAt ?? null });

async function chunkIds(blobId: string): Promise<string[]> {
  return (await domain.repos.chunks.findByBlob(blobId)).map((chunk) => chunk.id).sort();
}

function scope(user: UserRecord) {
  return { projectId: user.projectId, userPk: user.pk };
}

describe('Indexer', () => {
  it('embeds the chunks of a committed blob into the vector store, with their scope and filters', async () => {
    domain = await createTestDomain();
    const user = await domain.newUser();
    const createdAt = new Date('2025-03-01T10:00:00.750Z');
    const blob = await domain.services.blobs.insert(user, doc('First sentence here. Second one there.', createdAt));
    expect(await domain.repos.indexJobs.pendingCount()).toBe(1);

    await domain.indexer.drain();

    expect(await domain.repos.indexJobs.pendingCount()).toBe(0);
    expect(domain.vectors.chunkIdsOf(scope(user))).toEqual(await chunkIds(blob.id));
    const [chunk] = await domain.repos.chunks.findByBlob(blob.id);
    const [vector] = await domain.embedder.embed([chunk!.searchText]);
    const hits = await domain.vectors.query({
      ...scope(user),
      vector: vector!,
      limit: 1,
      types: ['DOC'],
      since: createdAt,
      until: createdAt,
    });
    // createdAt is stored in whole seconds: the blob's .750 is inside [.000, .750].
    expect(hits).toEqual([]);
    const inSecond = await domain.vectors.query({
      ...scope(user),
      vector: vector!,
      limit: 1,
      types: ['DOC'],
      since: new Date('2025-03-01T10:00:00.000Z'),
      until: createdAt,
    });
    expect(inSecond).toEqual([{ chunkId: chunk!.id, score: expect.closeTo(1, 6) }]);
  });

  it('removes the vectors of a deleted blob, and of a deleted user, and nobody else', async () => {
    domain = await createTestDomain();
    const ann = await domain.newUser('ann');
    const bob = await domain.newUser('bob');
    const a1 = await domain.services.blobs.insert(ann, doc('Ann one.'));
    const a2 = await domain.services.blobs.insert(ann, doc('Ann two.'));
    const b1 = await domain.services.blobs.insert(bob, doc('Bob one.'));
    await domain.indexer.drain();
    expect(domain.vectors.size).toBe(3);

    await domain.services.blobs.delete(domain.admin, a1.id);
    await domain.indexer.drain();
    expect(domain.vectors.chunkIdsOf(scope(ann))).toEqual(await chunkIds(a2.id));

    await domain.services.users.delete(domain.admin, 'ann');
    await domain.indexer.drain();
    expect(domain.vectors.chunkIdsOf(scope(ann))).toEqual([]);
    expect(domain.vectors.chunkIdsOf(scope(bob))).toEqual(await chunkIds(b1.id));
    expect(await domain.repos.indexJobs.pendingCount()).toBe(0);
  });

  it('completes the upsert of a blob deleted before it was indexed without indexing it', async () => {
    domain = await createTestDomain();
    const user = await domain.newUser();
    const blob = await domain.services.blobs.insert(user, doc('Short-lived.'));
    await domain.services.blobs.delete(domain.admin, blob.id);
    expect(await domain.repos.indexJobs.pendingCount()).toBe(2);
    await domain.indexer.drain();
    expect(domain.vectors.size).toBe(0);
    expect(await domain.repos.indexJobs.pendingCount()).toBe(0);
  });

  it('embeds in batches of embedBatchSize and takes batchSize jobs per round', async () => {
    domain = await createTestDomain({ indexer: { batchSize: 2, embedBatchSize: 3 } });
    const user = await domain.newUser();
    for (let i = 0; i < 5; i++) await domain.services.blobs.insert(user, doc(`Blob ${i}. Has two sentences.`));
    const embed = vi.spyOn(domain.embedder, 'embed');
    const due = vi.spyOn(domain.repos.indexJobs, 'due');
    await domain.indexer.drain();
    expect(domain.vectors.size).toBe(5);
    expect(due.mock.calls.map(([limit]) => limit)).toEqual([2, 2, 2, 2]); // 2 + 2 + 1, then none left
    expect(embed.mock.calls.every(([texts]) => texts.length <= 3)).toBe(true);
  });

  it('retries a failing round job by job: the good jobs complete, the bad one waits with backoff', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const t0 = new Date('2025-06-01T12:00:00Z').getTime();
    vi.setSystemTime(t0);
    domain = await createTestDomain();
    const user = await domain.newUser();
    const good = await domain.services.blobs.insert(user, doc('Good blob.'));
    const bad = await domain.services.blobs.insert(user, doc('Poisoned blob.'));
    const badChunks = new Set(await chunkIds(bad.id));
    const upsert = domain.vectors.upsert.bind(domain.vectors);
    vi.spyOn(domain.vectors, 'upsert').mockImplementation(async (records) => {
      if (records.some((record) => badChunks.has(record.chunkId))) throw new Error('vector store refused');
      await upsert(records);
    });

    await domain.indexer.drain();

    expect(domain.vectors.chunkIdsOf(scope(user))).toEqual(await chunkIds(good.id));
    const left = [...domain.repos.tables.jobs.values()];
    expect(left).toEqual([
      {
        job: expect.objectContaining({ kind: 'UPSERT_BLOB', blobId: bad.id, attempts: 1 }),
        lastError: 'vector store refused',
        availableAt: new Date(t0 + 1_000),
      },
    ]);
    expect(await domain.repos.indexJobs.due(10)).toEqual([]);
    expect(domain.log.at('warn').map((entry) => entry.message)).toEqual(['index job failed; will retry']);
  });

  it('doubles the wait after each failure up to five minutes, and indexes once the store recovers', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    let t = new Date('2025-06-01T12:00:00Z').getTime();
    vi.setSystemTime(t);
    domain = await createTestDomain();
    const user = await domain.newUser();
    const blob = await domain.services.blobs.insert(user, doc('Flaky.'));
    const failing = vi.spyOn(domain.vectors, 'upsert').mockRejectedValue(new Error('chroma down'));
    const waits: number[] = [];
    for (let i = 0; i < 10; i++) {
      await domain.indexer.drain();
      const [row] = [...domain.repos.tables.jobs.values()];
      waits.push(row!.availableAt.getTime() - t);
      t = row!.availableAt.getTime();
      vi.setSystemTime(t);
    }
    expect(waits).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256, 300].map((s) => s * 1_000));
    failing.mockRestore();
    await domain.indexer.drain();
    expect(domain.vectors.chunkIdsOf(scope(user))).toEqual(await chunkIds(blob.id));
    expect(await domain.repos.indexJobs.pendingCount()).toBe(0);
  });

  it('logs a round that cannot read the outbox and keeps the jobs', async () => {
    domain = await createTestDomain();
    const user = await domain.newUser();
    await domain.services.blobs.insert(user, doc('Waiting.'));
    vi.spyOn(domain.repos.indexJobs, 'due').mockRejectedValueOnce(new Error('database restarting'));
    await domain.indexer.drain();
    expect(domain.log.at('error')).toEqual([
      expect.objectContaining({ message: 'index outbox round failed; retrying on the next poll' }),
    ]);
    expect(await domain.repos.indexJobs.pendingCount()).toBe(1);
    await domain.indexer.drain();
    expect(domain.vectors.size).toBe(1);
  });

  it('indexes in the background once started, when a commit kicks it', async () => {
    domain = await createTestDomain({ indexer: { pollMs: 60_000 } });
    domain.indexer.start();
    const user = await domain.newUser();
    await domain.services.blobs.insert(user, doc('Kicked.'));
    await vi.waitFor(() => expect(domain.vectors.size).toBe(1));
  });
});

describe('index maintenance', () => {
  it('is stale until rebuilt, rebuilds every chunk from the database, and is stale again for another model', async () => {
    domain = await createTestDomain();
    const deps = {
      chunks: domain.repos.chunks,
      vectors: domain.vectors,
      memories: domain.repos.memories,
      memoryVectors: domain.memoryVectors,
      embedder: domain.embedder,
      indexState: domain.repos.indexState,
      log: domain.log,
      collection: domain.vectors.collectionPrefix,
    };
    const user = await domain.newUser();
    for (let i = 0; i < 30; i++) await domain.services.blobs.insert(user, doc(`Note ${i}. About things.`));
    await domain.vectors.upsert([
      {
        chunkId: 'stale-vector',
        projectId: user.projectId,
        userPk: user.pk,
        blobId: 'gone',
        blobType: 'DOC',
        createdAt: 0,
        vector: (await domain.embedder.embed(['x']))[0]!,
      },
    ]);
    expect(await indexIsStale(deps)).toBe(true);

    const progress: number[] = [];
    expect(await rebuildIndex(deps, (indexed) => progress.push(indexed))).toBe(30);

    expect(progress.at(-1)).toBe(30);
    expect(domain.vectors.size).toBe(30);
    expect(domain.vectors.chunkIdsOf(scope(user))).not.toContain('stale-vector');
    expect(await domain.repos.indexState.get()).toEqual({
      model: domain.embedder.model,
      dimension: domain.embedder.dimension,
      collection: 'in-memory',
    });
    expect(await indexIsStale(deps)).toBe(false);
    expect(await indexIsStale({ ...deps, embedder: new HashingEmbedder({ dimension: 128 }) })).toBe(true);
  });
});

describe('memory vectors through the outbox', () => {
  it('mirrors creates, updates, deletes, expiry and resets into the memory index', async () => {
    domain = await createTestDomain();
    const user = await domain.newUser();
    const edits = domain.services.memoryEdits;
    const tea = await edits.create(user, { text: 'Likes green tea' });
    const soon = await edits.create(user, { text: 'Is on a train', expiresAt: new Date(Date.now() + 60_000) });
    const gone = await edits.create(user, { text: 'Has a red bike' });
    await domain.indexer.drain();
    expect(domain.memoryVectors.ids()).toEqual([tea.id, soon.id, gone.id].sort());

    await edits.update(domain.admin, tea.id, { text: 'Likes black coffee' });
    await edits.delete(domain.admin, gone.id);
    await domain.indexer.drain();
    expect(domain.memoryVectors.ids()).toEqual([tea.id, soon.id].sort());
    const [coffee] = await domain.embedder.embed(['Likes black coffee']);
    const [nearest] = await domain.memoryVectors.query({
      projectId: user.projectId,
      userPks: [user.pk],
      vector: coffee!,
      limit: 1,
      agentIds: null,
      runIds: null,
    });
    expect(nearest).toEqual({ memoryId: tea.id, score: expect.closeTo(1, 5) });

    // Expired: hidden at once, its vector removed by the sweep's job.
    vi.setSystemTime(Date.now() + 120_000);
    try {
      await domain.repos.memories.expire(new Date(), 10);
      await domain.indexer.drain();
      expect(domain.memoryVectors.ids()).toEqual([tea.id]);
    } finally {
      vi.useRealTimers();
    }

    await edits.reset(user, true);
    await domain.indexer.drain();
    expect(domain.memoryVectors.ids()).toEqual([]);

    // A rebuild indexes live memories only, embedding them again.
    const kept = await edits.create(user, { text: 'Speaks Greek' });
    await domain.indexer.drain();
    await domain.memoryVectors.reset();
    const deps = {
      chunks: domain.repos.chunks,
      vectors: domain.vectors,
      memories: domain.repos.memories,
      memoryVectors: domain.memoryVectors,
      embedder: domain.embedder,
      indexState: domain.repos.indexState,
      log: domain.log,
      collection: domain.vectors.collectionPrefix,
    };
    expect(await rebuildIndex(deps)).toBe(1);
    expect(domain.memoryVectors.ids()).toEqual([kept.id]);
  });
});
