// Prometheus metrics: scraped over HTTP like Prometheus does (the admin key on
// the API port, no key on MEMQL_METRICS_PORT) and read back with a real
// exposition-format parser. Operations by name and outcome with latencies,
// inserted blobs, outbox, buffers, extraction, LLM calls and tokens (through
// the scripted OpenAI-compatible server), subscriptions, event loop lag and
// dependency health.

import parsePrometheusTextFormat, { type PrometheusFamily } from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateUserDocument, InsertChatDocument, MemoryEventsDocument } from '../generated/graphql.js';
import { startScriptedLlmServer, type ScriptedLlmServer } from '../fakes/scripted-llm-server.js';
import { subscribe } from '../helpers/subscriptions.js';
import { createProjectClient, startTestApp, type TestApp } from '../helpers/test-app.js';

interface Scrape {
  status: number;
  text: string;
  families: PrometheusFamily[];
}

async function scrape(url: string, key: string | null): Promise<Scrape> {
  const response = await fetch(url, { headers: key ? { authorization: `Bearer ${key}` } : {} });
  const text = await response.text();
  if (response.status !== 200) return { status: response.status, text, families: [] };
  expect(response.headers.get('content-type')).toContain('text/plain; version=0.0.4');
  return { status: 200, text, families: parsePrometheusTextFormat(text) };
}

/**
 * A labelled histogram's series (`<name>_count`, `_sum`, `_bucket`) as
 * untyped families. parse-prometheus-text-format folds every series of a
 * histogram into one (it reads histograms without labels only), so the
 * histogram's TYPE line is left out and its lines parse as plain samples.
 */
function histogramSeries(text: string, name: string): PrometheusFamily[] {
  const untyped = text
    .split('\n')
    .filter((line) => !line.startsWith(`# TYPE ${name} `) && !line.startsWith(`# HELP ${name} `))
    .join('\n');
  return parsePrometheusTextFormat(untyped);
}

function family(families: PrometheusFamily[], name: string): PrometheusFamily {
  const found = families.find((f) => f.name === name);
  if (!found) throw new Error(`metric ${name} missing; have ${families.map((f) => f.name).join(', ')}`);
  return found;
}

/** The value of the sample whose labels include `labels` (0 when there is none). */
function value(families: PrometheusFamily[], name: string, labels: Record<string, string> = {}): number {
  family(families, name);
  // A family may come in several pieces (untyped series): look through all of them.
  const sample = families
    .filter((f) => f.name === name)
    .flatMap((f) => f.metrics)
    .find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  return sample?.value === undefined ? 0 : Number(sample.value);
}

