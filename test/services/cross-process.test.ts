// Two server processes sharing the machine's PostgreSQL and Redis: a
// subscriber connected to one sees the changes made through the other.
// Needs MEMQL_TEST_DATABASE_URL and MEMQL_TEST_REDIS_URL (run by .ci/run
// through vitest.services.config.ts; `npm test` does not include it because a
// fresh machine has neither service).

import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSecret } from '../../src/lib/secrets.js';
import {
  CreateApiKeyDocument,
  CreateProjectDocument,
  RevokeApiKeyDocument,
  CreateUserDocument,
  InsertChatDocument,
  MemoryEventsDocument,
  ProfileChangedDocument,
} from '../generated/graphql.js';
import { createTestDatabase } from '../helpers/database.js';
import { GraphQLClient } from '../helpers/graphql-client.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { subscribe } from '../helpers/subscriptions.js';
import { openSocket } from '../helpers/sockets.js';

const redisUrl = process.env.MEMQL_TEST_REDIS_URL;
if (!process.env.MEMQL_TEST_DATABASE_URL || !redisUrl) {
  throw new Error('test/services needs MEMQL_TEST_DATABASE_URL and MEMQL_TEST_REDIS_URL (see .ci/run)');
}

describe('two server processes, one PostgreSQL, one Redis', () => {
  const adminKey = generateSecret();
  let dirs: string[] = [];
  const servers: ServerProcess[] = [];
  let drop = async () => {};

  beforeAll(async () => {
    const database = await createTestDatabase();
    drop = database.drop;
    dirs = await Promise.all([0, 1].map(() => mkdtemp(path.join(os.tmpdir(), 'memql-proc-'))));
    const env = (dir: string) => ({
      DATABASE_URL: database.url,
      REDIS_URL: redisUrl!,
      MEMQL_ADMIN_KEY: adminKey,
      MEMQL_DATA_DIR: dir,
      MEMQL_EMBEDDINGS_PROVIDER: 'hashing',
      MEMQL_BUFFER_IDLE_SECONDS: '3600',
    });
    // One after the other: both apply migrations to the same database.
    servers.push(await startServerProcess(env(dirs[0]!)));
    servers.push(await startServerProcess(env(dirs[1]!)));
  });
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.kill('SIGTERM')));
    await drop();
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('delivers changes made through process A to a subscriber on process B', async () => {
    const [a, b] = servers as [ServerProcess, ServerProcess];
    const apiA = new GraphQLClient(a.url, adminKey);
    await apiA.ok(CreateUserDocument, { input: { id: 'shared' } });
    const changesOnB = await subscribe(b.url.replace(/^http/, 'ws'), adminKey, ProfileChangedDocument, {
      userId: 'shared',
    });
    const eventsOnB = await subscribe(b.url.replace(/^http/, 'ws'), adminKey, MemoryEventsDocument, {});

    const { insertBlob } = await apiA.ok(InsertChatDocument, {
      userId: 'shared',
      messages: [{ role: 'user', content: "I'm vegetarian and I live in Porto." }],
      waitProcess: true,
    });
    const made = insertBlob.event!.changes;
    expect(made.length).toBeGreaterThan(0);
    const received = await changesOnB.take(made.length);
    expect(received.map((r) => r.profileChanged.id).sort()).toEqual(made.map((c) => c.id).sort());
    expect((await eventsOnB.next()).memoryEvents.id).toBe(insertBlob.event!.id);
    await Promise.all([changesOnB.close(), eventsOnB.close()]);
  });

  it('closes a socket on process B within a second when its key is revoked through process A', async () => {
    const [a, b] = servers as [ServerProcess, ServerProcess];
    const apiA = new GraphQLClient(a.url, adminKey);
    const { createProject } = await apiA.ok(CreateProjectDocument, { name: 'revoked-across' });
    const { createApiKey } = await apiA.ok(CreateApiKeyDocument, { projectId: createProject.id, name: 'b' });
    const socket = await openSocket(b.url.replace(/^http/, 'ws'), createApiKey.secret);
    try {
      expect(await socket.query('{ project { name } }')).toEqual({ data: { project: { name: 'revoked-across' } } });
      await apiA.ok(RevokeApiKeyDocument, { id: createApiKey.id });
      const revokedAt = Date.now();
      const closed = await socket.closed;
      expect(closed).toMatchObject({ code: 4403, reason: expect.stringContaining('revoked') });
      expect(closed.at - revokedAt).toBeLessThan(1_000);
    } finally {
      await socket.dispose();
    }
  });
});
