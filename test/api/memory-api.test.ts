// Memories written and changed through the API (issue 8): createMemory, the
// updateMemory patch, immutable memories, scopes (agentId, runId) on blobs
// and memories, and how extraction treats what the API wrote.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateMemoryDocument,
  CreateUserDocument,
  DeleteMemoryDocument,
  FlushDocument,
  InsertBlobDocument,
  InsertChatDocument,
  MemoryByIdDocument,
  PatchMemoryDocument,
  ProfileChangedDocument,
  UserScopesDocument,
} from '../generated/graphql.js';
import { subscribe } from '../helpers/subscriptions.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

const user = (content: string) => [{ role: 'user', content }];

describe('memories written through the API', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({
      env: { MEMQL_EMBEDDINGS_PROVIDER: 'hashing', MEMQL_BUFFER_IDLE_SECONDS: '3600', MEMQL_BUFFER_TOKENS: '100000' },
    });
    for (const id of ['ana', 'ben', 'cleo', 'dev', 'eve']) await t.admin.ok(CreateUserDocument, { input: { id } });
  });
  afterAll(async () => t?.destroy());

  it('creates a memory with every field, records an ADD by the API and publishes it', async () => {
    const live = await subscribe(t.wsUrl, t.adminKey, ProfileChangedDocument, { userId: 'ana' });
    const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
    const { createMemory } = await t.admin.ok(CreateMemoryDocument, {
      userId: 'ana',
      input: {
        text: '  Prefers window seats on long flights  ',
        topic: 'travel',
        subTopic: 'preferences',
        categories: ['travel'],
        title: 'Seat preference',
        summary: 'Window, not aisle',
        tags: ['travel', 'flights', 'travel'],
        importance: 0.8,
        confidence: 0.9,
        source: 'crm',
        agentId: 'travel-agent',
        runId: 'session-1',
        expiresAt,
        metadata: { origin: { app: 'crm' } },
      },
    });
    expect(createMemory).toMatchObject({
      text: 'Prefers window seats on long flights',
      topic: 'travel',
      subTopic: 'preferences',
      categories: ['travel'],
      title: 'Seat preference',
      summary: 'Window, not aisle',
      tags: ['travel', 'flights'],
      importance: 0.8,
      confidence: 0.9,
      source: 'crm',
      agentId: 'travel-agent',
      runId: 'session-1',
      expiresAt,
      immutable: false,
      metadata: { origin: { app: 'crm' } },
      deletedAt: null,
    });
    expect(createMemory.history).toEqual([
      { kind: 'ADD', actor: 'API', before: null, after: 'Prefers window seats on long flights', eventId: null },
    ]);
    expect((await live.next()).profileChanged).toMatchObject({ kind: 'ADD', actor: 'API', memoryId: createMemory.id });
    await live.close();

    const minimal = (await t.admin.ok(CreateMemoryDocument, { userId: 'ana', input: { text: 'Has a blue bike' } }))
      .createMemory;
    expect(minimal).toMatchObject({
      topic: 'general',
      subTopic: 'note',
      tags: [],
      categories: [],
      importance: null,
      agentId: null,
      immutable: false,
      source: null,
    });
  });

  it('refuses bad input to createMemory, naming the field, and stores nothing', async () => {
    const bad = async (input: Record<string, unknown>, field: string) => {
      const error = await t.admin.fails(CreateMemoryDocument, {
        userId: 'ben',
        input: { text: 'x', ...input } as never,
      });
      expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    };
    await bad({ text: '   ' }, 'input.text');
    await bad({ importance: 1.5 }, 'input.importance');
    await bad({ confidence: -0.1 }, 'input.confidence');
    await bad({ expiresAt: new Date(Date.now() - 1000).toISOString() }, 'input.expiresAt');
    await bad({ agentId: 'a'.repeat(129) }, 'input.agentId');
    await bad({ runId: '' }, 'input.runId');
    await bad({ tags: ['ok', ''] }, 'input.tags[1]');
    await bad({ metadata: [1, 2] }, 'input.metadata');
    expect(
      (await t.admin.fails(CreateMemoryDocument, { userId: 'nobody', input: { text: 'x' } })).extensions?.code,
    ).toBe('NOT_FOUND');
    expect((await t.admin.ok(UserScopesDocument, { userId: 'ben' })).user!.memoryCount).toBe(0);
  });

  it('patches only the given fields; tags replace the list; null clears an optional field', async () => {
    const { createMemory: created } = await t.admin.ok(CreateMemoryDocument, {
      userId: 'ben',
      input: {
        text: 'Runs on Sundays',
        title: 'Running',
        tags: ['sport', 'weekend'],
        importance: 0.4,
        agentId: 'coach',
      },
    });
    const { updateMemory } = await t.admin.ok(PatchMemoryDocument, {
      id: created.id,
      input: { tags: ['fitness'], title: null, importance: 0.7 },
    });
    expect(updateMemory).toMatchObject({
      text: 'Runs on Sundays',
      title: null,
      tags: ['fitness'],
      importance: 0.7,
      agentId: 'coach',
      topic: created.topic,
      createdAt: created.createdAt,
    });
    expect(updateMemory.history.map((h) => [h.kind, h.actor, h.before, h.after])).toEqual([
      ['ADD', 'API', null, 'Runs on Sundays'],
      ['UPDATE', 'API', 'Runs on Sundays', 'Runs on Sundays'],
    ]);
    const renamed = (await t.admin.ok(PatchMemoryDocument, { id: created.id, input: { text: 'Runs on Saturdays' } }))
      .updateMemory;
    expect(renamed).toMatchObject({ text: 'Runs on Saturdays', tags: ['fitness'], importance: 0.7 });
    for (const [input, field] of [
      [{ text: null }, 'input.text'],
      [{ tags: null }, 'input.tags'],
      [{ importance: 2 }, 'input.importance'],
    ] as const) {
      const error = await t.admin.fails(PatchMemoryDocument, { id: created.id, input });
      expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
    expect((await t.admin.ok(MemoryByIdDocument, { id: created.id })).memory!.history).toHaveLength(3);
  });

  it('refuses to update an immutable memory, naming immutable, and still deletes it on request', async () => {
    const { createMemory: fixed } = await t.admin.ok(CreateMemoryDocument, {
      userId: 'cleo',
      input: { text: 'Was born in Porto', immutable: true },
    });
    expect(fixed.immutable).toBe(true);
    const error = await t.admin.fails(PatchMemoryDocument, { id: fixed.id, input: { text: 'Was born in Lisbon' } });
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'immutable' });
    const unlock = await t.admin.fails(PatchMemoryDocument, { id: fixed.id, input: { immutable: false } });
    expect(unlock.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'immutable' });
    const stored = (await t.admin.ok(MemoryByIdDocument, { id: fixed.id })).memory!;
    expect(stored).toMatchObject({ text: 'Was born in Porto', immutable: true, updatedAt: fixed.updatedAt });
    expect(stored.history).toHaveLength(1);
    expect((await t.admin.ok(DeleteMemoryDocument, { id: fixed.id })).deleteMemory).toBe(true);
  });

  it('lets extraction treat API memories as known: a repeat is NONE, a contradiction an UPDATE', async () => {
    const { createMemory: home } = await t.admin.ok(CreateMemoryDocument, {
      userId: 'dev',
      input: { text: 'Lives in Berlin', topic: 'basic_info', subTopic: 'location' },
    });
    const repeat = (
      await t.admin.ok(InsertChatDocument, { userId: 'dev', messages: user('I live in Berlin.'), waitProcess: true })
    ).insertBlob.event!;
    expect(repeat.changes).toEqual([]);

    const moved = (
      await t.admin.ok(InsertChatDocument, { userId: 'dev', messages: user('I moved to Munich.'), waitProcess: true })
    ).insertBlob.event!;
    expect(moved.changes.map((c) => [c.kind, c.memoryId])).toEqual([['UPDATE', home.id]]);
    const updated = (await t.admin.ok(MemoryByIdDocument, { id: home.id })).memory!;
    expect(updated.text).toMatch(/Munich/);
    expect(updated.history.map((h) => [h.kind, h.actor])).toEqual([
      ['ADD', 'API'],
      ['UPDATE', 'EXTRACTOR'],
    ]);
  });

  it('never lets extraction change an immutable memory: a contradicting fact becomes a new memory', async () => {
    const { createMemory: home } = await t.admin.ok(CreateMemoryDocument, {
      userId: 'eve',
      input: { text: 'Lives in Paris', topic: 'basic_info', subTopic: 'location', immutable: true },
    });
    const moved = (
      await t.admin.ok(InsertChatDocument, { userId: 'eve', messages: user('I moved to Rome.'), waitProcess: true })
    ).insertBlob.event!;
    expect(moved.changes.map((c) => c.kind)).toEqual(['ADD']);
    expect(moved.changes[0]!.after).toMatch(/Rome/);
    expect(moved.changes[0]!.memoryId).not.toBe(home.id);
    const kept = (await t.admin.ok(MemoryByIdDocument, { id: home.id })).memory!;
    expect(kept).toMatchObject({ text: 'Lives in Paris', immutable: true });
    expect(kept.history).toHaveLength(1);
  });
});

