// Operation limits: the documents that took the server down (issue 12) are
// refused with a coded error before any resolver runs, over HTTP and over
// WebSocket; a key's cost budget, the answer-size cap and the deadline stop
// work that the per-operation limits let through.

import { randomUUID } from 'node:crypto';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateUserDocument, InsertBlobDocument } from '../generated/graphql.js';
import { startScriptedLlmServer } from '../fakes/scripted-llm-server.js';
import type { GraphQLClient, GraphQLErrorShape } from '../helpers/graphql-client.js';
import { createProjectClient, startTestApp, type TestApp } from '../helpers/test-app.js';

/** `{ user(id: "u") { blobs(first: N) { edges { node { user { blobs(...) ... } } } } } }`, `levels` blobs deep. */
function blobsBomb(levels: number, first: number): string {
  let inner = 'id';
  for (let i = 0; i < levels; i++)
    inner = `blobs(first: ${first}) { edges { node { ${i === 0 ? inner : `user { ${inner} }`} } } }`;
  return `{ user(id: "u") { ${inner} } }`;
}

/** As wide as blobsBomb but shallow enough for the depth limit: only its cost can stop it. */
const WIDE =
  '{ users(first: 100) { edges { node { blobs(first: 100) { edges { node { user { blobs(first: 100) { edges { node { id } } } } } } } } } } }';

async function refusal(client: GraphQLClient, query: string): Promise<GraphQLErrorShape> {
  const result = await client.raw(query);
  expect(result.data).toBeNull();
  expect(result.errors).toHaveLength(1);
  return result.errors![0]!;
}

