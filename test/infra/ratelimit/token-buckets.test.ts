// Token buckets: the contract on the in-memory store and, where a Redis
// answers, on Redis (MEMQL_TEST_REDIS_URL, else redis://127.0.0.1:6379; with
// neither, the Redis half is reported as not run). Refilling is tested with
// a clock the test moves.

import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { MemoryTokenBuckets } from '../../../src/infra/ratelimit/memory.token-buckets.js';
import { RedisTokenBuckets } from '../../../src/infra/ratelimit/redis.token-buckets.js';
import { tokenBucketContract } from '../../contracts/token-buckets.contract.js';

tokenBucketContract('MemoryTokenBuckets', async () => {
  const store = new MemoryTokenBuckets();
  return { store, peer: store, dispose: () => store.close() };
});

const configured = process.env.MEMQL_TEST_REDIS_URL;
const url = configured ?? 'redis://127.0.0.1:6379';
const answers = (redisUrl: string) =>
  new Promise<boolean>((resolve) => {
    const { hostname, port } = new URL(redisUrl);
    const socket = connect({ host: hostname, port: Number(port || 6379), timeout: 1_000 });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });

if (configured !== undefined || (await answers(url))) {
  tokenBucketContract(`RedisTokenBuckets (${url})`, async () => {
    const store = await RedisTokenBuckets.connect(url);
    const peer = await RedisTokenBuckets.connect(url);
    return { store, peer, dispose: async () => void (await Promise.all([store.close(), peer.close()])) };
  });
} else {
  const note = `no Redis at ${url}: the RedisTokenBuckets half of the contract did NOT run`;
  console.warn(`WARNING: ${note}`);
  describe('TokenBucketStore contract: RedisTokenBuckets', () => {
    it('needs a Redis', (context) => {
      context.skip(note);
    });
  });
}

describe('MemoryTokenBuckets refilling', () => {
  it('refills at its rate up to its capacity', async () => {
    let now = 1_000_000;
    const store = new MemoryTokenBuckets(() => now);
    const shape = { capacity: 10, refillPerSecond: 2 };
    expect((await store.take('k', 10, shape)).allowed).toBe(true);
    expect((await store.take('k', 1, shape)).allowed).toBe(false);
    now += 1_500; // 3 tokens
    expect(await store.take('k', 3, shape)).toEqual({ allowed: true, remaining: 0 });
    now += 60_000; // far more than the capacity
    expect(await store.take('k', 1, shape)).toEqual({ allowed: true, remaining: 9 });
  });
});
