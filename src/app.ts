// Composition root: the only place that constructs adapters and wires them
// into the domain. Everything started here is stopped by App.stop(), in
// reverse order, and a failed start stops what had already started.

import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Duplex } from 'node:stream';
import { type Config, ConfigError, type EmbeddingsConfig, type LlmConfig } from './config.js';
import type { Context, Services } from './context.js';
import { AuthService } from './domain/auth/auth.service.js';
import { BlobService } from './domain/blobs/blob.service.js';
import { type IndexDeps, indexIsStale, rebuildIndex } from './domain/indexing/index-maintenance.js';
import { BlobRetention } from './domain/blobs/blob-retention.js';
import { Indexer } from './domain/indexing/indexer.js';
import { KnnClauseClassifier } from './infra/extraction/fallback/knn.clause-classifier.js';
import { RuleBasedExtractor } from './infra/extraction/rules/rule-based.extractor.js';
import { BufferScheduler } from './domain/memory/buffer-scheduler.js';
import { MemoryProcessor } from './domain/memory/memory-processor.js';
import { ExpirySweeper } from './domain/memory/expiry-sweeper.js';
import { ExportService } from './domain/exports/export.service.js';
import { ImportService } from './domain/exports/import.service.js';
import { MemoryExportService } from './domain/exports/memory-export.service.js';
import { OfflineSchemaFiller } from './domain/exports/offline.filler.js';
import { ContextService } from './domain/context/context.service.js';
import { MemoryEditService } from './domain/memory/memory-edits.service.js';
import { DEFAULT_MEMORY_HYBRID, MemorySearchService } from './domain/memory/memory-search.service.js';
import { MemoryService } from './domain/memory/memory.service.js';
import type { Embedder, EventBus, Extractor, MemoryVectorIndex, StructuredFiller } from './domain/ports.js';
import { DEFAULT_HYBRID, QueryService } from './domain/search/query.service.js';
import { DEFAULT_RERANK } from './domain/search/rerank.js';
import { UsageService } from './domain/usage/usage.service.js';
import { WebhookDeliverer } from './domain/webhooks/webhook-deliverer.js';
import { WebhookService } from './domain/webhooks/webhook.service.js';
import { UserService } from './domain/users/user.service.js';
import { loadOrCreateAdminKey } from './infra/admin-key.file.js';
import { EmbeddedServices } from './embedded-services.js';
import type { SupervisedChroma } from './infra/chroma/chroma-supervisor.js';
import { ChromaMemoryIndex } from './infra/chroma/chroma.memory-index.js';
import { ChromaVectorStore } from './infra/chroma/chroma.vector-store.js';
import { HashingEmbedder } from './infra/embeddings/hashing.embedder.js';
import { OpenAiChatClient } from './infra/http/openai-chat.client.js';
import { RerankClient } from './infra/http/rerank.client.js';
import { HttpWebhookTransport } from './infra/http/webhook.transport.js';
import { OpenAiEmbedder } from './infra/embeddings/openai.embedder.js';
import { USE_LITE_MODEL, UseLiteEmbedder } from './infra/embeddings/use-lite.embedder.js';
import { ExportFiles } from './infra/files/export-files.js';
import { ImportFiles } from './infra/files/import-files.js';
import { AjvSchemaValidator } from './infra/jsonschema/ajv.validator.js';
import { LlmStructuredFiller } from './infra/structured/llm.filler.js';
import { GptTokenCounter } from './infra/tokens/gpt.token-counter.js';
import { LlmExtractor } from './infra/extraction/llm/llm.extractor.js';
import { EmbeddedMaintenance } from './infra/prisma/embedded-maintenance.js';
import { createPrismaClient, type PrismaClient } from './infra/prisma/client.js';
import { type CacheStats, CachedApiKeyRepository, CachedUserRepository } from './infra/cache/identity-cache.js';
import { applyMigrations, missingDatabaseName } from './infra/prisma/migrate.js';
import { isConnectionWaitTimeout } from './infra/prisma/prisma-errors.js';
import { PrismaWorkerLease } from './infra/prisma/worker-lease.js';
import { createRepositories, type Repositories } from './infra/prisma/repositories.js';
import { openUserKeyring, type UserKeyring } from './infra/prisma/encryption/user-keys.js';
import { InMemoryEventBus } from './infra/pubsub/memory.event-bus.js';
import { createLogger, type Logger } from './lib/logger.js';
import { RequestScopes } from './lib/request-scope.js';
import { createLoaders } from './loaders/loaders.js';
import { buildMemqlSchema } from './schema/index.js';
import { startHttpServer } from './server/http-server.js';
import { OperationGate } from './server/operation-gate.js';
import { MemqlMetrics } from './server/metrics.js';
import { startMetricsServer } from './server/metrics-endpoint.js';
import { PrismaOpsStats } from './infra/prisma/ops-stats.js';
import type { ChatClient } from './infra/http/openai-chat.client.js';
import { KeyRateLimiter } from './server/rate-limit.js';
import { RequestGuards } from './server/request-guard.js';
import { MemoryTokenBuckets } from './infra/ratelimit/memory.token-buckets.js';

