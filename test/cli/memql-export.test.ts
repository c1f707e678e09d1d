// memql export, run as a user runs it (the bin, a child process) against a
// live server: the file it writes, the plain progress lines when stderr is
// not a terminal, and the exit code of an unknown user.

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateMemoryDocument, CreateUserDocument } from '../generated/graphql.js';
import { runMemql } from '../helpers/memql-cli.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

describe('memql export', () => {
  let t: TestApp;
  let dir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    t = await startTestApp({ env: { MEMQL_EMBEDDINGS_PROVIDER: 'hashing' } });
    dir = await mkdtemp(path.join(os.tmpdir(), 'memql-cli-export-'));
    await writeFile(path.join(dir, 'admin.key'), `${t.adminKey}\n`, { mode: 0o600 });
    env = { MEMQL_URL: t.url, MEMQL_DATA_DIR: dir };
    for (const id of ['ann', 'ben']) {
      await t.admin.ok(CreateUserDocument, { input: { id } });
      await t.admin.ok(CreateMemoryDocument, { userId: id, input: { text: `${id} likes tea` } });
    }
  });
  afterAll(async () => {
    await t?.destroy();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('writes the JSON Lines file and prints plain progress lines off a terminal', async () => {
    const out = path.join(dir, 'all.jsonl');
    const run = await runMemql(['export', '--out', out], env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe(out);
    expect(run.stderr).toContain('export (users): 2/2 (100%)');
    expect(run.stderr).not.toContain('\u001b['); // no bar drawing off a terminal
    const lines = (await readFile(out, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; text?: string });
    expect(lines.map((l) => l.type)).toEqual(['header', 'profileConfig', 'user', 'memory', 'user', 'memory']);
    expect(lines[3]!.text).toBe('ann likes tea');
  });

  it('exports one user, and exits NOT_FOUND for an unknown one', async () => {
    const one = await runMemql(['export', '--user', 'ben', '--no-blobs', '--out', '-'], env);
    expect(one.code, one.stderr).toBe(0);
    expect(one.stdout.trim().split('\n')).toHaveLength(4);
    const missing = await runMemql(['export', '--user', 'nobody', '--out', '-'], env);
    expect(missing.code).toBe(5); // EXIT.NOT_FOUND
    expect(missing.stderr).toContain('nobody');
  });
});
