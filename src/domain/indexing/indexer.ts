// Drains the index outbox: embeds committed chunks and mirrors them, and
// deletions, into the vector store; mirrors memories into the memory vector
// index (their embedding is written with the memory). Jobs are idempotent, so
// a job picked up twice (after a crash, or by two processes) does no harm.

import type {
  ChunkRepository,
  Embedder,
  IndexJob,
  IndexJobQueue,
  Log,
  MemoryRepository,
  MemoryVectorIndex,
  MemoryVectorRecord,
  VectorRecord,
  VectorStore,
  WorkerLease,
} from '../ports.js';
import { SerialLoop } from '../../lib/serial-loop.js';
import { VectorIndexUnavailableError } from '../errors.js';
import type { ChunkRecord, MemoryWithEmbedding } from '../types.js';

export interface IndexerOptions {
  /** How often the outbox is polled when nobody kicks it. */
  pollMs: number;
  /** Jobs taken per round. */
  batchSize: number;
  /** Texts per embedding call. */
  embedBatchSize: number;
}

/** A round read and partly embedded ahead of its writes. */
interface PreparedRound {
  chunks: ChunkRecord[];
  /** The vectors of the first `step` chunks. */
  first: VectorRecord[];
}

const DEFAULT_OPTIONS: IndexerOptions = { pollMs: 1_000, batchSize: 32, embedBatchSize: 64 };
const MAX_BACKOFF_MS = 5 * 60_000;

export class Indexer {
  private readonly options: IndexerOptions;
  private readonly loop: SerialLoop;
  private stopped = false;
  /** Set while the vector index does not answer: rounds wait for its ping instead of failing job after job. */
  private indexDown = false;
  /** Whether this process held the indexer lease at its last check. */
  private holding = false;

  constructor(
    private readonly deps: {
      jobs: IndexJobQueue;
      chunks: ChunkRepository;
      vectors: VectorStore;
      memories: MemoryRepository;
      memoryVectors: MemoryVectorIndex;
      embedder: Embedder;
      log: Log;
      /**
       * Held while draining: of several processes sharing the outbox, one writes
       * the vector store (its shard placement assumes one writer). Absent: always drain.
       */
      lease?: WorkerLease;
      /**
       * Run for the owners of a round's committed blobs (UPSERT_BLOB jobs)
       * before the jobs are completed, so a crash runs it again: forgetting
       * past the blob token cap (blob-retention.ts).
       */
      afterBlobsIndexed?: (owners: { projectId: string; userPk: string }[]) => Promise<unknown>;
    },
    options: Partial<IndexerOptions> = {},
  ) {
    this.options = { ...DEFAULT_OPTIONS, ...options };
    this.loop = new SerialLoop(() => this.drainDue(), this.options.pollMs);
  }

  start(): void {
    this.loop.start();
  }

  /** Asks for a round now (after a commit); rounds never overlap. */
  kick(): void {
    this.loop.kick();
  }

  /** Processes until no job is due. For tests, the reindex command and shutdown. */
  async drain(): Promise<void> {
    await this.loop.idle();
    await this.drainDue();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop.stop();
    if (this.holding) await this.deps.lease?.release().catch(() => undefined);
  }

  /** Whether this process may drain now; says so in the log when that changes. */
  private async mayDrain(): Promise<boolean> {
    if (!this.deps.lease) return true;
    const held = await this.deps.lease.hold();
    if (held !== this.holding)
      this.deps.log.info(
        {},
        held ? 'indexing the outbox here (took the indexer lease)' : 'another process indexes the outbox',
      );
    this.holding = held;
    return held;
  }

  /**
   * Rounds of `batchSize` jobs, pipelined: while one round's writes to the
   * vector store are in flight, the next round is read and its first chunks
   * embedded. Writes stay in job order: a round's writes start once the
   * previous round's are done (and its jobs completed), so a deletion never
   * overtakes the upsert it follows.
   */
  private async drainDue(): Promise<void> {
    let writing: Promise<void> = Promise.resolve();
    try {
      if (this.indexDown) {
        if (!(await this.deps.vectors.ping())) return;
        this.indexDown = false;
        this.deps.log.info({}, 'the vector index answers again; indexing the outbox');
      }
      let after: bigint | null = null;
      for (;;) {
        // Checked before every round, which also renews the lease while a long drain runs.
        if (!(await this.mayDrain())) break;
        // The jobs of the round in flight are not completed yet: read past them.
        const jobs = await this.deps.jobs.due(this.options.batchSize, after);
        if (jobs.length === 0) break;
        after = jobs[jobs.length - 1]!.id;
        const prepared = await this.prepare(jobs).catch(() => null);
        await writing;
        // A round that could not be prepared goes the careful way, job by job.
        writing = prepared ? this.write(jobs, prepared) : this.process(jobs);
        writing.catch(() => undefined); // awaited below; a failure must not go unhandled meanwhile
        if (this.stopped) break;
      }
      await writing;
    } catch (error) {
      await writing.catch(() => undefined);
      if (error instanceof VectorIndexUnavailableError) {
        // Jobs stay due, their attempts uncounted: they run once the index is back.
        this.indexDown = true;
        this.deps.log.warn({ err: error.message }, 'the vector index is unavailable; indexing waits for it');
        return;
      }
      this.deps.log.error({ err: error }, 'index outbox round failed; retrying on the next poll');
    }
  }

