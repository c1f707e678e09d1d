import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ExtractionInput, ProfileConfig } from '../../../src/domain/types.js';
import { LlmOutputError } from '../../../src/infra/extraction/llm/llm.errors.js';
import { LlmExtractor } from '../../../src/infra/extraction/llm/llm.extractor.js';
import { HttpRequestError } from '../../../src/infra/http/http.errors.js';
import { OpenAiChatClient } from '../../../src/infra/http/openai-chat.client.js';
import { startScriptedLlmServer, type ScriptedLlmServer } from '../../fakes/scripted-llm-server.js';

const profile: ProfileConfig = {
  strict: false,
  blobTokenCap: 3_000_000,
  topics: [
    {
      name: 'basic_info',
      description: 'Who the user is',
      subTopics: [
        { name: 'name', description: "The user's name", singleValued: true },
        { name: 'location', description: 'Where the user lives', singleValued: true },
      ],
    },
    {
      name: 'interests',
      description: 'What the user likes doing',
      subTopics: [{ name: 'hobbies', description: 'Hobbies and pastimes', singleValued: false }],
    },
  ],
};

const existing = [
  { id: 'mem-city', text: 'User lives in Paris.', topic: 'basic_info', subTopic: 'location' },
  { id: 'mem-name', text: 'User is called Ann.', topic: 'basic_info', subTopic: 'name' },
  { id: 'mem-chess', text: 'User plays chess.', topic: 'interests', subTopic: 'hobbies' },
];

function input(overrides: Partial<ExtractionInput> = {}): ExtractionInput {
  return {
    messages: [
      {
        role: 'user',
        content: 'I moved to Berlin last month and I started climbing.',
        createdAt: new Date('2025-03-03T09:30:00Z'),
      },
      { role: 'assistant', content: 'Nice! How do you like Berlin?' },
      { role: 'user', content: 'Love it. Oh, and forget that I play chess. My name is still Ann.' },
    ],
    profile,
    existing,
    now: new Date('2025-03-04T12:00:00Z'),
    ...overrides,
  };
}

const validOutput = {
  operations: [
    { kind: 'ADD', text: 'User goes climbing.', topic: 'interests', subTopic: 'hobbies', categories: ['sport'] },
    {
      kind: 'UPDATE',
      memoryId: 'mem-city',
      text: 'User lives in Berlin.',
      topic: 'basic_info',
      subTopic: 'location',
      categories: [],
    },
    { kind: 'DELETE', memoryId: 'mem-chess', reason: 'user asked to forget it' },
    { kind: 'NONE', memoryId: 'mem-name', text: 'User is called Ann.' },
  ],
  summary: 'User moved to Berlin and took up climbing.',
  tags: ['relocation', 'climbing'],
};

let llm: ScriptedLlmServer;

beforeAll(async () => {
  llm = await startScriptedLlmServer();
});
afterEach(() => {
  const errors = [...llm.responderErrors];
  const pending = llm.pending();
  llm.reset();
  expect(errors, 'assertions inside responders').toEqual([]);
  expect(pending, 'every scripted step is used').toBe(0);
});
afterAll(async () => {
  await llm.stop();
});

