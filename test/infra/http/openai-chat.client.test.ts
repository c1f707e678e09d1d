import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HttpRequestError } from '../../../src/infra/http/http.errors.js';
import {
  OpenAiChatClient,
  type LlmLogger,
  type OpenAiChatClientOptions,
} from '../../../src/infra/http/openai-chat.client.js';
import { startScriptedLlmServer, type ScriptedLlmServer } from '../../fakes/scripted-llm-server.js';

const API_KEY = 'sk-test-secret-123456';
const messages = [
  { role: 'system' as const, content: 'Answer in JSON.' },
  { role: 'user' as const, content: 'Hello' },
];

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

function client(overrides: Partial<OpenAiChatClientOptions> = {}): OpenAiChatClient {
  return new OpenAiChatClient({
    baseUrl: llm.url,
    apiKey: API_KEY,
    model: 'test-model',
    timeoutMs: 2_000,
    maxRetries: 2,
    backoffBaseMs: 1,
    ...overrides,
  });
}

async function failure(promise: Promise<unknown>): Promise<HttpRequestError> {
  const error = await promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HttpRequestError);
  return error as HttpRequestError;
}

describe('OpenAiChatClient', () => {
  it('sends the model, messages, temperature 0, JSON mode and the bearer token', async () => {
    llm.enqueue({ json: { ok: true }, usage: { prompt_tokens: 12, completion_tokens: 3 } });

    const result = await client().complete(messages);

    expect(result).toEqual({
      content: '{"ok":true}',
      finishReason: 'stop',
      usage: { promptTokens: 12, completionTokens: 3 },
      attempts: 1,
    });
    const [request] = llm.requests;
    expect(request?.path).toBe('/v1/chat/completions');
    expect(request?.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.body).toMatchObject({
      model: 'test-model',
      messages,
      temperature: 0,
      response_format: { type: 'json_object' },
    });
    expect(request?.body).not.toHaveProperty('max_tokens');
  });

  it('omits the auth header without a key, and response_format when JSON mode is off', async () => {
    llm.enqueue({ raw: 'hi' });

    await client({ apiKey: undefined, jsonMode: false, maxTokens: 256 }).complete(messages);

    const [request] = llm.requests;
    expect(request?.headers.authorization).toBeUndefined();
    expect(request?.body).not.toHaveProperty('response_format');
    expect(request?.body?.max_tokens).toBe(256);
  });

  it('accepts a base URL with a trailing slash', async () => {
    llm.enqueue({ raw: 'x' });
    const c = client({ baseUrl: `${llm.url}/` });
    expect(c.endpoint).toBe(`${llm.url}/chat/completions`);
    await c.complete(messages);
    expect(llm.requests[0]?.path).toBe('/v1/chat/completions');
  });

  it('retries on 429 and 500, then succeeds, warning once per retry', async () => {
    llm.enqueue({ status: 429 }, { status: 500 }, { json: { ok: 1 } });
    const warnings: { obj: Record<string, unknown>; msg: string }[] = [];
    const logger: LlmLogger = { warn: (obj, msg) => warnings.push({ obj, msg }) };

    const result = await client({ logger }).complete(messages);

    expect(result.content).toBe('{"ok":1}');
    expect(result.attempts).toBe(3);
    expect(llm.requests).toHaveLength(3);
    expect(warnings.map((w) => w.obj.status)).toEqual([429, 500]);
    expect(warnings[0]?.msg).toContain('HTTP 429');
    expect(JSON.stringify(warnings)).not.toContain(API_KEY);
  });

  it('retries a dropped connection', async () => {
    llm.enqueue({ dropConnection: true }, { json: { ok: 2 } });
    const result = await client().complete(messages);
    expect(result.attempts).toBe(2);
  });

  it('honours Retry-After, capped by maxRetryDelayMs', async () => {
    llm.enqueue({ status: 429, retryAfter: 1 }, { json: {} });
    let started = Date.now();
    await client().complete(messages);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);

    llm.enqueue({ status: 429, retryAfter: 3600 }, { json: {} });
    started = Date.now();
    await client({ maxRetryDelayMs: 50 }).complete(messages);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('gives up after the retry budget with a clear error that never contains the key', async () => {
    llm.enqueue(
      { status: 503, errorMessage: `overloaded (key ${API_KEY})` },
      { status: 503, errorMessage: `overloaded (key ${API_KEY})` },
      { status: 503, errorMessage: `overloaded (key ${API_KEY})` },
    );

    const error = await failure(client().complete(messages));

    expect(error.message).toBe(
      `LLM request to ${llm.url}/chat/completions (model test-model) failed after 3 attempts: HTTP 503: overloaded (key [redacted])`,
    );
    expect(error).toMatchObject({
      kind: 'http',
      status: 503,
      attempts: 3,
      retryable: true,
      endpoint: `${llm.url}/chat/completions`,
    });
    expect(llm.requests).toHaveLength(3);
  });

  it('does not retry other 4xx', async () => {
    llm.enqueue({ status: 400, errorMessage: "Invalid parameter: 'response_format'" });

    const error = await failure(client().complete(messages));

    expect(error.message).toContain('failed after 1 attempt: HTTP 400: Invalid parameter');
    expect(error).toMatchObject({ kind: 'http', status: 400, attempts: 1, retryable: false });
    expect(llm.requests).toHaveLength(1);
  });

  it('does not retry 401 and does not echo the key', async () => {
    llm.enqueue({ status: 401, errorMessage: `Incorrect API key provided: ${API_KEY}` });
    const error = await failure(client().complete(messages));
    expect(error.status).toBe(401);
    expect(error.message).not.toContain(API_KEY);
    expect(String(error.stack)).not.toContain(API_KEY);
  });

  it('times out a slow answer, retries, and reports the timeout', async () => {
    llm.enqueue({ delayMs: 2_000 }, { delayMs: 2_000 });

    const started = Date.now();
    const error = await failure(client({ timeoutMs: 100, maxRetries: 1 }).complete(messages));

    expect(Date.now() - started).toBeLessThan(1_500);
    expect(error).toMatchObject({ kind: 'timeout', status: null, attempts: 2, retryable: true });
    expect(error.message).toContain('timed out after 100 ms');
    expect(error.message).toContain('after 2 attempts');
  });

  it('succeeds after a timeout when the next answer is fast', async () => {
    llm.enqueue({ delayMs: 1_000 }, { json: { fast: true } });
    const result = await client({ timeoutMs: 100 }).complete(messages);
    expect(result).toMatchObject({ content: '{"fast":true}', attempts: 2 });
  });

  it('reports a network error (nothing listening) after its retries', async () => {
    const dead = await startScriptedLlmServer();
    const url = dead.url;
    await dead.stop();

    const error = await failure(client({ baseUrl: url }).complete(messages));

    expect(error).toMatchObject({ kind: 'network', attempts: 3, retryable: true });
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('treats a 2xx that is not a chat completion as a retryable bad response', async () => {
    llm.enqueue({ httpBody: '<html>502 bad gateway</html>' }, { httpBody: '{"choices":[]}' }, { httpBody: '{}' });

    const error = await failure(client().complete(messages));

    expect(error).toMatchObject({ kind: 'bad_response', status: 200, attempts: 3, retryable: true });
    expect(error.message).toContain('unexpected response: choices: ');
  });

  it('accepts a completion with null content and no usage', async () => {
    llm.enqueue({ httpBody: '{"choices":[{"message":{"role":"assistant","content":null},"finish_reason":"stop"}]}' });
    const result = await client().complete(messages);
    expect(result).toEqual({ content: '', finishReason: 'stop', usage: null, attempts: 1 });
  });

  it('stops when the caller aborts, without further attempts', async () => {
    llm.enqueue({ delayMs: 2_000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);

    const error = await failure(client().complete(messages, { signal: controller.signal }));

    expect(error).toMatchObject({ kind: 'aborted', retryable: false });
    expect(llm.requests).toHaveLength(1);
  });

  it('fails loudly on a bad configuration', () => {
    expect(() => client({ baseUrl: 'not a url' })).toThrow(/baseUrl "not a url" is not a valid URL/);
    expect(() => client({ baseUrl: 'ftp://x/v1' })).toThrow(/http\(s\)/);
    expect(() => client({ baseUrl: 'https://user:pw@x/v1' })).toThrow(/must not contain credentials/);
    expect(() => client({ maxRetries: -1 })).toThrow(/maxRetries/);
    expect(() => client({ timeoutMs: 0 })).toThrow(/timeoutMs/);
  });
});
