// Starts a real memql for a test: the embedded PGlite (or, when
// MEMQL_TEST_DATABASE_URL is set, a fresh database on that PostgreSQL), an
// embedded Chroma child process, the configured embedder, real HTTP/WS.

import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type App, buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/lib/logger.js';
import { generateSecret } from '../../src/lib/secrets.js';
import { CreateApiKeyDocument, CreateProjectDocument } from '../generated/graphql.js';
import { createTestDatabase } from './database.js';
import { GraphQLClient } from './graphql-client.js';

export interface TestApp {
  app: App;
  url: string;
  wsUrl: string;
  dataDir: string;
  adminKey: string;
  /** A client holding the admin key (acts on the `default` project). */
  admin: GraphQLClient;
  env: Record<string, string>;
  /** Stops the server but keeps its data (for restart tests). */
  stop(): Promise<void>;
  /** Stops the server and removes its data. */
  destroy(): Promise<void>;
}

export interface TestAppOptions {
  /** Extra environment (e.g. MEMQL_EMBEDDINGS_PROVIDER=hashing, MEMQL_LLM_BASE_URL). */
  env?: Record<string, string>;
  /** Reuse a data dir and database of an earlier TestApp (restart). */
  reuse?: Pick<TestApp, 'dataDir' | 'env'>;
}

/**
 * MEMQL_TEST_ENCRYPTION_KEY set (`npm run test:encrypted`): every app a test
 * starts encrypts at rest with that key, so the read-path suites check that
 * every answer comes back in plaintext.
 */
function encryptedRun(): Record<string, string> {
  const key = process.env.MEMQL_TEST_ENCRYPTION_KEY;
  return key ? { MEMQL_ENCRYPTION_KEY: key } : {};
}

export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  let dataDir: string;
  let env: Record<string, string>;
  let dropDatabase: () => Promise<void> = async () => {};
  if (options.reuse) {
    dataDir = options.reuse.dataDir;
    env = { ...options.reuse.env, ...options.env };
  } else {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'memql-test-'));
    env = { MEMQL_ADMIN_KEY: generateSecret(), ...encryptedRun(), ...options.env };
    if (process.env.MEMQL_TEST_DATABASE_URL) {
      const database = await createTestDatabase();
      env.DATABASE_URL = database.url;
      dropDatabase = database.drop;
    }
  }
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    MEMQL_DATA_DIR: dataDir,
    LOG_LEVEL: process.env.MEMQL_TEST_LOG_LEVEL ?? 'silent',
    ...env,
  });
  const app = await buildApp(config, createLogger(config.logLevel));
  const adminKey = env.MEMQL_ADMIN_KEY!;
  return {
    app,
    url: app.url,
    wsUrl: app.url.replace(/^http/, 'ws'),
    dataDir,
    adminKey,
    admin: new GraphQLClient(app.url, adminKey),
    env,
    stop: () => app.stop(),
    destroy: async () => {
      await app.stop();
      await dropDatabase();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Creates a project and a key for it through the API; returns a client holding that key. */
export async function createProjectClient(
  testApp: TestApp,
  name: string,
): Promise<{ client: GraphQLClient; projectId: string; keyId: string }> {
  const { createProject } = await testApp.admin.ok(CreateProjectDocument, { name });
  const { createApiKey } = await testApp.admin.ok(CreateApiKeyDocument, { projectId: createProject.id, name: 'test' });
  return {
    client: new GraphQLClient(testApp.url, createApiKey.secret),
    projectId: createProject.id,
    keyId: createApiKey.id,
  };
}
