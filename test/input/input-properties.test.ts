// Property-based: random strings (any code point, plus NUL and lone
// surrogates), random JSON, cursors and dates through every input type of
// the API (users, every blob type, memories created and patched, memory
// filters, lookups, cursors, searches, project names). Whatever comes in, the
// answer is never INTERNAL_SERVER_ERROR, and what is accepted reads back
// exactly as it was sent (memory text fields trimmed, as documented). About
// 20 s of properties: 40 runs each.

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphQLResponse } from '../helpers/graphql-client.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

const RUNS = 40;

/** Any code point, and now and then NUL, a lone surrogate or a combining mark. */
const unit = fc.oneof(
  { weight: 60, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  { weight: 4, arbitrary: fc.constantFrom('\u0301', '😀', '𠀀', '👩🏽‍💻', ' ', '\n') },
  { weight: 1, arbitrary: fc.constantFrom('\u0000', '\ud800', '\udfff') },
);
const text = (maxLength = 40) => fc.string({ unit, maxLength });
const nonBlank = (maxLength = 40) => text(maxLength).filter((s) => s.trim().length > 0);
const jsonLeaf = fc.oneof(
  text(12),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);
const jsonObject = fc.dictionary(
  text(8).filter((key) => key !== '__proto__'),
  fc.oneof(jsonLeaf, fc.array(jsonLeaf, { maxLength: 3 }), fc.dictionary(text(6), jsonLeaf, { maxKeys: 3 })),
  { maxKeys: 5 },
);
/** Instants, mostly within what the API stores (years 0001-9999), some anywhere JavaScript can hold them. */
const instant = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .date({
        min: new Date('0001-01-01T00:00:00.000Z'),
        max: new Date('9999-12-31T23:59:59.999Z'),
        noInvalidDate: true,
      })
      .map((date) => date.toISOString()),
  },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: -8_640_000_000_000_000, max: 8_640_000_000_000_000 })
      .map((ms) => new Date(ms).toISOString()),
  },
);

function noInternalError(result: GraphQLResponse<unknown>): void {
  for (const error of result.errors ?? [])
    expect(error.extensions?.code, error.message).not.toBe('INTERNAL_SERVER_ERROR');
  expect(result.status).toBeLessThan(500);
}

/** Numbers as JSON gives them back (-0 is 0). */
const normalised = (value: unknown) => JSON.parse(JSON.stringify(value));

