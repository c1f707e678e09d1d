// How should memql partition vectors in Chroma? Measures, with random
// 512-dimension unit vectors on the embedded Chroma 1.0 server:
//
//   A. one shared collection growing to 5k / 20k / 50k (or 100k) records: query latency
//      unfiltered, with a user filter for users holding 10 / 100 / 1,000
//      records, with user + type + time filters written naively and with the
//      composite keys memql uses, with an `ids` filter, and the metadata
//      lookup alone (`get`);
//   B. the fixed cost of a collection: RSS of the Chroma process and disk,
//      before and after a restart;
//   C. the chosen layout (ChromaVectorStore: bounded shards + directory) with
//      100 users and then 1,000 users of 200 chunks (20k -> 200k records),
//      plus one heavy (5,000) and one light (10) user.
//
// Run: npx tsx bench/chroma-partitioning.ts          (about 9 minutes on 2 cores)
//      npx tsx bench/chroma-partitioning.ts --shared-max=100000   (A up to 100k: +5 minutes)
//      npx tsx bench/chroma-partitioning.ts --quick  (smoke test, about 1.5 minutes)
// Results: docs/vector-partitioning.md

import { mkdtemp, readdir, readFile, rm, lstat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ChromaClient, type Collection, type Where } from 'chromadb';
import { startChromaServer, type ChromaServer } from '../src/infra/chroma/chroma-server.js';
import { ChromaVectorStore } from '../src/infra/chroma/chroma.vector-store.js';
import { queryPlan, recordMetadata, userKey } from '../src/infra/chroma/chroma-keys.js';
import type { VectorRecord } from '../src/domain/ports.js';
import { BLOB_TYPES, type BlobType } from '../src/domain/types.js';

const QUICK = process.argv.includes('--quick');
const DIM = 512;
const QUERIES = QUICK ? 10 : 30;
const SHARED_MAX = Number(process.argv.find((arg) => arg.startsWith('--shared-max='))?.split('=')[1] ?? 50_000);
const SHARED_CHECKPOINTS = QUICK
  ? [2_000, 5_000]
  : [...new Set([5_000, 20_000, SHARED_MAX])].filter((n) => n <= SHARED_MAX);
const MATCH_SIZES = [10, 100, 1_000];
const COLLECTIONS_FOR_OVERHEAD = QUICK ? 10 : 40;
const STORE_STAGES = QUICK ? [20, 60] : [100, 1_000];
const CHUNKS_PER_USER = 200;
const STORE_QUERIES = QUICK ? 50 : 400;
const T0 = 1_700_000_000;
const YEAR = 365 * 86_400;

// ------------------------------------------------------------------ helpers

let seed = 42;
function random(): number {
  // xorshift32: reproducible runs.
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 2 ** 32;
}

function randomVector(): number[] {
  const v = new Array<number>(DIM);
  let norm = 0;
  for (let i = 0; i < DIM; i++) {
    const x = random() - 0.5;
    v[i] = x;
    norm += x * x;
  }
  norm = Math.sqrt(norm);
  for (let i = 0; i < DIM; i++) v[i]! /= norm;
  return v;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

interface Timing {
  p50: number;
  p95: number;
}

async function timeIt(run: () => Promise<unknown>, times = QUERIES): Promise<Timing> {
  for (let i = 0; i < 3; i++) await run(); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    await run();
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 0.5), p95: percentile(samples, 0.95) };
}

const fmt = (t: Timing) => `${t.p50.toFixed(1)} / ${t.p95.toFixed(1)}`;

async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const match = /VmRSS:\s+(\d+)\s+kB/.exec(status);
  return match ? Number(match[1]) / 1024 : NaN;
}

/** Allocated bytes under a folder (st_blocks, so sparse files count for what they use). */
async function diskMiB(dir: string): Promise<number> {
  let bytes = 0;
  const walk = async (folder: string): Promise<void> => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) await walk(full);
      else bytes += (await lstat(full)).blocks * 512;
    }
  };
  await walk(dir);
  return bytes / 2 ** 20;
}

function clientFor(server: ChromaServer): ChromaClient {
  return new ChromaClient({ host: server.host, port: server.port });
}

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

function makeRecord(userPk: string, index: number): VectorRecord {
  return {
    chunkId: `${userPk}-c${index}`,
    projectId: 'bench',
    userPk,
    blobId: `${userPk}-b${Math.floor(index / 10)}`,
    blobType: BLOB_TYPES[index % BLOB_TYPES.length]!,
    createdAt: T0 + Math.floor(random() * YEAR),
    vector: randomVector(),
  };
}

