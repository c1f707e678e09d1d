import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChromaServer, type ChromaServer } from '../../src/infra/chroma/chroma-server.js';
import { startPausableProxy, type PausableProxy } from '../helpers/pausable-proxy.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

describe('GET /health', () => {
  let dir: string;
  let chroma: ChromaServer;
  let proxy: PausableProxy;
  let t: TestApp;
  const health = async () => {
    const response = await fetch(t.url.replace(/\/graphql$/, '/health'));
    return { status: response.status, body: (await response.json()) as Record<string, string> };
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'memql-health-'));
    chroma = await startChromaServer({ dataDir: dir });
    proxy = await startPausableProxy(new URL(chroma.url));
    t = await startTestApp({
      env: {
        MEMQL_EMBEDDINGS_PROVIDER: 'hashing',
        CHROMA_URL: proxy.url,
        MEMQL_VECTOR_QUERY_TIMEOUT_SECONDS: '1',
        MEMQL_BUFFER_IDLE_SECONDS: '3600',
      },
    });
    await t.admin.raw('mutation { createUser(input: { id: "h" }) { id } }');
    await t.admin.raw(
      'mutation { insertBlob(userId: "h", input: { doc: { content: "Tea in the garden" } }) { blob { id } } }',
    );
    await t.app.indexer.drain();
  });
  afterAll(async () => {
    await t?.destroy();
    await proxy?.close();
    await chroma?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers 200 with JSON when the database and the vector store answer, without a key', async () => {
    expect(await health()).toEqual({ status: 200, body: { status: 'ok', database: 'up', vectorStore: 'up' } });
  });

  it('says "degraded" (still 200: searches answer lexically) when the vector store hangs, "ok" when it is back', async () => {
    proxy.pause();
    expect(await health()).toEqual({
      status: 200,
      body: { status: 'degraded', database: 'up', vectorStore: 'down' },
    });
    proxy.resume();
    expect(await health()).toEqual({ status: 200, body: { status: 'ok', database: 'up', vectorStore: 'up' } });
  });

  it('answers a search while the vector store hangs: lexically, after the query timeout, and says so', async () => {
    const search = async () => {
      const response = await fetch(t.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${t.adminKey}` },
        body: JSON.stringify({ query: '{ user(id: "h") { query(text: "garden tea", mode: SEMANTIC) { score } } }' }),
      });
      return (await response.json()) as {
        data: { user: { query: { score: number }[] } };
        errors?: unknown[];
        extensions?: { notices?: { code: string; servedMode: string; message: string }[] };
      };
    };
    expect((await search()).extensions).toBeUndefined();
    proxy.pause();
    try {
      const started = Date.now();
      const answer = await search();
      expect(answer.errors).toBeUndefined();
      expect(answer.data.user.query).toHaveLength(1);
      expect(answer.extensions?.notices).toEqual([
        expect.objectContaining({ code: 'VECTOR_INDEX_UNAVAILABLE', servedMode: 'LEXICAL' }),
      ]);
      expect(answer.extensions?.notices?.[0]?.message).toContain('did not answer within 1000 ms');
      // Not the request deadline (60 s): the query timeout.
      expect(Date.now() - started).toBeLessThan(30_000);
    } finally {
      proxy.resume();
    }
  });

  it('answers 404 elsewhere', async () => {
    expect((await fetch(t.url.replace(/\/graphql$/, '/nope'))).status).toBe(404);
  });
});
