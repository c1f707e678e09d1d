// npx tsx bench/extraction/speed.ts [WARM_SET] [MEASURED_SET]
// Per-message time of the offline extractor alone, warm: warms up on one set,
// then times every message of the other (and of the same messages with twelve
// different endings, so each is a distinct text), one extract() call each.

import { readFileSync } from 'node:fs';
import { DEFAULT_PROFILE_CONFIG } from '../../src/domain/profile/default-profile.js';
import { RuleBasedExtractor } from '../../src/infra/extraction/rules/rule-based.extractor.js';
import type { EvalSet } from './score.js';

function messages(path: string): string[] {
  const set = JSON.parse(readFileSync(path, 'utf8')) as EvalSet;
  return [...set.facts.map((f) => f.text), ...set.negatives.map((n) => n.text), ...set.updates.flatMap((u) => u.turns)];
}

const warmSet = messages(process.argv[2] ?? 'test/extraction/dev/dev.json');
const measuredSet = messages(process.argv[3] ?? 'test/extraction/heldout/heldout.json');
const extractor = new RuleBasedExtractor();
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
