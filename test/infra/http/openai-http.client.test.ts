// The shared OpenAI-compatible client against a scripted server on loopback:
// the real fetch, sockets, timeouts and retries run; only the answers are scripted.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  HttpAbortedError,
  HttpInvalidResponseError,
  HttpRequestError,
  HttpStatusError,
  HttpTimeoutError,
  HttpTransportError,
} from '../../../src/infra/http/http.errors.js';
import {
  type HttpLogger,
  OpenAiHttpClient,
  type OpenAiHttpClientOptions,
  parseRetryAfter,
  retryDelay,
} from '../../../src/infra/http/openai-http.client.js';
import { startScriptedLlmServer, type ScriptedLlmServer } from '../../fakes/scripted-llm-server.js';

const KEY = 'sk-shared-client-secret-987654';
/** The scripted server answers chat completions; the client does not care what the path means. */
const PATH = 'chat/completions';
const body = { model: 'm-1', messages: [{ role: 'user', content: 'hi' }] };
const completion = z.object({ choices: z.array(z.object({ message: z.object({ content: z.string() }) })).min(1) });

let llm: ScriptedLlmServer;

beforeAll(async () => {
  llm = await startScriptedLlmServer();
});
afterEach(() => {
  const pending = llm.pending();
  llm.reset();
  expect(pending, 'every scripted step is used').toBe(0);
});
afterAll(async () => {
  await llm.stop();
});

interface Logged {
  obj: Record<string, unknown>;
  msg: string;
}

function client(overrides: Partial<OpenAiHttpClientOptions> = {}): { http: OpenAiHttpClient; logged: Logged[] } {
  const logged: Logged[] = [];
  const logger: HttpLogger = { warn: (obj, msg) => logged.push({ obj, msg }) };
  const http = new OpenAiHttpClient({
    baseUrl: llm.url,
    apiKey: KEY,
    label: 'Test',
    timeoutMs: 2_000,
    maxRetries: 2,
    backoffBaseMs: 1,
    maxRetryDelayMs: 5_000,
    logger,
    ...overrides,
  });
  return { http, logged };
}

async function rejection(promise: Promise<unknown>): Promise<HttpRequestError> {
  const error = await promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HttpRequestError);
  return error as HttpRequestError;
}

describe('OpenAiHttpClient: requests', () => {
  it('posts JSON to {baseUrl}/{path} with the bearer key and extra headers, and returns the parsed body', async () => {
    llm.enqueue({ raw: 'hello' });
    const { http } = client({ baseUrl: `${llm.url}/?ignored=1#frag`, headers: { 'openai-organization': 'org-1' } });

    const response = await http.post(`/${PATH}`, body, completion);

    expect(response).toEqual({ data: { choices: [{ message: { content: 'hello' } }] }, status: 200, attempts: 1 });
    const [request] = llm.requests;
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe('/v1/chat/completions');
    expect(request?.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers['openai-organization']).toBe('org-1');
    expect(request?.body).toMatchObject(body);
    expect(http.url('embeddings')).toBe(`${llm.url}/embeddings`);
  });

  it('sends no authorization header without a key (or with an empty one)', async () => {
    llm.enqueue({ raw: 'a' }, { raw: 'b' });
    await client({ apiKey: undefined }).http.post(PATH, body, completion);
    await client({ apiKey: '' }).http.post(PATH, body, completion);
    expect(llm.requests.map((request) => request.headers.authorization)).toEqual([undefined, undefined]);
  });

  it('rejects a bad configuration with a message saying what to fix', () => {
    expect(() => client({ baseUrl: 'not a url' })).toThrow('Test client: baseUrl "not a url" is not a valid URL');
    expect(() => client({ baseUrl: 'ftp://host/v1' })).toThrow(/must be http\(s\), got "ftp:"/);
    expect(() => client({ baseUrl: 'https://user:pw@host/v1' })).toThrow(/must not contain credentials/);
    expect(() => client({ maxRetries: 1.5 })).toThrow('Test client: maxRetries must be an integer >= 0, got 1.5');
    expect(() => client({ timeoutMs: 0 })).toThrow('Test client: timeoutMs must be a number > 0, got 0');
    expect(() => client({ backoffBaseMs: -1 })).toThrow(/backoffBaseMs/);
    expect(() => client({ maxRetryDelayMs: Number.NaN })).toThrow(/maxRetryDelayMs/);
  });

  it('uses the documented defaults: 3 retries (4 attempts)', async () => {
    const http = new OpenAiHttpClient({ baseUrl: llm.url, backoffBaseMs: 1 });
    expect(http.maxAttempts).toBe(4);
    expect(http.label).toBe('OpenAI-compatible');
    llm.enqueue({ status: 500 }, { status: 500 }, { status: 500 }, { status: 500 });
    const error = await rejection(http.post(PATH, body, completion));
    expect(error.message).toMatch(/^OpenAI-compatible request to .* \(model m-1\) failed after 4 attempts: HTTP 500/);
  });
});

