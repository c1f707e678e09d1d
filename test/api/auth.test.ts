import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateApiKeyDocument,
  CreateProjectDocument,
  CurrentProjectDocument,
  RevokeApiKeyDocument,
} from '../generated/graphql.js';
import { createProjectClient, startTestApp, type TestApp } from '../helpers/test-app.js';

describe('authentication and authorisation', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { MEMQL_EMBEDDINGS_PROVIDER: 'hashing' } });
  });
  afterAll(async () => t?.destroy());

  it('refuses a request without a key: 401 UNAUTHENTICATED', async () => {
    const error = await t.admin.withKey(null).fails(CurrentProjectDocument);
    expect(error).toMatchObject({ status: 401, extensions: { code: 'UNAUTHENTICATED' } });
  });

  it('refuses an unknown key', async () => {
    const error = await t.admin.withKey('mq_not-a-real-key').fails(CurrentProjectDocument);
    expect(error).toMatchObject({ status: 401, extensions: { code: 'UNAUTHENTICATED' } });
  });

  it('acts on the default project with the admin key', async () => {
    expect((await t.admin.ok(CurrentProjectDocument)).project.name).toBe('default');
  });

  it('lets an admin create projects and keys; a project key sees its own project', async () => {
    const { client, projectId } = await createProjectClient(t, 'acme');
    const { project } = await client.ok(CurrentProjectDocument);
    expect(project).toEqual({ id: projectId, name: 'acme' });
  });

  it('refuses a duplicate project name and a blank one', async () => {
    await t.admin.ok(CreateProjectDocument, { name: 'twice' });
    expect((await t.admin.fails(CreateProjectDocument, { name: 'twice' })).extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'name',
    });
    expect((await t.admin.fails(CreateProjectDocument, { name: '   ' })).extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'name',
    });
  });

  it('answers NOT_FOUND for a key on a missing project', async () => {
    const error = await t.admin.fails(CreateApiKeyDocument, { projectId: '00000000-0000-4000-8000-000000000000' });
    expect(error.extensions?.code).toBe('NOT_FOUND');
  });

  it('forbids admin operations to a project key', async () => {
    const { client, projectId, keyId } = await createProjectClient(t, 'limited');
    expect((await client.fails(CreateProjectDocument, { name: 'nope' })).extensions?.code).toBe('FORBIDDEN');
    expect((await client.fails(CreateApiKeyDocument, { projectId })).extensions?.code).toBe('FORBIDDEN');
    expect((await client.fails(RevokeApiKeyDocument, { id: keyId })).extensions?.code).toBe('FORBIDDEN');
  });

  it('stops accepting a key once revoked', async () => {
    const { client, keyId } = await createProjectClient(t, 'revoked');
    await client.ok(CurrentProjectDocument);
    expect((await t.admin.ok(RevokeApiKeyDocument, { id: keyId })).revokeApiKey).toBe(true);
    expect((await client.fails(CurrentProjectDocument)).extensions?.code).toBe('UNAUTHENTICATED');
  });

  /** Runs `{ project { name } }` over graphql-ws; rejects with the close event when the server refuses. */
  const overWebSocket = (connectionParams: Record<string, unknown>, headers?: Record<string, string>) =>
    new Promise<unknown>((resolve, reject) => {
      const client = createClient({
        url: t.wsUrl,
        webSocketImpl: headers
          ? class extends WebSocket {
              constructor(url: string, protocols: string | string[]) {
                super(url, protocols, { headers });
              }
            }
          : WebSocket,
        connectionParams,
        retryAttempts: 0,
        lazy: true,
      });
      client.subscribe(
        { query: '{ project { name } }' },
        {
          next: (value) => resolve(value),
          error: (error) => reject(error),
          complete: () => void client.dispose(),
        },
      );
    });
  const projectName = { data: { project: { name: 'default' } } };

  it('authenticates WebSocket connections from connectionParams.authorization or .Authorization', async () => {
    await expect(overWebSocket({ authorization: `Bearer ${t.adminKey}` })).resolves.toEqual(projectName);
    await expect(overWebSocket({ Authorization: `Bearer ${t.adminKey}` })).resolves.toEqual(projectName);
  });

  it('authenticates WebSocket connections from an Authorization header on the upgrade request', async () => {
    await expect(overWebSocket({}, { Authorization: `Bearer ${t.adminKey}` })).resolves.toEqual(projectName);
  });

  it('closes a WebSocket without a key with 4401 and a reason that says the key is missing', async () => {
    await expect(overWebSocket({})).rejects.toMatchObject({
      code: 4401,
      reason: expect.stringMatching(/^Unauthorized: no API key; send connectionParams/),
    });
  });

  it('closes a WebSocket with a wrong, malformed or mistyped key with a code and a reason that says which', async () => {
    await expect(overWebSocket({ authorization: 'Bearer mq_wrong' })).rejects.toMatchObject({
      code: 4403,
      reason: 'Forbidden: Unknown or revoked API key',
    });
    await expect(overWebSocket({ authorization: t.adminKey })).rejects.toMatchObject({
      code: 4403,
      reason: 'Forbidden: Authorization must be "Bearer <api key>"',
    });
    await expect(overWebSocket({ authorization: 42 })).rejects.toMatchObject({
      code: 4401,
      reason: 'Unauthorized: connectionParams.authorization must be a string "Bearer <api key>"',
    });
    await expect(overWebSocket({}, { Authorization: 'Bearer mq_wrong' })).rejects.toMatchObject({ code: 4403 });
  });
});
