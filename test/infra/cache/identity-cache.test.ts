// The in-process lookup cache behind API-key and user lookups on the
// embedded database: what it keeps, and what it must never keep.

import { describe, expect, it } from 'vitest';
import { LookupCache } from '../../../src/infra/cache/identity-cache.js';

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('LookupCache', () => {
  it('loads once and then answers from memory', async () => {
    const cache = new LookupCache<{ id: string }>();
    let loads = 0;
    const load = async () => ({ id: `v${++loads}` });
    expect(await cache.get('a', load)).toEqual({ id: 'v1' });
    expect(await cache.get('a', load)).toEqual({ id: 'v1' });
    expect(loads).toBe(1);
  });

  it('does not remember absent values (the key or user may be created next)', async () => {
    const cache = new LookupCache<string>();
    let exists = false;
    const load = async () => (exists ? 'now' : null);
    expect(await cache.get('a', load)).toBeNull();
    exists = true;
    expect(await cache.get('a', load)).toBe('now');
  });

  it('drops matching entries on invalidation', async () => {
    const cache = new LookupCache<{ pk: string; data: number }>();
    let data = 1;
    const load = async () => ({ pk: 'p1', data });
    await cache.get('a', load);
    data = 2;
    cache.invalidateWhere((value) => value.pk === 'p1');
    expect(await cache.get('a', load)).toEqual({ pk: 'p1', data: 2 });
  });

  it('does not store a value read by a lookup that was in flight across an invalidation', async () => {
    const cache = new LookupCache<string>();
    const slow = deferred<string>();
    const inFlight = cache.get('a', () => slow.promise);
    // A change commits (and invalidates) while the lookup still holds the state before it.
    cache.invalidateWhere(() => true);
    slow.resolve('before the change');
    expect(await inFlight).toBe('before the change');
    expect(await cache.get('a', async () => 'after the change')).toBe('after the change');
  });

  it('keeps at most maxEntries, dropping the oldest', async () => {
    const cache = new LookupCache<string>(2);
    await cache.get('a', async () => 'a1');
    await cache.get('b', async () => 'b1');
    await cache.get('c', async () => 'c1');
    expect(await cache.get('a', async () => 'a2')).toBe('a2');
    expect(await cache.get('c', async () => 'c2')).toBe('c1');
  });
});