describe('OpenAiHttpClient: retries', () => {
  it('retries 408, 409, 429 and 5xx, logging each retry, then succeeds', async () => {
    llm.enqueue({ status: 408 }, { status: 409 }, { status: 429 }, { status: 502 }, { raw: 'ok' });
    const { http, logged } = client({ maxRetries: 4 });

    const response = await http.post(PATH, body, completion);

    expect(response.attempts).toBe(5);
    expect(llm.requests).toHaveLength(5);
    expect(logged.map(({ obj }) => [obj.status, obj.attempt, obj.kind])).toEqual([
      [408, 1, 'http'],
      [409, 2, 'http'],
      [429, 3, 'http'],
      [502, 4, 'http'],
    ]);
    expect(logged[0]?.obj).toMatchObject({ endpoint: `${llm.url}/${PATH}`, model: 'm-1', maxAttempts: 5 });
    expect(logged[0]?.msg).toMatch(/^Test request failed \(HTTP 408: scripted error 408\); retrying in \d+ ms$/);
  });

  it('never retries other 4xx', async () => {
    for (const status of [400, 401, 403, 404, 422]) {
      llm.enqueue({ status, errorMessage: `no (${status})` });
      const error = await rejection(client().http.post(PATH, body, completion));
      expect(error).toBeInstanceOf(HttpStatusError);
      expect(error).toMatchObject({ kind: 'http', status, attempts: 1, retryable: false });
      expect(error.message).toContain(`failed after 1 attempt: HTTP ${status}: no (${status})`);
    }
    expect(llm.requests).toHaveLength(5);
  });

  it('stops after 1 + maxRetries attempts, or the per-call budget', async () => {
    llm.enqueue({ status: 503 }, { status: 503 }, { status: 503 });
    const error = await rejection(client({ maxRetries: 2 }).http.post(PATH, body, completion));
    expect(error).toMatchObject({ kind: 'http', status: 503, attempts: 3, retryable: true });
    expect(llm.requests).toHaveLength(3);

    llm.reset();
    llm.enqueue({ status: 503 });
    const single = await rejection(client({ maxRetries: 0 }).http.post(PATH, body, completion));
    expect(single.attempts).toBe(1);

    llm.reset();
    llm.enqueue({ status: 503 }, { status: 503 });
    const budget = await rejection(client({ maxRetries: 5 }).http.post(PATH, body, completion, { maxAttempts: 2 }));
    expect(budget.attempts).toBe(2);
    expect(llm.requests).toHaveLength(2);
  });

  it('retries a dropped connection as a transport error and names the socket error', async () => {
    llm.enqueue({ dropConnection: true }, { dropConnection: true });
    const error = await rejection(client({ maxRetries: 1 }).http.post(PATH, body, completion));
    expect(error).toBeInstanceOf(HttpTransportError);
    expect(error).toMatchObject({ kind: 'network', status: null, attempts: 2, retryable: true });
    expect(error.message).toMatch(/failed after 2 attempts: network error \(\S+\)/);
  });

  it('reports ECONNREFUSED when nothing listens', async () => {
    const dead = await startScriptedLlmServer();
    await dead.stop();
    const error = await rejection(client({ baseUrl: dead.url, maxRetries: 1 }).http.post(PATH, body, completion));
    expect(error).toBeInstanceOf(HttpTransportError);
    expect(error.message).toBe(
      `Test request to ${dead.url}/${PATH} (model m-1) failed after 2 attempts: network error (ECONNREFUSED)`,
    );
  });
});

