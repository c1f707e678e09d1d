// Keeps the vector index in step with the embedding model. The index is
// derived from the database, so a model switch is a rebuild, not data loss.

import type { ChunkRepository, Embedder, IndexStateRepository, Log, VectorStore } from '../ports.js';
import { embedAndUpsert } from './indexer.js';

export interface IndexDeps {
  chunks: ChunkRepository;
  vectors: VectorStore;
  embedder: Embedder;
  indexState: IndexStateRepository;
  log: Log;
  collection: string;
}

/** Drops the vector index and rebuilds it from every chunk in the database. */
export async function rebuildIndex(deps: IndexDeps, onProgress?: (indexed: number) => void): Promise<number> {
  await deps.vectors.reset();
  await deps.vectors.open(deps.embedder.dimension);
  let indexed = 0;
  for await (const batch of deps.chunks.scanAll(256)) {
    await embedAndUpsert(batch, deps.embedder, deps.vectors, 64);
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
