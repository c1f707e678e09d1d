// The VectorStore port in memory: brute-force cosine similarity over every
// vector of the asked user, with the scoping and filters of the Chroma
// adapter (project + user, blob types, createdAt bounds inclusive to the
// second, an empty type list matching nothing). Passes the same contract
// suite (test/contracts/vector-store.contract.ts).

import type {
  MemoryVectorIndex,
  MemoryVectorQuery,
  MemoryVectorRecord,
  ScoredChunkId,
  ScoredMemoryId,
  VectorQuery,
  VectorRecord,
  VectorStore,
} from '../../src/domain/ports.js';
import { cosine } from '../../src/lib/vectors.js';

export class InMemoryVectorStore implements VectorStore {
  private dimension: number | null = null;
  private readonly records = new Map<string, VectorRecord>();

  /** Stands for the Chroma collection prefix that IndexState records. */
  readonly collectionPrefix = 'in-memory';

  /** Vectors held, for assertions. */
  get size(): number {
    return this.records.size;
  }

  /** The chunk ids held for one user, sorted (for assertions). */
  chunkIdsOf(scope: { projectId: string; userPk: string }): string[] {
    return [...this.records.values()]
      .filter((record) => ownedBy(record, scope))
      .map((record) => record.chunkId)
      .sort();
  }

  async open(dimension: number): Promise<void> {
    if (!Number.isInteger(dimension) || dimension < 1)
      throw new Error(`InMemoryVectorStore.open: bad dimension ${dimension}`);
    this.dimension = dimension;
  }

  async upsert(records: readonly VectorRecord[]): Promise<void> {
    const dimension = this.requireDimension();
    for (const record of records) {
      if (record.vector.length !== dimension)
        throw new Error(
          `Vector of chunk ${record.chunkId} has ${record.vector.length} dimensions; the index holds ${dimension}`,
        );
    }
    for (const record of records) this.records.set(record.chunkId, { ...record, vector: [...record.vector] });
  }

  async deleteByBlob(scope: { projectId: string; userPk: string }, blobId: string): Promise<void> {
    for (const [id, record] of this.records)
      if (ownedBy(record, scope) && record.blobId === blobId) this.records.delete(id);
  }

  async deleteByUser(scope: { projectId: string; userPk: string }): Promise<void> {
    for (const [id, record] of this.records) if (ownedBy(record, scope)) this.records.delete(id);
  }

  async query(query: VectorQuery): Promise<ScoredChunkId[]> {
    const dimension = this.requireDimension();
    if (query.vector.length !== dimension)
      throw new Error(`Query vector has ${query.vector.length} dimensions; the index holds ${dimension}`);
    if (query.limit < 1) return [];
    const since = query.since ? query.since.getTime() / 1000 : -Infinity;
    const until = query.until ? query.until.getTime() / 1000 : Infinity;
    return [...this.records.values()]
      .filter(
        (record) =>
          ownedBy(record, query) &&
          (query.types === null || query.types.includes(record.blobType)) &&
          record.createdAt >= since &&
          record.createdAt <= until,
      )
      .map((record) => ({ chunkId: record.chunkId, score: cosine(query.vector, record.vector) }))
      .sort((a, b) => b.score - a.score || (a.chunkId < b.chunkId ? -1 : 1))
      .slice(0, query.limit);
  }

  async reset(): Promise<void> {
    this.records.clear();
  }

  async ping(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {
    // Nothing to release; the vectors stay until reset().
  }

  private requireDimension(): number {
    if (this.dimension === null) throw new Error('InMemoryVectorStore: call open(dimension) first');
    return this.dimension;
  }
}

function ownedBy(record: VectorRecord, scope: { projectId: string; userPk: string }): boolean {
  return record.projectId === scope.projectId && record.userPk === scope.userPk;
}

/**
 * The MemoryVectorIndex port in memory: brute-force cosine similarity over the
 * asked users' memory vectors (one, several, or the whole project), narrowed
 * to the asked agents and runs as the Chroma adapter narrows them. Passes
 * test/contracts/memory-vector-index.contract.ts with the Chroma adapter.
 */
export class InMemoryMemoryVectorIndex implements MemoryVectorIndex {
  private dimension: number | null = null;
  private readonly records = new Map<string, MemoryVectorRecord>();

  /** Memory ids held, sorted (for assertions). */
  ids(): string[] {
    return [...this.records.keys()].sort();
  }

  async open(dimension: number): Promise<void> {
    if (!Number.isInteger(dimension) || dimension < 1)
      throw new Error(`InMemoryMemoryVectorIndex.open: bad dimension ${dimension}`);
    this.dimension = dimension;
  }

  async upsert(records: readonly MemoryVectorRecord[]): Promise<void> {
    const dimension = this.requireDimension();
    for (const record of records)
      if (record.vector.length !== dimension)
        throw new Error(
          `Vector of record ${record.memoryId} has ${record.vector.length} dimensions; the index holds ${dimension}`,
        );
    for (const record of records) this.records.set(record.memoryId, { ...record, vector: [...record.vector] });
  }

  async delete(scope: { projectId: string; userPk: string }, memoryIds: readonly string[]): Promise<void> {
    for (const id of memoryIds) {
      const record = this.records.get(id);
      if (record && record.projectId === scope.projectId && record.userPk === scope.userPk) this.records.delete(id);
    }
  }

  async deleteByUser(scope: { projectId: string; userPk: string }): Promise<void> {
    for (const [id, record] of this.records)
      if (record.projectId === scope.projectId && record.userPk === scope.userPk) this.records.delete(id);
  }

  async query(query: MemoryVectorQuery): Promise<ScoredMemoryId[]> {
    const dimension = this.requireDimension();
    if (query.vector.length !== dimension)
      throw new Error(`Query vector has ${query.vector.length} dimensions; the index holds ${dimension}`);
    if (query.limit < 1) return [];
    const oneUser = query.userPks?.length === 1;
    return [...this.records.values()]
      .filter(
        (record) =>
          record.projectId === query.projectId &&
          (query.userPks === null || query.userPks.includes(record.userPk)) &&
          (!oneUser || query.agentIds === null || query.agentIds.includes(record.agentId)) &&
          (!oneUser || query.runIds === null || query.runIds.includes(record.runId)),
      )
      .map((record) => ({ memoryId: record.memoryId, score: cosine(query.vector, record.vector) }))
      .sort((a, b) => b.score - a.score || (a.memoryId < b.memoryId ? -1 : 1))
      .slice(0, query.limit);
  }

  async reset(): Promise<void> {
    this.records.clear();
  }

  async close(): Promise<void> {
    // Nothing to release.
  }

  private requireDimension(): number {
    if (this.dimension === null) throw new Error('InMemoryMemoryVectorIndex: call open(dimension) first');
    return this.dimension;
  }
}
