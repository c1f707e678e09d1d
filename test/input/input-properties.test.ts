// Property-based: random strings (any code point, plus NUL and lone
// surrogates), random JSON, cursors and dates through every input type of
// the API. Whatever comes in, the answer is never INTERNAL_SERVER_ERROR, and
// what is accepted reads back exactly as it was sent.

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
  const accepted = { users: 0, docs: 0, chats: 0 };
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
