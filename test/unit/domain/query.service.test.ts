// QueryService on in-memory fakes: validation, the three modes, grouping
// chunks into blobs with hits, filters, and the database deciding what a
// user owns.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BadInputError, VectorIndexUnavailableError } from '../../../src/domain/errors.js';
import { type BlobMatch, DEFAULT_HYBRID, QueryService } from '../../../src/domain/search/query.service.js';
import type { UserRecord } from '../../../src/domain/types.js';
import { createTestDomain, type TestDomain } from '../../fakes/test-domain.js';

let domain: TestDomain;
let user: UserRecord;

beforeEach(async () => {
  domain = await createTestDomain();
  user = await domain.newUser('ann');
});
afterEach(async () => {
  await domain.stop();
});

const day = (n: number) => new Date(Date.UTC(2025, 0, n));

async function insert(input: Parameters<TestDomain['services']['blobs']['insert']>[1], owner = user) {
  return domain.services.blobs.insert(owner, input);
}

async function badInput(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => new Error('expected BAD_USER_INPUT'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BadInputError);
  return (error as BadInputError).field;
}

const blobIds = (matches: BlobMatch[]) => matches.map((match) => match.blob.id);

describe('QueryService validation', () => {
  it('names the field of bad input and runs no search', async () => {
    const query = (command: Parameters<QueryService['query']>[1]) => domain.services.query.query(user, command);
    expect(await badInput(query({ text: '   ' }))).toBe('text');
    expect(await badInput(query({ text: 'x'.repeat(4_001) }))).toBe('text');
    for (const topK of [0, 101, 1.5, -3]) expect(await badInput(query({ text: 'hello', topK }))).toBe('topK');
    expect(await badInput(query({ text: 'hello', since: new Date('nope') }))).toBe('since');
    expect(await badInput(query({ text: 'hello', until: new Date(Number.NaN) }))).toBe('until');
    expect(await badInput(query({ text: 'hello', since: day(2), until: day(1) }))).toBe('until');
    expect(await query({ text: 'x'.repeat(4_000), topK: 100 })).toEqual([]);
  });

  it('refuses a semantic weight that is not a positive finite number', () => {
    const { chunks, blobs } = domain.repos;
    for (const semanticWeight of [0, -1, Number.NaN, Number.POSITIVE_INFINITY])
      expect(
        () =>
          new QueryService(chunks, blobs, domain.vectors, domain.embedder, {
            ...DEFAULT_HYBRID,
            semanticWeight,
          }),
      ).toThrow(/semanticWeight/);
  });
});

describe('QueryService modes', () => {
  it('LEXICAL reads the database, SEMANTIC the vector index (after indexing), HYBRID both', async () => {
    const zebra = await insert({ doc: { content: 'Caroline saw a zebra at the zoo.' } });
    const query = (mode: 'LEXICAL' | 'SEMANTIC' | 'HYBRID') =>
      domain.services.query.query(user, { text: 'zebra zoo', mode });
    expect(blobIds(await query('LEXICAL'))).toEqual([zebra.id]);
    expect(await query('SEMANTIC')).toEqual([]); // not indexed yet
    expect(blobIds(await query('HYBRID'))).toEqual([zebra.id]);
    await domain.indexer.drain();
    expect(blobIds(await query('SEMANTIC'))).toEqual([zebra.id]);
    expect(blobIds(await domain.services.query.query(user, { text: 'zebra zoo' }))).toEqual([zebra.id]); // HYBRID
  });

  it('SEMANTIC finds blobs without a shared search term; LEXICAL does not', async () => {
    // The hashing embedder sees word overlap only in the searched text, which carries the doc title.
    const notes = await insert({ doc: { title: 'zebras', content: 'Striped animals grazing.' } });
    await insert({ doc: { content: 'Tax return due in April.' } });
    await domain.indexer.drain();
    const semantic = await domain.services.query.query(user, { text: 'zebras', mode: 'SEMANTIC', topK: 1 });
    expect(blobIds(semantic)).toEqual([notes.id]);
    expect(blobIds(await domain.services.query.query(user, { text: 'grazing', mode: 'LEXICAL' }))).toEqual([notes.id]);
    expect(await domain.services.query.query(user, { text: 'giraffes', mode: 'LEXICAL' })).toEqual([]);
  });

  it('ranks the blob matching more of the question first, and returns at most topK blobs', async () => {
    const both = await insert({ doc: { content: 'Porto has great wine and tiles.' } });
    const one = await insert({ doc: { content: 'Wine from the Douro.' } });
    for (let i = 0; i < 5; i++) await insert({ doc: { content: `Wine note ${i}.` } });
    await domain.indexer.drain();
    for (const mode of ['LEXICAL', 'HYBRID'] as const) {
      const matches = await domain.services.query.query(user, { text: 'Porto wine tiles', mode, topK: 3 });
      expect(matches).toHaveLength(3);
      expect(matches[0]!.blob.id).toBe(both.id);
      for (let i = 1; i < matches.length; i++) expect(matches[i - 1]!.score).toBeGreaterThanOrEqual(matches[i]!.score);
    }
    expect(blobIds(await domain.services.query.query(user, { text: 'Douro', mode: 'LEXICAL' }))).toEqual([one.id]);
  });
});

