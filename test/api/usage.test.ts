// Project.usage and User.usage through the API: blobs and their tokens, and
// the LLM calls and tokens of extraction (a scripted OpenAI-compatible
// server reports the usage), by UTC day.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScriptedLlmServer, type ScriptedLlmServer } from '../fakes/scripted-llm-server.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

const USAGE =
  'since until blobs tokensStored llmCalls llmPromptTokens llmCompletionTokens days { day blobs tokensStored llmCalls llmPromptTokens llmCompletionTokens }';

describe('usage', () => {
  let llm: ScriptedLlmServer;
  let t: TestApp;
  const today = new Date().toISOString().slice(0, 10);
  const gql = async <T>(query: string, variables?: Record<string, unknown>) => {
    const result = await t.admin.raw<T>(query, variables);
    if (result.errors) throw new Error(JSON.stringify(result.errors));
    return result.data!;
  };

  beforeAll(async () => {
    llm = await startScriptedLlmServer();
    t = await startTestApp({
      env: {
        MEMQL_EMBEDDINGS_PROVIDER: 'hashing',
        MEMQL_LLM_BASE_URL: llm.url,
        MEMQL_LLM_MODEL: 'scripted-model',
        MEMQL_BUFFER_IDLE_SECONDS: '3600',
        MEMQL_BUFFER_TOKENS: '100000',
      },
    });
  });
  afterAll(async () => {
    await t?.destroy();
    await llm?.stop();
  });

  it("counts each user's blobs, tokens and LLM usage by day, and the project's sum", async () => {
    await gql('mutation { a: createUser(input: { id: "ana" }) { id } b: createUser(input: { id: "ben" }) { id } }');
    // One batch: an invalid answer asked again (2 calls), each reporting its tokens.
    llm.enqueue(
      { raw: 'not json', usage: { prompt_tokens: 200, completion_tokens: 5 } },
      {
        json: {
          operations: [
            { kind: 'ADD', text: 'Lives in Porto', topic: 'basic_info', subTopic: 'location', categories: [] },
          ],
          summary: 's',
          tags: [],
        },
        usage: { prompt_tokens: 250, completion_tokens: 40 },
      },
    );
    const content = 'I live in Porto.';
    await gql(
      `mutation ($content: String!) { insertBlob(userId: "ana", waitProcess: true, input: { chat: { messages: [{ role: "user", content: $content }] } }) { event { id } } }`,
      { content },
    );
    await gql(
      'mutation { insertBlob(userId: "ben", input: { doc: { title: "T", content: "forty characters of text, more or less.." } }) { blob { id } } }',
    );

    const ana = {
      since: expect.any(String),
      until: today,
      blobs: 1,
      tokensStored: Math.ceil(content.length / 4),
      llmCalls: 2,
      llmPromptTokens: 450,
      llmCompletionTokens: 45,
    };
    const { user } = await gql<{ user: { usage: Record<string, unknown> } }>(
      `{ user(id: "ana") { usage { ${USAGE} } } }`,
    );
    expect(user.usage).toEqual({ ...ana, days: [{ day: today, ...withoutRange(ana) }] });
    // The default range: the last 30 days, today included.
    expect(Date.parse(today) - Date.parse(user.usage.since as string)).toBe(29 * 86_400_000);

    const ben = { blobs: 1, tokensStored: 10, llmCalls: 0, llmPromptTokens: 0, llmCompletionTokens: 0 };
    const sum = {
      blobs: 2,
      tokensStored: ana.tokensStored + 10,
      llmCalls: 2,
      llmPromptTokens: 450,
      llmCompletionTokens: 45,
    };
    const { project } = await gql<{ project: { usage: Record<string, unknown> } }>(
      `{ project { usage { ${USAGE} } } }`,
    );
    expect(project.usage).toEqual({ ...sum, since: expect.any(String), until: today, days: [{ day: today, ...sum }] });
    expect(
      (
        await gql<{ user: { usage: unknown } }>(
          '{ user(id: "ben") { usage { blobs tokensStored llmCalls llmPromptTokens llmCompletionTokens } } }',
        )
      ).user.usage,
    ).toEqual(ben);

    // The admin sees every project's usage; a new project has none.
    await gql('mutation { createProject(name: "empty") { id } }');
    const { projects } = await gql<{ projects: { name: string; usage: { blobs: number; days: unknown[] } }[] }>(
      '{ projects { name usage { blobs days { day } } } }',
    );
    expect(projects.map((p) => [p.name, p.usage.blobs, p.usage.days.length])).toEqual([
      ['default', 2, 1],
      ['empty', 0, 0],
    ]);

    // A range in the past holds nothing; a deleted user's usage still counts for its project.
    const past = await gql<{ project: { usage: { blobs: number; since: string; until: string } } }>(
      '{ project { usage(since: "2020-01-01T00:00:00Z", until: "2020-12-31T23:59:59Z") { blobs since until } } }',
    );
    expect(past.project.usage).toEqual({ blobs: 0, since: '2020-01-01', until: '2020-12-31' });
    await gql('mutation { deleteUser(id: "ben") }');
    expect(
      (await gql<{ project: { usage: { blobs: number } } }>('{ project { usage { blobs } } }')).project.usage.blobs,
    ).toBe(2);
  });

  it('refuses a reversed or too long range, naming the argument', async () => {
    for (const range of [
      'since: "2025-02-01T00:00:00Z", until: "2025-01-01T00:00:00Z"',
      'since: "2024-01-01T00:00:00Z", until: "2025-06-01T00:00:00Z"',
    ]) {
      const result = await t.admin.raw(`{ project { usage(${range}) { blobs } } }`);
      expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'since' });
    }
  });
});

function withoutRange<T extends { since: unknown; until: unknown }>(totals: T): Omit<T, 'since' | 'until'> {
  const { since: _since, until: _until, ...rest } = totals;
  return rest;
}