export interface App {
  /** GraphQL endpoint, e.g. http://localhost:8019/graphql. */
  url: string;
  port: number;
  services: Services;
  indexer: Indexer;
  /** The admin key when this start generated it (printed once), else null. */
  generatedAdminKey: string | null;
  /** Counters for operators (and the tests that bound SQL statements per request). */
  stats: AppStats;
  /** Prometheus metrics (also served at /metrics). */
  metrics: MemqlMetrics;
  /** The metrics port's URL when MEMQL_METRICS_PORT is set, else null. */
  metricsUrl: string | null;
  /** The embedded Chroma's supervisor (its child's pid, restarts); null with CHROMA_URL. */
  embeddedChroma: SupervisedChroma | null;
  /** The database client, for tests that compare rows (test/helpers/project-dump.ts); the server reaches it through repositories. */
  prisma: PrismaClient;
  stop(): Promise<void>;
}

const HEALTH_TIMEOUT_MS = 2_000;
/**
 * How long an export or import job stays with the process running it without
 * a heartbeat (renewed every third of it): a killed process's job is taken
 * over by a running or restarted one within about two leases.
 */
const JOB_LEASE_MS = 30_000;
/** Lines of an import file per transaction: a large file is not a round trip per record, and a batch stays small. */
const IMPORT_BATCH_LINES = 100;

/** The promise's value if it settles in time, false when it rejects or is late. */
function withinMs(ms: number, promise: Promise<boolean>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  return Promise.race([promise.catch(() => false), late]).finally(() => clearTimeout(timer));
}

export interface AppStats {
  /** SQL statements sent since start. */
  sqlQueries: number;
  /** SQL statements sent while serving one recent HTTP request (by its X-Request-Id), background work not counted. */
  requestSqlQueries(requestId: string): number | undefined;
}

