// The optional reranker (MEMQL_RERANK_*), against a scripted /rerank server
// on loopback: User.query and both searchMemories send their best candidates
// and return them in the reranker's order with its scores; `rerank: false`
// sends nothing; a reranker that times out or fails leaves the first ranking
// and the response's extensions.notices says so; the TEI answer format works.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startScriptedRerankServer, type ScriptedRerankServer } from '../fakes/scripted-rerank-server.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

const QUERY = /* GraphQL */ `
  query ($userId: ID!, $text: String!, $rerank: Boolean) {
    user(id: $userId) {
      query(text: $text, topK: 5, mode: LEXICAL, rerank: $rerank) {
        score
        hits { ... on MessageHit { content score } }
      }
    }
  }
`;
const USER_MEMORIES = /* GraphQL */ `
  query ($userId: ID!, $text: String!, $rerank: Boolean) {
    user(id: $userId) { searchMemories(text: $text, mode: LEXICAL, rerank: $rerank) { score memory { text } } }
  }
`;
const PROJECT_MEMORIES = /* GraphQL */ `
  query ($text: String!, $rerank: Boolean) {
    searchMemories(text: $text, mode: LEXICAL, rerank: $rerank) { score memory { text } }
  }
`;

interface QueryData {
  user: { query: { score: number; hits: { content: string; score: number }[] }[] };
}
interface MemoryData {
  user: { searchMemories: { score: number; memory: { text: string } }[] };
}

/** The reranker under test prefers documents about boats, whatever the query. */
const boats = (_query: string, document: string) => (/boat|sail/i.test(document) ? 0.9 : 0.1);

describe('reranker (scripted /rerank server)', () => {
  let t: TestApp;
  let reranker: ScriptedRerankServer;

  const contents = (data: QueryData) => data.user.query.flatMap((m) => m.hits.map((h) => h.content));

  beforeAll(async () => {
    reranker = await startScriptedRerankServer({ score: boats });
    t = await startTestApp({
      env: {
        MEMQL_RERANK_BASE_URL: reranker.url,
        MEMQL_RERANK_API_KEY: 'rerank-secret',
        MEMQL_RERANK_MODEL: 'scripted-reranker',
        MEMQL_RERANK_TIMEOUT_MS: '300',
      },
    });
    await t.admin.raw(`mutation { createUser(input: { id: "sam" }) { id } }`);
    for (const content of [
      'My weekend plans: weekend hiking, weekend cooking, weekend reading.',
      'I bought a small sailing boat this weekend.',
      'Work was busy this week.',
    ]) {
      await t.admin.raw(
        `mutation ($c: String!) { insertBlob(userId: "sam", input: { chat: { messages: [{ role: "user", content: $c }] } }) { blob { id } } }`,
        { c: content },
      );
    }
    for (const text of ['Spends every weekend outdoors', 'Owns a sailing boat, bought on a weekend']) {
      await t.admin.raw(`mutation ($t: String!) { createMemory(userId: "sam", input: { text: $t }) { id } }`, {
        t: text,
      });
    }
    await t.app.indexer.drain();
  }, 120_000);
  afterAll(async () => {
    await t?.destroy();
    await reranker?.stop();
  });
  beforeEach(() => {
    reranker.requests.length = 0;
    reranker.set({ score: boats, format: 'cohere', delayMs: 0, status: 200 });
  });

  it("reorders User.query's candidates by the reranker's scores, and says so in extensions", async () => {
    const first = await t.admin.raw<QueryData>(QUERY, { userId: 'sam', text: 'weekend', rerank: false });
    expect(contents(first.data!)[0]).toMatch(/weekend hiking/);
    expect(reranker.requests).toHaveLength(0);
    expect(first.extensions?.notices).toBeUndefined();

    const reranked = await t.admin.raw<QueryData>(QUERY, { userId: 'sam', text: 'weekend' });
    expect(reranked.errors).toBeUndefined();
    expect(contents(reranked.data!)[0]).toMatch(/sailing boat/);
    expect(reranked.data!.user.query[0]!.score).toBeCloseTo(0.9);
    expect(reranked.extensions?.notices).toEqual([
      {
        path: ['user', 'query'],
        code: 'RERANKED',
        message: 'the best 2 candidates reranked',
        model: 'scripted-reranker',
        candidates: 2,
      },
    ]);
    const [request] = reranker.requests;
    expect(request!.headers.authorization).toBe('Bearer rerank-secret');
    expect(request!.body.model).toBe('scripted-reranker');
    expect(request!.body.query).toBe('weekend');
    expect(new Set(request!.body.documents)).toEqual(
      new Set([
        'user: My weekend plans: weekend hiking, weekend cooking, weekend reading.',
        'user: I bought a small sailing boat this weekend.',
      ]),
    );
  });

  it('reads the text-embeddings-inference answer format too', async () => {
    reranker.set({ format: 'tei' });
    const reranked = await t.admin.raw<QueryData>(QUERY, { userId: 'sam', text: 'weekend', rerank: true });
    expect(contents(reranked.data!)[0]).toMatch(/sailing boat/);
    expect(reranked.extensions?.notices).toEqual([expect.objectContaining({ code: 'RERANKED' })]);
  });

  it('keeps the first ranking when the reranker times out or fails, and says why', async () => {
    reranker.set({ delayMs: 2_000 });
    const slow = await t.admin.raw<QueryData>(QUERY, { userId: 'sam', text: 'weekend' });
    expect(slow.errors).toBeUndefined();
    expect(contents(slow.data!)[0]).toMatch(/weekend hiking/);
    expect(slow.extensions?.notices).toEqual([
      expect.objectContaining({
        path: ['user', 'query'],
        code: 'RERANK_TIMEOUT',
        message: expect.stringMatching(/first ranking kept: .*timed out/),
      }),
    ]);

    reranker.set({ delayMs: 0, status: 503 });
    const failed = await t.admin.raw<QueryData>(QUERY, { userId: 'sam', text: 'weekend' });
    expect(contents(failed.data!)[0]).toMatch(/weekend hiking/);
    expect(failed.extensions?.notices).toEqual([
      expect.objectContaining({ code: 'RERANK_FAILED', message: expect.stringMatching(/503/) }),
    ]);
    expect(JSON.stringify(failed.extensions)).not.toContain('rerank-secret');
  });

  it('reranks User.searchMemories and the project-wide searchMemories', async () => {
    const plain = await t.admin.raw<MemoryData>(USER_MEMORIES, { userId: 'sam', text: 'weekend', rerank: false });
    expect(plain.data!.user.searchMemories[0]!.memory.text).toBe('Spends every weekend outdoors');

    const user = await t.admin.raw<MemoryData>(USER_MEMORIES, { userId: 'sam', text: 'weekend' });
    expect(user.data!.user.searchMemories.map((m) => m.memory.text)).toEqual([
      'Owns a sailing boat, bought on a weekend',
      'Spends every weekend outdoors',
    ]);
    expect(user.extensions?.notices).toEqual([
      expect.objectContaining({ path: ['user', 'searchMemories'], code: 'RERANKED', candidates: 2 }),
    ]);

    const project = await t.admin.raw<{ searchMemories: { memory: { text: string } }[] }>(PROJECT_MEMORIES, {
      text: 'weekend',
    });
    expect(project.data!.searchMemories[0]!.memory.text).toBe('Owns a sailing boat, bought on a weekend');
    expect(reranker.requests.map((r) => r.body.documents)).toContainEqual(
      expect.arrayContaining(['Spends every weekend outdoors', 'Owns a sailing boat, bought on a weekend']),
    );
  });
});
