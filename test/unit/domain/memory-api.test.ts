// Memories written, searched and expired through the domain services of
// issue 8 (MemoryEditService, MemorySearchService, ExpirySweeper) and their
// index jobs, on in-memory fakes.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BadInputError, NotFoundError } from '../../../src/domain/errors.js';
import type { DomainEvent } from '../../../src/domain/ports.js';
import type { UserRecord } from '../../../src/domain/types.js';
import { createTestDomain, type TestDomain } from '../../fakes/test-domain.js';

let domain: TestDomain;
let user: UserRecord;
let published: DomainEvent[];

beforeEach(async () => {
  domain = await createTestDomain();
  user = await domain.newUser('ann');
  published = [];
  const subscription = domain.events.subscribe(user.projectId, () => true);
  void (async () => {
    for await (const event of subscription) published.push(event);
  })();
});
afterEach(async () => {
  vi.useRealTimers();
  await domain.stop();
});

async function fieldOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BadInputError);
  return (error as BadInputError).field;
}

const live = () => domain.repos.memories.listProfile(user.pk, null, new Date());

describe('MemoryEditService', () => {
  it('creates a memory directly: stored, recorded as the API, published, and indexed through the outbox', async () => {
    const memory = await domain.services.memoryEdits.create(user, {
      text: ' User prefers tea. ',
      topic: 'food',
      subTopic: 'drinks',
      tags: ['diet'],
      importance: 0.8,
      agentId: 'barista',
    });
    expect(memory).toMatchObject({
      text: 'User prefers tea.',
      topic: 'food',
      tags: ['diet'],
      importance: 0.8,
      agentId: 'barista',
      immutable: false,
    });
    expect((await domain.repos.memories.history([memory.id]))[0]!.map((c) => [c.kind, c.actor])).toEqual([
      ['ADD', 'API'],
    ]);
    await vi.waitFor(() => expect(published).toHaveLength(1));
    expect(published[0]).toMatchObject({ type: 'memory.changed', change: { memoryId: memory.id, kind: 'ADD' } });
    expect(domain.memoryVectors.ids()).toEqual([]);
    await domain.indexer.drain();
    expect(domain.memoryVectors.ids()).toEqual([memory.id]);
  });

  it('names the field of a bad memory and stores nothing', async () => {
    const { memoryEdits } = domain.services;
    expect(await fieldOf(memoryEdits.create(user, { text: '  ' }))).toBe('input.text');
    expect(await fieldOf(memoryEdits.create(user, { text: 'x', importance: 2 }))).toBe('input.importance');
    expect(await fieldOf(memoryEdits.create(user, { text: 'x', expiresAt: new Date(Date.now() - 1_000) }))).toBe(
      'input.expiresAt',
    );
    expect(await live()).toEqual([]);
    expect(await domain.repos.indexJobs.pendingCount()).toBe(0);
  });

  it('refuses to update an immutable memory, and deletes it when asked', async () => {
    const pinned = await domain.services.memoryEdits.create(user, { text: 'Allergic to nuts.', immutable: true });
    expect(await fieldOf(domain.services.memoryEdits.update(domain.admin, pinned.id, { text: 'Not allergic.' }))).toBe(
      'immutable',
    );
    expect(await domain.services.memoryEdits.delete(domain.admin, pinned.id)).toBe(true);
    expect(await live()).toEqual([]);
  });

  it('updates many memories all or nothing, naming the bad item', async () => {
    const { memoryEdits } = domain.services;
    const a = await memoryEdits.create(user, { text: 'A' });
    const b = await memoryEdits.create(user, { text: 'B' });
    const missing = '00000000-0000-4000-8000-000000000000';
    expect(
      await fieldOf(
        memoryEdits.updateMany(domain.admin, [
          { id: a.id, input: { text: 'A2' } },
          { id: missing, input: { text: 'nope' } },
        ]),
      ),
    ).toBe('inputs[1].id');
    expect((await live()).map((m) => m.text).sort()).toEqual(['A', 'B']);
    const updated = await memoryEdits.updateMany(domain.admin, [
      { id: a.id, input: { text: 'A2' } },
      { id: b.id, input: { tags: ['t'] } },
    ]);
    expect(updated.map((m) => [m.text, m.tags])).toEqual([
      ['A2', []],
      ['B', ['t']],
    ]);
    expect(await memoryEdits.deleteMany(domain.admin, [a.id, b.id])).toBe(2);
    expect(await live()).toEqual([]);
  });

  it('deletes by filter and resets a user, recording every deletion', async () => {
    const { memoryEdits } = domain.services;
    await memoryEdits.create(user, { text: 'Run one', runId: 'r1' });
    await memoryEdits.create(user, { text: 'Run two', runId: 'r2' });
    await memoryEdits.create(user, { text: 'No run' });
    expect(await memoryEdits.deleteWhere(user, { runId: { eq: 'r1' } })).toBe(1);
    expect((await live()).map((m) => m.text).sort()).toEqual(['No run', 'Run two']);
    await domain.services.blobs.insert(user, { chat: { messages: [{ role: 'user', content: 'Buffered.' }] } });
    expect(await memoryEdits.reset(user, true)).toEqual({ memoriesDeleted: 2, eventsDeleted: 0, blobsDeleted: 0 });
    expect(await live()).toEqual([]);
    expect((await domain.repos.processing.status([user.pk]))[0]).toMatchObject({ pendingBlobs: 0 });
    await domain.indexer.drain();
    expect(domain.memoryVectors.ids()).toEqual([]);
  });

  it('refuses edits of a memory of another project as not found', async () => {
    const memory = await domain.services.memoryEdits.create(user, { text: 'Mine.' });
    const other = await domain.newProject('other');
    const error = await domain.services.memoryEdits.delete(other, memory.id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
  });
});

describe('MemorySearchService', () => {
  beforeEach(async () => {
    const { memoryEdits } = domain.services;
    await memoryEdits.create(user, { text: 'User goes hiking in the Alps.', topic: 'hobbies' });
    await memoryEdits.create(user, { text: 'User runs marathons.', topic: 'hobbies' });
    await memoryEdits.create(user, { text: 'User is vegetarian.', topic: 'food' });
    const bob = await domain.newUser('bob');
    await memoryEdits.create(bob, { text: 'Bob goes hiking too.' });
    await domain.indexer.drain();
  });

  it("finds a user's memories in every mode, and only that user's", async () => {
    for (const mode of ['LEXICAL', 'SEMANTIC', 'HYBRID'] as const) {
      const matches = await domain.services.memorySearch.searchUser(user, { text: 'hiking Alps', mode, topK: 1 });
      expect(
        matches.map((m) => m.memory.text),
        mode,
      ).toEqual(['User goes hiking in the Alps.']);
    }
    const all = await domain.services.memorySearch.searchUser(user, { text: 'hiking', mode: 'LEXICAL' });
    expect(all.map((m) => m.memory.userPk)).toEqual([user.pk]);
  });

  it('applies the filter and the threshold', async () => {
    const food = await domain.services.memorySearch.searchUser(user, {
      text: 'User',
      mode: 'SEMANTIC',
      filter: { topic: { eq: 'food' } },
    });
    expect(food.map((m) => m.memory.text)).toEqual(['User is vegetarian.']);
    const none = await domain.services.memorySearch.searchUser(user, { text: 'hiking', threshold: 1e9 });
    expect(none).toEqual([]);
  });

  it("searches the project's users, or some of them", async () => {
    const everyone = await domain.services.memorySearch.searchProject(domain.admin, {
      text: 'hiking',
      mode: 'LEXICAL',
    });
    expect(everyone.map((m) => m.memory.text).sort()).toEqual([
      'Bob goes hiking too.',
      'User goes hiking in the Alps.',
    ]);
    const bobOnly = await domain.services.memorySearch.searchProject(domain.admin, {
      text: 'hiking',
      userIds: ['bob'],
      mode: 'HYBRID',
    });
    expect(bobOnly.map((m) => m.memory.text)).toEqual(['Bob goes hiking too.']);
    const error = await domain.services.memorySearch
      .searchProject(domain.admin, { text: 'hiking', userIds: ['nobody'] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
  });
});

describe('expiry', () => {
  it('hides a memory from its expiresAt on, and the sweep deletes it as EXPIRY and drops its vector', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const t0 = Date.now();
    vi.setSystemTime(t0);
    const memory = await domain.services.memoryEdits.create(user, {
      text: 'Temporary note.',
      expiresAt: new Date(t0 + 60_000),
    });
    await domain.indexer.drain();
    expect(domain.memoryVectors.ids()).toEqual([memory.id]);

    vi.setSystemTime(t0 + 60_000);
    expect(await live()).toEqual([]);
    expect(await domain.services.memories.find(domain.admin, memory.id)).toMatchObject({ deletedAt: null });

    domain.sweeper.start();
    await vi.waitFor(async () =>
      expect((await domain.repos.memories.history([memory.id]))[0]!.map((c) => c.actor)).toEqual(['API', 'EXPIRY']),
    );
    await domain.indexer.drain();
    expect(domain.memoryVectors.ids()).toEqual([]);
  });
});
