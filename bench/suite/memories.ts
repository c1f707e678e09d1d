// searchMemories at scale: memories written through createMemory for every
// user of the scale run, then User.searchMemories timed through HTTP, one
// request at a time, in each mode, unfiltered and with a scope filter, beside
// the raw Chroma query memql makes for the same user and vector.

import { ChromaClient, type Collection } from 'chromadb';
import type { Embedder } from '../../src/domain/ports.js';
import { type MemoryMetadata, memoryQueryPlan, spaceNames } from '../../src/infra/chroma/chroma-keys.js';
import { BenchClient, mapConcurrent } from '../lib/graphql.js';
import type { ServerProcess } from '../lib/server-process.js';
import { type Latency, latency } from '../lib/stats.js';
import type { Corpus } from './corpus.js';
import type { Mode } from './operations.js';

export interface MemoryLoadResult {
  users: number;
  memories: number;
  seconds: number;
  memoriesPerSecond: number;
  /** After the last acknowledgement, until the last memory was searchable. */
  indexWaitSeconds: number;
}

export interface MemorySearchRow {
  label: string;
  users: number;
  memories: number;
  http: Record<Mode, Latency>;
  /** SEMANTIC with `filter: { agentId: { eq } }` (pushed down to Chroma as a scope key). */
  scoped: Latency;
  chroma: Latency;
}

const AGENTS = ['planner', 'coach', 'chef', 'tutor'];
const TAGS = ['work', 'family', 'health', 'travel', 'food', 'sport'];

/** `perUser` memories for each user, through createMemory, `concurrency` requests in flight. */
export async function loadMemories(
  server: ServerProcess,
  corpus: Corpus,
  userIds: readonly string[],
  options: { perUser: number; concurrency: number; log: (message: string) => void },
): Promise<{ memoryOf: Map<string, string>; result: MemoryLoadResult }> {
  const client = new BenchClient(server.url, server.adminKey);
  const jobs = userIds.flatMap((userId) => Array.from({ length: options.perUser }, (_, i) => ({ userId, i })));
  const start = performance.now();
  let lastReport = start;
  let done = 0;
  const ids = await mapConcurrent(jobs, options.concurrency, async ({ userId, i }) => {
    const data = await client.request<{ createMemory: { id: string } }>(
      `mutation ($userId: ID!, $input: CreateMemoryInput!) { createMemory(userId: $userId, input: $input) { id } }`,
      {
        userId,
        input: {
          text: corpus.sentence(),
          tags: [corpus.pick(TAGS)],
          importance: Math.round(((i * 37) % 100) / 10) / 10,
          agentId: AGENTS[i % AGENTS.length],
        },
      },
    );
    done++;
    if (performance.now() - lastReport > 15_000) {
      lastReport = performance.now();
      options.log(`  ${done} memories written (${(done / ((lastReport - start) / 1000)).toFixed(0)}/s)`);
    }
    return data.createMemory.id;
  });
  const acked = performance.now();
  const lastUser = jobs[jobs.length - 1]!.userId;
  const lastMemoryId = ids[ids.length - 1]!;
  await waitMemoryIndexed(client, lastUser, lastMemoryId);
  const memoryOf = new Map<string, string>();
  for (const [i, job] of jobs.entries()) memoryOf.set(job.userId, ids[i]!);
  return {
    memoryOf,
    result: {
      users: userIds.length,
      memories: jobs.length,
      seconds: (acked - start) / 1000,
      memoriesPerSecond: jobs.length / ((acked - start) / 1000),
      indexWaitSeconds: (performance.now() - acked) / 1000,
    },
  };
}

async function searchIds(
  client: BenchClient,
  userId: string,
  text: string,
  mode: Mode,
  topK: number,
  filter: Record<string, unknown> | null = null,
): Promise<string[]> {
  const data = await client.request<{ user: { searchMemories: { memory: { id: string } }[] } | null }>(
    `query ($userId: ID!, $text: String!, $mode: QueryMode!, $topK: Int!, $filter: MemoryFilter) {
      user(id: $userId) { searchMemories(text: $text, mode: $mode, topK: $topK, filter: $filter) { score memory { id text } } }
    }`,
    { userId, text, mode, topK, filter },
  );
  return (data.user?.searchMemories ?? []).map((m) => m.memory.id);
}

