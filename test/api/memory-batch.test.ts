// Batches and bulk changes of memories (issue 8): updateMemories and
// deleteMemories of up to 1,000 items, all or nothing; deleteMemoriesWhere;
// resetUser; the expiry sweep. Every change is recorded and published.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateMemoryDocument,
  CreateUserDocument,
  DeleteMemoriesDocument,
  DeleteMemoriesWhereDocument,
  FilterMemoriesDocument,
  type FilterMemoriesQueryVariables,
  GetUserDocument,
  InsertChatDocument,
  MemoryByIdDocument,
  ProfileChangedDocument,
  ResetUserDocument,
  UpdateMemoriesDocument,
  type UpdateMemoriesItem,
  UserBufferDocument,
  UserEventsDocument,
  UserScopesDocument,
} from '../generated/graphql.js';
import { subscribe } from '../helpers/subscriptions.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

const user = (content: string) => [{ role: 'user', content }];

describe('batches, deleteMemoriesWhere, resetUser and expiry', () => {
  let t: TestApp;
  let thousand: string[] = [];

  const count = async (variables: FilterMemoriesQueryVariables) =>
    (await t.admin.ok(FilterMemoriesDocument, { first: 0, ...variables })).user!.memories.totalCount;

  beforeAll(async () => {
    t = await startTestApp({
      env: {
        MEMQL_EMBEDDINGS_PROVIDER: 'hashing',
        MEMQL_BUFFER_IDLE_SECONDS: '3600',
        MEMQL_BUFFER_TOKENS: '100000',
        MEMQL_EXPIRY_SWEEP_SECONDS: '0.2',
      },
    });
    await t.admin.ok(CreateUserDocument, { input: { id: 'bulk' } });
    const made: string[] = [];
    const queue = Array.from({ length: 1_000 }, (_, i) => i);
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
          const { createMemory } = await t.admin.ok(CreateMemoryDocument, {
            userId: 'bulk',
            input: { text: `Bulk fact ${i}`, tags: ['bulk'], immutable: i === 999 },
          });
          made[i] = createMemory.id;
        }
      }),
    );
    thousand = made;
  }, 300_000);
  afterAll(async () => t?.destroy());

  it('updates 1,000 memories in one call, recording and publishing each change', async () => {
    const live = await subscribe(t.wsUrl, t.adminKey, ProfileChangedDocument, { userId: 'bulk' });
    const targets = thousand.slice(0, 999); // the last one is immutable
    const inputs: UpdateMemoriesItem[] = [
      ...targets.map((id, i) => ({ id, input: { tags: ['bulk', 'batched'], importance: (i % 10) / 10 } })),
      {
        id: (await t.admin.ok(CreateMemoryDocument, { userId: 'bulk', input: { text: 'One more' } })).createMemory.id,
        input: { text: 'One more, renamed' },
      },
    ];
    const { updateMemories } = await t.admin.ok(UpdateMemoriesDocument, { inputs });
    expect(updateMemories).toHaveLength(1_000);
    expect(updateMemories.map((m) => m.id)).toEqual(inputs.map((item) => item.id));
    expect(updateMemories[3]).toMatchObject({ tags: ['bulk', 'batched'], importance: 0.3, text: 'Bulk fact 3' });
    expect(updateMemories.at(-1)!.text).toBe('One more, renamed');
    expect(await count({ userId: 'bulk', filter: { tags: { contains: 'batched' } } })).toBe(999);
    const history = (await t.admin.ok(MemoryByIdDocument, { id: targets[500]! })).memory!.history;
    expect(history.map((h) => [h.kind, h.actor])).toEqual([
      ['ADD', 'API'],
      ['UPDATE', 'API'],
    ]);
    // The extra memory's ADD, then 1,000 UPDATEs.
    const events = await live.take(1_001, 30_000);
    expect(events.slice(1).every((e) => e.profileChanged.kind === 'UPDATE' && e.profileChanged.actor === 'API')).toBe(
      true,
    );
    expect(new Set(events.slice(1).map((e) => e.profileChanged.memoryId))).toEqual(new Set(inputs.map((i) => i.id)));
    await live.close();
  });

  it('fails a whole batch of 1,000 for one bad item, naming its index, and changes nothing', async () => {
    const inputs = (tag: string): UpdateMemoriesItem[] =>
      thousand.slice(0, 998).map((id) => ({ id, input: { tags: [tag] } }));
    const refused = async (items: UpdateMemoriesItem[], field: string) => {
      const error = await t.admin.fails(UpdateMemoriesDocument, { inputs: items });
      expect(error.extensions, field).toMatchObject({ code: 'BAD_USER_INPUT', field });
    };
    const unknownId = inputs('unchanged');
    unknownId.splice(537, 0, { id: '00000000-0000-4000-8000-000000000000', input: { tags: ['x'] } });
    await refused(unknownId, 'inputs[537].id');
    const badField = inputs('unchanged');
    badField[421] = { id: badField[421]!.id, input: { importance: 7 } };
    await refused(badField, 'inputs[421].input.importance');
    const immutable = [...inputs('unchanged'), { id: thousand[999]!, input: { tags: ['x'] } }];
    await refused(immutable, 'inputs[998].immutable');
    const repeated = [...inputs('unchanged'), { id: thousand[5]!, input: { tags: ['x'] } }];
    await refused(repeated, 'inputs[998].id');
    const tooMany = Array.from({ length: 1_001 }, (_, i) => ({ id: thousand[i % 1_000]!, input: {} }));
    await refused(tooMany, 'inputs');
    expect(await count({ userId: 'bulk', filter: { tags: { contains: 'unchanged' } } })).toBe(0);
    expect(await count({ userId: 'bulk', filter: { tags: { contains: 'batched' } } })).toBe(999);
    expect((await t.admin.ok(MemoryByIdDocument, { id: thousand[0]! })).memory!.history).toHaveLength(2);
  });

  it('deletes a batch all or nothing, naming a bad id', async () => {
    const ids = thousand.slice(900, 950);
    const withBad = [...ids.slice(0, 10), 'not-a-memory', ...ids.slice(10)];
    const error = await t.admin.fails(DeleteMemoriesDocument, { ids: withBad });
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'ids[10]' });
    expect(await count({ userId: 'bulk' })).toBe(1_001);

    const live = await subscribe(t.wsUrl, t.adminKey, ProfileChangedDocument, { userId: 'bulk' });
    expect((await t.admin.ok(DeleteMemoriesDocument, { ids })).deleteMemories).toBe(50);
    expect(await count({ userId: 'bulk' })).toBe(951);
    const memory = (await t.admin.ok(MemoryByIdDocument, { id: ids[0]! })).memory!;
    expect(memory.deletedAt).not.toBeNull();
    expect(memory.history.at(-1)).toMatchObject({ kind: 'DELETE', actor: 'API' });
    expect((await live.take(50)).every((e) => e.profileChanged.kind === 'DELETE')).toBe(true);
    await live.close();
    // Deleted ones cannot be deleted again.
    const again = await t.admin.fails(DeleteMemoriesDocument, { ids: [ids[0]!] });
    expect(again.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'ids[0]' });
  });

  it('deletes by filter, recording and publishing each deletion', async () => {
    const live = await subscribe(t.wsUrl, t.adminKey, ProfileChangedDocument, { userId: 'bulk' });
    const filter = { tags: { contains: 'batched' }, importance: { gte: 0.85 } };
    const expected = await count({ userId: 'bulk', filter });
    expect(expected).toBeGreaterThan(50);
    const { deleteMemoriesWhere } = await t.admin.ok(DeleteMemoriesWhereDocument, { userId: 'bulk', filter });
    expect(deleteMemoriesWhere).toBe(expected);
    expect(await count({ userId: 'bulk', filter })).toBe(0);
    expect(await count({ userId: 'bulk', filter: { ...filter, includeDeleted: true } })).toBeGreaterThanOrEqual(
      expected,
    );
    const published = await live.take(expected);
    expect(published.every((e) => e.profileChanged.kind === 'DELETE' && e.profileChanged.actor === 'API')).toBe(true);
    await live.close();
    const bad = await t.admin.fails(DeleteMemoriesWhereDocument, {
      userId: 'bulk',
      filter: { importance: { gte: 0.5 }, NOT: { tags: {} } },
    });
    expect(bad.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.NOT.tags' });
  });

  it('resets a user: memories (recorded), events and buffer go; the user and its blobs stay', async () => {
    await t.admin.ok(CreateUserDocument, { input: { id: 'reset', data: { keep: true } } });
    await t.admin.ok(InsertChatDocument, { userId: 'reset', messages: user("I'm a vegan."), waitProcess: true });
    const { createMemory } = await t.admin.ok(CreateMemoryDocument, { userId: 'reset', input: { text: 'Likes tea' } });
    await t.admin.ok(InsertChatDocument, { userId: 'reset', messages: user('I live in Oslo.') }); // waits in the buffer
    const before = (await t.admin.ok(UserScopesDocument, { userId: 'reset' })).user!;
    expect(before).toMatchObject({ blobCount: 2 });
    expect(before.memoryCount).toBeGreaterThanOrEqual(2);

    const live = await subscribe(t.wsUrl, t.adminKey, ProfileChangedDocument, { userId: 'reset' });
    const { resetUser } = await t.admin.ok(ResetUserDocument, { userId: 'reset' });
    expect(resetUser).toEqual({ memoriesDeleted: before.memoryCount, eventsDeleted: 1, blobsDeleted: 0 });
    expect((await live.take(before.memoryCount)).every((e) => e.profileChanged.kind === 'DELETE')).toBe(true);
    await live.close();

    expect((await t.admin.ok(UserScopesDocument, { userId: 'reset' })).user).toMatchObject({
      memoryCount: 0,
      blobCount: 2,
    });
    expect((await t.admin.ok(UserEventsDocument, { userId: 'reset' })).user!.events.totalCount).toBe(0);
    expect((await t.admin.ok(UserBufferDocument, { userId: 'reset' })).user!.buffer).toMatchObject({
      pendingBlobs: 0,
      state: 'IDLE',
    });
    expect((await t.admin.ok(GetUserDocument, { id: 'reset' })).user!.data).toEqual({ keep: true });
    const history = (await t.admin.ok(MemoryByIdDocument, { id: createMemory.id })).memory!.history;
    expect(history.map((h) => [h.kind, h.actor])).toEqual([
      ['ADD', 'API'],
      ['DELETE', 'API'],
    ]);

    await t.admin.ok(CreateMemoryDocument, { userId: 'reset', input: { text: 'Likes coffee' } });
    const { resetUser: wiped } = await t.admin.ok(ResetUserDocument, { userId: 'reset', keepBlobs: false });
    expect(wiped).toEqual({ memoriesDeleted: 1, eventsDeleted: 0, blobsDeleted: 2 });
    expect((await t.admin.ok(UserScopesDocument, { userId: 'reset' })).user).toMatchObject({
      memoryCount: 0,
      blobCount: 0,
    });
    expect((await t.admin.fails(ResetUserDocument, { userId: 'nobody' })).extensions?.code).toBe('NOT_FOUND');
  });

  it('hides an expired memory at expiresAt and the sweep deletes it with a history entry', async () => {
    await t.admin.ok(CreateUserDocument, { input: { id: 'ephemeral' } });
    const live = await subscribe(t.wsUrl, t.adminKey, ProfileChangedDocument, { userId: 'ephemeral' });
    const expiresAt = new Date(Date.now() + 1_500).toISOString();
    const { createMemory } = await t.admin.ok(CreateMemoryDocument, {
      userId: 'ephemeral',
      input: { text: 'Is waiting at gate B12', expiresAt },
    });
    expect(await count({ userId: 'ephemeral' })).toBe(1);
    expect((await live.next()).profileChanged.kind).toBe('ADD');
    const deleted = (await live.next(10_000)).profileChanged;
    expect(deleted).toMatchObject({ kind: 'DELETE', actor: 'EXPIRY', memoryId: createMemory.id });
    expect(Date.parse(deleted.createdAt)).toBeGreaterThanOrEqual(Date.parse(expiresAt));
    await live.close();
    expect(await count({ userId: 'ephemeral' })).toBe(0);
    expect(await count({ userId: 'ephemeral', filter: { includeExpired: true } })).toBe(0);
    expect(await count({ userId: 'ephemeral', filter: { includeDeleted: true, includeExpired: true } })).toBe(1);
    const memory = (await t.admin.ok(MemoryByIdDocument, { id: createMemory.id })).memory!;
    expect(memory.deletedAt).not.toBeNull();
    expect(memory.history.map((h) => [h.kind, h.actor])).toEqual([
      ['ADD', 'API'],
      ['DELETE', 'EXPIRY'],
    ]);
  });
});
