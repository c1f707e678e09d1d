// memql reindex and memql doctor, run as a user runs them (the bin, a child
// process) against a real data dir, database and Chroma.

import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScriptedLlmServer, type ScriptedLlmServer } from '../fakes/scripted-llm-server.js';
import { MEMQL_BIN, runMemql } from '../helpers/memql-cli.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

describe('memql reindex and doctor', () => {
  let t: TestApp;
  let llm: ScriptedLlmServer;
  let env: Record<string, string>;
  let records: number;

  beforeAll(async () => {
    llm = await startScriptedLlmServer({ responder: () => ({ json: { ok: true } }) });
    t = await startTestApp({ env: { MEMQL_EMBEDDINGS_PROVIDER: 'hashing' } });
    env = { ...t.env, MEMQL_DATA_DIR: t.dataDir, MEMQL_URL: t.url };
    await t.admin.raw('mutation { createUser(input: { id: "ana" }) { id } }');
    await t.admin.raw(
      'mutation { insertBlob(userId: "ana", input: { doc: { title: "Notes", content: "Ana grows tomatoes on her balcony. She runs on Sundays." } }) { blob { id } } }',
    );
    await t.admin.raw('mutation { createMemory(userId: "ana", input: { text: "Grows tomatoes" }) { id } }');
    await t.app.indexer.drain();
    const counted = await t.admin.raw<{ user: { memoryCount: number } }>('{ user(id: "ana") { memoryCount } }');
    records = counted.data!.user.memoryCount;
  });
  afterAll(async () => {
    await t?.destroy();
    await llm?.stop();
  });

  it('doctor says every part works, through the running server where it holds the embedded stores', async () => {
    const run = await runMemql(['doctor'], { ...env, MEMQL_LLM_BASE_URL: llm.url, MEMQL_LLM_MODEL: 'scripted' });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines.map((line) => line.split(/\s{2,}/).slice(0, 2))).toEqual([
      ['ok', 'config'],
      ['ok', 'server'],
      ['ok', 'database'],
      ['ok', 'vector store'],
      ['ok', 'embedder'],
      ['ok', 'llm'],
      ['skip', 'redis'],
    ]);
    expect(lines[4]).toContain('512 dimensions');
    expect(lines[5]).toContain(`scripted at ${llm.url}`);
    expect(llm.requests.at(-1)!.body!.model).toBe('scripted');
  });

  it('doctor names what is wrong and exits 1', async () => {
    llm.enqueue({ status: 401, errorMessage: 'Incorrect API key provided' });
    const run = await runMemql(['doctor', '--json'], {
      MEMQL_DATA_DIR: t.dataDir,
      DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/memql',
      CHROMA_URL: 'http://127.0.0.1:1',
      MEMQL_EMBEDDINGS_PROVIDER: 'hashing',
      MEMQL_LLM_BASE_URL: llm.url,
      MEMQL_LLM_MODEL: 'scripted',
      REDIS_URL: 'redis://127.0.0.1:1',
      MEMQL_URL: 'http://127.0.0.1:1/graphql',
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('4 check(s) failed: database, vector store, llm, redis');
    const checks = Object.fromEntries(
      (JSON.parse(run.stdout) as { check: string; status: string; detail: string }[]).map((c) => [c.check, c]),
    );
    expect(checks.server).toMatchObject({ status: 'warn', detail: expect.stringContaining('no memql server answers') });
    expect(checks.database).toMatchObject({
      status: 'fail',
      detail: 'nothing listens at 127.0.0.1:1/memql: start PostgreSQL, or fix the host and port in DATABASE_URL',
    });
    expect(checks['vector store']).toMatchObject({ status: 'fail', detail: expect.stringContaining('fix CHROMA_URL') });
    expect(checks.embedder!.status).toBe('ok');
    expect(checks.llm).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('refused the key (MEMQL_LLM_API_KEY)'),
    });
    expect(checks.redis).toMatchObject({ status: 'fail', detail: expect.stringContaining('fix REDIS_URL') });

    const badConfig = await runMemql(['doctor'], { MEMQL_DATA_DIR: t.dataDir, MEMQL_LLM_BASE_URL: llm.url });
    expect(badConfig.code).toBe(1);
    expect(badConfig.stdout).toMatch(/^fail\s+config\s+MEMQL_LLM_MODEL: required with MEMQL_LLM_BASE_URL$/m);
  });

  it('reindex rebuilds the vector index from the database, with plain progress lines off a terminal', async () => {
    if (!t.env.DATABASE_URL) {
      // The embedded database serves one process: reindex says so while the server runs.
      const busy = await runMemql(['reindex'], env);
      expect(busy).toMatchObject({
        code: 3,
        stderr: expect.stringContaining('stop the server, then run memql reindex'),
      });
    }
    await t.stop();
    const run = await runMemql(['reindex'], env);
    expect(run.code).toBe(0);
    const chunksAndMemories = Number(run.stdout.trim());
    expect(chunksAndMemories).toBeGreaterThan(records);
    expect(run.stderr).toContain(`reindex: ${chunksAndMemories}/${chunksAndMemories} (100%)`);
    expect(run.stderr).toMatch(/rebuilt the vector index: \d+ records in [\d.]+ s \(model hashing/);
    expect(run.stderr).not.toContain(String.fromCharCode(27)); // no terminal control sequences in a pipe
  });

  it('draws a progress bar on a terminal', async () => {
    // `script` gives the command a pseudo-terminal, as an interactive shell would.
    const output = await new Promise<string>((resolve, reject) => {
      execFile(
        'script',
        ['-qec', `${process.execPath} ${MEMQL_BIN} reindex`, '/dev/null'],
        {
          env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'warn', ...env },
          timeout: 120_000,
        },
        (error, stdout) => (error ? reject(error) : resolve(stdout)),
      );
    });
    expect(output).toMatch(/reindex \[[█░]+\] 100% \| (\d+)\/\1/);
  });
});