describe('every input type, random values: never INTERNAL_SERVER_ERROR; accepted values round-trip', () => {
  let t: TestApp;
  let n = 0;
  /** How many random values each property saw accepted (and read back): some must be. */
  const accepted = { users: 0, docs: 0, chats: 0, other: 0, memories: 0, updates: 0 };
  beforeAll(async () => {
    t = await startTestApp({ env: { MEMQL_EMBEDDINGS_PROVIDER: 'hashing', MEMQL_BUFFER_IDLE_SECONDS: '3600' } });
    await t.admin.raw('mutation { createUser(input: { id: "p" }) { id } }');
  });
  afterAll(async () => t?.destroy());

  it('createUser: id and data', async () => {
    await fc.assert(
      fc.asyncProperty(text(30), jsonObject, async (id, data) => {
        const created = await t.admin.raw('mutation($input: CreateUserInput) { createUser(input: $input) { id } }', {
          input: { id, data },
        });
        noInternalError(created);
        if (created.errors) return;
        const read = await t.admin.raw<{ user: { id: string; data: unknown } }>(
          'query($id: ID!) { user(id: $id) { id data } }',
          { id },
        );
        noInternalError(read);
        expect(read.data?.user).toEqual({ id, data: normalised(data) });
        accepted.users++;
      }),
      { numRuns: RUNS },
    );
    expect(accepted.users).toBeGreaterThan(RUNS / 4);
  });

  it('insertBlob: a doc with title, content, metadata and a date', async () => {
    await fc.assert(
      fc.asyncProperty(
        nonBlank(600),
        fc.option(text(20)),
        fc.option(jsonObject),
        fc.option(instant),
        async (content, title, metadata, createdAt) => {
          const stored = await t.admin.raw<{ insertBlob: { blob: { id: string } } }>(
            'mutation($input: BlobInput!) { insertBlob(userId: "p", input: $input) { blob { id } } }',
            { input: { doc: { content, title }, metadata, createdAt } },
          );
          noInternalError(stored);
          if (stored.errors) return;
          const read = await t.admin.raw<{ blob: unknown }>(
            'query($id: ID!) { blob(id: $id) { createdAt metadata ... on DocBlob { title content } } }',
            { id: stored.data!.insertBlob.blob.id },
          );
          noInternalError(read);
          expect(read.data?.blob).toEqual({
            content,
            title,
            metadata: metadata === null ? null : normalised(metadata),
            createdAt: createdAt === null ? expect.any(String) : new Date(createdAt).toISOString(),
          });
          accepted.docs++;
        },
      ),
      { numRuns: RUNS },
    );
    expect(accepted.docs).toBeGreaterThan(RUNS / 4);
  });

  it('insertBlob: a chat with role, content and speaker name', async () => {
    await fc.assert(
      fc.asyncProperty(nonBlank(10), nonBlank(900), fc.option(text(10)), async (role, content, name) => {
        const stored = await t.admin.raw<{ insertBlob: { blob: { id: string } } }>(
          'mutation($input: BlobInput!) { insertBlob(userId: "p", input: $input) { blob { id } } }',
          { input: { chat: { messages: [{ role, content, name }] } } },
        );
        noInternalError(stored);
        if (stored.errors) return;
        const read = await t.admin.raw<{ blob: unknown }>(
          'query($id: ID!) { blob(id: $id) { ... on ChatBlob { messages { role content name } } } }',
          { id: stored.data!.insertBlob.blob.id },
        );
        // A role is stored trimmed (the one normalisation of the API).
        expect(read.data?.blob).toEqual({ messages: [{ role: role.trim(), content, name }] });
        accepted.chats++;
      }),
      { numRuns: RUNS },
    );
    expect(accepted.chats).toBeGreaterThan(RUNS / 4);
  });

  it('updateUser, and code, summary and transcript blobs', async () => {
    await fc.assert(
      fc.asyncProperty(
        jsonObject,
        nonBlank(300),
        fc.option(text(12)),
        nonBlank(60),
        fc.double(),
        fc.double(),
        fc.option(text(10)),
        async (data, content, language, segmentText, start, end, speaker) => {
          const updated = await t.admin.raw(
            'mutation($data: JSON!) { updateUser(id: "p", input: { data: $data }) { id } }',
            {
              data,
            },
          );
          noInternalError(updated);
          if (!updated.errors) {
            const read = await t.admin.raw<{ user: { data: unknown } }>('{ user(id: "p") { data } }');
            expect(read.data?.user.data).toEqual(normalised(data));
          }
          const code = await t.admin.raw<{ insertBlob: { blob: { id: string } } }>(
            'mutation($input: BlobInput!) { insertBlob(userId: "p", input: $input) { blob { id } } }',
            { input: { code: { content, language } } },
          );
          noInternalError(code);
          if (!code.errors) {
            const read = await t.admin.raw<{ blob: unknown }>(
              'query($id: ID!) { blob(id: $id) { ... on CodeBlob { content language } } }',
              { id: code.data!.insertBlob.blob.id },
            );
            expect(read.data?.blob).toEqual({ content, language });
            accepted.other++;
          }
          const summary = await t.admin.raw(
            'mutation($s: String!) { insertBlob(userId: "p", input: { summary: { summary: $s } }) { blob { id } } }',
            {
              s: content,
            },
          );
          noInternalError(summary);
          const transcript = await t.admin.raw<{ insertBlob: { blob: { id: string } } }>(
            'mutation($input: BlobInput!) { insertBlob(userId: "p", input: $input) { blob { id } } }',
            { input: { transcript: { segments: [{ text: segmentText, start, end, speaker }] } } },
          );
          noInternalError(transcript);
          if (!transcript.errors) {
            const read = await t.admin.raw<{ blob: unknown }>(
              'query($id: ID!) { blob(id: $id) { ... on TranscriptBlob { segments { text start end speaker } } } }',
              { id: transcript.data!.insertBlob.blob.id },
            );
            // JSON has no -0: a -0 sent arrives as 0.
            expect(read.data?.blob).toEqual(normalised({ segments: [{ text: segmentText, start, end, speaker }] }));
          }
        },
      ),
      { numRuns: RUNS },
    );
    expect(accepted.other).toBeGreaterThan(RUNS / 4);
  });

  const MEMORY_FIELDS =
    'id text title topic subTopic summary source agentId runId tags categories metadata importance confidence expiresAt';
  /** Mostly what the API takes, now and then anything: so that both acceptances and refusals are seen. */
  const mostly = <T, U>(valid: fc.Arbitrary<T>, wild: fc.Arbitrary<U>) =>
    fc.option(fc.oneof({ weight: 9, arbitrary: valid }, { weight: 1, arbitrary: wild }), { freq: 2 });
  const future = fc
    .date({ min: new Date(Date.now() + 86_400_000), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true })
    .map((date) => date.toISOString());
  const memoryInput = fc.record(
    {
      text: nonBlank(200),
      title: mostly(nonBlank(20), text(20)),
      topic: mostly(nonBlank(12), text(12)),
      subTopic: mostly(nonBlank(12), text(12)),
      summary: mostly(nonBlank(40), text(40)),
      source: mostly(nonBlank(12), text(12)),
      agentId: mostly(nonBlank(12), text(12)),
      runId: mostly(nonBlank(12), text(12)),
      tags: mostly(fc.array(nonBlank(10), { maxLength: 3 }), fc.array(text(10), { maxLength: 3 })),
      categories: mostly(fc.array(nonBlank(10), { maxLength: 3 }), fc.array(text(10), { maxLength: 3 })),
      metadata: mostly(jsonObject, jsonObject),
      importance: mostly(fc.double({ min: 0, max: 1, noNaN: true }), fc.double()),
      confidence: mostly(fc.double({ min: 0, max: 1, noNaN: true }), fc.double()),
      expiresAt: mostly(future, instant),
    },
    { requiredKeys: ['text'] },
  );
  /** A patch leaves out what it keeps (null would clear a field, and is refused for the required ones). */
  const memoryPatch = memoryInput.map((input) =>
    Object.fromEntries(Object.entries(input).filter(([, value]) => value !== null)),
  );
  /**
   * What the API keeps of a memory field it accepted: the value as sent,
   * except the documented normalisation of memory text fields (trimmed;
   * tags and categories trimmed and without repeats); dates in ISO form,
   * numbers and JSON as JSON reads them back. Scope ids are kept as sent.
   */
  const expectStored = (stored: Record<string, unknown>, input: Record<string, unknown>) => {
    for (const [key, value] of Object.entries(input)) {
      if (value === null || value === undefined) continue;
      let expected: unknown = normalised(value);
      if (key === 'expiresAt') expected = new Date(value as string).toISOString();
      else if (key === 'tags' || key === 'categories')
        expected = [...new Set((value as string[]).map((label) => label.trim()))];
      else if (typeof value === 'string' && key !== 'agentId' && key !== 'runId') expected = value.trim();
      expect(stored[key], key).toEqual(expected);
    }
  };

  it('createMemory and updateMemory: every field', async () => {
    await fc.assert(
      fc.asyncProperty(memoryInput, memoryPatch, async (input, patch) => {
        const created = await t.admin.raw<{ createMemory: Record<string, unknown> & { id: string } }>(
          `mutation($input: CreateMemoryInput!) { createMemory(userId: "p", input: $input) { ${MEMORY_FIELDS} } }`,
          { input },
        );
        noInternalError(created);
        if (created.errors) return;
        const id = created.data!.createMemory.id;
        const read = await t.admin.raw<{ memory: Record<string, unknown> }>(
          `query($id: ID!) { memory(id: $id) { ${MEMORY_FIELDS} } }`,
          { id },
        );
        noInternalError(read);
        expectStored(read.data!.memory, input);
        accepted.memories++;
        const updated = await t.admin.raw(
          `mutation($id: ID!, $input: UpdateMemoryInput!) { updateMemory(id: $id, input: $input) { ${MEMORY_FIELDS} } }`,
          { id, input: patch },
        );
        noInternalError(updated);
        if (updated.errors) return;
        const reread = await t.admin.raw<{ memory: Record<string, unknown> }>(
          `query($id: ID!) { memory(id: $id) { ${MEMORY_FIELDS} } }`,
          { id },
        );
        expectStored(reread.data!.memory, patch);
        accepted.updates++;
      }),
      // Twice the runs: an update needs a random memory and then a random
      // patch accepted, about one pair in ten (4 of 40 in one CI run).
      { numRuns: 2 * RUNS },
    );
    expect(accepted.memories).toBeGreaterThan(RUNS / 5);
    expect(accepted.updates).toBeGreaterThan(0);
  });

  it('searchMemories and memories with random filters', async () => {
    const jsonValue = fc.oneof(jsonLeaf, jsonObject, fc.array(jsonLeaf, { maxLength: 3 }));
    const condition = fc.record(
      {
        text: fc.record({ contains: text(12) }),
        tags: fc.record({ contains: text(8), containsAny: fc.array(text(8), { maxLength: 3 }) }, { requiredKeys: [] }),
        agentId: fc.record(
          { eq: text(8), in: fc.array(text(8), { maxLength: 3 }), isNull: fc.boolean() },
          { requiredKeys: [] },
        ),
        subTopic: fc.record({ eq: text(8) }),
        importance: fc.record({ gte: fc.double(), lte: fc.double() }, { requiredKeys: [] }),
        createdAt: fc.record({ gte: instant, lte: instant }, { requiredKeys: [] }),
        metadata: fc.array(
          fc.record(
            {
              path: fc.array(text(8), { maxLength: 4 }),
              eq: jsonValue,
              gte: jsonValue,
              in: jsonValue,
              contains: jsonValue,
            },
            { requiredKeys: ['path'] },
          ),
          { maxLength: 2 },
        ),
      },
      { requiredKeys: [] },
    );
    const filter = fc.oneof(
      condition,
      fc.record({ AND: fc.array(condition, { maxLength: 3 }) }),
      fc.record({ OR: fc.array(condition, { maxLength: 3 }), NOT: condition }, { requiredKeys: [] }),
    );
    await fc.assert(
      fc.asyncProperty(
        text(60),
        filter,
        fc.constantFrom('SEMANTIC', 'LEXICAL', 'HYBRID'),
        async (question, where, mode) => {
          noInternalError(
            await t.admin.raw(
              'query($text: String!, $filter: MemoryFilter, $mode: QueryMode) { user(id: "p") { searchMemories(text: $text, filter: $filter, mode: $mode) { score } } searchMemories(text: $text, filter: $filter, mode: $mode) { score } }',
              { text: question, filter: where, mode },
            ),
          );
          noInternalError(
            await t.admin.raw(
              'query($filter: MemoryFilter) { user(id: "p") { memories(filter: $filter) { totalCount } } }',
              {
                filter: where,
              },
            ),
          );
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('lookups, cursors and searches with random ids, cursors, text and dates', async () => {
    await fc.assert(
      fc.asyncProperty(
        text(30),
        fc.oneof(
          text(40),
          fc.string({ unit: 'binary-ascii', maxLength: 60 }).map((s) => Buffer.from(s, 'latin1').toString('base64url')),
        ),
        text(60),
        fc.option(instant),
        async (id, cursor, question, since) => {
          n++;
          for (const [query, variables] of [
            ['query($id: ID!) { user(id: $id) { id } blob(id: $id) { id } memory(id: $id) { id } }', { id }],
            ['query($after: String) { users(after: $after) { totalCount } }', { after: cursor }],
            [
              'query($after: String) { user(id: "p") { blobs(after: $after) { totalCount } memories(after: $after) { totalCount } } }',
              { after: cursor },
            ],
            [
              'query($text: String!, $since: DateTime) { user(id: "p") { query(text: $text, since: $since, mode: LEXICAL) { score } } }',
              { text: question, since },
            ],
            ['mutation($name: String!) { createProject(name: $name) { name } }', { name: `${n}-${question}` }],
          ] as const)
            noInternalError(await t.admin.raw(query, variables));
        },
      ),
      { numRuns: RUNS },
    );
  });
});
