// The learned fallback (src/infra/extraction/fallback/): files a first-person
// statement no rule read, by its nearest labelled clauses, and says nothing for
// what the rules' gates drop or what it is unsure of. Real USE-lite embedder.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PROFILE_CONFIG } from '../../src/domain/profile/default-profile.js';
import type { ExistingMemory } from '../../src/domain/types.js';
import { UseLiteEmbedder } from '../../src/infra/embeddings/use-lite.embedder.js';
import { decodeVectors, encodeVector } from '../../src/infra/extraction/fallback/clause-examples.js';
import { KnnClauseClassifier, vote } from '../../src/infra/extraction/fallback/knn.clause-classifier.js';
import { RuleBasedExtractor } from '../../src/infra/extraction/rules/rule-based.extractor.js';

const NOW = new Date('2026-11-29T12:00:00Z');
let embedder: UseLiteEmbedder;
let withFallback: RuleBasedExtractor;
const rulesAlone = new RuleBasedExtractor();

beforeAll(async () => {
  embedder = await UseLiteEmbedder.create();
  withFallback = new RuleBasedExtractor({ classifier: new KnnClauseClassifier(embedder) });
}, 120_000);
afterAll(async () => {
  await embedder?.close();
});

async function written(extractor: RuleBasedExtractor, content: string, existing: ExistingMemory[] = []) {
  const result = await extractor.extract({
    messages: [{ role: 'user', content }],
    profile: DEFAULT_PROFILE_CONFIG,
    existing,
    now: NOW,
  });
  return result.operations.map((op) =>
    op.kind === 'ADD' || op.kind === 'UPDATE' ? `${op.kind} ${op.topic}/${op.subTopic}: ${op.text}` : op.kind,
  );
}

describe('learned clause fallback', () => {
  it.each([
    ['I lift weights most mornings', 'ADD interests/hobbies: Lifts weights most mornings'],
    ["I'm on crutches after knee surgery", 'ADD health/conditions: Is on crutches after knee surgery'],
    ["I'm a big board game person", 'ADD interests/hobbies: Is a big board game person'],
  ])('files "%s", which no rule reads', async (content, memory) => {
    expect(await written(rulesAlone, content)).toEqual([]);
    expect(await written(withFallback, content)).toEqual([memory]);
  });

  it.each([
    'can you recommend a good coffee grinder?',
    'my friend is a massive coffee snob',
    'if I had a dog I would call it Frank',
    "I think I'm a coffee snob",
    'I went to the dentist this morning',
    'I cooked lasagna last night',
    'I was a vegetarian in college',
    'am I a coffee snob?',
    'my sister said she lifts weights most mornings',
    "I'm a total tea snob, just kidding",
  ])('writes nothing for "%s"', async (content) => {
    expect(await written(withFallback, content)).toEqual([]);
  });

  it('adds nothing to what the rules read', async () => {
    const content = "I'm 29 and I work as a nurse in Leeds";
    expect(await written(withFallback, content)).toEqual(await written(rulesAlone, content));
  });

  it('leaves a message that takes something back to the rules', async () => {
    const existing = [{ id: 'm1', text: 'Is pescatarian', topic: 'food', subTopic: 'diet' }];
    const content = "I'm eating meat again, so scrap the pescatarian thing";
    expect(await written(withFallback, content, existing)).toEqual(await written(rulesAlone, content, existing));
  });

  it('never displaces the value of a single-valued slot, but fills an empty one', async () => {
    // Examples of its own, so the guess is certain: one clause labelled work/title.
    const [vector] = await embedder.embed(['I drive a forklift at a warehouse']);
    const { bytes, scale } = encodeVector(vector!);
    const examples = {
      model: embedder.model,
      dimension: embedder.dimension,
      labels: ['none', 'work/title'],
      label: [1],
      vectors: Buffer.from(bytes.buffer).toString('base64'),
      scale: [scale],
    };
    const guessing = new RuleBasedExtractor({ classifier: new KnnClauseClassifier(embedder, examples, { k: 1 }) });
    const content = 'I drive a forklift at a warehouse';
    expect(await written(guessing, content)).toEqual(['ADD work/title: Drives a forklift at a warehouse']);
    const existing = [{ id: 'm1', text: 'Works as a nurse', topic: 'work', subTopic: 'title' }];
    expect(await written(guessing, content, existing)).toEqual([]);
  });
});

describe('k-nearest-neighbours vote', () => {
  const unit = (v: number[]) => v.map((x) => x / Math.hypot(...v));
  const rows = [unit([1, 0, 0]), unit([0.9, 0.1, 0]), unit([0, 1, 0]), unit([0, 0, 1])];
  const encoded = rows.map(encodeVector);
  const examples = {
    dimension: 3,
    labels: ['none', 'food/likes', 'pets/dogs'],
    label: [1, 1, 2, 0],
    vectors: Buffer.concat(encoded.map((e) => Buffer.from(e.bytes.buffer))).toString('base64'),
    scale: encoded.map((e) => e.scale),
  };
  const matrix = decodeVectors(examples);

  it('round-trips vectors through int8 within a percent', () => {
    for (const [i, x] of rows.flat().entries()) expect(matrix[i]).toBeCloseTo(x, 2);
  });

  it('names the winning slot when the vote and the nearest example are both confident', () => {
    expect(vote(matrix, examples, unit([1, 0.05, 0]), 2, 0.8)).toBe('food/likes');
  });

  it('says nothing when the neighbours disagree, the nearest is far, or the winner is "none"', () => {
    expect(vote(matrix, examples, unit([1, 1, 0]), 3, 0.8)).toBeNull();
    expect(vote(matrix, examples, unit([1, 1, 1]), 1, 0.8)).toBeNull();
    expect(vote(matrix, examples, unit([0, 0, 1]), 1, 0.8)).toBeNull();
  });
});
