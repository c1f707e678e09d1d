import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateUserDocument,
  DeleteUserDocument,
  GetUserDocument,
  InsertBlobDocument,
  ListUsersDocument,
  UpdateUserDocument,
} from '../generated/graphql.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

describe('users', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { MEMQL_EMBEDDINGS_PROVIDER: 'hashing' } });
  });
  afterAll(async () => t?.destroy());

  it('creates a user with the app id and data, and reads it back', async () => {
    const { createUser } = await t.admin.ok(CreateUserDocument, {
      input: { id: 'alice', data: { plan: 'pro', age: 31 } },
    });
    expect(createUser).toMatchObject({ id: 'alice', data: { plan: 'pro', age: 31 } });
    const { user } = await t.admin.ok(GetUserDocument, { id: 'alice' });
    expect(user).toEqual(createUser);
  });

  it('makes a UUID when no id is given, and {} when no data', async () => {
    const { createUser } = await t.admin.ok(CreateUserDocument, {});
    expect(createUser.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(createUser.data).toEqual({});
  });

  it('refuses a duplicate id in the same project, naming the field', async () => {
    await t.admin.ok(CreateUserDocument, { input: { id: 'dup' } });
    const error = await t.admin.fails(CreateUserDocument, { input: { id: 'dup' } });
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.id' });
  });

  it.each([
    ['an empty id', { id: '' }, 'input.id'],
    ['an id over 128 characters', { id: 'x'.repeat(129) }, 'input.id'],
    ['an id with control characters', { id: 'a\nb' }, 'input.id'],
    ['data that is not an object', { id: 'ok-1', data: [1, 2] }, 'input.data'],
    ['data that is a string', { id: 'ok-2', data: 'hello' }, 'input.data'],
    ['data over 64 KiB', { id: 'ok-3', data: { blob: 'x'.repeat(70_000) } }, 'input.data'],
  ])('refuses %s with BAD_USER_INPUT and stores nothing', async (_label, input, field) => {
    const error = await t.admin.fails(CreateUserDocument, { input });
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    if (input.id) expect((await t.admin.ok(GetUserDocument, { id: input.id })).user).toBeNull();
  });

  it('updates data and bumps updatedAt', async () => {
    const { createUser } = await t.admin.ok(CreateUserDocument, { input: { id: 'bob', data: { a: 1 } } });
    const { updateUser } = await t.admin.ok(UpdateUserDocument, { id: 'bob', input: { data: { a: 2, b: 'x' } } });
    expect(updateUser.data).toEqual({ a: 2, b: 'x' });
    expect(new Date(updateUser.updatedAt).getTime()).toBeGreaterThanOrEqual(new Date(createUser.updatedAt).getTime());
    const error = await t.admin.fails(UpdateUserDocument, { id: 'bob', input: { data: 5 } });
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.data' });
    expect((await t.admin.ok(GetUserDocument, { id: 'bob' })).user?.data).toEqual({ a: 2, b: 'x' });
  });

  it('answers NOT_FOUND when updating or deleting a missing user, null when reading one', async () => {
    expect((await t.admin.fails(UpdateUserDocument, { id: 'ghost', input: { data: {} } })).extensions?.code).toBe(
      'NOT_FOUND',
    );
    expect((await t.admin.fails(DeleteUserDocument, { id: 'ghost' })).extensions?.code).toBe('NOT_FOUND');
    expect((await t.admin.ok(GetUserDocument, { id: 'ghost' })).user).toBeNull();
  });

  it('deletes a user', async () => {
    await t.admin.ok(CreateUserDocument, { input: { id: 'carol', data: { v: 1 } } });
    expect((await t.admin.ok(GetUserDocument, { id: 'carol' })).user?.data).toEqual({ v: 1 });
    expect((await t.admin.ok(DeleteUserDocument, { id: 'carol' })).deleteUser).toBe(true);
    expect((await t.admin.ok(GetUserDocument, { id: 'carol' })).user).toBeNull();
    // The id can be taken again: the new user, not the one remembered from before the delete.
    await t.admin.ok(CreateUserDocument, { input: { id: 'carol', data: { v: 2 } } });
    expect((await t.admin.ok(GetUserDocument, { id: 'carol' })).user?.data).toEqual({ v: 2 });
    const { insertBlob } = await t.admin.ok(InsertBlobDocument, {
      userId: 'carol',
      input: { doc: { content: 'after the re-creation' } },
    });
    expect(insertBlob.blob.id).toBeTruthy();
  });

  it('pages through users with Relay cursors and a total count', async () => {
    for (let i = 0; i < 7; i++) await t.admin.ok(CreateUserDocument, { input: { id: `page-${i}` } });
    const seen: string[] = [];
    let after: string | null = null;
    let total = -1;
    for (;;) {
      const {
        users,
      }: {
        users: {
          totalCount: number;
          pageInfo: { hasNextPage: boolean; endCursor?: string | null };
          edges: { node: { id: string } }[];
        };
      } = await t.admin.ok(ListUsersDocument, { first: 3, after });
      total = users.totalCount;
      seen.push(...users.edges.map((edge) => edge.node.id));
      expect(users.edges.length).toBeLessThanOrEqual(3);
      if (!users.pageInfo.hasNextPage) break;
      after = users.pageInfo.endCursor ?? null;
    }
    expect(seen.length).toBe(total);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expect.arrayContaining(['page-0', 'page-6']));
  });

  it.each([
    ['first over 100', { first: 101 }, 'first'],
    ['a negative first', { first: -1 }, 'first'],
    ['a cursor this API did not make', { after: 'bm9wZQ' }, 'after'],
  ])('refuses %s', async (_label, variables, field) => {
    const error = await t.admin.fails(ListUsersDocument, variables);
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
  });
});
