// Searches keep answering while the vector index is down: SEMANTIC answers
// as LEXICAL would, HYBRID with its lexical half, and the caller is told
// (the GraphQL layer puts the notice in the response's `extensions`).

import { VectorIndexUnavailableError } from '../errors.js';
import type { RerankNotice } from './rerank.js';

export type SearchMode = 'SEMANTIC' | 'LEXICAL' | 'HYBRID';

/** Said with an answer: how it was served (rerank.ts), or that it was not served as asked. */
export type SearchNotice = VectorIndexNotice | RerankNotice;

export interface VectorIndexNotice {
  code: 'VECTOR_INDEX_UNAVAILABLE';
  message: string;
  requestedMode: SearchMode;
  servedMode: SearchMode;
}

export type NoticeSink = (notice: SearchNotice) => void;

/**
 * Ranks in `mode`: LEXICAL runs `lexical`, SEMANTIC `semantic`, HYBRID both
 * at once and `fuse`s them. When `semantic` fails because the vector index is
 * unavailable, the lexical list is the answer and `onNotice` hears why.
 * Any other failure fails the search.
 */
export async function rankWithFallback<T>(
  mode: SearchMode,
  ranks: { semantic: () => Promise<T[]>; lexical: () => Promise<T[]>; fuse: (semantic: T[], lexical: T[]) => T[] },
  onNotice: NoticeSink | undefined,
): Promise<T[]> {
  const degrade = (error: unknown): void => {
    if (!(error instanceof VectorIndexUnavailableError)) throw error;
    onNotice?.({
      code: 'VECTOR_INDEX_UNAVAILABLE',
      message: `the vector index ${error.reason}; ${mode} search answered with the lexical ranking only`,
      requestedMode: mode,
      servedMode: 'LEXICAL',
    });
  };
  switch (mode) {
    case 'LEXICAL':
      return ranks.lexical();
    case 'SEMANTIC':
      try {
        return await ranks.semantic();
      } catch (error) {
        degrade(error);
        return ranks.lexical();
      }
    case 'HYBRID': {
      const lexical = ranks.lexical();
      try {
        const [semantic, lexicalList] = await Promise.all([ranks.semantic(), lexical]);
        return ranks.fuse(semantic, lexicalList);
      } catch (error) {
        degrade(error);
        return lexical;
      }
    }
    default: {
      const unreachable: never = mode;
      throw new Error(`unknown search mode ${String(unreachable)}`);
    }
  }
}
