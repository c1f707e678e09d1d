// An export whose process is killed (kill -9) in the middle of its file: the
// job is left RUNNING under a lease nobody renews; a restarted server takes
// it over once the lease has passed (its periodic take-over, not only at
// start) and writes the file again from the start (an export restarts its
// file, it does not append to a half-written one), ending FINISHED with
// every user exactly once.

import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateExportDocument, CreateUserDocument, GetExportDocument } from '../generated/graphql.js';
import { type CrashEnv, startCrashEnv } from '../helpers/crash-env.js';
import { GraphQLClient } from '../helpers/graphql-client.js';
import { startServerProcess } from '../helpers/server-process.js';

const USERS = 400;

describe('export after kill -9 mid-file', () => {
  let crash: CrashEnv;
  let env: Record<string, string>;

  beforeAll(async () => {
    crash = await startCrashEnv('memql-export-crash-');
    env = crash.env;
  }, 120_000);
  afterAll(async () => crash?.dispose());

  it('ends in a correct FINISHED export after a restart', async () => {
    const first = await startServerProcess(env, 180_000); // generous: a loaded machine starts PGlite slowly
    const api = new GraphQLClient(first.url, env.MEMQL_ADMIN_KEY!);
    for (let i = 0; i < USERS; i++)
      await api.ok(CreateUserDocument, { input: { id: `u${String(i).padStart(4, '0')}`, data: { i } } });
    const { createExport } = await api.ok(CreateExportDocument, { input: { includeBlobs: false } });
    let midway = false;
    for (let i = 0; i < 6_000 && !midway; i++) {
      const job = (await api.ok(GetExportDocument, { id: createExport.id })).export!;
      expect(job.status, 'the export finished before it could be killed').not.toBe('FINISHED');
      midway = job.status === 'RUNNING' && job.progress.done > 0;
    }
    expect(midway).toBe(true);
    await first.kill('SIGKILL');
    const exportDir = path.join(env.MEMQL_DATA_DIR!, 'exports');
    expect(await readdir(exportDir)).toEqual([`${createExport.id}.jsonl.part`]);

    const second = await startServerProcess(env, 180_000); // generous: a loaded machine starts PGlite slowly
    try {
      const again = new GraphQLClient(second.url, env.MEMQL_ADMIN_KEY!);
      // Lease (30 s) plus one take-over interval (30 s), with room for a loaded machine.
      const deadline = Date.now() + 150_000;
      let job = (await again.ok(GetExportDocument, { id: createExport.id })).export!;
      while (job.status !== 'FINISHED' && job.status !== 'FAILED' && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        job = (await again.ok(GetExportDocument, { id: createExport.id })).export!;
      }
      expect(job).toMatchObject({ status: 'FINISHED', progress: { done: USERS, total: USERS }, error: null });
      const file = await fetch(new URL(job.downloadPath, second.url), {
        headers: { authorization: `Bearer ${env.MEMQL_ADMIN_KEY}` },
      });
      const text = await file.text();
      expect(Buffer.byteLength(text)).toBe(job.bytes);
      const lines = text
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { type: string; id?: string });
      expect(lines.map((line) => line.type).slice(0, 2)).toEqual(['header', 'profileConfig']);
      const users = lines.filter((line) => line.type === 'user').map((line) => line.id);
      expect(users).toEqual(Array.from({ length: USERS }, (_, i) => `u${String(i).padStart(4, '0')}`));
      expect(lines).toHaveLength(USERS + 2);
      expect(await readdir(exportDir)).toEqual([`${createExport.id}.jsonl`]);
    } finally {
      await second.kill('SIGTERM');
    }
  }, 600_000);
});
