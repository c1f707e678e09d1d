// npm run eval:extractor -- [--set dev|heldout|PATH] [--fallback] [--show] [--json OUT]
// Scores the offline extractor on a hand-written set (see bench/extraction/score.ts).
// --fallback adds the learned fallback (USE-lite k-nearest-neighbours over labelled clauses) to the rules.
// --show prints every miss, wrong memory, junk and failed update (use it on dev only).

import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DEFAULT_PROFILE_CONFIG } from '../../src/domain/profile/default-profile.js';
import { UseLiteEmbedder } from '../../src/infra/embeddings/use-lite.embedder.js';
import { KnnClauseClassifier } from '../../src/infra/extraction/fallback/knn.clause-classifier.js';
import { RuleBasedExtractor } from '../../src/infra/extraction/rules/rule-based.extractor.js';
import { loadEvalSet, score } from './score.js';

const { values } = parseArgs({
  options: {
    set: { type: 'string', default: 'dev' },
    show: { type: 'boolean', default: false },
    fallback: { type: 'boolean', default: false },
    json: { type: 'string' },
  },
});
const set = values.set ?? 'dev';
const path = set === 'dev' || set === 'heldout' ? `test/extraction/${set}/${set}.json` : set;

const embedder = values.fallback ? await UseLiteEmbedder.create() : null;
const started = performance.now();
const extractor = new RuleBasedExtractor(embedder ? { classifier: new KnnClauseClassifier(embedder) } : {});
await extractor.extract({
  messages: [{ role: 'user', content: 'Hello, I live in Paris.' }],
  profile: DEFAULT_PROFILE_CONFIG,
  existing: [],
  now: new Date(),
});
const warm = performance.now() - started;
const result = await score(extractor, loadEvalSet(path), DEFAULT_PROFILE_CONFIG);

const pct = (x: number) => x.toFixed(3);
console.log(`set ${path}`);
console.log(`recall ${pct(result.recall)} (${result.foundFacts}/${result.expectedFacts} facts)`);
console.log(`precision ${pct(result.precision)} (${result.correctMemories}/${result.writtenMemories} memories)`);
console.log(`junk ${result.junk} memories from ${result.negatives} messages that must give nothing`);
console.log(`updates right ${result.updatesRight}/${result.updates}`);
console.log(
  `${result.messages} messages, ${result.msPerMessage.toFixed(3)} ms/message; first call ${warm.toFixed(0)} ms`,
);

if (values.show) {
  for (const c of result.cases) {
    if (c.missed.length === 0 && c.wrong.length === 0) continue;
    console.log(`\n${c.id} ${c.text}`);
    for (const m of c.missed) console.log(`  MISSED ${m.slot} [${m.words.join(', ')}]`);
    for (const w of c.wrong) console.log(`  WRONG  ${w.slot}: ${w.text}`);
    for (const w of c.written) if (!c.wrong.includes(w)) console.log(`  ok     ${w.slot}: ${w.text}`);
  }
  for (const n of result.negativeReports)
    if (n.written.length > 0)
      console.log(`\n${n.id} ${n.text}\n${n.written.map((w) => `  JUNK   ${w.slot}: ${w.text}`).join('\n')}`);
  for (const u of result.updateReports) {
    if (u.right) continue;
    console.log(`\n${u.id} ${u.turns.join(' | ')}\n  ${u.problems.join('; ')}`);
    for (const w of u.final) console.log(`  final  ${w.slot}: ${w.text}`);
  }
}
if (values.json) writeFileSync(values.json, JSON.stringify(result, null, 2));
await embedder?.close();
