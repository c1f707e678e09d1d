// Reciprocal rank fusion (Cormack et al., 2009): each list contributes
// 1 / (k + rank) for every item it ranks; items found by both rise.

import type { ScoredChunkId } from '../ports.js';

export const RRF_K = 60;

export function reciprocalRankFusion(lists: readonly (readonly ScoredChunkId[])[], k: number = RRF_K): ScoredChunkId[] {
  const scores = new Map<string, number>();
  for (const list of lists) {
    list.forEach((item, rank) => {
      scores.set(item.chunkId, (scores.get(item.chunkId) ?? 0) + 1 / (k + rank + 1));
    });
  }
  return [...scores.entries()]
    .map(([chunkId, score]) => ({ chunkId, score }))
    .sort((a, b) => b.score - a.score || a.chunkId.localeCompare(b.chunkId));
}
