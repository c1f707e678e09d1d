// The benchmark results as markdown: targets first, then each measurement.

import { type Latency, table } from '../lib/stats.js';
import type { EmbedderResult } from './embedder.js';
import type { IngestResult } from './ingest.js';
import type { MemoryLoadResult, MemorySearchRow } from './memories.js';
import type { StartResult } from './start.js';
import type { LatencyRow, LoadResult } from './query.js';
import type { SubscriptionResult } from './subscriptions.js';

export interface BenchReport {
  machine: string;
  command: string;
  target: 'embedded' | 'servers';
  seconds: number;
  config: Record<string, number>;
  embedders: EmbedderResult[];
  ingest: IngestResult | undefined;
  subscriptions: SubscriptionResult | undefined;
  loads: LoadResult[];
  rows: LatencyRow[];
  /** createMemory for every user of the scale run, then searchMemories (null/empty with --memories 0). */
  memoryLoad?: MemoryLoadResult | null;
  memoryRows?: MemorySearchRow[];
  /** HYBRID at full scale plus one USE-lite query embedding per request. */
  includingEmbedding: Latency | null;
  rss: {
    ingest: { server: number; chroma: number | null } | undefined;
    subscriptions: { server: number; chroma: number | null } | undefined;
    scale: { server: number; chroma: number | null } | undefined;
  };
  /** Start times on the embedded default (null on servers). */
  start?: StartResult | null;
  /** A second start on the scale run's full data directory, ms (null on servers). */
  scaleRestartMs?: number | null;
}

const f0 = (x: number) => (Number.isFinite(x) ? x.toFixed(0) : 'n/a');
const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : 'n/a');
const lat = (l: Latency) => `${f1(l.p50)} / ${f1(l.p95)} / ${f1(l.p99)}`;
const mark = (ok: boolean) => (ok ? 'met' : '**missed**');

