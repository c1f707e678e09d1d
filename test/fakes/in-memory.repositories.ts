// In-memory implementations of every persistence port (src/domain/ports.ts),
// over one set of tables so that what crosses tables in PostgreSQL does here
// too: a blob insert writes its chunks and an index job, deleting a user
// takes its blobs, memories and events with it, a batch commit writes
// memories, history and the event at once. Each method validates first and
// then mutates without awaiting in between, so it is atomic like the
// transaction it stands for. Records are copied in and out: a caller that
// mutates what it got back changes nothing stored.
//
// They pass the same contract suites as the Prisma adapters
// (test/contracts/repositories.contract.ts, processing.contract.ts). The
// clock is `Date` (tests move it with vi.setSystemTime); leases compare
// against it as PostgreSQL compares against now().
//
//   const repos = createInMemoryRepositories();
//   const project = await repos.projects.create('acme');

import { randomUUID } from 'node:crypto';
import { ConflictError, MemoryEditConflict, NotFoundError } from '../../src/domain/errors.js';
import { extractedMemoryContent } from '../../src/domain/memory/extracted-memory.js';
import { type MemorySelection, selects } from '../../src/domain/memory/memory-filter.js';
import { compareMemories, type MemoryPageRequest } from '../../src/domain/memory/memory-page.js';
import type {
  ApiKeyRepository,
  BatchCommit,
  BlobExtraction,
  BlobListFilter,
  BlobRepository,
  BlobRetentionRepository,
  ForgottenBlobs,
  ChunkRepository,
  ChunkSearchFilter,
  EventRepository,
  IndexJob,
  IndexJobQueue,
  IndexStateRepository,
  MemoryEdit,
  ExportRecord,
  ExportRepository,
  MemoryExportRecord,
  MemoryExportRepository,
  MemoryRepository,
  MemoryScope,
  NewBlob,
  NewMemory,
  ProcessingRepository,
  ProfileConfigRepository,
  ProjectRepository,
  ScopeUsage,
  RankedChunkRows,
  ScoredChunkId,
  ScoredMemoryId,
  UsageDayRecord,
  UsageRepository,
  UserRepository,
} from '../../src/domain/ports.js';
import { contextReach, rankWindows } from '../../src/domain/search/lexical-ranking.js';
import type {
  ApiKeyRecord,
  BlobRecord,
  BufferStatus,
  ChunkRecord,
  JsonObject,
  ChangeActor,
  MemoryChangeRecord,
  MemoryContent,
  MemoryEventRecord,
  MemoryRecord,
  MemoryWithEmbedding,
  NewFact,
  Page,
  PageRequest,
  ProcessingState,
  ProfileConfig,
  Project,
  Role,
  Scope,
  UserRecord,
} from '../../src/domain/types.js';
import { lexemes } from './lexical.js';

/** Error messages are cut as the Prisma adapters cut them. */
const MAX_ERROR_LENGTH = 2_000;

const copy = <T>(value: T): T => structuredClone(value);
const now = (): Date => new Date();

type BufferState = 'NONE' | 'PENDING' | 'PROCESSING' | 'DONE';

interface BlobRow {
  record: BlobRecord;
  insertedAt: Date;
  /** Insertion order, the tie-break of equal insertedAt. */
  seq: number;
  bufferState: BufferState;
  tokens: number;
  /** Estimated tokens of all its text (what the blob token cap counts). */
  storedTokens: number;
}

interface JobRow {
  job: IndexJob;
  lastError: string | null;
  availableAt: Date;
}

interface ProcessingRow {
  userPk: string;
  projectId: string;
  state: ProcessingState;
  lastError: string | null;
  attempts: number;
  nextAttemptAt: Date | null;
  lockedBy: string | null;
  lockedUntil: Date | null;
}

interface MemoryRow {
  record: MemoryRecord;
  embedding: number[];
  sources: Set<string>;
}

interface ChangeRow {
  record: MemoryChangeRecord;
  seq: number;
}

/** The tables. Exposed for assertions on state no port reads (buffer states, job errors). */
export class InMemoryTables {
  readonly projects = new Map<string, Project>();
  readonly apiKeys = new Map<string, ApiKeyRecord & { hash: string; prefix: string }>();
  readonly users = new Map<string, UserRecord>();
  readonly blobs = new Map<string, BlobRow>();
  readonly chunks = new Map<string, ChunkRecord>();
  readonly jobs = new Map<bigint, JobRow>();
  indexState: { model: string; dimension: number; collection: string } | null = null;
  readonly processing = new Map<string, ProcessingRow>();
  readonly profileConfigs = new Map<string, ProfileConfig>();
  readonly memories = new Map<string, MemoryRow>();
  readonly changes: ChangeRow[] = [];
  readonly events = new Map<string, MemoryEventRecord>();
  /** UsageDay rows by `projectId|userPk|day`. */
  readonly usage = new Map<string, UsageDayRecord & { projectId: string; userPk: string }>();
  readonly memoryExports = new Map<string, MemoryExportRecord & { leaseUntil: Date | null }>();
  readonly exports = new Map<string, ExportRecord & { leaseUntil: Date | null }>();
  private sequence = 0;
  private jobSequence = 0n;

  /** Adds to one user's day of usage, as the Prisma adapters do in their transactions. */
  addUsage(projectId: string, userPk: string, at: Date, add: Partial<Omit<UsageDayRecord, 'day'>>): void {
    const day = at.toISOString().slice(0, 10);
    const key = `${projectId}|${userPk}|${day}`;
    const row = this.usage.get(key) ?? {
      projectId,
      userPk,
      day,
      blobs: 0,
      tokensStored: 0,
      llmCalls: 0,
      llmPromptTokens: 0,
      llmCompletionTokens: 0,
      blobsForgotten: 0,
      tokensForgotten: 0,
    };
    for (const [field, value] of Object.entries(add) as [keyof typeof add, number][]) row[field] += value;
    this.usage.set(key, row);
  }

  nextSeq(): number {
    return ++this.sequence;
  }

  enqueueJob(job: IndexJob extends infer J ? (J extends IndexJob ? Omit<J, 'id' | 'attempts'> : never) : never): void {
    const id = ++this.jobSequence;
    this.jobs.set(id, { job: { ...job, id, attempts: 0 } as IndexJob, lastError: null, availableAt: now() });
  }

  enqueueMemorySync(memory: { id: string; projectId: string; userPk: string }): void {
    this.enqueueJob({
      kind: 'SYNC_MEMORY',
      projectId: memory.projectId,
      userPk: memory.userPk,
      blobId: null,
      memoryId: memory.id,
    });
  }

  /** What ON DELETE CASCADE does for a user: blobs, chunks, memories with history, events, processing. */
  deleteUserCascade(userPk: string): void {
    this.users.delete(userPk);
    for (const [id, row] of this.blobs) if (row.record.userPk === userPk) this.deleteBlobCascade(id);
    for (const [id, row] of this.memories) if (row.record.userPk === userPk) this.memories.delete(id);
    removeWhere(this.changes, (change) => change.record.userPk === userPk);
    for (const [id, event] of this.events) if (event.userPk === userPk) this.events.delete(id);
    for (const [id, job] of this.memoryExports) if (job.userPk === userPk) this.memoryExports.delete(id);
    this.processing.delete(userPk);
  }

  deleteBlobCascade(blobId: string): void {
    this.blobs.delete(blobId);
    for (const [id, chunk] of this.chunks) if (chunk.blobId === blobId) this.chunks.delete(id);
  }
}

