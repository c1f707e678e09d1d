// Keeps the vector index in step with the embedding model. The index is
// derived from the database, so a model switch is a rebuild, not data loss.

import type {
  ChunkRepository,
  Embedder,
  IndexStateRepository,
  Log,
  MemoryRepository,
  MemoryVectorIndex,
  VectorStore,
} from '../ports.js';
import { embedAndUpsert, upsertMemoryVectors } from './indexer.js';

export interface IndexDeps {
  chunks: ChunkRepository;
  vectors: VectorStore;
  memories: MemoryRepository;
  memoryVectors: MemoryVectorIndex;
  embedder: Embedder;
  indexState: IndexStateRepository;
  log: Log;
  collection: string;
}

/**
 * Drops the vector indexes and rebuilds them from the database: every chunk,
 * and every live memory (embedded again with the current model, the new
 * embedding stored back for deduplication). Returns the records indexed.
 */
export async function rebuildIndex(deps: IndexDeps, onProgress?: (indexed: number) => void): Promise<number> {
  await deps.vectors.reset();
  await deps.vectors.open(deps.embedder.dimension);
  await deps.memoryVectors.reset();
  await deps.memoryVectors.open(deps.embedder.dimension);
  let indexed = 0;
  for await (const batch of deps.chunks.scanAll(256)) {
    await embedAndUpsert(batch, deps.embedder, deps.vectors, 64);
    indexed += batch.length;
    onProgress?.(indexed);
  }
  for await (const batch of deps.memories.scanLive(256, new Date())) {
    const made = await upsertMemoryVectors(batch, deps.embedder, deps.memoryVectors, 64, { reembed: true });
    await deps.memories.setEmbeddings(made);
    indexed += batch.length;
    onProgress?.(indexed);
  }
  await deps.indexState.set({
    model: deps.embedder.model,
    dimension: deps.embedder.dimension,
    collection: deps.collection,
  });
  return indexed;
}

/** True when the recorded model or dimension differ from the running embedder. */
export async function indexIsStale(deps: Pick<IndexDeps, 'indexState' | 'embedder'>): Promise<boolean> {
  const state = await deps.indexState.get();
  return state === null || state.model !== deps.embedder.model || state.dimension !== deps.embedder.dimension;
}
