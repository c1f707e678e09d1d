// One suite for every TokenBucketStore (in memory, Redis). Buckets refill
// at 0.001 tokens per second here, so nothing depends on how fast the
// machine runs; refilling itself is tested on the in-memory store with a
// clock the test moves (test/infra/ratelimit/token-buckets.test.ts).

import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TokenBucketStore } from '../../src/domain/ports.js';

export interface TokenBucketFixture {
  store: TokenBucketStore;
  /** A second handle on the same buckets, as another server process holds it. */
  peer: TokenBucketStore;
  dispose(): Promise<void>;
}

const SLOW = { capacity: 5, refillPerSecond: 0.001 };

export function tokenBucketContract(name: string, open: () => Promise<TokenBucketFixture>): void {
  describe(`TokenBucketStore contract: ${name}`, () => {
    let fixture: TokenBucketFixture;
    let key: string;
    beforeEach(async () => {
      fixture = await open();
      key = `contract:${randomUUID()}`;
    });
    afterEach(async () => fixture.dispose());

    it('starts full and takes while tokens remain', async () => {
      const first = await fixture.store.take(key, 2, SLOW);
      expect(first.allowed).toBe(true);
      expect(first.remaining).toBeCloseTo(3, 1);
      expect((await fixture.store.take(key, 3, SLOW)).allowed).toBe(true);
      const refused = await fixture.store.take(key, 1, SLOW);
      expect(refused.allowed).toBe(false);
      expect(refused.remaining).toBeLessThan(1);
    });

    it('refuses more than the bucket holds without taking anything', async () => {
      await fixture.store.take(key, 3, SLOW);
      expect((await fixture.store.take(key, 4, SLOW)).allowed).toBe(false);
      expect((await fixture.store.take(key, 2, SLOW)).allowed).toBe(true);
    });

    it('keeps buckets apart by key', async () => {
      await fixture.store.take(key, 5, SLOW);
      expect((await fixture.store.take(`${key}:other`, 5, SLOW)).allowed).toBe(true);
    });

    it('shares a bucket with its peer (another process)', async () => {
      await fixture.store.take(key, 4, SLOW);
      expect((await fixture.peer.take(key, 2, SLOW)).allowed).toBe(false);
      expect((await fixture.peer.take(key, 1, SLOW)).allowed).toBe(true);
      expect((await fixture.store.take(key, 1, SLOW)).allowed).toBe(false);
    });
  });
}
