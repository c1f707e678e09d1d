// The inputs that gave INTERNAL_SERVER_ERROR in issue 12 now give
// BAD_USER_INPUT naming the field (or a coded parse error), and valid text
// the chunker used to cut in half (a surrogate pair, a grapheme) is stored
// and comes back exactly.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphQLErrorShape } from '../helpers/graphql-client.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

const INSERT = `mutation($userId: ID!, $input: BlobInput!) { insertBlob(userId: $userId, input: $input) { blob { id } } }`;
const CREATE_USER = `mutation($input: CreateUserInput) { createUser(input: $input) { id } }`;
const UUID = '8f14e45f-ceea-467a-9f5e-5f0f5c1e0e11';
const cursor = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
/** JSON text nested `levels` deep (JSON.stringify itself cannot write it: it recurses). */
const deepJson = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;

describe('bad input is BAD_USER_INPUT naming the field, never INTERNAL_SERVER_ERROR', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { MEMQL_EMBEDDINGS_PROVIDER: 'hashing', MEMQL_BUFFER_IDLE_SECONDS: '3600' } });
    await t.admin.raw(CREATE_USER, { input: { id: 'u' } });
  });
  afterAll(async () => t?.destroy());

  const refused = async (query: string, variables: Record<string, unknown>): Promise<GraphQLErrorShape> => {
    const result = await t.admin.raw(query, variables);
    expect(result.errors, JSON.stringify(result.data)).toHaveLength(1);
    return result.errors![0]!;
  };

  const NUL = 'a\u0000b';
  const LONE = 'a\ud800b';
  const cases: [string, string, Record<string, unknown>, string][] = [
    ['NUL in doc content', INSERT, { userId: 'u', input: { doc: { content: NUL } } }, 'input.doc.content'],
    ['NUL in doc title', INSERT, { userId: 'u', input: { doc: { content: 'x', title: NUL } } }, 'input.doc.title'],
    [
      'NUL in a role',
      INSERT,
      { userId: 'u', input: { chat: { messages: [{ role: NUL, content: 'x' }] } } },
      'input.chat.messages[0].role',
    ],
    [
      'NUL in a message',
      INSERT,
      { userId: 'u', input: { chat: { messages: [{ role: 'user', content: NUL }] } } },
      'input.chat.messages[0].content',
    ],
    [
      'NUL in a speaker name',
      INSERT,
      { userId: 'u', input: { chat: { messages: [{ role: 'user', content: 'x', name: NUL }] } } },
      'input.chat.messages[0].name',
    ],
    [
      'NUL in a metadata value',
      INSERT,
      { userId: 'u', input: { summary: { summary: 'x' }, metadata: { k: NUL } } },
      'input.metadata.k',
    ],
    [
      'NUL in a metadata key',
      INSERT,
      { userId: 'u', input: { summary: { summary: 'x' }, metadata: { [NUL]: 1 } } },
      'input.metadata',
    ],
    [
      'NUL in a transcript',
      INSERT,
      { userId: 'u', input: { transcript: { segments: [{ start: 0, end: 1, text: NUL }] } } },
      'input.transcript.segments[0].text',
    ],
    ['NUL in code', INSERT, { userId: 'u', input: { code: { content: NUL, language: 'ts' } } }, 'input.code.content'],
    ['NUL in user data', CREATE_USER, { input: { id: 'nul-data', data: { k: NUL } } }, 'input.data.k'],
    ['NUL in a user id', CREATE_USER, { input: { id: NUL } }, 'input.id'],
    ['NUL in a project name', 'mutation($name: String!) { createProject(name: $name) { id } }', { name: NUL }, 'name'],
    ['NUL in a user lookup', 'query($id: ID!) { user(id: $id) { id } }', { id: NUL }, 'id'],
    ['NUL in a blob lookup', 'query($id: ID!) { blob(id: $id) { id } }', { id: NUL }, 'id'],
    [
      'NUL in a question',
      'query($text: String!) { user(id: "u") { query(text: $text) { score } } }',
      { text: NUL },
      'text',
    ],
    ['NUL in the userId of an insert', INSERT, { userId: NUL, input: { summary: { summary: 'x' } } }, 'userId'],
    ['a lone surrogate in content', INSERT, { userId: 'u', input: { doc: { content: LONE } } }, 'input.doc.content'],
    [
      'a lone low surrogate in a title',
      INSERT,
      { userId: 'u', input: { doc: { content: 'x', title: 'a\udc00' } } },
      'input.doc.title',
    ],
    ['a lone surrogate in a user id', CREATE_USER, { input: { id: LONE } }, 'input.id'],
    [
      'a lone surrogate in a question',
      'query($text: String!) { user(id: "u") { query(text: $text) { score } } }',
      { text: 'x\udbff' },
      'text',
    ],
    [
      'a blob cursor with a non-uuid id',
      'query($after: String) { user(id: "u") { blobs(after: $after) { totalCount } } }',
      { after: cursor('2024-01-01T00:00:00.000Z|not-a-uuid') },
      'after',
    ],
    [
      'a user cursor with a control character in its id',
      'query($after: String) { users(after: $after) { totalCount } }',
      { after: cursor('2024-01-01T00:00:00.000Z|a\u0007b') },
      'after',
    ],
    [
      'a cursor in year -271821',
      'query($after: String) { users(after: $after) { totalCount } }',
      { after: cursor(`-271821-04-20T00:00:00.000Z|${UUID}`) },
      'after',
    ],
    [
      'a blob cursor in year 0000',
      'query($after: String) { user(id: "u") { blobs(after: $after) { totalCount } } }',
      { after: cursor(`0000-01-01T00:00:00.000Z|${UUID}`) },
      'after',
    ],
    [
      'a date in year 0000',
      INSERT,
      { userId: 'u', input: { summary: { summary: 'x' }, createdAt: '0000-01-01T00:00:00Z' } },
      'input.createdAt',
    ],
    [
      'a message date in year 0000',
      INSERT,
      {
        userId: 'u',
        input: { chat: { messages: [{ role: 'user', content: 'x', createdAt: '0000-06-01T00:00:00Z' }] } },
      },
      'input.chat.messages[0].createdAt',
    ],
    [
      'a query bound in year 0000',
      'query($since: DateTime) { user(id: "u") { query(text: "x", since: $since) { score } } }',
      { since: '0000-01-01T00:00:00Z' },
      'since',
    ],
  ];

  it.each(cases)('%s', async (_name, query, variables, field) => {
    const error = await refused(query, variables);
    expect(error.extensions?.code).toBe('BAD_USER_INPUT');
    // A value graphql itself refuses while coercing a variable (a date) names its path in the message.
    const named =
      error.extensions?.field ??
      /at "([^"]+)"/.exec(error.message)?.[1] ??
      /^Variable "\$(\w+)"/.exec(error.message)?.[1];
    expect(String(named)).toMatch(new RegExp(`^${field.replace(/[.[\]$]/g, '\\$&')}`));
  });

  it.each([
    [
      'metadata',
      INSERT,
      `{"userId":"u","input":{"summary":{"summary":"x"},"metadata":${deepJson(5_000)}}}`,
      'input.metadata',
    ],
    ['user data', CREATE_USER, `{"input":{"id":"deep","data":${deepJson(5_000)}}}`, 'input.data'],
  ])('%s nested 5,000 deep', async (_name, query, variables, field) => {
    const response = await fetch(t.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${t.adminKey}` },
      body: `{"query":${JSON.stringify(query)},"variables":${variables}}`,
    });
    const body = (await response.json()) as { errors: GraphQLErrorShape[] };
    expect(body.errors[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: expect.stringMatching(new RegExp(`^${field.replace('.', '\\.')}`)),
    });
  });

  it('refuses the same inputs written as literals in the document, naming the argument', async () => {
    const error = await refused('mutation { createUser(input: { id: "x", data: { k: "a\\u0000b" } }) { id } }', {});
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.data.k' });
    // graphql's parser refuses a lone surrogate escape in a literal itself.
    const lone = await refused('{ user(id: "a\\ud800") { id } }', {});
    expect(lone.extensions).toMatchObject({ code: 'GRAPHQL_PARSE_FAILED' });
  });

  it('refuses a document nested 5,000 deep as a parse failure, not a stack overflow', async () => {
    const literal = `${'{ a: '.repeat(5_000)}1${' }'.repeat(5_000)}`;
    const error = await refused(`mutation { createUser(input: { id: "x", data: ${literal} }) { id } }`, {});
    expect(error.extensions).toMatchObject({ code: 'GRAPHQL_PARSE_FAILED', limit: 'nesting' });
    const mild = `${'{ a: '.repeat(40)}1${' }'.repeat(40)}`;
    const tooDeep = await refused(`mutation { createUser(input: { id: "x", data: ${mild} }) { id } }`, {});
    expect(tooDeep.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: expect.stringMatching(/^input\.data/) });
  });

  it('stored nothing for any refused input', async () => {
    const blobs = await t.admin.raw<{ user: { blobs: { totalCount: number } } }>(
      '{ user(id: "u") { blobs { totalCount } } }',
    );
    expect(blobs.data?.user.blobs.totalCount).toBe(0);
  });
});

describe('text the chunker used to cut in half is stored and comes back exactly', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { MEMQL_EMBEDDINGS_PROVIDER: 'hashing', MEMQL_BUFFER_IDLE_SECONDS: '3600' } });
    await t.admin.raw(CREATE_USER, { input: { id: 'emoji' } });
  });
  afterAll(async () => t?.destroy());

  const roundTrip = async (input: Record<string, unknown>) => {
    const stored = await t.admin.raw<{ insertBlob: { blob: { id: string } } }>(INSERT, { userId: 'emoji', input });
    expect(stored.errors).toBeUndefined();
    const read = await t.admin.raw<{ blob: Record<string, unknown> }>(
      'query($id: ID!) { blob(id: $id) { ... on DocBlob { content } ... on ChatBlob { messages { content } } } }',
      { id: stored.data!.insertBlob.blob.id },
    );
    return read.data!.blob;
  };

  it('"a" + 400 emoji (a doc): every chunk is valid UTF-16, the blob round-trips, a search finds it', async () => {
    const content = `a${'😀'.repeat(400)}`;
    expect(await roundTrip({ doc: { content } })).toEqual({ content });
    await t.app.indexer.drain();
    const found = await t.admin.raw<{ user: { query: { hits: { text: string }[] }[] } }>(
      '{ user(id: "emoji") { query(text: "a", mode: LEXICAL) { hits { ... on TextSpanHit { text } } } } }',
    );
    expect(found.errors).toBeUndefined();
  });

  it('the same in a chat message, CJK Extension B text and emoji with skin tones and joiners', async () => {
    const chat = `a${'😀'.repeat(400)}`;
    expect(await roundTrip({ chat: { messages: [{ role: 'user', content: chat }] } })).toEqual({
      messages: [{ content: chat }],
    });
    const cjk = `x${'𠀀𠀁𠀂'.repeat(300)}`;
    expect(await roundTrip({ doc: { content: cjk } })).toEqual({ content: cjk });
    const family = `b${'👩🏽‍💻'.repeat(150)}`;
    expect(await roundTrip({ doc: { content: family } })).toEqual({ content: family });
    const accents = `c${'e\u0301'.repeat(500)}`;
    expect(await roundTrip({ doc: { content: accents } })).toEqual({ content: accents });
  });
});