async function until<T>(probe: () => Promise<T>, ok: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const current = await probe();
    if (ok(current)) return current;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(current)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('GET /metrics', () => {
  let t: TestApp;
  let llm: ScriptedLlmServer;
  let metricsUrl: string;

  beforeAll(async () => {
    llm = await startScriptedLlmServer();
    t = await startTestApp({
      env: {
        MEMQL_EMBEDDINGS_PROVIDER: 'hashing',
        MEMQL_METRICS_PORT: '0',
        MEMQL_LLM_BASE_URL: llm.url,
        MEMQL_LLM_MODEL: 'scripted-model',
        MEMQL_LLM_MAX_RETRIES: '0',
        MEMQL_BUFFER_IDLE_SECONDS: '3600',
      },
    });
    metricsUrl = new URL('/metrics', t.url).toString();
  });
  afterAll(async () => {
    await t?.destroy();
    await llm?.stop();
  });

  it('needs the admin key on the API port: 401 without a key, 403 with a project key', async () => {
    expect((await scrape(metricsUrl, null)).status).toBe(401);
    expect((await scrape(metricsUrl, 'mq_not-a-key')).status).toBe(401);
    const { client } = await createProjectClient(t, 'metrics-project');
    expect((await scrape(metricsUrl, client.apiKey)).status).toBe(403);
    expect((await scrape(metricsUrl, t.adminKey)).status).toBe(200);
  });

  it('serves the same metrics without a key on MEMQL_METRICS_PORT, and nothing else there', async () => {
    expect(t.app.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const { status, families } = await scrape(t.app.metricsUrl!, null);
    expect(status).toBe(200);
    expect(families.map((f) => f.name)).toContain('memql_graphql_operations_total');
    expect((await fetch(new URL('/graphql', t.app.metricsUrl!))).status).toBe(404);
  });

  it('counts operations by name and outcome, with latency histograms', async () => {
    const before = (await scrape(metricsUrl, t.adminKey)).families;
    const okBefore = value(before, 'memql_graphql_operations_total', { operation: 'CreateUser', outcome: 'ok' });
    await t.admin.ok(CreateUserDocument, { input: { id: 'metered' } });
    const duplicate = await t.admin.fails(CreateUserDocument, { input: { id: 'metered' } });
    await t.admin.raw('query { nope }');

    const scraped = await scrape(metricsUrl, t.adminKey);
    const after = scraped.families;
    expect(
      value(after, 'memql_graphql_operations_total', {
        operation: 'CreateUser',
        type: 'mutation',
        outcome: 'ok',
        transport: 'http',
      }),
    ).toBe(okBefore + 1);
    expect(
      value(after, 'memql_graphql_operations_total', { operation: 'CreateUser', outcome: duplicate.extensions!.code! }),
    ).toBe(1);
    expect(
      value(after, 'memql_graphql_operations_total', { operation: 'anonymous', outcome: 'GRAPHQL_VALIDATION_FAILED' }),
    ).toBe(1);
    expect(family(after, 'memql_graphql_operation_duration_seconds').type).toBe('HISTOGRAM');
    const latency = histogramSeries(scraped.text, 'memql_graphql_operation_duration_seconds');
    const created = { operation: 'CreateUser', type: 'mutation', outcome: 'ok' };
    expect(value(latency, 'memql_graphql_operation_duration_seconds_count', created)).toBe(okBefore + 1);
    expect(value(latency, 'memql_graphql_operation_duration_seconds_bucket', { ...created, le: '+Inf' })).toBe(
      okBefore + 1,
    );
    expect(value(latency, 'memql_graphql_operation_duration_seconds_sum', created)).toBeGreaterThan(0);
    expect(value(after, 'memql_http_requests_total', { route: '/graphql', status: '200' })).toBeGreaterThan(0);
    expect(value(after, 'memql_http_requests_total', { route: '/metrics', status: '401' })).toBeGreaterThan(0);
  });

  it('counts hits and misses of the key and user caches on the embedded database (none on a PostgreSQL server)', async () => {
    const { client } = await createProjectClient(t, 'metrics-cache');
    await client.ok(CreateUserDocument, { input: { id: 'cached' } });
    await client.raw('query { user(id: "cached") { id } }'); // the user's first lookup reads the database
    const before = (await scrape(metricsUrl, t.adminKey)).families;
    await client.raw('query { user(id: "cached") { id } }');
    await client.raw('query { user(id: "cached") { id } }');
    const after = (await scrape(metricsUrl, t.adminKey)).families;
    if (process.env.MEMQL_TEST_DATABASE_URL) {
      // Several processes may share a server database: nothing is cached, so nothing is counted.
      expect(after.map((f) => f.name)).toContain('memql_cache_lookups_total');
      expect(value(after, 'memql_cache_entries', { cache: 'user' })).toBe(0);
      expect(value(after, 'memql_cache_lookups_total', { cache: 'user', outcome: 'hit' })).toBe(0);
      return;
    }
    const hits = (families: PrometheusFamily[], cache: string) =>
      value(families, 'memql_cache_lookups_total', { cache, outcome: 'hit' });
    // The key of each request and the user of each read come from memory.
    expect(hits(after, 'api_key') - hits(before, 'api_key')).toBeGreaterThanOrEqual(2);
    expect(hits(after, 'user') - hits(before, 'user')).toBeGreaterThanOrEqual(2);
    expect(value(after, 'memql_cache_lookups_total', { cache: 'user', outcome: 'miss' })).toBeGreaterThan(0);
    expect(value(after, 'memql_cache_entries', { cache: 'user' })).toBeGreaterThan(0);
    expect(value(after, 'memql_cache_max_entries', { cache: 'user' })).toBe(10_000);
  });

  it("reports the embedded database thread's memory (none on a PostgreSQL server)", async () => {
    const families = (await scrape(metricsUrl, t.adminKey)).families;
    const memory = (kind: string) => value(families, 'memql_embedded_database_memory_bytes', { kind });
    if (process.env.MEMQL_TEST_DATABASE_URL) {
      expect(families.find((f) => f.name === 'memql_embedded_database_memory_bytes')?.metrics ?? []).toEqual([]);
      return;
    }
    expect(memory('wasm')).toBeGreaterThanOrEqual(128 * 2 ** 20);
    expect(memory('heap_used')).toBeGreaterThan(0);
    expect(memory('heap_total')).toBeGreaterThanOrEqual(memory('heap_used'));
  });

  it('counts blobs, extraction batches, LLM calls and tokens; reports outbox, buffers and health', async () => {
    await t.admin.ok(CreateUserDocument, { input: { id: 'extracted' } });
    llm.enqueue({
      json: {
        operations: [{ kind: 'ADD', text: 'Lives in Lisbon', topic: 'basic_info', subTopic: 'location' }],
        summary: 'Lives in Lisbon.',
        tags: [],
      },
      usage: { prompt_tokens: 120, completion_tokens: 30 },
    });
    llm.enqueue({ status: 400, errorMessage: 'bad request' });
    await t.admin.ok(InsertChatDocument, {
      userId: 'extracted',
      messages: [{ role: 'user', content: 'I live in Lisbon.' }],
      waitProcess: true,
    });
    // The second batch fails (HTTP 400 is not retried): one failed call, a failed batch, a FAILED buffer.
    const second = await t.admin.raw(
      'mutation { insertBlob(userId: "extracted", waitProcess: true, input: { chat: { messages: [{ role: "user", content: "I have a cat." }] } }) { blob { id } event { id } } }',
    );
    expect(second.data).toMatchObject({ insertBlob: { event: null } });

    // A batch is counted when processNext returns, just after the waiting insert is answered. The
    // failed user is retried after 2 s: while a retry runs its state is PROCESSING, not FAILED, and
    // its blob is being processed, so the scrape waits for a moment between attempts.
    const scraped = await until(
      () => scrape(metricsUrl, t.adminKey),
      (s) =>
        value(histogramSeries(s.text, 'memql_extraction_duration_seconds'), 'memql_extraction_duration_seconds_count', {
          outcome: 'failed',
        }) >= 1 &&
        value(s.families, 'memql_buffer_failed_users') === 1 &&
        value(s.families, 'memql_buffer_pending_blobs') === 1,
      'the failed batch, its user FAILED between retries',
    );
    const families = scraped.families;
    const batches = histogramSeries(scraped.text, 'memql_extraction_duration_seconds');
    expect(value(families, 'memql_blobs_inserted_total', { type: 'CHAT' })).toBe(2);
    expect(value(families, 'memql_llm_calls_total', { outcome: 'ok' })).toBe(1);
    // The failed batch is retried after 2 s (and fails again): at least one failed call and batch.
    expect(value(families, 'memql_llm_calls_total', { outcome: 'error' })).toBeGreaterThanOrEqual(1);
    expect(value(families, 'memql_llm_tokens_total', { kind: 'prompt' })).toBe(120);
    expect(value(families, 'memql_llm_tokens_total', { kind: 'completion' })).toBe(30);
    expect(value(batches, 'memql_extraction_duration_seconds_count', { outcome: 'processed' })).toBe(1);
    expect(value(batches, 'memql_extraction_duration_seconds_count', { outcome: 'failed' })).toBeGreaterThanOrEqual(1);
    expect(value(families, 'memql_buffer_failed_users')).toBe(1);
    expect(value(families, 'memql_buffer_pending_blobs')).toBe(1);
    expect(value(families, 'memql_buffer_pending_tokens')).toBeGreaterThan(0);
    expect(value(families, 'memql_dependency_up', { dependency: 'database' })).toBe(1);
    expect(value(families, 'memql_dependency_up', { dependency: 'vector_store' })).toBe(1);
    expect(family(families, 'nodejs_eventloop_lag_seconds').type).toBe('GAUGE');

    await t.app.indexer.drain();
    // Database figures are read at most every 500 ms (one read serves a scrape's gauges): poll past that.
    const drained = (
      await until(
        () => scrape(metricsUrl, t.adminKey),
        (s) => value(s.families, 'memql_index_outbox_jobs') === 0,
        'the drained outbox',
      )
    ).families;
    expect(value(drained, 'memql_index_outbox_jobs')).toBe(0);
    expect(value(drained, 'memql_index_lag_seconds')).toBe(0);
  });

  it('follows open subscriptions and WebSocket connections', async () => {
    const read = async () => {
      const families = (await scrape(metricsUrl, t.adminKey)).families;
      return {
        subscriptions: value(families, 'memql_subscriptions_active'),
        sockets: value(families, 'memql_websocket_connections'),
      };
    };
    const live = await subscribe(t.wsUrl, t.adminKey, MemoryEventsDocument, {});
    await until(read, (now) => now.subscriptions === 1 && now.sockets === 1, 'one subscription');
    await live.close();
    await until(read, (now) => now.subscriptions === 0 && now.sockets === 0, 'no subscription');
    const families = (await scrape(metricsUrl, t.adminKey)).families;
    expect(
      value(families, 'memql_graphql_operations_total', {
        operation: 'MemoryEvents',
        type: 'subscription',
        transport: 'ws',
      }),
    ).toBe(1);
  });
});
