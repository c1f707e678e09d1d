// User.query: find a user's blobs that answer a natural-language question,
// and the exact messages, character spans or time spans that matched.

import { BadInputError } from '../errors.js';
import type {
  BlobRepository,
  ChunkRepository,
  ChunkSearchFilter,
  Embedder,
  RankedChunkRows,
  Reranker,
  ScoredChunkId,
  VectorStore,
} from '../ports.js';
import type { BlobRecord, BlobType, ChunkRecord, UserRecord } from '../types.js';
import { validDate } from '../validation.js';
import { reciprocalRankFusion, relativeScoreFusion, type RankedList } from './fusion.js';
import { type NoticeSink, rankWithFallback, type SearchMode } from './lexical-fallback.js';
import { DEFAULT_RERANK, type RerankOptions, rerankTop, wantsRerank } from './rerank.js';
import { analyseQuestion, applySignals, type Candidate, hasSignals, type SignalBoosts, signalHint } from './signals.js';

export type { SearchMode } from './lexical-fallback.js';

export type Hit =
  | { kind: 'message'; index: number; role: string; content: string; score: number }
  | { kind: 'text'; start: number; end: number; text: string; score: number }
  | { kind: 'time'; start: number; end: number; text: string; score: number };

export interface BlobMatch {
  blob: BlobRecord;
  score: number;
  /** Best first. */
  hits: Hit[];
}

export interface QueryCommand {
  text: string;
  topK?: number | null;
  types?: BlobType[] | null;
  since?: Date | null;
  until?: Date | null;
  mode?: SearchMode | null;
  /** Chunks scoring below it (in the mode's scale) are dropped: a blob none of whose chunks pass is left out. */
  threshold?: number | null;
  /** Hears how the answer was degraded (the vector index down: lexical only). */
  onNotice?: NoticeSink;
  /** Rerank the best candidates (rerank.ts; onNotice hears how it went); null: when a reranker is configured. */
  rerank?: boolean | null;
}

export const QUERY_LIMITS = { maxTextChars: 4_000, maxTopK: 100 } as const;

export interface HybridOptions {
  /**
   * How HYBRID merges the semantic and lexical lists (fusion.ts). Default
   * 'relative-score'; 'reciprocal-rank' uses ranks only.
   */
  fusion: 'relative-score' | 'reciprocal-rank';
  /**
   * Weight of the semantic list; the lexical list weighs 1. User.query: 0.2,
   * with the signals below (chosen together by leave-one-conversation-out on
   * LoCoMo with the offline USE-lite embedder, `npm run eval:locomo -- --cv`;
   * BENCHMARKS.md). A stronger embedder deserves more weight: measure.
   */
  semanticWeight: number;
  /** Reciprocal rank fusion's k (fusion.ts); default RRF_K. */
  rrfK?: number;
  /** How much the question's signals (speaker named, "when", a period) and a chunk's neighbours raise it (signals.ts). */
  signals: SignalBoosts;
}

/**
 * User.query's HYBRID: relative score fusion at semantic weight 0.2; what the
 * person the question names said x2, chunks that say when x2 for a question
 * asking when, chunks of blobs within a period the question names x2 (the
 * boosts add up); then each chunk gains 0.1 of the scores of the chunks just
 * before and after it. Chosen on all six LoCoMo dev conversations; chosen on
 * five and scored on the sixth, it gave recall@1 0.458, recall@10 0.774, MRR
 * 0.626 (LEXICAL alone 0.322, 0.725, 0.505).
 */
export const DEFAULT_HYBRID: HybridOptions = {
  fusion: 'relative-score',
  semanticWeight: 0.2,
  signals: { speaker: 1, when: 1, period: 1, neighbour: 0.1, adjacent: 0 },
};

/** Chunks asked of each search (vector, lexical) for topK blobs: enough that a blob's best chunks are all seen before grouping. */
export function candidateCount(topK: number): number {
  return Math.min(400, Math.max(50, topK * 10));
}

/** The arguments every search takes (User.query, searchMemories), validated, errors naming the argument. */
export function searchArguments(command: { text: string; topK?: number | null; threshold?: number | null }): {
  text: string;
  topK: number;
  threshold: number | null;
} {
  const text = command.text.trim();
  if (text.length === 0) throw new BadInputError('text', 'must not be empty');
  if (text.length > QUERY_LIMITS.maxTextChars)
    throw new BadInputError('text', `must be at most ${QUERY_LIMITS.maxTextChars} characters`);
  const topK = command.topK ?? 10;
  if (!Number.isInteger(topK) || topK < 1 || topK > QUERY_LIMITS.maxTopK)
    throw new BadInputError('topK', `must be between 1 and ${QUERY_LIMITS.maxTopK}`);
  const threshold = command.threshold ?? null;
  if (threshold !== null && !Number.isFinite(threshold))
    throw new BadInputError('threshold', 'must be a finite number');
  return { text, topK, threshold };
}

