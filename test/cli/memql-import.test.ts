// memql import, run as a user runs it (the bin, a child process) against a
// live server: the file is uploaded (POST /imports) and imported with each
// --on-conflict mode; plain progress lines off a terminal; exit codes.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateMemoryDocument,
  CreateUserDocument,
  DeleteUserDocument,
  GetImportDocument,
  InsertBlobDocument,
  MemoryByIdDocument,
  PatchMemoryDocument,
  UserMemoriesDocument,
} from '../generated/graphql.js';
import { runMemql } from '../helpers/memql-cli.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

describe('memql import', () => {
  let t: TestApp;
  let dir: string;
  let env: Record<string, string>;
  let file: string;
  let memoryId: string;

  beforeAll(async () => {
    t = await startTestApp({ env: { MEMQL_EMBEDDINGS_PROVIDER: 'hashing' } });
    dir = await mkdtemp(path.join(os.tmpdir(), 'memql-cli-import-'));
    await writeFile(path.join(dir, 'admin.key'), `${t.adminKey}\n`, { mode: 0o600 });
    env = { MEMQL_URL: t.url, MEMQL_DATA_DIR: dir };
    for (const id of ['ann', 'ben']) {
      await t.admin.ok(CreateUserDocument, { input: { id } });
      await t.admin.ok(InsertBlobDocument, { userId: id, input: { doc: { content: `${id} wrote this note.` } } });
    }
    memoryId = (await t.admin.ok(CreateMemoryDocument, { userId: 'ann', input: { text: 'ann likes tea' } }))
      .createMemory.id;
    file = path.join(dir, 'backup.jsonl');
    const exported = await runMemql(['export', '--out', file], env);
    expect(exported.code, exported.stderr).toBe(0);
  }, 180_000);
  afterAll(async () => {
    await t?.destroy();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('uploads and imports into an emptied project, with plain progress lines', async () => {
    for (const id of ['ann', 'ben']) await t.admin.ok(DeleteUserDocument, { id });
    const run = await runMemql(['import', file], env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/import \(lines\): 7\/7 \(100%\)/);
    expect(run.stderr).toContain('5 records written, 0 kept');
    expect(run.stderr).not.toContain('\u001b[');
    const job = (await t.admin.ok(GetImportDocument, { id: run.stdout.trim() })).import!;
    expect(job).toMatchObject({ status: 'FINISHED', onConflict: 'FAIL', written: 5 });
    const { user } = await t.admin.ok(UserMemoriesDocument, { userId: 'ann' });
    expect(user!.memories.edges.map((e) => e.node.id)).toEqual([memoryId]);
  }, 120_000);

  it('fail: exits 2 naming the first record the project holds; skip keeps; overwrite replaces', async () => {
    const failed = await runMemql(['import', file, '--on-conflict', 'fail'], env);
    expect(failed.code).toBe(2);
    expect(failed.stderr).toContain('line 3: the project already holds user "ann"');

    await t.admin.ok(PatchMemoryDocument, { id: memoryId, input: { text: 'ann likes coffee' } });
    const skipped = await runMemql(['import', file, '--on-conflict', 'skip'], env);
    expect(skipped.code, skipped.stderr).toBe(0);
    expect(skipped.stderr).toContain('0 records written, 5 kept');
    expect((await t.admin.ok(MemoryByIdDocument, { id: memoryId })).memory!.text).toBe('ann likes coffee');

    const overwritten = await runMemql(['import', file, '--on-conflict', 'overwrite'], env);
    expect(overwritten.code, overwritten.stderr).toBe(0);
    expect(overwritten.stderr).toContain('5 records written, 0 kept');
    expect((await t.admin.ok(MemoryByIdDocument, { id: memoryId })).memory!.text).toBe('ann likes tea');

    const wrong = await runMemql(['import', file, '--on-conflict', 'maybe'], env);
    expect(wrong.code).toBe(2);
  }, 180_000);
});
