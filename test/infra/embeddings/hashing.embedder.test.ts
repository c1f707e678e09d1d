import { describe, expect, it } from 'vitest';
import { HashingEmbedder, tokenize } from '../../../src/infra/embeddings/hashing.embedder.js';
import { cosine, embedderContract } from '../../contracts/embedder.contract.js';

embedderContract('HashingEmbedder', async () => new HashingEmbedder(), { semantic: false });
embedderContract('HashingEmbedder (64 dims)', async () => new HashingEmbedder({ dimension: 64 }), { semantic: false });

describe('HashingEmbedder', () => {
  it('names the model after the method, version and dimension', () => {
    expect(new HashingEmbedder().model).toBe('hashing-v1-512');
    expect(new HashingEmbedder({ dimension: 256 }).model).toBe('hashing-v1-256');
    expect(() => new HashingEmbedder({ dimension: 1 })).toThrow(/dimension/);
  });

  it('puts texts that share words closer than texts that share none', async () => {
    const embedder = new HashingEmbedder();
    const [a, b, c] = await embedder.embed([
      'the cat sat on the mat',
      'a cat on a mat',
      'quarterly revenue grew strongly',
    ]);
    expect(cosine(a!, b!)).toBeGreaterThan(0.4);
    expect(Math.abs(cosine(a!, c!))).toBeLessThan(0.2);
  });

  it('gives the same vector in every instance and ignores case and punctuation', async () => {
    const [one] = await new HashingEmbedder().embed(['Hello, World!']);
    const [two] = await new HashingEmbedder().embed(['hello world']);
    expect(one).toEqual(two);
    expect(tokenize('Ünïcode—text, 42 times')).toEqual(['ünïcode', 'text', '42', 'times']);
  });

  it('embeds 10,000 short texts in well under a second', async () => {
    const texts = Array.from(
      { length: 10_000 },
      (_, i) => `user ${i % 97} said something about item ${i} and topic ${i % 13}`,
    );
    const started = performance.now();
    const vectors = await new HashingEmbedder().embed(texts);
    expect(vectors).toHaveLength(10_000);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
