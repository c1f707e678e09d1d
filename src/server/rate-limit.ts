// Per-key rate limits: two token buckets per API key, one counting requests
// (and operations on a WebSocket), one counting the cost of what they ask
// for (src/server/operation-limits.ts), so many cheap requests and a few
// expensive ones are both bounded. The buckets live in a TokenBucketStore:
// this process's memory, or Redis when several processes share the load.
//
// A refusal is RATE_LIMITED with `extensions.retryAfter` (seconds); HTTP
// answers carry X-RateLimit-Limit / -Remaining / -Reset (the request
// bucket: its size, what is left, seconds until it is full again) and
// Retry-After on a 429.

import { GraphQLError } from 'graphql';
import type { BucketShape, Log, TokenBucketStore } from '../domain/ports.js';

export interface RateLimitSettings {
  /** Requests (or WebSocket operations) per second and key; 0 turns request limits off. */
  requestsPerSecond: number;
  /** How many requests a key may make at once after being idle. */
  requestBurst: number;
  /** Cost points per second and key; 0 turns cost budgets off. */
  costPerSecond: number;
  /** Cost points a key may spend at once after being idle. */
  costBurst: number;
}

export type RateLimitKind = 'requests' | 'cost';

export interface RequestAdmission {
  allowed: boolean;
  /** X-RateLimit-* (and Retry-After when refused); empty when request limits are off. */
  headers: Record<string, string>;
  /** The refusal, when not allowed. */
  error: GraphQLError | null;
}

export class KeyRateLimiter {
  private readonly requests: BucketShape | null;
  private readonly cost: BucketShape | null;

  constructor(
    private readonly store: TokenBucketStore,
    settings: RateLimitSettings,
    private readonly log: Log,
  ) {
    this.requests =
      settings.requestsPerSecond > 0
        ? { capacity: settings.requestBurst, refillPerSecond: settings.requestsPerSecond }
        : null;
    this.cost =
      settings.costPerSecond > 0 ? { capacity: settings.costBurst, refillPerSecond: settings.costPerSecond } : null;
  }

  /** Counts one request (or operation) of the key. */
  async admitRequest(keyId: string): Promise<RequestAdmission> {
    if (!this.requests) return { allowed: true, headers: {}, error: null };
    const shape = this.requests;
    const state = await this.take(`requests:${keyId}`, 1, shape);
    const remaining = Math.max(0, Math.floor(state.remaining));
    const headers: Record<string, string> = {
      'X-RateLimit-Limit': String(shape.capacity),
      'X-RateLimit-Remaining': String(remaining),
      'X-RateLimit-Reset': String(secondsUntil(shape.capacity, state.remaining, shape)),
    };
    if (state.allowed) return { allowed: true, headers, error: null };
    const retryAfter = secondsUntil(1, state.remaining, shape);
    headers['Retry-After'] = String(retryAfter);
    return { allowed: false, headers, error: rateLimitedError('requests', retryAfter, shape) };
  }

  /** Spends an operation's cost from the key's budget; the refusal when the budget cannot pay it. */
  async spendCost(keyId: string, cost: number): Promise<GraphQLError | null> {
    if (!this.cost || cost <= 0) return null;
    const shape = this.cost;
    const state = await this.take(`cost:${keyId}`, cost, shape);
    if (state.allowed) return null;
    return rateLimitedError('cost', secondsUntil(cost, state.remaining, shape), shape);
  }

  /** A store that fails (Redis down) lets requests through: limits protect the server, they must not stop it. */
  private async take(key: string, amount: number, shape: BucketShape) {
    try {
      return await this.store.take(key, amount, shape);
    } catch (error) {
      this.log.warn({ err: error }, 'rate-limit store failed; letting the request through');
      return { allowed: true, remaining: shape.capacity };
    }
  }
}

/** Whole seconds until the bucket holds `wanted` tokens again. */
function secondsUntil(wanted: number, remaining: number, shape: BucketShape): number {
  return Math.max(0, Math.ceil((Math.min(wanted, shape.capacity) - remaining) / shape.refillPerSecond));
}

function rateLimitedError(kind: RateLimitKind, retryAfter: number, shape: BucketShape): GraphQLError {
  const what =
    kind === 'requests'
      ? `Too many requests for this API key (${shape.refillPerSecond} per second, bursts of ${shape.capacity}; MEMQL_RATE_LIMIT_PER_SECOND)`
      : `This API key has spent its cost budget (${shape.refillPerSecond} points per second, bursts of ${shape.capacity}; MEMQL_COST_PER_SECOND)`;
  return new GraphQLError(`${what}: retry in ${retryAfter} s`, {
    extensions: {
      code: 'RATE_LIMITED',
      limit: kind,
      retryAfter,
      http: { status: 429, headers: new Map([['retry-after', String(retryAfter)]]) },
    },
  });
}
