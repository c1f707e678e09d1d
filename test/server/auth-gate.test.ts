// The key is checked, and counted against its rate limit, before the body
// is read: a request without a valid key is answered while its body is
// still being sent, and a body over the limit is refused from its declared
// length. Rate limits answer RATE_LIMITED with retryAfter and X-RateLimit-*
// headers, per key, and count operations on a WebSocket too.

import http from 'node:http';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CurrentProjectDocument } from '../generated/graphql.js';
import type { GraphQLErrorShape } from '../helpers/graphql-client.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

interface PartialAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** Bytes of the body the client had written when the answer came. */
  sentBytes: number;
}

/**
 * Declares a `declaredBytes` body, sends its first 64 KiB and then waits
 * for the answer without sending the rest: a server that reads the body
 * before answering never answers (the test times out).
 */
function sendPartially(url: string, declaredBytes: number, authorization?: string): Promise<PartialAnswer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = {
      'content-type': 'application/json',
      'content-length': declaredBytes,
    };
    if (authorization) headers.authorization = authorization;
    const request = http.request(url, { method: 'POST', headers });
    let sentBytes = 0;
    request.on('response', (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () => {
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body, sentBytes });
        request.destroy();
      });
    });
    request.on('error', (error) => {
      // The server may close the socket right after answering.
      if ((error as NodeJS.ErrnoException).code !== 'ECONNRESET' && (error as NodeJS.ErrnoException).code !== 'EPIPE')
        reject(error);
    });
    const chunk = `{"query":"${'x'.repeat(64 * 1024)}`;
    request.write(chunk);
    sentBytes += chunk.length;
  });
}

describe('authentication before the body', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { MEMQL_EMBEDDINGS_PROVIDER: 'hashing', MEMQL_MAX_BODY_BYTES: '1048576' } });
  });
  afterAll(async () => t?.destroy());

  it('answers 401 to a request without a key while its 10 MB body is still being sent, and closes the connection', async () => {
    const answer = await sendPartially(t.url, 10 * 1024 * 1024);
    expect(answer.status).toBe(401);
    expect(answer.sentBytes).toBeLessThan(100 * 1024);
    expect(answer.headers.connection).toBe('close');
    expect(JSON.parse(answer.body)).toEqual({
      errors: [{ message: expect.stringContaining('Authorization'), extensions: { code: 'UNAUTHENTICATED' } }],
    });
  });

  it('answers 401 to an unknown key the same way', async () => {
    const answer = await sendPartially(t.url, 10 * 1024 * 1024, 'Bearer mq_not-a-real-key');
    expect(answer.status).toBe(401);
    expect(answer.sentBytes).toBeLessThan(100 * 1024);
  });

  it('refuses a body declared over MEMQL_MAX_BODY_BYTES with 413 before reading it', async () => {
    const answer = await sendPartially(t.url, 2 * 1024 * 1024, `Bearer ${t.adminKey}`);
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body).errors[0].extensions).toEqual({
      code: 'BAD_USER_INPUT',
      limit: 'bodyBytes',
      max: 1048576,
    });
  });

  it('refuses a chunked body once it passes the limit', async () => {
    const response = await fetch(t.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${t.adminKey}` },
      body: new Blob([`{"query":"${'x'.repeat(2 * 1024 * 1024)}"}`]).stream(),
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(413);
  });

  it('keeps a connection usable after refusing a small unauthenticated request', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const post = (authorization?: string) =>
      new Promise<number>((resolve, reject) => {
        const body = JSON.stringify({ query: '{ project { name } }' });
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (authorization) headers.authorization = authorization;
        const request = http.request(t.url, { method: 'POST', headers, agent }, (response) => {
          response.resume();
          response.on('end', () => resolve(response.statusCode ?? 0));
        });
        request.on('error', reject);
        request.end(body);
      });
    try {
      expect(await post()).toBe(401);
      expect(await post(`Bearer ${t.adminKey}`)).toBe(200);
    } finally {
      agent.destroy();
    }
  });

  it('still serves /health and keyed requests while unauthenticated 10 MB requests hang', async () => {
    const hanging = await Promise.all(Array.from({ length: 20 }, () => sendPartially(t.url, 10 * 1024 * 1024)));
    expect(hanging.every((answer) => answer.status === 401)).toBe(true);
    expect((await fetch(t.url.replace('/graphql', '/health'))).status).toBe(200);
    expect((await t.admin.ok(CurrentProjectDocument)).project.name).toBe('default');
  });
});

describe('rate limits per key', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      env: {
        MEMQL_EMBEDDINGS_PROVIDER: 'hashing',
        // 3 requests, then one every 1,000 s: nothing in this test depends on the clock.
        MEMQL_RATE_LIMIT_BURST: '3',
        MEMQL_RATE_LIMIT_PER_SECOND: '0.001',
      },
    });
  });
  afterAll(async () => t?.destroy());

  /** A key of a new project, made without HTTP requests (the admin key has a burst of 3 too). */
  const projectClient = async (name: string) => {
    const auth = t.app.services.auth;
    const admin = await auth.authenticate(`Bearer ${t.adminKey}`);
    const project = await auth.createProject(admin, name);
    const { secret } = await auth.createApiKey(admin, project.id, 'test');
    return { client: t.admin.withKey(secret) };
  };

  it('counts requests in X-RateLimit-* headers and refuses the one over the burst with RATE_LIMITED and retryAfter', async () => {
    const { client } = await projectClient('busy');
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await client.request(CurrentProjectDocument));
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 429]);
    expect(answers.map((answer) => answer.headers.get('x-ratelimit-limit'))).toEqual(['3', '3', '3', '3']);
    expect(answers.map((answer) => answer.headers.get('x-ratelimit-remaining'))).toEqual(['2', '1', '0', '0']);
    expect(Number(answers[0]!.headers.get('x-ratelimit-reset'))).toBeGreaterThan(0);
    const refused = answers[3]!;
    expect(refused.data).toBeNull();
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', limit: 'requests' });
    const retryAfter = Number(refused.errors?.[0]?.extensions?.retryAfter);
    expect(retryAfter).toBeGreaterThan(0);
    expect(refused.headers.get('retry-after')).toBe(String(retryAfter));
  });

  it("gives each key its own bucket (the admin's is untouched by a project key's)", async () => {
    const { client } = await projectClient('quiet');
    expect((await client.request(CurrentProjectDocument)).status).toBe(200);
    expect((await t.admin.request(CurrentProjectDocument)).status).toBe(200);
  });

  it('counts operations sent on a WebSocket against the same bucket', async () => {
    const { client: http } = await projectClient('socket');
    expect((await http.request(CurrentProjectDocument)).status).toBe(200); // 2 left
    const ws = createClient({
      url: t.wsUrl,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${http.apiKey}` },
      retryAttempts: 0,
    });
    try {
      const run = () =>
        new Promise<{ data?: unknown } | readonly GraphQLErrorShape[]>((resolve) => {
          ws.subscribe(
            { query: '{ project { name } }' },
            {
              next: (value) => resolve(value as { data?: unknown }),
              error: (e) => resolve(e as GraphQLErrorShape[]),
              complete: () => {},
            },
          );
        });
      expect(await run()).toEqual({ data: { project: { name: 'socket' } } });
      expect(await run()).toEqual({ data: { project: { name: 'socket' } } });
      const refused = (await run()) as GraphQLErrorShape[];
      expect(refused[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', limit: 'requests' });
      expect(Number(refused[0]?.extensions?.retryAfter)).toBeGreaterThan(0);
    } finally {
      await ws.dispose();
    }
  });
});
