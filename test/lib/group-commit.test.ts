// Group commit: when writes are grouped, and what happens to a group when one
// of its writes fails.

import { describe, expect, it } from 'vitest';
import { GroupCommit } from '../../src/lib/group-commit.js';

/** A fake store whose commits are atomic and finish when the test says so. */
class Store {
  readonly committed: number[] = [];
  readonly batches: number[][] = [];
  private readonly pending: (() => void)[] = [];

  commit = (items: number[]): Promise<string[]> => {
    this.batches.push([...items]);
    return new Promise((resolve, reject) =>
      this.pending.push(() => {
        if (items.some((item) => item < 0)) return reject(new Error(`bad item ${items.find((item) => item < 0)}`));
        this.committed.push(...items);
        resolve(items.map((item) => `ok ${item}`));
      }),
    );
  };

  /** Finishes every commit started so far, and those they start, until none is left. */
  async settle(): Promise<void> {
    for (let rounds = 0; rounds < 100; rounds++) {
      await new Promise((resolve) => setImmediate(resolve));
      const next = this.pending.splice(0);
      if (next.length === 0) return;
      for (const finish of next) finish();
    }
  }
}

describe('GroupCommit', () => {
  it('runs a lone write at once, and groups the writes that arrive while it is in flight', async () => {
    const store = new Store();
    const group = new GroupCommit(store.commit, { maxBatch: 10, maxInFlight: 1 });
    const first = group.submit(1);
    expect(store.batches).toEqual([[1]]);
    const rest = [2, 3, 4].map((item) => group.submit(item));
    expect(store.batches).toEqual([[1]]);
    await store.settle();
    expect(await first).toBe('ok 1');
    expect(await Promise.all(rest)).toEqual(['ok 2', 'ok 3', 'ok 4']);
    expect(store.batches).toEqual([[1], [2, 3, 4]]);
  });

  it('splits the waiting writes into batches of maxBatch and runs up to maxInFlight of them at once', async () => {
    const store = new Store();
    const group = new GroupCommit(store.commit, { maxBatch: 2, maxInFlight: 2 });
    const results = [1, 2, 3, 4, 5, 6].map((item) => group.submit(item));
    expect(store.batches).toEqual([[1], [2]]);
    await store.settle();
    expect(await Promise.all(results)).toEqual(['ok 1', 'ok 2', 'ok 3', 'ok 4', 'ok 5', 'ok 6']);
    expect(store.batches.slice(2)).toEqual([
      [3, 4],
      [5, 6],
    ]);
  });

  it('when a group fails, commits the others alone and fails only the write at fault', async () => {
    const store = new Store();
    const group = new GroupCommit(store.commit, { maxBatch: 10, maxInFlight: 1 });
    const first = group.submit(1);
    const results = [2, -3, 4].map((item) =>
      group.submit(item).then(
        (value) => ({ value }),
        (error: Error) => ({ error: error.message }),
      ),
    );
    await store.settle();
    expect(await first).toBe('ok 1');
    expect(await Promise.all(results)).toEqual([{ value: 'ok 2' }, { error: 'bad item -3' }, { value: 'ok 4' }]);
    expect(store.committed).toEqual([1, 2, 4]);
    expect(store.batches).toEqual([[1], [2, -3, 4], [2], [-3], [4]]);
  });
});