function removeWhere<T>(list: T[], predicate: (item: T) => boolean): void {
  for (let i = list.length - 1; i >= 0; i--) if (predicate(list[i]!)) list.splice(i, 1);
}

/** Keyset page over rows sorted by (createdAt, key) ascending; `first + 1` rows say whether more follow. */
function keysetPage<T>(
  rows: readonly T[],
  page: PageRequest,
  position: (row: T) => { createdAt: Date; id: string },
): Page<T> {
  const sorted = [...rows].sort((a, b) => compareKeyset(position(a), position(b)));
  const after = page.after;
  const rest = after ? sorted.filter((row) => compareKeyset(position(row), after) > 0) : sorted;
  return { items: rest.slice(0, page.first), hasNextPage: rest.length > page.first, totalCount: rows.length };
}

function compareKeyset(a: { createdAt: Date; id: string }, b: { createdAt: Date; id: string }): number {
  return a.createdAt.getTime() - b.createdAt.getTime() || compareText(a.id, b.id);
}

/** Byte-order comparison (PostgreSQL's C collation for the ASCII the tests use). */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function mapPage<T, U>(page: Page<T>, map: (item: T) => U): Page<U> {
  return { ...page, items: page.items.map(map) };
}

// ---------------------------------------------------------------- projects and keys

export class InMemoryProjectRepository implements ProjectRepository {
  constructor(private readonly t: InMemoryTables) {}

  async create(name: string): Promise<Project> {
    if ([...this.t.projects.values()].some((project) => project.name === name))
      throw new ConflictError('name', `a project named "${name}" already exists`);
    const project: Project = { id: randomUUID(), name, createdAt: now() };
    this.t.projects.set(project.id, project);
    return copy(project);
  }

  async findByName(name: string): Promise<Project | null> {
    const project = [...this.t.projects.values()].find((p) => p.name === name);
    return project ? copy(project) : null;
  }

  async findById(id: string): Promise<Project | null> {
    const project = this.t.projects.get(id);
    return project ? copy(project) : null;
  }

  async list(): Promise<Project[]> {
    return [...this.t.projects.values()].map(copy);
  }
}

export class InMemoryApiKeyRepository implements ApiKeyRepository {
  constructor(private readonly t: InMemoryTables) {}

  async create(input: {
    projectId: string;
    name: string | null;
    role: Role;
    hash: string;
    prefix: string;
  }): Promise<ApiKeyRecord> {
    requireProject(this.t, input.projectId);
    if ([...this.t.apiKeys.values()].some((key) => key.hash === input.hash))
      throw new Error('ApiKey.hash: unique constraint violated');
    const key = { id: randomUUID(), createdAt: now(), lastUsedAt: null, revokedAt: null, ...input };
    this.t.apiKeys.set(key.id, key);
    return publicKey(key);
  }

  async findActiveByHash(hash: string): Promise<ApiKeyRecord | null> {
    const key = [...this.t.apiKeys.values()].find((k) => k.hash === hash && k.revokedAt === null);
    return key ? publicKey(key) : null;
  }

  async findById(id: string): Promise<ApiKeyRecord | null> {
    const key = this.t.apiKeys.get(id);
    return key ? publicKey(key) : null;
  }

  async revoke(id: string): Promise<boolean> {
    const key = this.t.apiKeys.get(id);
    if (!key || key.revokedAt) return false;
    key.revokedAt = now();
    return true;
  }

  async listByProject(projectId: string): Promise<ApiKeyRecord[]> {
    return [...this.t.apiKeys.values()].filter((key) => key.projectId === projectId).map(publicKey);
  }

  async listActiveByRole(role: Role): Promise<ApiKeyRecord[]> {
    return [...this.t.apiKeys.values()].filter((key) => key.role === role && !key.revokedAt).map(publicKey);
  }

  async touch(id: string, at: Date): Promise<void> {
    const key = this.t.apiKeys.get(id);
    if (key) key.lastUsedAt = new Date(at);
  }
}

function publicKey(key: ApiKeyRecord): ApiKeyRecord {
  return copy({
    id: key.id,
    projectId: key.projectId,
    name: key.name,
    role: key.role,
    prefix: key.prefix,
    createdAt: key.createdAt,
    lastUsedAt: key.lastUsedAt,
    revokedAt: key.revokedAt,
  });
}

function requireProject(t: InMemoryTables, projectId: string): void {
  if (!t.projects.has(projectId)) throw new Error(`foreign key violated: no project ${projectId}`);
}

// ---------------------------------------------------------------- users

export class InMemoryUserRepository implements UserRepository {
  constructor(private readonly t: InMemoryTables) {}

  async create(projectId: string, input: { externalId: string; data: JsonObject }): Promise<UserRecord> {
    requireProject(this.t, projectId);
    if (this.find(projectId, input.externalId))
      throw new ConflictError('input.id', 'a user with this id already exists');
    const at = now();
    const user: UserRecord = {
      pk: randomUUID(),
      projectId,
      id: input.externalId,
      data: copy(input.data),
      createdAt: at,
      updatedAt: at,
    };
    this.t.users.set(user.pk, user);
    return copy(user);
  }

  async update(pk: string, input: { data: JsonObject }): Promise<UserRecord> {
    const user = this.t.users.get(pk);
    if (!user) throw new NotFoundError('User', pk);
    user.data = copy(input.data);
    user.updatedAt = now();
    return copy(user);
  }

  async delete(user: UserRecord): Promise<{ exportIds: string[] }> {
    if (!this.t.users.has(user.pk)) return { exportIds: [] };
    this.t.deleteUserCascade(user.pk);
    this.t.enqueueJob({ kind: 'DELETE_USER', projectId: user.projectId, userPk: user.pk, blobId: null });
    const exportIds = [...this.t.exports.values()]
      .filter((e) => e.projectId === user.projectId && e.userIds.length === 1 && e.userIds[0] === user.id)
      .map((e) => e.id);
    for (const id of exportIds) this.t.exports.delete(id);
    return { exportIds };
  }

  async findByExternalId(projectId: string, externalId: string): Promise<UserRecord | null> {
    const user = this.find(projectId, externalId);
    return user ? copy(user) : null;
  }

  async findByPks(pks: readonly string[]): Promise<(UserRecord | null)[]> {
    return pks.map((pk) => {
      const user = this.t.users.get(pk);
      return user ? copy(user) : null;
    });
  }

  async list(projectId: string, page: PageRequest): Promise<Page<UserRecord>> {
    const rows = [...this.t.users.values()].filter((user) => user.projectId === projectId);
    return mapPage(
      keysetPage(rows, page, (user) => user),
      copy,
    );
  }

  private find(projectId: string, externalId: string): UserRecord | undefined {
    return [...this.t.users.values()].find((user) => user.projectId === projectId && user.id === externalId);
  }
}

// ---------------------------------------------------------------- blobs and chunks

export class InMemoryBlobRepository implements BlobRepository {
  constructor(private readonly t: InMemoryTables) {}

  async storageOf(
    ids: readonly string[],
  ): Promise<({ insertedAt: Date; extraction: BlobExtraction; storedTokens: number } | null)[]> {
    return ids.map((id) => {
      const row = this.t.blobs.get(id);
      if (!row) return null;
      const extraction: BlobExtraction =
        row.bufferState === 'NONE' ? 'NONE' : row.bufferState === 'DONE' ? 'DONE' : 'PENDING';
      return { insertedAt: new Date(row.insertedAt), extraction, storedTokens: row.storedTokens };
    });
  }

