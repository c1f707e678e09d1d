// Signals HYBRID adds to the fused ranking, read from the question and from
// each candidate chunk (what was said, by whom, when). Pure: the query
// service fetches the candidates, this reorders them.
//
// - speaker: a question that names someone ("What did Maria paint?") favours
//   what that person said. A candidate's speaker is the name on its chat
//   message (or transcript segment).
// - when: a question asking when something happened favours chunks that say
//   when ("yesterday", "last May", "in 2019"), found by chrono-node.
// - period: a question naming a date or a period ("in May 2023") favours
//   chunks of blobs created within it.
// - neighbour: a candidate gains a share of the scores of the candidates
//   right before and after it in the same blob. A reply ("Yes, went there
//   last week!") carries few of the question's words; the message it answers
//   often carries them, and the reply is where the answer is.
// - adjacent: a candidate right next to a better one in the same blob (the
//   message before or after it) is lowered: lexical context windows give
//   neighbours similar scores, and a run of one exchange's messages would
//   crowd out the other places an answer spans.
//
// Each boost multiplies a candidate's fused score by (1 + its boost), the
// neighbour share adds to it, and the adjacency penalty multiplies it by
// (1 - penalty), so the signals only reorder what the lexical and semantic
// lists already found. The
// boosts are chosen by leave-one-conversation-out on LoCoMo (BENCHMARKS.md).

// English only: the package's root loads every locale (about 0.6 s more at start).
import * as chrono from 'chrono-node/en';
import type { ScoredChunkId, SignalHint } from '../ports.js';

export interface SignalBoosts {
  speaker: number;
  when: number;
  period: number;
  /** The share of its neighbours' scores (the chunks just before and after it in its blob) a candidate gains. */
  neighbour: number;
  /** 0 to below 1: how much a candidate next to a better one loses. */
  adjacent: number;
}

export const NO_SIGNALS: SignalBoosts = { speaker: 0, when: 0, period: 0, neighbour: 0, adjacent: 0 };

/** Whether any signal is on. */
export function hasSignals(boosts: SignalBoosts): boolean {
  return boosts.speaker > 0 || boosts.when > 0 || boosts.period > 0 || boosts.neighbour > 0 || boosts.adjacent > 0;
}

export interface Candidate {
  /** Who said it, when the chunk is one person's words. */
  speaker: string | null;
  /** The blob's date. */
  createdAt: Date;
  /** The chunk's own text. */
  text: string;
  /** Where it sits: its blob and its message (or chunk) index there; null when unknown. */
  place: { blob: string; index: number } | null;
}

export interface QuestionSignals {
  /** Lower-cased words of the question. */
  words: ReadonlySet<string>;
  asksWhen: boolean;
  /** A date or period the question names, as a half-open interval. */
  period: { start: Date; end: Date } | null;
}

const WHEN = /\b(when|what (year|month|day|date|time)|which (year|month|day|date)|how long ago|since when)\b/i;

/** Reads what the signals need from a question. */
export function analyseQuestion(text: string): QuestionSignals {
  return {
    words: new Set(text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []),
    asksWhen: WHEN.test(text),
    period: namedPeriod(text),
  };
}

/**
 * A period named with at least a year or a month ("in May 2023", "in 2022",
 * "on 3 June"): from its start to the end of the least certain unit named.
 * Relative expressions ("last week") are left out: the question's own date
 * says nothing about when things happened.
 */
function namedPeriod(text: string): { start: Date; end: Date } | null {
  for (const result of chrono.parse(text)) {
    const start = result.start;
    if (!start.isCertain('year') && !start.isCertain('month')) continue;
    if (/\b(ago|last|next|this|yesterday|today|tomorrow)\b/i.test(result.text)) continue;
    const year = start.get('year');
    const month = start.isCertain('month') ? start.get('month') : null;
    const day = start.isCertain('day') ? start.get('day') : null;
    if (year === null) continue;
    const from = new Date(Date.UTC(year, (month ?? 1) - 1, day ?? 1));
    const to =
      day !== null && month !== null
        ? new Date(Date.UTC(year, month - 1, day + 1))
        : month !== null
          ? new Date(Date.UTC(year, month, 1))
          : new Date(Date.UTC(year + 1, 0, 1));
    if (result.end?.isCertain('year') || result.end?.isCertain('month')) {
      const endDate = result.end.date();
      return { start: from, end: new Date(Math.max(to.getTime(), endDate.getTime())) };
    }
    return { start: from, end: to };
  }
  // chrono-node leaves a bare year alone ("in 2022").
  const year = /\b(?:in|during|of|from|since|around)\s+((?:1[89]|20)\d\d)\b/i.exec(text)?.[1];
  if (year) return { start: new Date(Date.UTC(Number(year), 0, 1)), end: new Date(Date.UTC(Number(year) + 1, 0, 1)) };
  return null;
}

