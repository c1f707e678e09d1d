// The vector index of memories over Chroma: a ChromaVectorStore of its own
// (another collection prefix), so memories are partitioned exactly as chunks
// are (bounded shards, a directory, solo shards for big users:
// docs/vector-partitioning.md) and chunk queries never meet them.

import type { MemoryVectorIndex, MemoryVectorQuery, MemoryVectorRecord, ScoredMemoryId } from '../../domain/ports.js';
import { memoryMetadata, memoryQueryPlan } from './chroma-keys.js';
import type { ChromaVectorStore } from './chroma.vector-store.js';

export class ChromaMemoryIndex implements MemoryVectorIndex {
  /** `store`: a ChromaVectorStore whose prefix no other store uses (e.g. "memql-memories"). */
  constructor(private readonly store: ChromaVectorStore) {}

  open(dimension: number): Promise<void> {
    return this.store.open(dimension);
  }

  upsert(records: readonly MemoryVectorRecord[]): Promise<void> {
    return this.store.upsertEntries(
      records.map((record) => ({
        id: record.memoryId,
        projectId: record.projectId,
        userPk: record.userPk,
        vector: record.vector,
        metadata: memoryMetadata(record),
      })),
    );
  }

  delete(scope: { projectId: string; userPk: string }, memoryIds: readonly string[]): Promise<void> {
    return this.store.deleteEntries(scope, { ids: memoryIds });
  }

  deleteByUser(scope: { projectId: string; userPk: string }): Promise<void> {
    return this.store.deleteByUser(scope);
  }

  async query(query: MemoryVectorQuery): Promise<ScoredMemoryId[]> {
    const hits =
      query.userPks !== null && query.userPks.length === 1
        ? await this.store.queryEntries(
            { projectId: query.projectId, userPk: query.userPks[0]! },
            query.vector,
            query.limit,
            (key, solo) => memoryQueryPlan(key, solo, query),
          )
        : await this.store.queryProjectEntries(query.projectId, query.userPks, query.vector, query.limit);
    return hits.map((hit) => ({ memoryId: hit.chunkId, score: hit.score }));
  }

  reset(): Promise<void> {
    return this.store.reset();
  }

  close(): Promise<void> {
    return this.store.close();
  }
}
