// The in-memory memory vector index against the MemoryVectorIndex contract
// that the Chroma adapter runs (test/infra/chroma/chroma.memory-index.test.ts).

import { memoryVectorIndexContract } from '../../contracts/memory-vector-index.contract.js';
import { InMemoryMemoryVectorIndex } from '../../fakes/in-memory.vector-store.js';

memoryVectorIndexContract('InMemoryMemoryVectorIndex', async () => {
  const index = new InMemoryMemoryVectorIndex();
  return { index, dispose: () => index.close() };
});
