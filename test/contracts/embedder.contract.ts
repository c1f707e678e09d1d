// One suite for every Embedder implementation. Call it from a test file:
//
//   embedderContract('hashing', async () => new HashingEmbedder(), { semantic: false });
//
// `semantic`: the model is pretrained and must rank a paraphrase above an
// unrelated sentence (only meaningful for real sentence encoders).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Embedder } from '../../src/domain/ports.js';

export function cosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i]! * b[i]!;
  return dot;
}

function norm(vector: readonly number[]): number {
  return Math.sqrt(cosine(vector, vector));
}

const TEXTS = [
  'I love dogs',
  'My tax return is due next week.',
  'Der schnelle braune Fuchs springt über den faulen Hund.',
  '東京は日本の首都です。',
  'a',
  'Meeting notes: ship the release on Friday, then write the post-mortem.',
];

export function embedderContract(name: string, create: () => Promise<Embedder>, options: { semantic: boolean }): void {
  describe(`Embedder contract: ${name}`, () => {
    let embedder: Embedder;

    beforeAll(async () => {
      embedder = await create();
    });

    afterAll(async () => {
      await embedder?.close();
    });

    it('names its model and dimension', () => {
      expect(embedder.model.trim()).not.toBe('');
      expect(Number.isInteger(embedder.dimension)).toBe(true);
      expect(embedder.dimension).toBeGreaterThan(1);
    });

    it('returns one L2-normalised vector per text, in order', async () => {
      const vectors = await embedder.embed(TEXTS);
      expect(vectors).toHaveLength(TEXTS.length);
      for (const vector of vectors) {
        expect(vector).toHaveLength(embedder.dimension);
        expect(vector.every(Number.isFinite)).toBe(true);
        expect(norm(vector)).toBeCloseTo(1, 5);
      }
      // In order: each vector matches the text embedded on its own.
      for (const [i, text] of TEXTS.entries()) {
        const [alone] = await embedder.embed([text]);
        expect(cosine(alone!, vectors[i]!), text).toBeGreaterThan(0.999);
      }
    });

    it('is deterministic', async () => {
      const [first] = await embedder.embed(['The same sentence twice.']);
      const [second] = await embedder.embed(['The same sentence twice.']);
      expect(cosine(first!, second!)).toBeGreaterThan(0.9999);
    });

    it('accepts an empty list, an empty string and whitespace', async () => {
      expect(await embedder.embed([])).toEqual([]);
      const vectors = await embedder.embed(['', '   ', '\n']);
      expect(vectors).toHaveLength(3);
      for (const vector of vectors) {
        expect(vector).toHaveLength(embedder.dimension);
        expect(norm(vector)).toBeCloseTo(1, 5);
      }
    });

    it('serves concurrent calls and large calls', async () => {
      const many = Array.from({ length: 70 }, (_, i) => `Sentence number ${i} about topic ${i % 7}.`);
      const [together, ...separate] = await Promise.all([
        embedder.embed(many),
        ...many.slice(0, 5).map((text) => embedder.embed([text])),
      ]);
      expect(together).toHaveLength(70);
      for (const [i, [vector]] of separate.entries()) expect(cosine(vector!, together![i]!)).toBeGreaterThan(0.999);
    });

    if (options.semantic) {
      it('ranks a paraphrase above an unrelated sentence', async () => {
        const [dogs, puppies, tax] = await embedder.embed(['I love dogs', 'I adore puppies', 'My tax return is due']);
        expect(cosine(dogs!, puppies!)).toBeGreaterThan(cosine(dogs!, tax!) + 0.2);
      });
    }
  });
}