  /** Applies a prepared round and completes its jobs; on failure, retries them one by one. */
  private async write(jobs: IndexJob[], prepared: PreparedRound): Promise<void> {
    try {
      await this.apply(jobs, prepared);
      await this.afterBlobs(jobs);
      await this.deps.jobs.complete(jobs.map((job) => job.id));
    } catch (error) {
      // Not the jobs' fault: the round stops and they wait for the index.
      if (error instanceof VectorIndexUnavailableError) throw error;
      for (const job of jobs) await this.process([job]);
    }
  }

  private async process(jobs: IndexJob[]): Promise<void> {
    try {
      await this.apply(jobs, await this.prepare(jobs));
      await this.afterBlobs(jobs);
      await this.deps.jobs.complete(jobs.map((job) => job.id));
    } catch (error) {
      // Not the jobs' fault: the round stops and they wait for the index.
      if (error instanceof VectorIndexUnavailableError) throw error;
      // One bad job must not hold the others back: retry them one by one.
      if (jobs.length > 1) {
        for (const job of jobs) await this.process([job]);
        return;
      }
      const job = jobs[0]!;
      const delay = Math.min(MAX_BACKOFF_MS, 1_000 * 2 ** job.attempts);
      const message = error instanceof Error ? error.message : String(error);
      this.deps.log.warn(
        { jobId: job.id.toString(), kind: job.kind, attempts: job.attempts + 1, err: message },
        'index job failed; will retry',
      );
      await this.deps.jobs.retryLater(job.id, message, new Date(Date.now() + delay));
    }
  }

  private async afterBlobs(jobs: IndexJob[]): Promise<void> {
    if (!this.deps.afterBlobsIndexed) return;
    const owners = jobs.flatMap((job) =>
      job.kind === 'UPSERT_BLOB' ? [{ projectId: job.projectId, userPk: job.userPk }] : [],
    );
    if (owners.length > 0) await this.deps.afterBlobsIndexed(owners);
  }

  /** The chunks of the blobs the jobs upsert, read in one go, and the vectors of the first step of them. */
  private async prepare(jobs: IndexJob[]): Promise<PreparedRound> {
    const blobIds = jobs.flatMap((job) => (job.kind === 'UPSERT_BLOB' ? [job.blobId] : []));
    // A blob deleted before it was indexed has no chunks left: nothing to do.
    const chunks = blobIds.length > 0 ? await this.deps.chunks.findByBlobs(blobIds) : [];
    const first = await embedChunks(chunks.slice(0, this.step), this.deps.embedder, this.options.embedBatchSize);
    return { chunks, first };
  }

  /** Chunks embedded and upserted at a time: enough for few requests, few enough to bound memory and show a huge blob as it goes. */
  private get step(): number {
    return this.options.embedBatchSize * 4;
  }

  /**
   * The round's deletions in job order, then its upserts (the store groups
   * each call's records per shard; the next step is embedded while one is
   * written), then its memories.
   */
  private async apply(jobs: IndexJob[], prepared: PreparedRound): Promise<void> {
    const memories = new Map<string, { projectId: string; userPk: string }>();
    for (const job of jobs) {
      switch (job.kind) {
        case 'UPSERT_BLOB':
          break;
        case 'DELETE_BLOB':
          await this.deps.vectors.deleteByBlob(job, job.blobId);
          break;
        case 'DELETE_USER':
          await this.deps.vectors.deleteByUser(job);
          await this.deps.memoryVectors.deleteByUser(job);
          break;
        case 'DELETE_USER_BLOBS':
          await this.deps.vectors.deleteByUser(job);
          break;
        case 'DELETE_USER_MEMORIES':
          await this.deps.memoryVectors.deleteByUser(job);
          break;
        case 'SYNC_MEMORY':
          memories.set(job.memoryId, job);
          break;
        default: {
          const unreachable: never = job;
          throw new Error(`unknown index job ${JSON.stringify(unreachable)}`);
        }
      }
    }
    let upserting = this.deps.vectors.upsert(prepared.first);
    for (let i = this.step; i < prepared.chunks.length; i += this.step) {
      upserting.catch(() => undefined); // awaited below
      const records = await embedChunks(
        prepared.chunks.slice(i, i + this.step),
        this.deps.embedder,
        this.options.embedBatchSize,
      );
      await upserting;
      upserting = this.deps.vectors.upsert(records);
    }
    await upserting;
    await this.syncMemories(memories);
  }

