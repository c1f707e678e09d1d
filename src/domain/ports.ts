// The interfaces the domain needs from the outside world. Adapters in
// src/infra implement them; only src/app.ts wires the two together.

import type { MemoryPageRequest } from './memory/memory-page.js';
import type { MemorySelection } from './memory/memory-filter.js';
import type {
  ApiKeyRecord,
  BufferStatus,
  ExtractionInput,
  ExtractionResult,
  MemoryChangeRecord,
  MemoryContent,
  MemoryEventRecord,
  MemoryRecord,
  MemoryWithEmbedding,
  NewFact,
  ProfileConfig,
  TokenUsage,
  BlobContent,
  BlobRecord,
  BlobType,
  ChunkRecord,
  JsonObject,
  JsonValue,
  NewChunk,
  Page,
  PageRequest,
  Project,
  Role,
  Scope,
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
  /**
   * Deletes the user and its blobs, and the lossless exports of that user
   * alone (userIds exactly [its externalId]); enqueues the vector-index
   * cleanup in the same transaction. Returns the ids of the exports deleted
   * (their files are the caller's to remove).
   */
  delete(user: UserRecord): Promise<{ exportIds: string[] }>;
  findByExternalId(projectId: string, externalId: string): Promise<UserRecord | null>;
  /** Batch lookup for loaders: one entry per pk, null where absent. */
  findByPks(pks: readonly string[]): Promise<(UserRecord | null)[]>;
  list(projectId: string, page: PageRequest): Promise<Page<UserRecord>>;
}

// ---------------------------------------------------------------- blobs

export interface NewBlob extends Scope {
  projectId: string;
  userPk: string;
  content: BlobContent;
  metadata: JsonObject | null;
  createdAt: Date;
  chunks: NewChunk[];
  /** Whether the blob enters the user's extraction buffer, and its size in tokens. */
  buffer: { tokens: number } | null;
  /** Estimated tokens of all its text: what the user's usage counts as stored (UsageRepository). */
  tokens: number;
}

export interface BlobListFilter {
  type: BlobType | null;
}

export interface BlobRepository {
  /** Batch: each user's number of blobs, in key order. */
  countByUsers(userPks: readonly string[]): Promise<number[]>;
  /**
   * Commits the blob, its chunks and an index job in one transaction.
   * Throws NotFoundError('User', userPk) when the user is gone (deleted meanwhile).
   */
  insert(blob: NewBlob): Promise<BlobRecord>;
  /** Deletes the blob and its chunks and enqueues the index cleanup, in one transaction. */
  delete(blob: BlobRecord): Promise<void>;
  findById(projectId: string, id: string): Promise<BlobRecord | null>;
  /** Batch lookup for loaders: one entry per id, null where absent. */
  findByIds(ids: readonly string[]): Promise<(BlobRecord | null)[]>;
  listByUser(userPk: string, filter: BlobListFilter, page: PageRequest): Promise<Page<BlobRecord>>;
  /** Batch, in key order (null where absent): when each blob was stored, where it stands in extraction, the tokens its cap counts (exports). */
  storageOf(
    ids: readonly string[],
  ): Promise<({ insertedAt: Date; extraction: BlobExtraction; storedTokens: number } | null)[]>;
  /** Batch form used by loaders: the first page of each user's blobs. */
  listFirstPageByUsers(userPks: readonly string[], filter: BlobListFilter, first: number): Promise<Page<BlobRecord>[]>;
}

/** What one forgetting removed (BlobRetentionRepository.forgetOldest). */
export interface ForgottenBlobs {
  /** The BLOBS_FORGOTTEN event recorded with the removal. */
  event: MemoryEventRecord;
  /** The removed blobs, oldest first. */
  blobIds: string[];
  /** Their stored tokens, summed. */
  tokens: number;
}

