// The extraction pipeline with the LLM extractor, through the real
// OpenAI-compatible client against a scripted server on loopback: ADD,
// UPDATE, DELETE and NONE decisions, malformed and truncated output, 429s,
// 5xx and timeouts, with nothing half-written on failure.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateUserDocument,
  FlushDocument,
  GetMemoryDocument,
  InsertChatDocument,
  MemoryByIdDocument,
  UserBufferDocument,
  UserMemoriesDocument,
} from '../generated/graphql.js';
import { type RecordedRequest, startScriptedLlmServer } from '../fakes/scripted-llm-server.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

type Llm = Awaited<ReturnType<typeof startScriptedLlmServer>>;
const user = (content: string) => [{ role: 'user', content }];

/** The existing memories the extractor was shown, parsed back out of the prompt. */
function existingIn(request: RecordedRequest): { id: string; text: string }[] {
  return [
    ...request.promptText.matchAll(/\{"id":"([0-9a-f-]{36})","topic":"[^"]*","subTopic":"[^"]*","text":"([^"]*)"\}/g),
  ].map((m) => ({ id: m[1]!, text: m[2]! }));
}

describe('memory extraction with an LLM (scripted OpenAI-compatible server)', () => {
  let llm: Llm;
  let t: TestApp;

  beforeAll(async () => {
    llm = await startScriptedLlmServer();
    t = await startTestApp({
      env: {
        MEMQL_EMBEDDINGS_PROVIDER: 'hashing',
        MEMQL_LLM_BASE_URL: llm.url,
        MEMQL_LLM_MODEL: 'scripted-model',
        MEMQL_LLM_API_KEY: 'sk-test-secret',
        MEMQL_LLM_TIMEOUT_MS: '1000',
        MEMQL_LLM_MAX_RETRIES: '2',
        MEMQL_BUFFER_IDLE_SECONDS: '3600',
        MEMQL_BUFFER_TOKENS: '100000',
      },
    });
  });
  afterEach(() => {
    expect(llm.responderErrors).toEqual([]);
    llm.reset();
  });
  afterAll(async () => {
    await t?.destroy();
    await llm?.stop();
  });

  it('applies ADD, then UPDATE and NONE, then DELETE, as the model decides', async () => {
    await t.admin.ok(CreateUserDocument, { input: { id: 'sam' } });
    llm.enqueue({
      json: {
        operations: [
          {
            kind: 'ADD',
            text: 'Lives in Berlin',
            topic: 'basic_info',
            subTopic: 'location',
            categories: ['personal'],
            confidence: 0.85,
          },
          { kind: 'ADD', text: 'Plays chess', topic: 'interests', subTopic: 'hobbies', categories: [], confidence: 7 },
        ],
        summary: 'Sam lives in Berlin and plays chess.',
        tags: ['basic_info', 'interests'],
      },
    });
    const first = (
      await t.admin.ok(InsertChatDocument, {
        userId: 'sam',
        messages: user('I live in Berlin and I play chess.'),
        waitProcess: true,
      })
    ).insertBlob.event!;
    expect(first.changes.map((c) => [c.kind, c.after])).toEqual([
      ['ADD', 'Lives in Berlin'],
      ['ADD', 'Plays chess'],
    ]);
    expect(first.summary).toBe('Sam lives in Berlin and plays chess.');
    // What the model knows goes on the memory: confidence (a value out of 0-1 is dropped), categories as tags, the blob type as source.
    const [berlin, chessFirst] = await Promise.all(
      first.changes.map(async (c) => (await t.admin.ok(MemoryByIdDocument, { id: c.memoryId })).memory!),
    );
    expect(berlin).toMatchObject({ confidence: 0.85, tags: ['personal'], source: 'CHAT', agentId: null });
    expect(chessFirst).toMatchObject({ confidence: null, tags: [], source: 'CHAT' });
    expect(first.usage).toMatchObject({ calls: 1 });
    expect(first.usage!.promptTokens).toBeGreaterThan(0);
    const request = llm.chatRequests()[0]!;
    expect(request.headers.authorization).toBe('Bearer sk-test-secret');
    expect(request.promptText).toContain('I live in Berlin and I play chess.');

    llm.setResponder((req) => {
      const shown = existingIn(req);
      const berlin = shown.find((m) => m.text === 'Lives in Berlin')!;
      const chess = shown.find((m) => m.text === 'Plays chess')!;
      return {
        json: {
          operations: [
            {
              kind: 'UPDATE',
              memoryId: berlin.id,
              text: 'Lives in Munich',
              topic: 'basic_info',
              subTopic: 'location',
              categories: ['personal'],
            },
            { kind: 'NONE', memoryId: chess.id, text: 'Plays chess' },
          ],
          summary: 'Moved to Munich.',
          tags: ['basic_info'],
        },
      };
    });
    const second = (
      await t.admin.ok(InsertChatDocument, {
        userId: 'sam',
        messages: user('I moved to Munich. Still playing chess!'),
        waitProcess: true,
      })
    ).insertBlob.event!;
    expect(second.changes.map((c) => [c.kind, c.before, c.after])).toEqual([
      ['UPDATE', 'Lives in Berlin', 'Lives in Munich'],
    ]);

    llm.setResponder((req) => ({
      json: {
        operations: [
          {
            kind: 'DELETE',
            memoryId: existingIn(req).find((m) => m.text === 'Plays chess')!.id,
            reason: 'asked to forget',
          },
        ],
        summary: 'Forgot chess.',
        tags: [],
      },
    }));
    const third = (
      await t.admin.ok(InsertChatDocument, {
        userId: 'sam',
        messages: user('Please forget that I play chess.'),
        waitProcess: true,
      })
    ).insertBlob.event!;
    expect(third.changes.map((c) => [c.kind, c.before, c.after])).toEqual([['DELETE', 'Plays chess', null]]);
    llm.setResponder(undefined);

    const memories = (await t.admin.ok(UserMemoriesDocument, { userId: 'sam' })).user!.memories;
    expect(memories.edges.map((e) => e.node.text)).toEqual(['Lives in Munich']);
    const chess = (await t.admin.ok(GetMemoryDocument, { id: third.changes[0]!.memoryId })).memory!;
    expect(chess.deletedAt).not.toBeNull();
    expect(chess.history.map((h) => h.kind)).toEqual(['ADD', 'DELETE']);
  });

  it('drops an ADD that repeats a memory the model failed to recognise (no duplicates)', async () => {
    await t.admin.ok(CreateUserDocument, { input: { id: 'dupe' } });
    const add = {
      json: {
        operations: [{ kind: 'ADD', text: 'Is vegetarian', topic: 'food', subTopic: 'diet', categories: [] }],
        summary: 's',
        tags: [],
      },
    };
    llm.enqueue(add, add);
    await t.admin.ok(InsertChatDocument, { userId: 'dupe', messages: user("I'm vegetarian."), waitProcess: true });
    const again = (
      await t.admin.ok(InsertChatDocument, { userId: 'dupe', messages: user("I'm vegetarian."), waitProcess: true })
    ).insertBlob.event!;
    expect(again.changes).toEqual([]);
    expect((await t.admin.ok(UserMemoriesDocument, { userId: 'dupe' })).user!.memories.totalCount).toBe(1);
  });

  it('retries malformed output and succeeds, summing usage over the calls', async () => {
    await t.admin.ok(CreateUserDocument, { input: { id: 'retry' } });
    llm.enqueue(
      { raw: '{"operations": [ {"kind": "ADD", "text": ' },
      {
        json: {
          operations: [
            { kind: 'ADD', text: 'Speaks Dutch', topic: 'basic_info', subTopic: 'languages', categories: [] },
          ],
          summary: 'Dutch',
          tags: [],
        },
      },
    );
    const event = (
      await t.admin.ok(InsertChatDocument, { userId: 'retry', messages: user('I speak Dutch.'), waitProcess: true })
    ).insertBlob.event!;
    expect(event.changes.map((c) => c.after)).toEqual(['Speaks Dutch']);
    expect(event.usage!.calls).toBe(2);
  });

  it('retries 429 and 5xx answers', async () => {
    await t.admin.ok(CreateUserDocument, { input: { id: 'busy' } });
    llm.enqueue(
      { status: 429, retryAfter: '0' },
      { status: 503 },
      {
        json: {
          operations: [{ kind: 'ADD', text: 'Has a cat', topic: 'pets', subTopic: 'pets', categories: [] }],
          summary: 'cat',
          tags: [],
        },
      },
    );
    const event = (
      await t.admin.ok(InsertChatDocument, { userId: 'busy', messages: user('I have a cat.'), waitProcess: true })
    ).insertBlob.event!;
    expect(event.changes.map((c) => c.after)).toEqual(['Has a cat']);
    expect(llm.chatRequests()).toHaveLength(3);
  });

  it('marks the buffer FAILED with the error visible after persistent bad output, writes nothing, and retries with backoff', async () => {
    await t.admin.ok(CreateUserDocument, { input: { id: 'broken' } });
    llm.setResponder(() => ({ raw: 'I am sorry, I cannot produce JSON today.' }));
    const insert = await t.admin.ok(InsertChatDocument, {
      userId: 'broken',
      messages: user('I live in Oslo.'),
      waitProcess: true,
    });
    expect(insert.insertBlob.event).toBeNull();
    const failed = (await t.admin.ok(UserBufferDocument, { userId: 'broken' })).user!.buffer;
    expect(failed).toMatchObject({ state: 'FAILED', pendingBlobs: 1, attempts: 1 });
    expect(failed.lastError).toMatch(/LLM output invalid/);
    expect(failed.nextAttemptAt).not.toBeNull();
    expect((await t.admin.ok(UserMemoriesDocument, { userId: 'broken' })).user!.memories.totalCount).toBe(0);
    expect(llm.chatRequests()).toHaveLength(3); // 1 call + 2 retries

    // No flush: the failed batch is retried by the scheduler once its backoff passes.
    llm.setResponder(() => ({
      json: {
        operations: [{ kind: 'ADD', text: 'Lives in Oslo', topic: 'basic_info', subTopic: 'location', categories: [] }],
        summary: 'Oslo',
        tags: [],
      },
    }));
    const deadline = Date.now() + 20_000;
    let buffer = failed;
    while (Date.now() < deadline && buffer.state !== 'IDLE') {
      await new Promise((resolve) => setTimeout(resolve, 250));
      buffer = (await t.admin.ok(UserBufferDocument, { userId: 'broken' })).user!.buffer;
    }
    expect(buffer).toMatchObject({ state: 'IDLE', pendingBlobs: 0, lastError: null, attempts: 0 });
    const memories = (await t.admin.ok(UserMemoriesDocument, { userId: 'broken' })).user!.memories;
    expect(memories.edges.map((e) => e.node.text)).toEqual(['Lives in Oslo']);
    llm.setResponder(undefined);
  });

  it('fails on truncated output and on timeouts without writing anything', async () => {
    await t.admin.ok(CreateUserDocument, { input: { id: 'slow' } });
    llm.setResponder(() => ({ raw: '{"operations": [{"kind": "ADD", "text": "Lives in', finishReason: 'length' }));
    await t.admin.ok(InsertChatDocument, { userId: 'slow', messages: user('I live in Rome.'), waitProcess: true });
    expect((await t.admin.ok(UserBufferDocument, { userId: 'slow' })).user!.buffer).toMatchObject({
      state: 'FAILED',
      pendingBlobs: 1,
    });

    llm.setResponder(() => ({ delayMs: 3_000, json: { operations: [], summary: '', tags: [] } }));
    const { flush } = await t.admin.ok(FlushDocument, { userId: 'slow' });
    expect(flush.event).toBeNull();
    expect(flush.buffer.state).toBe('FAILED');
    expect(flush.buffer.lastError).toMatch(/timed out|timeout/i);
    expect(flush.buffer.attempts).toBe(2);
    expect((await t.admin.ok(UserMemoriesDocument, { userId: 'slow' })).user!.memories.totalCount).toBe(0);
    llm.setResponder(undefined);
  });
});
