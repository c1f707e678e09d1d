// Prometheus metrics (prom-client), served at /metrics (metrics-endpoint.ts).
// One registry per app, so two apps in one process (tests) never share
// counters. Event-driven figures are counted where they happen (operations,
// inserts, extraction batches, LLM calls, subscriptions, webhook deliveries);
// figures read from the database or a dependency (outbox, buffers, health)
// are read when Prometheus scrapes, through the `probes` given at creation.

import type { OperationTypeNode } from 'graphql';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** What a scrape reads from the stores, each probe bounded in time by its caller. */
export interface MetricsProbes {
  /** Index jobs not yet applied, and the age in seconds of the oldest due one (0: none due). */
  outbox(): Promise<{ pending: number; oldestDueSeconds: number }>;
  /** Blobs and tokens waiting in users' buffers, and users whose last batch failed. */
  buffers(): Promise<{ pendingBlobs: number; pendingTokens: number; failedUsers: number }>;
  /** Each dependency's health (database, vector store, ...): true when it answers. */
  health(): Promise<Record<string, boolean>>;
  /** The in-process caches by name (none on a PostgreSQL server: see identity-cache.ts). */
  caches?(): Record<string, { hits: number; misses: number; entries: number; maxEntries: number }>;
  /**
   * The embedded database thread's memory in bytes (absent on a PostgreSQL
   * server; null when the thread did not answer): PGlite's WebAssembly memory
   * and the thread's own V8 heap, neither of which prom-client's nodejs_*
   * figures (the main thread's) include.
   */
  embeddedDatabaseMemory?(): Promise<{ wasm: number; heapTotal: number; heapUsed: number } | null>;
}

/** Operation names come from clients: at most this many distinct ones are kept, the rest count as "other". */
const MAX_OPERATION_NAMES = 200;
const OPERATION_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** An operation's type; `unknown` when it was refused before its type was known. */
export type OperationType = `${OperationTypeNode}` | 'unknown';

export class MemqlMetrics {
  readonly registry = new Registry();
  private readonly operationNames = new Set<string>();