  async countByUsers(userPks: readonly string[]): Promise<number[]> {
    const rows = [...this.t.blobs.values()];
    return userPks.map((pk) => rows.filter((row) => row.record.userPk === pk).length);
  }

  async insert(blob: NewBlob): Promise<BlobRecord> {
    const user = this.t.users.get(blob.userPk);
    if (!user || user.projectId !== blob.projectId) throw new NotFoundError('User', blob.userPk);
    const ordinals = new Set(blob.chunks.map((chunk) => chunk.ordinal));
    if (ordinals.size !== blob.chunks.length) throw new Error('Chunk (blobId, ordinal): unique constraint violated');

    const record: BlobRecord = {
      id: randomUUID(),
      projectId: blob.projectId,
      userPk: blob.userPk,
      content: copy(blob.content),
      metadata: copy(blob.metadata),
      createdAt: new Date(blob.createdAt),
      agentId: blob.agentId,
      runId: blob.runId,
    };
    this.t.addUsage(blob.projectId, blob.userPk, now(), { blobs: 1, tokensStored: blob.tokens });
    this.t.blobs.set(record.id, {
      record,
      insertedAt: now(),
      seq: this.t.nextSeq(),
      bufferState: blob.buffer ? 'PENDING' : 'NONE',
      tokens: blob.buffer?.tokens ?? 0,
      storedTokens: blob.tokens,
    });
    for (const chunk of blob.chunks) {
      const id = randomUUID();
      this.t.chunks.set(id, {
        ...copy(chunk),
        id,
        blobId: record.id,
        projectId: record.projectId,
        userPk: record.userPk,
        blobType: record.content.type,
        createdAt: new Date(record.createdAt),
      });
    }
    this.t.enqueueJob({ kind: 'UPSERT_BLOB', projectId: record.projectId, userPk: record.userPk, blobId: record.id });
    return copy(record);
  }

  async delete(blob: BlobRecord): Promise<void> {
    const row = this.t.blobs.get(blob.id);
    if (!row || row.record.projectId !== blob.projectId) return;
    this.t.deleteBlobCascade(blob.id);
    this.t.enqueueJob({ kind: 'DELETE_BLOB', projectId: blob.projectId, userPk: blob.userPk, blobId: blob.id });
  }

  async findById(projectId: string, id: string): Promise<BlobRecord | null> {
    const row = this.t.blobs.get(id);
    return row && row.record.projectId === projectId ? copy(row.record) : null;
  }

  async findByIds(ids: readonly string[]): Promise<(BlobRecord | null)[]> {
    return ids.map((id) => {
      const row = this.t.blobs.get(id);
      return row ? copy(row.record) : null;
    });
  }

  async listByUser(userPk: string, filter: BlobListFilter, page: PageRequest): Promise<Page<BlobRecord>> {
    const rows = [...this.t.blobs.values()]
      .map((row) => row.record)
      .filter((blob) => blob.userPk === userPk && (!filter.type || blob.content.type === filter.type));
    return mapPage(
      keysetPage(rows, page, (blob) => blob),
      copy,
    );
  }

  async listFirstPageByUsers(
    userPks: readonly string[],
    filter: BlobListFilter,
    first: number,
  ): Promise<Page<BlobRecord>[]> {
    return Promise.all(userPks.map((userPk) => this.listByUser(userPk, filter, { first, after: null })));
  }
}

export class InMemoryBlobRetentionRepository implements BlobRetentionRepository {
  constructor(private readonly t: InMemoryTables) {}

  async storedTokens(userPks: readonly string[]): Promise<Map<string, number>> {
    const totals = new Map(userPks.map((userPk) => [userPk, 0]));
    for (const row of this.t.blobs.values())
      if (totals.has(row.record.userPk))
        totals.set(row.record.userPk, totals.get(row.record.userPk)! + row.storedTokens);
    return totals;
  }

  async forgetOldest(owner: { projectId: string; userPk: string }, cap: number): Promise<ForgottenBlobs | null> {
    const newestFirst = [...this.t.blobs.values()]
      .filter((row) => row.record.userPk === owner.userPk && row.record.projectId === owner.projectId)
      .sort(
        (a, b) =>
          b.record.createdAt.getTime() - a.record.createdAt.getTime() ||
          (a.record.id < b.record.id ? 1 : a.record.id > b.record.id ? -1 : 0),
      );
    let withNewer = 0;
    const doomed: BlobRow[] = [];
    for (const row of newestFirst) {
      withNewer += row.storedTokens;
      if (withNewer > cap && (row.bufferState === 'NONE' || row.bufferState === 'DONE')) doomed.push(row);
    }
    if (doomed.length === 0) return null;
    doomed.reverse();
    const tokens = doomed.reduce((total, row) => total + row.storedTokens, 0);
    for (const row of doomed) {
      this.t.deleteBlobCascade(row.record.id);
      this.t.enqueueJob({ kind: 'DELETE_BLOB', ...owner, blobId: row.record.id });
    }
    const blobIds = doomed.map((row) => row.record.id);
    const event: MemoryEventRecord = {
      id: randomUUID(),
      ...owner,
      kind: 'BLOBS_FORGOTTEN',
      summary: `Forgot the ${blobIds.length} oldest blobs (${tokens} tokens) to stay under the project's cap of ${cap} tokens.`,
      tags: ['forgotten'],
      blobIds,
      usage: null,
      createdAt: now(),
    };
    this.t.events.set(event.id, event);
    this.t.addUsage(owner.projectId, owner.userPk, now(), { blobsForgotten: blobIds.length, tokensForgotten: tokens });
    return { event: copy(event), blobIds, tokens };
  }
}

export class InMemoryChunkRepository implements ChunkRepository {
  constructor(private readonly t: InMemoryTables) {}

  async findByIds(ids: readonly string[]): Promise<ChunkRecord[]> {
    return [...new Set(ids)].flatMap((id) => {
      const chunk = this.t.chunks.get(id);
      return chunk ? [copy(chunk)] : [];
    });
  }

  /** The owner's chunks among `ranked`, and the blobs of all of them (the port asks for at least the best topK). */
  async findRanked(
    ranked: readonly ScoredChunkId[],
    owner: { projectId: string; userPk: string },
    _topK: number,
  ): Promise<RankedChunkRows> {
    const chunks = (await this.findByIds(ranked.map((r) => r.chunkId))).filter(
      (chunk) => chunk.userPk === owner.userPk && chunk.projectId === owner.projectId,
    );
    const blobs = new Map<string, BlobRecord>();
    for (const chunk of chunks) {
      const row = this.t.blobs.get(chunk.blobId);
      if (row) blobs.set(chunk.blobId, copy(row.record));
    }
    return { chunks, blobs };
  }

  async findByBlob(blobId: string): Promise<ChunkRecord[]> {
    return [...this.t.chunks.values()]
      .filter((chunk) => chunk.blobId === blobId)
      .sort((a, b) => a.ordinal - b.ordinal)
      .map(copy);
  }

  async findByBlobs(blobIds: readonly string[]): Promise<ChunkRecord[]> {
    const lists = await Promise.all([...new Set(blobIds)].map((blobId) => this.findByBlob(blobId)));
    return lists.flat();
  }

