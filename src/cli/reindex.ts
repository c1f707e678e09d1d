// Rebuilds the vector index from the database: `npm run reindex`.
// Uses the same settings as the server (DATABASE_URL, CHROMA_URL, embeddings).
// On the embedded default, stop the server first: the embedded database
// serves one process at a time.

import { openStores, StopStack } from '../app.js';
import { loadConfigOrExit } from '../config.js';
import { rebuildIndex } from '../domain/indexing/index-maintenance.js';
import { createLogger } from '../lib/logger.js';

const config = loadConfigOrExit('memql reindex');
const log = createLogger(config.logLevel === 'silent' ? 'silent' : 'info', 'memql-reindex');
const stack = new StopStack(log);
try {
  const { repos, vectors, memoryVectors, embedder } = await openStores(config, log, stack);
  const started = Date.now();
  let last = 0;
  const indexed = await rebuildIndex(
    {
      chunks: repos.chunks,
      vectors,
      memories: repos.memories,
      memoryVectors,
      embedder,
      indexState: repos.indexState,
      log,
      collection: vectors.collectionPrefix,
    },
    (count) => {
      if (count - last >= 1_000) {
        last = count;
        log.info({ indexed: count }, 'reindexing');
      }
    },
  );
  // Jobs written before the rebuild are now redundant; the server drains them harmlessly.
  log.info(
    { indexed, seconds: (Date.now() - started) / 1000, model: embedder.model },
    'vector index rebuilt from the database',
  );
} catch (error) {
  log.error({ err: error }, 'reindex failed');
  process.exitCode = 1;
} finally {
  await stack.stopAll();
}
