// A fast, deterministic embedder by feature hashing: lower-cased word
// unigrams and bigrams are hashed into `dimension` buckets with a hashed sign,
// weighted 1 + log(tf), and the vector is L2-normalised. Texts sharing words
// land close together; there is no notion of synonyms (it is not pretrained).
// Meant for benchmarks at scale and for tests: ~100k short texts per second
// on one core, no model to load, same vector for the same text everywhere.

import type { Embedder } from '../../domain/ports.js';

export interface HashingEmbedderOptions {
  /** Output dimension. Default 512 (the size of USE-lite, so indexes are comparable). */
  dimension?: number;
}

/** Bump when the features or the hashing change: the model id keys the vector index. */
const VERSION = 1;
const BIGRAM_WEIGHT = 0.5;

export class HashingEmbedder implements Embedder {
  readonly model: string;
  readonly dimension: number;

  constructor(options: HashingEmbedderOptions = {}) {
    const dimension = options.dimension ?? 512;
    if (!Number.isInteger(dimension) || dimension < 2 || dimension > 65_536) {
      throw new Error(`HashingEmbedder: dimension must be an integer in [2, 65536], got ${dimension}`);
    }
    this.dimension = dimension;
    this.model = `hashing-v${VERSION}-${dimension}`;
  }

  async embed(texts: readonly string[]): Promise<number[][]> {
    return texts.map((text) => this.embedOne(text));
  }

  async close(): Promise<void> {
    // Nothing to release.
  }

  private embedOne(text: string): number[] {
    const counts = new Map<string, number>();
    const words = tokenize(text);
    for (let i = 0; i < words.length; i++) {
      increment(counts, `w:${words[i]}`);
      if (i > 0) increment(counts, `b:${words[i - 1]} ${words[i]}`);
    }
    const vector = new Array<number>(this.dimension).fill(0);
    for (const [feature, count] of counts) {
      const hash = fnv1a(feature);
      const index = hash % this.dimension;
      const sign = mix(hash) & 1 ? 1 : -1;
      const weight = (1 + Math.log(count)) * (feature.startsWith('b:') ? BIGRAM_WEIGHT : 1);
      vector[index]! += sign * weight;
    }
    let norm = 0;
    for (const value of vector) norm += value * value;
    if (norm === 0) {
      // No words at all (empty or punctuation only): one fixed unit vector, so
      // the result is still a valid direction for cosine search.
      vector[0] = 1;
      return vector;
    }
    norm = Math.sqrt(norm);
    return vector.map((value) => value / norm);
  }
}

/** Lower-cased runs of letters and digits (any script), after Unicode normalisation. */
export function tokenize(text: string): string[] {
  return (
    text
      .normalize('NFKC')
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu) ?? []
  );
}

function increment(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

/** FNV-1a, 32 bit, over UTF-16 code units. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** A second, independent-enough bit source for the sign (murmur3 finaliser). */
function mix(hash: number): number {
  let h = hash;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}