/**
 * What the chunk read needs to foresee the signals (ChunkRepository.findRanked
 * brings the blobs of the best chunks in the same statement); null when no
 * signal can apply to this question.
 */
export function signalHint(question: QuestionSignals, boosts: SignalBoosts): SignalHint | null {
  const when = question.asksWhen ? boosts.when : 0;
  const period = question.period && boosts.period ? { ...question.period, boost: boosts.period } : null;
  if (boosts.speaker === 0 && when === 0 && period === null) return null;
  return { words: [...question.words], speaker: boosts.speaker, when, period };
}

const hasDate = new Map<string, boolean>();

/** Whether a text says when (a date or a relative time chrono-node can read). Cached: the same chunks come back often. */
function saysWhen(text: string): boolean {
  let found = hasDate.get(text);
  if (found === undefined) {
    found = chrono.parse(text).length > 0;
    if (hasDate.size > 10_000) hasDate.clear();
    hasDate.set(text, found);
  }
  return found;
}

/** Whether the question names the speaker: every word of the name (or its first word) is a word of the question. */
function named(speaker: string, words: ReadonlySet<string>): boolean {
  const parts = speaker.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  return parts.length > 0 && (parts.every((p) => words.has(p)) || words.has(parts[0]!));
}

/**
 * Multiplies each ranked item's score by 1 + the boosts of the signals it
 * carries, adds the neighbour share of the (boosted) scores of the items
 * next to it in its blob, lowers items next to a better one (adjacent), and
 * re-sorts, best first (ties by id). Items with no candidate information
 * keep their score.
 */
export function applySignals(
  ranked: readonly ScoredChunkId[],
  candidates: ReadonlyMap<string, Candidate>,
  question: QuestionSignals,
  boosts: SignalBoosts,
): ScoredChunkId[] {
  if (!hasSignals(boosts)) return [...ranked];
  const speakers = new Map<string, boolean>();
  const out = ranked.map(({ chunkId, score }) => {
    const candidate = candidates.get(chunkId);
    if (!candidate) return { chunkId, score };
    let factor = 1;
    if (boosts.speaker && candidate.speaker) {
      let isNamed = speakers.get(candidate.speaker);
      if (isNamed === undefined) {
        isNamed = named(candidate.speaker, question.words);
        speakers.set(candidate.speaker, isNamed);
      }
      if (isNamed) factor += boosts.speaker;
    }
    if (boosts.when && question.asksWhen && saysWhen(candidate.text)) factor += boosts.when;
    if (
      boosts.period &&
      question.period &&
      candidate.createdAt >= question.period.start &&
      candidate.createdAt < question.period.end
    )
      factor += boosts.period;
    return { chunkId, score: score * factor };
  });
  const withNeighbours = boosts.neighbour ? addNeighbours(out, candidates, boosts.neighbour) : out;
  withNeighbours.sort(byScore);
  if (boosts.adjacent === 0) return withNeighbours;
  const taken = new Set<string>();
  for (const item of withNeighbours) {
    const place = candidates.get(item.chunkId)?.place;
    if (!place) continue;
    const at = (index: number) => `${place.blob}\u0000${index}`;
    if (taken.has(at(place.index - 1)) || taken.has(at(place.index + 1))) item.score *= 1 - boosts.adjacent;
    taken.add(at(place.index));
  }
  return withNeighbours.sort(byScore);
}

/** Each item's score plus `share` of the scores of the items just before and after it in its blob (their scores as given). */
function addNeighbours(
  items: readonly ScoredChunkId[],
  candidates: ReadonlyMap<string, Candidate>,
  share: number,
): ScoredChunkId[] {
  const at = (blob: string, index: number) => `${blob}\u0000${index}`;
  const scoreAt = new Map<string, number>();
  for (const item of items) {
    const place = candidates.get(item.chunkId)?.place;
    // Several chunks of one long message share its index: the best one speaks for it.
    if (place)
      scoreAt.set(at(place.blob, place.index), Math.max(item.score, scoreAt.get(at(place.blob, place.index)) ?? 0));
  }
  return items.map(({ chunkId, score }) => {
    const place = candidates.get(chunkId)?.place;
    if (!place) return { chunkId, score };
    const around =
      (scoreAt.get(at(place.blob, place.index - 1)) ?? 0) + (scoreAt.get(at(place.blob, place.index + 1)) ?? 0);
    return { chunkId, score: score + share * around };
  });
}

function byScore(a: ScoredChunkId, b: ScoredChunkId): number {
  return b.score - a.score || (a.chunkId < b.chunkId ? -1 : a.chunkId > b.chunkId ? 1 : 0);
}
