// The settings of a server process a test kills and starts again
// (startServerProcess): its own data dir, a Chroma server of the test's (a
// killed memql must not orphan an embedded one), the hashing embedder, and a
// fresh database on MEMQL_TEST_DATABASE_URL when set.

import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startChromaServer } from '../../src/infra/chroma/chroma-server.js';
import { generateSecret } from '../../src/lib/secrets.js';
import { createTestDatabase } from './database.js';

export interface CrashEnv {
  env: Record<string, string>;
  adminKey: string;
  dispose(): Promise<void>;
}

export async function startCrashEnv(prefix: string): Promise<CrashEnv> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), prefix));
  const chroma = await startChromaServer({ dataDir: path.join(dataDir, 'chroma') });
  const adminKey = generateSecret();
  const env: Record<string, string> = {
    MEMQL_DATA_DIR: path.join(dataDir, 'memql'),
    CHROMA_URL: chroma.url,
    MEMQL_ADMIN_KEY: adminKey,
    MEMQL_EMBEDDINGS_PROVIDER: 'hashing',
  };
  let dropDatabase = async () => {};
  if (process.env.MEMQL_TEST_DATABASE_URL) {
    const database = await createTestDatabase();
    env.DATABASE_URL = database.url;
    dropDatabase = database.drop;
  }
  return {
    env,
    adminKey,
    async dispose() {
      await chroma.stop();
      await dropDatabase();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
