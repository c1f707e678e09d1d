import { describe, expect, it } from 'vitest';
import {
  type ChunkTerms,
  contextReach,
  LEXICAL_CONTEXT,
  rankWindows,
} from '../../src/domain/search/lexical-ranking.js';

const chunk = (
  id: string,
  blobId: string,
  ordinal: number,
  terms: Record<string, number> = {},
  length = 10,
): ChunkTerms => ({
  id,
  blobId,
  ordinal,
  length,
  terms: new Map(Object.entries(terms)),
});
const ids = (ranked: { chunkId: string }[]) => ranked.map((r) => r.chunkId);

describe('rankWindows (BM25 over context windows)', () => {
  it('is plain BM25 for chunks without neighbours', () => {
    const ranked = rankWindows({
      chunks: [chunk('a', 'b1', 0, { zebra: 2 }, 10), chunk('b', 'b2', 0, { zebra: 1 }, 10)],
      documents: 10,
      limit: 10,
    });
    expect(ids(ranked)).toEqual(['a', 'b']);
    const idf = Math.log(1 + (10 - 2 + 0.5) / (2 + 0.5));
    expect(ranked[0]!.score).toBeCloseTo((idf * 2 * 2.2) / (2 + 1.2));
    expect(ranked[1]!.score).toBeCloseTo((idf * 1 * 2.2) / (1 + 1.2));
  });

  it('takes other BM25 parameters and per-term weights', () => {
    const chunks = [chunk('a', 'b1', 0, { zebra: 2 }, 10), chunk('b', 'b2', 0, { lion: 1 }, 10)];
    const idf = Math.log(1 + (10 - 1 + 0.5) / (1 + 0.5));
    const ranked = rankWindows({ chunks, documents: 10, limit: 10, bm25: { k1: 2, b: 0 } });
    expect(ranked[0]!.score).toBeCloseTo((idf * 2 * 3) / (2 + 2));
    // Weighing "lion" three times puts the chunk holding it first.
    const weighted = rankWindows({ chunks, documents: 10, limit: 10, termWeights: new Map([['lion', 3]]) });
    expect(ids(weighted)).toEqual(['b', 'a']);
    expect(weighted[0]!.score).toBeCloseTo((3 * idf * 2.2) / (1 + 1.2));
  });

  it('weighs a rare term above a common one', () => {
    const chunks = [
      chunk('rare', 'b1', 0, { adoption: 1 }),
      ...Array.from({ length: 5 }, (_, i) => chunk(`common${i}`, `c${i}`, 0, { caroline: 1 })),
    ];
    expect(ids(rankWindows({ chunks, documents: 20, limit: 10 }))[0]).toBe('rare');
  });

  it('ranks a chunk through its neighbours, below the chunk that holds the term, within one blob only', () => {
    // "Did you try the ramen bar?" / "Yes, last night!" / "Cool." / (another blob) "ramen"
    const chunks = [
      chunk('question', 'chat', 0, { ramen: 1 }),
      chunk('answer', 'chat', 1),
      chunk('next', 'chat', 2),
      chunk('far', 'chat', 3),
      chunk('other-blob', 'other', 1),
    ];
    const ranked = rankWindows({ chunks, documents: 5, limit: 10 });
    expect(ids(ranked)[0]).toBe('question');
    expect(ids(ranked)).toEqual(expect.arrayContaining(['answer', 'next']));
    // Three chunks after it is out of reach; other blobs never borrow context.
    expect(ids(ranked)).not.toContain('far');
    expect(ids(ranked)).not.toContain('other-blob');
    // The turn before the match gets it as its "next" turn.
    const before = rankWindows({
      chunks: [chunk('before', 'chat', 0), chunk('match', 'chat', 1, { ramen: 1 })],
      documents: 2,
      limit: 10,
    });
    expect(ids(before)).toEqual(['match', 'before']);
  });

  it('sums the terms of a window: turns that share a topic across a reply rise above a lone mention', () => {
    const chunks = [
      chunk('setup', 'chat', 0, { painting: 1 }),
      chunk('reply', 'chat', 1, { sunset: 1 }),
      chunk('lonely', 'other', 0, { sunset: 1 }),
    ];
    const ranked = ids(rankWindows({ chunks, documents: 10, limit: 10 }));
    expect(new Set(ranked.slice(0, 2))).toEqual(new Set(['setup', 'reply']));
    expect(ranked[2]).toBe('lonely');
  });

  it('respects the limit, breaks ties by id and returns nothing without terms', () => {
    const chunks = [chunk('b', 'x', 0, { t: 1 }), chunk('a', 'y', 0, { t: 1 }), chunk('c', 'z', 0, { t: 1 })];
    expect(ids(rankWindows({ chunks, documents: 3, limit: 2 }))).toEqual(['a', 'b']);
    expect(rankWindows({ chunks: [chunk('a', 'x', 0)], documents: 1, limit: 5 })).toEqual([]);
    expect(rankWindows({ chunks, documents: 3, limit: 0 })).toEqual([]);
  });

  it('needs rows up to contextReach() ordinals away from a match', () => {
    expect(contextReach(LEXICAL_CONTEXT)).toBe(3);
    expect(contextReach([{ shift: 0, weight: 1 }])).toBe(0);
  });
});

describe('termCounts (tsvector text form)', () => {
  it('counts positions of the wanted lexemes, unescaping quotes and backslashes', async () => {
    const { termCounts } = await import('../../src/infra/prisma/chunk.repository.js');
    const vector = `'caroline':1,7 'group':4A 'it''s':9 'back\\\\slash':10,11,12 'nopos' 'zebra':3`;
    expect(termCounts(vector, new Set(['caroline', 'group', "it's", 'back\\slash', 'nopos', 'absent']))).toEqual(
      new Map([
        ['caroline', 2],
        ['group', 1],
        ["it's", 1],
        ['back\\slash', 3],
        ['nopos', 1],
      ]),
    );
  });
});
