// Crashes with kill -9 at the two dangerous moments, on a real server
// process: between a blob's commit and its indexing, and in the middle of an
// extraction batch. After a restart nothing is lost, nothing is duplicated.

import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChromaServer, type ChromaServer } from '../../src/infra/chroma/chroma-server.js';
import { generateSecret } from '../../src/lib/secrets.js';
import { startScriptedLlmServer } from '../fakes/scripted-llm-server.js';
import {
  CreateUserDocument,
  FlushDocument,
  InsertBlobDocument,
  InsertChatDocument,
  QueryUserDocument,
  UserEventsDocument,
  UserMemoriesDocument,
} from '../generated/graphql.js';
import { createTestDatabase } from '../helpers/database.js';
import { GraphQLClient } from '../helpers/graphql-client.js';
import { startPausableProxy, type PausableProxy } from '../helpers/pausable-proxy.js';
import { startServerProcess } from '../helpers/server-process.js';
import { waitFor } from '../helpers/wait-for.js';

describe('crash recovery (kill -9 of a real server process)', () => {
  let dataDir: string;
  let chroma: ChromaServer;
  let proxy: PausableProxy;
  let env: Record<string, string>;
  let dropDatabase = async () => {};

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'memql-crash-'));
    chroma = await startChromaServer({ dataDir: path.join(dataDir, 'chroma') });
    proxy = await startPausableProxy(new URL(chroma.url));
    env = {
      MEMQL_DATA_DIR: path.join(dataDir, 'memql'),
      CHROMA_URL: proxy.url,
      MEMQL_ADMIN_KEY: generateSecret(),
      MEMQL_EMBEDDINGS_PROVIDER: 'hashing',
    };
    if (process.env.MEMQL_TEST_DATABASE_URL) {
      const database = await createTestDatabase();
      env.DATABASE_URL = database.url;
      dropDatabase = database.drop;
    }
  });
  afterAll(async () => {
    await proxy?.close();
    await chroma?.stop();
    await dropDatabase();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('indexes after a restart what was committed but not yet indexed when the process died', async () => {
    const first = await startServerProcess(env);
    const api = new GraphQLClient(first.url, env.MEMQL_ADMIN_KEY!);
    await api.ok(CreateUserDocument, { input: { id: 'crash' } });

    proxy.pause(); // the vector store stops answering: blobs commit, indexing cannot finish
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const { insertBlob } = await api.ok(InsertBlobDocument, {
        userId: 'crash',
        input: { doc: { content: `Crash note ${i}: the zebra number ${i} escaped from the zoo.` } },
      });
      ids.push(insertBlob.blob.id);
    }
    // Acknowledged means committed: the database finds them already.
    const lexical = await api.ok(QueryUserDocument, { userId: 'crash', text: 'zebra escaped zoo', mode: 'LEXICAL' });
    expect(lexical.user!.query.map((m) => m.blob.id).sort()).toEqual([...ids].sort());
    await first.kill('SIGKILL');
    proxy.resume();

    const second = await startServerProcess(env);
    try {
      const again = new GraphQLClient(second.url, env.MEMQL_ADMIN_KEY!);
      const found = await waitFor('the blobs to be indexed', async () => {
        const result = await again
          .ok(QueryUserDocument, { userId: 'crash', text: 'zebra escaped zoo', mode: 'SEMANTIC' })
          .catch((error: Error) => {
            console.error(
              `${error.message}\nserver errors: ${JSON.stringify(second.logs.filter((entry) => Number(entry.level) >= 50)).slice(0, 600)}`,
            );
            return null;
          });
        if (!result) return null;
        const blobIds = result.user!.query.map((m) => m.blob.id);
        return blobIds.length === ids.length ? blobIds : null;
      });
      expect(found.sort()).toEqual([...ids].sort());
    } finally {
      await second.kill('SIGTERM');
    }
  });

  it('completes a batch interrupted by a crash exactly once after restart', async () => {
    const llm = await startScriptedLlmServer();
    const answer = {
      json: {
        operations: [
          { kind: 'ADD', text: 'Lives in Madrid', topic: 'basic_info', subTopic: 'location', categories: [] },
        ],
        summary: 'Madrid',
        tags: [],
      },
    };
    const llmEnv = {
      ...env,
      MEMQL_LLM_BASE_URL: llm.url,
      MEMQL_LLM_MODEL: 'scripted',
      MEMQL_LLM_TIMEOUT_MS: '60000',
      MEMQL_PROCESSING_LEASE_SECONDS: '2',
      MEMQL_BUFFER_IDLE_SECONDS: '3600',
    };
    try {
      llm.setResponder(() => ({ delayMs: 30_000, ...answer })); // the batch hangs in the LLM call
      const first = await startServerProcess(llmEnv);
      const api = new GraphQLClient(first.url, env.MEMQL_ADMIN_KEY!);
      await api.ok(CreateUserDocument, { input: { id: 'batch' } });
      await api.ok(InsertChatDocument, { userId: 'batch', messages: [{ role: 'user', content: 'I live in Madrid.' }] });
      await api.ok(FlushDocument, { userId: 'batch', waitProcess: false });
      await waitFor('the batch to reach the LLM', async () => llm.chatRequests().length > 0);
      await first.kill('SIGKILL');

      llm.setResponder(() => answer);
      const second = await startServerProcess(llmEnv);
      try {
        const again = new GraphQLClient(second.url, env.MEMQL_ADMIN_KEY!);
        // Nobody flushes: the restarted scheduler finds the unfinished batch once the dead worker's lease expires.
        const events = await waitFor('the batch to complete', async () => {
          const { user } = await again.ok(UserEventsDocument, { userId: 'batch' });
          return user!.events.totalCount > 0 ? user!.events : null;
        });
        await new Promise((resolve) => setTimeout(resolve, 1_500)); // room for a wrong second run
        const memories = (await again.ok(UserMemoriesDocument, { userId: 'batch' })).user!.memories;
        expect(memories.edges.map((e) => e.node.text)).toEqual(['Lives in Madrid']);
        expect((await again.ok(UserEventsDocument, { userId: 'batch' })).user!.events.totalCount).toBe(1);
        expect(events.edges[0]!.node.changes.map((c) => c.kind)).toEqual(['ADD']);
      } finally {
        await second.kill('SIGTERM');
      }
    } finally {
      await llm.stop();
    }
  });
});