export class QueryService {
  constructor(
    private readonly chunks: ChunkRepository,
    private readonly blobs: BlobRepository,
    private readonly vectors: VectorStore,
    private readonly embedder: Embedder,
    private readonly hybrid: HybridOptions = DEFAULT_HYBRID,
    private readonly reranker: Reranker | null = null,
    private readonly rerankOptions: RerankOptions = DEFAULT_RERANK,
  ) {
    if (!(hybrid.semanticWeight > 0) || !Number.isFinite(hybrid.semanticWeight)) {
      throw new Error(`QueryService: semanticWeight must be a finite number > 0, got ${hybrid.semanticWeight}`);
    }
  }

  async query(user: UserRecord, command: QueryCommand): Promise<BlobMatch[]> {
    const { text, topK, threshold } = searchArguments(command);
    const reranker = wantsRerank(this.reranker, command.rerank) ? this.reranker : null;
    const since = validDate('since', command.since);
    const until = validDate('until', command.until);
    if (since && until && since > until) throw new BadInputError('until', 'must not be before since');
    const filter: ChunkSearchFilter = {
      userPk: user.pk,
      types: command.types?.length ? [...new Set(command.types)] : null,
      since,
      until,
    };
    const mode = command.mode ?? 'HYBRID';

    const candidates = candidateCount(topK);
    let ranked = await this.rank(text, filter, mode, candidates, user, command.onNotice);
    const owner = { projectId: user.projectId, userPk: user.pk };
    const signals = mode === 'HYBRID' && hasSignals(this.hybrid.signals) && ranked.length > 0;
    let read: RankedChunkRows | null = null;
    if (signals || (reranker && ranked.length > 0)) {
      // The signals and the reranker read each candidate's text, speaker and date: the rows grouping
      // needs anyway, read once with the blobs the signals are expected to put first.
      const question = signals ? analyseQuestion(text) : null;
      const hint = question ? signalHint(question, this.hybrid.signals) : null;
      read = await this.chunks.findRanked(ranked, owner, topK, hint);
      if (question) ranked = applySignals(ranked, candidatesOf(read.chunks), question, this.hybrid.signals);
    }
    if (reranker && read && ranked.length > 0) {
      const texts = new Map(read.chunks.map((c) => [c.id, c.searchText]));
      const known = ranked.filter((r) => texts.has(r.chunkId));
      const result = await rerankTop(reranker, text, known, (r) => texts.get(r.chunkId)!, this.rerankOptions);
      ranked = result.items;
      command.onNotice?.(result.notice);
    }
    // HYBRID fuses two lists of `candidates`; the best `candidates` of the fusion are plenty for topK blobs.
    ranked = ranked.slice(0, candidates).filter((chunk) => threshold === null || chunk.score >= threshold);
    return this.group(ranked, owner, topK, read);
  }

  private rank(
    text: string,
    filter: ChunkSearchFilter,
    mode: SearchMode,
    limit: number,
    user: UserRecord,
    onNotice: NoticeSink | undefined,
  ): Promise<ScoredChunkId[]> {
    return rankWithFallback(
      mode,
      {
        semantic: () => this.semantic(text, filter, limit, user),
        lexical: () => this.chunks.searchLexical(text, filter, limit),
        fuse: (semantic, lexical) =>
          this.fuse([
            { items: semantic, weight: this.hybrid.semanticWeight },
            { items: lexical, weight: 1 },
          ]),
      },
      onNotice,
    );
  }

  private fuse(lists: RankedList[]): ScoredChunkId[] {
    switch (this.hybrid.fusion) {
      case 'relative-score':
        return relativeScoreFusion(lists);
      case 'reciprocal-rank':
        return reciprocalRankFusion(lists, { k: this.hybrid.rrfK });
      default: {
        const unreachable: never = this.hybrid.fusion;
        throw new Error(`unknown fusion ${String(unreachable)}`);
      }
    }
  }

  private async semantic(
    text: string,
    filter: ChunkSearchFilter,
    limit: number,
    user: UserRecord,
  ): Promise<ScoredChunkId[]> {
    const [vector] = await this.embedder.embed([text]);
    if (!vector) return [];
    return this.vectors.query({
      projectId: user.projectId,
      userPk: user.pk,
      vector,
      limit,
      types: filter.types,
      since: filter.since,
      until: filter.until,
    });
  }

