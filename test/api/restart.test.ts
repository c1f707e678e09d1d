// Everything survives a clean restart on the same data dir: users, blobs,
// search, keys and the generated admin key.

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/lib/logger.js';
import {
  CreateUserDocument,
  CurrentProjectDocument,
  GetBlobDocument,
  GetUserDocument,
  InsertBlobDocument,
  QueryUserDocument,
} from '../generated/graphql.js';
import { GraphQLClient } from '../helpers/graphql-client.js';
import { createProjectClient, startTestApp } from '../helpers/test-app.js';

describe('restart on the same data dir', () => {
  it('keeps users, blobs, the vector index and API keys', async () => {
    const first = await startTestApp({ env: { MEMQL_EMBEDDINGS_PROVIDER: 'hashing' } });
    const { client } = await createProjectClient(first, 'persisted');
    await client.ok(CreateUserDocument, { input: { id: 'kept', data: { n: 1 } } });
    const { insertBlob } = await client.ok(InsertBlobDocument, {
      userId: 'kept',
      input: { doc: { content: 'The lighthouse keeper paints the door red every spring.' } },
    });
    await first.app.indexer.drain();
    await first.stop();

    const second = await startTestApp({ reuse: first });
    try {
      const reconnected = new GraphQLClient(second.url, client.apiKey);
      expect((await reconnected.ok(GetUserDocument, { id: 'kept' })).user?.data).toEqual({ n: 1 });
      expect((await reconnected.ok(GetBlobDocument, { id: insertBlob.blob.id })).blob?.id).toBe(insertBlob.blob.id);
      const semantic = await reconnected.ok(QueryUserDocument, {
        userId: 'kept',
        text: 'lighthouse door paint',
        mode: 'SEMANTIC',
      });
      expect(semantic.user!.query[0]?.blob.id).toBe(insertBlob.blob.id);
    } finally {
      await second.destroy();
    }
  });

  it('generates the admin key once, prints it once, and keeps it across restarts', async () => {
    const first = await startTestApp({ env: { MEMQL_EMBEDDINGS_PROVIDER: 'hashing', MEMQL_ADMIN_KEY: '' } });
    const dataDir = first.dataDir;
    try {
      expect(first.app.generatedAdminKey).toMatch(/^mq_/);
      const stored = (await readFile(path.join(dataDir, 'admin.key'), 'utf8')).trim();
      expect(stored).toBe(first.app.generatedAdminKey);
      const admin = new GraphQLClient(first.url, stored);
      expect((await admin.ok(CurrentProjectDocument)).project.name).toBe('default');
      await first.stop();

      const config = loadConfig({
        PORT: '0',
        HOST: '127.0.0.1',
        MEMQL_DATA_DIR: dataDir,
        LOG_LEVEL: 'silent',
        MEMQL_EMBEDDINGS_PROVIDER: 'hashing',
        ...(first.env.DATABASE_URL ? { DATABASE_URL: first.env.DATABASE_URL } : {}),
      });
      const second = await buildApp(config, createLogger('silent'));
      try {
        expect(second.generatedAdminKey).toBeNull();
        expect((await new GraphQLClient(second.url, stored).ok(CurrentProjectDocument)).project.name).toBe('default');
      } finally {
        await second.stop();
      }
    } finally {
      await first.destroy();
    }
  });
});
