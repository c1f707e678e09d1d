// npx tsx bench/extraction/speed.ts [WARM_SET] [MEASURED_SET] [--fallback]
// Per-message time of the offline extractor alone, warm: warms up on one set,
// then times every message of the other (and of the same messages with twelve
// different endings, so each is a distinct text), one extract() call each.
// --fallback: with the learned fallback (USE-lite in its worker; its CPU counts in the wall time).

import { readFileSync } from 'node:fs';
import { DEFAULT_PROFILE_CONFIG } from '../../src/domain/profile/default-profile.js';
import { UseLiteEmbedder } from '../../src/infra/embeddings/use-lite.embedder.js';
import { KnnClauseClassifier } from '../../src/infra/extraction/fallback/knn.clause-classifier.js';
import { RuleBasedExtractor } from '../../src/infra/extraction/rules/rule-based.extractor.js';
import type { EvalSet } from './score.js';

function messages(path: string): string[] {
  const set = JSON.parse(readFileSync(path, 'utf8')) as EvalSet;
  return [...set.facts.map((f) => f.text), ...set.negatives.map((n) => n.text), ...set.updates.flatMap((u) => u.turns)];
}

const args = process.argv.slice(2).filter((a) => a !== '--fallback');
const warmSet = messages(args[0] ?? 'test/extraction/dev/dev.json');
const measuredSet = messages(args[1] ?? 'test/extraction/heldout/heldout.json');
const embedder = process.argv.includes('--fallback') ? await UseLiteEmbedder.create() : null;
const extractor = new RuleBasedExtractor(embedder ? { classifier: new KnnClauseClassifier(embedder) } : {});
const run = async (texts: string[], ending: string) => {
  for (const text of texts)
    await extractor.extract({
      messages: [{ role: 'user', content: text + ending }],
      profile: DEFAULT_PROFILE_CONFIG,
      existing: [],
      now: new Date(),
    });
};

const started = performance.now();
await run(['Hello, I live in Paris.'], '');
const first = performance.now() - started;
for (const ending of ['', ' Thanks.']) await run(warmSet, ending);
let total = 0;
let count = 0;
for (const ending of [
  '',
  ' Thanks!',
  ' Cheers.',
  ' OK.',
  ' Right.',
  ' Yes.',
  ' No.',
  ' Hm.',
  ' Sure.',
  ' Fine.',
  ' Good.',
  ' Great.',
]) {
  const t = performance.now();
  await run(measuredSet, ending);
  total += performance.now() - t;
  count += measuredSet.length;
}
console.log(
  `first call ${first.toFixed(0)} ms; ${count} messages, ${(total / count).toFixed(3)} ms/message warm; rss ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB`,
);
await embedder?.close();
