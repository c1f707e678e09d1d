// Counters that belong to one request: work started while serving it (its
// SQL statements, through DataLoader batches too) is counted for it, while
// background work (the indexer, sweeps) running at the same time is not.
// Node's AsyncLocalStorage carries the request across awaits.

import { AsyncLocalStorage } from 'node:async_hooks';

interface Scope {
  sqlQueries: number;
}

const RECENT_REQUESTS = 1_000;

export class RequestScopes {
  private readonly storage = new AsyncLocalStorage<Scope>();
  /** Counts of finished requests by request id, the latest RECENT_REQUESTS only. */
  private readonly finished = new Map<string, number>();

  /** Runs `work` as the request `requestId`; its counts are kept once it settles. */
  async run<T>(requestId: string, work: () => Promise<T>): Promise<T> {
    const scope: Scope = { sqlQueries: 0 };
    try {
      return await this.storage.run(scope, work);
    } finally {
      this.finished.delete(requestId);
      this.finished.set(requestId, scope.sqlQueries);
      if (this.finished.size > RECENT_REQUESTS) this.finished.delete(this.finished.keys().next().value!);
    }
  }

  /** Counts one SQL statement for the request being served, if any. */
  countSql(): void {
    const scope = this.storage.getStore();
    if (scope) scope.sqlQueries++;
  }

  /** SQL statements a finished request sent; undefined when it is unknown (or too old). */
  sqlQueriesOf(requestId: string): number | undefined {
    return this.finished.get(requestId);
  }
}
