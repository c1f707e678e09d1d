// Memory vectors as Chroma holds them, looked at directly: written through the
// outbox, removed by deleteMemory, resetUser and deleteUser, rebuilt from the
// database by `npm run reindex` and after a change of embedding model.

import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ChromaClient } from 'chromadb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChromaServer, startChromaServer } from '../../src/infra/chroma/chroma-server.js';
import {
  CreateMemoryDocument,
  CreateUserDocument,
  DeleteMemoryDocument,
  DeleteUserDocument,
  ResetUserDocument,
  SearchUserMemoriesDocument,
} from '../generated/graphql.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('memory vectors in Chroma', () => {
  let dir: string;
  let chroma: ChromaServer;
  let client: ChromaClient;
  /** The first server, which owns the data dir and database; `t` is the one running. */
  let first: TestApp;
  let t: TestApp;

  /** Every memory id held in the memory collections (any shard). */
  const indexed = async (): Promise<string[]> => {
    const ids: string[] = [];
    for (const { name } of await client.listCollections({ limit: 1_000 })) {
      if (!name.startsWith('memql-memories_') || name.endsWith('_dir')) continue;
      const collection = await client.getCollection({ name, embeddingFunction: null } as never);
      ids.push(...(await collection.get({ include: [] })).ids);
    }
    return ids.sort();
  };
  const create = async (userId: string, text: string) =>
    (await t.admin.ok(CreateMemoryDocument, { userId, input: { text } })).createMemory.id;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'memql-memory-index-'));
    chroma = await startChromaServer({ dataDir: path.join(dir, 'chroma') });
    const url = new URL(chroma.url);
    client = new ChromaClient({ host: url.hostname, port: Number(url.port), ssl: false });
    first = await startTestApp({ env: { MEMQL_EMBEDDINGS_PROVIDER: 'hashing', CHROMA_URL: chroma.url } });
    t = first;
  });
  afterAll(async () => {
    if (t !== first) await t?.stop();
    await first?.destroy();
    await chroma?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('writes, removes and rebuilds memory vectors as the database says', async () => {
    for (const id of ['kim', 'lee']) await t.admin.ok(CreateUserDocument, { input: { id } });
    const kimA = await create('kim', 'Kim grows tomatoes on the balcony');
    const kimB = await create('kim', 'Kim is learning the cello');
    const leeA = await create('lee', 'Lee runs marathons');
    const leeB = await create('lee', 'Lee keeps bees in the garden');
    await t.app.indexer.drain();
    expect(await indexed()).toEqual([kimA, kimB, leeA, leeB].sort());

    await t.admin.ok(DeleteMemoryDocument, { id: kimB });
    await t.admin.ok(ResetUserDocument, { userId: 'lee' });
    await t.app.indexer.drain();
    expect(await indexed()).toEqual([kimA]);

    const leeC = await create('lee', 'Lee speaks Korean');
    await t.app.indexer.drain();
    expect(await indexed()).toEqual([kimA, leeC].sort());

    // The vector index is derived: drop it and rebuild it from the database with `memql reindex`.
    await t.stop();
    for (const { name } of await client.listCollections({ limit: 1_000 }))
      if (name.startsWith('memql')) await client.deleteCollection({ name });
    expect(await indexed()).toEqual([]);
    await promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli/memql.ts', 'reindex'], {
      cwd: ROOT,
      env: { ...process.env, ...t.env, MEMQL_DATA_DIR: t.dataDir, LOG_LEVEL: 'silent' },
    });
    expect(await indexed()).toEqual([kimA, leeC].sort());

    // Another embedding model: the restart rebuilds into that model's collections, and search works.
    t = await startTestApp({ reuse: first, env: { MEMQL_EMBEDDINGS_DIMENSION: '128' } });
    const found = await t.admin.ok(SearchUserMemoriesDocument, {
      userId: 'kim',
      text: 'tomatoes balcony',
      mode: 'SEMANTIC',
    });
    expect(found.user!.searchMemories.map((m) => m.memory.id)).toEqual([kimA]);
    const spaces = (await client.listCollections({ limit: 1_000 })).map((c) => c.name);
    expect(spaces.some((name) => name.startsWith('memql-memories_') && name.includes('_128_'))).toBe(true);

    await t.admin.ok(DeleteUserDocument, { id: 'lee' });
    await t.app.indexer.drain();
    const remaining = [];
    for (const name of spaces.filter((n) => n.startsWith('memql-memories_') && n.includes('_128_s'))) {
      const collection = await client.getCollection({ name, embeddingFunction: null } as never);
      remaining.push(...(await collection.get({ include: [] })).ids);
    }
    expect(remaining).toEqual([kimA]);
  });
});
