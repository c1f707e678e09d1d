// The extraction pipeline end to end on the embedded default (offline
// rule-based extractor), through GraphQL and a real graphql-ws client.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateUserDocument,
  DeleteMemoryDocument,
  FlushDocument,
  GetMemoryDocument,
  InsertChatDocument,
  MemoryEventsDocument,
  ProfileChangedDocument,
  UpdateMemoryDocument,
  UserBufferDocument,
  UserEventsDocument,
  UserMemoriesDocument,
  UserProfileDocument,
} from '../generated/graphql.js';
import { subscribe } from '../helpers/subscriptions.js';
import { createProjectClient, startTestApp, type TestApp } from '../helpers/test-app.js';

const INTRO = "Hi, I'm Alex. I'm vegetarian and allergic to nuts. I live in Berlin.";
const user = (content: string) => [{ role: 'user', content }];

describe('memory extraction through the API (offline extractor)', () => {
  let t: TestApp;

  beforeAll(async () => {
    // Long idle and high threshold: nothing is processed unless asked, so each test controls timing.
    t = await startTestApp({
      env: { MEMQL_EMBEDDINGS_PROVIDER: 'hashing', MEMQL_BUFFER_IDLE_SECONDS: '3600', MEMQL_BUFFER_TOKENS: '100000' },
    });
    await t.admin.ok(CreateUserDocument, { input: { id: 'alex' } });
  });
  afterAll(async () => t?.destroy());

  it('streams ADDs, then an UPDATE that keeps the old value, and writes no duplicates', async () => {
    const live = await subscribe(t.wsUrl, t.adminKey, ProfileChangedDocument, { userId: 'alex' });

    const first = (await t.admin.ok(InsertChatDocument, { userId: 'alex', messages: user(INTRO), waitProcess: true }))
      .insertBlob;
    const added = first.event!.changes;
    expect(added.map((c) => c.kind)).toEqual(['ADD', 'ADD', 'ADD', 'ADD']);
    const texts = added.map((c) => c.after!.toLowerCase()).join(' | ');
    for (const word of ['alex', 'vegetarian', 'nuts', 'berlin']) expect(texts).toContain(word);
    expect(
      added.every(
        (c) => c.actor === 'EXTRACTOR' && c.eventId === first.event!.id && c.sourceBlobs[0]?.id === first.blob.id,
      ),
    ).toBe(true);
    const streamed = await live.take(4);
    expect(streamed.map((s) => s.profileChanged.id).sort()).toEqual(added.map((c) => c.id).sort());

    const moved = (
      await t.admin.ok(InsertChatDocument, {
        userId: 'alex',
        messages: user('I just moved to Munich.'),
        waitProcess: true,
      })
    ).insertBlob;
    const update = moved.event!.changes.find((c) => c.kind === 'UPDATE');
    expect(update).toBeDefined();
    expect(update!.before).toMatch(/Berlin/);
    expect(update!.after).toMatch(/Munich/);
    expect((await live.next()).profileChanged).toMatchObject({ id: update!.id, kind: 'UPDATE' });

    const { memory } = await t.admin.ok(GetMemoryDocument, { id: update!.memoryId });
    expect(memory!.text).toMatch(/Munich/);
    expect(memory!.history.map((h) => [h.kind, h.before, h.after])).toEqual([
      ['ADD', null, expect.stringMatching(/Berlin/)],
      ['UPDATE', expect.stringMatching(/Berlin/), expect.stringMatching(/Munich/)],
    ]);
    expect(memory!.sources.map((s) => s.id).sort()).toEqual([first.blob.id, moved.blob.id].sort());

    const before = (await t.admin.ok(UserMemoriesDocument, { userId: 'alex' })).user!.memories.totalCount;
    const again = (await t.admin.ok(InsertChatDocument, { userId: 'alex', messages: user(INTRO), waitProcess: true }))
      .insertBlob;
    expect(again.event!.changes.filter((c) => c.kind === 'ADD')).toEqual([]);
    expect((await t.admin.ok(UserMemoriesDocument, { userId: 'alex' })).user!.memories.totalCount).toBe(before);
    await live.close();
  });

  it('shows the profile grouped by topic, and filters by topic', async () => {
    const { user: profileUser } = await t.admin.ok(UserProfileDocument, { userId: 'alex' });
    const topics = profileUser!.profile.map((p) => p.topic);
    expect(new Set(topics).size).toBe(topics.length);
    const entries = profileUser!.profile.flatMap((p) => p.entries);
    expect(
      entries.every((entry) => profileUser!.profile.find((p) => p.topic === entry.topic)!.entries.includes(entry)),
    ).toBe(true);
    // One current place of residence: the latest statement (the repeated intro said Berlin again).
    const residence = entries.filter((entry) => /^Lives in /.test(entry.text));
    expect(residence).toHaveLength(1);
    const first = profileUser!.profile[0]!;
    const only = (await t.admin.ok(UserProfileDocument, { userId: 'alex', topics: [first.topic] })).user!.profile;
    expect(only.map((p) => p.topic)).toEqual([first.topic]);
  });

  it('records manual edits and deletes as made by the API, keeping history', async () => {
    await t.admin.ok(CreateUserDocument, { input: { id: 'manual' } });
    const event = (
      await t.admin.ok(InsertChatDocument, { userId: 'manual', messages: user('I love hiking.'), waitProcess: true })
    ).insertBlob.event!;
    const memoryId = event.changes[0]!.memoryId;
    const live = await subscribe(t.wsUrl, t.adminKey, ProfileChangedDocument, { userId: 'manual' });

    const { updateMemory } = await t.admin.ok(UpdateMemoryDocument, {
      id: memoryId,
      input: { text: 'Loves long hikes in the Alps', categories: ['hobby'] },
    });
    expect(updateMemory).toMatchObject({ text: 'Loves long hikes in the Alps', categories: ['hobby'] });
    expect(updateMemory.history.at(-1)).toMatchObject({
      kind: 'UPDATE',
      actor: 'API',
      eventId: null,
      after: 'Loves long hikes in the Alps',
    });
    expect((await live.next()).profileChanged).toMatchObject({ kind: 'UPDATE', actor: 'API' });

    expect((await t.admin.ok(DeleteMemoryDocument, { id: memoryId })).deleteMemory).toBe(true);
    const { memory } = await t.admin.ok(GetMemoryDocument, { id: memoryId });
    expect(memory!.deletedAt).not.toBeNull();
    expect(memory!.history.map((h) => [h.kind, h.actor])).toEqual([
      ['ADD', 'EXTRACTOR'],
      ['UPDATE', 'API'],
      ['DELETE', 'API'],
    ]);
    expect(memory!.history.at(-1)!.before).toBe('Loves long hikes in the Alps');
    expect((await live.next()).profileChanged).toMatchObject({ kind: 'DELETE', actor: 'API' });
    expect((await t.admin.ok(UserMemoriesDocument, { userId: 'manual' })).user!.memories.totalCount).toBe(0);
    expect((await t.admin.fails(DeleteMemoryDocument, { id: memoryId })).extensions?.code).toBe('NOT_FOUND');
    expect((await t.admin.fails(UpdateMemoryDocument, { id: memoryId, input: { text: 'x' } })).extensions?.code).toBe(
      'NOT_FOUND',
    );
    await live.close();
  });

  it('refuses bad memory edits, naming the field', async () => {
    await t.admin.ok(CreateUserDocument, { input: { id: 'edits' } });
    const event = (
      await t.admin.ok(InsertChatDocument, {
        userId: 'edits',
        messages: user('I speak Portuguese.'),
        waitProcess: true,
      })
    ).insertBlob.event!;
    const id = event.changes[0]!.memoryId;
    expect((await t.admin.fails(UpdateMemoryDocument, { id, input: { text: '   ' } })).extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.text',
    });
    expect((await t.admin.fails(UpdateMemoryDocument, { id, input: { topic: '' } })).extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.topic',
    });
    expect((await t.admin.fails(UpdateMemoryDocument, { id, input: { metadata: [1] } })).extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.metadata',
    });
    expect((await t.admin.ok(GetMemoryDocument, { id })).memory!.history).toHaveLength(1);
  });

  it('keeps blobs in the buffer until flushed, and reports it', async () => {
    await t.admin.ok(CreateUserDocument, { input: { id: 'buffered' } });
    await t.admin.ok(InsertChatDocument, { userId: 'buffered', messages: user('I work as a nurse.') });
    await t.admin.ok(InsertChatDocument, { userId: 'buffered', messages: user('I have a dog named Rex.') });
    const { user: pending } = await t.admin.ok(UserBufferDocument, { userId: 'buffered' });
    expect(pending!.buffer).toMatchObject({ pendingBlobs: 2, state: 'IDLE', lastError: null });
    expect(pending!.buffer.pendingTokens).toBeGreaterThan(0);

    const { flush } = await t.admin.ok(FlushDocument, { userId: 'buffered' });
    expect(flush.event!.blobs).toHaveLength(2);
    expect(flush.event!.changes.map((c) => c.after).join(' ')).toMatch(/nurse.*Rex|Rex.*nurse/);
    expect(flush.buffer).toMatchObject({ pendingBlobs: 0, pendingTokens: 0, state: 'IDLE' });
    expect((await t.admin.ok(FlushDocument, { userId: 'buffered' })).flush.event).toBeNull();
    const events = (await t.admin.ok(UserEventsDocument, { userId: 'buffered' })).user!.events;
    expect(events.totalCount).toBe(1);
    expect(events.edges[0]!.node.id).toBe(flush.event!.id);
  });

  it('answers NOT_FOUND for flush, subscriptions and memory of unknown users', async () => {
    expect((await t.admin.fails(FlushDocument, { userId: 'nobody' })).extensions?.code).toBe('NOT_FOUND');
    expect((await t.admin.ok(GetMemoryDocument, { id: 'not-an-id' })).memory).toBeNull();
    const live = await subscribe(t.wsUrl, t.adminKey, ProfileChangedDocument, { userId: 'nobody' });
    await expect(live.next(5_000)).rejects.toEqual([
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'NOT_FOUND' }) }),
    ]);
    await live.close();
  });

  it("never lets a subscriber or a reader see another project's memories", async () => {
    const other = await createProjectClient(t, 'other-project');
    await other.client.ok(CreateUserDocument, { input: { id: 'alex' } });
    const otherSecret = other.client.apiKey!;
    const otherChanges = await subscribe(t.wsUrl, otherSecret, ProfileChangedDocument, { userId: 'alex' });
    const otherEvents = await subscribe(t.wsUrl, otherSecret, MemoryEventsDocument, {});
    const ownEvents = await subscribe(t.wsUrl, t.adminKey, MemoryEventsDocument, {});

    const mine = (
      await t.admin.ok(InsertChatDocument, { userId: 'alex', messages: user('I am 34 years old.'), waitProcess: true })
    ).insertBlob.event!;
    expect((await ownEvents.next()).memoryEvents.id).toBe(mine.id);
    // Give any wrongly routed delivery time to arrive before asserting it did not.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(otherChanges.pending()).toEqual([]);
    expect(otherEvents.pending()).toEqual([]);
    expect((await other.client.ok(GetMemoryDocument, { id: mine.changes[0]!.memoryId })).memory).toBeNull();
    expect((await other.client.ok(UserMemoriesDocument, { userId: 'alex' })).user!.memories.totalCount).toBe(0);
    expect((await other.client.fails(DeleteMemoryDocument, { id: mine.changes[0]!.memoryId })).extensions?.code).toBe(
      'NOT_FOUND',
    );
    await Promise.all([otherChanges.close(), otherEvents.close(), ownEvents.close()]);
  });
});

