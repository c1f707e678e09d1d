// The Prisma client over `pg` through @prisma/adapter-pg (Prisma 7 needs no
// Rust query engine). One factory for the embedded PGlite server and for a
// real PostgreSQL server. The `pg` pool is made here and shared: the hot
// read of the query path runs on it directly as a named prepared statement
// (preparedStatements below), without Prisma's per-statement work.

import type { Duplex } from 'node:stream';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
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
  /**
   * Opens a connection as a stream instead of a TCP socket to `url` (the
   * embedded database's in-process connection, EmbeddedPostgres.connect).
   */
  stream?: () => Duplex;
}

/** Named prepared statements on the client's `pg` pool. */
export interface PreparedStatements {
  /**
   * Runs `text` with `values` as the prepared statement `name` (prepared once
   * per connection; one name, one text). Rows as `pg` returns them: uuid and
   * text as strings, int4 and float8 as numbers, json as values.
   */
  query<T>(name: string, text: string, values: readonly unknown[]): Promise<T[]>;
}

const statements = new WeakMap<PrismaClient, PreparedStatements>();

/** Connects lazily on first query; call `$disconnect()` to close the pool. */
export function createPrismaClient(options: PrismaClientOptions): PrismaClient {
  const acquireTimeoutMs = options.acquireTimeoutMs ?? 10_000;
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolMax,
    idleTimeoutMillis: 10_000,
    connectionTimeoutMillis: acquireTimeoutMs,
    // Prisma stores DateTime as UTC in `timestamp` columns; with the session
    // in UTC, raw SQL comparing them to now() is right whatever the server's
    // default TimeZone. (PGlite ignores startup options; it runs in UTC.)
    options: '-c TimeZone=UTC',
    ...(options.stream ? { stream: options.stream } : {}),
  });
  // An idle connection that fails leaves the pool (the next query opens
  // another); without a listener the error would end the process.
  pool.on('error', () => undefined);
  // (adapter-pg is typed against its own copy of @types/pg; the runtime `pg` is one.)
  const adapter = new PrismaPg(pool as unknown as ConstructorParameters<typeof PrismaPg>[0], {
    disposeExternalPool: true,
  });
  const transactionOptions = { maxWait: acquireTimeoutMs, timeout: 15_000 };
  const onQuery = options.onQuery;
  const client = onQuery
    ? new PrismaClient({ adapter, transactionOptions, log: [{ emit: 'event', level: 'query' }] })
    : new PrismaClient({ adapter, transactionOptions });
  if (onQuery) {
    (client as PrismaClient<'query'>).$on('query', (event) =>
      onQuery({ query: event.query, durationMs: event.duration }),
    );
  }
  statements.set(client as PrismaClient, {
    async query<T>(name: string, text: string, values: readonly unknown[]): Promise<T[]> {
      const started = performance.now();
      const result = await pool.query({ name, text, values: [...values] });
      onQuery?.({ query: text, durationMs: performance.now() - started });
      return result.rows as T[];
    },
  });
  return client as PrismaClient;
}

/**
 * The prepared statements of a client made by createPrismaClient; for any
 * other client, the same statements through `$queryRawUnsafe`.
 */
export function preparedStatements(client: PrismaClient): PreparedStatements {
  return (
    statements.get(client) ?? {
      query: <T>(_name: string, text: string, values: readonly unknown[]) =>
        client.$queryRawUnsafe<T[]>(text, ...values),
    }
  );
}
