// searchMemories: a user's (or a project's) memories that answer a question,
// ranked like User.query ranks chunks: SEMANTIC (the memory vector index),
// LEXICAL (BM25 over the memories' tsvector) or HYBRID (both, fused by
// relative score). The filter is applied in the database to whatever the
// vector index proposes, so a memory that the filter excludes, or that is
// deleted or expired, never comes back.

import { BadInputError, NotFoundError } from '../errors.js';
import type {
  Embedder,
  MemoryRepository,
  MemoryScope,
  MemoryVectorIndex,
  Reranker,
  ScoredMemoryId,
  UserRepository,
} from '../ports.js';
import { type HybridOptions, type SearchMode, searchArguments } from '../search/query.service.js';
import { NO_SIGNALS } from '../search/signals.js';
import { DEFAULT_RERANK, type RerankOptions, rerankTop, wantsRerank } from '../search/rerank.js';
import { relativeScoreFusion, reciprocalRankFusion } from '../search/fusion.js';
import { type NoticeSink, rankWithFallback } from '../search/lexical-fallback.js';
import type { MemoryRecord, UserRecord, Viewer } from '../types.js';
import { type MemorySelection, parseMemoryFilter, scopeHint } from './memory-filter.js';

export interface MemorySearchCommand {
  text: string;
  filter?: unknown;
  topK?: number | null;
  threshold?: number | null;
  mode?: SearchMode | null;
  /** Hears how the answer was degraded (the vector index down: lexical only). */
  onNotice?: NoticeSink;
  /** Rerank the best candidates (search/rerank.ts; onNotice hears how it went); null: when a reranker is configured. */
  rerank?: boolean | null;
}

export interface MemoryMatch {
  memory: MemoryRecord;
  score: number;
}

export const MAX_SEARCH_USERS = 100;
/** The vector index is asked for at most this many memories while a selective filter leaves too few. */
const MAX_SEMANTIC_CANDIDATES = 2_000;

/** Memories asked of each list (vector, lexical) for topK results. */
export function memoryCandidates(topK: number): number {
  return Math.min(200, Math.max(30, topK * 3));
}

/**
 * searchMemories' HYBRID: relative score fusion, semantic weight 0.2 (the
 * weight measured for chunks before the signals; memories carry no speaker
 * or date to signal on).
 */
export const DEFAULT_MEMORY_HYBRID: HybridOptions = {
  fusion: 'relative-score',
  semanticWeight: 0.2,
  signals: NO_SIGNALS,
};

export class MemorySearchService {
  constructor(
    private readonly memories: MemoryRepository,
    private readonly users: UserRepository,
    private readonly vectors: MemoryVectorIndex,
    private readonly embedder: Embedder,
    private readonly hybrid: HybridOptions = DEFAULT_MEMORY_HYBRID,
    private readonly clock: () => Date = () => new Date(),
    private readonly reranker: Reranker | null = null,
    private readonly rerankOptions: RerankOptions = DEFAULT_RERANK,
  ) {}

  /** One user's memories. */
  searchUser(user: UserRecord, command: MemorySearchCommand): Promise<MemoryMatch[]> {
    return this.search({ projectId: user.projectId, userPks: [user.pk] }, command);
  }

  /** Memories across the viewer's project, or across some of its users. */
  async searchProject(
    viewer: Viewer,
    command: MemorySearchCommand & { userIds?: readonly string[] | null },
  ): Promise<MemoryMatch[]> {
    let userPks: string[] | null = null;
    if (command.userIds) {
      if (command.userIds.length < 1 || command.userIds.length > MAX_SEARCH_USERS)
        throw new BadInputError('userIds', `must hold 1-${MAX_SEARCH_USERS} ids`);
      const users = await Promise.all(
        command.userIds.map((id) =>
          id.length >= 1 && id.length <= 128 ? this.users.findByExternalId(viewer.projectId, id) : null,
        ),
      );
      userPks = users.map((user, i) => {
        if (!user) throw new NotFoundError('User', command.userIds![i]!);
        return user.pk;
      });
    }
    return this.search({ projectId: viewer.projectId, userPks }, command);
  }

