// VectorStore over a Chroma server (see chroma-server.ts for the embedded one).
//
// Partitioning (measured in docs/vector-partitioning.md): on Chroma 1.0 a
// filtered query costs in proportion to the size of the collection it runs
// in, and every collection reserves ~21 MB of disk and ~4.4 MiB of RAM at 512
// dimensions. So users are packed into SHARD collections of bounded size:
//
// - A directory collection maps each user (project + user pk) to a shard.
// - A new user joins the fullest shared shard that still has room below
//   `shardTargetRecords`, or a new shard.
// - When a shared shard grows past `shardMaxRecords` (its users kept writing),
//   its largest users move to other shards until it is back at the target.
// - A user with `soloRecords` or more moves to a SOLO shard of its own. Its
//   queries need no user filter at all (an unfiltered HNSW search).
// - Every query runs in one shard, with `where` clauses that match only that
//   user's rows (chroma-keys.ts). A query's cost depends on the shard size
//   (bounded) and on the user's own data, not on how many users exist.
//
// Collections are named memql_<model tag>_<dimension>_*: switching models or
// dimensions means a reindex into new collections.
//
// Assumes one writing process per Chroma server (the memql server): the
// user -> shard cache and the per-shard locks live in this process. Other
// processes may read; a cache miss always re-reads the directory.

import { setTimeout as sleep } from 'node:timers/promises';
import {
  ChromaClient,
  ChromaConnectionError,
  ChromaNotFoundError,
  ChromaServerError,
  type Collection,
  type Metadata,
  type Where,
} from 'chromadb';
import { VectorIndexUnavailableError } from '../../domain/errors.js';
import type { ScoredChunkId, VectorQuery, VectorRecord, VectorStore } from '../../domain/ports.js';
import { KeyedMutex } from './keyed-mutex.js';
import { DEFAULT_SHARD_TARGET_RECORDS } from './shard-defaults.js';
import {
  recordMetadata,
  sanitizeNamePart,
  spaceNames,
  userKey,
  queryPlan,
  whereBlob,
  whereUser,
  type QueryPlan,
  type SpaceNames,
} from './chroma-keys.js';

/** What the store reports about its own housekeeping (pino's Logger fits). */
export interface ChromaStoreLog {
  info(details: object, message: string): void;
  /** Transient Chroma conditions the store retried (see UNBUILT_SEGMENT). Default: info() is not used for these. */
  warn?(details: object, message: string): void;
}

export interface ChromaVectorStoreOptions {
  /** Base URL of the Chroma server, e.g. the `url` of startChromaServer(). */
  url: string;
  /**
   * Identifies the embedding model (e.g. "use-lite-512"); part of every
   * collection name together with the dimension, so vectors of two models
   * never mix. Sanitised to [a-z0-9.-].
   */
  modelTag: string;
  /** First part of every collection name; reset() drops all collections under it. Default "memql". */
  prefix?: string;
  /**
   * A shared shard stops taking new users once it holds this many records,
   * and rebalancing brings overfull shards back to it.
   * @default DEFAULT_SHARD_TARGET_RECORDS (2,000, shard-defaults.ts)
   */
  shardTargetRecords?: number;
  /**
   * A shared shard above this many records is rebalanced during the next
   * upsert into it (the upsert waits for the moves). Bounds query latency:
   * see docs/vector-partitioning.md. Default 2 x shardTargetRecords.
   */
  shardMaxRecords?: number;
  /** A user with at least this many records gets a shard of its own. Default shardTargetRecords. */
  soloRecords?: number;
  /** Receives shard creations and user moves. Default: silent. */
  log?: ChromaStoreLog;
  /**
   * A query Chroma has not answered within this many ms fails with
   * VectorIndexUnavailableError (searches then answer lexically) instead of
   * waiting for a hung server. Default 10,000.
   */
  queryTimeoutMs?: number;
}

export interface ChromaStoreStats {
  /** Common prefix of this model/dimension's collections (IndexState.collection). */
  space: string;
  users: number;
  /** solo: the shard belongs to one user. */
  shards: { name: string; records: number; solo: boolean }[];
}

/**
 * One record of any kind in a user-partitioned space (a chunk, a memory): its
 * id, its owner, its vector and its metadata, which carries at least the
 * owner's `uk`, `projectId` and `userPk` (rebalancing reads them).
 */
export interface ShardEntry {
  id: string;
  projectId: string;
  userPk: string;
  vector: number[];
  metadata: Metadata;
}

/** How to ask one user's shard: the `where` (none in a solo shard without filters), time bounds to re-check. */
export type PlanFor = (key: string, solo: boolean) => QueryPlan;

