// Group commit: concurrent writes coalesced into one statement. A write that
// finds no batch in flight runs at once (no timer, so a lone write waits for
// nothing); writes that arrive while batches are in flight wait and go
// together in the next one. Under load N writes cost one round trip and one
// commit instead of N, which is what a single-connection database (the
// embedded PGlite) is bound by.
//
// A batch is one atomic statement, so when it fails nothing of it is stored;
// its writes are then run one by one, so that only the write at fault fails
// and the others are committed as if they had never been grouped.

export interface GroupCommitOptions {
  /** Most writes in one batch. */
  maxBatch: number;
  /** Batches running at once (the pool's connections that writes may hold). */
  maxInFlight: number;
}

interface Waiting<T, R> {
  item: T;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

export class GroupCommit<T, R> {
  private readonly waiting: Waiting<T, R>[] = [];
  private inFlight = 0;

  /** `commit` writes all items atomically and returns one result per item, in order. */
  constructor(
    private readonly commit: (items: T[]) => Promise<R[]>,
    private readonly options: GroupCommitOptions,
  ) {
    if (!(options.maxBatch >= 1) || !(options.maxInFlight >= 1))
      throw new Error('GroupCommit: maxBatch and maxInFlight must be >= 1');
  }

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      this.next();
    });
  }

  private next(): void {
    while (this.inFlight < this.options.maxInFlight && this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.options.maxBatch);
      this.inFlight++;
      void this.run(batch).finally(() => {
        this.inFlight--;
        this.next();
      });
    }
  }

  private async run(batch: Waiting<T, R>[]): Promise<void> {
    try {
      const results = await this.commit(batch.map((w) => w.item));
      batch.forEach((w, i) => {
        w.resolve(results[i]!);
      });
    } catch (error) {
      if (batch.length === 1) {
        batch[0]!.reject(error);
        return;
      }
      // Nothing of the batch was stored; find the write at fault by committing each alone.
      for (const w of batch) {
        try {
          w.resolve((await this.commit([w.item]))[0]!);
        } catch (single) {
          w.reject(single);
        }
      }
    }
  }
}
