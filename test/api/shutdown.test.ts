// SIGTERM stops a real server process cleanly: it drains, stops every part
// (child processes included) and exits 0, leaving the data dir reusable.

import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateSecret } from '../../src/lib/secrets.js';
import { CreateUserDocument, GetUserDocument } from '../generated/graphql.js';
import { createTestDatabase } from '../helpers/database.js';
import { GraphQLClient } from '../helpers/graphql-client.js';
import { startServerProcess } from '../helpers/server-process.js';

describe('shutdown', () => {
  // Two full starts of a server process (migrations, Chroma, model): minutes on a loaded 2-core machine.
  it('exits 0 on SIGTERM and starts again on the same data', { timeout: 180_000 }, async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'memql-stop-'));
    const database = process.env.MEMQL_TEST_DATABASE_URL ? await createTestDatabase() : null;
    const env = {
      MEMQL_DATA_DIR: dir,
      MEMQL_ADMIN_KEY: generateSecret(),
      MEMQL_EMBEDDINGS_PROVIDER: 'hashing',
      ...(database ? { DATABASE_URL: database.url } : {}),
    };
    try {
      const first = await startServerProcess(env);
      await new GraphQLClient(first.url, env.MEMQL_ADMIN_KEY).ok(CreateUserDocument, { input: { id: 'stays' } });
      const started = Date.now();
      await first.kill('SIGTERM');
      expect(first.child.exitCode).toBe(0);
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(first.logs.some((entry) => entry.msg === 'shutting down')).toBe(true);

      const second = await startServerProcess(env);
      try {
        expect(
          (await new GraphQLClient(second.url, env.MEMQL_ADMIN_KEY).ok(GetUserDocument, { id: 'stays' })).user?.id,
        ).toBe('stays');
      } finally {
        await second.kill('SIGTERM');
      }
    } finally {
      await database?.drop();
      await rm(dir, { recursive: true, force: true });
    }
  });

  // `npm start` runs the server under npm, sh and tsx: a signal sent to the
  // npm process (what a terminal's Ctrl-C or a process manager does) must
  // reach the server, which stops cleanly, and nothing may be left running.
  it.each(['SIGTERM', 'SIGINT'] as const)('npm start: %s sent to the npm process stops the server', async (signal) => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'memql-npm-'));
    const env = { MEMQL_DATA_DIR: dir, MEMQL_ADMIN_KEY: generateSecret(), MEMQL_EMBEDDINGS_PROVIDER: 'hashing' };
    let serverPid = 0;
    try {
      const server = await startServerProcess(env, 90_000, 'npm');
      serverPid = Number(server.logs.find((entry) => entry.msg === 'memql is serving')?.pid);
      expect(serverPid).toBeGreaterThan(0);
      expect(serverPid).not.toBe(server.child.pid);
      await server.kill(signal);
      expect(server.logs.some((entry) => entry.msg === 'shutting down' && entry.signal === signal)).toBe(true);
      expect(isAlive(serverPid)).toBe(false);
      expect(server.child.exitCode === 0 || server.child.signalCode !== null).toBe(true);
      await expect(fetch(`${server.url.replace('/graphql', '/health')}`)).rejects.toThrow();
    } finally {
      if (serverPid > 0 && isAlive(serverPid)) process.kill(serverPid, 'SIGKILL'); // an orphan when the test failed
      await rm(dir, { recursive: true, force: true });
    }
  });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