interface Shard {
  index: number;
  name: string;
  collection: Collection;
  /** The only user of a solo shard; null for a shared shard. */
  owner: string | null;
  /** Users assigned to the shard (from the directory). */
  users: number;
  /** Record count: exact after count(), an upper bound after upserts; 0 until `counted`. */
  records: number;
  /**
   * Whether `records` was read from Chroma. The shards found when a store
   * opens are counted when first needed: a count is Chroma's first touch of
   * the collection, which loads its graph (see HNSW_SYNC_THRESHOLD), and a
   * restart need not wait for every shard's.
   */
  counted: boolean;
  /** The first count in flight: callers share it, so none overwrites another's additions. */
  counting?: Promise<void>;
}

interface Space {
  dimension: number;
  names: SpaceNames;
  directory: Collection;
  shards: Map<number, Shard>;
  /** userKey -> shard index. */
  users: Map<string, number>;
}

interface DirectoryEntry extends Metadata {
  shard: number;
  projectId: string;
  userPk: string;
}

/** Chroma rejects requests over 5,461 records (max_batch_size) and payloads over 40 MiB. */
const MAX_RECORDS_PER_REQUEST = 5_000;
const MAX_PAYLOAD_BYTES = 16 * 1024 * 1024;
const DEFAULT_QUERY_TIMEOUT_MS = 10_000;
/** Page size when reading records back (embeddings come back as JSON numbers). */
const READ_PAGE = 1_000;
const LIST_PAGE = 100;

/**
 * Writes Chroma applies to a shard's HNSW graph before it saves the graph to
 * disk. At Chroma's default (1,000) a shard keeps up to 999 records that were
 * never saved, and Chroma inserts them into the graph again when a restarted
 * server first touches the shard: about 250 ms a shard (profiled: hnswlib
 * insertions), 2.7 s of a second start on 20,000 chunks (10 shards) and tens
 * of seconds at 200,000. At 100 the first touch costs a tenth (0.8 s against
 * 2.7 s for those 10 shards). A save writes only the records that changed:
 * loading 20,000 chunks took no longer (30-39 s against 37-45 s at 1,000,
 * two runs each at load 5).
 */
const HNSW_SYNC_THRESHOLD = 100;

/**
 * Chroma 1.0.0 answers a query with this internal error while the FIRST write
 * into a collection is being applied: the HNSW segment of a collection that
 * never held a vector does not exist yet, and a query arriving between the
 * write reaching Chroma's log and the write's acknowledgement finds nothing on
 * disk to read. Measured (docs/vector-partitioning.md, "New shards"): the
 * window closes before the upsert returns (~100 ms for 1 record, ~300 ms for
 * 1,000 at 512 dims); queries before, after, or on a collection that already
 * held vectors (also after a Chroma restart) never see it, and it is not
 * sticky. Only this message is retried.
 */
const UNBUILT_SEGMENT = 'Error creating hnsw segment reader: Nothing found on disk';
/** Pauses before retrying a query that hit UNBUILT_SEGMENT (after waiting for this process's write into the shard). */
const UNBUILT_SEGMENT_BACKOFF_MS = [20, 50, 100, 200, 400, 800] as const;

/** A failure of this store, its message starting with `ChromaVectorStore`; wrap() passes it on as it is. */
export class ChromaStoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ChromaStoreError';
  }
}

export class ChromaVectorStore implements VectorStore {
  private readonly client: ChromaClient;
  private readonly prefix: string;
  private readonly target: number;
  private readonly max: number;
  private readonly solo: number;
  private dimension: number | null = null;
  private space: Promise<Space> | null = null;
  private readonly shardLocks = new KeyedMutex<number>();
  private readonly assignLock = new KeyedMutex<'assign'>();
  private readonly rebalanceLock = new KeyedMutex<'rebalance'>();

  constructor(private readonly options: ChromaVectorStoreOptions) {
    const url = new URL(options.url);
    this.client = new ChromaClient({
      host: url.hostname,
      port: url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80,
      ssl: url.protocol === 'https:',
    });
    this.prefix = options.prefix ?? 'memql';
    this.target = options.shardTargetRecords ?? DEFAULT_SHARD_TARGET_RECORDS;
    this.max = options.shardMaxRecords ?? 2 * this.target;
    this.solo = options.soloRecords ?? this.target;
    if (!(this.target >= 1 && this.max >= this.target && this.solo >= 1)) {
      throw new ChromaStoreError(
        `ChromaVectorStore: need 1 <= shardTargetRecords (${this.target}) <= shardMaxRecords (${this.max}) and soloRecords (${this.solo}) >= 1`,
      );
    }
    // Validates the names early (throws on an unusable model tag).
    spaceNames(this.prefix, options.modelTag, 1);
  }

