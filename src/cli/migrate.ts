// Applies prisma/migrations (what `prisma migrate deploy` does, offline):
//
//   npm run migrate
//
// to DATABASE_URL when set, else to the embedded database in
// $MEMQL_DATA_DIR/pg (default ./.memql/pg), which must not be in use by a
// running server. The server applies migrations itself at start; this is for
// deployments that migrate as a separate step.
import path from 'node:path';
import { loadConfigOrExit } from '../config.js';
import { startEmbeddedPostgres } from '../infra/prisma/embedded-postgres.js';
import { applyMigrations } from '../infra/prisma/migrate.js';
import { createLogger } from '../lib/logger.js';

const config = loadConfigOrExit('memql migrate');
const log = createLogger(config.logLevel, 'migrate');

if (config.database.kind === 'external') {
  const { applied } = await applyMigrations({ url: config.database.url, log });
  if (applied.length === 0) log.info('database schema is up to date');
} else {
  const dataDir = path.join(config.dataDir, 'pg');
  const embedded = await startEmbeddedPostgres({ dataDir });
  try {
    const { applied } = await applyMigrations({ url: embedded.url, log });
    if (applied.length === 0) log.info({ dataDir }, 'embedded database schema is up to date');
  } finally {
    await embedded.stop();
  }
}
