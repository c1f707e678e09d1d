// Throwaway databases on a PostgreSQL server: migration shadow databases,
// a fresh database per test against a real server, one per benchmark server.

import { randomBytes } from 'node:crypto';
import pg from 'pg';

export interface ScratchDatabase {
  name: string;
  /** The server's URL with the new database's name as its path. */
  url: string;
  /** Drops the database, closing its connections (WITH (FORCE)). Idempotent. */
  drop(): Promise<void>;
}

/** Creates a uniquely named database `<prefix><random hex>` on the server of `serverUrl` (CREATE DATABASE rights needed). */
export async function createScratchDatabase(serverUrl: string, prefix: string): Promise<ScratchDatabase> {
  const name = `${prefix}${randomBytes(8).toString('hex')}`;
  await adminQuery(serverUrl, `CREATE DATABASE "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  let dropped: Promise<void> | null = null;
  return {
    name,
    url: url.toString(),
    drop: () => (dropped ??= adminQuery(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)),
  };
}

/** Runs one statement on its own short-lived connection. */
async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
