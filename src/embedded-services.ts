// The embedded database and vector store, started once and early.
//
// Both take seconds to start in a thread or a process of their own (PGlite
// opens its folder and replays its WAL; Chroma starts its server), and the
// server's own code takes seconds to load on the main thread. index.ts
// therefore starts them before it loads the rest of the server, so that the
// two overlap instead of adding up (BENCHMARKS.md, "Start time"). This
// module is loaded before everything else: it imports nothing heavy.

import path from 'node:path';
import type { Config } from './config.js';
import { type SupervisedChroma, superviseChroma } from './infra/chroma/chroma-supervisor.js';
import { type EmbeddedPostgres, startEmbeddedPostgres } from './infra/prisma/embedded-postgres.js';
import { preparePrivateDataDir } from './infra/private-data-dir.js';
import type { Logger } from './lib/logger.js';

export class EmbeddedServices {
  private prepared: Promise<void> | null = null;
  private postgres: Promise<EmbeddedPostgres> | null = null;
  private chroma: Promise<SupervisedChroma> | null = null;

  constructor(
    private readonly config: Pick<Config, 'dataDir' | 'database' | 'chroma'>,
    private readonly log: Logger,
  ) {}

  /** Starts the embedded ones of the two now, without waiting for them. */
  startAll(): this {
    if (this.config.database.kind === 'embedded') void this.database().catch(() => undefined);
    if (this.config.chroma.kind === 'embedded') void this.vectorStore().catch(() => undefined);
    return this;
  }

  /** The data dir, made private before anything writes into it (0700/0600, umask 077). */
  dataDir(): Promise<void> {
    this.prepared ??= preparePrivateDataDir(this.config.dataDir, this.log);
    return this.prepared;
  }

  /** The embedded database, started on the first call. */
  database(): Promise<EmbeddedPostgres> {
    this.postgres ??= this.dataDir().then(() =>
      startEmbeddedPostgres({ dataDir: path.join(this.config.dataDir, 'pg') }),
    );
    return this.postgres;
  }

  /** The embedded Chroma server, started on the first call. */
  vectorStore(): Promise<SupervisedChroma> {
    const { chroma } = this.config;
    if (chroma.kind !== 'embedded') return Promise.reject(new Error('CHROMA_URL is set: there is no embedded Chroma'));
    this.chroma ??= this.dataDir().then(() =>
      superviseChroma({
        dataDir: path.join(this.config.dataDir, 'chroma'),
        restartMs: chroma.restartMs,
        log: this.log,
      }),
    );
    return this.chroma;
  }

  /**
   * Stops what was started. For a start that failed before the app took them
   * over (the app stops them itself after that; both stops are idempotent).
   */
  async stop(): Promise<void> {
    const started = [this.chroma, this.postgres].filter((service) => service !== null);
    await Promise.all(started.map((service) => service.then((running) => running.stop()).catch(() => undefined)));
  }
}
