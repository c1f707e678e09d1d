// What encryption at rest (MEMQL_ENCRYPTION_KEY) costs on the request path:
// the same writes and reads against two fresh server processes, one without
// a key and one with, one request at a time (latency, not throughput):
// insertBlob (a document, chunked and sealed), createMemory, User.query in
// each mode, searchMemories, and reading a page of memories. Runs them in
// alternation (A, B, A, B ...) so that load on a shared machine falls on both.
//
//   nice -n 10 npx tsx bench/encryption-cost.ts                 200 blobs, 200 memories, 100 reads
//   nice -n 10 npx tsx bench/encryption-cost.ts --writes 50 --reads 30
//
// Prints a Markdown table of p50 / p90 in milliseconds and the load average.

import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { BenchClient } from './lib/graphql.js';
import { machineInfo, machineLine } from './lib/machine.js';
import { type ServerProcess, startServerProcess } from './lib/server-process.js';
import { Corpus } from './suite/corpus.js';

const { values } = parseArgs({
  options: {
    writes: { type: 'string', default: '200' },
    reads: { type: 'string', default: '100' },
  },
});
const writes = Number(values.writes);
const reads = Number(values.reads);

interface Side {
  name: string;
  server: ServerProcess;
  client: BenchClient;
  samples: Map<string, number[]>;
}

async function timed(side: Side, operation: string, run: () => Promise<unknown>): Promise<void> {
  const started = performance.now();
  await run();
  const list = side.samples.get(operation) ?? [];
  list.push(performance.now() - started);
  side.samples.set(operation, list);
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

const base = {
  MEMQL_EMBEDDINGS_PROVIDER: 'hashing',
  MEMQL_RATE_LIMIT_PER_SECOND: '0',
  MEMQL_COST_PER_SECOND: '0',
  MEMQL_BUFFER_IDLE_SECONDS: '3600',
};
const load = [os.loadavg()[0]!];
const sides: Side[] = [];
try {
  for (const [name, env] of [
    ['plain', base],
    ['encrypted', { ...base, MEMQL_ENCRYPTION_KEY: randomBytes(32).toString('base64') }],
  ] as const) {
    const server = await startServerProcess(env);
    const client = new BenchClient(server.url, server.adminKey);
    await client.request('mutation { createUser(input: { id: "bench" }) { id } }');
    sides.push({ name, server, client, samples: new Map() });
  }
  const corpus = new Corpus(7);
  for (let i = 0; i < writes; i++) {
    const doc = Array.from({ length: 8 }, () => corpus.sentence()).join(' ');
    const memory = corpus.sentence();
    for (const side of sides) {
      await timed(side, 'insertBlob (doc, ~8 sentences)', () =>
        side.client.request(
          'mutation ($c: String!) { insertBlob(userId: "bench", input: { doc: { content: $c } }) { blob { id } } }',
          { c: doc },
        ),
      );
      await timed(side, 'createMemory', () =>
        side.client.request('mutation ($t: String!) { createMemory(userId: "bench", input: { text: $t }) { id } }', {
          t: memory,
        }),
      );
    }
  }
  load.push(os.loadavg()[0]!);
  for (let i = 0; i < reads; i++) {
    const question = corpus.question();
    for (const side of sides) {
      for (const mode of ['LEXICAL', 'SEMANTIC', 'HYBRID'])
        await timed(side, `User.query ${mode} (topK 10, with hits)`, () =>
          side.client.request(
            `query ($q: String!) { user(id: "bench") { query(text: $q, mode: ${mode}) { score blob { id ... on DocBlob { content } } hits { ... on TextSpanHit { text } } } } }`,
            { q: question },
          ),
        );
      await timed(side, 'searchMemories HYBRID', () =>
        side.client.request(
          'query ($q: String!) { user(id: "bench") { searchMemories(text: $q) { score memory { id text } } } }',
          { q: question },
        ),
      );
      await timed(side, 'memories (first 50)', () =>
        side.client.request('{ user(id: "bench") { memories(first: 50) { edges { node { id text } } } } }'),
      );
    }
  }
  load.push(os.loadavg()[0]!);
} finally {
  for (const side of sides) await side.server.stop();
}

const operations = [...sides[0]!.samples.keys()];
const lines = [
  `| operation | plain p50 / p90 (ms) | encrypted p50 / p90 (ms) | p50 change |`,
  '| --- | --- | --- | --- |',
  ...operations.map((operation) => {
    const [plain, sealed] = sides.map((side) => side.samples.get(operation)!);
    const p50 = [percentile(plain!, 50), percentile(sealed!, 50)];
    const cell = (v: number[]) => `${percentile(v, 50).toFixed(1)} / ${percentile(v, 90).toFixed(1)}`;
    return `| ${operation} | ${cell(plain!)} | ${cell(sealed!)} | ${(((p50[1]! - p50[0]!) / p50[0]!) * 100).toFixed(0)}% |`;
  }),
];
process.stdout.write(`${lines.join('\n')}\n\n`);
process.stdout.write(
  `${writes} writes and ${reads} reads per operation, alternating servers, embedded PGlite and Chroma, hashing embedder; ` +
    `1-minute load average at start / after writes / after reads: ${load.map((l) => l.toFixed(1)).join(' / ')}\n`,
);
process.stdout.write(`${machineLine(await machineInfo())}\n`);
