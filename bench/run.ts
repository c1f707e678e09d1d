// memql benchmark suite: ingest, query latency at scale, the embedder alone,
// subscriptions and memory, written as one results table.
//
//   npm run bench                        defaults below (about 10-15 minutes on 2 cores)
//   npm run bench -- --quick             a small smoke run (about 2 minutes)
//   npm run bench -- --soak              the soak instead (bench/suite/soak.ts): ten minutes of mixed
//                                        work and abuse; --soak-seconds N for a shorter try,
//                                        --soak-clients (4 writers + 4 searchers), --benchmarks to record it
//   DATABASE_URL=postgres://... CHROMA_URL=http://... npm run bench    on servers
//
// Options (defaults): --users 1000 --chunks 200000 --first-users 100
//   --messages-per-blob 20 --queries 300 --load-concurrency 8
//   --ingest-blobs 2000 --ingest-clients 8 --ingest-users 100
//   --subscribers 1000 --changes 30 --memories 100000 (createMemory across all users; 0 to skip)
//   --markdown bench/results/bench.md ("-" for none)  --json OUT  --benchmarks (update BENCHMARKS.md)
//
// The memql server runs as a child process (`node dist/index.js`, as `npm start`) on a fresh
// data directory, with the embedded PGlite and Chroma unless DATABASE_URL /
// CHROMA_URL are set. The scale and ingest runs use the fast deterministic
// hashing embedder (MEMQL_EMBEDDINGS_PROVIDER=hashing), so query latencies
// exclude the embedding of the query; the embedder section measures the
// offline USE-lite model alone, and the "including embedding" figures add its
// single-query latency samples to the HTTP samples.

