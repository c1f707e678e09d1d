// SIGTERM stops a real server process cleanly: it drains, stops every part
// (child processes included) and exits 0, leaving the data dir reusable.

import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
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

  // `npm start` runs the server under npm and sh: a signal sent to the
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

describe('a signal while the server starts', () => {
  // Before the server listened for signals (it did once it served), a SIGTERM
  // during the start killed it with its embedded database open.
  it('stops cleanly once it is up, exits 0, and the data starts again', { timeout: 180_000 }, async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'memql-early-'));
    const env = { MEMQL_DATA_DIR: dir, MEMQL_ADMIN_KEY: generateSecret(), MEMQL_EMBEDDINGS_PROVIDER: 'hashing' };
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/index.ts'], {
        env: { ...process.env, NODE_ENV: 'production', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const messages: string[] = [];
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      createInterface({ input: child.stdout! }).on('line', (line) => {
        const { msg } = JSON.parse(line) as { msg: string };
        // The first line comes while the database is being migrated, long before the server serves.
        if (messages.length === 0) child.kill('SIGTERM');
        messages.push(msg);
      });
      expect(await exited).toBe(0);
      expect(messages.indexOf('memql is serving')).toBeGreaterThan(0);
      expect(messages.indexOf('shutting down')).toBeGreaterThan(0);
      expect(messages.indexOf('shutting down')).toBeLessThan(messages.indexOf('memql is serving'));

      const again = await startServerProcess(env);
      try {
        const client = new GraphQLClient(again.url, env.MEMQL_ADMIN_KEY);
        await client.ok(CreateUserDocument, { input: { id: 'after-early-stop' } });
        expect((await client.ok(GetUserDocument, { id: 'after-early-stop' })).user?.id).toBe('after-early-stop');
      } finally {
        await again.kill('SIGTERM');
      }
    } finally {
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

describe('bounded shutdown', () => {
  // The offline embedder takes minutes over a 1,000,000-character document:
  // a SIGTERM while it runs stops within MEMQL_SHUTDOWN_SECONDS, and the
  // document, still in the outbox, is indexed after the next start.
  it('stops within MEMQL_SHUTDOWN_SECONDS with a huge document being indexed, which is indexed after a restart', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'memql-bounded-'));
    const database = process.env.MEMQL_TEST_DATABASE_URL ? await createTestDatabase() : null;
    const env = {
      MEMQL_DATA_DIR: dir,
      MEMQL_ADMIN_KEY: generateSecret(),
      MEMQL_SHUTDOWN_SECONDS: '2',
      LOG_LEVEL: 'debug',
      ...(database ? { DATABASE_URL: database.url } : {}),
    };
    const words = ['harbour', 'lantern', 'orchid', 'granite', 'velvet', 'compass', 'meadow', 'saffron'];
    const content = Array.from({ length: 125_000 }, (_, i) => `${words[i % 8]} ${words[(i * 3) % 8]}.`)
      .join(' ')
      .slice(0, 999_990);
    expect(content.length).toBe(999_990); // the most one blob may hold is 1,000,000
    try {
      const first = await startServerProcess(env, 180_000);
      const api = new GraphQLClient(first.url, env.MEMQL_ADMIN_KEY);
      await api.ok(CreateUserDocument, { input: { id: 'big' } });
      const stored = await api.raw<{ insertBlob: { blob: { id: string } } }>(
        'mutation($c: String!) { insertBlob(userId: "big", input: { doc: { content: $c } }) { blob { id } } }',
        { c: content },
      );
      expect(stored.errors).toBeUndefined();
      // The indexer starts on the insert; give it a moment to be inside the embedding.
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      const started = Date.now();
      await first.kill('SIGTERM');
      const took = Date.now() - started;
      expect(first.child.exitCode).toBe(0);
      expect(took).toBeLessThan(12_000);
      expect(first.logs.some((entry) => String(entry.msg).startsWith('shutdown time is up'))).toBe(true);

      const second = await startServerProcess(env, 180_000);
      try {
        const again = new GraphQLClient(second.url, env.MEMQL_ADMIN_KEY);
        const until = Date.now() + 400_000;
        let found = false;
        while (!found && Date.now() < until) {
          const result = await again.raw<{ user: { query: { blob: { id: string } }[] } }>(
            '{ user(id: "big") { query(text: "saffron meadow", mode: SEMANTIC) { blob { id } } } }',
          );
          found = result.data?.user.query.some((match) => match.blob.id === stored.data!.insertBlob.blob.id) ?? false;
          if (!found) await new Promise((resolve) => setTimeout(resolve, 2_000));
        }
        expect(found).toBe(true);
      } finally {
        await second.kill('SIGTERM');
      }
    } finally {
      await database?.drop();
      await rm(dir, { recursive: true, force: true });
    }
  }, 600_000);
});
