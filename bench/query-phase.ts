// The bench's first scale step and its query measure alone, on a fresh server
// from this checkout: for comparing the query path before and after a change
// without the full run.
//
//   npx tsx bench/query-phase.ts
//   USERS=50 CHUNKS=200 QUERIES=300 SLEEP_MS=35000 npx tsx bench/query-phase.ts   (the defaults)
//
// Loads USERS users of CHUNKS chunks each (chat blobs of 20 messages, as
// bench/run.ts), waits SLEEP_MS (the embedded database's first maintenance
// round, which runs ANALYZE, comes 30 s after start), then times QUERIES
// User.query requests per mode (topK 10) and the raw Chroma query for the same
// users and vectors. Prints one JSON line of p50/p95 in ms and the 1-minute
// load at start and end.

import { loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { candidateCount } from '../src/domain/search/query.service.js';
import { HashingEmbedder } from '../src/infra/embeddings/hashing.embedder.js';
import { startServerProcess } from './lib/server-process.js';
import { Corpus } from './suite/corpus.js';
import { loadPhaseUsers, measureQueries } from './suite/query.js';

const users = Number(process.env.USERS ?? 50);
const chunksPerUser = Number(process.env.CHUNKS ?? 200);
const queries = Number(process.env.QUERIES ?? 300);
const sleepMs = Number(process.env.SLEEP_MS ?? 35_000);
const topK = 10;
const loadAtStart = loadavg()[0]!;
const log = (message: string) => process.stderr.write(`${message}\n`);

const server = await startServerProcess({
  MEMQL_EMBEDDINGS_PROVIDER: 'hashing',
  MEMQL_RATE_LIMIT_PER_SECOND: '0',
  MEMQL_COST_PER_SECOND: '0',
  MEMQL_BUFFER_TOKENS: '1000000000',
  MEMQL_BUFFER_IDLE_SECONDS: String(365 * 86_400),
});
try {
  const started = Date.now();
  const loaded = await loadPhaseUsers(server, { users, chunksPerUser, log });
  const wait = sleepMs - (Date.now() - started);
  if (wait > 0) await sleep(wait);
  const loadBeforeQueries = loadavg()[0]!;
  const row = await measureQueries(server, new Corpus(4), new HashingEmbedder(), loaded.users, {
    label: `${users} users`,
    totalUsers: users,
    totalChunks: users * chunksPerUser,
    queries,
    topK,
    candidates: candidateCount(topK),
  });
  const round = (x: number) => Number(x.toFixed(1));
  const figures = (l: { p50: number; p95: number }) => ({ p50: round(l.p50), p95: round(l.p95) });
  console.log(
    JSON.stringify({
      users,
      chunksPerUser,
      queries,
      HYBRID: figures(row.http.HYBRID),
      SEMANTIC: figures(row.http.SEMANTIC),
      LEXICAL: figures(row.http.LEXICAL),
      chroma: figures(row.chroma),
      load: { start: round(loadAtStart), queries: round(loadBeforeQueries), end: round(loadavg()[0]!) },
    }),
  );
} finally {
  await server.stop();
}
