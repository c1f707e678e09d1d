// Token buckets in Redis, shared by every server process: one Lua script
// refills and takes atomically, on Redis's own clock (TIME), so processes
// with skewed clocks agree. A bucket's key expires once it would be full
// again, so idle keys cost Redis nothing.

import { Redis } from 'ioredis';
import type { BucketShape, BucketState, TokenBucketStore } from '../../domain/ports.js';

export const BUCKET_KEY_PREFIX = 'memql:bucket:';

const TAKE_SCRIPT = `
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local amount = tonumber(ARGV[3])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or capacity
local at = tonumber(state[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - at) * rate)
local allowed = 0
if tokens >= amount then
  tokens = tokens - amount
  allowed = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil((capacity - tokens) / rate * 1000) + 1000)
return { allowed, tostring(tokens) }
`;

type TakeCommand = (key: string, capacity: number, rate: number, amount: number) => Promise<[number, string]>;

export class RedisTokenBuckets implements TokenBucketStore {
  private constructor(private readonly redis: Redis & { memqlTakeToken: TakeCommand }) {}

  /** Connects; fails loudly when Redis does not answer. */
  static async connect(url: string): Promise<RedisTokenBuckets> {
    const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 3, connectTimeout: 5_000 });
    try {
      await redis.connect();
    } catch (error) {
      redis.disconnect();
      throw new Error(`REDIS_URL: cannot connect to Redis (${error instanceof Error ? error.message : String(error)})`);
    }
    redis.defineCommand('memqlTakeToken', { numberOfKeys: 1, lua: TAKE_SCRIPT });
    return new RedisTokenBuckets(redis as Redis & { memqlTakeToken: TakeCommand });
  }

  async take(key: string, amount: number, shape: BucketShape): Promise<BucketState> {
    const [allowed, tokens] = await this.redis.memqlTakeToken(
      BUCKET_KEY_PREFIX + key,
      shape.capacity,
      shape.refillPerSecond,
      amount,
    );
    return { allowed: allowed === 1, remaining: Number(tokens) };
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}
