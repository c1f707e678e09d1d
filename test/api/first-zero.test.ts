// Connections asked for `first: 0` (Relay): no edges, and hasNextPage true
// exactly when at least one item follows the cursor. Every connection of the
// API: User.memories, User.blobs, User.events, users, exports.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateExportDocument,
  CreateMemoryDocument,
  CreateUserDocument,
  InsertBlobDocument,
  InsertChatDocument,
} from '../generated/graphql.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

interface Connection {
  totalCount: number;
  edges: { cursor: string }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

const CONNECTION = 'totalCount edges { cursor } pageInfo { hasNextPage endCursor }';

describe('connections with first: 0', () => {
  let t: TestApp;

  /** The connection at `path` of `query`, with `first` and `after` as variables. */
  const page = async (query: string, pick: (data: never) => Connection, first: number, after: string | null = null) => {
    const result = await t.admin.raw<never>(query, { first, after });
    expect(result.errors).toBeUndefined();
    return pick(result.data!);
  };

  const connections: [string, string, (data: never) => Connection][] = [
    [
      'User.memories',
      `query ($first: Int, $after: String) { user(id: "full") { memories(first: $first, after: $after) { ${CONNECTION} } } }`,
      (data: { user: { memories: Connection } }) => data.user.memories,
    ],
    [
      'User.blobs',
      `query ($first: Int, $after: String) { user(id: "full") { blobs(first: $first, after: $after) { ${CONNECTION} } } }`,
      (data: { user: { blobs: Connection } }) => data.user.blobs,
    ],
    [
      'User.events',
      `query ($first: Int, $after: String) { user(id: "full") { events(first: $first, after: $after) { ${CONNECTION} } } }`,
      (data: { user: { events: Connection } }) => data.user.events,
    ],
    [
      'users',
      `query ($first: Int, $after: String) { users(first: $first, after: $after) { ${CONNECTION} } }`,
      (data: { users: Connection }) => data.users,
    ],
    [
      'exports',
      `query ($first: Int, $after: String) { exports(first: $first, after: $after) { ${CONNECTION} } }`,
      (data: { exports: Connection }) => data.exports,
    ],
  ] as never;

  beforeAll(async () => {
    t = await startTestApp({ env: { MEMQL_EMBEDDINGS_PROVIDER: 'hashing' } });
    for (const id of ['full', 'empty']) await t.admin.ok(CreateUserDocument, { input: { id } });
    for (const text of ['Likes tea', 'Plays the oboe'])
      await t.admin.ok(CreateMemoryDocument, { userId: 'full', input: { text } });
    for (const content of ['first note', 'second note'])
      await t.admin.ok(InsertBlobDocument, { userId: 'full', input: { doc: { content } } });
    await t.admin.ok(InsertChatDocument, {
      userId: 'full',
      messages: [{ role: 'user', content: 'I live in Porto.' }],
      waitProcess: true,
    });
    await t.admin.ok(InsertChatDocument, {
      userId: 'full',
      messages: [{ role: 'user', content: 'I am a nurse.' }],
      waitProcess: true,
    });
    for (const userIds of [['full'], ['empty']]) await t.admin.ok(CreateExportDocument, { input: { userIds } });
  });
  afterAll(async () => t?.destroy());

  it.each(connections.map(([name, query, pick]) => ({ name, query, pick })))(
    '$name: hasNextPage says whether an item follows, with and without a cursor',
    async ({ query, pick }) => {
      const all = await page(query, pick, 100);
      expect(all.edges.length).toBeGreaterThanOrEqual(2);
      expect(all.pageInfo.hasNextPage).toBe(false);

      const none = await page(query, pick, 0);
      expect(none).toMatchObject({
        edges: [],
        totalCount: all.totalCount,
        pageInfo: { hasNextPage: true, endCursor: null },
      });

      const [firstCursor, lastCursor] = [all.edges[0]!.cursor, all.edges[all.edges.length - 1]!.cursor];
      expect((await page(query, pick, 0, firstCursor)).pageInfo.hasNextPage).toBe(true);
      expect((await page(query, pick, 0, lastCursor)).pageInfo.hasNextPage).toBe(false);
    },
  );

  it('says false for an empty connection', async () => {
    const { user } = (
      await t.admin.raw<{ user: { memories: Connection; blobs: Connection } }>(
        `{ user(id: "empty") { memories(first: 0) { ${CONNECTION} } blobs(first: 0) { ${CONNECTION} } } }`,
      )
    ).data!;
    expect(user.memories.pageInfo.hasNextPage).toBe(false);
    expect(user.blobs.pageInfo.hasNextPage).toBe(false);
  });
});
