// npm run clause-examples [-- --cv]
// Builds src/infra/extraction/fallback/clause-examples.data.ts, the labelled
// clauses the offline extractor's learned fallback votes with: every clause of
// the training sets that passes the extractor's gates, labelled with the slot
// of the expected fact whose words it holds, or "none" (negatives, chatter),
// embedded with USE-lite. Training sets: dev, heldout and fresh batches 1-7.
// Batch 8 and later are never read here: they are the unseen test.
//
// --cv: leave-one-set-out cross-validation of the vote over the clauses the
// rules leave unread, for each threshold: how many the fallback would file,
// how many rightly, how many facts the rules missed it finds, and junk (a
// memory for a negative). The threshold in knn.clause-classifier.ts is the
// lowest with precision >= 0.95 and no junk.

import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DEFAULT_PROFILE_CONFIG } from '../../src/domain/profile/default-profile.js';
import { UseLiteEmbedder } from '../../src/infra/embeddings/use-lite.embedder.js';
import {
  type ClauseExamples,
  decodeVectors,
  encodeVector,
} from '../../src/infra/extraction/fallback/clause-examples.js';
import { KnnClauseClassifier, vote } from '../../src/infra/extraction/fallback/knn.clause-classifier.js';
import { collectIntents, RuleBasedExtractor } from '../../src/infra/extraction/rules/rule-based.extractor.js';
import { type ExpectedFact, loadEvalSet, matches } from './score.js';

const TRAINING_SETS = [
  'test/extraction/dev/dev.json',
  'test/extraction/heldout/heldout.json',
  ...[1, 2, 3, 4, 5, 6, 7].map((i) => `test/extraction/fresh/batch${i}.json`),
];
const OUT = 'src/infra/extraction/fallback/clause-examples.data.ts';
const NOW = new Date('2026-11-29T12:00:00Z');

/** The sub-topic a fact expected only by topic ("interests") is filed under. */
const TOPIC_DEFAULT: Record<string, string> = {
  basic_info: 'origin',
  work: 'title',
  education: 'learning',
  family: 'parents',
  pets: 'other_pets',
  food: 'likes',
  interests: 'hobbies',
  health: 'conditions',
  psychological: 'personality',
  life_event: 'events',
};

interface Clause {
  set: string;
  negative: boolean;
  text: string;
  /** The rules read something from it. */
  read: boolean;
  /** "none", a slot, or null: holds only an optional fact's words (left out of training). */
  label: string | null;
  /** Slots a memory from this clause may rightly have (expected and optional facts whose words it holds). */
  allowed: ExpectedFact[];
  /** Facts the rules missed in this message whose words the clause holds. */
  missed: ExpectedFact[];
}

const fold = (s: string) => s.toLowerCase().replace(/\u2019/g, "'");
const holds = (clause: string, fact: ExpectedFact) => fact.words.every((w) => fold(clause).includes(fold(w)));
const fullSlot = (slot: string) => (slot.includes('/') ? slot : `${slot}/${TOPIC_DEFAULT[slot] ?? 'likes'}`);

async function clausesOf(path: string): Promise<Clause[]> {
  const set = loadEvalSet(path);
  const rules = new RuleBasedExtractor();
  const out: Clause[] = [];
  const seen = (text: string) => {
    const found: { text: string; read: boolean }[] = [];
    collectIntents([{ role: 'user', content: text }], DEFAULT_PROFILE_CONFIG, NOW, (clause, read) => {
      found.push({ text: clause, read: read.length > 0 });
      return read;
    });
    return found;
  };
  for (const c of set.facts) {
    const result = await rules.extract({
      messages: [{ role: 'user', content: c.text }],
      profile: DEFAULT_PROFILE_CONFIG,
      existing: [],
      now: NOW,
    });
    const written = result.operations.flatMap((op) =>
      op.kind === 'ADD' ? [{ slot: `${op.topic}/${op.subTopic}`, text: op.text }] : [],
    );
    const missedByRules = c.expect.filter((e) => !written.some((w) => matches(e, w)));
    for (const clause of seen(c.text)) {
      const allowed = [...c.expect, ...(c.optional ?? [])].filter((e) => holds(clause.text, e));
      const expected = c.expect.find((e) => holds(clause.text, e));
      out.push({
        set: path,
        negative: false,
        ...clause,
        label: expected ? fullSlot(expected.slot) : allowed.length > 0 ? null : 'none',
        allowed,
        missed: missedByRules.filter((e) => holds(clause.text, e)),
      });
    }
  }
  for (const n of set.negatives)
    for (const clause of seen(n.text))
      out.push({ set: path, negative: true, ...clause, label: 'none', allowed: [], missed: [] });
  return out;
}