  private async search(scope: MemoryScope, command: MemorySearchCommand): Promise<MemoryMatch[]> {
    const { text, topK, threshold } = searchArguments(command);
    const reranker = wantsRerank(this.reranker, command.rerank) ? this.reranker : null;
    const selection = parseMemoryFilter(command.filter);
    const mode = command.mode ?? 'HYBRID';
    const now = this.clock();
    const known = new Map<string, MemoryRecord>();
    const candidates = memoryCandidates(topK);

    let ranked = await rankWithFallback(
      mode,
      {
        semantic: () => this.semantic(text, scope, selection, candidates, topK, now, known),
        lexical: () => this.memories.searchLexical(text, scope, selection, candidates, now),
        fuse: (semantic, lexical) => this.fuse(semantic, lexical),
      },
      command.onNotice,
    );
    const load = async (hits: ScoredMemoryId[]) => {
      const missing = hits.map((hit) => hit.memoryId).filter((id) => !known.has(id));
      if (missing.length > 0)
        for (const memory of await this.memories.select(missing, scope, selection, now)) known.set(memory.id, memory);
    };
    if (reranker && ranked.length > 0) {
      const top = ranked.slice(0, this.rerankOptions.candidates);
      await load(top);
      const present = top.filter((hit) => known.has(hit.memoryId));
      const result = await rerankTop(
        reranker,
        text,
        present,
        (hit) => known.get(hit.memoryId)!.text,
        this.rerankOptions,
      );
      if (result.notice.code === 'RERANKED') ranked = result.items;
      command.onNotice?.(result.notice);
    }
    const kept = ranked.filter((hit) => threshold === null || hit.score >= threshold).slice(0, topK);
    await load(kept);
    return kept.flatMap((hit) => {
      const memory = known.get(hit.memoryId);
      return memory ? [{ memory, score: hit.score }] : [];
    });
  }

  /**
   * The nearest memories that the selection selects. The vector index is
   * asked first within the scopes the filter pins (agentId, runId), then the
   * database keeps what the whole filter selects; while that leaves fewer
   * than topK and the index had more, it is asked for more.
   */
  private async semantic(
    text: string,
    scope: MemoryScope,
    selection: MemorySelection,
    candidates: number,
    topK: number,
    now: Date,
    known: Map<string, MemoryRecord>,
  ): Promise<ScoredMemoryId[]> {
    const [vector] = await this.embedder.embed([text]);
    if (!vector) return [];
    const agentIds = scope.userPks?.length === 1 ? scopeHint(selection.where, 'agentId') : null;
    const runIds = scope.userPks?.length === 1 ? scopeHint(selection.where, 'runId') : null;
    for (let limit = candidates; ; limit = Math.min(limit * 4, MAX_SEMANTIC_CANDIDATES)) {
      const hits = await this.vectors.query({
        projectId: scope.projectId,
        userPks: scope.userPks,
        vector,
        limit,
        agentIds,
        runIds,
      });
      const selected = await this.memories.select(
        hits.map((hit) => hit.memoryId),
        scope,
        selection,
        now,
      );
      for (const memory of selected) known.set(memory.id, memory);
      const kept = hits.filter((hit) => known.has(hit.memoryId));
      if (kept.length >= topK || hits.length < limit || limit >= MAX_SEMANTIC_CANDIDATES) return kept;
    }
  }

  private fuse(semantic: ScoredMemoryId[], lexical: ScoredMemoryId[]): ScoredMemoryId[] {
    const asChunks = (items: ScoredMemoryId[]) => items.map((item) => ({ chunkId: item.memoryId, score: item.score }));
    const lists = [
      { items: asChunks(semantic), weight: this.hybrid.semanticWeight },
      { items: asChunks(lexical), weight: 1 },
    ];
    const fused =
      this.hybrid.fusion === 'relative-score'
        ? relativeScoreFusion(lists)
        : reciprocalRankFusion(lists, { k: this.hybrid.rrfK });
    return fused.map((item) => ({ memoryId: item.chunkId, score: item.score }));
  }
}
