// In-process caches for the two lookups every request makes before its real
// work: the API key behind the bearer token, and the user named by the
// request. They decorate the repositories, so every change made through them
// (revoking a key, updating or deleting a user) drops the cached entry.
//
// EXACT ONLY WITH ONE PROCESS. A change made by another process sharing the
// database would not reach this cache, so app.ts enables it only on the
// embedded database, which one process serves (its folder is locked). With a
// PostgreSQL server the lookups go to the database every time, and a revoked
// key stops working at once on every replica.

import type { ApiKeyRepository, UserRepository } from '../../domain/ports.js';
import type { ApiKeyRecord, JsonObject, Role, UserRecord } from '../../domain/types.js';

export interface CacheStats {
  hits: number;
  misses: number;
  entries: number;
  maxEntries: number;
}

/**
 * A bounded map of lookups. Changes are rare (a key revoked, a user updated or
 * deleted), so any invalidation moves one generation counter, and a lookup
 * that was in flight across it does not store what it read: it may be the
 * state before the change, even for a key the cache did not hold yet.
 */
export class LookupCache<V> {
  private readonly entries = new Map<string, V>();
  private generation = 0;
  private hits = 0;
  private misses = 0;

  constructor(private readonly maxEntries = 10_000) {}

  /** Lookups answered from the cache and from the database since start, and the entries held. */
  stats(): CacheStats {
    return { hits: this.hits, misses: this.misses, entries: this.entries.size, maxEntries: this.maxEntries };
  }

  async get(key: string, load: () => Promise<V | null>): Promise<V | null> {
    const cached = this.entries.get(key);
    if (cached !== undefined) {
      this.hits++;
      return cached;
    }
    this.misses++;
    const generation = this.generation;
    const value = await load();
    // Absent values are not cached: an unknown key or user may be created next.
    if (value !== null && this.generation === generation) this.store(key, value);
    return value;
  }

  /** Drops every entry whose value matches. */
  invalidateWhere(matches: (value: V) => boolean): void {
    this.generation++;
    for (const [key, value] of this.entries) if (matches(value)) this.entries.delete(key);
  }

  private store(key: string, value: V): void {
    if (this.entries.size >= this.maxEntries) {
      // Oldest first: Map iterates in insertion order.
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(key, value);
  }
}

export class CachedApiKeyRepository implements ApiKeyRepository {
  private readonly byHash = new LookupCache<ApiKeyRecord>();

  constructor(private readonly inner: ApiKeyRepository) {}

  cacheStats(): CacheStats {
    return this.byHash.stats();
  }

  create(input: {
    projectId: string;
    name: string | null;
    role: Role;
    hash: string;
    prefix: string;
  }): Promise<ApiKeyRecord> {
    return this.inner.create(input);
  }

  findActiveByHash(hash: string): Promise<ApiKeyRecord | null> {
    return this.byHash.get(hash, () => this.inner.findActiveByHash(hash));
  }

  findById(id: string): Promise<ApiKeyRecord | null> {
    return this.inner.findById(id);
  }

  listByProject(projectId: string): Promise<ApiKeyRecord[]> {
    return this.inner.listByProject(projectId);
  }

  listActiveByRole(role: Role): Promise<ApiKeyRecord[]> {
    return this.inner.listActiveByRole(role);
  }

  /** lastUsedAt is not part of what authentication needs: the cached entry stays. */
  touch(id: string, at: Date): Promise<void> {
    return this.inner.touch(id, at);
  }

  // Invalidating once the change is over is enough: until it commits the key
  // is active, and a lookup in flight across the invalidation is not stored.
  async revoke(id: string): Promise<boolean> {
    try {
      return await this.inner.revoke(id);
    } finally {
      this.byHash.invalidateWhere((key) => key.id === id);
    }
  }
}

export class CachedUserRepository implements UserRepository {
  private readonly byExternalId = new LookupCache<UserRecord>();

  constructor(private readonly inner: UserRepository) {}

  cacheStats(): CacheStats {
    return this.byExternalId.stats();
  }

  create(projectId: string, input: { externalId: string; data: JsonObject }): Promise<UserRecord> {
    return this.inner.create(projectId, input);
  }

  async update(pk: string, input: { data: JsonObject }): Promise<UserRecord> {
    try {
      return await this.inner.update(pk, input);
    } finally {
      this.forget(pk);
    }
  }

  async delete(user: UserRecord): Promise<{ exportIds: string[] }> {
    try {
      return await this.inner.delete(user);
    } finally {
      this.forget(user.pk);
    }
  }

  findByExternalId(projectId: string, externalId: string): Promise<UserRecord | null> {
    return this.byExternalId.get(userKey(projectId, externalId), () =>
      this.inner.findByExternalId(projectId, externalId),
    );
  }

  findByPks(pks: readonly string[]): Promise<(UserRecord | null)[]> {
    return this.inner.findByPks(pks);
  }

  list(...args: Parameters<UserRepository['list']>): ReturnType<UserRepository['list']> {
    return this.inner.list(...args);
  }

  /** After a change, as for keys: a lookup in flight across it is not stored. */
  private forget(pk: string): void {
    this.byExternalId.invalidateWhere((user) => user.pk === pk);
  }
}

function userKey(projectId: string, externalId: string): string {
  return `${projectId}\u0000${externalId}`;
}
