// More re-ranking ideas measured on top of HYBRID's default (BENCHMARKS.md,
// "What each change bought"), each family chosen by leave-one-conversation-out
// like `--cv`, over the deep lists a `--cv --lists FILE` run saved:
//
//   npx tsx bench/locomo/signal-ideas.ts LISTS [FAMILY,...]
//
// Families (all but the first were not kept):
// - NEIGHBOUR: a share of the scores of the turns before/after (the `neighbour` signal, signals.ts);
// - AGREE: a bonus for turns in both the lexical and the semantic top k;
// - COVERAGE: a bonus for the share of the question's nouns (and verbs, compromise) a turn holds;
// - NORM: min-max or z-score normalisation of the lists before fusion instead of dividing by the best;
// - SESSION: a share of the best scores of the turn's session;
// - MEMORIES: the offline rule extractor over each turn; turns yielding a fact, or a fact sharing the
//   question's words, rank up;
// - and, with the lexical list re-ranked in memory by the server's rankWindows over the turns
//   (REPLICA reproduces the API's LEXICAL list): BM25 (k1, b), CONTEXT weights, POS term weights,
//   and SEMCTX (the semantic score of the neighbours).
import { readFile } from 'node:fs/promises';
import nlp from 'compromise';
import type { ScoredChunkId } from '../../src/domain/ports.js';
import { DEFAULT_PROFILE_CONFIG } from '../../src/domain/profile/default-profile.js';
import { relativeScoreFusion } from '../../src/domain/search/fusion.js';
import { type ChunkTerms, type ContextShift, rankWindows } from '../../src/domain/search/lexical-ranking.js';
import { DEFAULT_HYBRID } from '../../src/domain/search/query.service.js';
import { analyseQuestion, applySignals, NO_SIGNALS } from '../../src/domain/search/signals.js';
import { RuleBasedExtractor } from '../../src/infra/extraction/rules/rule-based.extractor.js';
import { tokenize } from './bm25.js';
import { candidatesOf, crossValidate, type QuestionLists, type Setting } from './cv.js';
import { type Conversation, loadLocomo } from './dataset.js';

const conversations = await loadLocomo('../shared/locomo/locomo-dev.json');
const asks = conversations.flatMap((c) => c.questions.map((question) => ({ conversation: c, question })));
const saved = JSON.parse(await readFile(process.argv[2] ?? '/work/retr-data/lists.json', 'utf8')) as {
  lists: Pick<QuestionLists, 'lexical' | 'semantic'>[];
};
const lists: QuestionLists[] = saved.lists.map((l, i) => ({ ...asks[i]!, ...l }));
const only = process.argv[3]?.split(',');

const byScore = (a: ScoredChunkId, b: ScoredChunkId) =>
  b.score - a.score || (a.chunkId < b.chunkId ? -1 : a.chunkId > b.chunkId ? 1 : 0);
const signals = { ...DEFAULT_HYBRID.signals, neighbour: 0 };

/** HYBRID at the server's default fusion and signals (neighbour off), over the given lists. */
function hybrid(l: QuestionLists, lexical = l.lexical, semantic = l.semantic, weight = DEFAULT_HYBRID.semanticWeight) {
  return applySignals(
    relativeScoreFusion([
      { items: semantic, weight },
      { items: lexical, weight: 1 },
    ]),
    candidatesOf(l.conversation),
    analyseQuestion(l.question.text),
    signals,
  );
}
const baseOf = new WeakMap<QuestionLists, ScoredChunkId[]>();
function base(l: QuestionLists): ScoredChunkId[] {
  let ranked = baseOf.get(l);
  if (!ranked) {
    ranked = hybrid(l);
    baseOf.set(l, ranked);
  }
  return ranked;
}
/** The base ranking with each score multiplied by factor(turn). */
function scaled(l: QuestionLists, factor: (chunkId: string) => number): ScoredChunkId[] {
  return base(l)
    .map((r) => ({ chunkId: r.chunkId, score: r.score * factor(r.chunkId) }))
    .sort(byScore);
}

