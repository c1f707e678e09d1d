// The Prisma client over `pg` through @prisma/adapter-pg (Prisma 7 needs no
// Rust query engine). One factory for the embedded PGlite server and for a
// real PostgreSQL server.

import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/client.js';

export { PrismaClient };
export type { Prisma } from './generated/client.js';

export interface PrismaClientOptions {
  /** postgresql:// URL of the database. */
  url: string;
  /**
   * Maximum open connections. Must be 1 for the embedded PGlite server, which
   * serves one connection at a time (other clients queue behind it until it
   * has been idle for 10 s and is closed). For a real server use the
   * configured pool size (DATABASE_POOL_MAX, default 10).
   */
  poolMax: number;
  /**
   * How long a query or transaction may wait for a free connection before
   * failing, in ms. Default 10000 (every request queues on one connection
   * with the embedded server, so waits are longer than Prisma's 2 s default).
   */
  acquireTimeoutMs?: number;
  /** Called after every SQL statement (metrics; the DataLoader tests count statements with it). */
  onQuery?: (event: { query: string; durationMs: number }) => void;
}

/** Connects lazily on first query; call `$disconnect()` to close the pool. */
export function createPrismaClient(options: PrismaClientOptions): PrismaClient {
  const acquireTimeoutMs = options.acquireTimeoutMs ?? 10_000;
  const adapter = new PrismaPg({
    connectionString: options.url,
    max: options.poolMax,
    idleTimeoutMillis: 10_000,
    connectionTimeoutMillis: acquireTimeoutMs,
    // Prisma stores DateTime as UTC in `timestamp` columns; with the session
    // in UTC, raw SQL comparing them to now() is right whatever the server's
    // default TimeZone. (PGlite ignores startup options; it runs in UTC.)
    options: '-c TimeZone=UTC',
  });
  if (!options.onQuery)
    return new PrismaClient({ adapter, transactionOptions: { maxWait: acquireTimeoutMs, timeout: 15_000 } });
  const client = new PrismaClient({
    adapter,
    transactionOptions: { maxWait: acquireTimeoutMs, timeout: 15_000 },
    log: [{ emit: 'event', level: 'query' }],
  });
  const onQuery = options.onQuery;
  client.$on('query', (event) => onQuery({ query: event.query, durationMs: event.duration }));
  return client as unknown as PrismaClient;
}