function log(line = ''): void {
  process.stdout.write(`${line}\n`);
}

// ------------------------------------------------------------------ A. shared collection

async function sharedCollection(root: string): Promise<void> {
  log('## A. One shared collection (latency ms, p50 / p95)');
  const server = await startChromaServer({ dataDir: path.join(root, 'shared') });
  try {
    const client = clientFor(server);
    const collection = await client.createCollection({
      name: 'bench-shared',
      embeddingFunction: null,
      configuration: { hnsw: { space: 'cosine' } },
    });

    // Owners of the records in insertion order: the measured users first (so
    // they exist at every size), then filler users of 200 records each.
    const measured = MATCH_SIZES.map((size) => ({ userPk: `match${size}`, size }));
    const owners: string[] = shuffle(measured.flatMap(({ userPk, size }) => Array<string>(size).fill(userPk)));
    const final = SHARED_CHECKPOINTS.at(-1)!;
    for (let filler = 0; owners.length < final; filler++) {
      for (let i = 0; i < CHUNKS_PER_USER && owners.length < final; i++) owners.push(`filler${filler}`);
    }
    const counters = new Map<string, number>();
    const idsByUser = new Map<string, string[]>();

    const header =
      '| records | insert rec/s | unfiltered | user (10 match) | user (100) | user (1,000) | user & 2 types, plain fields (100) | same, composite key | user & since, plain fields (100) | same, time buckets | `ids` of the user (100) | `get` where user (100) | RSS MiB |';
    const rows: string[] = [header, header.replace(/[^|]+/g, '---')];
    let inserted = 0;
    let previous = 0;
    for (const checkpoint of SHARED_CHECKPOINTS) {
      const started = performance.now();
      const batchSize = 2_000;
      while (inserted < checkpoint) {
        const end = Math.min(checkpoint, inserted + batchSize);
        const records: VectorRecord[] = [];
        for (let i = inserted; i < end; i++) {
          const userPk = owners[i]!;
          const n = counters.get(userPk) ?? 0;
          counters.set(userPk, n + 1);
          const record = makeRecord(userPk, n);
          records.push(record);
          if (userPk.startsWith('match')) idsByUser.set(userPk, [...(idsByUser.get(userPk) ?? []), record.chunkId]);
        }
        await collection.upsert({
          ids: records.map((r) => r.chunkId),
          embeddings: records.map((r) => r.vector),
          metadatas: records.map((r) => recordMetadata(r)),
        });
        inserted = end;
      }
      const rate = (checkpoint - previous) / ((performance.now() - started) / 1000);
      previous = checkpoint;

      const q = (where?: Where, ids?: string[]) => () =>
        collection.query({
          queryEmbeddings: [randomVector()],
          nResults: 10,
          include: ['distances'],
          ...(where ? { where } : {}),
          ...(ids ? { ids } : {}),
        });
      const unfiltered = await timeIt(q());
      const byUser = [];
      for (const { userPk } of measured) byUser.push(await timeIt(q({ userPk })));
      const key = userKey('bench', 'match100');
      const twoTypes: BlobType[] = ['CHAT', 'DOC'];
      const plain = await timeIt(q({ $and: [{ userPk: 'match100' }, { blobType: { $in: twoTypes } }] }));
      const plainSince = await timeIt(q({ $and: [{ userPk: 'match100' }, { createdAt: { $gte: T0 + YEAR / 2 } }] }));
      const composite = await timeIt(q(queryPlan(key, { types: twoTypes, since: null, until: null }, false).where));
      const withSince = await timeIt(
        q(queryPlan(key, { types: null, since: new Date((T0 + YEAR / 2) * 1000), until: null }, false).where),
      );
      const byIds = await timeIt(q(undefined, idsByUser.get('match100')));
      const lookup = await timeIt(() => collection.get({ where: { userPk: 'match100' }, include: [] }));
      const row = `| ${checkpoint.toLocaleString('en')} | ${Math.round(rate)} | ${fmt(unfiltered)} | ${byUser.map(fmt).join(' | ')} | ${fmt(plain)} | ${fmt(composite)} | ${fmt(plainSince)} | ${fmt(withSince)} | ${fmt(byIds)} | ${fmt(lookup)} | ${(await rssMiB(server.pid)).toFixed(0)} |`;
      rows.push(row);
      log(row);
    }
    log();
    log(rows.join('\n'));
    log();
  } finally {
    await server.stop();
  }
}

// ------------------------------------------------------------------ B. cost of a collection

