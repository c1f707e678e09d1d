// How fast does an import write, and in how much memory? Writes a synthetic
// export file (format version 2) of N memories (each with its ADD change)
// across U users (a doc blob each), uploads it to a fresh server process
// (POST /imports), runs importExport and times it from the mutation to
// FINISHED (the check pass and the writes; the indexer's re-embedding
// follows through the outbox and is not counted), sampling the server's RSS.
//
//   nice -n 10 npx tsx bench/import-rate.ts                     20,000 memories over 100 users
//   nice -n 10 npx tsx bench/import-rate.ts --memories 5000
//
// Prints one Markdown table row set with the load average at the start and end.

import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { syntheticExportLines } from '../test/helpers/synthetic-export.js';
import { BenchClient } from './lib/graphql.js';
import { machineInfo, machineLine } from './lib/machine.js';
import { sampleRss, startServerProcess } from './lib/server-process.js';

const { values } = parseArgs({
  options: { memories: { type: 'string', default: '20000' }, users: { type: 'string', default: '100' } },
});
const memories = Number(values.memories);
const users = Number(values.users);
const dir = await mkdtemp(path.join(os.tmpdir(), 'memql-import-bench-'));
const file = path.join(dir, 'export.jsonl');

// The file, written with back-pressure.
const out = createWriteStream(file);
let lines = 0;
for (const line of syntheticExportLines({ users, memories, blobs: true })) {
  if (!out.write(`${line}\n`)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  lines += 1;
}
out.end();
await new Promise<void>((resolve) => out.once('finish', () => resolve()));
const bytes = (await stat(file)).size;

const loadBefore = os.loadavg();
const server = await startServerProcess({ MEMQL_EMBEDDINGS_PROVIDER: 'hashing' });
try {
  const client = new BenchClient(server.url, server.adminKey);
  const upload = await fetch(new URL('/imports', server.url), {
    method: 'POST',
    headers: { authorization: `Bearer ${server.adminKey}` },
    body: await readFile(file),
  });
  const { file: stored } = (await upload.json()) as { file: string };
  const rss = await sampleRss(server.pid);
  const start = performance.now();
  const { importExport } = await client.request<{ importExport: { id: string } }>(
    'mutation ($file: String!) { importExport(input: { file: $file }) { id } }',
    { file: stored },
  );
  let job: { status: string; written: number; error: string | null };
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    ({ import: job } = await client.request<{ import: typeof job }>(
      'query ($id: ID!) { import(id: $id) { status written error } }',
      { id: importExport.id },
    ));
    if (job.status === 'FINISHED' || job.status === 'FAILED') break;
  }
  const seconds = (performance.now() - start) / 1000;
  const { before, peak } = rss.stop();
  if (job.status !== 'FINISHED') throw new Error(`import failed: ${job.error}`);
  const loadAfter = os.loadavg();
  const rows = [
    `machine: ${machineLine(await machineInfo())}`,
    '',
    '| lines | records written | file | import | records/s | server RSS before / peak | load avg (1 min) start / end |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    `| ${lines.toLocaleString('en')} | ${job.written.toLocaleString('en')} | ${(bytes / 1e6).toFixed(1)} MB | ${seconds.toFixed(1)} s | ${(job.written / seconds).toFixed(0)} | ${before.toFixed(0)} / ${peak.toFixed(0)} MiB | ${loadBefore[0]!.toFixed(1)} / ${loadAfter[0]!.toFixed(1)} |`,
  ];
  process.stdout.write(`${rows.join('\n')}\n`);
} finally {
  await server.stop();
  await rm(dir, { recursive: true, force: true });
}
