import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ChromaClient } from 'chromadb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChromaServer, type ChromaServer } from '../../../src/infra/chroma/chroma-server.js';
import { ChromaVectorStore } from '../../../src/infra/chroma/chroma.vector-store.js';
import type { VectorRecord } from '../../../src/domain/ports.js';
import { seededVector, vectorStoreContract } from '../../contracts/vector-store.contract.js';

let dataDir: string;
let server: ChromaServer;
let storeCount = 0;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'memql-chroma-'));
  server = await startChromaServer({ dataDir });
});

afterAll(async () => {
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

/** Each store gets its own prefix: tests share one server but never each other's collections. */
function newStore(options: Partial<ConstructorParameters<typeof ChromaVectorStore>[0]> = {}): ChromaVectorStore {
  storeCount++;
  return new ChromaVectorStore({ url: server.url, modelTag: 'test-model', prefix: `t${storeCount}`, ...options });
}

vectorStoreContract('ChromaVectorStore', async () => {
  const store = newStore();
  return {
    store,
    dispose: async () => {
      await store.reset();
      await store.close();
    },
  };
});

function userRecords(userPk: string, count: number, offset = 0): VectorRecord[] {
  return Array.from({ length: count }, (_, i) => ({
    chunkId: `${userPk}-c${offset + i}`,
    projectId: 'p1',
    userPk,
    blobId: `${userPk}-b${(offset + i) % 3}`,
    blobType: 'CHAT' as const,
    createdAt: 1_700_000_000 + offset + i,
    vector: seededVector(hashSeed(`${userPk}-${offset + i}`), 16),
  }));
}

function hashSeed(text: string): number {
  let h = 17;
  for (const char of text) h = (h * 33 + char.charCodeAt(0)) >>> 0;
  return h;
}

describe('ChromaVectorStore partitioning', () => {
  it('names collections after the model tag and the dimension', async () => {
    const store = newStore({ modelTag: 'My Model/v2' });
    await store.open(16);
    expect(store.spaceName(16)).toBe(`t${storeCount}_my-model-v2_16`);
    expect(store.spaceName(384)).not.toBe(store.spaceName(16));
    await store.reset();
  });

  it('keeps shared shards bounded by moving users out, gives a big user its own shard, loses nothing', async () => {
    const store = newStore({ shardTargetRecords: 60, shardMaxRecords: 100 });
    await store.open(16);
    const users = Array.from({ length: 8 }, (_, i) => `user${i}`);
    // Users arrive small and grow in rounds, as they would in production; user0 grows fastest.
    for (let round = 0; round < 4; round++) {
      for (const user of users) await store.upsert(userRecords(user, user === 'user0' ? 50 : 10, round * 100));
    }
    const stats = await store.stats();
    expect(stats.users).toBe(8);
    const shared = stats.shards.filter((shard) => !shard.solo);
    const solo = stats.shards.filter((shard) => shard.solo);
    for (const shard of shared) expect(shard.records).toBeLessThanOrEqual(100);
    expect(solo.map((shard) => shard.records)).toEqual([200]);
    expect(shared.reduce((sum, shard) => sum + shard.records, 0)).toBe(7 * 40);

    const all = { projectId: 'p1', limit: 500, types: null, since: null, until: null };
    for (const user of users) {
      const hits = await store.query({ ...all, userPk: user, vector: seededVector(1, 16) });
      expect(hits, user).toHaveLength(user === 'user0' ? 200 : 40);
      expect(hits.every((hit) => hit.chunkId.startsWith(`${user}-`))).toBe(true);
    }
    // Filters still apply in a solo shard.
    const since = new Date((1_700_000_000 + 300) * 1000);
    expect(await store.query({ ...all, userPk: 'user0', vector: seededVector(1, 16), since })).toHaveLength(50);
    expect(await store.query({ ...all, userPk: 'user0', vector: seededVector(1, 16), types: ['DOC'] })).toHaveLength(0);

    // A second store on the same collections (e.g. after a restart) finds every user through the directory.
    const reopened = newStore({ prefix: `t${storeCount}`, shardTargetRecords: 60, shardMaxRecords: 100 });
    await reopened.open(16);
    expect(await reopened.query({ ...all, userPk: 'user3', vector: seededVector(2, 16) })).toHaveLength(40);
    expect(await reopened.query({ ...all, userPk: 'user0', vector: seededVector(2, 16) })).toHaveLength(200);

    expect((await reopened.stats()).shards.filter((shard) => shard.solo).map((shard) => shard.records)).toEqual([200]);
    // Deleting the solo user drops its shard.
    const shardsBefore = (await reopened.stats()).shards.length;
    await reopened.deleteByUser({ projectId: 'p1', userPk: 'user0' });
    const after = await reopened.stats();
    expect(after.shards.filter((shard) => shard.solo)).toEqual([]);
    expect(after.shards).toHaveLength(shardsBefore - 1);
    expect(after.users).toBe(7);
    expect(await reopened.query({ ...all, userPk: 'user0', vector: seededVector(2, 16) })).toEqual([]);
    await store.reset();
  });

  it('a reopened store counts the shards it found before it places a user or grows one', async () => {
    // Opening leaves the counts for later (a count loads the shard in Chroma); placing must not see 0.
    const options = { shardTargetRecords: 60, shardMaxRecords: 100, soloRecords: 1_000 };
    const store = newStore(options);
    const prefix = `t${storeCount}`;
    await store.open(16);
    await store.upsert([...userRecords('a', 30), ...userRecords('b', 25)]);
    expect((await store.stats()).shards.map((shard) => shard.records)).toEqual([55]);

    const placing = newStore({ ...options, prefix });
    await placing.open(16);
    await placing.upsert(userRecords('c', 20)); // 55 + 20 is past the target of 60: a new shard
    expect((await placing.stats()).shards.map((shard) => shard.records)).toEqual([55, 20]);

    const growing = newStore({ ...options, prefix });
    await growing.open(16);
    await growing.upsert(userRecords('a', 50, 100)); // shard 0 now past the max of 100: a user moves out
    const shards = (await growing.stats()).shards;
    for (const shard of shards) expect(shard.records).toBeLessThanOrEqual(100);
    expect(shards.reduce((sum, shard) => sum + shard.records, 0)).toBe(125);
    await store.reset();
  });

  it("has Chroma save each shard's graph every 100 writes, also a shard made with Chroma's default of 1,000", async () => {
    // What a restart inserts into a graph again is what was never saved: at most this many per shard.
    const url = new URL(server.url);
    const client = new ChromaClient({ host: url.hostname, port: Number(url.port) });
    const threshold = async (name: string) => (await client.getCollection({ name })).configuration.hnsw?.sync_threshold;
    const store = newStore();
    await store.open(16);
    await store.upsert(userRecords('alice', 5));
    const [made] = (await store.stats()).shards;
    expect(await threshold(made!.name)).toBe(100);

    // A shard of an older memql: made with Chroma's default, found when a store opens.
    const older = newStore();
    await older.open(16);
    const oldName = made!.name.replace(/^t\d+_/, `t${storeCount}_`);
    await client.createCollection({
      name: oldName,
      embeddingFunction: null,
      configuration: { hnsw: { space: 'cosine' } },
    });
    expect(await threshold(oldName)).toBe(1000);
    const reopened = newStore({ prefix: `t${storeCount}` });
    await reopened.open(16);
    expect((await reopened.stats()).shards.map((shard) => shard.name)).toEqual([oldName]);
    expect(await threshold(oldName)).toBe(100);
    await Promise.all([store.reset(), reopened.reset()]);
  });

  it('keeps data across a stop and start of the Chroma server', async () => {
    const ownDir = await mkdtemp(path.join(os.tmpdir(), 'memql-chroma-restart-'));
    try {
      const first = await startChromaServer({ dataDir: ownDir });
      const store = new ChromaVectorStore({ url: first.url, modelTag: 'restart' });
      await store.open(16);
      await store.upsert(userRecords('alice', 25));
      await first.stop();
      expect(first.running).toBe(false);
      expect(await store.ping()).toBe(false);

      const second = await startChromaServer({ dataDir: ownDir });
      try {
        const again = new ChromaVectorStore({ url: second.url, modelTag: 'restart' });
        await again.open(16);
        const target = userRecords('alice', 25)[7]!;
        const hits = await again.query({
          projectId: 'p1',
          userPk: 'alice',
          vector: target.vector,
          limit: 100,
          types: null,
          since: null,
          until: null,
        });
        expect(hits).toHaveLength(25);
        expect(hits[0]!.chunkId).toBe(target.chunkId);
      } finally {
        await second.stop();
      }
    } finally {
      await rm(ownDir, { recursive: true, force: true });
    }
  });

  it('names the server in errors when Chroma is unreachable', async () => {
    const stopped = await startChromaServer({ dataDir: path.join(dataDir, 'gone') });
    await stopped.stop();
    const store = new ChromaVectorStore({ url: stopped.url, modelTag: 'nowhere' });
    await expect(store.open(16)).rejects.toThrow(`ChromaVectorStore.open failed (Chroma at ${stopped.url})`);
    expect(await store.ping()).toBe(false);
  });
});