async function collectionOverhead(root: string): Promise<void> {
  log('## B. Fixed cost of a collection (512 dims, 100 records each)');
  const dir = path.join(root, 'overhead');
  let server = await startChromaServer({ dataDir: dir });
  try {
    let client = clientFor(server);
    await client.heartbeat();
    const rss0 = await rssMiB(server.pid);
    const disk0 = await diskMiB(dir);
    const collections: Collection[] = [];
    for (let i = 0; i < COLLECTIONS_FOR_OVERHEAD; i++) {
      collections.push(
        await client.createCollection({
          name: `overhead-${i}`,
          embeddingFunction: null,
          configuration: { hnsw: { space: 'cosine' } },
        }),
      );
    }
    const rssEmpty = await rssMiB(server.pid);
    const diskEmpty = await diskMiB(dir);
    for (const collection of collections) {
      const records = Array.from({ length: 100 }, (_, i) => makeRecord(`${collection.name}-u`, i));
      await collection.upsert({
        ids: records.map((r) => r.chunkId),
        embeddings: records.map((r) => r.vector),
        metadatas: records.map((r) => recordMetadata(r)),
      });
    }
    const rssFull = await rssMiB(server.pid);
    const diskFull = await diskMiB(dir);
    // The first query of a collection loads its index; later ones are warm.
    const firstQueries: number[] = [];
    for (const collection of collections) {
      const started = performance.now();
      await collection.query({ queryEmbeddings: [randomVector()], nResults: 10 });
      firstQueries.push(performance.now() - started);
    }
    firstQueries.sort((a, b) => a - b);
    const cold = { p50: percentile(firstQueries, 0.5), p95: percentile(firstQueries, 0.95) };
    const perQuery = await timeIt(() =>
      collections[Math.floor(random() * collections.length)]!.query({
        queryEmbeddings: [randomVector()],
        nResults: 10,
      }),
    );

    await server.stop();
    server = await startChromaServer({ dataDir: dir });
    client = clientFor(server);
    await client.heartbeat();
    const rssRestarted = await rssMiB(server.pid);
    for (let i = 0; i < COLLECTIONS_FOR_OVERHEAD; i++) {
      const collection = await client.getCollection({ name: `overhead-${i}` });
      await collection.query({ queryEmbeddings: [randomVector()], nResults: 10 });
    }
    const rssTouched = await rssMiB(server.pid);
    const n = COLLECTIONS_FOR_OVERHEAD;
    log(`| | RSS MiB | disk MiB |`);
    log(`| --- | --- | --- |`);
    log(`| fresh server | ${rss0.toFixed(0)} | ${disk0.toFixed(1)} |`);
    log(`| + ${n} empty collections | ${rssEmpty.toFixed(0)} | ${diskEmpty.toFixed(1)} |`);
    log(`| + 100 records in each | ${rssFull.toFixed(0)} | ${diskFull.toFixed(1)} |`);
    log(`| restarted, idle | ${rssRestarted.toFixed(0)} | |`);
    log(`| restarted, each queried once | ${rssTouched.toFixed(0)} | |`);
    log();
    log(
      `Per collection holding records: ${((rssFull - rssEmpty) / n).toFixed(2)} MiB RSS, ${((diskFull - diskEmpty) / n).toFixed(1)} MiB disk; ` +
        `after a restart ${((rssTouched - rssRestarted) / n).toFixed(2)} MiB RSS once queried. ` +
        `First query of a collection (loads it): ${fmt(cold)} ms; then, round-robin over the ${n} collections: ${fmt(perQuery)} ms.`,
    );
    log();
  } finally {
    await server.stop();
  }
}

// ------------------------------------------------------------------ C. the chosen layout

