// Leave-one-conversation-out cross-validation of HYBRID's ranking parameters
// (`npm run eval:locomo -- --cv`).
//
// Each question is asked once per list through the API, deep (the lexical and
// the semantic list, as deep as User.query reads them at topK 10); every
// parameter setting then re-ranks those lists in memory with the same domain
// code the server runs. Nothing is ingested or embedded twice.
//
// For each conversation held out in turn, the setting with the best mean of
// recall@1, recall@10 and MRR on the OTHER conversations is chosen and scored
// on the held-out one. The cross-validated table pools the held-out scores:
// every question is scored by a setting chosen without it or its
// conversation. LEXICAL and SEMANTIC have no parameters here; they are the
// lists as the API ranks them.

import type { ScoredChunkId } from '../../src/domain/ports.js';
import { reciprocalRankFusion, relativeScoreFusion } from '../../src/domain/search/fusion.js';
import { candidateCount } from '../../src/domain/search/query.service.js';
import {
  analyseQuestion,
  applySignals,
  type Candidate,
  type QuestionSignals,
  type SignalBoosts,
} from '../../src/domain/search/signals.js';
import { table } from '../lib/stats.js';
import { CATEGORY_NAMES, type Conversation, type Question } from './dataset.js';
import { type ModeScores, ScoreTable, type Scores, scoreQuestion } from './metrics.js';

/** How deep User.query reads each list at topK 10: the depth of the in-memory replica. */
export const LIST_DEPTH = candidateCount(10);

/** One question's deep lists, turn ids (dia_ids) best first. */
export interface QuestionLists {
  conversation: Conversation;
  question: Question;
  lexical: readonly ScoredChunkId[];
  semantic: readonly ScoredChunkId[];
}

/** A way to rank one question's candidates; `params` is what is reported when it is chosen. */
export interface Setting {
  label: string;
  params: Record<string, string | number | boolean>;
  rank(lists: QuestionLists): readonly ScoredChunkId[];
}

/** The fusions tried: relative score fusion with the semantic list's weight from 0.1 to 1, weighted RRF at two k. */
type Fusion = Omit<Setting, 'rank'> & { fuse: (l: QuestionLists) => ScoredChunkId[] };
function fusions(): Fusion[] {
  const out: Fusion[] = [];
  for (const semanticWeight of [0.1, 0.2, 0.3, 0.5, 1]) {
    out.push({
      label: `relative score, semantic ${semanticWeight}`,
      params: { fusion: 'relative-score', semanticWeight },
      fuse: (l) =>
        relativeScoreFusion([
          { items: l.semantic, weight: semanticWeight },
          { items: l.lexical, weight: 1 },
        ]),
    });
  }
  for (const k of [10, 60]) {
    for (const semanticWeight of [0.25, 0.5, 1]) {
      out.push({
        label: `reciprocal rank, k ${k}, semantic ${semanticWeight}`,
        params: { fusion: 'reciprocal-rank', k, semanticWeight },
        fuse: (l) =>
          reciprocalRankFusion(
            [
              { items: l.semantic, weight: semanticWeight },
              { items: l.lexical, weight: 1 },
            ],
            { k },
          ),
      });
    }
  }
  return out;
}

/** The signal boosts tried (signals.ts): each signal off or at a few strengths. */
export const SIGNAL_GRID = {
  speaker: [0, 0.25, 0.5, 1],
  when: [0, 0.5, 1],
  period: [0, 1],
  neighbour: [0, 0.05, 0.1, 0.2],
  adjacent: [0, 0.3, 0.6],
} as const;

export type SignalName = keyof typeof SIGNAL_GRID;
export const SIGNAL_NAMES = Object.keys(SIGNAL_GRID) as SignalName[];

export interface GridOptions {
  /** The signals (signals.ts) tried on top of each fusion; the others stay off. [] = fusion alone. */
  signals: readonly SignalName[];
}

/**
 * The HYBRID grid: every fusion, times every combination of signal boosts.
 * Each setting is scored on every question once; folds only choose.
 */
export function hybridGrid(options: GridOptions = { signals: SIGNAL_NAMES }): Setting[] {
  const values = (name: SignalName): readonly number[] => (options.signals.includes(name) ? SIGNAL_GRID[name] : [0]);
  const combos: SignalBoosts[] = [];
  for (const speaker of values('speaker'))
    for (const when of values('when'))
      for (const period of values('period'))
        for (const neighbour of values('neighbour'))
          for (const adjacent of values('adjacent')) combos.push({ speaker, when, period, neighbour, adjacent });
  const settings: Setting[] = [];
  for (const fusion of fusions()) {
    // Each fusion of each question is computed once, whatever the signals.
    const fusedOf = new WeakMap<QuestionLists, ScoredChunkId[]>();
    const fuse = (l: QuestionLists) => {
      let fused = fusedOf.get(l);
      if (!fused) {
        fused = fusion.fuse(l);
        fusedOf.set(l, fused);
      }
      return fused;
    };
    for (const boosts of combos) {
      const on = Object.entries(boosts).filter(([, v]) => v > 0);
      settings.push({
        label: on.length ? `${fusion.label}; ${on.map(([k, v]) => `${k} ${v}`).join(', ')}` : fusion.label,
        params: { ...fusion.params, ...boosts },
        rank: (l) => {
          const fused = fuse(l);
          return on.length ? applySignals(fused, candidatesOf(l.conversation), questionOf(l.question), boosts) : fused;
        },
      });
    }
  }
  return settings;
}

