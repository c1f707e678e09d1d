// The three modes of User.query through the API, with the real offline
// embedder and real Chroma: what only lexical search finds, what only
// semantic search finds, hybrid finding both, and lexical context.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BlobInput,
  CreateUserDocument,
  InsertBlobDocument,
  type QueryMode,
  QueryUserDocument,
} from '../generated/graphql.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

describe('User.query modes', () => {
  let t: TestApp;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    t = await startTestApp();
    await t.admin.ok(CreateUserDocument, { input: { id: 'robin' } });
    const insert = async (key: string, input: BlobInput) => {
      ids[key] = (await t.admin.ok(InsertBlobDocument, { userId: 'robin', input })).insertBlob.blob.id;
    };
    await insert('invoice', {
      doc: { title: 'Accounts', content: 'Invoice QX-7731 from the plumber is still unpaid.' },
    });
    await insert('allergy', {
      chat: {
        messages: [{ role: 'user', content: 'I am severely allergic to peanuts, so I always check food labels.' }],
      },
    });
    await insert('weather', {
      chat: { messages: [{ role: 'user', content: 'It rained all weekend and the garden is flooded.' }] },
    });
    await insert('ramen', {
      chat: {
        messages: [
          { role: 'user', name: 'Ana', content: 'Did you try the new ramen bar on Elm Street?' },
          { role: 'user', name: 'Ben', content: 'Yes, last night! The broth was amazing.' },
          { role: 'user', name: 'Ana', content: 'My brother starts university in October.' },
        ],
      },
    });
    await t.app.indexer.drain();
  });
  afterAll(async () => t?.destroy());

  const query = async (text: string, mode?: QueryMode) =>
    (await t.admin.ok(QueryUserDocument, { userId: 'robin', text, mode, topK: 10 })).user!.query;
  const blobIds = async (text: string, mode?: QueryMode) => (await query(text, mode)).map((m) => m.blob.id);

  it('LEXICAL finds an exact rare token (an invoice number)', async () => {
    expect((await blobIds('QX-7731', 'LEXICAL'))[0]).toBe(ids.invoice);
    // Nothing else shares a word with the query.
    expect(await blobIds('QX-7731', 'LEXICAL')).toEqual([ids.invoice]);
  });

  it('SEMANTIC finds a paraphrase that shares no word with the text', async () => {
    expect((await blobIds('nut intolerance', 'SEMANTIC'))[0]).toBe(ids.allergy);
    expect(await blobIds('nut intolerance', 'LEXICAL')).toEqual([]);
  });

  it('HYBRID (the default) brings both back at the top', async () => {
    const text = 'QX-7731 nut intolerance';
    expect(await blobIds(text, 'LEXICAL')).toEqual([ids.invoice]);
    const hybrid = await blobIds(text);
    expect(new Set(hybrid.slice(0, 2))).toEqual(new Set([ids.invoice, ids.allergy]));
    expect(await blobIds(text, 'HYBRID')).toEqual(hybrid);
  });

  it('ranks a turn by its neighbours too, below the turn that matches itself, and points at exact messages', async () => {
    const [match] = await query('ramen bar', 'LEXICAL');
    expect(match?.blob.id).toBe(ids.ramen);
    const hits = match!.hits.map((h) =>
      h.__typename === 'MessageHit' ? { index: h.index, content: h.content } : null,
    );
    // The answer ("last night") is in the turn after the question that names the place.
    expect(hits[0]).toEqual({ index: 0, content: 'Did you try the new ramen bar on Elm Street?' });
    expect(hits).toContainEqual({ index: 1, content: 'Yes, last night! The broth was amazing.' });
    for (let i = 1; i < match!.hits.length; i++)
      expect(match!.hits[i - 1]!.score).toBeGreaterThanOrEqual(match!.hits[i]!.score);
  });
});