const tokenSets = new Map<string, Set<string>>();
function tokens(text: string): Set<string> {
  let set = tokenSets.get(text);
  if (!set) {
    set = new Set(tokenize(text));
    tokenSets.set(text, set);
  }
  return set;
}
const share = (terms: ReadonlySet<string>, within: ReadonlySet<string>) => {
  let n = 0;
  for (const t of terms) if (within.has(t)) n++;
  return terms.size ? n / terms.size : 0;
};

// --- the lexical list in memory: rankWindows over each turn's stems ("speaker: text", as the server indexes it)
interface Doc {
  id: string;
  blobId: string;
  ordinal: number;
  tf: Map<string, number>;
}
const docsOf = new Map<Conversation, Doc[]>();
function docs(c: Conversation): Doc[] {
  let found = docsOf.get(c);
  if (!found) {
    found = c.sessions.flatMap((s) =>
      s.turns.map((t, ordinal) => {
        const tf = new Map<string, number>();
        for (const x of tokenize(`${t.speaker}: ${t.content}`)) tf.set(x, (tf.get(x) ?? 0) + 1);
        return { id: t.diaId, blobId: String(s.number), ordinal, tf };
      }),
    );
    docsOf.set(c, found);
  }
  return found;
}
function lexical(
  l: QuestionLists,
  options: { context?: ContextShift[]; bm25?: { k1: number; b: number }; termWeights?: Map<string, number> } = {},
): ScoredChunkId[] {
  const q = tokens(l.question.text);
  const chunks: ChunkTerms[] = docs(l.conversation).map((d) => {
    const terms = new Map<string, number>();
    for (const t of q) if (d.tf.has(t)) terms.set(t, d.tf.get(t)!);
    return { id: d.id, blobId: d.blobId, ordinal: d.ordinal, length: d.tf.size, terms };
  });
  return rankWindows({ chunks, documents: chunks.length, limit: 100, ...options });
}

