// Does a lossless export stream in bounded memory? Writes N memories
// (createMemory, across U users, the hashing embedder) into a fresh server
// process, then runs createExport over the whole project while sampling the
// server's resident set every 100 ms, downloads the file and counts its
// lines. The goal (issue 9): RSS growth during the export under 100 MB.
//
//   npx tsx bench/export-memory.ts                      100,000 memories over 100 users
//   npx tsx bench/export-memory.ts --memories 20000     a shorter run
//
// Prints one Markdown table row set; copy it into BENCHMARKS.md ("Exports").

import { parseArgs } from 'node:util';
import { BenchClient, mapConcurrent } from './lib/graphql.js';
import { machineInfo, machineLine } from './lib/machine.js';
import { sampleRss, startServerProcess } from './lib/server-process.js';
import { Corpus } from './suite/corpus.js';

const { values } = parseArgs({
  options: {
    memories: { type: 'string', default: '100000' },
    users: { type: 'string', default: '100' },
    concurrency: { type: 'string', default: '8' },
  },
});
const memories = Number(values.memories);
const users = Number(values.users);
const concurrency = Number(values.concurrency);
const started = Date.now();
const log = (message: string) =>
  process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)}s] ${message}\n`);

const server = await startServerProcess({
  MEMQL_EMBEDDINGS_PROVIDER: 'hashing',
  MEMQL_RATE_LIMIT_PER_SECOND: '0',
  MEMQL_COST_PER_SECOND: '0',
});
try {
  const client = new BenchClient(server.url, server.adminKey);
  const userIds = Array.from({ length: users }, (_, i) => `u${i}`);
  for (const id of userIds)
    await client.request('mutation ($id: ID!) { createUser(input: { id: $id }) { id } }', { id });
  const corpus = new Corpus(9);
  const jobs = Array.from({ length: memories }, (_, i) => i);
  let written = 0;
  const writeStart = performance.now();
  await mapConcurrent(jobs, concurrency, async (i) => {
    await client.request('mutation ($u: ID!, $t: String!) { createMemory(userId: $u, input: { text: $t }) { id } }', {
      u: userIds[i % users],
      t: corpus.sentence(),
    });
    if (++written % 10_000 === 0) log(`${written} memories written`);
  });
  const writeSeconds = (performance.now() - writeStart) / 1000;
  log(`${memories} memories in ${writeSeconds.toFixed(0)} s`);

  const rss = await sampleRss(server.pid);
  const exportStart = performance.now();
  const { createExport } = await client.request<{ createExport: { id: string } }>('mutation { createExport { id } }');
  let job: { status: string; bytes: number | null; downloadPath: string; error: string | null };
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    ({ export: job } = await client.request<{ export: typeof job }>(
      'query ($id: ID!) { export(id: $id) { status bytes downloadPath error } }',
      { id: createExport.id },
    ));
    if (job.status === 'FINISHED' || job.status === 'FAILED') break;
  }
  const exportSeconds = (performance.now() - exportStart) / 1000;
  const { before, peak } = rss.stop();
  if (job.status !== 'FINISHED') throw new Error(`export failed: ${job.error}`);

  const response = await fetch(new URL(job.downloadPath, server.url), {
    headers: { authorization: `Bearer ${server.adminKey}` },
  });
  let lines = 0;
  let memoryLines = 0;
  let rest = '';
  const decoder = new TextDecoder();
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    const parts = (rest + decoder.decode(chunk, { stream: true })).split('\n');
    rest = parts.pop() ?? '';
    for (const part of parts) {
      lines++;
      if (part.startsWith('{"type":"memory"')) memoryLines++;
    }
  }

  const rows = [
    `machine: ${machineLine(await machineInfo())}`,
    '',
    '| memories | users | export | file | lines (memories) | server RSS before / peak | growth |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    `| ${memories.toLocaleString('en')} | ${users} | ${exportSeconds.toFixed(1)} s | ${((job.bytes ?? 0) / 1e6).toFixed(1)} MB | ${lines.toLocaleString('en')} (${memoryLines.toLocaleString('en')}) | ${before.toFixed(0)} / ${peak.toFixed(0)} MiB | ${(peak - before).toFixed(0)} MiB |`,
  ];
  process.stdout.write(`${rows.join('\n')}\n`);
} catch (error) {
  process.stderr.write(`server errors: ${JSON.stringify(server.errorLogs.slice(0, 3), null, 2)}\n`);
  throw error;
} finally {
  await server.stop();
}
