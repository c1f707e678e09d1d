// Query latency at scale: users are loaded through the API (multi-message
// chat blobs), then User.query is timed through HTTP, one request at a time,
// beside the raw Chroma query memql makes for the same user and vector.

import { ChromaClient, type Collection } from 'chromadb';
import type { Embedder } from '../../src/domain/ports.js';
import { queryPlan, type recordMetadata, spaceNames } from '../../src/infra/chroma/chroma-keys.js';
import { BenchClient, mapConcurrent } from '../lib/graphql.js';
import type { ServerProcess } from '../lib/server-process.js';
import { type Latency, latency } from '../lib/stats.js';
import { Corpus } from './corpus.js';
import { createUser, insertChat, type Mode, queryBlobIds, waitIndexed } from './operations.js';

export interface LoadResult {
  users: number;
  chunks: number;
  blobs: number;
  seconds: number;
  blobsPerSecond: number;
  /** After the last acknowledgement, until the last blob was searchable. */
  indexWaitSeconds: number;
}

export interface LatencyRow {
  label: string;
  users: number;
  chunks: number;
  http: Record<Mode, Latency>;
  /** The raw Chroma query for the same users and vectors as the HYBRID row. */
  chroma: Latency;
  /** The HYBRID samples, in ms. */
  httpSamples: number[];
}

export interface ScaleUser {
  id: string;
  /** One blob id of the user (to find its Chroma shard). */
  blobId: string;
}

/** Creates users [from, to) with `chunksPerUser` chunks each, as chat blobs of `messagesPerBlob` messages. */
export async function loadUsers(
  server: ServerProcess,
  corpus: Corpus,
  options: {
    from: number;
    to: number;
    chunksPerUser: number;
    messagesPerBlob: number;
    concurrency: number;
    log: (message: string) => void;
  },
): Promise<{ users: ScaleUser[]; result: LoadResult }> {
  const client = new BenchClient(server.url, server.adminKey);
  const ids = Array.from(
    { length: options.to - options.from },
    (_, i) => `user-${String(options.from + i).padStart(5, '0')}`,
  );
  const blobsPerUser = Math.max(1, Math.round(options.chunksPerUser / options.messagesPerBlob));
  const start = performance.now();
  let done = 0;
  let lastReport = start;
  const users = await mapConcurrent(ids, options.concurrency, async (id, index) => {
    await createUser(client, id);
    let blobId = '';
    for (let b = 0; b < blobsPerUser; b++) {
      // One message per chunk: sentences stay short enough not to be split.
      const messages = Array.from({ length: options.messagesPerBlob }, (_, m) => ({
        role: m % 2 === 0 ? 'user' : 'assistant',
        content: corpus.sentence(),
      }));
      blobId = await insertChat(
        client,
        id,
        messages,
        new Date(Date.UTC(2025, 0, 1) + (index * blobsPerUser + b) * 60_000),
      );
      done++;
    }
    if (performance.now() - lastReport > 15_000) {
      lastReport = performance.now();
      options.log(`  ${done} blobs loaded (${(done / ((lastReport - start) / 1000)).toFixed(0)}/s)`);
    }
    return { id, blobId };
  });
  const acked = performance.now();
  const last = users[users.length - 1]!;
  await waitIndexed(client, last.id, last.blobId, { intervalMs: 500 });
  const blobs = users.length * blobsPerUser;
  return {
    users,
    result: {
      users: users.length,
      chunks: blobs * options.messagesPerBlob,
      blobs,
      seconds: (acked - start) / 1000,
      blobsPerSecond: blobs / ((acked - start) / 1000),
      indexWaitSeconds: (performance.now() - acked) / 1000,
    },
  };
}

/**
 * The phase scripts' load (bench/query-phase.ts, bench/memory-phase.ts): users
 * 0..users-1 of the scale stage's corpus (seed 3), chat blobs of 20
 * messages, 8 clients.
 */
export function loadPhaseUsers(
  server: ServerProcess,
  options: { users: number; chunksPerUser: number; log: (message: string) => void },
): Promise<{ users: ScaleUser[]; result: LoadResult }> {
  return loadUsers(server, new Corpus(3), {
    from: 0,
    to: options.users,
    chunksPerUser: options.chunksPerUser,
    messagesPerBlob: 20,
    concurrency: 8,
    log: options.log,
  });
}

/**
 * Times `queries` requests per mode, sequentially, over (user, question)
 * pairs drawn from `users`, and the raw Chroma query for the same pairs.
 */