describe('buffer triggers', () => {
  it('processes a buffer after the idle interval without any flush', async () => {
    const t = await startTestApp({
      env: { MEMQL_EMBEDDINGS_PROVIDER: 'hashing', MEMQL_BUFFER_IDLE_SECONDS: '0.5', MEMQL_BUFFER_TOKENS: '100000' },
    });
    try {
      await t.admin.ok(CreateUserDocument, { input: { id: 'idle' } });
      const events = await subscribe(t.wsUrl, t.adminKey, MemoryEventsDocument, { userId: 'idle' });
      const { insertBlob } = await t.admin.ok(InsertChatDocument, {
        userId: 'idle',
        messages: user('I am allergic to shellfish.'),
      });
      const event = (await events.next(20_000)).memoryEvents;
      expect(event.blobs.map((b) => b.id)).toEqual([insertBlob.blob.id]);
      expect(event.changes.map((c) => c.after).join()).toMatch(/shellfish/);
      await events.close();
    } finally {
      await t.destroy();
    }
  });

  it('processes a buffer as soon as it passes the token threshold', async () => {
    const t = await startTestApp({
      env: { MEMQL_EMBEDDINGS_PROVIDER: 'hashing', MEMQL_BUFFER_IDLE_SECONDS: '3600', MEMQL_BUFFER_TOKENS: '20' },
    });
    try {
      await t.admin.ok(CreateUserDocument, { input: { id: 'big' } });
      const events = await subscribe(t.wsUrl, t.adminKey, MemoryEventsDocument, { userId: 'big' });
      await t.admin.ok(InsertChatDocument, { userId: 'big', messages: user('Hi.') });
      const { user: small } = await t.admin.ok(UserBufferDocument, { userId: 'big' });
      expect(small!.buffer.pendingBlobs).toBe(1);
      await t.admin.ok(InsertChatDocument, {
        userId: 'big',
        messages: user('I live in Lisbon and I work at a bakery as a pastry chef, which I love a lot.'),
      });
      const event = (await events.next(20_000)).memoryEvents;
      expect(event.blobs).toHaveLength(2);
      await events.close();
    } finally {
      await t.destroy();
    }
  });
});
