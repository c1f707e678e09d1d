// The interfaces the domain needs from the outside world. Adapters in
// src/infra implement them; only src/app.ts wires the two together.

import type {
  ExtractionInput,
  ExtractionResult,
  ApiKeyRecord,
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
}

export interface ApiKeyRepository {
  create(input: { projectId: string; name: string | null; role: Role; hash: string; prefix: string }): Promise<ApiKeyRecord>;
  /** The active (not revoked) key with this hash, or null. */
  findActiveByHash(hash: string): Promise<ApiKeyRecord | null>;
  findById(id: string): Promise<ApiKeyRecord | null>;
  revoke(id: string): Promise<boolean>;
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