export async function buildApp(
  config: Config,
  log: Logger = createLogger(config.logLevel),
  embedded: EmbeddedServices = new EmbeddedServices(config, log),
): Promise<App> {
  const stack = new StopStack(log);

  try {
    const requestScopes = new RequestScopes();
    const stats: AppStats = {
      sqlQueries: 0,
      requestSqlQueries: (requestId) => requestScopes.sqlQueriesOf(requestId),
    };
    const { prisma, repos, vectors, memoryVectors, embedder, embeddedChroma } = await openStores(
      config,
      log,
      stack,
      () => {
        stats.sqlQueries++;
        requestScopes.countSql();
      },
      embedded,
    );

    const opsStats = new PrismaOpsStats(prisma);
    const dependencies = async (): Promise<{ database: boolean; vector_store: boolean }> => {
      // A dependency that hangs is as down as one that refuses: answer within the probe's patience.
      const [database, vectorStore] = await Promise.all([
        withinMs(
          HEALTH_TIMEOUT_MS,
          prisma.$queryRaw`SELECT 1`.then(() => true),
        ),
        withinMs(HEALTH_TIMEOUT_MS, vectors.ping()),
      ]);
      return { database, vector_store: vectorStore };
    };
    const metrics = new MemqlMetrics({
      outbox: () => opsStats.outbox(),
      buffers: () => opsStats.buffers(),
      health: dependencies,
      caches: () => {
        const held: Record<string, CacheStats> = {};
        if (repos.apiKeys instanceof CachedApiKeyRepository) held.api_key = repos.apiKeys.cacheStats();
        if (repos.users instanceof CachedUserRepository) held.user = repos.users.cacheStats();
        return held;
      },
      ...(config.database.kind === 'embedded'
        ? { embeddedDatabaseMemory: async () => (await embedded.database()).memory() }
        : {}),
    });

    // One name for this process in every lease it takes (indexer, extraction batches, webhook deliveries).
    const workerId = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    // Of several processes sharing the database, the lease holder writes the vector store.
    const indexerLease = new PrismaWorkerLease(
      prisma,
      'indexer',
      workerId,
      config.indexerLeaseMs,
      deadOnThisHost(workerId),
    );
    // Live events: in-process by default, through Redis when several processes share a database.
    // The Redis client is loaded only then (50-100 ms of every start otherwise).
    const redisUrl = config.redisUrl;
    const events: EventBus = redisUrl
      ? await import('./infra/pubsub/redis.event-bus.js').then(({ RedisEventBus }) =>
          RedisEventBus.connect(redisUrl, log),
        )
      : new InMemoryEventBus();
    stack.push({ name: 'event bus', stop: () => events.close() });

    // Forgetting past each project's blob token cap, run by the outbox drain after blobs are committed.
    const blobRetention = new BlobRetention({
      retention: repos.blobRetention,
      profileConfigs: repos.profileConfigs,
      events,
      log,
      onForgotten: () => indexer.kick(),
    });
    const indexer = new Indexer({
      jobs: repos.indexJobs,
      chunks: repos.chunks,
      vectors,
      memories: repos.memories,
      memoryVectors,
      embedder,
      log,
      lease: indexerLease,
      afterBlobsIndexed: (owners) => blobRetention.enforce(owners),
    });
    stack.push({ name: 'indexer', stop: () => indexer.stop() });
    // What the outbox holds for the index is written as soon as a restarted Chroma answers.
    embeddedChroma?.onUp(() => indexer.kick());
    const indexDeps = indexDepsOf({ repos, vectors, memoryVectors, embedder }, log);
    // The lease holder rebuilds; another process starting meanwhile leaves the index to it.
    if ((await indexIsStale(indexDeps)) && (await indexerLease.hold())) {
      // A new install, or a different embedding model: rebuild from the database before indexing new work.
      log.info(
        { model: embedder.model, dimension: embedder.dimension },
        'vector index does not match the embedding model; rebuilding it from the database',
      );
      const indexed = await rebuildIndex(indexDeps);
      log.info({ indexed }, 'vector index rebuilt');
    }
    // The loops that work through what is stored start once the server serves:
    // started earlier, a restart with pending work (buffers to extract, an
    // outbox to index) queued its first requests behind that work on the
    // embedded database's one connection (0.6-1.1 s later on 20,000 chunks).
    const startAfterServing: { start(): void }[] = [indexer];

    // Webhooks: deliveries are enqueued by the database with each change; this process sends its share.
    const webhookTransport = new HttpWebhookTransport({
      allowPrivate: config.webhooks.allowPrivate,
      timeoutMs: config.webhooks.timeoutMs,
    });
    const webhookDeliverer = new WebhookDeliverer(
      { webhooks: repos.webhooks, transport: webhookTransport, log, onAttempt: (o) => metrics.webhookDelivery(o) },
      {
        workerId,
        leaseMs: config.webhooks.timeoutMs + 30_000,
        maxAttempts: config.webhooks.maxAttempts,
        retryBaseMs: config.webhooks.retryBaseMs,
        retryMaxMs: 60 * 60_000,
        pollMs: 1_000,
        concurrency: 8,
      },
    );
    startAfterServing.push(webhookDeliverer);
    stack.push({ name: 'webhook deliverer', stop: () => webhookDeliverer.stop() });
    const committed = () => {
      indexer.kick();
      webhookDeliverer.kick();
    };

    const extractor = createExtractor(config.llm, log, metrics, embedder);
    const processor = new MemoryProcessor(
      {
        processing: repos.processing,
        memories: repos.memories,
        profileConfigs: repos.profileConfigs,
        extractor,
        embedder,
        events,
        log,
        onCommitted: committed,
        onFinished: (outcome, seconds) => metrics.extractionBatch(outcome, seconds),
      },
      {
        workerId,
        leaseMs: config.buffer.leaseMs,
        maxBatchTokens: Math.max(4 * config.buffer.tokenThreshold, 8_192),
        maxExistingShown: 150,
        retryBaseMs: 2_000,
        retryMaxMs: 10 * 60_000,
      },
    );
    const buffer = new BufferScheduler(processor, repos.processing, log, {
      tokenThreshold: config.buffer.tokenThreshold,
      idleMs: config.buffer.idleMs,
      sweepMs: Math.min(5_000, Math.max(50, Math.round(config.buffer.idleMs / 4))),
      concurrency: 2,
      waitTimeoutMs: config.buffer.leaseMs + 60_000,
    });
    startAfterServing.push(buffer);
    stack.push({ name: 'buffer scheduler', stop: () => buffer.stop() });

    const sweeper = new ExpirySweeper(
      { memories: repos.memories, bus: events, log, onSwept: committed },
      config.expirySweepMs,
    );
    startAfterServing.push(sweeper);
    stack.push({ name: 'expiry sweeper', stop: () => sweeper.stop() });
    const memoryEdits = new MemoryEditService(repos.memories, embedder, events);
    memoryEdits.onChanged(committed);

    const auth = new AuthService(repos.projects, repos.apiKeys, events, log);
    const blobs = new BlobService(repos.blobs);
    blobs.onInserted((blob, bufferTokens) => {
      metrics.blobInserted(blob.content.type);
      indexer.kick();
      if (bufferTokens > 0) buffer.noteInserted(blob.userPk, bufferTokens);
    });
    const reranker = config.rerank
      ? new RerankClient({
          baseUrl: config.rerank.baseUrl,
          apiKey: config.rerank.apiKey,
          model: config.rerank.model,
          timeoutMs: config.rerank.timeoutMs,
          logger: log,
        })
      : null;
    const rerankOptions = { candidates: config.rerank?.candidates ?? DEFAULT_RERANK.candidates };
    const memorySearch = new MemorySearchService(
      repos.memories,
      repos.users,
      memoryVectors,
      embedder,
      DEFAULT_MEMORY_HYBRID,
      undefined,
      reranker,
      rerankOptions,
    );
    const memoryExports = new MemoryExportService({
      exports: repos.memoryExports,
      memories: repos.memories,
      profileConfigs: repos.profileConfigs,
      validator: new AjvSchemaValidator(),
      filler: createStructuredFiller(config.llm, log, metrics),
      log,
    });
    stack.push({ name: 'memory exports', stop: () => memoryExports.stop() });
    const exportFiles = new ExportFiles(config.exports.dir);
    const exports = new ExportService(
      {
        exports: repos.exports,
        files: exportFiles,
        users: repos.users,
        blobs: repos.blobs,
        memories: repos.memories,
        events: repos.events,
        profileConfigs: repos.profileConfigs,
        embedding: { model: embedder.model, dimension: embedder.dimension },
        log,
      },
      { leaseMs: JOB_LEASE_MS, retentionMs: config.exports.retentionMs },
    );
    const exportSweep = setInterval(() => {
      exports.sweep().catch((error: unknown) => log.warn({ err: error }, 'export retention sweep failed'));
    }, 3_600_000);
    exportSweep.unref();
    stack.push({
      name: 'exports',
      stop: async () => {
        clearInterval(exportSweep);
        await exports.stop();
      },
    });
    const imports = new ImportService(
      {
        imports: repos.imports,
        files: new ImportFiles(config.exports.dir),
        store: repos.importStore,
        projects: repos.projects,
        log,
      },
      { leaseMs: JOB_LEASE_MS, batchLines: IMPORT_BATCH_LINES },
    );
    // A job a killed process left RUNNING is taken over once its lease passes, without waiting for a restart.
    const jobTakeOver = setInterval(() => {
      Promise.all([exports.takeOver(), imports.resume()]).catch((error: unknown) =>
        log.warn({ err: error }, 'taking over export and import jobs failed'),
      );
    }, JOB_LEASE_MS);
    jobTakeOver.unref();
    stack.push({
      name: 'imports',
      stop: async () => {
        clearInterval(jobTakeOver);
        await imports.stop();
      },
    });
    const services: Services = {
      auth,
      users: new UserService(repos.users, events, exportFiles),
      blobs,
      query: new QueryService(repos.chunks, repos.blobs, vectors, embedder, DEFAULT_HYBRID, reranker, rerankOptions),
      memories: new MemoryService(repos.memories, repos.events, repos.profileConfigs),
      memoryEdits,
      memorySearch,
      buffer,
      context: new ContextService({
        memories: repos.memories,
        events: repos.events,
        profileConfigs: repos.profileConfigs,
        search: memorySearch,
        tokens: new GptTokenCounter(),
      }),
      usage: new UsageService(repos.usage),
      memoryExports,
      webhooks: new WebhookService(repos.webhooks, webhookTransport),
      exports,
      imports,
      events,
    };

    let generatedAdminKey: string | null = null;
    if (config.adminKey) {
      await auth.bootstrap(config.adminKey);
    } else {
      const stored = await loadOrCreateAdminKey(config.dataDir);
      await auth.bootstrap(stored.secret);
      if (stored.created) {
        generatedAdminKey = stored.secret;
        log.warn(
          { file: stored.file },
          `generated an admin key (shown once; kept in ${stored.file}): ${stored.secret}`,
        );
      }
    }

    const schema = await buildMemqlSchema();
    // Rate limits and cost budgets per key: shared through Redis when several processes serve one database.
    const buckets = redisUrl
      ? await import('./infra/ratelimit/redis.token-buckets.js').then(({ RedisTokenBuckets }) =>
          RedisTokenBuckets.connect(redisUrl),
        )
      : new MemoryTokenBuckets();
    stack.push({ name: 'rate-limit buckets', stop: () => buckets.close() });
    const gate = new OperationGate(
      schema,
      config.limits,
      new KeyRateLimiter(buckets, config.limits, log),
      new RequestGuards(config.limits),
    );
    const server = await startHttpServer(
      {
        schema,
        log,
        gate,
        requestScope: (requestId, work) => requestScopes.run(requestId, work),
        metrics,
        downloadExport: (viewer, id) => exports.download(viewer, id),
        isOverload: isConnectionWaitTimeout,
        uploadImport: (viewer, chunks) => imports.upload(viewer, chunks),
        watchKey: (viewer, onRevoked) => {
          const revocations = events.subscribe(
            viewer.projectId,
            (event) => event.type === 'key.revoked' && event.keyId === viewer.keyId,
          );
          void (async () => {
            for await (const _revoked of revocations) {
              onRevoked();
              break;
            }
          })();
          return () => void revocations.return();
        },
        authenticate: (authorization) => auth.authenticate(authorization),
        createContext: (viewer, requestId): Context => ({
          viewer,
          services,
          loaders: createLoaders(repos),
          log: log.child({ requestId, projectId: viewer.projectId }),
          requestId,
          notices: [],
        }),
        health: async () => {
          const { database, vector_store: vectorStore } = await dependencies();
          return {
            // Without the vector index searches still answer (lexically): degraded, not down.
            status: !database ? 'unavailable' : vectorStore ? 'ok' : 'degraded',
            checks: { database: database ? 'up' : 'down', vectorStore: vectorStore ? 'up' : 'down' },
          };
        },
      },
      {
        port: config.port,
        host: config.host,
        corsOrigins: config.corsOrigins,
        browserPages: config.graphiql,
        bodyLimits: config.limits,
      },
    );
    stack.push({ name: 'http server', stop: () => server.close() });
    const resumedExports = await exports.resume();
    if (resumedExports > 0) log.info({ resumed: resumedExports }, 'resumed exports a stopped process left');
    const resumedImports = await imports.resume();
    if (resumedImports > 0) log.info({ resumed: resumedImports }, 'resumed imports a stopped process left');
    const resumed = await memoryExports.resume();
    if (resumed > 0) log.info({ resumed }, 'resumed memory exports a stopped process left');
    let metricsUrl: string | null = null;
    if (config.metricsPort !== undefined) {
      const metricsServer = await startMetricsServer(metrics, { port: config.metricsPort, host: config.host });
      stack.push({ name: 'metrics server', stop: () => metricsServer.close() });
      metricsUrl = metricsServer.url;
    }
    log.info(
      {
        url: server.url,
        database: config.database.kind,
        vectorStore: config.chroma.kind,
        embedder: embedder.model,
        extractor: extractor.name,
        events: config.redisUrl ? 'redis' : 'in-memory',
        metrics: metricsUrl ?? 'GET /metrics with the admin key',
      },
      'memql is serving',
    );
    for (const loop of startAfterServing) loop.start();

    return {
      url: server.url,
      port: server.port,
      services,
      indexer,
      generatedAdminKey,
      stats,
      metrics,
      metricsUrl,
      embeddedChroma,
      prisma,
      stop: () => stack.stopAll(config.shutdownMs),
    };
  } catch (error) {
    await stack.stopAll();
    throw error;
  }
}

