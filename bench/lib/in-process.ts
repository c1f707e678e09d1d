// Starts memql inside this process on a fresh data directory, the way a user
// runs it (embedded PGlite and Chroma unless DATABASE_URL / CHROMA_URL are
// set), on a free port, with a generated admin key.

import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type App, buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/lib/logger.js';
import { generateSecret } from '../../src/lib/secrets.js';

export interface InProcessServer {
  app: App;
  url: string;
  adminKey: string;
  dataDir: string;
  /** Stops the server and removes its data directory (unless it was given: that one is kept). */
  destroy(): Promise<void>;
}

/**
 * `env` overrides the process environment (which may point at servers).
 * `dataDir`: use (and keep) this data directory instead of a fresh one.
 */
export async function startInProcess(
  env: Record<string, string>,
  options: { dataDir?: string | undefined } = {},
): Promise<InProcessServer> {
  const keep = options.dataDir !== undefined;
  const dataDir = options.dataDir
    ? path.resolve(options.dataDir)
    : await mkdtemp(path.join(os.tmpdir(), 'memql-bench-'));
  if (keep) await mkdir(dataDir, { recursive: true });
  const adminKey = generateSecret();
  const config = loadConfig({
    ...process.env,
    LOG_LEVEL: 'warn',
    ...env,
    PORT: '0',
    HOST: '127.0.0.1',
    MEMQL_DATA_DIR: dataDir,
    MEMQL_ADMIN_KEY: adminKey,
  });
  const app = await buildApp(config, createLogger(config.logLevel));
  return {
    app,
    url: app.url,
    adminKey,
    dataDir,
    destroy: async () => {
      await app.stop();
      if (!keep) await rm(dataDir, { recursive: true, force: true });
    },
  };
}
