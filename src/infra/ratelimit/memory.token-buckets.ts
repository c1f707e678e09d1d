// Token buckets in this process's memory: exact for one server process.
// Buckets that have refilled completely hold nothing worth keeping and are
// dropped by a sweep, so idle keys cost no memory.

import type { BucketShape, BucketState, TokenBucketStore } from '../../domain/ports.js';

interface Bucket {
  tokens: number;
  /** Milliseconds (clock()) of the last update. */
  at: number;
  shape: BucketShape;
}

const SWEEP_EVERY_TAKES = 10_000;

export class MemoryTokenBuckets implements TokenBucketStore {
  private readonly buckets = new Map<string, Bucket>();
  private takes = 0;

  /** `clock` returns milliseconds; tests pass their own. */
  constructor(private readonly clock: () => number = Date.now) {}

  async take(key: string, amount: number, shape: BucketShape): Promise<BucketState> {
    const now = this.clock();
    if (++this.takes % SWEEP_EVERY_TAKES === 0) this.sweep(now);
    const bucket = this.buckets.get(key) ?? { tokens: shape.capacity, at: now, shape };
    bucket.tokens = refilled(bucket, now);
    bucket.at = now;
    bucket.shape = shape;
    const allowed = bucket.tokens >= amount;
    if (allowed) bucket.tokens -= amount;
    this.buckets.set(key, bucket);
    return { allowed, remaining: bucket.tokens };
  }

  async close(): Promise<void> {
    this.buckets.clear();
  }

  private sweep(now: number): void {
    for (const [key, bucket] of this.buckets)
      if (refilled(bucket, now) >= bucket.shape.capacity) this.buckets.delete(key);
  }
}

function refilled(bucket: Bucket, now: number): number {
  const elapsedSeconds = Math.max(0, now - bucket.at) / 1000;
  return Math.min(bucket.shape.capacity, bucket.tokens + elapsedSeconds * bucket.shape.refillPerSecond);
}
