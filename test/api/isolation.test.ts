// Every piece of data belongs to exactly one project: two projects using the
// same user id never see, change or delete each other's data.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateMemoryDocument,
  CreateUserDocument,
  DeleteBlobDocument,
  DeleteMemoriesDocument,
  DeleteMemoriesWhereDocument,
  DeleteMemoryDocument,
  FilterMemoriesDocument,
  MemoryByIdDocument,
  PatchMemoryDocument,
  ResetUserDocument,
  SearchProjectMemoriesDocument,
  SearchUserMemoriesDocument,
  UpdateMemoriesDocument,
  DeleteUserDocument,
  GetBlobDocument,
  GetUserDocument,
  InsertBlobDocument,
  ListUsersDocument,
  QueryUserDocument,
  UpdateUserDocument,
  UserBlobsDocument,
} from '../generated/graphql.js';
import type { GraphQLClient } from '../helpers/graphql-client.js';
import { createProjectClient, startTestApp, type TestApp } from '../helpers/test-app.js';

describe('project isolation', () => {
  let t: TestApp;
  let a: GraphQLClient;
  let b: GraphQLClient;
  let blobOfA: string;
  let memoryOfA: string;
  let otherOfA: string;

  beforeAll(async () => {
    t = await startTestApp({ env: { MEMQL_EMBEDDINGS_PROVIDER: 'hashing' } });
    a = (await createProjectClient(t, 'project-a')).client;
    b = (await createProjectClient(t, 'project-b')).client;
    await a.ok(CreateUserDocument, { input: { id: 'same', data: { owner: 'a' } } });
    await a.ok(CreateUserDocument, { input: { id: 'only-a' } });
    await b.ok(CreateUserDocument, { input: { id: 'same', data: { owner: 'b' } } });
    blobOfA = (
      await a.ok(InsertBlobDocument, {
        userId: 'same',
        input: { doc: { content: 'The secret launch code of project A is marmalade.' } },
      })
    ).insertBlob.blob.id;
    await b.ok(InsertBlobDocument, {
      userId: 'same',
      input: { doc: { content: 'Project B talks about gardening and tomatoes.' } },
    });
    memoryOfA = (
      await a.ok(CreateMemoryDocument, {
        userId: 'same',
        input: { text: 'Keeps the marmalade launch code secret', tags: ['secret'], agentId: 'vault' },
      })
    ).createMemory.id;
    otherOfA = (await a.ok(CreateMemoryDocument, { userId: 'only-a', input: { text: 'Only A knows marmalade' } }))
      .createMemory.id;
    await b.ok(CreateMemoryDocument, { userId: 'same', input: { text: 'Grows tomatoes in the garden' } });
    await t.app.indexer.drain();
  });
  afterAll(async () => t?.destroy());

  it('lets two projects use the same user id for different users', async () => {
    expect((await a.ok(GetUserDocument, { id: 'same' })).user?.data).toEqual({ owner: 'a' });
    expect((await b.ok(GetUserDocument, { id: 'same' })).user?.data).toEqual({ owner: 'b' });
  });

  it("hides other projects' users from user and users", async () => {
    expect((await b.ok(GetUserDocument, { id: 'only-a' })).user).toBeNull();
    const ids = (await b.ok(ListUsersDocument, { first: 100 })).users.edges.map((e) => e.node.id);
    expect(ids).toEqual(['same']);
    expect((await b.ok(ListUsersDocument, {})).users.totalCount).toBe(1);
  });

  it("hides other projects' blobs from blob, User.blobs and deleteBlob", async () => {
    expect((await b.ok(GetBlobDocument, { id: blobOfA })).blob).toBeNull();
    expect((await b.fails(DeleteBlobDocument, { id: blobOfA })).extensions?.code).toBe('NOT_FOUND');
    const bBlobs = (await b.ok(UserBlobsDocument, { userId: 'same' })).user!.blobs;
    expect(bBlobs.edges.map((e) => e.node.id)).not.toContain(blobOfA);
    expect((await a.ok(GetBlobDocument, { id: blobOfA })).blob?.id).toBe(blobOfA);
  });

  it("never returns another project's blobs from query", async () => {
    for (const mode of ['HYBRID', 'LEXICAL', 'SEMANTIC'] as const) {
      const matches = (await b.ok(QueryUserDocument, { userId: 'same', text: 'secret launch code marmalade', mode }))
        .user!.query;
      expect(matches.map((m) => m.blob.id)).not.toContain(blobOfA);
    }
    const own = (
      await a.ok(QueryUserDocument, { userId: 'same', text: 'secret launch code marmalade', mode: 'LEXICAL' })
    ).user!.query;
    expect(own[0]?.blob.id).toBe(blobOfA);
  });

  it("refuses to insert for, update or delete another project's user", async () => {
    expect(
      (await b.fails(InsertBlobDocument, { userId: 'only-a', input: { summary: { summary: 'x' } } })).extensions?.code,
    ).toBe('NOT_FOUND');
    expect(
      (await b.fails(UpdateUserDocument, { id: 'only-a', input: { data: { hijacked: true } } })).extensions?.code,
    ).toBe('NOT_FOUND');
    expect((await b.fails(DeleteUserDocument, { id: 'only-a' })).extensions?.code).toBe('NOT_FOUND');
    expect((await a.ok(GetUserDocument, { id: 'only-a' })).user?.data).toEqual({});
  });

  it("hides other projects' memories from memory, User.memories, and both searchMemories", async () => {
    expect((await b.ok(MemoryByIdDocument, { id: memoryOfA })).memory).toBeNull();
    const everything = { includeDeleted: true, includeExpired: true };
    const listed = (await b.ok(FilterMemoriesDocument, { userId: 'same', filter: everything, first: 100 })).user!
      .memories;
    expect(listed.edges.map((e) => e.node.text)).toEqual(['Grows tomatoes in the garden']);
    for (const filter of [
      { text: { contains: 'marmalade' } },
      { tags: { contains: 'secret' } },
      { agentId: { eq: 'vault' } },
      { OR: [{ NOT: { text: { contains: 'tomatoes' } } }], ...everything },
    ])
      expect((await b.ok(FilterMemoriesDocument, { userId: 'same', filter })).user!.memories.totalCount).toBe(0);
    for (const mode of ['HYBRID', 'LEXICAL', 'SEMANTIC'] as const) {
      const own = (await b.ok(SearchUserMemoriesDocument, { userId: 'same', text: 'marmalade launch code', mode }))
        .user!.searchMemories;
      expect(own.map((m) => m.memory.id)).not.toContain(memoryOfA);
      const project = (
        await b.ok(SearchProjectMemoriesDocument, { text: 'marmalade launch code secret', mode, topK: 100 })
      ).searchMemories;
      expect(project.map((m) => m.memory.id).filter((id) => id === memoryOfA || id === otherOfA)).toEqual([]);
    }
    expect(
      (await b.fails(SearchProjectMemoriesDocument, { text: 'marmalade', userIds: ['only-a'] })).extensions?.code,
    ).toBe('NOT_FOUND');
    const mine = (await a.ok(SearchProjectMemoriesDocument, { text: 'marmalade', mode: 'LEXICAL' })).searchMemories;
    expect(mine.map((m) => m.memory.id).sort()).toEqual([memoryOfA, otherOfA].sort());
  });

  it("refuses to create, change or delete another project's memories", async () => {
    expect(
      (await b.fails(CreateMemoryDocument, { userId: 'only-a', input: { text: 'planted' } })).extensions?.code,
    ).toBe('NOT_FOUND');
    expect((await b.fails(PatchMemoryDocument, { id: memoryOfA, input: { text: 'hijacked' } })).extensions?.code).toBe(
      'NOT_FOUND',
    );
    expect((await b.fails(DeleteMemoryDocument, { id: memoryOfA })).extensions?.code).toBe('NOT_FOUND');
    expect(
      (await b.fails(UpdateMemoriesDocument, { inputs: [{ id: memoryOfA, input: { text: 'hijacked' } }] })).extensions,
    ).toMatchObject({ code: 'BAD_USER_INPUT', field: 'inputs[0].id' });
    expect((await b.fails(DeleteMemoriesDocument, { ids: [memoryOfA] })).extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'ids[0]',
    });
    expect((await b.fails(DeleteMemoriesWhereDocument, { userId: 'only-a' })).extensions?.code).toBe('NOT_FOUND');
    expect((await b.fails(ResetUserDocument, { userId: 'only-a' })).extensions?.code).toBe('NOT_FOUND');
    // B's own user of the shared id: only B's memory goes.
    expect((await b.ok(DeleteMemoriesWhereDocument, { userId: 'same' })).deleteMemoriesWhere).toBe(1);
    expect((await b.ok(ResetUserDocument, { userId: 'same' })).resetUser.memoriesDeleted).toBe(0);
    const kept = (await a.ok(MemoryByIdDocument, { id: memoryOfA })).memory!;
    expect(kept).toMatchObject({ text: 'Keeps the marmalade launch code secret', deletedAt: null });
    expect(kept.history).toHaveLength(1);
    expect((await a.ok(FilterMemoriesDocument, { userId: 'same' })).user!.memories.totalCount).toBe(1);
  });

  it('deletes only its own user of a shared id', async () => {
    await b.ok(DeleteUserDocument, { id: 'same' });
    expect((await b.ok(GetUserDocument, { id: 'same' })).user).toBeNull();
    expect((await a.ok(GetUserDocument, { id: 'same' })).user?.data).toEqual({ owner: 'a' });
    expect((await a.ok(GetBlobDocument, { id: blobOfA })).blob?.id).toBe(blobOfA);
  });
});