const families: Record<string, () => Setting[]> = {
  NEIGHBOUR: () =>
    [0.05, 0.1, 0.2, 0.3].map((neighbour) => ({
      label: `neighbour ${neighbour}`,
      params: { neighbour },
      rank: (l: QuestionLists) =>
        applySignals(base(l), candidatesOf(l.conversation), analyseQuestion(l.question.text), {
          ...NO_SIGNALS,
          neighbour,
        }),
    })),
  AGREE: () =>
    [5, 10, 20, 50].flatMap((k) =>
      [0.1, 0.25, 0.5, 1].map((bonus) => ({
        label: `both top ${k} x${1 + bonus}`,
        params: { k, bonus },
        rank: (l: QuestionLists) => {
          const lex = new Set(l.lexical.slice(0, k).map((x) => x.chunkId));
          const both = new Set(
            l.semantic
              .slice(0, k)
              .map((x) => x.chunkId)
              .filter((id) => lex.has(id)),
          );
          return scaled(l, (id) => (both.has(id) ? 1 + bonus : 1));
        },
      })),
    ),
  COVERAGE: () => {
    const termsOf = new Map<string, Set<string>>();
    const content = (text: string, verbs: boolean) => {
      const key = `${verbs}\u0000${text}`;
      let terms = termsOf.get(key);
      if (!terms) {
        const doc = nlp(text);
        const words = doc.match('(#Noun|#Adjective) && !#Pronoun').out('array') as string[];
        if (verbs) words.push(...(doc.match('#Verb && !#Auxiliary && !#Copula').out('array') as string[]));
        terms = tokens(words.join(' '));
        termsOf.set(key, terms);
      }
      return terms;
    };
    return [0.1, 0.25, 0.5, 1].flatMap((c) =>
      [false, true].map((verbs) => ({
        label: `coverage ${c}${verbs ? ' with verbs' : ''}`,
        params: { c, verbs },
        rank: (l: QuestionLists) => {
          const terms = content(l.question.text, verbs);
          const turns = candidatesOf(l.conversation);
          return scaled(l, (id) => 1 + c * share(terms, tokens(turns.get(id)?.text ?? '')));
        },
      })),
    );
  },
  NORM: () => {
    const normalise = (items: readonly ScoredChunkId[], how: 'minmax' | 'z') => {
      const xs = items.map((x) => x.score);
      const max = Math.max(...xs);
      const min = Math.min(...xs);
      const mean = xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
      const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, xs.length)) || 1;
      return items.map((x) => ({
        chunkId: x.chunkId,
        score:
          how === 'minmax'
            ? max > min
              ? (x.score - min) / (max - min)
              : 1
            : Math.max(0, (x.score - (mean - 3 * sd)) / (6 * sd)),
      }));
    };
    return (['minmax', 'z', 'semantic-minmax'] as const).flatMap((how) =>
      [0.1, 0.2, 0.3, 0.5, 0.7, 1].map((w) => ({
        label: `${how} semantic ${w}`,
        params: { how, w },
        rank: (l: QuestionLists) =>
          hybrid(
            l,
            how === 'semantic-minmax' ? l.lexical : normalise(l.lexical, how),
            normalise(l.semantic, how === 'z' ? 'z' : 'minmax'),
            w,
          ),
      })),
    );
  },
  SESSION: () =>
    [0.05, 0.1, 0.2, 0.3].flatMap((s) =>
      [1, 3, 5].map((top) => ({
        label: `session ${s} of its best ${top}`,
        params: { s, top },
        rank: (l: QuestionLists) => {
          const turns = candidatesOf(l.conversation);
          const best = new Map<string, number[]>();
          for (const r of base(l)) {
            const blob = turns.get(r.chunkId)?.place?.blob ?? '';
            const xs = best.get(blob) ?? [];
            if (xs.length < top) xs.push(r.score);
            best.set(blob, xs);
          }
          return base(l)
            .map((r) => {
              const xs = best.get(turns.get(r.chunkId)?.place?.blob ?? '') ?? [];
              return { chunkId: r.chunkId, score: r.score + (s * xs.reduce((a, b) => a + b, 0)) / top };
            })
            .sort(byScore);
        },
      })),
    ),
  MEMORIES: () => {
    const facts = new Map<string, Set<string>[]>();
    const extractor = new RuleBasedExtractor();
    const ready = (async () => {
      for (const c of conversations)
        for (const s of c.sessions)
          for (const t of s.turns) {
            const { operations } = await extractor.extract({
              messages: [{ role: 'user', content: t.content }],
              profile: DEFAULT_PROFILE_CONFIG,
              existing: [],
              now: s.date,
            });
            facts.set(
              `${c.id}\u0000${t.diaId}`,
              operations.flatMap((o) =>
                o.kind === 'ADD' || o.kind === 'UPDATE'
                  ? [tokens(`${o.text} ${o.topic} ${o.subTopic} ${o.categories.join(' ')}`)]
                  : [],
              ),
            );
          }
    })();
    pending.push(ready);
    return [0, 0.1, 0.25, 0.5].flatMap((any) =>
      [0, 0.25, 0.5, 1].map((match) => ({
        label: `memories: any x${1 + any}, matching x(1 + ${match} share)`,
        params: { any, match },
        rank: (l: QuestionLists) => {
          const q = tokens(l.question.text);
          return scaled(l, (id) => {
            const found = facts.get(`${l.conversation.id}\u0000${id}`) ?? [];
            return 1 + (found.length ? any : 0) + match * Math.max(0, ...found.map((f) => share(q, f)));
          });
        },
      })),
    );
  },
  REPLICA: () => [{ label: 'replica', params: {}, rank: (l: QuestionLists) => hybrid(l, lexical(l)) }],
  BM25: () =>
    [0.6, 0.9, 1.2, 1.6, 2].flatMap((k1) =>
      [0.3, 0.5, 0.75, 0.9].map((b) => ({
        label: `k1 ${k1} b ${b}`,
        params: { k1, b },
        rank: (l: QuestionLists) => hybrid(l, lexical(l, { bm25: { k1, b } })),
      })),
    ),
  CONTEXT: () =>
    [0.25, 0.5, 0.75].flatMap((prev) =>
      [0, 0.25, 0.5].flatMap((prev2) =>
        [0.25, 0.5, 0.75].map((next) => {
          const context = [
            { shift: 0, weight: 1 },
            { shift: 1, weight: prev },
            { shift: -1, weight: next },
            ...(prev2 ? [{ shift: 2, weight: prev2 }] : []),
          ];
          return {
            label: `context before ${prev}, ${prev2}; after ${next}`,
            params: { prev, prev2, next },
            rank: (l: QuestionLists) => hybrid(l, lexical(l, { context })),
          };
        }),
      ),
    ),
  POS: () => {
    const tagsOf = new Map<string, Map<string, string>>();
    const tags = (text: string) => {
      let found = tagsOf.get(text);
      if (!found) {
        found = new Map();
        for (const sentence of nlp(text).json() as { terms: { normal: string; tags: string[] }[] }[])
          for (const term of sentence.terms) {
            const has = (tag: string) => term.tags.includes(tag);
            const tag = has('ProperNoun')
              ? 'proper'
              : has('Noun') && !has('Pronoun')
                ? 'noun'
                : has('Verb')
                  ? 'verb'
                  : has('Adjective')
                    ? 'adjective'
                    : 'other';
            for (const stem of tokenize(term.normal)) if (!found.has(stem)) found.set(stem, tag);
          }
        tagsOf.set(text, found);
      }
      return found;
    };
    const out: Setting[] = [];
    for (const proper of [1, 1.5])
      for (const verb of [0.5, 0.75, 1])
        for (const adjective of [0.5, 1])
          for (const other of [0.5, 1]) {
            const weights: Record<string, number> = { proper, noun: 1, verb, adjective, other };
            out.push({
              label: `terms: proper ${proper}, verb ${verb}, adjective ${adjective}, other ${other}`,
              params: weights,
              rank: (l) =>
                hybrid(
                  l,
                  lexical(l, {
                    termWeights: new Map([...tags(l.question.text)].map(([stem, tag]) => [stem, weights[tag]!])),
                  }),
                ),
            });
          }
    return out;
  },
  SEMCTX: () =>
    [0.1, 0.2, 0.3, 0.5].flatMap((s) =>
      [0.3, 0.5].map((w) => ({
        label: `semantic + ${s} x neighbours' semantic, weight ${w}`,
        params: { s, w },
        rank: (l: QuestionLists) => {
          const turns = candidatesOf(l.conversation);
          const at = new Map<string, number>();
          for (const x of l.semantic) {
            const p = turns.get(x.chunkId)?.place;
            if (p) at.set(`${p.blob}\u0000${p.index}`, x.score);
          }
          const semantic = l.semantic.map((x) => {
            const p = turns.get(x.chunkId)?.place;
            if (!p) return x;
            const around = Math.max(
              at.get(`${p.blob}\u0000${p.index - 1}`) ?? 0,
              at.get(`${p.blob}\u0000${p.index + 1}`) ?? 0,
            );
            return { chunkId: x.chunkId, score: x.score + s * around };
          });
          return hybrid(l, l.lexical, semantic, w);
        },
      })),
    ),
};

const pending: Promise<void>[] = [];
const baseSetting: Setting = { label: 'base', params: {}, rank: base };
const settings: Record<string, Setting[]> = { BASE: [baseSetting] };
for (const [name, make] of Object.entries(families))
  if (!only || only.includes(name)) settings[name] = name === 'REPLICA' ? make() : [baseSetting, ...make()];
await Promise.all(pending);

const result = crossValidate(lists, settings);
const f = (x: number | undefined) => (x ?? 0).toFixed(3);
for (const [mode, s] of Object.entries(result.modes))
  console.log(
    `${mode}: R@1 ${f(s.overall['recall@1'])} R@5 ${f(s.overall['recall@5'])} R@10 ${f(s.overall['recall@10'])} MRR ${f(s.overall.mrr)}; multi-hop R@10 ${f(s.byCategory['1']?.['recall@10'])}; temporal R@1 ${f(s.byCategory['2']?.['recall@1'])}; chosen on all: ${result.chosenOnAll[mode]?.label}; folds: ${(result.folds[mode] ?? []).map((x) => x.chosen).join(' | ')}`,
  );