import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { memoryCandidates } from '../src/domain/memory/memory-search.service.js';
import { candidateCount } from '../src/domain/search/query.service.js';
import { HashingEmbedder } from '../src/infra/embeddings/hashing.embedder.js';
import { generateSecret } from '../src/lib/secrets.js';
import { commandLine, machineInfo, machineLine } from './lib/machine.js';
import { type ServerProcess, startServerProcess } from './lib/server-process.js';
import { latency, replaceSection } from './lib/stats.js';
import { Corpus } from './suite/corpus.js';
import { benchEmbedders } from './suite/embedder.js';
import { benchIngest } from './suite/ingest.js';
import { loadMemories, type MemoryLoadResult, type MemorySearchRow, measureMemorySearch } from './suite/memories.js';
import { type LatencyRow, type LoadResult, loadUsers, measureQueries } from './suite/query.js';
import { type BenchReport, renderReport } from './suite/report.js';
import { renderSoak, runSoak } from './suite/soak.js';
import { benchStart } from './suite/start.js';
import { benchSubscriptions } from './suite/subscriptions.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      users: { type: 'string' },
      chunks: { type: 'string' },
      'first-users': { type: 'string' },
      'messages-per-blob': { type: 'string', default: '20' },
      queries: { type: 'string' },
      'load-concurrency': { type: 'string', default: '8' },
      'ingest-blobs': { type: 'string' },
      'ingest-clients': { type: 'string', default: '8' },
      'ingest-users': { type: 'string', default: '100' },
      subscribers: { type: 'string' },
      changes: { type: 'string', default: '30' },
      memories: { type: 'string' },
      'top-k': { type: 'string', default: '10' },
      markdown: { type: 'string', default: 'bench/results/bench.md' },
      json: { type: 'string' },
      benchmarks: { type: 'boolean', default: false },
      soak: { type: 'boolean', default: false },
      'soak-seconds': { type: 'string', default: '600' },
      'soak-clients': { type: 'string', default: '4' },
    },
  });
  if (values.soak) return soak(Number(values['soak-seconds']), Number(values['soak-clients']), values.benchmarks);
  const quick = values.quick;
  const number = (value: string | undefined, normal: number, small: number) =>
    value === undefined ? (quick ? small : normal) : Number(value);
  const cfg = {
    users: number(values.users, 1_000, 60),
    chunks: number(values.chunks, 200_000, 12_000),
    firstUsers: number(values['first-users'], 100, 20),
    messagesPerBlob: Number(values['messages-per-blob']),
    queries: number(values.queries, 300, 60),
    loadConcurrency: Number(values['load-concurrency']),
    ingestBlobs: number(values['ingest-blobs'], 2_000, 300),
    ingestClients: Number(values['ingest-clients']),
    ingestUsers: Number(values['ingest-users']),
    subscribers: number(values.subscribers, 1_000, 100),
    changes: Number(values.changes),
    topK: Number(values['top-k']),
  };
  for (const [key, value] of Object.entries(cfg))
    if (!Number.isInteger(value) || value < 1) throw new Error(`--${key}: expected a positive integer, got ${value}`);
  const memories = number(values.memories, 100_000, 6_000);
  if (!Number.isInteger(memories) || memories < 0)
    throw new Error(`--memories: expected an integer >= 0, got ${memories}`);
  const memoriesPerUser = Math.round(memories / cfg.users);
  if (cfg.firstUsers > cfg.users) throw new Error('--first-users must not exceed --users');
  const chunksPerUser = Math.round(cfg.chunks / cfg.users);

  const started = Date.now();
  const log = (message: string) =>
    process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)}s] ${message}\n`);
  const target = process.env.DATABASE_URL || process.env.CHROMA_URL ? 'servers' : 'embedded';
  log(
    `target: ${target} (database ${process.env.DATABASE_URL ? 'PostgreSQL server' : 'embedded PGlite'}, Chroma ${process.env.CHROMA_URL ? 'server' : 'embedded child'})`,
  );

  // ---- 0. start time, as deployed (embedded default only: a restart needs the same database)
  const start = target === 'embedded' ? await benchStart({ runs: quick ? 1 : 3, log }) : null;

  // ---- 1. the embedders alone
  log('embedders alone');
  const embedders = await benchEmbedders(new Corpus(1), { sentences: quick ? 128 : 512, singles: quick ? 30 : 100 });

  // ---- 2. ingest (extraction on, as deployed), on a fresh server
  // Per-key request and cost budgets off: the benchmark measures the server, not the limiter (one key sends everything).
  const env = { MEMQL_EMBEDDINGS_PROVIDER: 'hashing', MEMQL_RATE_LIMIT_PER_SECOND: '0', MEMQL_COST_PER_SECOND: '0' };
  log('ingest: starting a server');
  const ingestServer = await startServerProcess(env);
  let ingest: Awaited<ReturnType<typeof benchIngest>>;
  let ingestRss: Awaited<ReturnType<ServerProcess['peakRss']>>;
  try {
    log(`ingest: ${cfg.ingestBlobs} chat blobs of 4 messages by ${cfg.ingestClients} clients`);
    ingest = await benchIngest(ingestServer, new Corpus(2), {
      blobs: cfg.ingestBlobs,
      clients: cfg.ingestClients,
      users: cfg.ingestUsers,
      messagesPerBlob: 4,
      drainLimitSeconds: quick ? 30 : 60,
    });
    log(`ingest: ${ingest.blobsPerSecond.toFixed(0)} blobs/s, lag p95 ${ingest.lag.p95.toFixed(0)} ms`);
    ingestRss = await ingestServer.peakRss();
  } finally {
    await ingestServer.stop();
  }

  // ---- 3. subscriptions, on a fresh server: the ingest server may still be indexing its backlog
  log('subscriptions: starting a server');
  const subscriptionServer = await startServerProcess(env);
  let subscriptions: Awaited<ReturnType<typeof benchSubscriptions>>;
  let subscriptionRss: Awaited<ReturnType<ServerProcess['peakRss']>>;
  try {
    log(`subscriptions: ${cfg.subscribers} subscribers, ${cfg.changes} changes`);
    subscriptions = await benchSubscriptions(subscriptionServer, {
      subscribers: cfg.subscribers,
      changes: cfg.changes,
      gapMs: 100,
    });
    log(
      `subscriptions: p95 ${subscriptions.delay.p95.toFixed(0)} ms, ${subscriptions.delivered}/${subscriptions.expected} delivered`,
    );
    subscriptionRss = await subscriptionServer.peakRss();
  } finally {
    await subscriptionServer.stop();
  }

  // ---- 4. scale: first-users, then all users; extraction kept out of the way
  log('scale: starting a server');
  const scaleEnv = { ...env, MEMQL_BUFFER_TOKENS: '1000000000', MEMQL_BUFFER_IDLE_SECONDS: String(365 * 86_400) };
  // Kept after the run for a second start on the full data (embedded default only).
  const scaleDataDir = target === 'embedded' ? await mkdtemp(path.join(os.tmpdir(), 'memql-bench-scale-')) : undefined;
  const scaleAdminKey = generateSecret();
  const scaleServer = await startServerProcess(scaleEnv, { dataDir: scaleDataDir, adminKey: scaleAdminKey });
  let scaleRestartMs: number | null = null;
  const loads: LoadResult[] = [];
  const rows: LatencyRow[] = [];
  const memoryRows: MemorySearchRow[] = [];
  let memoryLoad: MemoryLoadResult | null = null;
  let scaleRss: Awaited<ReturnType<ServerProcess['peakRss']>>;
  try {
    const corpus = new Corpus(3);
    const embedder = new HashingEmbedder();
    const load = async (from: number, to: number) => {
      log(`scale: loading users ${from}-${to - 1} (${chunksPerUser} chunks each)`);
      const loaded = await loadUsers(scaleServer, corpus, {
        from,
        to,
        chunksPerUser,
        messagesPerBlob: cfg.messagesPerBlob,
        concurrency: cfg.loadConcurrency,
        log,
      });
      loads.push(loaded.result);
      log(
        `scale: ${loaded.result.blobsPerSecond.toFixed(0)} blobs/s, indexed ${loaded.result.indexWaitSeconds.toFixed(0)} s after the last ack`,
      );
      return loaded.users;
    };
    const measure = (label: string, users: Parameters<typeof measureQueries>[3], totalUsers: number) =>
      measureQueries(scaleServer, new Corpus(4), embedder, users, {
        label,
        totalUsers,
        totalChunks: totalUsers * chunksPerUser,
        queries: cfg.queries,
        topK: cfg.topK,
        candidates: candidateCount(cfg.topK),
      });
    const first = await load(0, cfg.firstUsers);
    log(`scale: measuring ${cfg.queries} queries per mode with ${cfg.firstUsers} users`);
    rows.push(await measure(`${cfg.firstUsers} users, queries on them`, first, cfg.firstUsers));
    const rest = cfg.users > cfg.firstUsers ? await load(cfg.firstUsers, cfg.users) : [];
    log(`scale: measuring with ${cfg.users} users`);
    rows.push(await measure(`${cfg.users} users, queries on the same ${cfg.firstUsers}`, first, cfg.users));
    rows.push(await measure(`${cfg.users} users, queries on all`, [...first, ...rest], cfg.users));
    if (memoriesPerUser > 0) {
      const userIds = [...first, ...rest].map((user) => user.id);
      log(`memories: writing ${memoriesPerUser} per user for ${userIds.length} users through createMemory`);
      const loaded = await loadMemories(scaleServer, new Corpus(5), userIds, {
        perUser: memoriesPerUser,
        concurrency: cfg.loadConcurrency,
        log,
      });
      memoryLoad = loaded.result;
      log(
        `memories: ${loaded.result.memoriesPerSecond.toFixed(0)}/s, indexed ${loaded.result.indexWaitSeconds.toFixed(0)} s after the last ack`,
      );
      log(`memories: measuring ${cfg.queries} searchMemories per mode`);
      memoryRows.push(
        await measureMemorySearch(scaleServer, new Corpus(6), embedder, loaded.memoryOf, {
          label: `${userIds.length} users, ${loaded.result.memories} memories`,
          totalUsers: userIds.length,
          totalMemories: loaded.result.memories,
          queries: cfg.queries,
          topK: cfg.topK,
          candidates: memoryCandidates(cfg.topK),
        }),
      );
    }
    scaleRss = await scaleServer.peakRss();
    await scaleServer.stop();
    if (scaleDataDir) {
      log('scale: a second start on the full data directory');
      const restarted = await startServerProcess(scaleEnv, { dataDir: scaleDataDir, adminKey: scaleAdminKey });
      scaleRestartMs = restarted.startMs;
      await restarted.stop();
      log(`scale: serving again after ${(scaleRestartMs / 1000).toFixed(1)} s`);
    }
  } finally {
    await scaleServer.stop();
    if (scaleDataDir) await rm(scaleDataDir, { recursive: true, force: true });
  }

  const useLite = embedders.find((e) => e.model.startsWith('use-lite'));
  const main = rows[rows.length - 1]!;
  const report: BenchReport = {
    machine: machineLine(await machineInfo()),
    command: commandLine('bench'),
    target,
    seconds: (Date.now() - started) / 1000,
    config: { ...cfg, chunksPerUser, memories, memoriesPerUser },
    embedders,
    ingest,
    subscriptions,
    loads,
    rows,
    memoryLoad,
    memoryRows,
    includingEmbedding: useLite ? latency(composeSamples(main.httpSamples, useLite.singleSamples)) : null,
    rss: { ingest: ingestRss, subscriptions: subscriptionRss, scale: scaleRss },
    start,
    scaleRestartMs,
  };
  const markdown = renderReport(report);
  process.stdout.write(`${markdown}\n`);
  if (values.markdown && values.markdown !== '-') await writeOut(values.markdown, `${markdown}\n`);
  if (values.json)
    await writeOut(
      values.json,
      `${JSON.stringify(report, (key, value: unknown) => (key.endsWith('Samples') ? undefined : value), 2)}\n`,
    );
  if (values.benchmarks) {
    const file = 'BENCHMARKS.md';
    const current = await readFile(file, 'utf8').catch(() => '# Benchmarks\n');
    await writeFile(file, replaceSection(current, target === 'embedded' ? 'bench' : 'bench-servers', markdown));
  }
}

/**
 * The soak: one server as deployed (default limits on, USE-lite embedder,
 * offline extractor), mixed legitimate work and abuse for `seconds`.
 */
async function soak(seconds: number, clients: number, record: boolean): Promise<void> {
  if (!(Number.isInteger(seconds) && seconds >= 10)) throw new Error(`--soak-seconds: expected >= 10, got ${seconds}`);
  if (!(Number.isInteger(clients) && clients >= 1)) throw new Error(`--soak-clients: expected >= 1, got ${clients}`);
  const started = Date.now();
  const log = (message: string) =>
    process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)}s] ${message}\n`);
  log('soak: starting a server');
  const server = await startServerProcess({ MEMQL_BUFFER_IDLE_SECONDS: '5' });
  let markdown: string;
  try {
    const result = await runSoak(server, { seconds, clients, subscribers: 10, sampleSeconds: 10, log });
    markdown = renderSoak(result, { machine: machineLine(await machineInfo()), command: commandLine('bench') });
  } finally {
    await server.stop();
  }
  process.stdout.write(`${markdown}\n`);
  await writeOut('bench/results/soak.md', `${markdown}\n`);
  if (record) {
    const current = await readFile('BENCHMARKS.md', 'utf8');
    await writeFile('BENCHMARKS.md', replaceSection(current, 'soak', markdown));
  }
}

/** Every HTTP sample plus an embedding sample (cycled): the distribution of a query that also embeds its text. */
function composeSamples(http: readonly number[], embed: readonly number[]): number[] {
  return http.map((value, i) => value + embed[i % embed.length]!);
}

async function writeOut(file: string, content: string): Promise<void> {
  await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  await writeFile(file, content);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