function extractor(maxRetries = 2): LlmExtractor {
  const client = new OpenAiChatClient({
    baseUrl: llm.url,
    model: 'scripted-7b',
    maxRetries,
    backoffBaseMs: 1,
    timeoutMs: 2_000,
  });
  return new LlmExtractor({ client });
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => {
      throw new Error('expected extract() to fail');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

describe('LlmExtractor', () => {
  it('is named after the model', () => {
    expect(extractor().name).toBe('llm:scripted-7b');
  });

  it('returns ADD, UPDATE, DELETE and NONE operations parsed from the model output', async () => {
    llm.enqueue({ json: validOutput, usage: { prompt_tokens: 900, completion_tokens: 120 } });

    const result = await extractor().extract(input());

    expect(result).toEqual({
      operations: [
        { kind: 'ADD', text: 'User goes climbing.', topic: 'interests', subTopic: 'hobbies', categories: ['sport'] },
        {
          kind: 'UPDATE',
          memoryId: 'mem-city',
          text: 'User lives in Berlin.',
          topic: 'basic_info',
          subTopic: 'location',
          categories: [],
        },
        { kind: 'DELETE', memoryId: 'mem-chess', reason: 'user asked to forget it' },
        { kind: 'NONE', memoryId: 'mem-name', text: 'User is called Ann.' },
      ],
      summary: 'User moved to Berlin and took up climbing.',
      tags: ['relocation', 'climbing'],
      usage: { promptTokens: 900, completionTokens: 120, calls: 1 },
    });
    expect(llm.requests).toHaveLength(1);
  });

  it('sends the profile slots, the existing memories with their ids, the date and the conversation', async () => {
    llm.enqueue((request) => {
      const [system, user] = request.body?.messages ?? [];
      expect(system?.role).toBe('system');
      expect(system?.content).toContain('- topic "basic_info": Who the user is');
      expect(system?.content).toContain('  - subTopic "location" (single value): Where the user lives');
      expect(system?.content).toContain('  - subTopic "hobbies": Hobbies and pastimes');
      expect(system?.content).toContain('Prefer these slots');
      expect(system?.content).toContain('"operations"');
      expect(user?.role).toBe('user');
      expect(user?.content).toContain("Today's date: 2025-03-04 (Tuesday)");
      for (const memory of existing) expect(user?.content).toContain(`"id":"${memory.id}"`);
      expect(user?.content).toContain(
        '{"id":"mem-city","topic":"basic_info","subTopic":"location","text":"User lives in Paris."}',
      );
      expect(user?.content).toContain(
        '[1] user (2025-03-03 09:30 UTC): "I moved to Berlin last month and I started climbing."',
      );
      expect(user?.content).toContain('[2] assistant: "Nice! How do you like Berlin?"');
      expect(request.body?.response_format).toEqual({ type: 'json_object' });
      return { json: { operations: [], summary: 'nothing new', tags: [] } };
    });

    const result = await extractor().extract(input());

    expect(result.operations).toEqual([]);
    expect(result.summary).toBe('nothing new');
  });

  it('says "(none)" without existing memories and restricts slots in strict mode', async () => {
    llm.enqueue({ json: { operations: [], summary: '', tags: [] } });

    await extractor().extract(input({ existing: [], profile: { ...profile, strict: true } }));

    const prompt = llm.requests[0]?.promptText ?? '';
    expect(prompt).toContain('# Existing memories\n(none)');
    expect(prompt).toContain('Use only these slots; drop any fact that fits none of them.');
    expect(prompt).not.toContain('Prefer these slots');
  });

  it('retries malformed JSON, shows the model its mistake, and sums usage over both calls', async () => {
    llm.enqueue(
      {
        raw: '{"operations": [{"kind": "ADD", "text": "User goes climbing."',
        usage: { prompt_tokens: 800, completion_tokens: 20 },
      },
      { json: validOutput, usage: { prompt_tokens: 850, completion_tokens: 100 } },
    );

    const result = await extractor().extract(input());

    expect(result.operations).toHaveLength(4);
    expect(result.usage).toEqual({ promptTokens: 1650, completionTokens: 120, calls: 2 });
    const retry = llm.requests[1]?.body?.messages ?? [];
    expect(retry.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(retry[2]?.content).toContain('"kind": "ADD"');
    expect(retry[3]?.content).toMatch(/Your previous answer was invalid:\n- not valid JSON/);
  });

  it('retries a truncated answer (finish_reason "length")', async () => {
    llm.enqueue({ raw: '{"operations": [', finishReason: 'length' }, { json: validOutput });

    const result = await extractor().extract(input());

    expect(result.usage?.calls).toBe(2);
    const retry = llm.requests[1]?.body?.messages ?? [];
    expect(retry.at(-1)?.content).toContain('cut off');
  });

  it('throws with the validation problem visible when the output is always malformed', async () => {
    llm.enqueue({ raw: 'Sure! Here are the facts.' }, { raw: 'not json' }, { json: { operations: 'none' } });

    const error = await rejection(extractor().extract(input()));

    expect(error).toBeInstanceOf(LlmOutputError);
    expect(error.message).toMatch(
      /^LLM output invalid: operations: .+ \(model scripted-7b at http:\/\/127\.0\.0\.1:\d+\/v1\/chat\/completions, 3 attempts\)$/,
    );
    expect((error as LlmOutputError).usage.calls).toBe(3);
    expect(error).toMatchObject({ kind: 'invalid_output', attempts: 3, retryable: true });
    expect(llm.requests).toHaveLength(3);
  });

  it('treats an unknown memoryId as invalid output', async () => {
    const bad = {
      ...validOutput,
      operations: [
        validOutput.operations[0],
        {
          kind: 'UPDATE',
          memoryId: 'x',
          text: 'User lives in Rome.',
          topic: 'basic_info',
          subTopic: 'location',
          categories: [],
        },
      ],
    };
    llm.enqueue({ json: bad }, { json: bad });

    const error = await rejection(extractor(1).extract(input()));

    expect(error.message).toContain('LLM output invalid: operations[1].memoryId: unknown memory "x"');
    expect(llm.requests[1]?.promptText).toContain('- operations[1].memoryId: unknown memory "x"');
  });

  it('rejects two changes to the same memory', async () => {
    const bad = {
      operations: [
        {
          kind: 'UPDATE',
          memoryId: 'mem-city',
          text: 'User lives in Berlin.',
          topic: 'basic_info',
          subTopic: 'location',
        },
        { kind: 'DELETE', memoryId: 'mem-city', reason: 'moved' },
      ],
    };
    llm.enqueue({ json: bad });

    const error = await rejection(extractor(0).extract(input()));

    expect(error.message).toContain('operations[1].memoryId: memory "mem-city" is already changed by operations[0]');
  });

  it('rejects an out-of-config slot in strict mode, and accepts it otherwise', async () => {
    const output = {
      operations: [{ kind: 'ADD', text: 'User has a cat.', topic: 'pets', subTopic: 'cats', categories: [] }],
      summary: '',
      tags: [],
    };
    llm.enqueue({ json: output });
    const error = await rejection(extractor(0).extract(input({ profile: { ...profile, strict: true } })));
    expect(error.message).toContain(
      'LLM output invalid: operations[0]: topic/subTopic "pets"/"cats" is not a configured slot (strict profile)',
    );
    expect(error.message).toContain('1 attempt)');

    llm.enqueue({ json: output });
    const result = await extractor(0).extract(input());
    expect(result.operations).toEqual(output.operations);
  });

  it('matches configured slots case-insensitively and returns their canonical names', async () => {
    llm.enqueue({
      json: {
        operations: [{ kind: 'add', text: 'User hikes.', topic: 'Interests', subTopic: 'HOBBIES' }],
        summary: 's',
        tags: [],
      },
    });

    const result = await extractor().extract(input({ profile: { ...profile, strict: true } }));

    expect(result.operations).toEqual([
      { kind: 'ADD', text: 'User hikes.', topic: 'interests', subTopic: 'hobbies', categories: [] },
    ]);
  });

  it('strips ```json fences, <think> blocks and prose around the object', async () => {
    llm.enqueue(
      { raw: `\`\`\`json\n${JSON.stringify(validOutput, null, 2)}\n\`\`\`` },
      { raw: `<think>The user moved.</think>\nHere you go:\n${JSON.stringify(validOutput)}\nHope that helps!` },
    );

    const fenced = await extractor().extract(input());
    const prose = await extractor().extract(input());

    expect(fenced.operations).toHaveLength(4);
    expect(prose.operations).toHaveLength(4);
    expect(fenced.usage?.calls).toBe(1);
  });

  it('reports field-level shape problems with their path', async () => {
    llm.enqueue({
      json: {
        operations: [
          { kind: 'ADD', text: '', topic: 'interests', subTopic: 'hobbies' },
          { kind: 'MERGE', memoryId: 'mem-city' },
          { kind: 'DELETE', reason: 'x' },
        ],
      },
    });

    const error = (await rejection(extractor(0).extract(input()))) as LlmOutputError;

    expect(error.problems).toEqual([
      'operations[0].text: must not be empty',
      'operations[1].kind: kind must be one of ADD, UPDATE, DELETE, NONE',
      expect.stringMatching(/^operations\[2\]\.memoryId: /),
    ]);
  });

  it('fills NONE text from the memory it points at', async () => {
    llm.enqueue({ json: { operations: [{ kind: 'NONE', memoryId: 'mem-name' }], summary: '', tags: [] } });
    const result = await extractor().extract(input());
    expect(result.operations).toEqual([{ kind: 'NONE', memoryId: 'mem-name', text: 'User is called Ann.' }]);
  });

  it('shares one attempt budget between transport retries and invalid answers', async () => {
    llm.enqueue({ status: 500 }, { raw: 'oops' }, { json: validOutput });

    const result = await extractor(2).extract(input());

    expect(result.operations).toHaveLength(4);
    expect(result.usage?.calls).toBe(2);
    expect(llm.requests).toHaveLength(3);

    llm.enqueue({ status: 500 }, { status: 500 }, { raw: 'oops' });
    const error = await rejection(extractor(2).extract(input()));
    expect(error).toBeInstanceOf(LlmOutputError);
    expect(error.message).toContain('3 attempts');
  });

  it('passes transport failures through as HttpRequestError', async () => {
    llm.enqueue({ status: 401, errorMessage: 'invalid api key' });
    const error = await rejection(extractor().extract(input()));
    expect(error).toBeInstanceOf(HttpRequestError);
    expect(error).not.toBeInstanceOf(LlmOutputError);
    expect(error.message).toContain('HTTP 401: invalid api key');
  });

  it('does not call the model for an empty batch', async () => {
    const result = await extractor().extract(input({ messages: [] }));
    expect(result).toEqual({
      operations: [],
      summary: '',
      tags: [],
      usage: { promptTokens: 0, completionTokens: 0, calls: 0 },
    });
    expect(llm.requests).toHaveLength(0);
  });
});