describe('OpenAiHttpClient: Retry-After', () => {
  /** The delay the client logged before its one retry. */
  async function delayAfter(
    reply: Parameters<ScriptedLlmServer['enqueue']>[0],
    options: Partial<OpenAiHttpClientOptions> = {},
  ) {
    llm.enqueue(reply, { raw: 'ok' });
    const { http, logged } = client(options);
    await http.post(PATH, body, completion);
    expect(logged).toHaveLength(1);
    return logged[0]!.obj.delayMs as number;
  }

  it('waits the seconds a 429 or 503 asks for', async () => {
    expect(await delayAfter({ status: 429, retryAfter: '0.2' })).toBe(200);
    expect(await delayAfter({ status: 503, retryAfter: 0 })).toBe(0);
  });

  it('reads an HTTP date', async () => {
    const inTwoSeconds = new Date(Date.now() + 2_500).toUTCString();
    const delay = await delayAfter({ status: 429, retryAfter: inTwoSeconds }, { maxRetryDelayMs: 300 });
    expect(delay).toBe(300);
    const past = new Date(Date.now() - 60_000).toUTCString();
    expect(await delayAfter({ status: 429, retryAfter: past })).toBe(0);
  });

  it('prefers retry-after-ms', async () => {
    expect(await delayAfter({ status: 429, retryAfter: 9, headers: { 'retry-after-ms': '40' } })).toBe(40);
  });

  it('caps a long Retry-After at maxRetryDelayMs', async () => {
    expect(await delayAfter({ status: 429, retryAfter: 3600 }, { maxRetryDelayMs: 25 })).toBe(25);
  });

  it('ignores a blank, negative or unreadable Retry-After and backs off instead', async () => {
    // Backoff before retry 1 with base 80 ms: a random wait in [40, 80] ms. A blank
    // header read as "0 seconds" would give 0.
    for (const retryAfter of ['', '   ', '-5', 'soon']) {
      const delay = await delayAfter({ status: 429, retryAfter }, { backoffBaseMs: 80 });
      expect(delay, `Retry-After "${retryAfter}"`).toBeGreaterThanOrEqual(40);
      expect(delay, `Retry-After "${retryAfter}"`).toBeLessThanOrEqual(80);
    }
  });

  it('parses the header forms', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter(new Headers({ 'retry-after': '2' }))).toBe(2_000);
    expect(parseRetryAfter(new Headers({ 'retry-after': '0.5' }))).toBe(500);
    expect(parseRetryAfter(new Headers({ 'retry-after-ms': '150', 'retry-after': '9' }))).toBe(150);
    expect(parseRetryAfter(new Headers({ 'retry-after-ms': '', 'retry-after': '1' }))).toBe(1_000);
    expect(parseRetryAfter(new Headers({ 'retry-after': 'Wed, 01 Jan 2025 00:00:03 GMT' }), now)).toBe(3_000);
    expect(parseRetryAfter(new Headers({ 'retry-after': 'Tue, 31 Dec 2024 23:00:00 GMT' }), now)).toBe(0);
    expect(parseRetryAfter(new Headers({ 'retry-after': '' }))).toBeNull();
    expect(parseRetryAfter(new Headers({ 'retry-after': '-1' }))).toBeNull();
    expect(parseRetryAfter(new Headers({ 'retry-after': 'soon' }))).toBeNull();
    expect(parseRetryAfter(new Headers())).toBeNull();
  });

  it('backs off exponentially with jitter, capped', () => {
    for (let i = 0; i < 50; i++) {
      const third = retryDelay(3, null, 100, 10_000);
      expect(third).toBeGreaterThanOrEqual(200);
      expect(third).toBeLessThanOrEqual(400);
      expect(retryDelay(20, null, 100, 1_000)).toBeLessThanOrEqual(1_000);
    }
    expect(retryDelay(1, 70_000, 100, 1_000)).toBe(1_000);
  });
});

