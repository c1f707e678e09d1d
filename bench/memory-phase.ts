// Where the server's memory goes (issue 14): a fresh server from this
// checkout, loaded like the bench's scale stage, its resident set broken down
// from /proc/<pid>/smaps and from its /metrics, sampled over time.
//
//   npx tsx bench/memory-phase.ts
//   USERS=200 CHUNKS=200 QUERIES=200 npx tsx bench/memory-phase.ts      (the defaults)
//   MALLOC_ARENA_MAX=16 npx tsx ...                                      glibc's default on 2 cores (8 a core), not npm start's 2
//   MEMQL_BENCH_SERVER_NODE_ARGS="--trace-gc --heapsnapshot-signal=SIGUSR2" HEAP_SNAPSHOT=30000 npx tsx ...
//                                                                        also a heap snapshot of the main thread at the end
//   EXTRA_ENV='{"MEMQL_EMBEDDINGS_PROVIDER":"local"}' QUERIES=0 npx tsx ...   the USE-lite model loaded too
//
// Loads USERS users of CHUNKS chunks each (chat blobs of 20 messages, as
// bench/run.ts's scale stage, hashing embedder unless EXTRA_ENV says
// otherwise), then sends QUERIES User.query requests per mode. Every
// SAMPLE_MS it reads:
// - smaps (see smapsBreakdown): each WebAssembly memory (PGlite's, and the
//   USE-lite model's when loaded; they never shrink), V8's compiled code,
//   glibc's malloc arenas and main heap, the rest of the anonymous memory
//   (V8 heaps of every thread, stacks) and file-backed pages;
// - /metrics: the main thread's V8 heap and external memory, and the
//   embedded database thread's (memql_embedded_database_memory_bytes: PGlite's
//   WebAssembly memory, the thread's V8 heap);
// - the server's --trace-gc lines: every isolate's V8 heap (live after its last
//   full collection / committed), main thread and workers alike.
// Prints one JSON line per phase (idle, loaded, queried) to stdout, a line
// per sample to stderr, and the Chroma child's resident set beside it.

import { readFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { HashingEmbedder } from '../src/infra/embeddings/hashing.embedder.js';
import { candidateCount } from '../src/domain/search/query.service.js';
import { type ServerProcess, startServerProcess, vmHwmMiB, vmRssMiB } from './lib/server-process.js';
import { Corpus } from './suite/corpus.js';
import { loadPhaseUsers, measureQueries } from './suite/query.js';

const users = Number(process.env.USERS ?? 200);
const chunksPerUser = Number(process.env.CHUNKS ?? 200);
const queries = Number(process.env.QUERIES ?? 200);
const sampleMs = Number(process.env.SAMPLE_MS ?? 5_000);
const log = (message: string) => process.stderr.write(`${message}\n`);
const MiB = 1024 * 1024;
const round = (x: number) => Math.round(x);

/**
 * Resident MiB of the server by kind of mapping (/proc/<pid>/smaps):
 * - wasm: a read-write anonymous mapping followed by an inaccessible one of
 *   1 GiB or more (V8 reserves the rest of a WebAssembly memory's address
 *   space and opens it as the memory grows), one figure per memory;
 * - code: executable anonymous memory (V8's compiled JavaScript and
 *   WebAssembly: PGlite's PostgreSQL compiled to machine code);
 * - arenas: glibc's per-thread malloc arenas (64 MiB-aligned, 64 MiB with
 *   their inaccessible tail); mallocHeap: its main arena ([heap]);
 * - otherAnon: the rest of the anonymous memory (V8 heap pages of every
 *   isolate, JIT code, stacks); file: pages of node and its libraries.
 */
export async function smapsBreakdown(pid: number): Promise<{
  rss: number;
  wasm: number[];
  code: number;
  arenas: number;
  mallocHeap: number;
  otherAnon: number;
  file: number;
}> {
  const text = await readFile(`/proc/${pid}/smaps`, 'utf8');
  const vmas: { start: number; end: number; perms: string; name: string; rss: number }[] = [];
  for (const line of text.split('\n')) {
    const header = /^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \d+\s*(.*)$/.exec(line);
    if (header) {
      const [, start, end, perms, name] = header as unknown as [string, string, string, string, string];
      vmas.push({ start: Number.parseInt(start, 16), end: Number.parseInt(end, 16), perms, name: name.trim(), rss: 0 });
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss && vmas.length > 0) vmas[vmas.length - 1]!.rss = Number(rss[1]) / 1024;
  }
  const out = { rss: 0, wasm: [] as number[], code: 0, arenas: 0, mallocHeap: 0, otherAnon: 0, file: 0 };
  const ARENA = 64 * MiB;
  vmas.forEach((vma, i) => {
    out.rss += vma.rss;
    if (vma.name === '[heap]') out.mallocHeap += vma.rss;
    else if (vma.name.startsWith('/')) out.file += vma.rss;
    else {
      const next = vmas[i + 1];
      const tail =
        next && next.name === '' && next.perms === '---p' && next.start === vma.end ? next.end - next.start : 0;
      const size = vma.end - vma.start;
      if (vma.perms.includes('x')) out.code += vma.rss;
      else if (vma.perms.startsWith('rw') && tail >= 1024 * MiB) out.wasm.push(vma.rss);
      else if (vma.perms.startsWith('rw') && vma.start % ARENA === 0 && size + tail === ARENA) out.arenas += vma.rss;
      else out.otherAnon += vma.rss;
    }
  });
  out.wasm = out.wasm.filter((mib) => mib >= 1).sort((a, b) => b - a);
  return out;
}

/** The memory figures of the server's /metrics, in MiB, by metric name (and label). */
async function memoryMetrics(server: ServerProcess): Promise<Record<string, number>> {
  const response = await fetch(new URL('/metrics', server.url), {
    headers: { authorization: `Bearer ${server.adminKey}` },
  });
  const figures: Record<string, number> = {};
  for (const line of (await response.text()).split('\n')) {
    const match =
      /^(?:nodejs_(heap_size_used|heap_size_total|external_memory)_bytes|memql_embedded_database_memory_bytes\{kind="(\w+)"\})\s+(\S+)/.exec(
        line,
      );
    if (match) figures[match[1] ?? `database_${match[2]}`] = Number((Number(match[3]) / MiB).toFixed(1));
  }
  return figures;
}

/**
 * Each isolate's V8 heap from the server's `--trace-gc` lines
 * ("[pid:0xISOLATE] 1234 ms: Mark-Compact 50.1 (60.2) -> 45.0 (62.2) MB"):
 * MiB live after its last full collection (Mark-Compact; a Scavenge's figure
 * still counts the old generation's garbage) and MiB committed after its last
 * collection of any kind, by isolate (the main thread and each worker).
 */
const isolates = new Map<string, { live: number; committed: number }>();
function traceGcLine(line: string): void {
  const match = /^\[\d+:(0x[0-9a-f]+)\]\s+\d+ ms: (\S+)[^\d]*[\d.]+ \([\d.]+\) -> ([\d.]+) \(([\d.]+)\) MB/.exec(line);
  if (!match) return;
  const [, isolate, kind, after, committed] = match as unknown as [string, string, string, string, string];
  const heap = isolates.get(isolate) ?? { live: Number.NaN, committed: 0 };
  if (kind === 'Mark-Compact') heap.live = Number(after);
  heap.committed = Number(committed);
  isolates.set(isolate, heap);
}

async function sample(server: ServerProcess, phase: string): Promise<Record<string, unknown>> {
  const smaps = await smapsBreakdown(server.pid);
  return {
    phase,
    rss: round(smaps.rss),
    wasm: smaps.wasm.map(round),
    code: round(smaps.code),
    arenas: round(smaps.arenas),
    mallocHeap: round(smaps.mallocHeap),
    otherAnon: round(smaps.otherAnon),
    file: round(smaps.file),
    metrics: await memoryMetrics(server).catch(() => ({})),
    isolates: [...isolates.values()].map((heap) => `${round(heap.live)}/${round(heap.committed)}`),
    chroma: server.chroma ? round(await vmRssMiB(server.chroma.pid)) : null,
    load: Number(loadavg()[0]!.toFixed(1)),
  };
}

// Each isolate's GC lines, beside the logs (see traceGcLine).
process.env.MEMQL_BENCH_SERVER_NODE_ARGS ??= '--trace-gc';
const server = await startServerProcess(
  {
    MEMQL_EMBEDDINGS_PROVIDER: 'hashing',
    MEMQL_RATE_LIMIT_PER_SECOND: '0',
    MEMQL_COST_PER_SECOND: '0',
    MEMQL_BUFFER_TOKENS: '1000000000',
    MEMQL_BUFFER_IDLE_SECONDS: String(365 * 86_400),
    ...(process.env.EXTRA_ENV ? (JSON.parse(process.env.EXTRA_ENV) as Record<string, string>) : {}),
  },
  { onStdoutLine: traceGcLine },
);
let phase = 'idle';
const sampler = setInterval(() => {
  sample(server, phase).then(
    (s) => log(JSON.stringify(s)),
    () => {},
  );
}, sampleMs);
try {
  await sleep(3_000);
  console.log(JSON.stringify(await sample(server, 'idle')));
  phase = 'loading';
  const loaded = await loadPhaseUsers(server, { users, chunksPerUser, log });
  console.log(
    JSON.stringify({
      ...(await sample(server, 'loaded')),
      chunks: loaded.result.chunks,
      blobsPerSecond: round(loaded.result.blobsPerSecond),
      indexWaitSeconds: round(loaded.result.indexWaitSeconds),
    }),
  );
  phase = 'queries';
  // QUERIES=0 skips them (needed with another embedder: the raw Chroma half sends hashing vectors).
  if (queries > 0)
    await measureQueries(server, new Corpus(4), new HashingEmbedder(), loaded.users, {
      label: `${users} users`,
      totalUsers: users,
      totalChunks: users * chunksPerUser,
      queries,
      topK: 10,
      candidates: candidateCount(10),
    });
  console.log(
    JSON.stringify({
      ...(await sample(server, 'queried')),
      peak: {
        server: round(await vmHwmMiB(server.pid)),
        chroma: server.chroma ? round(await vmHwmMiB(server.chroma.pid)) : null,
      },
    }),
  );
  if (process.env.HEAP_SNAPSHOT) {
    // The server was started with --heapsnapshot-signal=SIGUSR2 (in MEMQL_BENCH_SERVER_NODE_ARGS): its main heap now, written to its cwd.
    process.kill(server.pid, 'SIGUSR2');
    await sleep(Number(process.env.HEAP_SNAPSHOT));
  }
} finally {
  clearInterval(sampler);
  await server.stop();
}