export async function measureQueries(
  server: ServerProcess,
  corpus: Corpus,
  embedder: Embedder,
  users: readonly ScaleUser[],
  options: {
    label: string;
    totalUsers: number;
    totalChunks: number;
    queries: number;
    topK: number;
    candidates: number;
  },
): Promise<LatencyRow> {
  const client = new BenchClient(server.url, server.adminKey);
  const pairs = Array.from({ length: options.queries }, () => ({ user: corpus.pick(users), text: corpus.question() }));
  // Warm up connections and caches on other questions.
  for (let i = 0; i < 20; i++)
    await queryBlobIds(client, corpus.pick(users).id, corpus.question(), 'HYBRID', options.topK);

  const http = {} as Record<Mode, Latency>;
  let httpSamples: number[] = [];
  for (const mode of ['HYBRID', 'SEMANTIC', 'LEXICAL'] as const) {
    const samples: number[] = [];
    if (mode === 'HYBRID') httpSamples = samples;
    for (const { user, text } of pairs) {
      const t = performance.now();
      await queryBlobIds(client, user.id, text, mode, options.topK);
      samples.push(performance.now() - t);
    }
    http[mode] = latency(samples);
  }

  const chroma = await RawChroma.connect(server.chromaUrl, embedder, [...new Set(pairs.map((p) => p.user))]);
  const vectors = await embedder.embed(pairs.map((p) => p.text));
  for (let i = 0; i < 10; i++)
    await chroma.query(pairs[i % pairs.length]!.user.id, vectors[i % pairs.length]!, options.candidates);
  const raw: number[] = [];
  for (let i = 0; i < pairs.length; i++) {
    const t = performance.now();
    await chroma.query(pairs[i]!.user.id, vectors[i]!, options.candidates);
    raw.push(performance.now() - t);
  }
  return {
    label: options.label,
    users: options.totalUsers,
    chunks: options.totalChunks,
    http,
    chroma: latency(raw),
    httpSamples,
  };
}

/**
 * The Chroma query memql makes for a user, made directly: the user's shard
 * collection, the same `where` (chroma-keys.ts queryPlan), the same number of
 * results, distances only.
 */
class RawChroma {
  private constructor(private readonly shardOf: Map<string, { collection: Collection; uk: string; solo: boolean }>) {}

  static async connect(url: string, embedder: Embedder, users: readonly ScaleUser[]): Promise<RawChroma> {
    const parsed = new URL(url);
    const client = new ChromaClient({
      host: parsed.hostname,
      port: Number(parsed.port),
      ssl: parsed.protocol === 'https:',
    });
    const names = spaceNames('memql', embedder.model, embedder.dimension);
    const wanted = new Map(users.map((u) => [u.blobId, u.id]));
    const shardOf = new Map<string, { collection: Collection; uk: string; solo: boolean }>();
    const collections = await listCollections(client);
    for (const name of collections) {
      if (names.parseShard(name) === null) continue;
      const collection = await client.getOrCreateCollection({ name, embeddingFunction: null });
      const found = await collection.get<ReturnType<typeof recordMetadata>>({
        where: { blobId: { $in: [...wanted.keys()] } },
        include: ['metadatas'],
      });
      for (const metadata of found.metadatas) {
        const userId = metadata ? wanted.get(metadata.blobId) : undefined;
        if (metadata && userId)
          shardOf.set(userId, { collection, uk: metadata.uk, solo: typeof collection.metadata?.solo === 'string' });
      }
    }
    const missing = users.filter((u) => !shardOf.has(u.id));
    if (missing.length > 0)
      throw new Error(`raw Chroma: no shard found for ${missing.length} users (e.g. ${missing[0]!.id})`);
    return new RawChroma(shardOf);
  }

  async query(userId: string, vector: number[], nResults: number): Promise<number> {
    const shard = this.shardOf.get(userId)!;
    const plan = queryPlan(shard.uk, { types: null, since: null, until: null }, shard.solo);
    const result = await shard.collection.query({
      queryEmbeddings: [vector],
      nResults,
      ...(plan.where ? { where: plan.where } : {}),
      include: ['distances'],
    });
    return result.ids[0]?.length ?? 0;
  }
}

async function listCollections(client: ChromaClient): Promise<string[]> {
  const names: string[] = [];
  for (let offset = 0; ; offset += 100) {
    const page = await client.listCollections({ limit: 100, offset });
    names.push(...page.map((c) => c.name));
    if (page.length < 100) return names;
  }
}