function examplesOf(clauses: readonly Clause[], vectors: readonly number[][]): ClauseExamples {
  const labels = ['none', ...new Set(clauses.flatMap((c) => (c.label && c.label !== 'none' ? [c.label] : [])))];
  const kept = clauses.flatMap((c, i) => (c.label ? [{ label: labels.indexOf(c.label), vector: vectors[i]! }] : []));
  const encoded = kept.map((k) => encodeVector(k.vector));
  const bytes = Buffer.concat(encoded.map((e) => Buffer.from(e.bytes.buffer)));
  return {
    model: 'use-lite-512',
    dimension: 512,
    labels,
    label: kept.map((k) => k.label),
    vectors: bytes.toString('base64'),
    scale: encoded.map((e) => Number(e.scale.toPrecision(6))),
  };
}

const { values } = parseArgs({ options: { cv: { type: 'boolean', default: false } } });
const classifierGate = { accepts: KnnClauseClassifier.prototype.accepts };
const all = (await Promise.all(TRAINING_SETS.map(clausesOf))).flat();
const embedder = await UseLiteEmbedder.create();
try {
  const vectors = await embedder.embed(all.map((c) => c.text));
  if (values.cv) {
    console.log('leave-one-set-out, k=3, over the unread first-person clauses:');
    console.log('threshold  filed  right  new facts  junk  precision');
    for (let t = 0.7; t <= 0.9001; t += 0.01) {
      let filed = 0;
      let right = 0;
      let found = 0;
      let junk = 0;
      for (const held of TRAINING_SETS) {
        const train = all.map((c, i) => ({ c, v: vectors[i]! })).filter((x) => x.c.set !== held);
        const examples = examplesOf(
          train.map((x) => x.c),
          train.map((x) => x.v),
        );
        const matrix = decodeVectors(examples);
        all.forEach((c, i) => {
          if (c.set !== held || c.read || !classifierGate.accepts(c.text)) return;
          const slot = vote(matrix, examples, vectors[i]!, 3, t);
          if (!slot) return;
          const memory = { slot, text: c.text };
          filed++;
          if (c.negative) junk++;
          if (c.allowed.some((e) => matches({ ...e, words: [] }, memory))) right++;
          found += c.missed.filter((e) => matches({ ...e, words: [] }, memory)).length;
        });
      }
      console.log(
        `${t.toFixed(2).padStart(9)}  ${String(filed).padStart(5)}  ${String(right).padStart(5)}  ${String(found).padStart(9)}  ${String(junk).padStart(4)}  ${filed ? (right / filed).toFixed(3) : '-'}`,
      );
    }
  } else {
    const examples = examplesOf(all, vectors);
    writeFileSync(
      OUT,
      `// Generated by bench/extraction/clause-examples.ts (npm run clause-examples) from the labelled clauses of\n// test/extraction dev, heldout and fresh batches 1-7, embedded with USE-lite. Do not edit.\n\nimport type { ClauseExamples } from './clause-examples.js';\n\nexport const CLAUSE_EXAMPLES: ClauseExamples = ${JSON.stringify(examples)};\n`,
    );
    console.log(`${examples.label.length} clauses, ${examples.labels.length - 1} slots -> ${OUT}`);
  }
} finally {
  await embedder.close();
}
