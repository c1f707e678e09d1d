// Forgetting past the project's blobTokenCap (Memobase-style): the oldest
// blobs of a user over the cap go, with their chunks and vectors; the
// memories extracted from them stay, with the removed blobs' ids as sources;
// the removal is an event, published and counted in usage. Checked through
// the API, with Chroma looked at directly.

import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ChromaClient } from 'chromadb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChromaServer, startChromaServer } from '../../src/infra/chroma/chroma-server.js';
import {
  CreateUserDocument,
  FlushDocument,
  ForgettingEventsDocument,
  ForgettingStateDocument,
  InsertBlobDocument,
  SetBlobTokenCapDocument,
  type ForgettingEventsSubscription,
} from '../generated/graphql.js';
import type { GraphQLClient } from '../helpers/graphql-client.js';
import { subscribe } from '../helpers/subscriptions.js';
import { createProjectClient, startTestApp, type TestApp } from '../helpers/test-app.js';

const CAP = 250;
const T0 = Date.parse('2026-01-01T00:00:00Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

/** About 100 tokens of text (400 characters) that mention `word`. */
const docText = (word: string) => `${word} `.repeat(Math.ceil(400 / (word.length + 1))).slice(0, 400);

describe('forgetting past the blob token cap', () => {
  let dir: string;
  let chroma: ChromaServer;
  let chromaClient: ChromaClient;
  let t: TestApp;

  /** Every blob id that has chunk vectors in Chroma (any shard). */
  const vectorBlobIds = async (): Promise<Set<string>> => {
    const ids = new Set<string>();
    for (const { name } of await chromaClient.listCollections({ limit: 1_000 })) {
      if (name.startsWith('memql-memories') || name.endsWith('_dir')) continue;
      const collection = await chromaClient.getCollection({ name, embeddingFunction: null } as never);
      for (const metadata of (await collection.get({ include: ['metadatas' as never] })).metadatas)
        if (metadata && typeof metadata.blobId === 'string') ids.add(metadata.blobId);
    }
    return ids;
  };

  const insertDoc = async (client: GraphQLClient, userId: string, word: string, minutes: number) =>
    (
      await client.ok(InsertBlobDocument, {
        userId,
        input: { doc: { title: word, content: docText(word) }, createdAt: at(minutes) },
      })
    ).insertBlob.blob.id;

  const state = async (client: GraphQLClient, userId: string, text = 'anything') => {
    const { user } = await client.ok(ForgettingStateDocument, { userId, text });
    return user!;
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'memql-forgetting-'));
    chroma = await startChromaServer({ dataDir: path.join(dir, 'chroma') });
    const url = new URL(chroma.url);
    chromaClient = new ChromaClient({ host: url.hostname, port: Number(url.port), ssl: false });
    t = await startTestApp({
      env: { MEMQL_EMBEDDINGS_PROVIDER: 'hashing', CHROMA_URL: chroma.url, MEMQL_BUFFER_IDLE_SECONDS: '3600' },
    });
  });
  afterAll(async () => {
    await t?.destroy();
    await chroma?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('is a project setting: 3,000,000 by default, a whole number from 100 to 1,000,000,000', async () => {
    const { client } = await createProjectClient(t, 'cap-validation');
    // The default until a config is saved, and when a saved config leaves it out.
    const fresh = await client.raw<{ profileConfig: { blobTokenCap: number } }>('{ profileConfig { blobTokenCap } }');
    expect(fresh.data?.profileConfig.blobTokenCap).toBe(3_000_000);
    const omitted = await client.raw<{ setProfileConfig: { blobTokenCap: number } }>(
      'mutation { setProfileConfig(input: { topics: [{ name: "t", subTopics: [{ name: "s" }] }] }) { blobTokenCap } }',
    );
    expect(omitted.data?.setProfileConfig.blobTokenCap).toBe(3_000_000);

    for (const cap of [0, -5, 99, 1_000_000_001]) {
      const error = await client.fails(SetBlobTokenCapDocument, { cap });
      expect(error.extensions?.code).toBe('BAD_USER_INPUT');
      expect(error.extensions?.field).toBe('input.blobTokenCap');
      expect(error.message).toContain('blobTokenCap');
    }
    expect((await client.ok(SetBlobTokenCapDocument, { cap: 100 })).setProfileConfig.blobTokenCap).toBe(100);
    const saved = await client.raw<{ profileConfig: { blobTokenCap: number } }>('{ profileConfig { blobTokenCap } }');
    expect(saved.data?.profileConfig.blobTokenCap).toBe(100);
  });

  it('removes the oldest blobs, keeps their memories and sources, publishes and counts the removal', async () => {
    await t.admin.ok(SetBlobTokenCapDocument, { cap: CAP });
    const other = await createProjectClient(t, 'other-project'); // default cap
    for (const id of ['ana', 'bo']) await t.admin.ok(CreateUserDocument, { input: { id } });
    await other.client.ok(CreateUserDocument, { input: { id: 'ana' } });
    const events = await subscribe<ForgettingEventsSubscription, { userId?: string | null }>(
      t.wsUrl,
      t.adminKey,
      ForgettingEventsDocument,
      {},
    );
    try {
      // A conversation, extracted into memories, then three docs of 100 tokens, oldest first: 250 holds two docs.
      const chat = await t.admin.ok(InsertBlobDocument, {
        userId: 'ana',
        input: { chat: { messages: [{ role: 'user', content: 'I live in Lisbon.' }] }, createdAt: at(0) },
      });
      const chatId = chat.insertBlob.blob.id;
      await t.admin.ok(FlushDocument, { userId: 'ana', waitProcess: true });
      const extracted = await events.next(30_000);
      expect(extracted.memoryEvents.kind).toBe('EXTRACTION');
      const memoriesBefore = (await state(t.admin, 'ana')).memories.edges.map((edge) => edge.node);
      expect(memoriesBefore.length).toBeGreaterThan(0);
      expect(memoriesBefore.every((memory) => memory.sourceIds.includes(chatId))).toBe(true);

      const tokensOf: Record<string, number> = {};
      let stored = Number((await state(t.admin, 'ana')).usage.tokensStored);
      tokensOf[chatId] = stored;
      const docs: string[] = [];
      for (const [i, word] of ['apricot', 'blueberry', 'cherry'].entries()) {
        const id = await insertDoc(t.admin, 'ana', word, i + 1);
        docs.push(id);
        const now = Number((await state(t.admin, 'ana')).usage.tokensStored);
        tokensOf[id] = now - stored;
        stored = now;
        // The same blobs for bo (under the cap with two) and for ana in another project (default cap).
        if (i < 2) await insertDoc(t.admin, 'bo', word, i + 1);
        await insertDoc(other.client, 'ana', word, i + 1);
      }
      await t.app.indexer.drain();

      // Oldest first, until the rest fit: the conversation and the first doc go.
      const kept = [chatId, ...docs];
      let total = kept.reduce((sum, id) => sum + tokensOf[id]!, 0);
      const removed: string[] = [];
      while (total > CAP) {
        const oldest = kept.shift()!;
        removed.push(oldest);
        total -= tokensOf[oldest]!;
      }
      expect(removed).toEqual([chatId, docs[0]]);

      const forgotten = await events.next(30_000);
      expect(forgotten.memoryEvents).toMatchObject({
        kind: 'BLOBS_FORGOTTEN',
        blobIds: removed,
        blobs: [],
        user: { id: 'ana' },
      });
      expect(forgotten.memoryEvents.summary).toContain(`${CAP} tokens`);

      const ana = await state(t.admin, 'ana', 'apricot');
      expect(ana.blobs.edges.map((edge) => edge.node.id)).toEqual(kept);
      expect(ana.blobs.totalCount).toBe(2);
      expect(ana.query.map((match) => match.blob.id)).not.toContain(docs[0]);
      expect(ana.query.map((match) => match.blob.id).every((id) => kept.includes(id))).toBe(true);
      // The memories stay, their sources' ids too; the blobs themselves are gone.
      expect(ana.memories.edges.map((edge) => edge.node)).toEqual(
        memoriesBefore.map((memory) => ({ ...memory, sources: [] })),
      );
      expect(ana.events.edges.map((edge) => edge.node)).toContainEqual({
        kind: 'BLOBS_FORGOTTEN',
        blobIds: removed,
        summary: forgotten.memoryEvents.summary,
      });
      expect(ana.usage).toMatchObject({
        blobsForgotten: 2,
        tokensForgotten: tokensOf[chatId]! + tokensOf[docs[0]!]!,
      });

      // Their chunk vectors are gone from Chroma; the others' are there.
      await t.app.indexer.drain();
      const vectors = await vectorBlobIds();
      for (const id of removed) expect(vectors.has(id)).toBe(false);
      for (const id of kept) expect(vectors.has(id)).toBe(true);

      // Another user of the project, and the same user in another project, keep everything.
      const bo = await state(t.admin, 'bo');
      expect(bo.blobs.totalCount).toBe(2);
      expect(bo.usage.blobsForgotten).toBe(0);
      const otherAna = await state(other.client, 'ana');
      expect(otherAna.blobs.totalCount).toBe(3);
      expect(otherAna.usage.blobsForgotten).toBe(0);
      for (const edge of [...bo.blobs.edges, ...otherAna.blobs.edges]) expect(vectors.has(edge.node.id)).toBe(true);
      expect(events.pending().filter((event) => event.memoryEvents.kind === 'BLOBS_FORGOTTEN')).toEqual([]);
    } finally {
      await events.close();
    }
  });

  it('removes each blob once and leaves no overshoot after concurrent inserts', async () => {
    const { client } = await createProjectClient(t, 'concurrent');
    await client.ok(SetBlobTokenCapDocument, { cap: CAP });
    await client.ok(CreateUserDocument, { input: { id: 'cy' } });
    const words = Array.from({ length: 24 }, (_, i) => `word${i}x`);
    const ids = await Promise.all(words.map((word, i) => insertDoc(client, 'cy', word, i)));
    await t.app.indexer.drain();

    const cy = await state(client, 'cy');
    const keptIds = cy.blobs.edges.map((edge) => edge.node.id);
    // Every doc is the same size: the newest that fit are kept, in order.
    const perDoc = Number(cy.usage.tokensStored) / words.length;
    const fit = Math.floor(CAP / perDoc);
    expect(keptIds).toEqual(ids.slice(ids.length - fit));
    const forgottenIds = cy.events.edges
      .filter((edge) => edge.node.kind === 'BLOBS_FORGOTTEN')
      .flatMap((edge) => edge.node.blobIds);
    expect(new Set(forgottenIds).size).toBe(forgottenIds.length);
    expect([...forgottenIds].sort()).toEqual(ids.slice(0, ids.length - fit).sort());
    expect(cy.usage.blobsForgotten).toBe(ids.length - fit);
    const vectors = await vectorBlobIds();
    for (const id of forgottenIds) expect(vectors.has(id)).toBe(false);
  });
});
