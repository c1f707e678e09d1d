// An import whose process is killed (kill -9) while it writes: the batches
// committed before stay (each batch commits with the job's `done` line), the
// job is left RUNNING under a lease nobody renews, and a restarted server
// takes it over and continues after the last committed line (no second
// check pass, nothing written twice), ending FINISHED with every record once.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetImportDocument, ImportExportDocument, UsersWithCountsDocument } from '../generated/graphql.js';
import { type CrashEnv, startCrashEnv } from '../helpers/crash-env.js';
import { GraphQLClient } from '../helpers/graphql-client.js';
import { startServerProcess } from '../helpers/server-process.js';
import { syntheticExportLines } from '../helpers/synthetic-export.js';

const USERS = 10;
const MEMORIES = 3_000;

describe('import after kill -9 mid-write', () => {
  let crash: CrashEnv;
  let env: Record<string, string>;

  beforeAll(async () => {
    crash = await startCrashEnv('memql-import-crash-');
    env = crash.env;
  }, 120_000);
  afterAll(async () => crash?.dispose());

  it('continues after the last committed batch and writes every record once', async () => {
    const first = await startServerProcess(env, 180_000); // generous: a loaded machine starts PGlite slowly
    const api = new GraphQLClient(first.url, env.MEMQL_ADMIN_KEY!);
    const upload = await fetch(new URL('/imports', first.url), {
      method: 'POST',
      headers: { authorization: `Bearer ${env.MEMQL_ADMIN_KEY}` },
      body: `${[...syntheticExportLines({ users: USERS, memories: MEMORIES, blobs: false })].join('\n')}\n`,
    });
    const { file } = (await upload.json()) as { file: string };
    const { importExport } = await api.ok(ImportExportDocument, { input: { file } });
    let killedAt = 0;
    for (let i = 0; i < 6_000 && killedAt === 0; i++) {
      const job = (await api.ok(GetImportDocument, { id: importExport.id })).import!;
      expect(job.status, 'the import finished before it could be killed').not.toBe('FINISHED');
      if (job.status === 'RUNNING' && job.progress.done > 0) killedAt = job.progress.done;
    }
    await first.kill('SIGKILL');
    expect(killedAt).toBeGreaterThan(0);

    const second = await startServerProcess(env, 180_000); // generous: a loaded machine starts PGlite slowly
    try {
      const again = new GraphQLClient(second.url, env.MEMQL_ADMIN_KEY!);
      const deadline = Date.now() + 180_000;
      let job = (await again.ok(GetImportDocument, { id: importExport.id })).import!;
      expect(job.progress.done).toBeGreaterThanOrEqual(killedAt);
      while (job.status !== 'FINISHED' && job.status !== 'FAILED' && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        job = (await again.ok(GetImportDocument, { id: importExport.id })).import!;
      }
      const lines = 2 + USERS + MEMORIES;
      expect(job).toMatchObject({
        status: 'FINISHED',
        progress: { done: lines, total: lines },
        written: USERS + MEMORIES,
        skipped: 0,
        error: null,
      });
      const { users } = await again.ok(UsersWithCountsDocument, { first: 100 });
      expect(users.edges.map((edge) => edge.node.memoryCount)).toEqual(Array(USERS).fill(MEMORIES / USERS));
    } finally {
      await second.kill('SIGTERM');
    }
  }, 600_000);
});