  private readonly operations = new Counter({
    name: 'memql_graphql_operations_total',
    help: 'GraphQL operations by name, type and outcome (ok, or the error code of the first error), HTTP and WebSocket.',
    labelNames: ['operation', 'type', 'outcome', 'transport'] as const,
    registers: [this.registry],
  });
  private readonly operationSeconds = new Histogram({
    name: 'memql_graphql_operation_duration_seconds',
    help: 'Time to answer a GraphQL query or mutation (subscriptions are not timed), by name, type and outcome.',
    labelNames: ['operation', 'type', 'outcome'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  private readonly httpRequests = new Counter({
    name: 'memql_http_requests_total',
    help: 'HTTP requests by route and status (refusals before GraphQL runs included: 401, 403, 413, 429).',
    labelNames: ['route', 'status'] as const,
    registers: [this.registry],
  });
  private readonly blobs = new Counter({
    name: 'memql_blobs_inserted_total',
    help: 'Blobs inserted, by type.',
    labelNames: ['type'] as const,
    registers: [this.registry],
  });
  private readonly batches = new Histogram({
    name: 'memql_extraction_duration_seconds',
    help: 'Time of one extraction batch (claim to commit), by outcome: processed, empty, busy or failed.',
    labelNames: ['outcome'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    registers: [this.registry],
  });
  private readonly llmCalls = new Counter({
    name: 'memql_llm_calls_total',
    help: 'Calls to the LLM endpoint (each may have made several HTTP attempts), by outcome.',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  private readonly llmTokens = new Counter({
    name: 'memql_llm_tokens_total',
    help: 'Tokens the LLM endpoint reported, by kind (prompt, completion).',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  private readonly subscriptions = new Gauge({
    name: 'memql_subscriptions_active',
    help: 'GraphQL subscriptions open on this process.',
    registers: [this.registry],
  });
  private readonly sockets = new Gauge({
    name: 'memql_websocket_connections',
    help: 'WebSocket connections accepted and open on this process.',
    registers: [this.registry],
  });
  private readonly webhookDeliveries = new Counter({
    name: 'memql_webhook_deliveries_total',
    help: 'Webhook delivery attempts made by this process, by outcome: delivered, retry (will be tried again) or failed (gave up).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  constructor(probes: MetricsProbes) {
    // Event loop lag (nodejs_eventloop_lag_*), heap, GC, CPU and file descriptors.
    collectDefaultMetrics({ register: this.registry });
    const registers = [this.registry];
    const outbox = perScrape(() => probes.outbox());
    const buffers = perScrape(() => probes.buffers());
    const health = perScrape(() => probes.health());
    new Gauge({
      name: 'memql_index_outbox_jobs',
      help: 'Index jobs in the outbox, due or waiting for a retry (shared by every process).',
      registers,
      async collect() {
        setOrReset(this, (await outbox())?.pending);
      },
    });
    new Gauge({
      name: 'memql_index_lag_seconds',
      help: 'Age of the oldest index job that is due: how far the vector index is behind the database.',
      registers,
      async collect() {
        setOrReset(this, (await outbox())?.oldestDueSeconds);
      },
    });
    new Gauge({
      name: 'memql_buffer_pending_blobs',
      help: "Blobs waiting in users' extraction buffers (every process).",
      registers,
      async collect() {
        setOrReset(this, (await buffers())?.pendingBlobs);
      },
    });
    new Gauge({
      name: 'memql_buffer_pending_tokens',
      help: "Tokens waiting in users' extraction buffers.",
      registers,
      async collect() {
        setOrReset(this, (await buffers())?.pendingTokens);
      },
    });
    new Gauge({
      name: 'memql_buffer_failed_users',
      help: 'Users whose last extraction batch failed and waits for a retry.',
      registers,
      async collect() {
        setOrReset(this, (await buffers())?.failedUsers);
      },
    });
    const caches = () => probes.caches?.() ?? {};
    new Counter({
      name: 'memql_cache_lookups_total',
      help: 'Lookups of the in-process caches (api_key, user), by outcome: hit (answered from memory) or miss (read from the database).',
      labelNames: ['cache', 'outcome'] as const,
      registers,
      collect() {
        this.reset();
        for (const [cache, stats] of Object.entries(caches())) {
          this.inc({ cache, outcome: 'hit' }, stats.hits);
          this.inc({ cache, outcome: 'miss' }, stats.misses);
        }
      },
    });
    new Gauge({
      name: 'memql_cache_entries',
      help: 'Entries held by each in-process cache (bounded; its bound is memql_cache_max_entries).',
      labelNames: ['cache'] as const,
      registers,
      collect() {
        for (const [cache, stats] of Object.entries(caches())) this.set({ cache }, stats.entries);
      },
    });
    new Gauge({
      name: 'memql_cache_max_entries',
      help: 'The most entries each in-process cache holds (the oldest goes first).',
      labelNames: ['cache'] as const,
      registers,
      collect() {
        for (const [cache, stats] of Object.entries(caches())) this.set({ cache }, stats.maxEntries);
      },
    });
    const databaseMemory = perScrape(async () => (await probes.embeddedDatabaseMemory?.()) ?? null);
    new Gauge({
      name: 'memql_embedded_database_memory_bytes',
      help: "The embedded database thread's memory (embedded PGlite only), by kind: wasm (PGlite's WebAssembly memory, which never shrinks), heap_total and heap_used (the thread's V8 heap).",
      labelNames: ['kind'] as const,
      registers,
      async collect() {
        this.reset();
        const memory = await databaseMemory();
        if (!memory) return;
        this.set({ kind: 'wasm' }, memory.wasm);
        this.set({ kind: 'heap_total' }, memory.heapTotal);
        this.set({ kind: 'heap_used' }, memory.heapUsed);
      },
    });
    new Gauge({
      name: 'memql_dependency_up',
      help: 'Whether a dependency answers (1) or not (0): database, vector_store.',
      labelNames: ['dependency'] as const,
      registers,
      async collect() {
        for (const [dependency, up] of Object.entries((await health()) ?? {})) this.set({ dependency }, up ? 1 : 0);
      },
    });
  }

  /** A finished GraphQL operation. `seconds` null: not timed (a subscription). */
  operation(
    entry: { name: string | null | undefined; type: OperationType; outcome: string; transport: 'http' | 'ws' },
    seconds: number | null,
  ): void {
    const operation = this.operationLabel(entry.name);
    this.operations.inc({ operation, type: entry.type, outcome: entry.outcome, transport: entry.transport });
    if (seconds !== null)
      this.operationSeconds.observe({ operation, type: entry.type, outcome: entry.outcome }, seconds);
  }

  httpRequest(route: string, status: number): void {
    this.httpRequests.inc({ route, status: String(status) });
  }

  blobInserted(type: string): void {
    this.blobs.inc({ type });
  }

  extractionBatch(outcome: string, seconds: number): void {
    this.batches.observe({ outcome }, seconds);
  }

  llmCall(outcome: 'ok' | 'error', usage: { promptTokens: number; completionTokens: number } | null): void {
    this.llmCalls.inc({ outcome });
    if (usage) {
      this.llmTokens.inc({ kind: 'prompt' }, usage.promptTokens);
      this.llmTokens.inc({ kind: 'completion' }, usage.completionTokens);
    }
  }

  subscriptionOpened(): void {
    this.subscriptions.inc();
  }

  subscriptionClosed(): void {
    this.subscriptions.dec();
  }

  socketOpened(): void {
    this.sockets.inc();
  }

  socketClosed(): void {
    this.sockets.dec();
  }

  webhookDelivery(outcome: 'delivered' | 'retry' | 'failed'): void {
    this.webhookDeliveries.inc({ outcome });
  }

  /** The exposition text and its content type. */
  async expose(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  private operationLabel(name: string | null | undefined): string {
    if (!name) return 'anonymous';
    if (!OPERATION_NAME.test(name)) return 'other';
    if (this.operationNames.has(name)) return name;
    if (this.operationNames.size >= MAX_OPERATION_NAMES) return 'other';
    this.operationNames.add(name);
    return name;
  }
}

/** A probe asked once per scrape (several gauges read it), null when it failed: a scrape never fails for it. */
function perScrape<T>(probe: () => Promise<T>, ttlMs = 500): () => Promise<T | null> {
  let cached: { at: number; value: Promise<T | null> } | null = null;
  return () => {
    if (!cached || performance.now() - cached.at > ttlMs)
      cached = { at: performance.now(), value: probe().catch(() => null) };
    return cached.value;
  };
}

/** The value, or no sample at all when the probe failed (a stale figure would mislead). */
function setOrReset(gauge: Gauge, value: number | undefined): void {
  if (value === undefined) gauge.reset();
  else gauge.set(value);
}
