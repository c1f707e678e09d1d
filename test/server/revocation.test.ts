// Revocation reaches open sockets: a revoked key's WebSocket connections
// close with 4403 within a second; deleting a user ends the subscriptions
// that follow it. Admin keys are rows: a different configured (or a newly
// generated) admin key revokes the previous one, and apiKeys / projects /
// revokeApiKey work for them.

import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY_FILE } from '../../src/infra/admin-key.file.js';
import { generateSecret } from '../../src/lib/secrets.js';
import {
  ApiKeysDocument,
  CreateUserDocument,
  CurrentProjectDocument,
  DeleteUserDocument,
  ProjectsDocument,
  RevokeApiKeyDocument,
} from '../generated/graphql.js';
import { GraphQLClient } from '../helpers/graphql-client.js';
import { openSocket } from '../helpers/sockets.js';
import { createProjectClient, startTestApp, type TestApp } from '../helpers/test-app.js';

/** Resolves once `check` holds, polling every 50 ms for at most `ms`. */
async function eventually(check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('the condition did not hold in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('revocation reaches open sockets', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { MEMQL_EMBEDDINGS_PROVIDER: 'hashing' } });
  });
  afterAll(async () => t?.destroy());

  it("closes a revoked key's open socket with 4403 within a second, and a new connection is refused", async () => {
    const { client, keyId } = await createProjectClient(t, 'revoked-live');
    await client.ok(CreateUserDocument, { input: { id: 'watched' } });
    const socket = await openSocket(t.wsUrl, client.apiKey!);
    try {
      const live = socket.subscribe('subscription { profileChanged(userId: "watched") { id } }');
      expect(await socket.query('{ project { name } }')).toEqual({ data: { project: { name: 'revoked-live' } } });
      expect(await t.admin.ok(RevokeApiKeyDocument, { id: keyId })).toEqual({ revokeApiKey: true });
      const revokedAt = Date.now();
      const closed = await socket.closed;
      expect(closed.code).toBe(4403);
      expect(closed.reason).toContain('revoked');
      expect(closed.at - revokedAt).toBeLessThan(1_000);
      await live.completed.catch(() => undefined);
      expect(live.events).toEqual([]);
      const again = await openSocket(t.wsUrl, client.apiKey!).catch((event: { code: number; reason: string }) => event);
      expect(again).toMatchObject({ code: 4403 });
      expect((await client.fails(CurrentProjectDocument)).extensions?.code).toBe('UNAUTHENTICATED');
    } finally {
      await socket.dispose();
    }
  });

  it("leaves other keys' sockets open", async () => {
    const { client: kept } = await createProjectClient(t, 'kept');
    const { keyId: other } = await createProjectClient(t, 'other');
    const socket = await openSocket(t.wsUrl, kept.apiKey!);
    try {
      await t.admin.ok(RevokeApiKeyDocument, { id: other });
      expect(await socket.query('{ project { name } }')).toEqual({ data: { project: { name: 'kept' } } });
    } finally {
      await socket.dispose();
    }
  });

  it('ends the subscriptions that follow a user when the user is deleted; project-wide ones go on', async () => {
    const { client } = await createProjectClient(t, 'deleting');
    await client.ok(CreateUserDocument, { input: { id: 'leaving' } });
    const socket = await openSocket(t.wsUrl, client.apiKey!);
    try {
      const changes = socket.subscribe('subscription { profileChanged(userId: "leaving") { id } }');
      const events = socket.subscribe('subscription { memoryEvents(userId: "leaving") { id } }');
      const everyone = socket.subscribe('subscription { memoryEvents { id } }');
      let everyoneEnded = false;
      void everyone.completed.then(() => {
        everyoneEnded = true;
      });
      // The subscriptions are registered once a query sent after them has its answer.
      await socket.query('{ project { id } }');
      await client.ok(DeleteUserDocument, { id: 'leaving' });
      await changes.completed;
      await events.completed;
      expect(await socket.query('{ project { name } }')).toEqual({ data: { project: { name: 'deleting' } } });
      expect(everyoneEnded).toBe(false);
    } finally {
      await socket.dispose();
    }
  });
});

describe('admin keys are rows', () => {
  it('a different MEMQL_ADMIN_KEY revokes the previous one, which apiKeys lists as revoked', async () => {
    const first = generateSecret();
    const second = generateSecret();
    const t1 = await startTestApp({ env: { MEMQL_EMBEDDINGS_PROVIDER: 'hashing', MEMQL_ADMIN_KEY: first } });
    await t1.stop();
    const t2 = await startTestApp({ reuse: t1, env: { MEMQL_ADMIN_KEY: second } });
    try {
      expect((await t2.admin.withKey(first).fails(CurrentProjectDocument)).extensions?.code).toBe('UNAUTHENTICATED');
      const { project } = await t2.admin.ok(CurrentProjectDocument);
      const { apiKeys } = await t2.admin.ok(ApiKeysDocument, { projectId: project.id });
      const admins = apiKeys.filter((key) => key.role === 'ADMIN');
      expect(admins.map((key) => [key.prefix, key.revokedAt === null])).toEqual([
        [first.slice(0, 9), false],
        [second.slice(0, 9), true],
      ]);
      expect(JSON.stringify(apiKeys)).not.toContain(second);
      // An admin key cannot revoke itself; the previous one is already revoked.
      expect((await t2.admin.fails(RevokeApiKeyDocument, { id: admins[1]!.id })).extensions?.field).toBe('id');
      expect(await t2.admin.ok(RevokeApiKeyDocument, { id: admins[0]!.id })).toEqual({ revokeApiKey: false });
    } finally {
      await t2.destroy();
    }
  });

  it('a generated admin key that is deleted is replaced, and the old one stops working', async () => {
    const t1 = await startTestApp({ env: { MEMQL_EMBEDDINGS_PROVIDER: 'hashing', MEMQL_ADMIN_KEY: '' } });
    const old = t1.app.generatedAdminKey!;
    expect(old).toMatch(/^mq_/);
    await t1.stop();
    await rm(path.join(t1.dataDir, ADMIN_KEY_FILE));
    const t2 = await startTestApp({ reuse: t1 });
    try {
      const fresh = t2.app.generatedAdminKey!;
      expect(fresh).toMatch(/^mq_/);
      expect(fresh).not.toBe(old);
      const api = new GraphQLClient(t2.url, fresh);
      expect((await api.withKey(old).fails(CurrentProjectDocument)).extensions?.code).toBe('UNAUTHENTICATED');
      expect((await api.ok(CurrentProjectDocument)).project.name).toBe('default');
    } finally {
      await t2.destroy();
    }
  });

  it('projects lists every project to an admin and is refused to a project key', async () => {
    const t = await startTestApp({ env: { MEMQL_EMBEDDINGS_PROVIDER: 'hashing' } });
    try {
      const { client, projectId } = await createProjectClient(t, 'listed');
      const { projects } = await t.admin.ok(ProjectsDocument);
      expect(projects.map((project) => project.name)).toEqual(['default', 'listed']);
      expect(projects[1]!.id).toBe(projectId);
      expect((await client.fails(ProjectsDocument)).extensions?.code).toBe('FORBIDDEN');
      expect((await client.fails(ApiKeysDocument, { projectId })).extensions?.code).toBe('FORBIDDEN');
      await eventually(async () => {
        const { apiKeys } = await t.admin.ok(ApiKeysDocument, { projectId });
        return apiKeys.length === 1 && apiKeys[0]!.lastUsedAt !== null;
      });
    } finally {
      await t.destroy();
    }
  });
});