describe('QueryService hits', () => {
  it('returns the matching message of a chat, with its role, index and content', async () => {
    const chat = await insert({
      chat: {
        messages: [
          { role: 'user', content: 'Hi there.' },
          { role: 'assistant', content: 'Hello! How can I help?' },
          { role: 'user', content: 'I adopted a greyhound named Pixel.' },
        ],
      },
    });
    const [match] = await domain.services.query.query(user, { text: 'greyhound Pixel', mode: 'LEXICAL' });
    expect(match!.blob.id).toBe(chat.id);
    expect(match!.hits[0]).toEqual({
      kind: 'message',
      index: 2,
      role: 'user',
      content: 'I adopted a greyhound named Pixel.',
      score: match!.score,
    });
  });

  it('makes one message hit of the chunks of a long message, at its best score', async () => {
    const long = Array.from({ length: 30 }, (_, i) => `Part ${i} talks about kayaking on the river.`).join(' ');
    await insert({ chat: { messages: [{ role: 'user', content: long }] } });
    const [match] = await domain.services.query.query(user, { text: 'kayaking river', mode: 'LEXICAL' });
    expect(match!.hits).toEqual([{ kind: 'message', index: 0, role: 'user', content: long, score: match!.score }]);
  });

  it('returns exact character spans of docs, summaries and code, best first', async () => {
    const content = 'Intro about nothing in particular. The harbour in Porto at dawn is quiet. More filler text here.';
    const doc = await insert({ doc: { content } });
    const [match] = await domain.services.query.query(user, { text: 'harbour Porto dawn', mode: 'LEXICAL' });
    expect(match!.blob.id).toBe(doc.id);
    const [hit] = match!.hits;
    if (hit?.kind !== 'text') throw new Error(`expected a text hit, got ${hit?.kind}`);
    expect(content.slice(hit.start, hit.end)).toBe(hit.text);
    expect(hit.text).toContain('harbour in Porto at dawn');

    const summary = await insert({ summary: { summary: 'They planned a trip to Kyoto in spring.' } });
    const [ofSummary] = await domain.services.query.query(user, { text: 'Kyoto', mode: 'LEXICAL' });
    expect(ofSummary!.blob.id).toBe(summary.id);
    expect(ofSummary!.hits[0]).toMatchObject({ kind: 'text', text: 'They planned a trip to Kyoto in spring.' });
  });

  it('returns the time span of a transcript', async () => {
    await insert({
      transcript: {
        segments: [
          { start: 0, end: 4, text: 'Welcome to the show.', speaker: 'Host' },
          { start: 4, end: 9.5, text: 'Today we discuss volcanoes in Iceland.', speaker: 'Guest' },
        ],
      },
    });
    const [match] = await domain.services.query.query(user, { text: 'volcanoes Iceland', mode: 'LEXICAL' });
    expect(match!.hits[0]).toMatchObject({
      kind: 'time',
      start: 4,
      end: 9.5,
      text: 'Today we discuss volcanoes in Iceland.',
    });
  });
});

describe('QueryService signals', () => {
  it('ranks HYBRID the same whichever blobs the chunk read guessed would come first', async () => {
    const said = (speaker: string, content: string, createdAt: Date) =>
      insert({ transcript: { segments: [{ start: 0, end: 5, text: content, speaker }] }, createdAt });
    await said('Maria', 'I painted a lake at sunrise.', day(8));
    await said('Tom', 'I painted my fence, the whole fence, with the lake paint.', day(8));
    await said('Tom', 'We went to the pottery class yesterday.', new Date(Date.UTC(2023, 4, 3)));
    await insert({ doc: { content: 'Pottery class notes: glaze, kiln, the lake trip.' } });
    await domain.indexer.drain();
    const { chunks, blobs } = domain.repos;
    // A read that brings no blob whole: every top blob is then read afterwards.
    const guessesWrong = Object.assign(Object.create(chunks) as typeof chunks, {
      findRanked: async (...args: Parameters<typeof chunks.findRanked>) => ({
        chunks: (await chunks.findRanked(...args)).chunks,
        blobs: new Map(),
      }),
    });
    const wrong = new QueryService(guessesWrong, blobs, domain.vectors, domain.embedder);
    const questions = [
      'What did Maria paint at the lake?',
      'When did Tom go to the pottery class?',
      'What happened in May 2023 at the pottery class?',
      'lake paint',
    ];
    for (const text of questions) {
      const expected = await domain.services.query.query(user, { text, topK: 2 });
      expect(expected.length).toBeGreaterThan(0);
      expect(await wrong.query(user, { text, topK: 2 })).toEqual(expected);
    }
  });
});