  /** Turns ranked chunks into blobs with hits, best blob first. */
  private async group(
    ranked: ScoredChunkId[],
    owner: { projectId: string; userPk: string },
    topK: number,
    fetched: RankedChunkRows | null,
  ): Promise<BlobMatch[]> {
    if (ranked.length === 0) return [];
    // The chunks and the top blobs in one read, unless they were read already (signals, reranking).
    const read = fetched ?? (await this.chunks.findRanked(ranked, owner, topK));
    // The vector index is derived data; the database decides what a user owns.
    const chunksById = new Map(
      read.chunks.filter((c) => c.userPk === owner.userPk && c.projectId === owner.projectId).map((c) => [c.id, c]),
    );

    const byBlob = new Map<string, { score: number; scored: { chunk: ChunkRecord; score: number }[] }>();
    for (const { chunkId, score } of ranked) {
      const chunk = chunksById.get(chunkId);
      if (!chunk) continue;
      const entry = byBlob.get(chunk.blobId) ?? { score, scored: [] };
      entry.scored.push({ chunk, score });
      entry.score = Math.max(entry.score, score);
      byBlob.set(chunk.blobId, entry);
    }
    const top = [...byBlob.entries()].sort((a, b) => b[1].score - a[1].score).slice(0, topK);
    // The read ranks blobs as above (after the signals, by a guess); the top blobs it did not bring are read here.
    const missing = top.map(([blobId]) => blobId).filter((blobId) => !read.blobs.has(blobId));
    if (missing.length > 0)
      for (const blob of await this.blobs.findByIds(missing)) if (blob) read.blobs.set(blob.id, blob);
    const blobs = top.map(([blobId]) => read.blobs.get(blobId) ?? null);
    const matches: BlobMatch[] = [];
    top.forEach(([, entry], i) => {
      const blob = blobs[i];
      if (!blob || blob.userPk !== owner.userPk) return;
      matches.push({ blob, score: entry.score, hits: hitsFor(blob, entry.scored) });
    });
    return matches;
  }
}

const CHAT_ROLES: ReadonlySet<string> = new Set(['user', 'assistant', 'system', 'tool']);

/**
 * What the signals know of each chunk: its text, its blob's date, where it
 * sits, and who said it: chat and transcript chunks are searched as
 * "speaker: text" (a chat message's name, else its role).
 */
function candidatesOf(chunks: readonly ChunkRecord[]): Map<string, Candidate> {
  const out = new Map<string, Candidate>();
  for (const chunk of chunks) {
    let speaker: string | null = null;
    const prefix = chunk.searchText.slice(0, chunk.searchText.length - chunk.text.length);
    if (chunk.locator.kind !== 'text' && chunk.searchText.endsWith(chunk.text) && prefix.endsWith(': '))
      speaker = prefix.slice(0, -2);
    // A chat message without a name is searched under its role, which names no one.
    if (speaker !== null && CHAT_ROLES.has(speaker)) speaker = null;
    const index = chunk.locator.kind === 'message' ? chunk.locator.messageIndex : chunk.ordinal;
    out.set(chunk.id, { speaker, createdAt: chunk.createdAt, text: chunk.text, place: { blob: chunk.blobId, index } });
  }
  return out;
}

function hitsFor(blob: BlobRecord, scored: { chunk: ChunkRecord; score: number }[]): Hit[] {
  const hits = new Map<string, Hit>();
  for (const { chunk, score } of scored) {
    const hit = toHit(blob, chunk, score);
    if (!hit) continue;
    // Several chunks of one long message make one message hit, at its best score.
    const key = hit.kind === 'message' ? `m${hit.index}` : `${hit.kind}${hit.start}:${hit.end}`;
    const existing = hits.get(key);
    if (!existing || existing.score < hit.score) hits.set(key, hit);
  }
  return [...hits.values()].sort((a, b) => b.score - a.score);
}

function toHit(blob: BlobRecord, chunk: ChunkRecord, score: number): Hit | null {
  const { locator } = chunk;
  switch (locator.kind) {
    case 'message': {
      if (blob.content.type !== 'CHAT') return null;
      const message = blob.content.messages[locator.messageIndex];
      if (!message) return null;
      return { kind: 'message', index: locator.messageIndex, role: message.role, content: message.content, score };
    }
    case 'text': {
      const source = blobText(blob);
      if (source === null) return null;
      return {
        kind: 'text',
        start: locator.start,
        end: locator.end,
        text: source.slice(locator.start, locator.end),
        score,
      };
    }
    case 'time':
      return { kind: 'time', start: locator.start, end: locator.end, text: chunk.text, score };
    default: {
      const unreachable: never = locator;
      return unreachable;
    }
  }
}

/** The string that character spans index into. */
function blobText(blob: BlobRecord): string | null {
  switch (blob.content.type) {
    case 'DOC':
    case 'CODE':
      return blob.content.content;
    case 'SUMMARY':
      return blob.content.summary;
    default:
      return null;
  }
}