  /**
   * Each memory's vector as its row says now: upserted while live (not
   * deleted, not expired), removed otherwise. The jobs were committed before
   * this round read them, so the rows already reflect every change they mirror.
   */
  private async syncMemories(jobs: Map<string, { projectId: string; userPk: string }>): Promise<void> {
    if (jobs.size === 0) return;
    const now = new Date();
    const rows = await this.deps.memories.findWithEmbeddings([...jobs.keys()]);
    const live = rows.filter((row) => row.deletedAt === null && (row.expiresAt === null || row.expiresAt > now));
    const liveIds = new Set(live.map((row) => row.id));
    const gone = new Map<string, { scope: { projectId: string; userPk: string }; ids: string[] }>();
    for (const [memoryId, scope] of jobs) {
      if (liveIds.has(memoryId)) continue;
      const key = `${scope.projectId}/${scope.userPk}`;
      const entry = gone.get(key) ?? { scope, ids: [] };
      entry.ids.push(memoryId);
      gone.set(key, entry);
    }
    for (const { scope, ids } of gone.values()) await this.deps.memoryVectors.delete(scope, ids);
    const made = await upsertMemoryVectors(
      live,
      this.deps.embedder,
      this.deps.memoryVectors,
      this.options.embedBatchSize,
    );
    // An imported memory comes without its embedding (exports carry no vectors): keep the one just made,
    // which deduplication of later facts compares against.
    const missing = new Set(live.filter((row) => row.embedding.length === 0).map((row) => row.id));
    await this.deps.memories.fillEmbeddings(made.filter((made) => missing.has(made.id)));
  }
}

/**
 * Upserts memories' vectors: the embedding stored with the memory when it is
 * of this embedder's dimension, else the text embedded again. Returns the
 * embeddings that had to be made (to store them back).
 */
export async function upsertMemoryVectors(
  memories: readonly MemoryWithEmbedding[],
  embedder: Embedder,
  index: MemoryVectorIndex,
  batchSize: number,
  options: { reembed?: boolean } = {},
): Promise<{ id: string; embedding: number[] }[]> {
  const made: { id: string; embedding: number[] }[] = [];
  for (let i = 0; i < memories.length; i += batchSize) {
    const batch = memories.slice(i, i + batchSize);
    const stale = batch.filter((m) => options.reembed || m.embedding.length !== embedder.dimension);
    const fresh = stale.length ? await embedder.embed(stale.map((m) => m.text)) : [];
    const vectorOf = new Map(stale.map((m, j) => [m.id, fresh[j]!]));
    for (const [id, embedding] of vectorOf) made.push({ id, embedding });
    const records: MemoryVectorRecord[] = batch.map((m) => ({
      memoryId: m.id,
      projectId: m.projectId,
      userPk: m.userPk,
      agentId: m.agentId,
      runId: m.runId,
      vector: vectorOf.get(m.id) ?? m.embedding,
    }));
    await index.upsert(records);
  }
  return made;
}

export async function embedAndUpsert(
  chunks: readonly ChunkRecord[],
  embedder: Embedder,
  vectors: VectorStore,
  batchSize: number,
): Promise<void> {
  for (let i = 0; i < chunks.length; i += batchSize)
    await vectors.upsert(await embedChunks(chunks.slice(i, i + batchSize), embedder, batchSize));
}

/** The chunks' vector records, embedded `batchSize` texts at a time. */
export async function embedChunks(
  chunks: readonly ChunkRecord[],
  embedder: Embedder,
  batchSize: number,
): Promise<VectorRecord[]> {
  const records: VectorRecord[] = [];
  for (let i = 0; i < chunks.length; i += batchSize) {
    const batch = chunks.slice(i, i + batchSize);
    const embeddings = await embedder.embed(batch.map((chunk) => chunk.searchText));
    records.push(
      ...batch.map((chunk, j) => ({
        chunkId: chunk.id,
        projectId: chunk.projectId,
        userPk: chunk.userPk,
        blobId: chunk.blobId,
        blobType: chunk.blobType,
        createdAt: Math.floor(chunk.createdAt.getTime() / 1000),
        vector: embeddings[j]!,
      })),
    );
  }
  return records;
}