async function shardedStore(root: string): Promise<void> {
  log('## C. ChromaVectorStore (bounded shards + directory), users of 200 chunks, latency ms p50 / p95');
  const dir = path.join(root, 'store');
  const server = await startChromaServer({ dataDir: dir });
  let moves = 0;
  let movedRecords = 0;
  try {
    const store = new ChromaVectorStore({
      url: server.url,
      modelTag: 'bench',
      log: {
        info: (details: object, message: string) => {
          if (message.includes('moved')) {
            moves++;
            movedRecords += (details as { records: number }).records;
          }
        },
      },
    });
    await store.open(DIM);

    // A light and a heavy user, to show that cost follows the user's own data.
    const special = [
      { userPk: 'light', size: 10 },
      { userPk: 'heavy', size: 5_000 },
    ];
    for (const { userPk, size } of special) {
      const records = Array.from({ length: size }, (_, i) => makeRecord(userPk, i));
      for (let i = 0; i < records.length; i += 1_000) await store.upsert(records.slice(i, i + 1_000));
    }

    const header =
      '| users | records | insert rec/s | shared shards (min-max records) | solo shards | first pass (loads shards) | user query | + 2 types & since | light user (10) | heavy user (5,000, solo) | RSS MiB | disk MiB |';
    const rows = [header, header.replace(/[^|]+/g, '---')];
    let loaded = 0;
    for (const stage of STORE_STAGES) {
      const started = performance.now();
      if (loaded === 0) {
        // The first users arrive together and grow in 4 interleaved rounds of 50
        // chunks, so shards fill up and then have to be rebalanced, as in production.
        const users = Array.from({ length: stage }, (_, i) => `user${i}`);
        for (let round = 0; round < 4; round++) {
          const quarter = CHUNKS_PER_USER / 4;
          await runPool(
            users.map(
              (userPk) => () =>
                store.upsert(Array.from({ length: quarter }, (_, i) => makeRecord(userPk, round * quarter + i))),
            ),
            4,
          );
        }
      } else {
        // The rest arrive with their 200 chunks at once (keeps the bench under 10 minutes).
        const users = Array.from({ length: stage - loaded }, (_, i) => `user${loaded + i}`);
        await runPool(
          users.map(
            (userPk) => () => store.upsert(Array.from({ length: CHUNKS_PER_USER }, (_, i) => makeRecord(userPk, i))),
          ),
          4,
        );
      }
      const rate = ((stage - loaded) * CHUNKS_PER_USER) / ((performance.now() - started) / 1000);
      loaded = stage;

      const pick = () => `user${Math.floor(random() * loaded)}`;
      const base = { projectId: 'bench', limit: 10, types: null, since: null, until: null };
      // One query per user first: the first query of a shard loads its index (measured apart).
      const firstPass: number[] = [];
      for (let i = 0; i < loaded; i++) {
        const started = performance.now();
        await store.query({ ...base, userPk: `user${i}`, vector: randomVector() });
        firstPass.push(performance.now() - started);
      }
      firstPass.sort((a, b) => a - b);
      const cold = { p50: percentile(firstPass, 0.5), p95: percentile(firstPass, 0.95) };
      const plain = await timeIt(() => store.query({ ...base, userPk: pick(), vector: randomVector() }), STORE_QUERIES);
      const filtered = await timeIt(
        () =>
          store.query({
            ...base,
            userPk: pick(),
            vector: randomVector(),
            types: ['CHAT', 'DOC'],
            since: new Date((T0 + YEAR / 2) * 1000),
          }),
        STORE_QUERIES,
      );
      const light = await timeIt(() => store.query({ ...base, userPk: 'light', vector: randomVector() }));
      const heavy = await timeIt(() => store.query({ ...base, userPk: 'heavy', vector: randomVector() }));
      const stats = await store.stats();
      const shared = stats.shards.filter((shard) => !shard.solo).map((shard) => shard.records);
      const solo = stats.shards.filter((shard) => shard.solo).length;
      const records = stats.shards.reduce((sum, shard) => sum + shard.records, 0);
      const row =
        `| ${stage.toLocaleString('en')} (+2) | ${records.toLocaleString('en')} | ${Math.round(rate)} | ` +
        `${shared.length} (${Math.min(...shared)}-${Math.max(...shared)}) | ${solo} | ${fmt(cold)} | ${fmt(plain)} | ${fmt(filtered)} | ${fmt(light)} | ${fmt(heavy)} | ` +
        `${(await rssMiB(server.pid)).toFixed(0)} | ${(await diskMiB(dir)).toFixed(0)} |`;
      rows.push(row);
      log(row);
    }
    log();
    log(rows.join('\n'));
    log();
    log(`Rebalancing moved ${moves} users (${movedRecords.toLocaleString('en')} records) while loading.`);
    log();
  } finally {
    await server.stop();
  }
}

async function runPool(jobs: (() => Promise<unknown>)[], concurrency: number): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) await jobs[next++]!();
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

// ------------------------------------------------------------------ main

async function main(): Promise<void> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'memql-bench-chroma-'));
  const started = Date.now();
  log(
    `# Chroma partitioning bench (${QUICK ? 'quick' : 'full'}), ${DIM} dims, ${os.cpus().length} CPUs, node ${process.version}`,
  );
  log();
  try {
    await sharedCollection(root);
    await collectionOverhead(root);
    await shardedStore(root);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
  log(`Total ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
