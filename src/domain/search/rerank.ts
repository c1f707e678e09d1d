// The optional reranker of User.query and searchMemories: the best
// candidates of the first ranking are scored by a cross-encoder (Reranker
// port, a `/rerank` endpoint) and put in its order. A reranker that fails or
// times out changes nothing: the first ranking stands and the notice says
// why (the GraphQL layer puts it in the response's `extensions.notices`).

import { BadInputError } from '../errors.js';
import type { Reranker } from '../ports.js';

export interface RerankOptions {
  /** How many of the best candidates are sent to the reranker. */
  candidates: number;
}

export const DEFAULT_RERANK: RerankOptions = { candidates: 30 };

/** What happened to one search's rerank. */
export interface RerankNotice {
  code: 'RERANKED' | 'RERANK_TIMEOUT' | 'RERANK_FAILED';
  /** What was done, or why the first ranking was kept. */
  message: string;
  model: string;
  /** Candidates sent. */
  candidates: number;
}

/** Whether to rerank: asked for explicitly, or by default when a reranker is configured. */
export function wantsRerank(reranker: Reranker | null, asked: boolean | null | undefined): reranker is Reranker {
  if (asked === true && !reranker)
    throw new BadInputError('rerank', 'no reranker is configured on this server (MEMQL_RERANK_BASE_URL)');
  return asked !== false && reranker !== null;
}

/**
 * Reorders the first `options.candidates` items (best first) by the
 * reranker's scores, which become their scores; the rest are left out (their
 * scores are on another scale). On failure, `items` unchanged.
 */
export async function rerankTop<T extends { score: number }>(
  reranker: Reranker,
  query: string,
  items: readonly T[],
  textOf: (item: T) => string,
  options: RerankOptions,
): Promise<{ items: T[]; notice: RerankNotice }> {
  const top = items.slice(0, options.candidates);
  const base = { model: reranker.model, candidates: top.length };
  const done = { code: 'RERANKED', message: `the best ${top.length} candidates reranked`, ...base } as const;
  if (top.length === 0) return { items: [...items], notice: done };
  const answer = await reranker.rerank(query, top.map(textOf));
  if (!answer.ok) {
    const code = answer.reason === 'timeout' ? 'RERANK_TIMEOUT' : 'RERANK_FAILED';
    return { items: [...items], notice: { code, message: `first ranking kept: ${answer.message}`, ...base } };
  }
  const reranked = top
    .map((item, i) => ({ item: { ...item, score: answer.scores[i]! }, order: i }))
    .sort((a, b) => b.item.score - a.item.score || a.order - b.order)
    .map((x) => x.item);
  return { items: reranked, notice: done };
}