/** Keeps each user's stored blobs under its project's blobTokenCap. */
export interface BlobRetentionRepository {
  /** The stored tokens of each user's blobs, summed (0 for a user with none), in one read for all of them. */
  storedTokens(userPks: readonly string[]): Promise<Map<string, number>>;
  /**
   * When the user's blobs hold more than `cap` stored tokens, removes its
   * oldest blobs (by createdAt, then id) until the rest fit, skipping blobs
   * still waiting for extraction (PENDING, PROCESSING): their chunks go, a
   * DELETE_BLOB index job per blob, a BLOBS_FORGOTTEN event and the usage
   * count are written in the same transaction. Serialised per user, so
   * concurrent calls never remove a blob twice. Memories and their sources
   * (plain blob ids) are untouched. Null when nothing had to go.
   */
  forgetOldest(owner: { projectId: string; userPk: string }, cap: number): Promise<ForgottenBlobs | null>;
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

/**
 * The question's signals (domain/search/signals.ts) for a read that comes
 * before them: findRanked may use it to guess which blobs will be the best
 * once the signals have reordered the chunks, and bring those. A guess only:
 * the signals are applied to the chunks read, and blobs it did not bring are
 * read afterwards.
 */
export interface SignalHint {
  /** The question's lower-cased words: a chunk whose speaker's first name is one of them gains `speaker`. */
  words: readonly string[];
  speaker: number;
  /** Gained by a chunk that says when (0: the question does not ask when). */
  when: number;
  /** A chunk of a blob created within [start, end) gains `boost`. */
  period: { start: Date; end: Date; boost: number } | null;
}

/** What a search reads back for its ranked chunks (ChunkRepository.findRanked). */
export interface RankedChunkRows {
  /** The owner's chunks among those asked for, in no particular order. */
  chunks: ChunkRecord[];
  /** By id: the blobs of at least the best `topK` of those chunks' blobs (maybe more). */
  blobs: Map<string, BlobRecord>;
}

export interface ChunkRepository {
  findByIds(ids: readonly string[]): Promise<ChunkRecord[]>;
  /**
   * The query path's one read: the owner's chunks among `ranked`, with the
   * blobs of the best `topK` of their blobs (a blob ranks by its best chunk's
   * score, ties by its chunk that comes first in `ranked`; with a `hint`, by
   * the scores the signals are expected to give, best effort).
   */
  findRanked(
    ranked: readonly ScoredChunkId[],
    owner: { projectId: string; userPk: string },
    topK: number,
    hint?: SignalHint | null,
  ): Promise<RankedChunkRows>;
  /** All chunks of a blob, by ordinal. */
  findByBlob(blobId: string): Promise<ChunkRecord[]>;
  /** All chunks of the blobs, by blob (in the order given) and ordinal: the indexer's read. */
  findByBlobs(blobIds: readonly string[]): Promise<ChunkRecord[]>;
  /** Full-text search over one user's chunks, best first. */
  searchLexical(query: string, filter: ChunkSearchFilter, limit: number): Promise<ScoredChunkId[]>;
  /** Walks every chunk of every blob (for reindexing), in batches. */
  scanAll(batchSize: number): AsyncIterable<ChunkRecord[]>;
}

// ---------------------------------------------------------------- indexing outbox

interface IndexJobBase {
  id: bigint;
  projectId: string;
  userPk: string;
  attempts: number;
}

export type IndexJob =
  | (IndexJobBase & { kind: 'UPSERT_BLOB'; blobId: string })
  | (IndexJobBase & { kind: 'DELETE_BLOB'; blobId: string })
  /** Every vector of the user: chunks and memories. */
  | (IndexJobBase & { kind: 'DELETE_USER'; blobId: null })
  /** Upserts the memory's vector while it is live, removes it otherwise. */
  | (IndexJobBase & { kind: 'SYNC_MEMORY'; blobId: null; memoryId: string })
  | (IndexJobBase & { kind: 'DELETE_USER_MEMORIES'; blobId: null })
  | (IndexJobBase & { kind: 'DELETE_USER_BLOBS'; blobId: null });

export interface IndexJobQueue {
  /** Jobs whose time has come, oldest first; with `after`, only those of a greater id. */
  due(limit: number, after?: bigint | null): Promise<IndexJob[]>;
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

/** A memory's vector, partitioned by user like chunks (docs/vector-partitioning.md). */
export interface MemoryVectorRecord extends Scope {
  memoryId: string;
  projectId: string;
  userPk: string;
  vector: number[];
}

export interface ScoredMemoryId {
  memoryId: string;
  score: number;
}

export interface MemoryVectorQuery {
  projectId: string;
  /** One user's memories; several users' (a project-wide search over some users); null: the whole project. */
  userPks: readonly string[] | null;
  vector: number[];
  limit: number;
  /** When set, only memories with one of these agentIds / runIds (null: unscoped) are asked for. */
  agentIds: readonly (string | null)[] | null;
  runIds: readonly (string | null)[] | null;
}

/** The vector index of memories: nearest memories by cosine similarity, within one project. */
export interface MemoryVectorIndex {
  open(dimension: number): Promise<void>;
  upsert(records: readonly MemoryVectorRecord[]): Promise<void>;
  delete(scope: { projectId: string; userPk: string }, memoryIds: readonly string[]): Promise<void>;
  deleteByUser(scope: { projectId: string; userPk: string }): Promise<void>;
  /** Best first; score is the cosine similarity. */
  query(query: MemoryVectorQuery): Promise<ScoredMemoryId[]>;
  /** Drops every memory vector (before a full rebuild). */
  reset(): Promise<void>;
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

/** Counts tokens as an LLM's tokenizer does (prompt budgets). */
export interface TokenCounter {
  /** The tokenizer's name (e.g. o200k_base). */
  readonly encoding: string;
  count(text: string): number;
}

/** Why a rerank did not reorder anything. */
export type RerankFailure = { ok: false; reason: 'timeout' | 'failed'; message: string };

/** A cross-encoder (or similar) behind a `/rerank` endpoint: scores documents against a query. */
export interface Reranker {
  readonly model: string;
  /**
   * A relevance score per document (same order as `documents`, higher is
   * better), or why there is none. Never throws: a failure or a timeout is
   * answered, and the caller keeps its own order.
   */
  rerank(query: string, documents: readonly string[]): Promise<{ ok: true; scores: number[] } | RerankFailure>;
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

/** Whose memories a search or a selection covers: always one project; some users, or all of them (null). */
export interface MemoryScope {
  projectId: string;
  userPks: readonly string[] | null;
}

/** A scope (agent or run) of a user in use, with what it holds. */
export interface ScopeUsage {
  id: string;
  /** Live, unexpired memories. */
  memoryCount: number;
  blobCount: number;
}

/** A memory written through the API, validated and embedded. */
export interface NewMemory extends MemoryContent {
  projectId: string;
  userPk: string;
  metadata: JsonObject | null;
  embedding: number[];
}

/** One change made through the API. `embedding` null: the text did not change, the embedding stays. */
export type MemoryEdit =
  | {
      kind: 'UPDATE';
      memory: MemoryRecord;
      after: MemoryContent;
      metadata: JsonObject | null;
      embedding: number[] | null;
    }
  | { kind: 'DELETE'; memory: MemoryRecord };

/**
 * Memories, their history and their index jobs. Every write commits the
 * memory rows, their history and the index jobs that mirror them into the
 * vector index in one transaction (the outbox). Reads take `now` so that
 * expired memories vanish at their expiresAt, whatever the sweep did.
 */
export interface MemoryRepository {
  /** Null when absent or in another project; deleted and expired memories are returned. */
  findById(projectId: string, id: string): Promise<MemoryRecord | null>;
  findByIds(ids: readonly string[]): Promise<(MemoryRecord | null)[]>;
  /** The live, unexpired memories of one scope of a user, with embeddings (for decisions and deduplication). */
  listLiveWithEmbeddings(userPk: string, scope: Scope, now: Date): Promise<MemoryWithEmbedding[]>;
  /** A page of the user's memories that the selection selects, in the page's order. */
  list(userPk: string, selection: MemorySelection, page: MemoryPageRequest, now: Date): Promise<Page<MemoryRecord>>;
  /** Live memories grouped later by topic; ordered by topic, subTopic, createdAt. */
  listProfile(userPk: string, topics: string[] | null, now: Date): Promise<MemoryRecord[]>;
  /** The memories among `ids` (in any state) with their embeddings, in the order of `ids`, for the indexer. */
  findWithEmbeddings(ids: readonly string[]): Promise<MemoryWithEmbedding[]>;
  /** Every live, unexpired memory with its embedding, in batches (for reindexing). */
  scanLive(batchSize: number, now: Date): AsyncIterable<MemoryWithEmbedding[]>;
  /** Replaces stored embeddings (after a change of embedding model). */
  setEmbeddings(updates: readonly { id: string; embedding: number[] }[]): Promise<void>;
  /** Stores embeddings where a memory has none (an imported one): never over one a newer write stored. */
  fillEmbeddings(updates: readonly { id: string; embedding: number[] }[]): Promise<void>;
  /** Among `ids`, the memories in scope that the selection selects, in the order of `ids`. */
  select(ids: readonly string[], scope: MemoryScope, selection: MemorySelection, now: Date): Promise<MemoryRecord[]>;
  /** Full-text search (BM25) over the memories in scope that the selection selects, best first. */
  searchLexical(
    query: string,
    scope: MemoryScope,
    selection: MemorySelection,
    limit: number,
    now: Date,
  ): Promise<ScoredMemoryId[]>;
  /** Batch: live, unexpired memories per user, in key order. */
  countLive(userPks: readonly string[], now: Date): Promise<number[]>;
  /** Batch: each user's agents or runs in use (by its blobs or live memories), by id, in key order. */
  scopeUsage(userPks: readonly string[], field: 'agentId' | 'runId', now: Date): Promise<ScopeUsage[][]>;
  /** Batch: the blob ids each memory came from, in key order. */
  sourceBlobIds(memoryIds: readonly string[]): Promise<string[][]>;
  /** Batch: each memory's changes, oldest first, in key order. */
  history(memoryIds: readonly string[]): Promise<MemoryChangeRecord[][]>;
  /** Batch: each event's changes, in key order. */
  changesOfEvents(eventIds: readonly string[]): Promise<MemoryChangeRecord[][]>;
  /** Writes a memory with its ADD (actor API) and index job. */
  create(memory: NewMemory): Promise<{ memory: MemoryRecord; change: MemoryChangeRecord }>;
  /**
   * Edits made through the API, all or nothing in one transaction (changes in
   * the order of the edits). Throws MemoryEditConflict when a memory is no
   * longer live once locked; then nothing is written.
   */
  applyEdits(edits: readonly MemoryEdit[]): Promise<MemoryChangeRecord[]>;
  /** Deletes every memory of the user the selection selects (actor API), in one transaction. */
  deleteWhere(userPk: string, selection: MemorySelection, now: Date): Promise<MemoryChangeRecord[]>;
  /**
   * resetUser: deletes the user's live memories (recorded, actor API), its
   * events and its buffer state, and with keepBlobs false its blobs; one transaction.
   */
  reset(
    user: { pk: string; projectId: string },
    keepBlobs: boolean,
  ): Promise<{ changes: MemoryChangeRecord[]; eventsDeleted: number; blobsDeleted: number }>;
  /** Deletes up to `limit` memories whose expiresAt has passed (actor EXPIRY), oldest expiry first; one transaction. */
  expire(now: Date, limit: number): Promise<MemoryChangeRecord[]>;
}

export interface EventRepository {
  findById(projectId: string, id: string): Promise<MemoryEventRecord | null>;
  listByUser(userPk: string, page: PageRequest): Promise<Page<MemoryEventRecord>>;
  /** The user's `limit` most recent events, newest first. */
  listRecent(userPk: string, limit: number): Promise<MemoryEventRecord[]>;
}

/** One fact to write, already decided and embedded. */
export type ResolvedOperation =
  | { kind: 'ADD'; fact: NewFact; embedding: number[] }
  | { kind: 'UPDATE'; memoryId: string; fact: NewFact; embedding: number[] }
  | { kind: 'DELETE'; memoryId: string };

export interface BatchCommit {
  projectId: string;
  userPk: string;
  /** The scope of the batch's blobs, inherited by the memories it adds. */
  scope: Scope;
  /** The blob type of the batch (the `source` of the memories it adds). */
  source: BlobType;
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
  /**
   * The blobs of the next batch (pending, or claimed by a batch that never
   * finished), oldest first: one scope (agentId, runId) and one blob type, so
   * what is extracted can inherit both. Blobs of other scopes wait for their
   * own batch; within a scope the order is kept.
   */
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

// ---------------------------------------------------------------- usage

/** One UTC day of usage: what was inserted and what extraction asked of the LLM. */
export interface UsageDayRecord {
  /** YYYY-MM-DD (UTC). */
  day: string;
  blobs: number;
  tokensStored: number;
  llmCalls: number;
  llmPromptTokens: number;
  llmCompletionTokens: number;
  /** Blobs removed to keep users under the project's blobTokenCap, and their estimated tokens. */
  blobsForgotten: number;
  tokensForgotten: number;
}

/**
 * Usage counters by day. Written by the blob and processing adapters in the
 * transactions that insert blobs and commit extraction batches; read here.
 */
export interface UsageRepository {
  /** Days with any usage in [from, to] (UTC days, inclusive), oldest first; a project's days sum its users. */
  daily(scope: { projectId: string; userPk?: string }, from: string, to: string): Promise<UsageDayRecord[]>;
}

// ---------------------------------------------------------------- structured exports

export type ExportStatus = 'PENDING' | 'RUNNING' | 'FINISHED' | 'FAILED';

/** A user's memories written into a caller's JSON Schema (createMemoryExport). */
export interface MemoryExportRecord {
  id: string;
  projectId: string;
  userPk: string;
  schema: JsonObject;
  instructions: string | null;
  /** The MemoryFilter input as given. */
  filter: JsonValue | null;
  status: ExportStatus;
  result: JsonValue | null;
  errors: string[];
  usage: TokenUsage | null;
  attempts: number;
  createdAt: Date;
  finishedAt: Date | null;
}

export interface MemoryExportRepository {
  create(input: {
    projectId: string;
    userPk: string;
    schema: JsonObject;
    instructions: string | null;
    filter: JsonValue | null;
  }): Promise<MemoryExportRecord>;
  /** Null when absent or in another project. */
  findById(projectId: string, id: string): Promise<MemoryExportRecord | null>;
  /** Takes the job when it is PENDING, or RUNNING under an expired lease (its process died); sets RUNNING. */
  claim(id: string, leaseMs: number, now: Date): Promise<MemoryExportRecord | null>;
  /** Jobs waiting to run: PENDING, or RUNNING under an expired lease, oldest first. */
  unfinished(now: Date, limit: number): Promise<string[]>;
  finish(
    id: string,
    outcome: {
      status: 'FINISHED' | 'FAILED';
      result: JsonValue | null;
      errors: string[];
      usage: TokenUsage | null;
      attempts: number;
      finishedAt: Date;
    },
  ): Promise<MemoryExportRecord>;
}

/** A problem of a JSON Schema or of a value against one: where (a JSON Pointer) and what. */
export interface SchemaProblem {
  path: string;
  message: string;
}

/** JSON Schema draft 2020-12 (Ajv in infra/jsonschema). */
export interface JsonSchemaValidator {
  /** Problems of the schema itself, paths inside the schema; empty when it is usable. */
  checkSchema(schema: JsonObject): SchemaProblem[];
  /** Problems of a value against a schema that passed checkSchema; empty when it validates. */
  validate(schema: JsonObject, value: unknown): SchemaProblem[];
}

export interface StructuredFillInput {
  schema: JsonObject;
  instructions: string | null;
  /** The user's memories the filter selects, oldest first. */
  memories: MemoryRecord[];
  profile: ProfileConfig;
  /** The previous attempt and what was wrong with it, to be fixed. */
  previous: { value: unknown; problems: SchemaProblem[] } | null;
}

/** Writes memories into a JSON Schema: an LLM, or the offline filler. One attempt per call. */
export interface StructuredFiller {
  readonly name: string;
  /** Whether a second attempt can differ from the first (an LLM can; a deterministic filler cannot). */
  readonly retries: boolean;
  fill(input: StructuredFillInput): Promise<{ value: unknown; usage: TokenUsage | null }>;
}

// ---------------------------------------------------------------- webhooks

export type WebhookEventKind = 'MEMORY_CHANGED' | 'EVENT_PROCESSED';
export type WebhookDeliveryState = 'PENDING' | 'DELIVERED' | 'FAILED';

export interface WebhookRecord {
  id: string;
  projectId: string;
  url: string;
  events: WebhookEventKind[];
  createdAt: Date;
}

export interface WebhookDeliveryRecord {
  /** The idempotency id: the same for every attempt of one delivery. */
  id: string;
  webhookId: string;
  event: WebhookEventKind;
  state: WebhookDeliveryState;
  attempts: number;
  nextAttemptAt: Date;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: Date;
  deliveredAt: Date | null;
}

/** A delivery claimed for sending: what to POST, where, signed with what. */
export interface ClaimedDelivery extends WebhookDeliveryRecord {
  url: string;
  secret: string;
  /** The event as the database wrote it ({ type, createdAt, data }). */
  payload: Record<string, unknown>;
}

/**
 * Webhooks and their durable deliveries. Deliveries are enqueued by the
 * database itself in the transactions that write memory changes and
 * processed events (the Prisma adapter's migration), and claimed under a
 * lease so that one process sends each.
 */
export interface WebhookRepository {
  create(projectId: string, input: { url: string; events: WebhookEventKind[]; secret: string }): Promise<WebhookRecord>;
  list(projectId: string): Promise<WebhookRecord[]>;
  /** False when no such webhook is in the project. Its pending deliveries go with it. */
  delete(projectId: string, id: string): Promise<boolean>;
  /** Newest first; `state` filters. */
  deliveries(webhookId: string, limit: number, state: WebhookDeliveryState | null): Promise<WebhookDeliveryRecord[]>;
  /** Due deliveries no live lease holds, now leased to `workerId` for `leaseMs` (attempts counted). */
  claimDue(workerId: string, leaseMs: number, limit: number, now: Date): Promise<ClaimedDelivery[]>;
  /** Records an attempt's outcome, if `workerId` still holds the lease. */
  settle(
    id: string,
    workerId: string,
    outcome:
      | { state: 'DELIVERED'; status: number; at: Date }
      | { state: 'PENDING'; status: number | null; error: string; retryAt: Date }
      | { state: 'FAILED'; status: number | null; error: string },
  ): Promise<void>;
}

/** Where webhook requests go: checks targets and sends signed requests. */
export interface WebhookTransport {
  /** Null when `url` may receive webhooks; otherwise what is wrong with it (scheme, a private address, ...). */
  checkTarget(url: string): Promise<string | null>;
  /** POSTs `body` with `headers`; the HTTP status, or throws on a network error, a refused address or a timeout. */
  post(url: string, body: string, headers: Record<string, string>): Promise<number>;
}

// ---------------------------------------------------------------- lossless exports

export interface ExportRecord {
  id: string;
  projectId: string;
  /** External user ids asked for; empty: every user. */
  userIds: string[];
  filter: JsonValue | null;
  includeBlobs: boolean;
  status: ExportStatus;
  done: number;
  total: number;
  bytes: number | null;
  error: string | null;
  createdAt: Date;
  finishedAt: Date | null;
}

export interface ExportRepository {
  create(input: {
    projectId: string;
    userIds: string[];
    filter: JsonValue | null;
    includeBlobs: boolean;
  }): Promise<ExportRecord>;
  /** Null when absent or in another project. */
  findById(projectId: string, id: string): Promise<ExportRecord | null>;
  list(projectId: string, page: PageRequest): Promise<Page<ExportRecord>>;
  /** Takes the job when PENDING, or RUNNING under an expired lease; sets RUNNING, progress 0 of `total` unknown. */
  claim(id: string, leaseMs: number, now: Date): Promise<ExportRecord | null>;
  /** PENDING jobs and RUNNING ones whose lease has passed, oldest first. */
  unfinished(now: Date, limit: number): Promise<string[]>;
  /** Records progress and extends the lease. */
  progress(id: string, done: number, total: number, leaseUntil: Date): Promise<void>;
  /** Extends the lease of a job still RUNNING (the heartbeat of the process that runs it). */
  renew(id: string, leaseUntil: Date): Promise<void>;
  finish(
    id: string,
    outcome: { status: 'FINISHED' | 'FAILED'; bytes: number | null; error: string | null; finishedAt: Date },
  ): Promise<ExportRecord>;
  /** Deletes the exports created before `before`; returns their ids (their files go too). */
  deleteOlderThan(before: Date): Promise<string[]>;
}

/** One export file being written, a line at a time. */
export interface ExportWriter {
  write(line: string): Promise<void>;
  /** Makes the file final (visible to downloads); returns its size in bytes. */
  finish(): Promise<number>;
  /** Drops what was written. */
  abort(): Promise<void>;
}

/** Where export files live (MEMQL_EXPORT_DIR). */
export interface ExportFileStore {
  create(id: string): Promise<ExportWriter>;
  /** The finished file's bytes, or null when it is not there. */
  read(id: string): Promise<{ bytes: number; chunks: AsyncIterable<Uint8Array> } | null>;
  remove(id: string): Promise<void>;
}

// ---------------------------------------------------------------- leases

/** Work that one process at a time may do (across processes sharing a database). */
export interface WorkerLease {
  /** True while this process holds the lease: takes it when free or expired, renews it when already held. */
  hold(): Promise<boolean>;
  /** Lets another process take it at once (on a clean stop). */
  release(): Promise<void>;
}

// ---------------------------------------------------------------- imports

export type ImportConflict = 'FAIL' | 'SKIP' | 'OVERWRITE';

export interface ImportRecord {
  id: string;
  projectId: string;
  /** The file's name in the export dir. */
  file: string;
  onConflict: ImportConflict;
  status: ExportStatus;
  /** Lines committed, of total (0 until the file has been checked). */
  done: number;
  total: number;
  written: number;
  skipped: number;
  error: string | null;
  errorCode: string | null;
  createdAt: Date;
  finishedAt: Date | null;
}

export interface ImportRepository {
  create(input: { projectId: string; file: string; onConflict: ImportConflict }): Promise<ImportRecord>;
  /** Imports are an admin's: any project's import, by id. */
  findById(id: string): Promise<ImportRecord | null>;
  /** Every project's imports, oldest first. */
  list(page: PageRequest): Promise<Page<ImportRecord>>;
  /** Takes the job when PENDING, or RUNNING under an expired lease; keeps `done` (where a resumed import goes on). */
  claim(id: string, leaseMs: number, now: Date): Promise<ImportRecord | null>;
  unfinished(now: Date, limit: number): Promise<string[]>;
  /** Extends the lease of a job still RUNNING (the heartbeat of the process that runs it). */
  renew(id: string, leaseUntil: Date): Promise<void>;
  /** Progress of the check (nothing written) and a longer lease. */
  checked(id: string, total: number, leaseUntil: Date): Promise<void>;
  finish(
    id: string,
    outcome: { status: 'FINISHED' | 'FAILED'; error: string | null; errorCode: string | null; finishedAt: Date },
  ): Promise<ImportRecord>;
}

/** One line of an export file, parsed and typed, with its line number (1-based). */
export type ImportLine = { line: number } & (
  | { type: 'header'; version: number; embedding: { model: string; dimension: number } }
  | { type: 'profileConfig'; config: ProfileConfig; custom: boolean }
  | { type: 'user'; id: string; data: JsonObject; createdAt: Date; updatedAt: Date }
  | {
      type: 'blob';
      userId: string;
      blob: Omit<BlobRecord, 'projectId' | 'userPk'>;
      insertedAt: Date;
      extraction: BlobExtraction;
      /** What the blob token cap counts; null (files written before it existed): estimated as an insert does. */
      storedTokens: number | null;
    }
  | { type: 'event'; userId: string; event: Omit<MemoryEventRecord, 'projectId' | 'userPk'> }
  | {
      type: 'memory';
      userId: string;
      memory: Omit<MemoryRecord, 'projectId' | 'userPk'>;
      sourceBlobIds: string[];
      history: Omit<MemoryChangeRecord, 'projectId' | 'userPk' | 'memoryId'>[];
    }
);

/** Whether a blob waits for extraction: NONE (not a chat or summary), PENDING, DONE. */
export type BlobExtraction = 'NONE' | 'PENDING' | 'DONE';

/** A line of an import file that is not what the format promises: the file's fault, named by line. */
export class ImportLineError extends Error {
  constructor(
    readonly line: number,
    problem: string,
  ) {
    super(`line ${line}: ${problem}`);
    this.name = 'ImportLineError';
  }
}

/** Export files to import (the export dir): read a line at a time, and uploads stored next to the exports. */
export interface ImportFileSource {
  /** Whether `file` names a readable file in the export dir. */
  exists(file: string): Promise<boolean>;
  /** The file's lines in order, parsed; throws ImportLineError at the first bad one. */
  lines(file: string): AsyncIterable<ImportLine>;
  /** Stores an uploaded file in the export dir under a new name; returns the name and its size. */
  store(chunks: AsyncIterable<Uint8Array>): Promise<{ file: string; bytes: number }>;
  /** Deletes an uploaded file (one `store` named); other files are left alone. */
  removeUpload(file: string): Promise<void>;
}

/** Which of a batch's records the target project (or another one) already holds. */
export interface ImportPresence {
  /** Ids (user external ids for users) the target project holds. */
  inProject: Set<string>;
  /** Ids held by another project: never touched, never importable here (ids are global). */
  elsewhere: Set<string>;
  /** The target project has a custom profile configuration. */
  customProfile: boolean;
}

export interface ImportBatch {
  lines: ImportLine[];
  /** Each blob's chunks, the tokens it holds in the extraction buffer and those the cap counts, made as an insert makes them. */
  blobs: Map<string, { chunks: NewChunk[]; bufferTokens: number; storedTokens: number }>;
  /** The line number the batch ends with: `done` moves there in the batch's transaction. */
  lastLine: number;
}

/** Writes imported records into a project. */
export interface ImportStore {
  /** Which ids of the lines exist already, in the project and elsewhere. */
  presence(projectId: string, lines: readonly ImportLine[]): Promise<ImportPresence>;
  /**
   * Writes one batch in one transaction, with its index jobs (the outbox) and
   * the import's progress (`done` = batch.lastLine): all of it or nothing.
   * Records the project holds are left (FAIL, SKIP) or replaced (OVERWRITE);
   * an id another project holds throws ImportLineError.
   */
  write(
    importId: string,
    projectId: string,
    batch: ImportBatch,
    onConflict: ImportConflict,
    leaseUntil: Date,
  ): Promise<{ written: number; skipped: number }>;
}
