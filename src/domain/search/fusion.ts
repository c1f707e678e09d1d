// Fusing ranked lists of chunks (semantic and lexical) into one ranking.
//
// Two methods:
// - relativeScoreFusion (the default of User.query): each list's scores are
//   divided by that list's best score, then summed with weights. A list whose
//   scores are all alike (an embedder that cannot tell the candidates apart)
//   adds almost the same to every item and barely moves the ranking; a list
//   with one clear winner moves it a lot.
// - reciprocalRankFusion (Cormack et al., 2009): each list contributes
//   weight / (k + rank); only ranks matter.
// Measured on LoCoMo (BENCHMARKS.md), relative scores beat RRF on every
// metric with the default embedder.

import type { ScoredChunkId } from '../ports.js';

/** The constant of the original RRF paper; a small k lets the first ranks dominate. */
export const RRF_K = 60;

export interface RankedList {
  /** Best first. */
  items: readonly ScoredChunkId[];
  /** How much this list counts (finite, > 0). Default 1. */
  weight?: number;
}

export interface FusionOptions {
  /** RRF only: rank offset (>= 0). Default RRF_K. */
  k?: number;
}

/**
 * Weighted reciprocal rank fusion, best first. An item's score is the sum over
 * the lists that rank it of weight / (k + rank), rank counted from 1.
 */
export function reciprocalRankFusion(lists: readonly RankedList[], options: FusionOptions = {}): ScoredChunkId[] {
  const k = options.k ?? RRF_K;
  if (!(k >= 0) || !Number.isFinite(k))
    throw new RangeError(`reciprocalRankFusion: k must be a finite number >= 0, got ${k}`);
  return fuse(lists, (list) => {
    const contributions = new Map<string, number>();
    firstOccurrences(list.items).forEach((item, i) => {
      contributions.set(item.chunkId, 1 / (k + i + 1));
    });
    return contributions;
  });
}

/**
 * Weighted relative score fusion, best first. Within each list, scores are
 * divided by the list's best score (so the best item counts 1), negative
 * scores count 0, and a list whose best score is not positive counts 0 for
 * all its items; an item's fused score is the weighted sum over the lists.
 * The fused score of an item that tops every list is the sum of the weights.
 */
export function relativeScoreFusion(lists: readonly RankedList[]): ScoredChunkId[] {
  return fuse(lists, (list) => {
    const items = firstOccurrences(list.items);
    const best = items.reduce((max, item) => Math.max(max, item.score), Number.NEGATIVE_INFINITY);
    const contributions = new Map<string, number>();
    for (const item of items) {
      const relative =
        best > 0 && Number.isFinite(best) && Number.isFinite(item.score) ? Math.max(0, item.score) / best : 0;
      contributions.set(item.chunkId, relative);
    }
    return contributions;
  });
}

/** Sums weight * contribution per item over the lists; ties broken by chunk id, so the result is deterministic. */
function fuse(
  lists: readonly RankedList[],
  contributionsOf: (list: RankedList) => Map<string, number>,
): ScoredChunkId[] {
  const scores = new Map<string, number>();
  for (const list of lists) {
    const weight = list.weight ?? 1;
    if (!(weight > 0) || !Number.isFinite(weight))
      throw new RangeError(`fusion: weights must be finite and > 0, got ${weight}`);
    for (const [chunkId, contribution] of contributionsOf(list))
      scores.set(chunkId, (scores.get(chunkId) ?? 0) + weight * contribution);
  }
  return [...scores.entries()]
    .map(([chunkId, score]) => ({ chunkId, score }))
    .sort((a, b) => b.score - a.score || (a.chunkId < b.chunkId ? -1 : a.chunkId > b.chunkId ? 1 : 0));
}

/** An id repeated within one list counts once, at its first (best) position. */
function firstOccurrences(items: readonly ScoredChunkId[]): ScoredChunkId[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    if (seen.has(item.chunkId)) return false;
    seen.add(item.chunkId);
    return true;
  });
}
