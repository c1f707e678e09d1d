// The interfaces the domain needs from the outside world. Adapters in
// src/infra implement them; only src/app.ts wires the two together.

import type {
  ApiKeyRecord,
  BufferStatus,
  ExtractionInput,
  ExtractionResult,
  MemoryChangeRecord,
  MemoryEventRecord,
  MemoryRecord,
  MemorySnapshot,
  MemoryWithEmbedding,
  NewFact,
  ProfileConfig,
  TokenUsage,
  BlobContent,
  BlobRecord,
  BlobType,
  ChunkRecord,
  JsonObject,
  NewChunk,
  Page,
  PageRequest,
  Project,
  Role,
  UserRecord,
} from './types.js';

// ---------------------------------------------------------------- projects

export interface ProjectRepository {
  create(name: string): Promise<Project>;
  findByName(name: string): Promise<Project | null>;
  findById(id: string): Promise<Project | null>;
  /** Every project, oldest first. */
  list(): Promise<Project[]>;
}

export interface ApiKeyRepository {
  create(input: {
    projectId: string;
    name: string | null;
    role: Role;
    hash: string;
    prefix: string;
  }): Promise<ApiKeyRecord>;
  /** The active (not revoked) key with this hash, or null. */
  findActiveByHash(hash: string): Promise<ApiKeyRecord | null>;
  findById(id: string): Promise<ApiKeyRecord | null>;
  revoke(id: string): Promise<boolean>;
  /** Every key of a project, revoked ones included, oldest first. */
  listByProject(projectId: string): Promise<ApiKeyRecord[]>;
  /** The active (not revoked) keys with this role, in every project, oldest first. */
  listActiveByRole(role: Role): Promise<ApiKeyRecord[]>;
  /** Records that the key authenticated a request at `at` (lastUsedAt). */
  touch(id: string, at: Date): Promise<void>;
}

// ---------------------------------------------------------------- users

export interface UserRepository {
  /** Throws ConflictError when `externalId` is taken within the project. */
  create(projectId: string, input: { externalId: string; data: JsonObject }): Promise<UserRecord>;
  update(pk: string, input: { data: JsonObject }): Promise<UserRecord>;
  /** Deletes the user and its blobs; enqueues the vector-index cleanup in the same transaction. */
  delete(user: UserRecord): Promise<void>;
  findByExternalId(projectId: string, externalId: string): Promise<UserRecord | null>;
  /** Batch lookup for loaders: one entry per pk, null where absent. */
  findByPks(pks: readonly string[]): Promise<(UserRecord | null)[]>;
  list(projectId: string, page: PageRequest): Promise<Page<UserRecord>>;
}

// ---------------------------------------------------------------- blobs

export interface NewBlob {
  projectId: string;
  userPk: string;
  content: BlobContent;
  metadata: JsonObject | null;
  createdAt: Date;
  chunks: NewChunk[];
  /** Whether the blob enters the user's extraction buffer, and its size in tokens. */
  buffer: { tokens: number } | null;
}

export interface BlobListFilter {
  type: BlobType | null;
}

export interface BlobRepository {
  /** Commits the blob, its chunks and an index job in one transaction. */
  insert(blob: NewBlob): Promise<BlobRecord>;
  /** Deletes the blob and its chunks and enqueues the index cleanup, in one transaction. */
  delete(blob: BlobRecord): Promise<void>;
  findById(projectId: string, id: string): Promise<BlobRecord | null>;
  /** Batch lookup for loaders: one entry per id, null where absent. */
  findByIds(ids: readonly string[]): Promise<(BlobRecord | null)[]>;
  listByUser(userPk: string, filter: BlobListFilter, page: PageRequest): Promise<Page<BlobRecord>>;
  /** Batch form used by loaders: the first page of each user's blobs. */
  listFirstPageByUsers(userPks: readonly string[], filter: BlobListFilter, first: number): Promise<Page<BlobRecord>[]>;
}

export interface ChunkSearchFilter {
  userPk: string;
  types: BlobType[] | null;
  since: Date | null;
  until: Date | null;
}

export interface ScoredChunkId {
  chunkId: string;
  score: number;
}

export interface ChunkRepository {
  findByIds(ids: readonly string[]): Promise<ChunkRecord[]>;
  /** All chunks of a blob, by ordinal. */
  findByBlob(blobId: string): Promise<ChunkRecord[]>;
  /** Full-text search over one user's chunks, best first. */
  searchLexical(query: string, filter: ChunkSearchFilter, limit: number): Promise<ScoredChunkId[]>;
  /** Walks every chunk of every blob (for reindexing), in batches. */
  scanAll(batchSize: number): AsyncIterable<ChunkRecord[]>;
}

