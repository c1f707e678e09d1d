// Planner statistics and dead-row cleanup for the embedded database.
//
// PGlite runs PostgreSQL in single-user mode: there is no autovacuum launcher
// and no statistics collector, so nothing ever runs ANALYZE or VACUUM. Left
// alone, every table keeps the planner's defaults (a table never analysed is
// planned as if it held a few rows), and the tables the outbox churns (an
// index job inserted and deleted per blob, a lease renewed per round) keep
// every dead row the pages' own pruning leaves. Measured on an ingested data
// dir (users of 80 chunks, 100 candidates): User.query's ranked-chunk
// statement picked a nested loop that re-ran its unnest() once per chunk of
// the user, 353 ms against 24 ms for the hash join it picks once the tables
// are analysed (EXPLAIN ANALYZE on a loaded machine; BENCHMARKS.md, "Planner
// statistics on the embedded database").
//
// A round is ANALYZE of the whole database (it samples at most 30,000 rows a
// table, so its cost is bounded whatever the data size) and VACUUM of the
// tables that churn. Each statement holds the one connection for its run, so
// rounds are spaced; a real PostgreSQL server does this itself and never runs
// this.

import type { Log } from '../../domain/ports.js';
import { SerialLoop } from '../../lib/serial-loop.js';
import type { PrismaClient } from './generated/client.js';

/** Tables whose rows are updated or deleted all the time: their dead rows are reclaimed each round. */
const CHURNING_TABLES = ['IndexJob', 'WorkerLease', 'UserProcessing', 'WebhookDelivery', 'Blob'] as const;

export interface EmbeddedMaintenanceOptions {
  /** Before the first round: long enough for a fresh server to have data worth analysing. */
  firstRoundMs: number;
  /** Between rounds. */
  intervalMs: number;
}

export const DEFAULT_EMBEDDED_MAINTENANCE: EmbeddedMaintenanceOptions = {
  firstRoundMs: 30_000,
  intervalMs: 5 * 60_000,
};

export class EmbeddedMaintenance {
  private readonly loop: SerialLoop;
  private firstRound: NodeJS.Timeout | null = null;

  constructor(
    private readonly db: PrismaClient,
    private readonly log: Pick<Log, 'info' | 'warn'>,
    private readonly options: EmbeddedMaintenanceOptions = DEFAULT_EMBEDDED_MAINTENANCE,
  ) {
    this.loop = new SerialLoop(() => this.round(), options.intervalMs);
  }

  start(): void {
    this.firstRound = setTimeout(() => this.loop.start(), this.options.firstRoundMs);
    this.firstRound.unref();
  }

  async stop(): Promise<void> {
    if (this.firstRound) clearTimeout(this.firstRound);
    await this.loop.stop();
  }

  /** One round now (the loop's rounds, and tests). Never throws: a failed round is logged and the next one tries again. */
  async round(): Promise<void> {
    const started = performance.now();
    try {
      await this.db.$executeRawUnsafe('ANALYZE');
      const analysedMs = performance.now() - started;
      await this.db.$executeRawUnsafe(`VACUUM ${CHURNING_TABLES.map((table) => `"${table}"`).join(', ')}`);
      this.log.info(
        { analyzeMs: Math.round(analysedMs), vacuumMs: Math.round(performance.now() - started - analysedMs) },
        'embedded database: planner statistics refreshed and churned tables vacuumed',
      );
    } catch (error) {
      this.log.warn({ err: error }, 'embedded database maintenance failed; retrying next round');
    }
  }
}
