import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BlobInput,
  CreateUserDocument,
  InsertBlobDocument,
  QueryUserDocument,
  type QueryUserQuery,
  type QueryUserQueryVariables,
} from '../generated/graphql.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

type Match = NonNullable<QueryUserQuery['user']>['query'][number];

const DOC = [
  'Quarterly planning notes.',
  'The marketing budget for the spring campaign is forty thousand euros, approved by Dana.',
  'Our office moves to the new building on Harbour Street in March.',
  'Remember to renew the software licences before they expire in June.',
].join('\n\n');

describe('User.query: blobs with hits (real embedder, real Chroma)', () => {
  let t: TestApp;
  let ids: { chat: string; doc: string; transcript: string; old: string };

  beforeAll(async () => {
    t = await startTestApp(); // the offline USE-lite embedder, as a user gets by default
    await t.admin.ok(CreateUserDocument, { input: { id: 'alex' } });
    const insert = async (input: BlobInput) =>
      (await t.admin.ok(InsertBlobDocument, { userId: 'alex', input })).insertBlob.blob.id;
    ids = {
      chat: await insert({
        chat: {
          messages: [
            { role: 'user', content: 'Morning! Busy week ahead for me.' },
            { role: 'assistant', content: 'Good morning, what is on your plate?' },
            { role: 'user', content: 'I am severely allergic to peanuts, so I always check food labels.' },
            { role: 'user', content: 'Also my sister just started a job in Toronto.' },
          ],
        },
        createdAt: '2026-03-01T09:00:00.000Z',
      }),
      doc: await insert({ doc: { title: 'Planning', content: DOC }, createdAt: '2026-03-02T09:00:00.000Z' }),
      transcript: await insert({
        transcript: {
          segments: [
            { start: 0, end: 4.5, text: 'Welcome to the weekly sync.', speaker: 'Sam' },
            {
              start: 4.5,
              end: 11,
              text: 'The release of version two slipped because the payment tests failed.',
              speaker: 'Kim',
            },
          ],
        },
        createdAt: '2026-03-03T09:00:00.000Z',
      }),
      old: await insert({
        summary: { summary: 'Years ago Alex played the violin in an orchestra.' },
        createdAt: '2019-05-01T00:00:00.000Z',
      }),
    };
    await t.app.indexer.drain();
  });
  afterAll(async () => t?.destroy());

  const query = async (variables: Omit<QueryUserQueryVariables, 'userId'>) =>
    (await t.admin.ok(QueryUserDocument, { userId: 'alex', ...variables })).user!.query;

  it('returns the chat and the exact message that answers the question', async () => {
    const matches: Match[] = await query({ text: 'What food is the user allergic to?' });
    expect(matches[0]?.blob.id).toBe(ids.chat);
    const top = matches[0]!.hits[0]!;
    expect(top).toMatchObject({
      __typename: 'MessageHit',
      index: 2,
      role: 'user',
      content: 'I am severely allergic to peanuts, so I always check food labels.',
    });
  });

  it('returns character spans of a document such that content.slice(start, end) == text', async () => {
    const matches: Match[] = await query({ text: 'How much money is the spring marketing budget?' });
    const doc = matches.find((m) => m.blob.id === ids.doc);
    expect(doc).toBeDefined();
    const hit = doc!.hits[0]!;
    expect(hit.__typename).toBe('TextSpanHit');
    if (hit.__typename !== 'TextSpanHit' || doc!.blob.__typename !== 'DocBlob') throw new Error('unexpected types');
    expect(doc!.blob.content.slice(hit.start, hit.end)).toBe(hit.text);
    expect(hit.text).toContain('forty thousand euros');
  });

  it('returns time spans of a transcript', async () => {
    const matches: Match[] = await query({ text: 'why was the release delayed?', types: ['TRANSCRIPT'] });
    expect(matches).toHaveLength(1);
    expect(matches[0]!.hits[0]).toMatchObject({ __typename: 'TimeSpanHit', startSeconds: 4.5, endSeconds: 11 });
  });

  it('answers a HYBRID question with signals in one search statement and one read', async () => {
    // A question naming a speaker and asking when: the signals reorder the candidates, and the read that
    // brings the candidate chunks brings the blobs they put first (a wrong guess would cost a third read).
    const requestId = `query-statements-${randomUUID()}`;
    const { user } = await t.admin
      .withHeaders({ 'x-request-id': requestId })
      .ok(QueryUserDocument, { userId: 'alex', text: 'When did Kim say the release slipped?' });
    expect(user!.query[0]?.blob.id).toBe(ids.transcript);
    // Beyond what resolving the key and the user costs (nothing where they are cached, on the embedded
    // default; a lookup each on PostgreSQL), the lexical search and the ranked read; it was 3 with a read for the signals.
    const baselineId = `query-statements-baseline-${randomUUID()}`;
    await t.admin.withHeaders({ 'x-request-id': baselineId }).raw('{ user(id: "alex") { id } }');
    const statements = t.app.stats.requestSqlQueries(requestId)!;
    const resolving = t.app.stats.requestSqlQueries(baselineId) ?? 0;
    expect(statements - resolving).toBeGreaterThan(0);
    expect(statements - resolving).toBeLessThanOrEqual(2);
  });

  it('orders results and hits by score', async () => {
    const matches: Match[] = await query({ text: 'peanut allergy and food labels' });
    for (let i = 1; i < matches.length; i++) expect(matches[i - 1]!.score).toBeGreaterThanOrEqual(matches[i]!.score);
    for (const match of matches) {
      for (let i = 1; i < match.hits.length; i++)
        expect(match.hits[i - 1]!.score).toBeGreaterThanOrEqual(match.hits[i]!.score);
    }
  });

  it('filters by type, by time and limits to topK', async () => {
    expect((await query({ text: 'budget', types: ['DOC'] })).map((m) => m.blob.type)).toEqual(['DOC']);
    const recent = await query({ text: 'violin orchestra', since: '2026-01-01T00:00:00.000Z' });
    expect(recent.map((m) => m.blob.id)).not.toContain(ids.old);
    const old = await query({ text: 'violin orchestra', until: '2020-01-01T00:00:00.000Z' });
    expect(old.map((m) => m.blob.id)).toEqual([ids.old]);
    expect(await query({ text: 'anything at all about work', topK: 1 })).toHaveLength(1);
  });

  it('finds an exact rare token lexically and a paraphrase semantically', async () => {
    expect((await query({ text: 'Harbour Street', mode: 'LEXICAL' }))[0]?.blob.id).toBe(ids.doc);
    // No word in common with "severely allergic to peanuts": only embeddings connect them.
    const semantic = await query({ text: 'nut intolerance', mode: 'SEMANTIC' });
    expect(semantic[0]?.blob.id).toBe(ids.chat);
    expect(await query({ text: 'nut intolerance', mode: 'LEXICAL' })).toEqual([]);
  });

  it.each([
    ['an empty text', { text: '  ' }, 'text'],
    ['topK 0', { text: 'x', topK: 0 }, 'topK'],
    ['topK over 100', { text: 'x', topK: 101 }, 'topK'],
    [
      'until before since',
      { text: 'x', since: '2026-02-01T00:00:00.000Z', until: '2026-01-01T00:00:00.000Z' },
      'until',
    ],
    ['a text over 4,000 characters', { text: 'q'.repeat(4001) }, 'text'],
  ])('refuses %s', async (_label, variables, field) => {
    const error = await t.admin.fails(QueryUserDocument, { userId: 'alex', ...variables });
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
  });

  it('refuses rerank: true when no reranker is configured, and ranks as usual with rerank unset or false', async () => {
    const source = `query ($rerank: Boolean) { user(id: "alex") { query(text: "peanut", rerank: $rerank) { score } } }`;
    const refused = await t.admin.raw(source, { rerank: true });
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'rerank' });
    expect(refused.errors?.[0]?.message).toMatch(/MEMQL_RERANK_BASE_URL/);
    const plain = await t.admin.raw(source, { rerank: false });
    expect(plain.errors).toBeUndefined();
    expect(plain.extensions?.notices).toBeUndefined();
  });
});
