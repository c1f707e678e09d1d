// The embedders alone, in this process: throughput on batches and the
// latency of embedding one query.

import type { Embedder } from '../../src/domain/ports.js';
import { HashingEmbedder } from '../../src/infra/embeddings/hashing.embedder.js';
import { UseLiteEmbedder } from '../../src/infra/embeddings/use-lite.embedder.js';
import { type Latency, latency } from '../lib/stats.js';
import type { Corpus } from './corpus.js';

export interface EmbedderResult {
  model: string;
  sentencesPerSecond: number;
  sentences: number;
  /** One query sentence at a time. */
  single: Latency;
  /** Raw samples of `single`, to compose with query latencies. */
  singleSamples: number[];
}

export async function benchEmbedders(
  corpus: Corpus,
  options: { sentences: number; singles: number },
): Promise<EmbedderResult[]> {
  const sentences = Array.from({ length: options.sentences }, () => corpus.englishSentence());
  const questions = Array.from({ length: options.singles }, () => corpus.englishSentence());
  const results: EmbedderResult[] = [];
  const useLite = await UseLiteEmbedder.create();
  try {
    results.push(await measure(useLite, sentences, questions));
  } finally {
    await useLite.close();
  }
  const hashing = new HashingEmbedder();
  results.push(await measure(hashing, [...sentences, ...sentences, ...sentences, ...sentences], questions));
  return results;
}

async function measure(embedder: Embedder, sentences: string[], questions: string[]): Promise<EmbedderResult> {
  await embedder.embed(sentences.slice(0, 8)); // warm up
  const start = performance.now();
  // Calls of 64 texts, as the indexer makes them.
  for (let i = 0; i < sentences.length; i += 64) await embedder.embed(sentences.slice(i, i + 64));
  const seconds = (performance.now() - start) / 1000;
  const samples: number[] = [];
  for (const question of questions) {
    const t = performance.now();
    await embedder.embed([question]);
    samples.push(performance.now() - t);
  }
  return {
    model: embedder.model,
    sentencesPerSecond: sentences.length / seconds,
    sentences: sentences.length,
    single: latency(samples),
    singleSamples: samples,
  };
}