  /**
   * What the Prisma adapter does in SQL, over the user's chunks in memory:
   * chunks with any of the query's lexemes, with their neighbours, ranked by
   * the domain's BM25 over context windows (lexical-ranking.ts).
   */
  async searchLexical(query: string, filter: ChunkSearchFilter, limit: number): Promise<ScoredChunkId[]> {
    const terms = new Set(lexemes(query));
    if (terms.size === 0 || limit <= 0) return [];
    const mine = [...this.t.chunks.values()].filter((chunk) => inScope(chunk, filter));
    const analysed = mine.map((chunk) => {
      const words = lexemes(chunk.searchText);
      const counts = new Map<string, number>();
      for (const word of words) if (terms.has(word)) counts.set(word, (counts.get(word) ?? 0) + 1);
      return { chunk, length: new Set(words).size, terms: counts };
    });
    const reach = contextReach();
    const matched = analysed.filter((a) => a.terms.size > 0);
    const near = analysed.filter((a) =>
      matched.some((m) => m.chunk.blobId === a.chunk.blobId && Math.abs(m.chunk.ordinal - a.chunk.ordinal) <= reach),
    );
    return rankWindows({
      chunks: near.map((a) => ({
        id: a.chunk.id,
        blobId: a.chunk.blobId,
        ordinal: a.chunk.ordinal,
        length: a.length,
        terms: a.terms,
      })),
      documents: mine.length,
      limit,
    });
  }

  async *scanAll(batchSize: number): AsyncIterable<ChunkRecord[]> {
    const all = [...this.t.chunks.values()].sort((a, b) => compareText(a.id, b.id));
    for (let i = 0; i < all.length; i += batchSize) yield all.slice(i, i + batchSize).map(copy);
  }
}

function inScope(chunk: ChunkRecord, filter: ChunkSearchFilter): boolean {
  return (
    chunk.userPk === filter.userPk &&
    (!filter.types || filter.types.includes(chunk.blobType)) &&
    (!filter.since || chunk.createdAt >= filter.since) &&
    (!filter.until || chunk.createdAt <= filter.until)
  );
}

// ---------------------------------------------------------------- index outbox and state

export class InMemoryIndexJobQueue implements IndexJobQueue {
  constructor(private readonly t: InMemoryTables) {}

  async due(limit: number, after: bigint | null = null): Promise<IndexJob[]> {
    const at = now();
    return [...this.t.jobs.values()]
      .filter((row) => row.availableAt <= at && (after === null || row.job.id > after))
      .sort((a, b) => (a.job.id < b.job.id ? -1 : 1))
      .slice(0, limit)
      .map((row) => copy(row.job));
  }

  async complete(ids: readonly bigint[]): Promise<void> {
    for (const id of ids) this.t.jobs.delete(id);
  }

  async retryLater(id: bigint, error: string, at: Date): Promise<void> {
    const row = this.t.jobs.get(id);
    if (!row) return;
    row.job.attempts += 1;
    row.lastError = error.slice(0, MAX_ERROR_LENGTH);
    row.availableAt = new Date(at);
  }

  async pendingCount(): Promise<number> {
    return this.t.jobs.size;
  }
}

export class InMemoryIndexStateRepository implements IndexStateRepository {
  constructor(private readonly t: InMemoryTables) {}

  async get(): Promise<{ model: string; dimension: number; collection: string } | null> {
    return copy(this.t.indexState);
  }

  async set(state: { model: string; dimension: number; collection: string }): Promise<void> {
    this.t.indexState = { model: state.model, dimension: state.dimension, collection: state.collection };
  }
}

// ---------------------------------------------------------------- memories, history, events

export class InMemoryMemoryRepository implements MemoryRepository {
  constructor(private readonly t: InMemoryTables) {}

  async findById(projectId: string, id: string): Promise<MemoryRecord | null> {
    const row = this.t.memories.get(id);
    return row && row.record.projectId === projectId ? copy(row.record) : null;
  }

  async findByIds(ids: readonly string[]): Promise<(MemoryRecord | null)[]> {
    return ids.map((id) => {
      const row = this.t.memories.get(id);
      return row ? copy(row.record) : null;
    });
  }

  async findWithEmbeddings(ids: readonly string[]): Promise<MemoryWithEmbedding[]> {
    return [...new Set(ids)].flatMap((id) => {
      const row = this.t.memories.get(id);
      return row ? [withEmbedding(row)] : [];
    });
  }

  async *scanLive(batchSize: number, at: Date): AsyncIterable<MemoryWithEmbedding[]> {
    const all = [...this.t.memories.values()]
      .filter((row) => isLive(row.record, at))
      .sort((a, b) => compareText(a.record.id, b.record.id));
    for (let i = 0; i < all.length; i += batchSize) yield all.slice(i, i + batchSize).map(withEmbedding);
  }

  async setEmbeddings(updates: readonly { id: string; embedding: number[] }[]): Promise<void> {
    for (const { id, embedding } of updates) {
      const row = this.t.memories.get(id);
      if (row) row.embedding = [...embedding];
    }
  }

  async fillEmbeddings(updates: readonly { id: string; embedding: number[] }[]): Promise<void> {
    for (const { id, embedding } of updates) {
      const row = this.t.memories.get(id);
      if (row && row.embedding.length === 0) row.embedding = [...embedding];
    }
  }

  async listLiveWithEmbeddings(userPk: string, scope: Scope, at: Date): Promise<MemoryWithEmbedding[]> {
    return this.rowsOf(userPk)
      .filter(
        (row) => isLive(row.record, at) && row.record.agentId === scope.agentId && row.record.runId === scope.runId,
      )
      .sort((a, b) => compareKeyset(a.record, b.record))
      .map(withEmbedding);
  }

  /** What the SQL does: the selection, the order's sort, the keyset, first + 1 rows. */
  async list(
    userPk: string,
    selection: MemorySelection,
    page: MemoryPageRequest,
    at: Date,
  ): Promise<Page<MemoryRecord>> {
    const compare = compareMemories(page.order);
    const selected = this.rowsOf(userPk)
      .map((row) => row.record)
      .filter((memory) => selects(selection, memory, at))
      .sort(compare);
    const after = page.after;
    const cursor = after && ({ [page.order.field]: after.value, id: after.id } as unknown as MemoryRecord);
    const rest = cursor ? selected.filter((memory) => compare(memory, cursor) > 0) : selected;
    return {
      items: rest.slice(0, page.first).map(copy),
      hasNextPage: rest.length > page.first,
      totalCount: selected.length,
    };
  }

  async listProfile(userPk: string, topics: string[] | null, at: Date): Promise<MemoryRecord[]> {
    return this.rowsOf(userPk)
      .map((row) => row.record)
      .filter((memory) => isLive(memory, at) && (!topics || topics.includes(memory.topic)))
      .sort((a, b) => compareText(a.topic, b.topic) || compareText(a.subTopic, b.subTopic) || compareKeyset(a, b))
      .map(copy);
  }

  async select(
    ids: readonly string[],
    scope: MemoryScope,
    selection: MemorySelection,
    at: Date,
  ): Promise<MemoryRecord[]> {
    return [...new Set(ids)].flatMap((id) => {
      const row = this.t.memories.get(id);
      return row && inMemoryScope(row.record, scope) && selects(selection, row.record, at) ? [copy(row.record)] : [];
    });
  }

