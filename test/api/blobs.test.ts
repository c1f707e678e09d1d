import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateUserDocument,
  DeleteBlobDocument,
  GetBlobDocument,
  InsertBlobDocument,
  QueryUserDocument,
  UserBlobsDocument,
  type BlobInput,
} from '../generated/graphql.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

const chat: BlobInput = {
  chat: {
    messages: [
      {
        role: 'user',
        content: 'I just adopted a cat called Miso.',
        name: 'Alex',
        createdAt: '2026-01-02T10:00:00.000Z',
      },
      { role: 'assistant', content: 'Congratulations on Miso!' },
    ],
  },
  metadata: { source: 'app', sessionId: 's1' },
  createdAt: '2026-01-02T10:00:00.000Z',
};

describe('blobs', () => {
  let t: TestApp;
  const blobCount = async (userId: string) => (await t.admin.ok(UserBlobsDocument, { userId })).user?.blobs.totalCount;

  beforeAll(async () => {
    t = await startTestApp({ env: { MEMQL_EMBEDDINGS_PROVIDER: 'hashing' } });
    await t.admin.ok(CreateUserDocument, { input: { id: 'u1' } });
    await t.admin.ok(CreateUserDocument, { input: { id: 'empty' } });
  });
  afterAll(async () => t?.destroy());

  it.each<[string, BlobInput, Record<string, unknown>]>([
    [
      'chat',
      chat,
      {
        __type: 'CHAT',
        messages: [
          {
            role: 'user',
            content: 'I just adopted a cat called Miso.',
            name: 'Alex',
            createdAt: '2026-01-02T10:00:00.000Z',
          },
          { role: 'assistant', content: 'Congratulations on Miso!', name: null, createdAt: null },
        ],
      },
    ],
    [
      'doc',
      { doc: { title: 'Notes', content: 'First line.\n\nSecond paragraph.' } },
      { __type: 'DOC', title: 'Notes', content: 'First line.\n\nSecond paragraph.' },
    ],
    [
      'transcript',
      { transcript: { segments: [{ start: 0, end: 2.5, text: 'Hello there', speaker: 'A' }] } },
      { __type: 'TRANSCRIPT', segments: [{ start: 0, end: 2.5, text: 'Hello there', speaker: 'A' }] },
    ],
    ['summary', { summary: { summary: 'Alex likes cats.' } }, { __type: 'SUMMARY', summary: 'Alex likes cats.' }],
    [
      'code',
      { code: { content: 'const x = 1;', language: 'ts' } },
      { __type: 'CODE', language: 'ts', content: 'const x = 1;' },
    ],
  ])('inserts and reads back a %s blob', async (_label, input, expected) => {
    const { __type, ...fields } = expected;
    const { insertBlob } = await t.admin.ok(InsertBlobDocument, { userId: 'u1', input });
    expect(insertBlob.blob).toMatchObject({ type: __type, user: { id: 'u1' }, ...fields });
    const { blob } = await t.admin.ok(GetBlobDocument, { id: insertBlob.blob.id });
    expect(blob).toEqual(insertBlob.blob);
  });

  it('keeps metadata and the given createdAt', async () => {
    const { insertBlob } = await t.admin.ok(InsertBlobDocument, { userId: 'u1', input: chat });
    expect(insertBlob.blob.metadata).toEqual({ source: 'app', sessionId: 's1' });
    expect(insertBlob.blob.createdAt).toBe('2026-01-02T10:00:00.000Z');
  });

  it("lists a user's blobs by type with pagination", async () => {
    const { user } = await t.admin.ok(UserBlobsDocument, { userId: 'u1', type: 'CHAT' });
    expect(user?.blobs.edges.every((edge) => edge.node.type === 'CHAT')).toBe(true);
    const all = (await t.admin.ok(UserBlobsDocument, { userId: 'u1' })).user!.blobs;
    const firstPage = (await t.admin.ok(UserBlobsDocument, { userId: 'u1', first: 2 })).user!.blobs;
    expect(firstPage.edges).toHaveLength(2);
    expect(firstPage.pageInfo.hasNextPage).toBe(true);
    const rest = (
      await t.admin.ok(UserBlobsDocument, { userId: 'u1', first: 100, after: firstPage.pageInfo.endCursor })
    ).user!.blobs;
    expect([...firstPage.edges, ...rest.edges].map((e) => e.node.id)).toEqual(all.edges.map((e) => e.node.id));
  });

  it('deletes a blob; reading it then gives null and deleting again NOT_FOUND', async () => {
    const { insertBlob } = await t.admin.ok(InsertBlobDocument, {
      userId: 'u1',
      input: { summary: { summary: 'to delete' } },
    });
    expect((await t.admin.ok(DeleteBlobDocument, { id: insertBlob.blob.id })).deleteBlob).toBe(true);
    expect((await t.admin.ok(GetBlobDocument, { id: insertBlob.blob.id })).blob).toBeNull();
    expect((await t.admin.fails(DeleteBlobDocument, { id: insertBlob.blob.id })).extensions?.code).toBe('NOT_FOUND');
    expect((await t.admin.ok(GetBlobDocument, { id: 'not-a-uuid' })).blob).toBeNull();
  });

  it('acknowledges many concurrent inserts (committed in groups), each blob with its own content, chunks and index job', async () => {
    const users = ['c0', 'c1', 'c2', 'c3'];
    for (const id of users) await t.admin.ok(CreateUserDocument, { input: { id } });
    const inputs = Array.from({ length: 48 }, (_, i): { userId: string; input: BlobInput } => ({
      userId: users[i % users.length]!,
      input:
        i % 3 === 0
          ? {
              doc: { title: `Doc ${i}`, content: `Paragraph one of doc${i}.\n\nToken zq${i}x closes it.` },
              metadata: { n: i },
            }
          : {
              chat: {
                messages: [
                  { role: 'user', content: `Message about zq${i}x`, name: `speaker${i}` },
                  { role: 'assistant', content: `Reply ${i}` },
                ],
              },
              metadata: { n: i },
            },
    }));
    const acks = await Promise.all(
      inputs.map(({ userId, input }) => t.admin.ok(InsertBlobDocument, { userId, input })),
    );
    expect(new Set(acks.map((a) => a.insertBlob.blob.id)).size).toBe(inputs.length);
    for (const [i, { insertBlob }] of acks.entries()) {
      expect(insertBlob.blob).toMatchObject({ user: { id: inputs[i]!.userId }, metadata: { n: i } });
      expect((await t.admin.ok(GetBlobDocument, { id: insertBlob.blob.id })).blob).toEqual(insertBlob.blob);
    }
    for (const id of users) expect(await blobCount(id)).toBe(inputs.length / users.length);
    // Each blob's chunks belong to it: its own token finds it, under its own user only.
    await t.app.indexer.drain();
    for (const i of [0, 1, 2, 17, 30, 47]) {
      const { user } = await t.admin.ok(QueryUserDocument, {
        userId: inputs[i]!.userId,
        text: `zq${i}x`,
        mode: 'LEXICAL',
        topK: 5,
      });
      expect(user!.query.map((m) => m.blob.id)).toEqual([acks[i]!.insertBlob.blob.id]);
      const { user: semantic } = await t.admin.ok(QueryUserDocument, {
        userId: inputs[i]!.userId,
        text: `zq${i}x`,
        mode: 'SEMANTIC',
        topK: 50,
      });
      expect(semantic!.query.map((m) => m.blob.id)).toContain(acks[i]!.insertBlob.blob.id);
    }
  });

  it('answers NOT_FOUND when inserting for a user that does not exist', async () => {
    const error = await t.admin.fails(InsertBlobDocument, { userId: 'nobody', input: chat });
    expect(error.extensions?.code).toBe('NOT_FOUND');
  });

  const tooManyMessages = Array.from({ length: 1001 }, (_, i) => ({ role: 'user', content: `m${i}` }));
  it.each<[string, BlobInput, string]>([
    ['no payload', {}, 'input'],
    ['two payloads', { summary: { summary: 'a' }, doc: { content: 'b' } }, 'input'],
    ['an empty chat', { chat: { messages: [] } }, 'input.chat.messages'],
    ['more than 1,000 messages', { chat: { messages: tooManyMessages } }, 'input.chat.messages'],
    ['over 1 MB of text', { doc: { content: 'x'.repeat(1_000_001) } }, 'input.doc'],
    [
      'over 1 MB across messages',
      { chat: { messages: Array.from({ length: 3 }, () => ({ role: 'user', content: 'y'.repeat(400_000) })) } },
      'input.chat',
    ],
    [
      'a blank message',
      {
        chat: {
          messages: [
            { role: 'user', content: 'ok' },
            { role: 'user', content: '  ' },
          ],
        },
      },
      'input.chat.messages[1].content',
    ],
    ['a blank role', { chat: { messages: [{ role: '', content: 'hi' }] } }, 'input.chat.messages[0].role'],
    ['an empty doc', { doc: { content: '' } }, 'input.doc.content'],
    ['an empty summary', { summary: { summary: ' ' } }, 'input.summary.summary'],
    ['an empty code blob', { code: { content: '' } }, 'input.code.content'],
    ['a title over 256 characters', { doc: { content: 'x', title: 't'.repeat(257) } }, 'input.doc.title'],
    [
      'a segment ending before it starts',
      { transcript: { segments: [{ start: 5, end: 1, text: 'x' }] } },
      'input.transcript.segments[0].end',
    ],
    [
      'a negative segment start',
      { transcript: { segments: [{ start: -1, end: 1, text: 'x' }] } },
      'input.transcript.segments[0].start',
    ],
    ['no segments', { transcript: { segments: [] } }, 'input.transcript.segments'],
    ['metadata that is not an object', { summary: { summary: 'a' }, metadata: 'meta' }, 'input.metadata'],
    ['metadata over 64 KiB', { summary: { summary: 'a' }, metadata: { x: 'z'.repeat(70_000) } }, 'input.metadata'],
  ])('refuses %s with BAD_USER_INPUT naming the field, storing nothing', async (_label, input, field) => {
    const before = await blobCount('empty');
    const error = await t.admin.fails(InsertBlobDocument, { userId: 'empty', input });
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(await blobCount('empty')).toBe(before);
  });

  it('refuses a malformed createdAt before anything runs', async () => {
    const error = await t.admin.fails(InsertBlobDocument, {
      userId: 'empty',
      input: { summary: { summary: 'a' }, createdAt: 'yesterday' },
    });
    expect(error.extensions?.code).toBe('BAD_USER_INPUT');
    expect(await blobCount('empty')).toBe(0);
  });
});
