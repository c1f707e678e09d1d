// The learned fallback of the offline extractor: a k-nearest-neighbours vote
// over USE-lite sentence embeddings of the labelled clauses of the extractor's
// own evaluation sets (clause-examples.data.ts, built by
// `npm run clause-examples`). It files a first-person statement that no rule
// read ("I am a massive coffee snob", "I drive a forklift at a warehouse")
// under the slot of its nearest labelled clauses, with the clause itself, in
// the third person, as the memory's text. It speaks only when the vote is
// near-unanimous AND the nearest example is a close paraphrase: the threshold
// was chosen by leave-one-set-out cross-validation for precision, so it fires
// rarely (see BENCHMARKS.md, "fifth round").

import { DEFAULT_PROFILE_CONFIG, findSlot } from '../../../domain/profile/default-profile.js';
import type { Embedder } from '../../../domain/ports.js';
import { CATEGORIES_OF_TOPIC } from '../rules/facts.js';
import { thirdPersonStatement } from '../rules/custom-slots.js';
import type { Intent } from '../rules/intents.js';
import type { ClauseClassifier } from '../rules/rule-based.extractor.js';
import { type ClauseExamples, decodeVectors } from './clause-examples.js';
import { CLAUSE_EXAMPLES } from './clause-examples.data.js';

export interface KnnClauseClassifierOptions {
  /** Neighbours that vote. Default 3. */
  k?: number;
  /** Both the winning label's share of the similarity-weighted vote and the nearest example's cosine must reach this. Default 0.8. */
  threshold?: number;
}

/** A statement by the user about themselves; not "I think", "I guess", "I hope" (opinions, wishes). */
const FIRST_PERSON = /^I (?!(?:think|guess|wonder|hope|wish|mean|know|feel like|suppose|bet|doubt)\b)/;

export class KnnClauseClassifier implements ClauseClassifier {
  private readonly matrix: Float32Array;
  private readonly k: number;
  private readonly threshold: number;

  constructor(
    private readonly embedder: Embedder,
    private readonly examples: ClauseExamples = CLAUSE_EXAMPLES,
    options: KnnClauseClassifierOptions = {},
  ) {
    if (embedder.model !== examples.model)
      throw new Error(
        `the clause fallback's examples were embedded with ${examples.model}, not ${embedder.model}; rebuild them (npm run clause-examples)`,
      );
    this.k = options.k ?? 3;
    this.threshold = options.threshold ?? 0.8;
    this.matrix = decodeVectors(examples);
  }

  accepts(clause: string): boolean {
    return FIRST_PERSON.test(clause) && thirdPersonStatement(clause) !== null;
  }

  async classify(clauses: readonly string[]): Promise<Intent[][]> {
    const vectors = await this.embedder.embed(clauses);
    return clauses.map((clause, i) => {
      const slot = this.slotOf(vectors[i]!);
      const text = slot ? thirdPersonStatement(clause) : null;
      if (!slot || !text) return [];
      const [topic = '', subTopic = ''] = slot.split('/');
      // A guess never displaces a value: in a slot of one value it only fills an empty one.
      const single = findSlot(DEFAULT_PROFILE_CONFIG, topic, subTopic)?.subTopic.singleValued ?? true;
      const categories = CATEGORIES_OF_TOPIC[topic] ?? [topic];
      return [
        {
          kind: 'assert',
          fact: { slot: { topic, subTopic }, text, value: text, categories, ...(single ? { vague: true } : {}) },
        },
      ];
    });
  }

  /** The confident slot for a clause's vector, or null. */
  slotOf(vector: readonly number[]): string | null {
    return vote(this.matrix, this.examples, vector, this.k, this.threshold);
  }
}

/** The winning label of the k nearest examples, if confident and not "none". */
export function vote(
  matrix: Float32Array,
  examples: Pick<ClauseExamples, 'dimension' | 'labels' | 'label'>,
  vector: readonly number[],
  k: number,
  threshold: number,
): string | null {
  const { dimension } = examples;
  const nearest: { sim: number; label: number }[] = [];
  for (let row = 0; row < examples.label.length; row++) {
    let sim = 0;
    const offset = row * dimension;
    for (let j = 0; j < dimension; j++) sim += matrix[offset + j]! * vector[j]!;
    if (nearest.length < k || sim > nearest[nearest.length - 1]!.sim) {
      nearest.push({ sim, label: examples.label[row]! });
      nearest.sort((a, b) => b.sim - a.sim);
      if (nearest.length > k) nearest.pop();
    }
  }
  const weights = new Map<number, number>();
  let total = 0;
  for (const n of nearest) {
    weights.set(n.label, (weights.get(n.label) ?? 0) + n.sim);
    total += n.sim;
  }
  let best = -1;
  let bestWeight = -Infinity;
  for (const [label, weight] of weights)
    if (weight > bestWeight) {
      best = label;
      bestWeight = weight;
    }
  const name = examples.labels[best];
  const top = nearest[0]?.sim ?? 0;
  if (name === undefined || name === 'none' || total <= 0) return null;
  return Math.min(bestWeight / total, top) >= threshold ? name : null;
}