  /** BM25 over title, text and summary of the selected memories in scope (as the generated tsvector holds them). */
  async searchLexical(
    query: string,
    scope: MemoryScope,
    selection: MemorySelection,
    limit: number,
    at: Date,
  ): Promise<ScoredMemoryId[]> {
    const terms = new Set(lexemes(query));
    if (terms.size === 0 || limit <= 0) return [];
    const mine = [...this.t.memories.values()]
      .map((row) => row.record)
      .filter((memory) => inMemoryScope(memory, scope) && selects(selection, memory, at));
    const analysed = mine.map((memory) => {
      const words = lexemes(`${memory.title ?? ''} ${memory.text} ${memory.summary ?? ''}`);
      const counts = new Map<string, number>();
      for (const word of words) if (terms.has(word)) counts.set(word, (counts.get(word) ?? 0) + 1);
      return { id: memory.id, length: new Set(words).size, terms: counts };
    });
    return rankWindows({
      chunks: analysed
        .filter((a) => a.terms.size > 0)
        .map((a) => ({ id: a.id, blobId: a.id, ordinal: 0, length: a.length, terms: a.terms })),
      documents: mine.length,
      context: [{ shift: 0, weight: 1 }],
      limit,
    }).map((hit) => ({ memoryId: hit.chunkId, score: hit.score }));
  }

  async countLive(userPks: readonly string[], at: Date): Promise<number[]> {
    return userPks.map((pk) => this.rowsOf(pk).filter((row) => isLive(row.record, at)).length);
  }

  async scopeUsage(userPks: readonly string[], field: 'agentId' | 'runId', at: Date): Promise<ScopeUsage[][]> {
    return userPks.map((pk) => {
      const usage = new Map<string, ScopeUsage>();
      const entry = (id: string) => usage.get(id) ?? usage.set(id, { id, memoryCount: 0, blobCount: 0 }).get(id)!;
      for (const row of this.rowsOf(pk)) {
        const id = row.record[field];
        if (id !== null && isLive(row.record, at)) entry(id).memoryCount++;
      }
      for (const row of this.t.blobs.values()) {
        const id = row.record[field];
        if (row.record.userPk === pk && id !== null) entry(id).blobCount++;
      }
      return [...usage.values()].sort((a, b) => compareText(a.id, b.id));
    });
  }

  async sourceBlobIds(memoryIds: readonly string[]): Promise<string[][]> {
    return memoryIds.map((id) => [...(this.t.memories.get(id)?.sources ?? [])]);
  }

  async history(memoryIds: readonly string[]): Promise<MemoryChangeRecord[][]> {
    return memoryIds.map((id) => this.changes((change) => change.memoryId === id));
  }

  async changesOfEvents(eventIds: readonly string[]): Promise<MemoryChangeRecord[][]> {
    return eventIds.map((id) => this.changes((change) => change.eventId === id));
  }

  async create(memory: NewMemory): Promise<{ memory: MemoryRecord; change: MemoryChangeRecord }> {
    const user = this.t.users.get(memory.userPk);
    if (!user || user.projectId !== memory.projectId)
      throw new Error(`foreign key violated: no user ${memory.userPk} in project ${memory.projectId}`);
    const at = now();
    const record: MemoryRecord = {
      ...content(memory),
      id: randomUUID(),
      projectId: memory.projectId,
      userPk: memory.userPk,
      metadata: copy(memory.metadata),
      createdAt: at,
      updatedAt: at,
      deletedAt: null,
    };
    this.t.memories.set(record.id, { record, embedding: [...memory.embedding], sources: new Set() });
    const change = recordChange(
      this.t,
      {
        projectId: record.projectId,
        userPk: record.userPk,
        memoryId: record.id,
        kind: 'ADD',
        actor: 'API',
        before: null,
        after: content(record),
      },
      [],
    );
    this.t.enqueueMemorySync(record);
    return { memory: copy(record), change };
  }

  /** All or nothing: every memory is checked before anything changes. */
  async applyEdits(edits: readonly MemoryEdit[]): Promise<MemoryChangeRecord[]> {
    edits.forEach((edit, index) => {
      const row = this.t.memories.get(edit.memory.id);
      if (!row || row.record.deletedAt) throw new MemoryEditConflict(index);
    });
    const at = now();
    const changes = edits.map((edit) => {
      const row = this.t.memories.get(edit.memory.id)!;
      const before = content(row.record);
      const base = {
        projectId: row.record.projectId,
        userPk: row.record.userPk,
        memoryId: row.record.id,
        actor: 'API' as const,
      };
      switch (edit.kind) {
        case 'UPDATE':
          Object.assign(row.record, content(edit.after), { metadata: copy(edit.metadata), updatedAt: at });
          if (edit.embedding) row.embedding = [...edit.embedding];
          return recordChange(this.t, { ...base, kind: 'UPDATE', before, after: content(edit.after) }, []);
        case 'DELETE':
          row.record.deletedAt = at;
          row.record.updatedAt = at;
          return recordChange(this.t, { ...base, kind: 'DELETE', before, after: null }, []);
        default: {
          const unreachable: never = edit;
          throw new Error(`unknown edit ${JSON.stringify(unreachable)}`);
        }
      }
    });
    for (const edit of edits) this.t.enqueueMemorySync(edit.memory);
    return changes;
  }

  async deleteWhere(userPk: string, selection: MemorySelection, at: Date): Promise<MemoryChangeRecord[]> {
    const rows = this.rowsOf(userPk).filter((row) => !row.record.deletedAt && selects(selection, row.record, at));
    return this.deleteRows(rows, 'API', true);
  }

  async reset(
    user: { pk: string; projectId: string },
    keepBlobs: boolean,
  ): Promise<{ changes: MemoryChangeRecord[]; eventsDeleted: number; blobsDeleted: number }> {
    this.t.processing.delete(user.pk);
    let blobsDeleted = 0;
    for (const [id, row] of this.t.blobs) {
      if (row.record.userPk !== user.pk) continue;
      if (!keepBlobs) {
        this.t.deleteBlobCascade(id);
        blobsDeleted++;
      } else if (row.bufferState === 'PENDING' || row.bufferState === 'PROCESSING') {
        row.bufferState = 'DONE';
      }
    }
    if (blobsDeleted > 0)
      this.t.enqueueJob({ kind: 'DELETE_USER_BLOBS', projectId: user.projectId, userPk: user.pk, blobId: null });
    const changes = this.deleteRows(
      this.rowsOf(user.pk).filter((row) => !row.record.deletedAt),
      'API',
      false,
    );
    this.t.enqueueJob({ kind: 'DELETE_USER_MEMORIES', projectId: user.projectId, userPk: user.pk, blobId: null });
    let eventsDeleted = 0;
    for (const [id, event] of this.t.events) {
      if (event.userPk !== user.pk) continue;
      this.t.events.delete(id);
      eventsDeleted++;
      for (const change of this.t.changes) if (change.record.eventId === id) change.record.eventId = null;
    }
    return { changes, eventsDeleted, blobsDeleted };
  }

  async expire(at: Date, limit: number): Promise<MemoryChangeRecord[]> {
    const due = [...this.t.memories.values()]
      .filter((row) => !row.record.deletedAt && row.record.expiresAt !== null && row.record.expiresAt <= at)
      .sort(
        (a, b) =>
          a.record.expiresAt!.getTime() - b.record.expiresAt!.getTime() || compareText(a.record.id, b.record.id),
      )
      .slice(0, limit);
    return this.deleteRows(due, 'EXPIRY', true);
  }