  /** Collection-name prefix of the open model/dimension (what IndexState.collection records). */
  get collectionPrefix(): string {
    return this.spaceName(this.requireDimension());
  }

  /** The collection-name prefix for a dimension. */
  spaceName(dimension: number): string {
    return spaceNames(this.prefix, this.options.modelTag, dimension).base;
  }

  async open(dimension: number): Promise<void> {
    if (!Number.isInteger(dimension) || dimension < 1)
      throw new ChromaStoreError(`ChromaVectorStore.open: bad dimension ${dimension}`);
    this.dimension = dimension;
    this.space = null;
    await this.withSpace('open', async () => undefined);
  }

  async upsert(records: readonly VectorRecord[]): Promise<void> {
    await this.upsertEntries(
      records.map((record) => ({
        id: record.chunkId,
        projectId: record.projectId,
        userPk: record.userPk,
        vector: record.vector,
        metadata: recordMetadata(record),
      })),
    );
  }

  /** Upserts records of any kind into their users' shards (placing new users, rebalancing full shards). */
  async upsertEntries(entries: readonly ShardEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const dimension = this.requireDimension();
    const byUser = new Map<string, ShardEntry[]>();
    for (const entry of entries) {
      if (entry.vector.length !== dimension) {
        throw new Error(
          `Vector of record ${entry.id} has ${entry.vector.length} dimensions; the index holds ${dimension}`,
        );
      }
      const key = userKey(entry.projectId, entry.userPk);
      const group = byUser.get(key);
      if (group) group.push(entry);
      else byUser.set(key, [entry]);
    }
    await this.withSpace('upsert', async (space) => {
      // Users are placed first, then each shard gets one request (or as few as
      // its size allows) for all of its users' records, the shards at once.
      // A shard's count grows as users are placed, so the next placement sees it.
      const byShard = new Map<number, { shard: Shard; groups: [string, ShardEntry[]][] }>();
      for (const [key, group] of byUser) {
        const first = group[0]!;
        const shard = await this.counted(
          (await this.findShard(space, key)) ??
            (await this.assignShard(space, key, {
              projectId: first.projectId,
              userPk: first.userPk,
              incoming: group.length,
            })),
        );
        shard.records += group.length;
        const entry = byShard.get(shard.index) ?? { shard, groups: [] };
        entry.groups.push([key, group]);
        byShard.set(shard.index, entry);
      }
      await Promise.all([...byShard.values()].map(({ shard, groups }) => this.upsertShard(space, shard, groups)));
    });
  }

  /** Upserts users' records into their shard under its lock; a user moved meanwhile is upserted where it went. */
  private async upsertShard(space: Space, shard: Shard, groups: [string, ShardEntry[]][]): Promise<void> {
    const moved = await this.shardLocks.run(shard.index, async () => {
      const here = groups.filter(([key]) => space.users.get(key) === shard.index);
      await this.writeRecords(
        shard,
        here.flatMap(([, group]) => group),
        space.dimension,
      );
      return groups.filter(([key]) => space.users.get(key) !== shard.index);
    });
    for (const [key, group] of moved) {
      const first = group[0]!;
      const placed = await this.lockedUserShard(
        space,
        key,
        { projectId: first.projectId, userPk: first.userPk, incoming: group.length },
        async (locked) => {
          await this.counted(locked);
          locked.records += group.length;
          await this.writeRecords(locked, group, space.dimension);
          return locked;
        },
      );
      if (placed && placed.owner === null && placed.records > this.max) await this.rebalance(space, placed);
    }
    if (shard.owner === null && shard.records > this.max) await this.rebalance(space, shard);
  }

  /** Upserts into a shard in requests Chroma accepts (the caller holds the shard's lock and counted the records). */
  private async writeRecords(shard: Shard, entries: readonly ShardEntry[], dimension: number): Promise<void> {
    for (const batch of batches(entries, this.batchSize(dimension))) {
      await shard.collection.upsert({
        ids: batch.map((e) => e.id),
        embeddings: batch.map((e) => e.vector),
        metadatas: batch.map((e) => e.metadata),
      });
    }
  }

  async deleteByBlob(scope: { projectId: string; userPk: string }, blobId: string): Promise<void> {
    const key = userKey(scope.projectId, scope.userPk);
    await this.deleteEntries(scope, { where: whereBlob(key, blobId) });
  }

