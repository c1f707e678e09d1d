import { describe, expect, it } from 'vitest';
import type { ScoredChunkId } from '../../src/domain/ports.js';
import { reciprocalRankFusion, relativeScoreFusion, RRF_K } from '../../src/domain/search/fusion.js';

/** A ranked list from ids, best first (scores are irrelevant to fusion). */
const list = (...ids: string[]): ScoredChunkId[] => ids.map((chunkId, i) => ({ chunkId, score: 100 - i }));
const ids = (fused: ScoredChunkId[]) => fused.map((f) => f.chunkId);

describe('reciprocalRankFusion', () => {
  it('keeps the order of a single list, with 1 / (k + rank) scores', () => {
    const fused = reciprocalRankFusion([{ items: list('a', 'b', 'c') }]);
    expect(ids(fused)).toEqual(['a', 'b', 'c']);
    expect(fused[0]!.score).toBeCloseTo(1 / (RRF_K + 1));
    expect(fused[2]!.score).toBeCloseTo(1 / (RRF_K + 3));
  });

  it('raises an item both lists find above items only one list ranks first', () => {
    const fused = reciprocalRankFusion([{ items: list('sem-only', 'both') }, { items: list('lex-only', 'both') }]);
    expect(ids(fused)[0]).toBe('both');
    expect(fused[0]!.score).toBeCloseTo(2 / (RRF_K + 2));
    expect(new Set(ids(fused))).toEqual(new Set(['both', 'sem-only', 'lex-only']));
  });

  it("ignores the lists' own scores: only ranks count", () => {
    const huge = [
      { chunkId: 'x', score: 1e9 },
      { chunkId: 'y', score: 1e9 - 1 },
    ];
    const tiny = [
      { chunkId: 'y', score: 0.001 },
      { chunkId: 'x', score: 0.0001 },
    ];
    const fused = reciprocalRankFusion([{ items: huge }, { items: tiny }]);
    expect(fused[0]!.score).toBeCloseTo(fused[1]!.score);
  });

  it('lets a heavier list win where the ranks are symmetric', () => {
    const lists = (semantic: number, lexical: number) => [
      { items: list('s', 'l'), weight: semantic },
      { items: list('l', 's'), weight: lexical },
    ];
    expect(ids(reciprocalRankFusion(lists(0.5, 1)))).toEqual(['l', 's']);
    expect(ids(reciprocalRankFusion(lists(1, 0.5)))).toEqual(['s', 'l']);
  });

  it('with a small k, a first rank in one list beats middling ranks in both', () => {
    const lists = [{ items: list('top', 'x', 'y', 'mid') }, { items: list('a', 'b', 'c', 'mid') }];
    expect(new Set(ids(reciprocalRankFusion(lists, { k: 1 })).slice(0, 2))).toEqual(new Set(['top', 'a']));
    expect(ids(reciprocalRankFusion(lists, { k: 60 }))[0]).toBe('mid');
  });

  it('counts an id repeated within one list once, at its best rank', () => {
    const fused = reciprocalRankFusion([{ items: list('a', 'b', 'a', 'c') }]);
    expect(ids(fused)).toEqual(['a', 'b', 'c']);
    expect(fused[2]!.score).toBeCloseTo(1 / (RRF_K + 3));
  });

  it('breaks ties by chunk id and handles empty input', () => {
    expect(ids(reciprocalRankFusion([{ items: list('b') }, { items: list('a') }]))).toEqual(['a', 'b']);
    expect(reciprocalRankFusion([])).toEqual([]);
    expect(reciprocalRankFusion([{ items: [] }, { items: [] }])).toEqual([]);
    expect(ids(reciprocalRankFusion([{ items: [] }, { items: list('a') }]))).toEqual(['a']);
  });

  it('refuses a negative k and non-positive weights', () => {
    expect(() => reciprocalRankFusion([{ items: list('a') }], { k: -1 })).toThrow(RangeError);
    expect(() => reciprocalRankFusion([{ items: list('a'), weight: 0 }])).toThrow(RangeError);
    expect(() => reciprocalRankFusion([{ items: list('a'), weight: Number.NaN }])).toThrow(RangeError);
  });
});

describe('relativeScoreFusion', () => {
  const scored = (...pairs: [string, number][]): ScoredChunkId[] =>
    pairs.map(([chunkId, score]) => ({ chunkId, score }));

  it('divides each list by its best score, so lists on different scales mix', () => {
    // BM25 scores in the tens, cosine similarities below 1.
    const fused = relativeScoreFusion([
      { items: scored(['a', 12], ['b', 6]) },
      { items: scored(['b', 0.8], ['a', 0.4]) },
    ]);
    expect(fused.map((f) => f.chunkId)).toEqual(['a', 'b']); // a: 1 + 0.5, b: 0.5 + 1, tie broken by id
    expect(fused[0]!.score).toBeCloseTo(1.5);
    expect(fused[1]!.score).toBeCloseTo(1.5);
  });

  it('weights the lists: the best item of every list scores the sum of the weights', () => {
    const lists = [
      { items: scored(['s', 0.9], ['both', 0.6]), weight: 0.2 },
      { items: scored(['both', 8], ['l', 7]), weight: 1 },
    ];
    const fused = relativeScoreFusion(lists);
    expect(fused.map((f) => f.chunkId)).toEqual(['both', 'l', 's']);
    expect(fused[0]!.score).toBeCloseTo(1 + 0.2 * (0.6 / 0.9));
    expect(fused[1]!.score).toBeCloseTo(7 / 8);
    expect(fused[2]!.score).toBeCloseTo(0.2);
    expect(
      relativeScoreFusion([
        { items: scored(['x', 3]), weight: 0.5 },
        { items: scored(['x', 0.7]), weight: 1 },
      ])[0]!.score,
    ).toBeCloseTo(1.5);
  });

  it('lets a flat list barely move the ranking and a decisive one move it a lot', () => {
    const lexical = { items: scored(['a', 10], ['b', 9]) };
    const flat = { items: scored(['b', 0.51], ['a', 0.5]), weight: 0.2 };
    const decisive = { items: scored(['b', 0.9], ['a', 0.1]), weight: 0.2 };
    expect(relativeScoreFusion([lexical, flat])[0]!.chunkId).toBe('a');
    expect(relativeScoreFusion([lexical, decisive])[0]!.chunkId).toBe('b');
  });

  it('counts negative scores and lists without a positive score as 0, and a repeated id once', () => {
    const fused = relativeScoreFusion([
      { items: scored(['a', 2], ['b', -1], ['a', 1]) },
      { items: scored(['c', -0.2], ['d', -0.5]) },
    ]);
    expect(fused).toEqual([
      { chunkId: 'a', score: 1 },
      { chunkId: 'b', score: 0 },
      { chunkId: 'c', score: 0 },
      { chunkId: 'd', score: 0 },
    ]);
    expect(relativeScoreFusion([])).toEqual([]);
    expect(() => relativeScoreFusion([{ items: scored(['a', 1]), weight: -1 }])).toThrow(RangeError);
  });
});