  /** As the SQL: rows taken in id order, each deleted with a recorded DELETE. */
  private deleteRows(rows: MemoryRow[], actor: ChangeActor, enqueue: boolean): MemoryChangeRecord[] {
    const at = now();
    const sorted = [...rows].sort((a, b) => compareText(a.record.id, b.record.id));
    const changes = sorted.map((row) => {
      const before = content(row.record);
      row.record.deletedAt = at;
      row.record.updatedAt = at;
      return recordChange(
        this.t,
        {
          projectId: row.record.projectId,
          userPk: row.record.userPk,
          memoryId: row.record.id,
          kind: 'DELETE',
          actor,
          before,
          after: null,
        },
        [],
      );
    });
    if (enqueue) for (const row of sorted) this.t.enqueueMemorySync(row.record);
    return changes;
  }

  private rowsOf(userPk: string): MemoryRow[] {
    return [...this.t.memories.values()].filter((row) => row.record.userPk === userPk);
  }

  private changes(predicate: (change: MemoryChangeRecord) => boolean): MemoryChangeRecord[] {
    return this.t.changes
      .filter((row) => predicate(row.record))
      .sort((a, b) => a.seq - b.seq)
      .map((row) => copy(row.record));
  }
}

/** Not deleted and not expired at `at`. */
function isLive(memory: MemoryRecord, at: Date): boolean {
  return memory.deletedAt === null && (memory.expiresAt === null || memory.expiresAt > at);
}

function inMemoryScope(memory: MemoryRecord, scope: MemoryScope): boolean {
  return memory.projectId === scope.projectId && (scope.userPks === null || scope.userPks.includes(memory.userPk));
}

function withEmbedding(row: MemoryRow): MemoryWithEmbedding {
  return { ...copy(row.record), embedding: [...row.embedding] };
}

/** The content part of a memory, as a change's snapshot holds it. */
function content(memory: MemoryContent): MemoryContent {
  return copy({
    text: memory.text,
    topic: memory.topic,
    subTopic: memory.subTopic,
    categories: memory.categories,
    title: memory.title,
    summary: memory.summary,
    tags: memory.tags,
    importance: memory.importance,
    confidence: memory.confidence,
    source: memory.source,
    agentId: memory.agentId,
    runId: memory.runId,
    expiresAt: memory.expiresAt,
    immutable: memory.immutable,
  });
}

function recordChange(
  t: InMemoryTables,
  change: Omit<MemoryChangeRecord, 'id' | 'createdAt' | 'sourceBlobIds' | 'eventId'>,
  sourceBlobIds: string[],
  eventId: string | null = null,
): MemoryChangeRecord {
  const record: MemoryChangeRecord = {
    ...copy(change),
    id: randomUUID(),
    sourceBlobIds: [...sourceBlobIds],
    eventId,
    createdAt: now(),
  };
  t.changes.push({ record, seq: t.nextSeq() });
  return copy(record);
}

export class InMemoryEventRepository implements EventRepository {
  constructor(private readonly t: InMemoryTables) {}

  async findById(projectId: string, id: string): Promise<MemoryEventRecord | null> {
    const event = this.t.events.get(id);
    return event && event.projectId === projectId ? copy(event) : null;
  }

  async listByUser(userPk: string, page: PageRequest): Promise<Page<MemoryEventRecord>> {
    const rows = [...this.t.events.values()].filter((event) => event.userPk === userPk);
    return mapPage(
      keysetPage(rows, page, (event) => event),
      copy,
    );
  }

  async listRecent(userPk: string, limit: number): Promise<MemoryEventRecord[]> {
    return [...this.t.events.values()]
      .filter((event) => event.userPk === userPk)
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
      .slice(0, limit)
      .map(copy);
  }
}

export class InMemoryProfileConfigRepository implements ProfileConfigRepository {
  constructor(private readonly t: InMemoryTables) {}

  async get(projectId: string): Promise<ProfileConfig | null> {
    return copy(this.t.profileConfigs.get(projectId) ?? null);
  }

  async set(projectId: string, config: ProfileConfig): Promise<void> {
    requireProject(this.t, projectId);
    this.t.profileConfigs.set(projectId, copy(config));
  }
}

// ---------------------------------------------------------------- extraction buffer and leases

export class InMemoryProcessingRepository implements ProcessingRepository {
  constructor(private readonly t: InMemoryTables) {}

  /** Like the SQL upsert: the lease is taken when absent or expired, never re-entered. */
  async claim(userPk: string, workerId: string, leaseMs: number): Promise<boolean> {
    const user = this.t.users.get(userPk);
    if (!user) return false;
    const at = now();
    const row = this.t.processing.get(userPk);
    const lockedUntil = new Date(at.getTime() + leaseMs);
    if (!row) {
      this.t.processing.set(userPk, {
        userPk,
        projectId: user.projectId,
        state: 'IDLE',
        lastError: null,
        attempts: 0,
        nextAttemptAt: null,
        lockedBy: workerId,
        lockedUntil,
      });
      return true;
    }
    if (row.lockedUntil !== null && row.lockedUntil >= at) return false;
    row.lockedBy = workerId;
    row.lockedUntil = lockedUntil;
    return true;
  }

  async nextBatch(userPk: string, maxTokens: number): Promise<BlobRecord[]> {
    const rows = this.buffered(userPk).slice(0, 500);
    // One scope and one blob type per batch, as the SQL adapter takes them.
    const first = rows[0]?.record;
    const batch: BlobRow[] = [];
    let tokens = 0;
    for (const row of rows) {
      if (row.record.agentId !== first?.agentId || row.record.runId !== first.runId) continue;
      if (row.record.content.type !== first.content.type) break;
      if (batch.length > 0 && tokens + row.tokens > maxTokens) break;
      batch.push(row);
      tokens += row.tokens;
    }
    for (const row of batch) row.bufferState = 'PROCESSING';
    return batch.map((row) => copy(row.record));
  }

  async commit(batch: BatchCommit): Promise<{ event: MemoryEventRecord; changes: MemoryChangeRecord[] }> {
    const lease = this.t.processing.get(batch.userPk);
    if (!lease || lease.lockedBy !== batch.workerId)
      throw new Error('lost the processing lease before commit; the batch will be retried');
    const at = now();
    const event: MemoryEventRecord = {
      id: randomUUID(),
      projectId: batch.projectId,
      userPk: batch.userPk,
      kind: 'EXTRACTION',
      summary: batch.summary,
      tags: [...batch.tags],
      blobIds: [...batch.blobIds],
      usage: copy(batch.usage),
      createdAt: at,
    };
    this.t.events.set(event.id, event);
    if (batch.usage && batch.usage.calls > 0)
      this.t.addUsage(batch.projectId, batch.userPk, at, {
        llmCalls: batch.usage.calls,
        llmPromptTokens: batch.usage.promptTokens,
        llmCompletionTokens: batch.usage.completionTokens,
      });
    const changes: MemoryChangeRecord[] = [];
    for (const operation of batch.operations) {
      const change = this.apply(batch, event.id, operation, at);
      if (change) changes.push(change);
    }
    for (const change of changes) this.t.enqueueMemorySync({ ...change, id: change.memoryId });
    for (const blobId of batch.blobIds) {
      const row = this.t.blobs.get(blobId);
      if (row && row.record.userPk === batch.userPk) row.bufferState = 'DONE';
    }
    Object.assign(lease, {
      state: 'IDLE',
      lastError: null,
      attempts: 0,
      nextAttemptAt: null,
      lockedBy: null,
      lockedUntil: null,
    });
    return { event: copy(event), changes };
  }

