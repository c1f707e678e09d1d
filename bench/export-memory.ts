// Does a lossless export stream in bounded memory? Writes N memories
// (createMemory, across U users, the hashing embedder) into a fresh server
// process, then runs createExport over the whole project while sampling the
// server's resident set every 100 ms, downloads the file and counts its
// lines. The goal (issue 9): RSS growth during the export under 100 MB.
//
//   npx tsx bench/export-memory.ts                      100,000 memories over 100 users
//   npx tsx bench/export-memory.ts --memories 20000     a shorter run
//   DATABASE_URL=postgresql://... npx tsx bench/export-memory.ts --seed sql
//       writes the memories (each with its ADD in the history) straight into
//       the server's PostgreSQL database, 10,000 a statement: the export is
//       what is measured, and 100,000 createMemory calls take most of an hour
//       on a 2-core machine
//
// Prints one Markdown table row set; copy it into BENCHMARKS.md ("Exports").

import { parseArgs } from 'node:util';
import pg from 'pg';
import { BenchClient, mapConcurrent } from './lib/graphql.js';
import { machineInfo, machineLine } from './lib/machine.js';
import { sampleRss, startServerProcess } from './lib/server-process.js';
import { Corpus } from './suite/corpus.js';

const { values } = parseArgs({
  options: {
    memories: { type: 'string', default: '100000' },
    users: { type: 'string', default: '100' },
    concurrency: { type: 'string', default: '8' },
    seed: { type: 'string', default: 'api' },
  },
});
if (values.seed !== 'api' && values.seed !== 'sql') throw new Error('--seed: api or sql');
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
  const writeStart = performance.now();
  if (values.seed === 'sql') await seedWithSql(server.databaseUrl, corpus);
  else {
    const jobs = Array.from({ length: memories }, (_, i) => i);
    let written = 0;
    await mapConcurrent(jobs, concurrency, async (i) => {
      await client.request('mutation ($u: ID!, $t: String!) { createMemory(userId: $u, input: { text: $t }) { id } }', {
        u: userIds[i % users],
        t: corpus.sentence(),
      });
      if (++written % 10_000 === 0) log(`${written} memories written`);
    });
  }
  const writeSeconds = (performance.now() - writeStart) / 1000;
  log(`${memories} memories in ${writeSeconds.toFixed(0)} s (${values.seed})`);

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
    `seeded through ${values.seed === 'sql' ? 'SQL' : 'createMemory'}`,
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

/** Memories as createMemory leaves them (plain text, an ADD by the API in the history), spread over the users. */
async function seedWithSql(databaseUrl: string | null, corpus: Corpus): Promise<void> {
  if (!databaseUrl) throw new Error('--seed sql needs DATABASE_URL (a PostgreSQL server)');
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    for (let from = 0; from < memories; from += 10_000) {
      const texts = Array.from({ length: Math.min(10_000, memories - from) }, () => corpus.sentence());
      await db.query(
        `WITH users AS (SELECT pk, "projectId", row_number() OVER (ORDER BY pk) - 1 AS k FROM "User"),
              rows AS (
                INSERT INTO "Memory" ("id", "projectId", "userPk", "text", "topic", "subTopic", "categories", "source", "embedding", "updatedAt")
                SELECT gen_random_uuid(), u."projectId", u.pk, t.text, 'general', 'note', ARRAY['general'], 'api', ARRAY[]::double precision[], now()
                FROM unnest($1::text[]) WITH ORDINALITY AS t(text, n) JOIN users u ON u.k = (t.n + $2) % $3
                RETURNING "id", "projectId", "userPk", "text")
         INSERT INTO "MemoryChange" ("id", "projectId", "userPk", "memoryId", "kind", "actor", "after", "sourceBlobs")
         SELECT gen_random_uuid(), "projectId", "userPk", "id", 'ADD', 'API',
                jsonb_build_object('text', "text", 'topic', 'general', 'subTopic', 'note'), ARRAY[]::text[]
         FROM rows`,
        [texts, from, users],
      );
      log(`${from + texts.length} memories written`);
    }
  } finally {
    await db.end();
  }
}