/**
 * Whether a lease holder (`host:pid:id`) is a process of this host that is
 * gone: its pid no longer runs, or it is this process's pid under another id
 * (a container restarted with the same pid). Other hosts' holders are never
 * judged dead: their leases expire.
 */
function deadOnThisHost(self: string): (holder: string) => boolean {
  const [host, pid] = self.split(':');
  return (holder) => {
    const [holderHost, holderPid] = holder.split(':');
    if (holderHost !== host || holder === self) return false;
    if (holderPid === pid) return true;
    try {
      process.kill(Number(holderPid), 0);
      return false;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'ESRCH';
    }
  };
}

/** Things started, stopped in reverse order; a failing stop is logged and the rest still stop. */
export class StopStack {
  private readonly parts: { name: string; stop: () => Promise<unknown> }[] = [];

  constructor(private readonly log: Logger) {}

  push(part: { name: string; stop: () => Promise<unknown> }): void {
    this.parts.push(part);
  }

  /**
   * Stops every part, last started first. With `withinMs`, a part still
   * stopping when the time is up is left behind (its work stays in the
   * outbox or the processing lease, and resumes on the next start) and the
   * parts below it still stop, each given at least ABANDON_GRACE_MS.
   */
  async stopAll(withinMs = Number.POSITIVE_INFINITY): Promise<void> {
    const deadline = Date.now() + withinMs;
    while (this.parts.length) {
      const part = this.parts.pop()!;
      const started = Date.now();
      const stopped = part
        .stop()
        .then(() => true)
        .catch((error: unknown) => {
          this.log.error({ err: error, part: part.name }, 'error while stopping');
          return true;
        });
      const finished = await withinTime(stopped, Math.max(deadline - started, ABANDON_GRACE_MS));
      if (finished) this.log.debug({ part: part.name, ms: Date.now() - started }, 'stopped');
      else
        this.log.warn(
          { part: part.name, ms: Date.now() - started },
          'shutdown time is up (MEMQL_SHUTDOWN_SECONDS): left this part behind; its work resumes on the next start',
        );
    }
  }
}