  async fail(userPk: string, workerId: string, error: string, retryAt: Date): Promise<void> {
    for (const row of this.t.blobs.values())
      if (row.record.userPk === userPk && row.bufferState === 'PROCESSING') row.bufferState = 'PENDING';
    const lease = this.t.processing.get(userPk);
    if (!lease || lease.lockedBy !== workerId) return;
    Object.assign(lease, {
      state: 'FAILED',
      lastError: error.slice(0, MAX_ERROR_LENGTH),
      attempts: lease.attempts + 1,
      nextAttemptAt: new Date(retryAt),
      lockedBy: null,
      lockedUntil: null,
    });
  }

  async release(userPk: string, workerId: string): Promise<void> {
    const lease = this.t.processing.get(userPk);
    if (!lease || lease.lockedBy !== workerId) return;
    lease.lockedBy = null;
    lease.lockedUntil = null;
  }

  /** As the SQL: users with buffered blobs, not leased, whose buffer is due; oldest buffer first. */
  async dueUsers(
    _now: Date,
    idleMs: number,
    tokenThreshold: number,
    limit: number,
  ): Promise<{ userPk: string; projectId: string }[]> {
    const at = now();
    const byUser = new Map<string, BlobRow[]>();
    for (const row of this.t.blobs.values()) {
      if (row.bufferState !== 'PENDING' && row.bufferState !== 'PROCESSING') continue;
      byUser.set(row.record.userPk, [...(byUser.get(row.record.userPk) ?? []), row]);
    }
    const due: { userPk: string; projectId: string; oldest: number }[] = [];
    for (const [userPk, rows] of byUser) {
      const lease = this.t.processing.get(userPk);
      if (lease?.lockedUntil && lease.lockedUntil >= at) continue;
      const isDue =
        lease?.state === 'FAILED'
          ? lease.nextAttemptAt !== null && lease.nextAttemptAt <= at
          : rows.some((row) => row.bufferState === 'PROCESSING') ||
            rows.reduce((sum, row) => sum + row.tokens, 0) >= tokenThreshold ||
            Math.max(...rows.map((row) => row.insertedAt.getTime())) <= at.getTime() - idleMs;
      if (isDue)
        due.push({
          userPk,
          projectId: rows[0]!.record.projectId,
          oldest: Math.min(...rows.map((row) => row.insertedAt.getTime())),
        });
    }
    return due
      .sort((a, b) => a.oldest - b.oldest)
      .slice(0, limit)
      .map(({ userPk, projectId }) => ({ userPk, projectId }));
  }

  async status(userPks: readonly string[]): Promise<BufferStatus[]> {
    const at = now();
    return userPks.map((userPk) => {
      const rows = this.buffered(userPk);
      const lease = this.t.processing.get(userPk);
      const held = lease?.lockedUntil ? lease.lockedUntil > at : false;
      return {
        pendingBlobs: rows.length,
        pendingTokens: rows.reduce((sum, row) => sum + row.tokens, 0),
        state: held ? 'PROCESSING' : (lease?.state ?? 'IDLE'),
        lastError: lease?.lastError ?? null,
        attempts: lease?.attempts ?? 0,
        nextAttemptAt: lease?.state === 'FAILED' ? copy(lease.nextAttemptAt) : null,
      };
    });
  }

  /** The user's PENDING and PROCESSING blobs, oldest insert first. */
  private buffered(userPk: string): BlobRow[] {
    return [...this.t.blobs.values()]
      .filter(
        (row) => row.record.userPk === userPk && (row.bufferState === 'PENDING' || row.bufferState === 'PROCESSING'),
      )
      .sort((a, b) => a.insertedAt.getTime() - b.insertedAt.getTime() || a.seq - b.seq);
  }

  /** As the SQL adapter: an immutable memory is never changed (its UPDATE becomes an ADD, its DELETE is dropped). */
  private apply(
    batch: BatchCommit,
    eventId: string,
    operation: BatchCommit['operations'][number],
    at: Date,
  ): MemoryChangeRecord | null {
    const base = { projectId: batch.projectId, userPk: batch.userPk, actor: 'EXTRACTOR' as const };
    const add = (fact: NewFact, embedding: number[]) => {
      const record: MemoryRecord = {
        id: randomUUID(),
        projectId: batch.projectId,
        userPk: batch.userPk,
        ...extractedMemoryContent(fact, batch),
        metadata: null,
        createdAt: at,
        updatedAt: at,
        deletedAt: null,
      };
      this.t.memories.set(record.id, { record, embedding: [...embedding], sources: new Set(batch.blobIds) });
      const change = { ...base, memoryId: record.id, kind: 'ADD' as const, before: null };
      return recordChange(this.t, { ...change, after: content(record) }, batch.blobIds, eventId);
    };
    switch (operation.kind) {
      case 'ADD':
        return add(operation.fact, operation.embedding);
      case 'UPDATE': {
        const row = this.liveOf(batch.userPk, operation.memoryId);
        if (!row) return null; // deleted by an API call meanwhile: the deletion stands
        if (row.record.immutable) return add(operation.fact, operation.embedding);
        const before = content(row.record);
        const { fact } = operation;
        Object.assign(row.record, {
          text: fact.text,
          topic: fact.topic,
          subTopic: fact.subTopic,
          categories: [...fact.categories],
          tags: [...new Set([...row.record.tags, ...fact.categories])],
          confidence: fact.confidence ?? row.record.confidence,
          updatedAt: at,
        });
        row.embedding = [...operation.embedding];
        for (const blobId of batch.blobIds) row.sources.add(blobId);
        const change = { ...base, memoryId: row.record.id, kind: 'UPDATE' as const, before };
        return recordChange(this.t, { ...change, after: content(row.record) }, batch.blobIds, eventId);
      }
      case 'DELETE': {
        const row = this.liveOf(batch.userPk, operation.memoryId);
        if (!row || row.record.immutable) return null;
        const before = content(row.record);
        row.record.deletedAt = at;
        row.record.updatedAt = at;
        const change = { ...base, memoryId: row.record.id, kind: 'DELETE' as const, before, after: null };
        return recordChange(this.t, change, batch.blobIds, eventId);
      }
      default: {
        const unreachable: never = operation;
        throw new Error(`unknown operation ${JSON.stringify(unreachable)}`);
      }
    }
  }

  private liveOf(userPk: string, memoryId: string): MemoryRow | null {
    const row = this.t.memories.get(memoryId);
    return row && row.record.userPk === userPk && !row.record.deletedAt ? row : null;
  }
}

// ---------------------------------------------------------------- structured exports

export class InMemoryMemoryExportRepository implements MemoryExportRepository {
  constructor(private readonly t: InMemoryTables) {}

  async create(input: Parameters<MemoryExportRepository['create']>[0]): Promise<MemoryExportRecord> {
    if (!this.t.users.has(input.userPk)) throw new NotFoundError('User', input.userPk);
    const row = {
      ...copy(input),
      id: randomUUID(),
      status: 'PENDING' as const,
      result: null,
      errors: [],
      usage: null,
      attempts: 0,
      createdAt: now(),
      finishedAt: null,
      leaseUntil: null,
    };
    this.t.memoryExports.set(row.id, row);
    return this.view(row);
  }

  async findById(projectId: string, id: string): Promise<MemoryExportRecord | null> {
    const row = this.t.memoryExports.get(id);
    return row && row.projectId === projectId ? this.view(row) : null;
  }

  async claim(id: string, leaseMs: number, at: Date): Promise<MemoryExportRecord | null> {
    const row = this.t.memoryExports.get(id);
    if (!row || !this.waiting(row, at)) return null;
    row.status = 'RUNNING';
    row.leaseUntil = new Date(at.getTime() + leaseMs);
    return this.view(row);
  }

