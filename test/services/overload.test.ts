// What an operator and a client see when the database is not what the server
// needs: a DATABASE_URL naming a database that does not exist stops start-up
// with a message naming DATABASE_URL (no stack trace, no password); a request
// that finds every pooled connection busy for the acquire timeout is answered
// RATE_LIMITED with retryAfter, and the same request succeeds once the load
// is gone. Needs MEMQL_TEST_DATABASE_URL (see .ci/run).

import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { generateSecret } from '../../src/lib/secrets.js';
import { CreateUserDocument } from '../generated/graphql.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

const serverUrl = process.env.MEMQL_TEST_DATABASE_URL;
if (!serverUrl) throw new Error('test/services needs MEMQL_TEST_DATABASE_URL (see .ci/run)');

describe('the database under the server', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('refuses to start on a database that does not exist, naming DATABASE_URL', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'memql-no-db-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const url = new URL(serverUrl);
    url.pathname = `/memql_missing_${Date.now()}`;
    url.password = 'not-to-be-printed';
    if (!url.username) url.username = 'postgres';
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/index.ts'], {
      env: {
        ...process.env,
        DATABASE_URL: url.toString(),
        MEMQL_DATA_DIR: dataDir,
        MEMQL_ADMIN_KEY: generateSecret(),
        PORT: '0',
        HOST: '127.0.0.1',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toContain(`DATABASE_URL: the database "${url.pathname.slice(1)}" does not exist on ${url.host}`);
    expect(stderr).not.toContain('not-to-be-printed');
    expect(stderr).not.toMatch(/^\s+at /m);
  }, 120_000);

  it('answers RATE_LIMITED with retryAfter when no database connection comes free, then serves the retry', async () => {
    // One pooled connection: a request blocked on a lock holds it, the next one waits for it.
    const t: TestApp = await startTestApp({ env: { DATABASE_POOL_MAX: '1', MEMQL_EMBEDDINGS_PROVIDER: 'hashing' } });
    cleanups.push(() => t.destroy());
    await t.admin.ok(CreateUserDocument, { input: { id: 'ana' } });
    await t.app.indexer.drain();

    const locker = new pg.Client({ connectionString: t.env.DATABASE_URL });
    await locker.connect();
    cleanups.push(() => locker.end());
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE "Memory" IN ACCESS EXCLUSIVE MODE');
    const blocked = t.admin.raw<{ user: { memoryCount: number } }>('{ user(id: "ana") { memoryCount } }');
    for (let i = 0; ; i++) {
      const { rows } = await locker.query<{ waiting: number }>(
        `SELECT count(*)::int AS waiting FROM pg_stat_activity
         WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`,
      );
      if (rows[0]!.waiting > 0) break;
      if (i > 600) throw new Error('the first request never waited on the lock');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }

    // Whether it waits in the key's lookup or in the resolver, the answer is the same retryable error.
    // Whether it waits in the key's lookup or in the resolver, the answer is the same retryable error.
    const refused = await t.admin.raw('{ users(first: 1) { totalCount } }');
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfter: 1 });
    expect(refused.errors?.[0]?.message).toContain('retry in 1 s');
    if (refused.status !== 200) {
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('1');
    }
    if (refused.status !== 200) {
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('1');
    }

    await locker.query('COMMIT');
    const first = await blocked;
    expect(first.errors).toBeUndefined();
    expect(first.data?.user.memoryCount).toBe(0);
    const retried = await t.admin.raw<{ users: { totalCount: number } }>('{ users(first: 1) { totalCount } }');
    expect(retried.errors).toBeUndefined();
    expect(retried.data?.users.totalCount).toBe(1);
  }, 120_000);
});
