// The in-memory vector store against the VectorStore contract that the
// Chroma adapter runs (test/infra/chroma/chroma.vector-store.test.ts).

import { vectorStoreContract } from '../../contracts/vector-store.contract.js';
import { InMemoryVectorStore } from '../../fakes/in-memory.vector-store.js';

vectorStoreContract('InMemoryVectorStore', async () => {
  const store = new InMemoryVectorStore();
  return { store, dispose: () => store.close() };
});