const candidateMaps = new WeakMap<Conversation, Map<string, Candidate>>();
/** A conversation's turns as the server sees them: the speaker's name, the session's date, the text. */
export function candidatesOf(conversation: Conversation): Map<string, Candidate> {
  let map = candidateMaps.get(conversation);
  if (!map) {
    const fresh = new Map<string, Candidate>();
    map = fresh;
    for (const session of conversation.sessions)
      session.turns.forEach((turn, index) => {
        fresh.set(turn.diaId, {
          speaker: turn.speaker,
          createdAt: session.date,
          text: turn.content,
          place: { blob: String(session.number), index },
        });
      });
    candidateMaps.set(conversation, map);
  }
  return map;
}

const questionSignals = new WeakMap<Question, QuestionSignals>();
function questionOf(question: Question): QuestionSignals {
  let signals = questionSignals.get(question);
  if (!signals) {
    signals = analyseQuestion(question.text);
    questionSignals.set(question, signals);
  }
  return signals;
}

export const FIXED_MODES: Record<'LEXICAL' | 'SEMANTIC', Setting> = {
  LEXICAL: { label: 'the API ranking', params: {}, rank: (l) => l.lexical },
  SEMANTIC: { label: 'the API ranking', params: {}, rank: (l) => l.semantic },
};

/** What a setting is chosen by: the mean of recall@1, recall@10 and MRR over the questions. */
export function objective(scores: readonly Omit<Scores, 'questions'>[]): number {
  if (scores.length === 0) return 0;
  return scores.reduce((sum, s) => sum + (s['recall@1'] + s['recall@10'] + s.mrr) / 3, 0) / scores.length;
}

export interface Fold {
  heldOut: string;
  chosen: string;
  params: Record<string, string | number | boolean>;
  trainObjective: number;
  heldOutScores: Scores;
}

export interface CrossValidated {
  modes: Record<string, ModeScores>;
  folds: Record<string, Fold[]>;
  /** The setting chosen on all conversations together: what the server's defaults should be. */
  chosenOnAll: Record<string, { label: string; params: Setting['params']; objective: number }>;
}

/** Leave-one-conversation-out over `questions`, for each mode's settings. */
export function crossValidate(
  questions: readonly QuestionLists[],
  settingsByMode: Record<string, readonly Setting[]>,
): CrossValidated {
  const conversationIds = [...new Set(questions.map((q) => q.conversation.id))];
  const modes: Record<string, ModeScores> = {};
  const folds: Record<string, Fold[]> = {};
  const chosenOnAll: CrossValidated['chosenOnAll'] = {};
  for (const [mode, settings] of Object.entries(settingsByMode)) {
    // Every setting's score of every question, computed once.
    const scored = settings.map((setting) =>
      questions.map((q) =>
        scoreQuestion(
          setting.rank(q).map((x) => x.chunkId),
          q.question.evidence,
        ),
      ),
    );
    const best = (keep: (q: QuestionLists) => boolean) => {
      let bestIndex = 0;
      let bestValue = Number.NEGATIVE_INFINITY;
      scored.forEach((rows, i) => {
        const value = objective(rows.filter((_, j) => keep(questions[j]!)));
        if (value > bestValue) {
          bestValue = value;
          bestIndex = i;
        }
      });
      return { index: bestIndex, value: bestValue };
    };
    const pooled = new ScoreTable();
    folds[mode] = conversationIds.map((heldOut) => {
      const { index, value } = best((q) => q.conversation.id !== heldOut);
      const heldOutTable = new ScoreTable();
      questions.forEach((q, j) => {
        if (q.conversation.id !== heldOut) return;
        pooled.add(q.question.category, scored[index]![j]!);
        heldOutTable.add(q.question.category, scored[index]![j]!);
      });
      return {
        heldOut,
        chosen: settings[index]!.label,
        params: settings[index]!.params,
        trainObjective: value,
        heldOutScores: heldOutTable.result().overall,
      };
    });
    modes[mode] = pooled.result();
    const all = best(() => true);
    chosenOnAll[mode] = {
      label: settings[all.index]!.label,
      params: settings[all.index]!.params,
      objective: all.value,
    };
  }
  return { modes, folds, chosenOnAll };
}

export function renderCrossValidated(result: CrossValidated, header: readonly string[]): string {
  const f = (x: number) => x.toFixed(3);
  const overall = table(
    ['mode', 'recall@1', 'recall@5', 'recall@10', 'MRR', 'questions'],
    Object.entries(result.modes).map(([mode, s]) => [
      mode,
      f(s.overall['recall@1']),
      f(s.overall['recall@5']),
      f(s.overall['recall@10']),
      f(s.overall.mrr),
      s.overall.questions,
    ]),
  );
  const categories = [...new Set(Object.values(result.modes).flatMap((s) => Object.keys(s.byCategory)))].sort();
  const byCategory = table(
    ['mode', ...categories.map((c) => `${c} ${CATEGORY_NAMES[Number(c)] ?? ''} R@1 / R@10 / MRR (n)`)],
    Object.entries(result.modes).map(([mode, s]) => [
      mode,
      ...categories.map((c) => {
        const x = s.byCategory[c];
        return x ? `${f(x['recall@1'])} / ${f(x['recall@10'])} / ${f(x.mrr)} (${x.questions})` : '';
      }),
    ]),
  );
  const folds = table(
    ['held out', 'HYBRID setting chosen on the others', 'held-out R@1 / R@10 / MRR'],
    (result.folds.HYBRID ?? []).map((fold) => [
      fold.heldOut,
      fold.chosen,
      `${f(fold.heldOutScores['recall@1'])} / ${f(fold.heldOutScores['recall@10'])} / ${f(fold.heldOutScores.mrr)}`,
    ]),
  );
  const all = result.chosenOnAll.HYBRID;
  return [
    ...header,
    '',
    overall,
    '',
    byCategory,
    '',
    folds,
    '',
    all ? `Chosen on all conversations together (the server's default should be this): ${all.label}.` : '',
  ].join('\n');
}