/** What a part still stopping after the shutdown time gets before it is left behind. */
const ABANDON_GRACE_MS = 1_000;

/** True when the promise settles within `ms`, false when the time runs out first. */
async function withinTime(promise: Promise<boolean>, ms: number): Promise<boolean> {
  if (!Number.isFinite(ms)) return promise;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

export interface Stores {
  prisma: PrismaClient;
  repos: Repositories;
  vectors: ChromaVectorStore;
  /** Memories' vectors: the same shard layout as chunks, in collections of their own. */
  memoryVectors: MemoryVectorIndex;
  embedder: Embedder;
  /** The embedded Chroma's supervisor; null with an external Chroma. */
  embeddedChroma: SupervisedChroma | null;
}

/** What rebuilding the vector index needs, from the opened stores (the server at start, `memql reindex`). */
export function indexDepsOf(
  stores: Pick<Stores, 'repos' | 'vectors' | 'memoryVectors' | 'embedder'>,
  log: Logger,
): IndexDeps {
  const { repos, vectors, memoryVectors, embedder } = stores;
  return {
    chunks: repos.chunks,
    vectors,
    memories: repos.memories,
    memoryVectors,
    embedder,
    indexState: repos.indexState,
    log,
    collection: vectors.collectionPrefix,
  };
}

/**
 * Opens the database (embedded or real, migrated), the vector store
 * (embedded or external) and the embedder. Shared by the server and the
 * reindex command.
 */
export async function openStores(
  config: Config,
  log: Logger,
  stack: StopStack,
  onQuery?: () => void,
  embedded: EmbeddedServices = new EmbeddedServices(config, log),
): Promise<Stores> {
  // Independent of one another, so they start together: the embedder reads
  // its model while the database opens and migrates and Chroma starts.
  const databaseOpening = openDatabase(config, log, stack, onQuery, embedded);
  const chromaStarting =
    config.chroma.kind === 'embedded'
      ? embedded.vectorStore().then((chroma) => {
          stack.push({ name: 'embedded chroma', stop: () => chroma.stop() });
          return chroma;
        })
      : Promise.resolve(null);
  const embedderLoading = createEmbedder(config.embeddings, log).then((embedder) => {
    stack.push({ name: 'embedder', stop: () => embedder.close() });
    return embedder;
  });
  // All three settle before a failure is thrown, so whatever did start is on the stack to be stopped.
  await Promise.allSettled([databaseOpening, chromaStarting, embedderLoading]);
  const [{ prisma, poolMax, keyring }, embeddedChroma, embedder] = await Promise.all([
    databaseOpening,
    chromaStarting,
    embedderLoading,
  ]);
  const repos = createRepositories(prisma, poolMax, keyring);

  if (config.database.kind === 'embedded') {
    // One process serves the embedded database (its folder is locked), so the
    // key and user lookups every request makes can be cached in this process
    // and still see every revocation and deletion at once (identity-cache.ts).
    repos.apiKeys = new CachedApiKeyRepository(repos.apiKeys);
    repos.users = new CachedUserRepository(repos.users);
  }

  // Vector index: the embedded Chroma child process or an external server.
  const chromaUrl = embeddedChroma?.url ?? (config.chroma.kind === 'external' ? config.chroma.url : '');
  const vectors = new ChromaVectorStore({
    url: chromaUrl,
    modelTag: embedder.model,
    shardTargetRecords: config.vectorShardRecords,
    queryTimeoutMs: config.vectorQueryTimeoutMs,
    log,
  });
  await vectors.open(embedder.dimension);
  stack.push({ name: 'vector store', stop: () => vectors.close() });
  const memoryVectors = new ChromaMemoryIndex(
    new ChromaVectorStore({
      url: chromaUrl,
      modelTag: embedder.model,
      prefix: 'memql-memories',
      shardTargetRecords: config.vectorShardRecords,
      queryTimeoutMs: config.vectorQueryTimeoutMs,
      log,
    }),
  );
  await memoryVectors.open(embedder.dimension);
  stack.push({ name: 'memory vector index', stop: () => memoryVectors.close() });
  return { prisma, repos, vectors, memoryVectors, embedder, embeddedChroma };
}

/**
 * Opens the database alone (embedded or real, migrated) with its keyring
 * when MEMQL_ENCRYPTION_KEY is set; for openStores and the commands that
 * need nothing else (rotate-encryption-key).
 */
export async function openDatabase(
  config: Config,
  log: Logger,
  stack: StopStack,
  onQuery?: () => void,
  embedded: EmbeddedServices = new EmbeddedServices(config, log),
): Promise<{ prisma: PrismaClient; poolMax: number; keyring: UserKeyring | null }> {
  // Private before anything writes into it: 0700/0600, and a umask of 077 for PGlite and the Chroma child.
  await embedded.dataDir();
  // Database: the embedded PGlite server or a real PostgreSQL; the same migrations for both.
  let databaseUrl: string;
  let poolMax: number;
  let stream: (() => Duplex) | undefined;
  if (config.database.kind === 'embedded') {
    const pg = await embedded.database();
    stack.push({ name: 'embedded postgres', stop: () => pg.stop() });
    databaseUrl = pg.url;
    poolMax = 1; // the PGlite socket server serves one connection at a time
    stream = () => pg.connect(); // in process, without the loopback sockets
  } else {
    databaseUrl = config.database.url;
    poolMax = config.database.poolMax;
  }
  await applyMigrations({ url: databaseUrl, log }).catch((error: unknown) => {
    const missing = config.database.kind === 'external' ? missingDatabaseName(error) : null;
    if (missing === null) throw error;
    // An operator's typo, not a crash: say which setting to fix (the URL's host only, never its password).
    throw new ConfigError(
      `DATABASE_URL: the database "${missing}" does not exist on ${new URL(databaseUrl).host}; create it (createdb ${missing}) or correct the name in DATABASE_URL`,
    );
  });
  const prisma = createPrismaClient({ url: databaseUrl, poolMax, onQuery, stream });
  stack.push({ name: 'prisma', stop: () => prisma.$disconnect() });
  if (config.database.kind === 'embedded') {
    // Single-user PostgreSQL has no autovacuum: without this the planner never gets statistics.
    const maintenance = new EmbeddedMaintenance(prisma, log);
    maintenance.start();
    stack.push({ name: 'embedded database maintenance', stop: () => maintenance.stop() });
  }
  // Encryption at rest: the key must be this database's (a check value), and an encrypted database needs one.
  const keyring = await openUserKeyring(prisma, config.encryptionKey);
  if (keyring) log.info('encryption at rest is on (MEMQL_ENCRYPTION_KEY)');
  return { prisma, poolMax, keyring };
}

function createExtractor(config: LlmConfig, log: Logger, metrics: MemqlMetrics, embedder: Embedder): Extractor {
  switch (config.provider) {
    case 'rule-based':
      // The learned fallback votes with USE-lite vectors: only with the server's own USE-lite embedder.
      return new RuleBasedExtractor(
        embedder.model === USE_LITE_MODEL ? { classifier: new KnnClauseClassifier(embedder) } : {},
      );
    case 'openai':
      return new LlmExtractor({ client: meteredChatClient(createChatClient(config, log), metrics), logger: log });
    default: {
      const unreachable: never = config;
      throw new Error(`unknown LLM provider ${JSON.stringify(unreachable)}`);
    }
  }
}

/** Structured exports: the LLM when one is configured, the offline filler otherwise. */
function createStructuredFiller(config: LlmConfig, log: Logger, metrics: MemqlMetrics): StructuredFiller {
  switch (config.provider) {
    case 'rule-based':
      return new OfflineSchemaFiller();
    case 'openai':
      return new LlmStructuredFiller(meteredChatClient(createChatClient(config, log), metrics));
    default: {
      const unreachable: never = config;
      throw new Error(`unknown LLM provider ${JSON.stringify(unreachable)}`);
    }
  }
}

/** The client of the configured OpenAI-compatible chat endpoint (the extractor's; `memql doctor` tries it). */
export function createChatClient(config: Extract<LlmConfig, { provider: 'openai' }>, log: Logger): ChatClient {
  return new OpenAiChatClient({
    baseUrl: config.baseUrl,
    apiKey: config.apiKey,
    model: config.model,
    timeoutMs: config.timeoutMs,
    maxRetries: config.maxRetries,
    logger: log,
  });
}

/** The chat client, counting each call and the tokens the endpoint reports (memql_llm_*). */
function meteredChatClient(client: ChatClient, metrics: MemqlMetrics): ChatClient {
  return {
    model: client.model,
    endpoint: client.endpoint,
    maxAttempts: client.maxAttempts,
    async complete(messages, options) {
      try {
        const completion = await client.complete(messages, options);
        metrics.llmCall('ok', completion.usage);
        return completion;
      } catch (error) {
        metrics.llmCall('error', null);
        throw error;
      }
    },
  };
}

/** The configured embedder (the server's; `memql doctor` tries it). */
export async function createEmbedder(config: EmbeddingsConfig, log: Logger): Promise<Embedder> {
  switch (config.provider) {
    case 'local':
      return UseLiteEmbedder.create();
    case 'hashing':
      return new HashingEmbedder({ dimension: config.dimension });
    case 'openai':
      return OpenAiEmbedder.create({
        baseUrl: config.baseUrl,
        apiKey: config.apiKey,
        model: config.model,
        dimension: config.dimension,
        logger: log,
      });
    default: {
      const unreachable: never = config;
      throw new Error(`unknown embeddings provider ${JSON.stringify(unreachable)}`);
    }
  }
}
