import { describe, expect, it } from 'vitest';
import { UseLiteEmbedder } from '../../../src/infra/embeddings/use-lite.embedder.js';
import { cosine, embedderContract } from '../../contracts/embedder.contract.js';

embedderContract('UseLiteEmbedder', () => UseLiteEmbedder.create(), { semantic: true });

describe('UseLiteEmbedder', () => {
  it('keeps the event loop free while it embeds, and refuses work once closed', async () => {
    const embedder = await UseLiteEmbedder.create();
    try {
      expect(embedder.model).toBe('use-lite-512');
      expect(embedder.dimension).toBe(512);
      const texts = Array.from({ length: 96 }, (_, i) => `Sentence ${i}: the quick brown fox jumps over the lazy dog.`);
      let last = performance.now();
      let worstGap = 0;
      const timer = setInterval(() => {
        const now = performance.now();
        worstGap = Math.max(worstGap, now - last);
        last = now;
      }, 5);
      const started = performance.now();
      const vectors = await embedder.embed(texts);
      const elapsed = performance.now() - started;
      clearInterval(timer);
      expect(vectors).toHaveLength(96);
      // Inference takes over a second on the main thread's clock, yet the main
      // thread never stalls for long (the bound leaves room for a busy machine).
      expect(elapsed).toBeGreaterThan(500);
      expect(worstGap).toBeLessThan(250);
      const [dogs, puppies, tax] = await embedder.embed(['I love dogs', 'I adore puppies', 'My tax return is due']);
      expect(cosine(dogs!, puppies!)).toBeGreaterThan(0.6);
      expect(cosine(dogs!, tax!)).toBeLessThan(0.35);
    } finally {
      await embedder.close();
    }
    await expect(embedder.embed(['late'])).rejects.toThrow(/closed/);
  });
});