// ---------------------------------------------------------------- indexing outbox

export type IndexJob =
  | { id: bigint; kind: 'UPSERT_BLOB'; projectId: string; userPk: string; blobId: string; attempts: number }
  | { id: bigint; kind: 'DELETE_BLOB'; projectId: string; userPk: string; blobId: string; attempts: number }
  | { id: bigint; kind: 'DELETE_USER'; projectId: string; userPk: string; blobId: null; attempts: number };

export interface IndexJobQueue {
  /** Jobs whose time has come, oldest first. */
  due(limit: number): Promise<IndexJob[]>;
  complete(ids: readonly bigint[]): Promise<void>;
  retryLater(id: bigint, error: string, at: Date): Promise<void>;
  pendingCount(): Promise<number>;
}

/** What the vector index was built with (model, dimension). */
export interface IndexStateRepository {
  get(): Promise<{ model: string; dimension: number; collection: string } | null>;
  set(state: { model: string; dimension: number; collection: string }): Promise<void>;
}

// ---------------------------------------------------------------- vectors

export interface VectorRecord {
  chunkId: string;
  projectId: string;
  userPk: string;
  blobId: string;
  blobType: BlobType;
  /** Seconds since epoch of the blob's createdAt, for time filters. */
  createdAt: number;
  vector: number[];
}

export interface VectorQuery {
  projectId: string;
  userPk: string;
  vector: number[];
  limit: number;
  types: BlobType[] | null;
  since: Date | null;
  until: Date | null;
}

