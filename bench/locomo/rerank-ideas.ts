// Re-ranking ideas measured and not kept (BENCHMARKS.md, "Tried and not
// kept"): each is a family of settings on top of HYBRID's chosen setting,
// chosen by leave-one-conversation-out like `--cv`, over the deep lists a
// `--cv --lists FILE` run saved. `npx tsx bench/locomo/rerank-ideas.ts FILE`.
//
// - pseudo-relevance feedback: the terms that weigh most in the top fb
//   candidates (tf x idf over the candidates) raise the candidates holding
//   them;
// - session diversity: past `per` picks from one session, a candidate loses
//   a share lambda per extra pick (multi-hop answers span sessions).
import { readFile } from 'node:fs/promises';
import type { ScoredChunkId } from '../../src/domain/ports.js';
import { relativeScoreFusion } from '../../src/domain/search/fusion.js';
import { DEFAULT_HYBRID } from '../../src/domain/search/query.service.js';
import { analyseQuestion, applySignals, type Candidate } from '../../src/domain/search/signals.js';
import { tokenize } from './bm25.js';
import { candidatesOf, crossValidate, type QuestionLists, type Setting } from './cv.js';
import { loadLocomo } from './dataset.js';

const conversations = await loadLocomo('../shared/locomo/locomo-dev.json');
const asks = conversations.flatMap((c) => c.questions.map((question) => ({ conversation: c, question })));
const saved = JSON.parse(await readFile(process.argv[2] ?? '/work/retr/lists0.json', 'utf8')) as {
  lists: Pick<QuestionLists, 'lexical' | 'semantic'>[];
};
const lists: QuestionLists[] = saved.lists.map((l, i) => ({ ...asks[i]!, ...l }));

/** Each turn's stemmed words (bm25.ts, PostgreSQL's English normalisation), per conversation (turn ids repeat across them). */
const tokensOf = new WeakMap<ReadonlyMap<string, Candidate>, Map<string, string[]>>();
function tokens(candidates: ReadonlyMap<string, Candidate>, id: string): string[] {
  let conversation = tokensOf.get(candidates);
  if (!conversation) {
    conversation = new Map();
    tokensOf.set(candidates, conversation);
  }
  let found = conversation.get(id);
  if (!found) {
    found = tokenize(candidates.get(id)?.text ?? '');
    conversation.set(id, found);
  }
  return found;
}

/** HYBRID as User.query ranks it by default: the fusion and signals of DEFAULT_HYBRID. */
const base = (l: QuestionLists) =>
  applySignals(
    relativeScoreFusion([
      { items: l.semantic, weight: DEFAULT_HYBRID.semanticWeight },
      { items: l.lexical, weight: 1 },
    ]),
    candidatesOf(l.conversation),
    analyseQuestion(l.question.text),
    DEFAULT_HYBRID.signals,
  );

interface Prf {
  fb: number;
  terms: number;
  beta: number;
}
function prf(l: QuestionLists, p: Prf): ScoredChunkId[] {
  const ranked = base(l);
  const cm = candidatesOf(l.conversation);
  const q = new Set(tokenize(l.question.text));
  // df over the candidate set
  const df = new Map<string, number>();
  for (const r of ranked) for (const t of new Set(tokens(cm, r.chunkId))) df.set(t, (df.get(t) ?? 0) + 1);
  const N = ranked.length;
  const w = new Map<string, number>();
  for (const r of ranked.slice(0, p.fb)) {
    const toks = tokens(cm, r.chunkId);
    if (!toks.length) continue;
    const tf = new Map<string, number>();
    for (const t of toks) tf.set(t, (tf.get(t) ?? 0) + 1);
    for (const [t, n] of tf) {
      if (q.has(t)) continue;
      const idf = Math.log(1 + N / (df.get(t) ?? 1));
      w.set(t, (w.get(t) ?? 0) + (n / toks.length) * idf);
    }
  }
  const top = [...w].sort((a, b) => b[1] - a[1]).slice(0, p.terms);
  if (!top.length) return ranked;
  const max = ranked[0]!.score || 1;
  const exp = ranked.map((r) => {
    const toks = new Set(tokens(cm, r.chunkId));
    let s = 0;
    for (const [t, wt] of top) if (toks.has(t)) s += wt;
    return s;
  });
  const emax = Math.max(...exp) || 1;
  return ranked
    .map((r, i) => ({ chunkId: r.chunkId, score: r.score / max + p.beta * (exp[i]! / emax) }))
    .sort((a, b) => b.score - a.score || (a.chunkId < b.chunkId ? -1 : 1));
}

function diversify(l: QuestionLists, per: number, lambda: number): ScoredChunkId[] {
  const ranked = base(l);
  const cm = candidatesOf(l.conversation);
  const out: ScoredChunkId[] = [];
  const seen = new Map<string, number>();
  // greedy: repeatedly pick best adjusted score
  const pool = ranked.map((r) => ({ ...r }));
  while (pool.length && out.length < 30) {
    let bi = 0;
    let bs = -1;
    pool.forEach((r, i) => {
      const blob = cm.get(r.chunkId)?.place?.blob ?? r.chunkId;
      const k = seen.get(blob) ?? 0;
      const adj = k >= per ? r.score * (1 - lambda) ** (k - per + 1) : r.score;
      if (adj > bs) {
        bs = adj;
        bi = i;
      }
    });
    const [r] = pool.splice(bi, 1);
    const blob = cm.get(r!.chunkId)?.place?.blob ?? r!.chunkId;
    seen.set(blob, (seen.get(blob) ?? 0) + 1);
    out.push({ chunkId: r!.chunkId, score: 1000 - out.length });
  }
  return out.concat(pool.map((r) => ({ chunkId: r.chunkId, score: -1 })));
}
const feedback: Setting[] = [{ label: 'base', params: {}, rank: base }];
const diversity: Setting[] = [{ label: 'base', params: {}, rank: base }];
for (const per of [1, 2, 3])
  for (const lambda of [0.1, 0.2, 0.35, 0.5])
    diversity.push({
      label: `div per${per} l${lambda}`,
      params: { per, lambda },
      rank: (l) => diversify(l, per, lambda),
    });

for (const fb of [3, 5, 10])
  for (const terms of [5, 10, 20])
    for (const beta of [0.05, 0.1, 0.2, 0.3])
      feedback.push({
        label: `prf fb${fb} t${terms} b${beta}`,
        params: { fb, terms, beta },
        rank: (l) => prf(l, { fb, terms, beta }),
      });

const result = crossValidate(lists, { BASE: [feedback[0]!], FEEDBACK: feedback, DIVERSITY: diversity });
for (const [mode, s] of Object.entries(result.modes)) {
  const o = s.overall;
  const mh = s.byCategory['1'];
  console.log(
    mode,
    o['recall@1'].toFixed(3),
    o['recall@10'].toFixed(3),
    o.mrr.toFixed(3),
    'multi-hop R@10',
    mh?.['recall@10'].toFixed(3),
    'chosen',
    result.chosenOnAll[mode]?.label,
  );
}
for (const mode of ['FEEDBACK', 'DIVERSITY'])
  for (const f of result.folds[mode] ?? []) console.log(mode, f.heldOut, f.chosen);