describe('QueryService filters and ownership', () => {
  it('filters by blob type and creation time in every mode', async () => {
    const oldDoc = await insert({ doc: { content: 'Marathon training plan.' }, createdAt: day(1) });
    const newDoc = await insert({ doc: { content: 'Marathon race report.' }, createdAt: day(10) });
    const chat = await insert({
      chat: { messages: [{ role: 'user', content: 'My marathon went well.' }] },
      createdAt: day(10),
    });
    await domain.indexer.drain();
    for (const mode of ['LEXICAL', 'SEMANTIC', 'HYBRID'] as const) {
      const q = (extra: object) => domain.services.query.query(user, { text: 'marathon', mode, ...extra });
      expect(new Set(blobIds(await q({ types: ['DOC'] })))).toEqual(new Set([oldDoc.id, newDoc.id]));
      expect(new Set(blobIds(await q({ since: day(5) })))).toEqual(new Set([newDoc.id, chat.id]));
      expect(blobIds(await q({ until: day(5) }))).toEqual([oldDoc.id]);
      expect(blobIds(await q({ types: ['CHAT', 'CHAT'], since: day(10), until: day(10) }))).toEqual([chat.id]);
      expect(await q({ types: ['CODE'] })).toEqual([]);
    }
  });

  it("never returns another user's or project's blobs, even when the vector index points at them", async () => {
    const mine = await insert({ doc: { content: 'My garden has tomatoes.' } });
    const bob = await domain.newUser('bob');
    const elsewhere = await domain.newUser('ann', await domain.newProject('other'));
    const bobs = await insert({ doc: { content: 'Bob grows tomatoes too.' } }, bob);
    await insert({ doc: { content: 'Tomatoes in another project.' } }, elsewhere);
    await domain.indexer.drain();
    // A stale or corrupt index entry: Bob's chunk filed under Ann.
    const [bobChunk] = await domain.repos.chunks.findByBlob(bobs.id);
    const [vector] = await domain.embedder.embed(['tomatoes']);
    await domain.vectors.upsert([
      {
        chunkId: bobChunk!.id,
        projectId: user.projectId,
        userPk: user.pk,
        blobId: bobs.id,
        blobType: 'DOC',
        createdAt: 0,
        vector: vector!,
      },
    ]);
    for (const mode of ['LEXICAL', 'SEMANTIC', 'HYBRID'] as const)
      expect(blobIds(await domain.services.query.query(user, { text: 'tomatoes', mode }))).toEqual([mine.id]);
  });

  it('finds nothing for a user without blobs', async () => {
    const empty = await domain.newUser('nobody');
    await insert({ doc: { content: 'Something to find.' } });
    await domain.indexer.drain();
    expect(await domain.services.query.query(empty, { text: 'something' })).toEqual([]);
  });
});

describe('QueryService when the vector index is unavailable', () => {
  const failing = (error: Error) => {
    const vectors = Object.create(domain.vectors) as typeof domain.vectors;
    vectors.query = async () => {
      throw error;
    };
    return new QueryService(domain.repos.chunks, domain.repos.blobs, vectors, domain.embedder);
  };

  it('answers SEMANTIC and HYBRID with the lexical ranking and says so; LEXICAL says nothing', async () => {
    await insert({ doc: { content: 'Zebras graze on the savanna at dawn.' } });
    await insert({ doc: { content: 'Zebra crossings in town.' } });
    await domain.indexer.drain();
    const lexical = await domain.services.query.query(user, { text: 'zebra savanna', mode: 'LEXICAL' });
    expect(lexical.length).toBe(2);
    const service = failing(new VectorIndexUnavailableError('Chroma at 127.0.0.1:1 refused', 'is not reachable'));
    for (const mode of ['SEMANTIC', 'HYBRID', 'LEXICAL'] as const) {
      const notices: unknown[] = [];
      const answer = await service.query(user, { text: 'zebra savanna', mode, onNotice: (n) => notices.push(n) });
      expect(answer, mode).toEqual(lexical);
      expect(notices, mode).toEqual(
        mode === 'LEXICAL'
          ? []
          : [
              {
                code: 'VECTOR_INDEX_UNAVAILABLE',
                requestedMode: mode,
                servedMode: 'LEXICAL',
                message: `the vector index is not reachable; ${mode} search answered with the lexical ranking only`,
              },
            ],
      );
    }
  });

  it('still fails on any other error of the vector index', async () => {
    await expect(failing(new Error('a bug')).query(user, { text: 'zebra', mode: 'HYBRID' })).rejects.toThrow('a bug');
  });
});