describe('OpenAiHttpClient: timeouts and cancellation', () => {
  it('times out a slow answer, retries it, and reports the timeout', async () => {
    llm.enqueue({ delayMs: 1_500 }, { delayMs: 1_500 });
    const error = await rejection(client({ timeoutMs: 100, maxRetries: 1 }).http.post(PATH, body, completion));
    expect(error).toBeInstanceOf(HttpTimeoutError);
    expect(error).toMatchObject({ kind: 'timeout', status: null, attempts: 2, retryable: true });
    expect(error.message).toContain('failed after 2 attempts: timed out after 100 ms');
  });

  it('succeeds when the answer after a timeout is in time', async () => {
    llm.enqueue({ delayMs: 1_500 }, { raw: 'fast' });
    const { http, logged } = client({ timeoutMs: 100 });
    const response = await http.post(PATH, body, completion);
    expect(response.attempts).toBe(2);
    expect(logged[0]?.obj).toMatchObject({ kind: 'timeout', status: null });
  });

  it('stops at once when the caller aborts during a request, without retrying', async () => {
    llm.enqueue({ delayMs: 1_500 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const error = await rejection(client().http.post(PATH, body, completion, { signal: controller.signal }));
    expect(error).toBeInstanceOf(HttpAbortedError);
    expect(error).toMatchObject({ kind: 'aborted', retryable: false, attempts: 1 });
    expect(llm.requests).toHaveLength(1);
  });

  it('stops during a backoff wait, and sends nothing for an already aborted signal', async () => {
    llm.enqueue({ status: 429, retryAfter: 30 });
    const controller = new AbortController();
    const call = client({ maxRetryDelayMs: 60_000 }).http.post(PATH, body, completion, { signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    const error = await rejection(call);
    expect(error).toMatchObject({ kind: 'aborted', attempts: 1 });
    expect(llm.requests).toHaveLength(1);

    const early = await rejection(client().http.post(PATH, body, completion, { signal: AbortSignal.abort() }));
    expect(early).toMatchObject({ kind: 'aborted', attempts: 0 });
    expect(llm.requests).toHaveLength(1);
  });
});

describe('OpenAiHttpClient: invalid responses', () => {
  it('reports a 2xx that is not JSON, without retrying by default', async () => {
    llm.enqueue({ httpBody: '<html>502 bad gateway</html>' });
    const error = await rejection(client().http.post(PATH, body, completion));
    expect(error).toBeInstanceOf(HttpInvalidResponseError);
    expect(error).toMatchObject({ kind: 'bad_response', status: 200, attempts: 1, retryable: false });
    expect(error.message).toContain('unexpected response: body is not JSON: <html>502 bad gateway</html>');
  });

  it('names the first schema problem and shows a bounded snippet of the body', async () => {
    const long = `{"choices":[],"padding":"${'x'.repeat(1_000)}"}`;
    llm.enqueue({ httpBody: long });
    const error = await rejection(client().http.post(PATH, body, completion));
    expect(error.message).toContain('unexpected response: choices: Too small');
    expect(error.message).toContain('(body: {"choices":[],"padding":"xxx');
    expect(error.message.length).toBeLessThan(800);
  });

  it('retries an invalid answer when the call asks for it', async () => {
    llm.enqueue({ httpBody: '{}' }, { httpBody: 'not json' }, { raw: 'finally' });
    const { http, logged } = client();
    const response = await http.post(PATH, body, completion, { retryInvalidResponse: true });
    expect(response.data.choices[0]?.message.content).toBe('finally');
    expect(response.attempts).toBe(3);
    expect(logged.map(({ obj }) => obj.kind)).toEqual(['bad_response', 'bad_response']);

    llm.reset();
    llm.enqueue({ httpBody: '{}' }, { httpBody: '{}' }, { httpBody: '{}' });
    const error = await rejection(client().http.post(PATH, body, completion, { retryInvalidResponse: true }));
    expect(error).toMatchObject({ kind: 'bad_response', attempts: 3, retryable: true });
  });

  it('returns what the schema makes of the body (transforms apply)', async () => {
    llm.enqueue({ raw: 'shout' });
    const upper = completion.transform((value) => value.choices[0]!.message.content.toUpperCase());
    const { data } = await client().http.post(PATH, body, upper);
    expect(data).toBe('SHOUT');
  });
});

describe('OpenAiHttpClient: the key never leaks', () => {
  it('redacts the key from status errors, invalid-response errors, logs and stacks', async () => {
    llm.enqueue(
      { status: 500, errorMessage: `upstream said: bad key ${KEY}` },
      { status: 401, errorMessage: `Incorrect API key provided: ${KEY}` },
    );
    const { http, logged } = client();
    const error = await rejection(http.post(PATH, body, completion));
    expect(error.message).toContain('HTTP 401: Incorrect API key provided: [redacted]');
    expect(logged[0]?.msg).toContain('upstream said: bad key [redacted]');

    llm.enqueue({ httpBody: `<html>proxy echoed Authorization: Bearer ${KEY}</html>` });
    const invalid = await rejection(http.post(PATH, body, completion));
    expect(invalid.message).toContain('Bearer [redacted]');

    const everything = JSON.stringify({ logged, errors: [error, invalid].map((e) => [e.message, e.stack, e]) });
    expect(everything).not.toContain(KEY);
    expect(everything).toContain('[redacted]');
  });
});