describe('operation limits', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ env: { MEMQL_EMBEDDINGS_PROVIDER: 'hashing', MEMQL_BUFFER_IDLE_SECONDS: '3600' } });
    await t.admin.ok(CreateUserDocument, { input: { id: 'u' } });
    for (let i = 0; i < 100; i++)
      await t.admin.ok(InsertBlobDocument, { userId: 'u', input: { summary: { summary: `note ${i}` } } });
  }, 300_000);
  afterAll(async () => t?.destroy());

  it('the document from the issue (four levels of blobs(first: 100)) is refused before any resolver runs', async () => {
    const requestId = `bomb-${randomUUID()}`;
    const bomb =
      '{user(id:"u"){blobs(first:100){edges{node{user{blobs(first:100){edges{node{user{blobs(first:100){edges{node{user{blobs(first:100){edges{node{id}}}}}}}}}}}}}}}}}';
    expect(bomb.replace(/\s+/g, '')).toBe(blobsBomb(4, 100).replace(/\s+/g, ''));
    const result = await t.admin.withHeaders({ 'x-request-id': requestId }).raw(bomb);
    expect(result.status).toBe(400);
    expect(result.data).toBeNull();
    expect(result.errors).toEqual([
      expect.objectContaining({
        message: expect.stringContaining('MEMQL_MAX_DEPTH'),
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED', limit: 'depth', max: 15, actual: 17 },
      }),
    ]);
    // At most the key lookup (cached on the embedded database): no resolver ran.
    expect(t.app.stats.requestSqlQueries(requestId)).toBeLessThanOrEqual(1);
    // One level less (the 54 s, 4 GB document) is 13 deep, within the depth limit: its cost stops it.
    expect((await refusal(t.admin, blobsBomb(3, 100))).extensions).toMatchObject({
      limit: 'cost',
      actual: 1 + 1 + 100 * (1 + 1 + 1 + 1 + 100 * (1 + 1 + 1 + 1 + 100 * 2)),
    });
  });

  it('as wide but shallow, it is refused by its cost (first multiplies what is below); two levels are served', async () => {
    const requestId = `wide-${randomUUID()}`;
    const result = await t.admin.withHeaders({ 'x-request-id': requestId }).raw(WIDE);
    expect(result.status).toBe(400);
    expect(result.errors).toEqual([
      expect.objectContaining({
        message: expect.stringContaining('MEMQL_MAX_COST'),
        // users 1 + 100 * (edges 1 + node 1 + blobs (1 + 100 * (edges 1 + node 1 + user 1 + blobs (1 + 100 * 2))))
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED', limit: 'cost', max: 50_000, actual: 2_040_301 },
      }),
    ]);
    expect(t.app.stats.requestSqlQueries(requestId)).toBeLessThanOrEqual(1);
    const two = await t.admin.raw<{ user: { blobs: { edges: unknown[] } } }>(blobsBomb(2, 100));
    expect(two.errors).toBeUndefined();
    expect(two.data?.user.blobs.edges).toHaveLength(100);
  });

  it('25 levels with first: 1 are refused by their depth, with fragments or without', async () => {
    const deep = await refusal(t.admin, blobsBomb(25, 1));
    expect(deep.message).toContain('MEMQL_MAX_DEPTH');
    const viaFragments = `{ user(id: "u") { ...L0 } } ${Array.from(
      { length: 25 },
      (_, i) =>
        `fragment L${i} on User { blobs(first: 1) { edges { node { user { ${i < 24 ? `...L${i + 1}` : 'id'} } } } } }`,
    ).join(' ')}`;
    const fragmentsError = await refusal(t.admin, viaFragments);
    expect(fragmentsError.extensions).toMatchObject({ limit: 'depth', max: 15 });
    expect(Number(fragmentsError.extensions?.actual)).toBeGreaterThan(100);
    expect(deep.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', limit: 'depth', max: 15, actual: 101 });
  });

  it('10,000 aliases of User.query (a 500 KB document) stop at the token limit while parsing', async () => {
    const aliases = Array.from({ length: 10_000 }, (_, i) => `q${i}: query(text: "coffee") { score }`).join(' ');
    const document = `{ user(id: "u") { ${aliases} } }`;
    expect(document.length).toBeGreaterThan(350_000);
    const error = await refusal(t.admin, document);
    expect(error.message).toContain('MEMQL_MAX_TOKENS');
    expect(error.extensions).toMatchObject({ code: 'GRAPHQL_PARSE_FAILED', limit: 'tokens', max: 20_000 });
  });

  it('refuses more aliases and directives than allowed, naming the limit', async () => {
    const aliases = Array.from({ length: 31 }, (_, i) => `a${i}: project { id }`).join(' ');
    expect((await refusal(t.admin, `{ ${aliases} }`)).extensions).toMatchObject({
      code: 'GRAPHQL_VALIDATION_FAILED',
      limit: 'aliases',
      max: 30,
      actual: 31,
    });
    const directives = Array.from({ length: 51 }, () => '... @include(if: true) { id }').join(' ');
    expect((await refusal(t.admin, `{ project { ${directives} } }`)).extensions).toMatchObject({
      code: 'GRAPHQL_VALIDATION_FAILED',
      limit: 'directives',
      max: 50,
    });
  });

  it('a search costs 1,000 on top of what it returns', async () => {
    const searches = Array.from(
      { length: 30 },
      (_, i) =>
        `s${i}: query(text: "note", topK: 100) { blob { user { blobs(first: 20) { edges { node { id } } } } } }`,
    ).join(' ');
    // user 1 + 30 * (search 1,000 + 100 * (blob 1 + user 1 + blobs (1 + 20 * 2)))
    expect((await refusal(t.admin, `{ user(id: "u") { ${searches} } }`)).extensions).toMatchObject({
      limit: 'cost',
      actual: 1 + 30 * (1_000 + 100 * 43),
    });
  });

  it('applies the same limits to operations sent over a WebSocket', async () => {
    const client = createClient({
      url: t.wsUrl,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${t.adminKey}` },
      retryAttempts: 0,
    });
    try {
      const run = (query: string) =>
        new Promise<unknown>((resolve) => {
          client.subscribe(
            { query },
            { next: (value) => resolve(value), error: (error) => resolve(error), complete: () => {} },
          );
        });
      const cost = (await run(WIDE)) as GraphQLErrorShape[];
      expect(cost[0]?.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', limit: 'cost' });
      const depth = (await run(blobsBomb(25, 1))) as GraphQLErrorShape[];
      expect(depth[0]?.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', limit: 'depth' });
      const aliases = Array.from({ length: 10_000 }, (_, i) => `q${i}: query(text: "x") { score }`).join(' ');
      const tokens = (await run(`{ user(id: "u") { ${aliases} } }`)) as GraphQLErrorShape[];
      expect(tokens[0]?.extensions).toMatchObject({ code: 'GRAPHQL_PARSE_FAILED', limit: 'tokens' });
      const fine = (await run('{ project { name } }')) as { data: unknown };
      expect(fine.data).toEqual({ project: { name: 'default' } });
    } finally {
      await client.dispose();
    }
  });
});

describe('per-key cost budgets, answer size, deadline', () => {
  let t: TestApp;
  let llm: Awaited<ReturnType<typeof startScriptedLlmServer>>;
  let release: () => void = () => {};

  beforeAll(async () => {
    llm = await startScriptedLlmServer();
    // The model answers only when the test lets it: the deadline passes first whatever the machine's speed.
    llm.setResponder(
      () =>
        new Promise((resolve) => {
          release = () => resolve({ json: { operations: [], summary: 'nothing', tags: [] } });
        }),
    );
    t = await startTestApp({
      env: {
        MEMQL_EMBEDDINGS_PROVIDER: 'hashing',
        MEMQL_MAX_COST: '2000',
        MEMQL_COST_BURST: '2000',
        MEMQL_COST_PER_SECOND: '0.001',
        MEMQL_MAX_RESPONSE_BYTES: '4096',
        // Long enough for the other tests' writes on a loaded machine; the deadline test waits on the model.
        MEMQL_REQUEST_DEADLINE_SECONDS: '3',
        MEMQL_LLM_BASE_URL: llm.url,
        MEMQL_LLM_MODEL: 'scripted',
        MEMQL_LLM_TIMEOUT_MS: '120000',
      },
    });
  }, 120_000);
  afterAll(async () => {
    release();
    await t?.destroy();
    await llm?.stop();
  });

  it("refuses a key that has spent its budget with RATE_LIMITED and retryAfter; another key's budget is its own", async () => {
    const { client } = await createProjectClient(t, 'spender');
    const { client: other } = await createProjectClient(t, 'saver');
    const costly = '{ users(first: 100) { edges { node { id createdAt } } } }'; // 1 + 100 * (1 + 1) = 201
    let refused: GraphQLErrorShape | undefined;
    let served = 0;
    for (let i = 0; i < 12 && !refused; i++) {
      const result = await client.raw(costly);
      if (result.errors) {
        refused = result.errors[0];
        expect(result.status).toBe(429);
        expect(result.headers.get('retry-after')).toBe(String(refused?.extensions?.retryAfter));
      } else served++;
    }
    expect(served).toBe(9); // 9 * 201 = 1,809 of 2,000 points
    expect(refused?.extensions).toMatchObject({ code: 'RATE_LIMITED', limit: 'cost' });
    expect(Number(refused?.extensions?.retryAfter)).toBeGreaterThan(0);
    expect((await other.raw(costly)).errors).toBeUndefined();
  });

  it('stops an answer over MEMQL_MAX_RESPONSE_BYTES with RESPONSE_TOO_LARGE', async () => {
    await t.admin.ok(CreateUserDocument, { input: { id: 'big' } });
    const stored = await t.admin.raw(
      'mutation($c: String!) { insertBlob(userId: "big", input: { doc: { content: $c } }) { blob { id } } }',
      {
        c: 'x'.repeat(5_000),
      },
    );
    expect(stored.errors).toBeUndefined();
    const result = await t.admin.raw('{ user(id: "big") { blobs { edges { node { ... on DocBlob { content } } } } } }');
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'RESPONSE_TOO_LARGE', max: 4096 });
    expect(JSON.stringify(result).length).toBeLessThan(4096);
    const small = await t.admin.raw('{ user(id: "big") { id } }');
    expect(small.data).toEqual({ user: { id: 'big' } });
  });

  it('answers TIMEOUT at the deadline while the operation waits, and keeps what was written', async () => {
    await t.admin.ok(CreateUserDocument, { input: { id: 'slow' } });
    const started = Date.now();
    const result = await t.admin.raw(
      'mutation { insertBlob(userId: "slow", waitProcess: true, input: { chat: { messages: [{ role: "user", content: "I live in Porto." }] } }) { blob { id } event { id } } }',
    );
    expect(result, JSON.stringify(llm.requests.length)).toMatchObject({ status: 503, data: null });
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'TIMEOUT', limit: 'deadline', max: 3 });
    expect(Date.now() - started).toBeLessThan(60_000);
    release();
    const stored = await t.admin.raw<{ user: { blobs: { totalCount: number } } }>(
      '{ user(id: "slow") { blobs { totalCount } } }',
    );
    expect(stored.data?.user.blobs.totalCount).toBe(1);
  });
});
