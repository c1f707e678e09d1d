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
  it('exits 0 on SIGTERM and starts again on the same data', async () => {
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
});