describe('scopes: agentId and runId', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({
      env: { MEMQL_EMBEDDINGS_PROVIDER: 'hashing', MEMQL_BUFFER_IDLE_SECONDS: '3600', MEMQL_BUFFER_TOKENS: '100000' },
    });
    await t.admin.ok(CreateUserDocument, { input: { id: 'sam' } });
  });
  afterAll(async () => t?.destroy());

  it('stores scopes on blobs; extracted memories inherit them, with source and tags', async () => {
    const { insertBlob } = await t.admin.ok(InsertBlobDocument, {
      userId: 'sam',
      input: { chat: { messages: user("I'm vegetarian.") }, agentId: 'chef', runId: 'dinner-1' },
    });
    expect(insertBlob.blob).toMatchObject({ type: 'CHAT' });
    const { flush } = await t.admin.ok(FlushDocument, { userId: 'sam' });
    const memoryId = flush.event!.changes[0]!.memoryId;
    const memory = (await t.admin.ok(MemoryByIdDocument, { id: memoryId })).memory!;
    expect(memory).toMatchObject({ agentId: 'chef', runId: 'dinner-1', source: 'CHAT' });
    expect(memory.tags).toEqual(memory.categories);
    expect(memory.tags.length).toBeGreaterThan(0);

    const bad = await t.admin.fails(InsertBlobDocument, {
      userId: 'sam',
      input: { summary: { summary: 'x' }, agentId: 'a'.repeat(129) },
    });
    expect(bad.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.agentId' });
  });

  it('extracts each scope on its own: the same fact in two runs makes one memory per run', async () => {
    await t.admin.ok(InsertBlobDocument, {
      userId: 'sam',
      input: { chat: { messages: user('I have a cat named Miso.') }, runId: 'run-a' },
    });
    await t.admin.ok(InsertBlobDocument, {
      userId: 'sam',
      input: { summary: { summary: 'I have a cat named Miso.' }, runId: 'run-b' },
    });
    await t.admin.ok(FlushDocument, { userId: 'sam' });
    const { user: scopes } = await t.admin.ok(UserScopesDocument, { userId: 'sam' });
    expect(scopes!.runs).toEqual([
      { id: 'dinner-1', memoryCount: 1, blobCount: 1 },
      { id: 'run-a', memoryCount: 1, blobCount: 1 },
      { id: 'run-b', memoryCount: 1, blobCount: 1 },
    ]);
    expect(scopes!.agents).toEqual([{ id: 'chef', memoryCount: 1, blobCount: 1 }]);
    expect(scopes).toMatchObject({ memoryCount: 3, blobCount: 3 });
  });
});