  /** Deletes some of one user's records: by id, or by a `where` that must only match that user's rows. */
  async deleteEntries(
    scope: { projectId: string; userPk: string },
    selector: { ids: readonly string[] } | { where: Where },
  ): Promise<void> {
    if ('ids' in selector && selector.ids.length === 0) return;
    const key = userKey(scope.projectId, scope.userPk);
    await this.withSpace('delete', (space) =>
      this.lockedUserShard(space, key, null, async (shard) => {
        if ('ids' in selector) {
          for (const ids of batches(selector.ids, MAX_RECORDS_PER_REQUEST))
            await shard.collection.delete({ ids, where: whereUser(key) });
        } else {
          await shard.collection.delete({ where: selector.where });
        }
      }),
    );
  }

  async deleteByUser(scope: { projectId: string; userPk: string }): Promise<void> {
    const key = userKey(scope.projectId, scope.userPk);
    await this.withSpace('deleteByUser', (space) =>
      this.lockedUserShard(space, key, null, async (shard) => {
        if (shard.owner === key) {
          // The user's own shard goes with it.
          await space.directory.delete({ ids: [key] });
          await this.client.deleteCollection({ name: shard.name });
          this.uncacheUser(space, key);
          space.shards.delete(shard.index);
          return;
        }
        await shard.collection.delete({ where: whereUser(key) });
        await space.directory.delete({ ids: [key] });
        this.uncacheUser(space, key);
        await this.recount(shard);
      }),
    );
  }

  async query(query: VectorQuery): Promise<ScoredChunkId[]> {
    return this.queryEntries(query, query.vector, query.limit, (key, solo) => queryPlan(key, query, solo));
  }

  /** One user's nearest records (ids in `chunkId`), asked as `plan` says; score is the cosine similarity. */
  async queryEntries(
    scope: { projectId: string; userPk: string },
    vector: number[],
    limit: number,
    plan: PlanFor,
  ): Promise<ScoredChunkId[]> {
    this.checkQueryVector(vector);
    if (limit < 1) return [];
    const key = userKey(scope.projectId, scope.userPk);
    return this.withinQueryTimeout(() =>
      this.withSpace('query', async (space) => {
        // Retried once when the user was moved to another shard mid-query.
        for (let attempt = 0; ; attempt++) {
          const shard = await this.findShard(space, key);
          if (!shard) return [];
          const hits = await this.queryShardRetrying(shard, plan(key, shard.owner === key), vector, limit);
          if (space.users.get(key) !== shard.index && attempt === 0) continue;
          return hits;
        }
      }),
    );
  }

  /**
   * The nearest records of several users of one project (`userPks`), or of
   * the whole project (null): one filtered query per shard that holds them,
   * merged by score. Costs one query per shard involved: for admin tools,
   * not for the hot path.
   */
  async queryProjectEntries(
    projectId: string,
    userPks: readonly string[] | null,
    vector: number[],
    limit: number,
  ): Promise<ScoredChunkId[]> {
    this.checkQueryVector(vector);
    if (limit < 1 || (userPks !== null && userPks.length === 0)) return [];
    return this.withinQueryTimeout(() =>
      this.withSpace('query', async (space) => {
        const asks: { shard: Shard; where: Where }[] = [];
        if (userPks === null) {
          for (const shard of space.shards.values()) asks.push({ shard, where: { projectId } });
        } else {
          const keysByShard = new Map<Shard, string[]>();
          for (const userPk of new Set(userPks)) {
            const key = userKey(projectId, userPk);
            const shard = await this.findShard(space, key);
            if (shard) keysByShard.set(shard, [...(keysByShard.get(shard) ?? []), key]);
          }
          for (const [shard, keys] of keysByShard)
            asks.push({ shard, where: keys.length === 1 ? { uk: keys[0]! } : { uk: { $in: keys } } });
        }
        const hits: ScoredChunkId[] = [];
        for (const ask of asks) {
          if (ask.shard.counted && ask.shard.records === 0) continue;
          const plan: QueryPlan = { where: ask.where, bounds: null, empty: false };
          hits.push(...(await this.queryShardRetrying(ask.shard, plan, vector, limit)));
        }
        return hits.sort((a, b) => b.score - a.score).slice(0, limit);
      }),
    );
  }

