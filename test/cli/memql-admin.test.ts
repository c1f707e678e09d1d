// The memql command's key, project and user administration, run as a user
// runs it (the bin, a child process) against a live server.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GraphQLClient } from '../helpers/graphql-client.js';
import { runMemql } from '../helpers/memql-cli.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

describe('memql keys, projects, users', () => {
  let t: TestApp;
  let dir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    t = await startTestApp({ env: { MEMQL_EMBEDDINGS_PROVIDER: 'hashing' } });
    dir = await mkdtemp(path.join(os.tmpdir(), 'memql-cli-'));
    // The key travels in a file (never on the command line, where `ps` shows it).
    await writeFile(path.join(dir, 'admin.key'), `${t.adminKey}\n`, { mode: 0o600 });
    env = { MEMQL_URL: t.url, MEMQL_DATA_DIR: dir };
  });
  afterAll(async () => {
    await t?.destroy();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('creates a project and a key, lists them without the secret, and revokes the key', async () => {
    const created = await runMemql(['projects', 'create', 'acme'], env);
    expect(created).toMatchObject({ code: 0, stderr: expect.stringContaining('created project "acme"') });
    const projectId = created.stdout.trim();

    const projects = await runMemql(['projects', 'list', '--json'], env);
    expect(projects.code).toBe(0);
    expect((JSON.parse(projects.stdout) as { name: string }[]).map((p) => p.name)).toEqual(['default', 'acme']);

    // Projects are named by id or name; the secret is stdout's only line, for scripts.
    const key = await runMemql(['keys', 'create', '--project', 'acme', '--name', 'ci'], env);
    expect(key.code).toBe(0);
    const secret = key.stdout.trim();
    expect(secret).toMatch(/^mq_/);
    const acme = new GraphQLClient(t.url, secret);
    expect((await acme.raw<{ project: { id: string } }>('{ project { id } }')).data).toEqual({
      project: { id: projectId },
    });

    const listed = await runMemql(['keys', 'list', '--project', projectId, '--json'], env);
    expect(listed.code).toBe(0);
    expect(listed.stdout).not.toContain(secret);
    const keys = JSON.parse(listed.stdout) as {
      id: string;
      name: string;
      prefix: string;
      role: string;
      revokedAt: null;
    }[];
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ name: 'ci', role: 'PROJECT', revokedAt: null, project: 'acme' });
    expect(secret.startsWith(keys[0]!.prefix)).toBe(true);

    // Every project's keys, as a table: the admin key (default project) and acme's.
    const table = await runMemql(['keys', 'list'], env);
    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^ID\s+PROJECT\s+NAME\s+PREFIX\s+ROLE\s+CREATED\s+LAST USED\s+REVOKED$/);
    expect(lines.slice(1).map((line) => line.split(/\s+/).slice(1, 3))).toEqual([
      ['default', 'admin'],
      ['acme', 'ci'],
    ]);

    const revoked = await runMemql(['keys', 'revoke', keys[0]!.id], env);
    expect(revoked).toMatchObject({ code: 0, stderr: expect.stringContaining(`revoked key ${keys[0]!.id}`) });
    expect((await acme.raw('{ project { id } }')).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const after = JSON.parse((await runMemql(['keys', 'list', '--project', 'acme', '--json'], env)).stdout) as {
      revokedAt: string | null;
    }[];
    expect(after[0]!.revokedAt).toEqual(expect.any(String));
  });

  it("lists every user of the key's project, past one page", async () => {
    const names = Array.from({ length: 105 }, (_, i) => `u${String(i).padStart(3, '0')}`);
    for (const id of names) await t.admin.raw('mutation ($id: ID!) { createUser(input: { id: $id }) { id } }', { id });
    await t.admin.raw(
      'mutation { insertBlob(userId: "u000", input: { doc: { title: "t", content: "x" } }) { blob { id } } }',
    );
    const run = await runMemql(['users', 'list', '--json'], env);
    expect(run.code).toBe(0);
    const users = JSON.parse(run.stdout) as { id: string; blobCount: number }[];
    expect(users.map((u) => u.id)).toEqual(names);
    expect(users[0]!.blobCount).toBe(1);
    const table = await runMemql(['users', 'list'], env);
    expect(table.stdout.trim().split('\n')).toHaveLength(106);
  });

  it('answers with exit codes scripts can rely on', async () => {
    // 5: not found.
    const unknown = await runMemql(['keys', 'revoke', '00000000-0000-4000-8000-000000000000'], env);
    expect(unknown).toMatchObject({ code: 5, stderr: expect.stringContaining('NOT_FOUND') });
    expect((await runMemql(['keys', 'list', '--project', 'nope'], env)).code).toBe(5);
    // 4: refused (a project key is not an admin key; a wrong key).
    const { createApiKey } = (
      await t.admin.raw<{ createApiKey: { secret: string } }>(
        'mutation ($p: ID!) { createApiKey(projectId: $p, name: "p") { secret } }',
        { p: (await t.admin.raw<{ project: { id: string } }>('{ project { id } }')).data!.project.id },
      )
    ).data!;
    await writeFile(path.join(dir, 'project.key'), createApiKey.secret);
    const forbidden = await runMemql(['--key-file', path.join(dir, 'project.key'), 'projects', 'list'], env);
    expect(forbidden).toMatchObject({ code: 4, stderr: expect.stringContaining('FORBIDDEN') });
    expect((await runMemql(['projects', 'list'], { ...env, MEMQL_KEY: 'mq_not_a_key_at_all_000000000' })).code).toBe(4);
    expect(
      (await runMemql(['projects', 'list'], { MEMQL_URL: t.url, MEMQL_DATA_DIR: path.join(dir, 'none') })).code,
    ).toBe(4);
    // 3: unreachable.
    const down = await runMemql(['--url', 'http://127.0.0.1:1/graphql', 'projects', 'list'], env);
    expect(down).toMatchObject({
      code: 3,
      stderr: expect.stringContaining('cannot reach memql at http://127.0.0.1:1/graphql'),
    });
    // 2: usage and settings.
    expect((await runMemql(['keys', 'create'], env)).code).toBe(2);
    expect((await runMemql(['nope'], env)).code).toBe(2);
    expect((await runMemql(['projects', 'create', ' '], env)).code).toBe(2);
    const badSetting = await runMemql(['projects', 'list'], { ...env, PORT: 'eighty' });
    expect(badSetting).toMatchObject({ code: 2, stderr: expect.stringContaining('PORT') });
    // 0: help.
    const help = await runMemql(['--help'], env);
    expect(help.code).toBe(0);
    for (const name of ['keys', 'projects', 'users', 'reindex', 'doctor']) expect(help.stdout).toContain(name);
  });
});