/** Resolves once the memory comes back from a SEMANTIC search of its user (its vector is indexed). */
async function waitMemoryIndexed(client: BenchClient, userId: string, memoryId: string): Promise<void> {
  const deadline = Date.now() + 30 * 60_000;
  for (;;) {
    if ((await searchIds(client, userId, 'indexed', 'SEMANTIC', 100)).includes(memoryId)) return;
    if (Date.now() > deadline) throw new Error(`memory ${memoryId} of ${userId} was not indexed in time`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** Times `queries` searches per mode over (user, question) pairs, and the raw Chroma query for the same pairs. */
export async function measureMemorySearch(
  server: ServerProcess,
  corpus: Corpus,
  embedder: Embedder,
  memoryOf: ReadonlyMap<string, string>,
  options: {
    label: string;
    totalUsers: number;
    totalMemories: number;
    queries: number;
    topK: number;
    candidates: number;
  },
): Promise<MemorySearchRow> {
  const client = new BenchClient(server.url, server.adminKey);
  const userIds = [...memoryOf.keys()];
  const pairs = Array.from({ length: options.queries }, () => ({
    userId: corpus.pick(userIds),
    text: corpus.question(),
  }));
  for (let i = 0; i < 20; i++) await searchIds(client, corpus.pick(userIds), corpus.question(), 'HYBRID', options.topK);

  const time = async (run: (pair: (typeof pairs)[number]) => Promise<unknown>) => {
    const samples: number[] = [];
    for (const pair of pairs) {
      const t = performance.now();
      await run(pair);
      samples.push(performance.now() - t);
    }
    return latency(samples);
  };
  const http = {} as Record<Mode, Latency>;
  for (const mode of ['HYBRID', 'SEMANTIC', 'LEXICAL'] as const)
    http[mode] = await time(({ userId, text }) => searchIds(client, userId, text, mode, options.topK));
  const scoped = await time(({ userId, text }) =>
    searchIds(client, userId, text, 'SEMANTIC', options.topK, { agentId: { eq: AGENTS[0] } }),
  );

  const asked = new Map([...new Set(pairs.map((p) => p.userId))].map((id) => [id, memoryOf.get(id)!]));
  const chroma = await RawMemoryChroma.connect(server.chromaUrl, embedder, asked);
  const vectors = await embedder.embed(pairs.map((p) => p.text));
  for (let i = 0; i < 10; i++)
    await chroma.query(pairs[i % pairs.length]!.userId, vectors[i % pairs.length]!, options.candidates);
  const raw: number[] = [];
  for (let i = 0; i < pairs.length; i++) {
    const t = performance.now();
    await chroma.query(pairs[i]!.userId, vectors[i]!, options.candidates);
    raw.push(performance.now() - t);
  }
  return {
    label: options.label,
    users: options.totalUsers,
    memories: options.totalMemories,
    http,
    scoped,
    chroma: latency(raw),
  };
}

/**
 * The memory query memql makes for a user (no filter), made directly: the
 * user's memory shard, the same `where` (chroma-keys.ts memoryQueryPlan), the
 * same number of results, distances only.
 */
class RawMemoryChroma {
  private constructor(private readonly shardOf: Map<string, { collection: Collection; uk: string; solo: boolean }>) {}

  /** `users`: each user with one of its memory ids (to find the user's shard). */
  static async connect(url: string, embedder: Embedder, users: ReadonlyMap<string, string>): Promise<RawMemoryChroma> {
    const parsed = new URL(url);
    const client = new ChromaClient({
      host: parsed.hostname,
      port: Number(parsed.port),
      ssl: parsed.protocol === 'https:',
    });
    const names = spaceNames('memql-memories', embedder.model, embedder.dimension);
    const wanted = new Map([...users].map(([userId, memoryId]) => [memoryId, userId]));
    const shardOf = new Map<string, { collection: Collection; uk: string; solo: boolean }>();
    for (let offset = 0; ; offset += 100) {
      const page = await client.listCollections({ limit: 100, offset });
      for (const { name } of page) {
        if (names.parseShard(name) === null) continue;
        const collection = await client.getOrCreateCollection({ name, embeddingFunction: null });
        const found = await collection.get<MemoryMetadata>({
          where: { memoryId: { $in: [...wanted.keys()] } },
          include: ['metadatas'],
        });
        for (const metadata of found.metadatas) {
          const userId = metadata ? wanted.get(metadata.memoryId) : undefined;
          if (metadata && userId)
            shardOf.set(userId, { collection, uk: metadata.uk, solo: typeof collection.metadata?.solo === 'string' });
        }
      }
      if (page.length < 100) break;
    }
    const missing = [...users.keys()].filter((id) => !shardOf.has(id));
    if (missing.length > 0)
      throw new Error(`raw Chroma: no memory shard for ${missing.length} users (e.g. ${missing[0]})`);
    return new RawMemoryChroma(shardOf);
  }

  async query(userId: string, vector: number[], nResults: number): Promise<number> {
    const shard = this.shardOf.get(userId)!;
    const plan = memoryQueryPlan(shard.uk, shard.solo, { agentIds: null, runIds: null });
    const result = await shard.collection.query({
      queryEmbeddings: [vector],
      nResults,
      ...(plan.where ? { where: plan.where } : {}),
      include: ['distances'],
    });
    return result.ids[0]?.length ?? 0;
  }
}