export function renderReport(r: BenchReport): string {
  const main = r.rows[r.rows.length - 1];
  const small = r.rows[0];
  const same = r.rows.length >= 3 ? r.rows[r.rows.length - 2] : undefined;
  const ratio = main ? main.http.HYBRID.p95 / main.chroma.p95 : Number.NaN;
  const targets: (string | number)[][] = [];
  if (main) {
    targets.push([
      `query p95 excluding embedding <= 25 ms (HYBRID, ${main.users} users, ${main.chunks} chunks)`,
      `${f1(main.http.HYBRID.p95)} ms`,
      mark(main.http.HYBRID.p95 <= 25),
    ]);
    targets.push([
      'query p95 <= 2x the raw Chroma query p95 (same run)',
      `${f1(main.http.HYBRID.p95)} / ${f1(main.chroma.p95)} ms = ${ratio.toFixed(2)}x`,
      mark(ratio <= 2),
    ]);
  }
  const memoryMain = r.memoryRows?.at(-1);
  if (memoryMain)
    targets.push([
      `searchMemories p95 excluding embedding <= 25 ms (HYBRID, ${memoryMain.users} users, ${memoryMain.memories} memories)`,
      `${f1(memoryMain.http.HYBRID.p95)} ms`,
      mark(memoryMain.http.HYBRID.p95 <= 25),
    ]);
  if (r.ingest) {
    targets.push([
      'chat blobs acknowledged >= 250/s, ack p95 < 100 ms (rule-based extractor on)',
      `${f0(r.ingest.blobsPerSecond)}/s (${r.ingest.clients} clients), ack p95 ${f1(r.ingest.ack.p95)} ms`,
      mark(r.ingest.blobsPerSecond >= 250 && r.ingest.ack.p95 < 100),
    ]);
    targets.push([
      'index lag p95 < 1 s (under the ingest load above)',
      `${f1(r.ingest.lag.p95 / 1000)} s`,
      mark(r.ingest.lag.p95 < 1000),
    ]);
  }
  const scaleRss = r.rss.scale;
  if (scaleRss && main)
    targets.push([
      `memql RSS <= 1 GiB at ${main.chunks} chunks (peak, VmHWM)`,
      `${f0(scaleRss.server)} MiB (Chroma ${scaleRss.chroma === null ? 'external' : `${f0(scaleRss.chroma)} MiB`})`,
      mark(scaleRss.server <= 1024),
    ]);
  if (r.start?.firstMs.length) {
    const first = Math.max(...r.start.firstMs);
    targets.push([
      'a first start on an empty data dir < 15 s (slowest of the runs)',
      `${f1(first / 1000)} s (runs: ${r.start.firstMs.map((ms) => f1(ms / 1000)).join(', ')} s)`,
      mark(first < 15_000),
    ]);
    const seconds = [...r.start.secondMs, ...(r.scaleRestartMs ? [r.scaleRestartMs] : [])];
    const second = Math.max(...seconds);
    targets.push([
      'a second start on an existing data dir < 5 s (slowest; the last is the full scale data)',
      `${f1(second / 1000)} s (runs: ${seconds.map((ms) => f1(ms / 1000)).join(', ')} s)`,
      mark(second < 5_000),
    ]);
  }
  if (r.subscriptions)
    targets.push([
      `subscriber delivery p95 < 100 ms (${r.subscriptions.subscribers} subscribers)`,
      `${f1(r.subscriptions.delay.p95)} ms`,
      mark(r.subscriptions.delay.p95 < 100),
    ]);
  if (small && same) {
    const growth = same.http.HYBRID.p95 / small.http.HYBRID.p95;
    targets.push([
      `a user's query cost does not grow with the number of users (same ${r.config.firstUsers} users queried)`,
      `p95 ${f1(small.http.HYBRID.p95)} ms at ${small.users} users, ${f1(same.http.HYBRID.p95)} ms at ${same.users} users (${growth.toFixed(2)}x)`,
      mark(growth <= 1.25),
    ]);
  }

  const latencyRows = r.rows.map((row) => [
    row.label,
    row.chunks,
    lat(row.http.HYBRID),
    lat(row.http.SEMANTIC),
    lat(row.http.LEXICAL),
    lat(row.chroma),
    (row.http.HYBRID.p95 / row.chroma.p95).toFixed(2),
  ]);
  if (r.includingEmbedding && main) {
    latencyRows.push([
      `${main.label}, including the USE-lite query embedding (composed)`,
      main.chunks,
      lat(r.includingEmbedding),
      '',
      '',
      lat(main.chroma),
      (r.includingEmbedding.p95 / main.chroma.p95).toFixed(2),
    ]);
  }

  const sections = [
    `### memql benchmarks (${r.target === 'embedded' ? 'embedded default: PGlite + Chroma child process' : 'PostgreSQL / Chroma servers'})`,
    '',
    `Machine: ${r.machine}.`,
    `Command: \`${r.command}\` (${f0(r.seconds)} s in all).`,
    'Scale and ingest runs use the deterministic hashing embedder (`MEMQL_EMBEDDINGS_PROVIDER=hashing`), so their query latencies exclude embedding the query; the offline USE-lite model is measured alone below, and the "including" row adds its single-query latency samples to the HYBRID samples. Queries are sent one at a time over HTTP (keep-alive), topK ' +
      `${r.config.topK}; the raw Chroma query is the one memql makes (the user's shard, the same \`where\`, the same number of results) for the same users and vectors.`,
    '',
    '#### Targets',
    '',
    table(['target', 'measured', ''], targets),
    '',
    '#### Query latency, ms (p50 / p95 / p99)',
    '',
    table(['run', 'chunks', 'HYBRID', 'SEMANTIC', 'LEXICAL', 'raw Chroma', 'HYBRID p95 / Chroma p95'], latencyRows),
    '',
    ...(r.memoryRows?.length
      ? [
          '#### searchMemories latency, ms (p50 / p95 / p99)',
          '',
          'User.searchMemories over HTTP, one request at a time, topK ' +
            `${r.config.topK}, on the scale server after the chunks above; "scoped" is SEMANTIC with \`filter: { agentId: { eq } }\` (a quarter of each user's memories); raw Chroma is the unfiltered memory query memql makes, for the same users and vectors.`,
          '',
          table(
            ['run', 'memories', 'HYBRID', 'SEMANTIC', 'LEXICAL', 'SEMANTIC scoped', 'raw Chroma'],
            r.memoryRows.map((row) => [
              row.label,
              row.memories,
              lat(row.http.HYBRID),
              lat(row.http.SEMANTIC),
              lat(row.http.LEXICAL),
              lat(row.scoped),
              lat(row.chroma),
            ]),
          ),
          ...(r.memoryLoad
            ? [
                '',
                `Written through createMemory by ${r.config.loadConcurrency} clients: ${r.memoryLoad.memories} memories in ${f0(r.memoryLoad.seconds)} s (${f0(r.memoryLoad.memoriesPerSecond)}/s acknowledged), searchable ${f0(r.memoryLoad.indexWaitSeconds)} s after the last acknowledgement.`,
              ]
            : []),
          '',
        ]
      : []),
    '#### Loading the scale data through the API',
    '',
    table(
      ['stage', 'users', 'chat blobs', 'chunks', 'blobs/s acknowledged', 'index wait after last ack'],
      r.loads.map((l, i) => [
        i === 0 ? 'first users' : 'the rest',
        l.users,
        l.blobs,
        l.chunks,
        f0(l.blobsPerSecond),
        `${f0(l.indexWaitSeconds)} s`,
      ]),
    ),
  ];
  if (r.ingest) {
    const i = r.ingest;
    sections.push(
      '',
      '#### Ingest',
      '',
      table(
        [
          'blobs',
          'clients',
          'users',
          'blobs/s acknowledged',
          'ack p50 / p95 / p99',
          'index lag p50 / p95 / p99',
          'drain after last ack',
        ],
        [
          [
            `${i.blobs} x ${i.messagesPerBlob} messages`,
            i.clients,
            i.users,
            f0(i.blobsPerSecond),
            lat(i.ack),
            `${lat(i.lag)} (probe every ${i.probeIntervalMs} ms)`,
            i.drainSeconds === null ? `not drained after ${i.drainLimitSeconds} s` : `${f1(i.drainSeconds)} s`,
          ],
        ],
      ),
    );
  }
  sections.push(
    '',
    '#### Embedders alone (in-process)',
    '',
    table(
      ['model', 'sentences/s (batches of 64)', 'one query p50 / p95 / p99'],
      r.embedders.map((e) => [e.model, f0(e.sentencesPerSecond), lat(e.single)]),
    ),
  );
  if (r.subscriptions) {
    const s = r.subscriptions;
    sections.push(
      '',
      '#### Subscriptions (graphql-ws, `profileChanged` of one user)',
      '',
      table(
        ['subscribers', 'changes', 'delivered', 'commit -> delivery p50 / p95 / p99', 'connect time'],
        [[s.subscribers, s.changes, `${s.delivered} / ${s.expected}`, lat(s.delay), `${f1(s.connectSeconds)} s`]],
      ),
    );
  }
  const rss = (x: { server: number; chroma: number | null } | undefined) =>
    x ? [`${f0(x.server)} MiB`, x.chroma === null ? 'external' : `${f0(x.chroma)} MiB`] : ['n/a', 'n/a'];
  sections.push(
    '',
    '#### Memory (peak RSS, VmHWM)',
    '',
    table(
      ['server', 'memql process', 'Chroma process'],
      [
        ['ingest', ...rss(r.rss.ingest)],
        [`subscriptions (${r.subscriptions?.subscribers ?? 0} clients)`, ...rss(r.rss.subscriptions)],
        [`scale (${main?.users ?? 0} users, ${main?.chunks ?? 0} chunks)`, ...rss(r.rss.scale)],
      ],
    ),
  );
  return sections.join('\n');
}
