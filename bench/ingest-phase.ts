// The bench's ingest phase alone, on a fresh server from this checkout: for
// bisecting and profiling the write path without the hour-long full run.
//
//   npx tsx bench/ingest-phase.ts [BLOBS=2000]
//   CLIENTS=1 npx tsx bench/ingest-phase.ts 500                  one client: the server's cost per blob
//   EXTRA_ENV='{"MEMQL_BUFFER_TOKENS":"1000000"}' npx tsx ...      server settings (here: extraction held back)
//   MEMQL_BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" npx tsx ...   a CPU profile of the server
//
// Prints one JSON line: blobs/s acknowledged, ack p50/p95 (ms), index lag p95
// (ms), drain (s after the last ack), peak RSS (MiB), and the CPU seconds the
// server, its Chroma child and this client used from the first insert until
// the drain ended.

import { readFileSync } from 'node:fs';
import { startServerProcess } from './lib/server-process.js';
import { Corpus } from './suite/corpus.js';
import { benchIngest } from './suite/ingest.js';

/** User plus system CPU seconds of a process so far (Linux /proc). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const blobs = Number(process.argv[2] ?? 2000);
const env = {
  MEMQL_EMBEDDINGS_PROVIDER: 'hashing',
  MEMQL_RATE_LIMIT_PER_SECOND: '0',
  MEMQL_COST_PER_SECOND: '0',
  ...(process.env.EXTRA_ENV ? (JSON.parse(process.env.EXTRA_ENV) as Record<string, string>) : {}),
};
const server = await startServerProcess(env);
try {
  const chromaPid = server.chroma?.pid;
  const before = {
    server: cpuSeconds(server.pid),
    chroma: chromaPid ? cpuSeconds(chromaPid) : 0,
    client: process.cpuUsage(),
  };
  const started = Date.now();
  const result = await benchIngest(server, new Corpus(2), {
    blobs,
    clients: Number(process.env.CLIENTS ?? 8),
    users: 100,
    messagesPerBlob: 4,
    drainLimitSeconds: 60,
  });
  const client = process.cpuUsage(before.client);
  console.log(
    JSON.stringify({
      blobsPerSecond: Number(result.blobsPerSecond.toFixed(1)),
      ackP50: Math.round(result.ack.p50),
      ackP95: Math.round(result.ack.p95),
      lagP95: Math.round(result.lag.p95),
      drainSeconds: result.drainSeconds,
      peakRssMiB: await server.peakRss(),
      cpuSeconds: {
        wall: (Date.now() - started) / 1000,
        server: cpuSeconds(server.pid) - before.server,
        chroma: chromaPid ? cpuSeconds(chromaPid) - before.chroma : null,
        client: (client.user + client.system) / 1e6,
      },
    }),
  );
} finally {
  await server.stop();
}