export interface VectorStore {
  /** Creates or opens the index for vectors of this dimension. */
  open(dimension: number): Promise<void>;
  upsert(records: readonly VectorRecord[]): Promise<void>;
  deleteByBlob(scope: { projectId: string; userPk: string }, blobId: string): Promise<void>;
  deleteByUser(scope: { projectId: string; userPk: string }): Promise<void>;
  /** Nearest chunks of one user; score is a similarity (higher is closer). */
  query(query: VectorQuery): Promise<ScoredChunkId[]>;
  /** Drops every vector (before a full rebuild). */
  reset(): Promise<void>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export interface Embedder {
  /** Identifies the model; stored with the index. */
  readonly model: string;
  readonly dimension: number;
  /** One vector per text, in order. Vectors are L2-normalised. */
  embed(texts: readonly string[]): Promise<number[][]>;
  close(): Promise<void>;
}

// ---------------------------------------------------------------- extraction

/**
 * Turns a batch of a user's messages into memory operations. Two adapters:
 * an LLM over an OpenAI-compatible endpoint, and the offline rule-based one.
 * Implementations throw on failure; the caller retries with backoff.
 */
export interface Extractor {
  readonly name: string;
  extract(input: ExtractionInput): Promise<ExtractionResult>;
}

// ---------------------------------------------------------------- logging

/** Structured logging as the domain needs it (pino's Logger satisfies it). */
export interface Log {
  debug(details: object, message: string): void;
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

// ---------------------------------------------------------------- memories

export interface MemoryRepository {
  /** Null when absent or in another project; deleted memories are returned (with deletedAt). */
  findById(projectId: string, id: string): Promise<MemoryRecord | null>;
  findByIds(ids: readonly string[]): Promise<(MemoryRecord | null)[]>;
  /** Every live memory of a user with its embedding (for decisions and deduplication). */
  listLiveWithEmbeddings(userPk: string): Promise<MemoryWithEmbedding[]>;
  /** Live memories, oldest first. */
  listByUser(userPk: string, page: PageRequest): Promise<Page<MemoryRecord>>;
  /** Live memories grouped later by topic; ordered by topic, subTopic, createdAt. */
  listProfile(userPk: string, topics: string[] | null): Promise<MemoryRecord[]>;
  /** Batch: the blob ids each memory came from, in key order. */
  sourceBlobIds(memoryIds: readonly string[]): Promise<string[][]>;
  /** Batch: each memory's changes, oldest first, in key order. */
  history(memoryIds: readonly string[]): Promise<MemoryChangeRecord[][]>;
  /** Batch: each event's changes, in key order. */
  changesOfEvents(eventIds: readonly string[]): Promise<MemoryChangeRecord[][]>;
  /** An edit made through the API: memory and change written in one transaction. */
  applyManual(edit: ManualEdit): Promise<MemoryChangeRecord>;
}

export type ManualEdit =
  | { kind: 'UPDATE'; memory: MemoryRecord; after: MemorySnapshot; metadata: JsonObject | null; embedding: number[] }
  | { kind: 'DELETE'; memory: MemoryRecord };

export interface EventRepository {
  findById(projectId: string, id: string): Promise<MemoryEventRecord | null>;
  listByUser(userPk: string, page: PageRequest): Promise<Page<MemoryEventRecord>>;
}

/** One fact to write, already decided and embedded. */
export type ResolvedOperation =
  | { kind: 'ADD'; fact: NewFact; embedding: number[] }
  | { kind: 'UPDATE'; memoryId: string; fact: NewFact; embedding: number[] }
  | { kind: 'DELETE'; memoryId: string };

export interface BatchCommit {
  projectId: string;
  userPk: string;
  workerId: string;
  blobIds: string[];
  summary: string;
  tags: string[];
  usage: TokenUsage | null;
  operations: ResolvedOperation[];
}

/**
 * The durable buffer and processing state of each user. Claims are leases in
 * the database, so one user's batches never run concurrently (across
 * processes too) and a crashed worker's claim expires.
 */
export interface ProcessingRepository {
  /** Takes the user's lease; false when another worker holds an unexpired one. */
  claim(userPk: string, workerId: string, leaseMs: number): Promise<boolean>;
  /** The blobs of the next batch (pending, or claimed by a batch that never finished), oldest first. */
  nextBatch(userPk: string, maxTokens: number): Promise<BlobRecord[]>;
  /** Writes memories, changes and the event, marks the blobs done and frees the lease: one transaction. */
  commit(batch: BatchCommit): Promise<{ event: MemoryEventRecord; changes: MemoryChangeRecord[] }>;
  /** Records the failure, returns the blobs to the buffer and frees the lease. */
  fail(userPk: string, workerId: string, error: string, retryAt: Date): Promise<void>;
  release(userPk: string, workerId: string): Promise<void>;
  /** Users whose buffer is due: over the token threshold, idle long enough, or a failed batch whose retry time came. */
  dueUsers(
    now: Date,
    idleMs: number,
    tokenThreshold: number,
    limit: number,
  ): Promise<{ userPk: string; projectId: string }[]>;
  /** Batch: buffer status per user, in key order. */
  status(userPks: readonly string[]): Promise<BufferStatus[]>;
}

export interface ProfileConfigRepository {
  get(projectId: string): Promise<ProfileConfig | null>;
  set(projectId: string, config: ProfileConfig): Promise<void>;
}

// ---------------------------------------------------------------- live events

export type DomainEvent =
  | { type: 'memory.changed'; projectId: string; userPk: string; change: MemoryChangeRecord }
  | { type: 'memory.event'; projectId: string; userPk: string; event: MemoryEventRecord }
  /** A key stopped working: its open WebSocket connections are closed, on every process. */
  | { type: 'key.revoked'; projectId: string; keyId: string }
  /** A user is gone: the subscriptions that follow it end. */
  | { type: 'user.deleted'; projectId: string; userPk: string };

export interface EventSubscription extends AsyncIterableIterator<DomainEvent> {
  return(): Promise<IteratorResult<DomainEvent>>;
}

/**
 * Fan-out of committed changes to live subscribers. Publishing never waits
 * for subscribers: a slow one loses its oldest events, it never blocks
 * extraction.
 */
export interface EventBus {
  publish(event: DomainEvent): Promise<void>;
  /** Events of one project that pass the filter, from now on. */
  subscribe(projectId: string, filter: (event: DomainEvent) => boolean): EventSubscription;
  close(): Promise<void>;
}

// ---------------------------------------------------------------- rate limits

/** A token bucket: holds at most `capacity` tokens and gains `refillPerSecond` each second. */
export interface BucketShape {
  capacity: number;
  refillPerSecond: number;
}

/** A bucket after a take. */
export interface BucketState {
  /** Whether the tokens asked for were there (and were taken). */
  allowed: boolean;
  /** Tokens left. */
  remaining: number;
}

/**
 * Token buckets by key (an API key's request rate, its cost budget). In
 * memory for one process; in Redis when several processes serve one
 * database, so a key's budget is the same whichever process it reaches.
 */
export interface TokenBucketStore {
  /** Takes `amount` tokens from the bucket `key` when it holds them; a bucket never seen before is full. */
  take(key: string, amount: number, shape: BucketShape): Promise<BucketState>;
  close(): Promise<void>;
}