  async unfinished(at: Date, limit: number): Promise<string[]> {
    return [...this.t.memoryExports.values()]
      .filter((row) => this.waiting(row, at))
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1))
      .slice(0, limit)
      .map((row) => row.id);
  }

  async finish(id: string, outcome: Parameters<MemoryExportRepository['finish']>[1]): Promise<MemoryExportRecord> {
    const row = this.t.memoryExports.get(id);
    if (!row) throw new NotFoundError('MemoryExport', id);
    Object.assign(row, copy(outcome), { leaseUntil: null });
    return this.view(row);
  }

  private waiting(row: { status: string; leaseUntil: Date | null }, at: Date): boolean {
    return row.status === 'PENDING' || (row.status === 'RUNNING' && (row.leaseUntil?.getTime() ?? 0) < at.getTime());
  }

  private view(row: MemoryExportRecord & { leaseUntil: Date | null }): MemoryExportRecord {
    const { leaseUntil: _lease, ...record } = copy(row);
    return record;
  }
}

export class InMemoryExportRepository implements ExportRepository {
  constructor(private readonly t: InMemoryTables) {}

  async create(input: Parameters<ExportRepository['create']>[0]): Promise<ExportRecord> {
    requireProject(this.t, input.projectId);
    const row = {
      ...copy(input),
      id: randomUUID(),
      status: 'PENDING' as const,
      done: 0,
      total: 0,
      bytes: null,
      error: null,
      createdAt: now(),
      finishedAt: null,
      leaseUntil: null,
    };
    this.t.exports.set(row.id, row);
    return this.view(row);
  }

  async findById(projectId: string, id: string): Promise<ExportRecord | null> {
    const row = this.t.exports.get(id);
    return row && row.projectId === projectId ? this.view(row) : null;
  }

  async list(projectId: string, page: PageRequest): Promise<Page<ExportRecord>> {
    const rows = [...this.t.exports.values()].filter((row) => row.projectId === projectId);
    return mapPage(
      keysetPage(rows, page, (row) => row),
      (row) => this.view(row),
    );
  }

  async claim(id: string, leaseMs: number, at: Date): Promise<ExportRecord | null> {
    const row = this.t.exports.get(id);
    if (!row || !this.waiting(row, at)) return null;
    Object.assign(row, { status: 'RUNNING', done: 0, leaseUntil: new Date(at.getTime() + leaseMs) });
    return this.view(row);
  }

  async unfinished(at: Date, limit: number): Promise<string[]> {
    return [...this.t.exports.values()]
      .filter((row) => this.waiting(row, at))
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1))
      .slice(0, limit)
      .map((row) => row.id);
  }

  async progress(id: string, done: number, total: number, leaseUntil: Date): Promise<void> {
    const row = this.t.exports.get(id);
    if (row) Object.assign(row, { done, total, leaseUntil });
  }

  async renew(id: string, leaseUntil: Date): Promise<void> {
    const row = this.t.exports.get(id);
    if (row?.status === 'RUNNING') Object.assign(row, { leaseUntil });
  }

  async finish(id: string, outcome: Parameters<ExportRepository['finish']>[1]): Promise<ExportRecord> {
    const row = this.t.exports.get(id);
    if (!row) throw new NotFoundError('Export', id);
    Object.assign(row, copy(outcome), { leaseUntil: null });
    return this.view(row);
  }

  async deleteOlderThan(before: Date): Promise<string[]> {
    const gone = [...this.t.exports.values()].filter((row) => row.createdAt.getTime() < before.getTime());
    for (const row of gone) this.t.exports.delete(row.id);
    return gone.map((row) => row.id);
  }

  private waiting(row: { status: string; leaseUntil: Date | null }, at: Date): boolean {
    return row.status === 'PENDING' || (row.status === 'RUNNING' && (row.leaseUntil?.getTime() ?? 0) < at.getTime());
  }

  private view(row: ExportRecord & { leaseUntil: Date | null }): ExportRecord {
    const { leaseUntil: _lease, ...record } = copy(row);
    return record;
  }
}

// ---------------------------------------------------------------- all of them

export class InMemoryUsageRepository implements UsageRepository {
  constructor(private readonly t: InMemoryTables) {}

  async daily(scope: { projectId: string; userPk?: string }, from: string, to: string): Promise<UsageDayRecord[]> {
    const days = new Map<string, UsageDayRecord>();
    for (const row of this.t.usage.values()) {
      if (row.projectId !== scope.projectId || (scope.userPk && row.userPk !== scope.userPk)) continue;
      if (row.day < from || row.day > to) continue;
      const day = days.get(row.day) ?? {
        day: row.day,
        blobs: 0,
        tokensStored: 0,
        llmCalls: 0,
        llmPromptTokens: 0,
        llmCompletionTokens: 0,
        blobsForgotten: 0,
        tokensForgotten: 0,
      };
      day.blobs += row.blobs;
      day.tokensStored += row.tokensStored;
      day.llmCalls += row.llmCalls;
      day.llmPromptTokens += row.llmPromptTokens;
      day.llmCompletionTokens += row.llmCompletionTokens;
      day.blobsForgotten += row.blobsForgotten;
      day.tokensForgotten += row.tokensForgotten;
      days.set(row.day, day);
    }
    return [...days.values()].sort((a, b) => a.day.localeCompare(b.day));
  }
}

export interface InMemoryRepositories {
  tables: InMemoryTables;
  projects: InMemoryProjectRepository;
  apiKeys: InMemoryApiKeyRepository;
  users: InMemoryUserRepository;
  blobs: InMemoryBlobRepository;
  blobRetention: InMemoryBlobRetentionRepository;
  chunks: InMemoryChunkRepository;
  indexJobs: InMemoryIndexJobQueue;
  indexState: InMemoryIndexStateRepository;
  memories: InMemoryMemoryRepository;
  events: InMemoryEventRepository;
  processing: InMemoryProcessingRepository;
  profileConfigs: InMemoryProfileConfigRepository;
  usage: InMemoryUsageRepository;
  memoryExports: InMemoryMemoryExportRepository;
  exports: InMemoryExportRepository;
}

/** Every repository over one fresh set of tables (the shape of src/infra/prisma/repositories.ts). */
export function createInMemoryRepositories(): InMemoryRepositories {
  const tables = new InMemoryTables();
  return {
    tables,
    projects: new InMemoryProjectRepository(tables),
    apiKeys: new InMemoryApiKeyRepository(tables),
    users: new InMemoryUserRepository(tables),
    blobs: new InMemoryBlobRepository(tables),
    blobRetention: new InMemoryBlobRetentionRepository(tables),
    chunks: new InMemoryChunkRepository(tables),
    indexJobs: new InMemoryIndexJobQueue(tables),
    indexState: new InMemoryIndexStateRepository(tables),
    memories: new InMemoryMemoryRepository(tables),
    events: new InMemoryEventRepository(tables),
    processing: new InMemoryProcessingRepository(tables),
    profileConfigs: new InMemoryProfileConfigRepository(tables),
    usage: new InMemoryUsageRepository(tables),
    memoryExports: new InMemoryMemoryExportRepository(tables),
    exports: new InMemoryExportRepository(tables),
  };
}

/** Buffer state of a blob (PENDING, PROCESSING, DONE, NONE), for assertions. */
export function bufferStateOf(repos: InMemoryRepositories, blobId: string): BufferState | null {
  return repos.tables.blobs.get(blobId)?.bufferState ?? null;
}