  /** The query's answer, or VectorIndexUnavailableError once queryTimeoutMs has passed without one. */
  private async withinQueryTimeout<T>(query: () => Promise<T>): Promise<T> {
    const ms = this.options.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new VectorIndexUnavailableError(
              `ChromaVectorStore.query: Chroma at ${this.options.url} did not answer within ${ms} ms`,
              `did not answer within ${ms} ms`,
            ),
          ),
        ms,
      );
    });
    const answer = query();
    answer.catch(() => undefined); // a failure after the timeout has no one left to tell
    try {
      return await Promise.race([answer, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  private checkQueryVector(vector: readonly number[]): void {
    const dimension = this.requireDimension();
    if (vector.length !== dimension)
      throw new Error(`Query vector has ${vector.length} dimensions; the index holds ${dimension}`);
  }

  /**
   * queryShard(), retrying the transient UNBUILT_SEGMENT error of a shard
   * whose first write is in flight. Each retry first waits for the write this
   * process holds on the shard (upserts and moves hold the shard lock until
   * Chroma acknowledged them, and the window always closes before that), then
   * backs off, which covers writes the lock does not see. Bounded: after the
   * last retry the error leaves like any other.
   */
  private async queryShardRetrying(
    shard: Shard,
    plan: QueryPlan,
    vector: number[],
    limit: number,
  ): Promise<ScoredChunkId[]> {
    for (let retry = 0; ; retry++) {
      try {
        return await this.queryShard(shard, plan, vector, limit);
      } catch (error) {
        const pause = UNBUILT_SEGMENT_BACKOFF_MS[retry];
        if (pause === undefined || !isUnbuiltSegment(error)) throw error;
        this.options.log?.warn?.(
          { shard: shard.name, retry: retry + 1, pauseMs: pause },
          'chroma shard has no HNSW segment yet (first write in flight); retrying query',
        );
        await this.shardLocks.run(shard.index, async () => undefined);
        await sleep(pause);
      }
    }
  }

  private async queryShard(shard: Shard, plan: QueryPlan, vector: number[], limit: number): Promise<ScoredChunkId[]> {
    if (plan.empty) return [];
    const bounds = plan.bounds;
    // Time buckets are whole days at the edges: ask for more than the limit
    // and re-check createdAt, asking for more again while rows were dropped.
    let nResults = bounds ? limit * 2 : limit;
    for (;;) {
      const result = await shard.collection.query<{ createdAt: number }>({
        queryEmbeddings: [vector],
        nResults,
        ...(plan.where ? { where: plan.where } : {}),
        include: bounds ? ['distances', 'metadatas'] : ['distances'],
      });
      const ids = result.ids[0] ?? [];
      const distances = result.distances[0] ?? [];
      const metadatas = result.metadatas[0] ?? [];
      const hits: ScoredChunkId[] = [];
      for (let i = 0; i < ids.length && hits.length < limit; i++) {
        if (bounds) {
          const createdAt = metadatas[i]?.createdAt;
          if (typeof createdAt !== 'number' || createdAt < bounds.since || createdAt > bounds.until) continue;
        }
        // Cosine space: distance = 1 - cosine similarity.
        hits.push({ chunkId: ids[i]!, score: 1 - (distances[i] ?? 1) });
      }
      if (hits.length >= limit || ids.length < nResults) return hits;
      nResults *= 4;
    }
  }

  async reset(): Promise<void> {
    const prefix = `${sanitizeNamePart(this.prefix)}_`;
    await this.wrap('reset', async () => {
      for (const name of await this.listCollectionNames()) {
        if (name.startsWith(prefix)) await this.client.deleteCollection({ name });
      }
    });
    this.space = null;
  }

  async ping(): Promise<boolean> {
    try {
      await this.client.heartbeat();
      return true;
    } catch {
      // Unreachable or unhealthy: that is the answer ping() exists to give.
      return false;
    }
  }

  async close(): Promise<void> {
    // The HTTP client holds no connections of its own; forget cached handles.
    this.space = null;
  }

  /** Users, shards and their sizes in the open space (for benchmarks and diagnostics). */
  async stats(): Promise<ChromaStoreStats> {
    return this.withSpace('stats', async (space) => {
      const shards: ChromaStoreStats['shards'] = [];
      for (const shard of [...space.shards.values()].sort((a, b) => a.index - b.index)) {
        await this.recount(shard);
        shards.push({ name: shard.name, records: shard.records, solo: shard.owner !== null });
      }
      return { space: space.names.base, users: await space.directory.count(), shards };
    });
  }

  // ------------------------------------------------------------ internals

  private requireDimension(): number {
    if (this.dimension === null) throw new ChromaStoreError('ChromaVectorStore: call open(dimension) first');
    return this.dimension;
  }

  private batchSize(dimension: number): number {
    // Embeddings travel as base64 float32 (4/3 * 4 bytes per number) plus ~700 bytes of id and metadata.
    const perRecord = Math.ceil((dimension * 4 * 4) / 3) + 700;
    return Math.max(1, Math.min(MAX_RECORDS_PER_REQUEST, Math.floor(MAX_PAYLOAD_BYTES / perRecord)));
  }

  /**
   * Runs `work` with the open space. When a collection vanished under us
   * (reset() by another process), reloads the space and retries once. Errors
   * leave with the operation and the server named.
   */
  private async withSpace<T>(operation: string, work: (space: Space) => Promise<T>): Promise<T> {
    return this.wrap(operation, async () => {
      try {
        return await work(await this.loadSpace());
      } catch (error) {
        if (!(error instanceof ChromaNotFoundError)) throw error;
        this.space = null;
        return work(await this.loadSpace());
      }
    });
  }

  private async wrap<T>(operation: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof ChromaStoreError || error instanceof VectorIndexUnavailableError) throw error;
      const message = error instanceof Error ? error.message : String(error);
      // Down or restarting (connection refused): callers degrade rather than fail.
      if (error instanceof ChromaConnectionError)
        throw new VectorIndexUnavailableError(
          `ChromaVectorStore.${operation} failed (Chroma at ${this.options.url}): ${message}`,
          'is not reachable (down or restarting)',
          { cause: error },
        );
      throw new ChromaStoreError(`ChromaVectorStore.${operation} failed (Chroma at ${this.options.url}): ${message}`, {
        cause: error,
      });
    }
  }

  private loadSpace(): Promise<Space> {
    const dimension = this.requireDimension();
    if (!this.space) {
      const loading = this.readSpace(dimension);
      this.space = loading;
      // A failed load is retried by the next call.
      loading.catch(() => {
        if (this.space === loading) this.space = null;
      });
    }
    return this.space;
  }

  private async readSpace(dimension: number): Promise<Space> {
    const names = spaceNames(this.prefix, this.options.modelTag, dimension);
    const directory = await this.client.getOrCreateCollection({
      name: names.directory,
      embeddingFunction: null,
      metadata: { memql: 'directory', model: this.options.modelTag, dimension },
    });
    const space: Space = { dimension, names, directory, shards: new Map(), users: new Map() };
    for (const name of await this.listCollectionNames()) {
      const index = names.parseShard(name);
      if (index !== null) await this.attachShard(space, index, null, { count: false });
    }
    // The whole directory is small (one short record per user): cache it, with per-shard user counts.
    for (let offset = 0; ; offset += MAX_RECORDS_PER_REQUEST) {
      const page = await directory.get<DirectoryEntry>({
        include: ['metadatas'],
        limit: MAX_RECORDS_PER_REQUEST,
        offset,
      });
      for (let i = 0; i < page.ids.length; i++) {
        const entry = page.metadatas[i];
        if (entry) this.cacheUser(space, page.ids[i]!, (await this.attachShard(space, entry.shard)).index);
      }
      if (page.ids.length < MAX_RECORDS_PER_REQUEST) break;
    }
    return space;
  }

  private async listCollectionNames(): Promise<string[]> {
    const names: string[] = [];
    for (let offset = 0; ; offset += LIST_PAGE) {
      const page = await this.client.listCollections({ limit: LIST_PAGE, offset });
      names.push(...page.map((collection) => collection.name));
      if (page.length < LIST_PAGE) return names;
    }
  }

  /**
   * Opens (creating if needed) shard `index` and records its size, or leaves
   * that for later with `count: false`. `owner` makes a new shard solo.
   */
  private async attachShard(
    space: Space,
    index: number,
    owner: string | null = null,
    options: { count: boolean } = { count: true },
  ): Promise<Shard> {
    const existing = space.shards.get(index);
    if (existing) return existing;
    const name = space.names.shard(index);
    const collection = await this.client.getOrCreateCollection({
      name,
      embeddingFunction: null,
      configuration: { hnsw: { space: 'cosine', sync_threshold: HNSW_SYNC_THRESHOLD } },
      metadata: {
        memql: 'shard',
        model: this.options.modelTag,
        dimension: space.dimension,
        ...(owner ? { solo: owner } : {}),
      },
    });
    // A shard made before the threshold was set keeps Chroma's default until told.
    if ((collection.configuration?.hnsw?.sync_threshold ?? Number.POSITIVE_INFINITY) > HNSW_SYNC_THRESHOLD)
      await collection.modify({ configuration: { hnsw: { sync_threshold: HNSW_SYNC_THRESHOLD } } });
    const solo = collection.metadata?.solo;
    const shard: Shard = {
      index,
      name,
      collection,
      owner: typeof solo === 'string' ? solo : null,
      users: 0,
      records: options.count ? await collection.count() : 0,
      counted: options.count,
    };
    space.shards.set(index, shard);
    return shard;
  }

  /** Reads the shard's record count from Chroma if it was never read. */
  private async counted(shard: Shard): Promise<Shard> {
    if (!shard.counted) {
      shard.counting ??= this.recount(shard).finally(() => {
        shard.counting = undefined;
      });
      await shard.counting;
    }
    return shard;
  }

  private async recount(shard: Shard): Promise<void> {
    shard.records = await shard.collection.count();
    shard.counted = true;
  }

  /** The user's shard from the cache, else from the directory; null for a user without vectors. */
  private async findShard(space: Space, key: string): Promise<Shard | null> {
    const cached = space.users.get(key);
    if (cached !== undefined) return this.attachShard(space, cached);
    const found = await space.directory.get<DirectoryEntry>({ ids: [key], include: ['metadatas'] });
    const entry = found.metadatas[0];
    if (!entry) return null;
    const shard = await this.attachShard(space, entry.shard);
    this.cacheUser(space, key, shard.index);
    return shard;
  }

  /**
   * Runs `work` under the lock of the user's shard, making sure the user still
   * lives there once the lock is held (a rebalance may have moved it). With
   * `assign`, a user without a shard gets one; without, the work is skipped
   * for such a user and null returned.
   */
  private async lockedUserShard<T>(
    space: Space,
    key: string,
    assign: { projectId: string; userPk: string; incoming: number } | null,
    work: (shard: Shard) => Promise<T>,
  ): Promise<T | null> {
    for (;;) {
      const shard = (await this.findShard(space, key)) ?? (assign ? await this.assignShard(space, key, assign) : null);
      if (!shard) return null;
      const outcome = await this.shardLocks.run(shard.index, async () =>
        space.users.get(key) === shard.index ? { value: await work(shard) } : null,
      );
      if (outcome) return outcome.value;
    }
  }

  private async assignShard(
    space: Space,
    key: string,
    user: { projectId: string; userPk: string; incoming: number },
  ): Promise<Shard> {
    return this.assignLock.run('assign', async () => {
      const known = await this.findShard(space, key);
      if (known) return known;
      const chosen = await this.pickShard(space, key, { records: user.incoming, room: user.incoming }, null);
      const entry: DirectoryEntry = { shard: chosen.index, projectId: user.projectId, userPk: user.userPk };
      // add() keeps an existing id: if another process assigned the user first, its choice wins.
      await space.directory.add({ ids: [key], embeddings: [[1]], metadatas: [entry] });
      const winner = await this.findShardFromDirectory(space, key);
      if (!winner)
        throw new ChromaStoreError(`ChromaVectorStore: directory entry for ${key} vanished right after it was written`);
      return winner;
    });
  }

  private async findShardFromDirectory(space: Space, key: string): Promise<Shard | null> {
    this.uncacheUser(space, key);
    return this.findShard(space, key);
  }

  /** Records where a user lives, keeping the per-shard user counts right. */
  private cacheUser(space: Space, key: string, index: number): void {
    const previous = space.users.get(key);
    if (previous === index) return;
    if (previous !== undefined) this.uncacheUser(space, key);
    space.users.set(key, index);
    const shard = space.shards.get(index);
    if (shard) shard.users++;
  }

  private uncacheUser(space: Space, key: string): void {
    const previous = space.users.get(key);
    if (previous === undefined) return;
    space.users.delete(key);
    const shard = space.shards.get(previous);
    if (shard) shard.users = Math.max(0, shard.users - 1);
  }

  /**
   * Where a user of `records` records goes: a new solo shard when it is big
   * enough, else the fullest shared shard (other than `exclude`) with room
   * for it below the target, else a new shared shard. Room is judged on what
   * the shard's users will probably hold: users tend to grow to the average
   * size, so a shard of many small new users is not "nearly empty".
   */
  private async pickShard(
    space: Space,
    key: string,
    need: { records: number; room: number },
    exclude: number | null,
  ): Promise<Shard> {
    if (need.records >= this.solo) return this.createShard(space, key);
    for (const shard of space.shards.values()) if (shard.owner === null) await this.counted(shard);
    let sharedRecords = 0;
    let sharedUsers = 0;
    for (const shard of space.shards.values()) {
      if (shard.owner !== null) continue;
      sharedRecords += shard.records;
      sharedUsers += shard.users;
    }
    const average = sharedUsers > 0 ? sharedRecords / sharedUsers : 0;
    const wanted = Math.max(need.room, average);
    let best: Shard | null = null;
    for (const shard of space.shards.values()) {
      if (shard.owner !== null || shard.index === exclude) continue;
      const expected = Math.max(shard.records, shard.users * average);
      if (expected + wanted > this.target) continue;
      if (!best || shard.records > best.records) best = shard;
    }
    return best ?? this.createShard(space, null);
  }

  private async createShard(space: Space, owner: string | null): Promise<Shard> {
    const next = Math.max(-1, ...space.shards.keys()) + 1;
    const created = await this.attachShard(space, next, owner);
    this.options.log?.info({ shard: created.name, solo: owner }, 'chroma shard created');
    return created;
  }

  /**
   * Brings an overfull shared shard back under the target. When its largest
   * user is big enough for a solo shard, the OTHER users move out and the
   * shard becomes that user's (less data to move than moving the big user).
   * Otherwise the largest users move out until the shard is at the target.
   */
  private async rebalance(space: Space, shard: Shard): Promise<void> {
    await this.rebalanceLock.run('rebalance', () =>
      this.shardLocks.run(shard.index, async () => {
        if (shard.owner !== null || !space.shards.has(shard.index)) return;
        await this.recount(shard);
        if (shard.records <= this.max) return;
        const users = await this.countUsers(shard);
        shard.users = users.size;
        const largestFirst = [...users.entries()].sort((a, b) => b[1].records - a[1].records);
        const [largestKey, largest] = largestFirst[0] ?? [];
        if (largestKey !== undefined && largest && largest.records >= this.solo) {
          for (const [key, user] of largestFirst.slice(1)) await this.moveOut(space, shard, key, user);
          await this.makeSolo(shard, largestKey);
        } else {
          let remaining = shard.records;
          for (const [key, user] of largestFirst.slice(0, -1)) {
            if (remaining <= this.target) break;
            await this.moveOut(space, shard, key, user);
            remaining -= user.records;
          }
        }
        await this.recount(shard);
      }),
    );
  }

  private async moveOut(
    space: Space,
    from: Shard,
    key: string,
    user: { records: number; projectId: string; userPk: string },
  ): Promise<void> {
    // Room for the user to double before it has to move again.
    const destination = await this.pickShard(space, key, { records: user.records, room: 2 * user.records }, from.index);
    await this.shardLocks.run(destination.index, () => this.moveUser(space, key, user, from, destination));
  }

  /** Marks a shard that now holds one user as that user's solo shard. */
  private async makeSolo(shard: Shard, key: string): Promise<void> {
    await shard.collection.modify({ metadata: { ...(shard.collection.metadata ?? {}), solo: key } });
    shard.owner = key;
    this.options.log?.info({ shard: shard.name, solo: key }, 'chroma shard became solo');
  }

  private async countUsers(shard: Shard): Promise<Map<string, { records: number; projectId: string; userPk: string }>> {
    const users = new Map<string, { records: number; projectId: string; userPk: string }>();
    for (let offset = 0; ; offset += MAX_RECORDS_PER_REQUEST) {
      const page = await shard.collection.get({ include: ['metadatas'], limit: MAX_RECORDS_PER_REQUEST, offset });
      for (const metadata of page.metadatas) {
        if (!metadata) continue;
        const key = String(metadata.uk);
        const user = users.get(key);
        if (user) user.records++;
        else users.set(key, { records: 1, projectId: String(metadata.projectId), userPk: String(metadata.userPk) });
      }
      if (page.ids.length < MAX_RECORDS_PER_REQUEST) return users;
    }
  }

  /**
   * Copy, then switch the directory, then delete: a concurrent query sees the
   * user's complete data in one shard or the other. Both shard locks are held.
   */
  private async moveUser(
    space: Space,
    key: string,
    user: { records: number; projectId: string; userPk: string },
    from: Shard,
    to: Shard,
  ): Promise<void> {
    const started = Date.now();
    let moved = 0;
    for (let offset = 0; ; offset += READ_PAGE) {
      const page = await from.collection.get({
        where: whereUser(key),
        include: ['embeddings', 'metadatas'],
        limit: READ_PAGE,
        offset,
      });
      if (page.ids.length > 0) {
        await to.collection.upsert({
          ids: page.ids,
          embeddings: page.embeddings,
          metadatas: page.metadatas.map((metadata) => metadata ?? {}),
        });
        moved += page.ids.length;
        to.records += page.ids.length;
      }
      if (page.ids.length < READ_PAGE) break;
    }
    const entry: DirectoryEntry = { shard: to.index, projectId: user.projectId, userPk: user.userPk };
    await space.directory.upsert({ ids: [key], embeddings: [[1]], metadatas: [entry] });
    this.cacheUser(space, key, to.index);
    await from.collection.delete({ where: whereUser(key) });
    from.records -= moved;
    this.options.log?.info(
      { user: key, from: from.name, to: to.name, records: moved, ms: Date.now() - started },
      'chroma user moved',
    );
  }
}

/**
 * Chroma 1.0 reports the unbuilt segment as a generic HTTP 500, which the
 * client turns into ChromaServerError: no error class or code names this
 * case, so the message is the only way to tell it from other server errors.
 */
function isUnbuiltSegment(error: unknown): boolean {
  return error instanceof ChromaServerError && error.message.includes(UNBUILT_SEGMENT);
}

function* batches<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}
