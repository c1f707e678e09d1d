// The Chroma memory index (a ChromaVectorStore of its own, partitioned like
// chunks) against the MemoryVectorIndex contract, on a real Chroma server.
// Small shards, so that users share shards, move, and get shards of their own.

import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { type ChromaServer, startChromaServer } from '../../../src/infra/chroma/chroma-server.js';
import { ChromaMemoryIndex } from '../../../src/infra/chroma/chroma.memory-index.js';
import { ChromaVectorStore } from '../../../src/infra/chroma/chroma.vector-store.js';
import { memoryVectorIndexContract } from '../../contracts/memory-vector-index.contract.js';

let dataDir: string;
let server: ChromaServer;
let stores = 0;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'memql-chroma-memories-'));
  server = await startChromaServer({ dataDir });
});

afterAll(async () => {
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

memoryVectorIndexContract('ChromaMemoryIndex', async () => {
  const store = new ChromaVectorStore({
    url: server.url,
    modelTag: 'test-model',
    prefix: `mem${++stores}`,
    shardTargetRecords: 20,
  });
  const index = new ChromaMemoryIndex(store);
  return {
    index,
    dispose: async () => {
      await index.reset();
      await index.close();
    },
  };
});
