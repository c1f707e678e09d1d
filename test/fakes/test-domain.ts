// The domain services wired on in-memory fakes, as src/app.ts wires them on
// Prisma, Chroma and the configured embedder and extractor, minus transport
// and background loops. A unit test of a use case is three lines:
//
//   const domain = await createTestDomain();
//   const user = await domain.newUser('ann');
//   await domain.services.blobs.insert(user, { doc: { content: 'Hello.' } });
//
// Nothing runs in the background unless a test starts it: call
// `domain.indexer.drain()` to index, `domain.services.buffer.flushAndWait()`
// to extract. The embedder is the real deterministic hashing embedder, the
// event bus the real in-memory bus.

import os from 'node:os';
import path from 'node:path';
import type { Services } from '../../src/context.js';
import { ImportService } from '../../src/domain/exports/import.service.js';
import { ImportFiles } from '../../src/infra/files/import-files.js';
import { InMemoryImportRepository, RefusingImportStore } from './in-memory.imports.js';
import { AuthService } from '../../src/domain/auth/auth.service.js';
import { BlobService } from '../../src/domain/blobs/blob.service.js';
import { ExportService } from '../../src/domain/exports/export.service.js';
import { MemoryExportService } from '../../src/domain/exports/memory-export.service.js';
import { OfflineSchemaFiller } from '../../src/domain/exports/offline.filler.js';
import { ContextService } from '../../src/domain/context/context.service.js';
import { Indexer, type IndexerOptions } from '../../src/domain/indexing/indexer.js';
import { BufferScheduler, type SchedulerOptions } from '../../src/domain/memory/buffer-scheduler.js';
import { MemoryProcessor, type ProcessorOptions } from '../../src/domain/memory/memory-processor.js';
import { ExpirySweeper } from '../../src/domain/memory/expiry-sweeper.js';
import { MemoryEditService } from '../../src/domain/memory/memory-edits.service.js';
import { DEFAULT_MEMORY_HYBRID, MemorySearchService } from '../../src/domain/memory/memory-search.service.js';
import { MemoryService } from '../../src/domain/memory/memory.service.js';
import type { Embedder, Extractor, Log, StructuredFiller } from '../../src/domain/ports.js';
import { DEFAULT_HYBRID, type HybridOptions, QueryService } from '../../src/domain/search/query.service.js';
import type { Project, UserRecord, Viewer } from '../../src/domain/types.js';
import { UsageService } from '../../src/domain/usage/usage.service.js';
import { WebhookService } from '../../src/domain/webhooks/webhook.service.js';
import { AcceptingWebhookTransport, InMemoryWebhookRepository } from './in-memory.webhooks.js';
import { UserService } from '../../src/domain/users/user.service.js';
import { HashingEmbedder } from '../../src/infra/embeddings/hashing.embedder.js';
import { AjvSchemaValidator } from '../../src/infra/jsonschema/ajv.validator.js';
import { GptTokenCounter } from '../../src/infra/tokens/gpt.token-counter.js';
import { InMemoryEventBus } from '../../src/infra/pubsub/memory.event-bus.js';
import { generateSecret } from '../../src/lib/secrets.js';
import { InMemoryExportFiles } from './in-memory.export-files.js';
import { createInMemoryRepositories, type InMemoryRepositories } from './in-memory.repositories.js';
import { InMemoryMemoryVectorIndex, InMemoryVectorStore } from './in-memory.vector-store.js';
import { ScriptedExtractor } from './scripted.extractor.js';

export interface LogEntry {
  level: 'debug' | 'info' | 'warn' | 'error';
  details: object;
  message: string;
}

/** A Log that keeps what it was told, for assertions. */
export class RecordingLog implements Log {
  readonly entries: LogEntry[] = [];

  debug(details: object, message: string): void {
    this.entries.push({ level: 'debug', details, message });
  }
  info(details: object, message: string): void {
    this.entries.push({ level: 'info', details, message });
  }
  warn(details: object, message: string): void {
    this.entries.push({ level: 'warn', details, message });
  }
  error(details: object, message: string): void {
    this.entries.push({ level: 'error', details, message });
  }

  at(level: LogEntry['level']): LogEntry[] {
    return this.entries.filter((entry) => entry.level === level);
  }
}

export interface TestDomainOptions<E extends Extractor> {
  /** Default: a ScriptedExtractor with nothing queued. */
  extractor?: E;
  /** Default: the hashing embedder at 256 dimensions. */
  embedder?: Embedder;
  processor?: Partial<ProcessorOptions>;
  scheduler?: Partial<SchedulerOptions>;
  indexer?: Partial<IndexerOptions>;
  hybrid?: HybridOptions;
  /** Structured exports. Default: the offline filler. */
  filler?: StructuredFiller;
}

export interface TestDomain<E extends Extractor = ScriptedExtractor> {
  repos: InMemoryRepositories;
  vectors: InMemoryVectorStore;
  memoryVectors: InMemoryMemoryVectorIndex;
  embedder: Embedder;
  extractor: E;
  events: InMemoryEventBus;
  log: RecordingLog;
  services: Services;
  indexer: Indexer;
  processor: MemoryProcessor;
  processorOptions: ProcessorOptions;
  /** Deletes expired memories once started; not started by default. */
  sweeper: ExpirySweeper;
  /** The `default` project, as AuthService.bootstrap made it. */
  project: Project;
  /** The admin key's viewer (acts on the default project). */
  admin: Viewer;
  /** A user of the default project (or of `viewer`'s project). */
  newUser(id?: string, viewer?: Viewer): Promise<UserRecord>;
  /** A new project and the viewer of a project key for it. */
  newProject(name: string): Promise<Viewer>;
  /** Stops the loops a test may have started and closes the bus. */
  stop(): Promise<void>;
}

let userCounter = 0;

export async function createTestDomain<E extends Extractor = ScriptedExtractor>(
  options: TestDomainOptions<E> = {},
): Promise<TestDomain<E>> {
  const repos = createInMemoryRepositories();
  const vectors = new InMemoryVectorStore();
  const embedder = options.embedder ?? new HashingEmbedder({ dimension: 256 });
  await vectors.open(embedder.dimension);
  const memoryVectors = new InMemoryMemoryVectorIndex();
  await memoryVectors.open(embedder.dimension);
  const extractor = options.extractor ?? (new ScriptedExtractor() as unknown as E);
  const events = new InMemoryEventBus();
  const log = new RecordingLog();

  const indexer = new Indexer(
    { jobs: repos.indexJobs, chunks: repos.chunks, vectors, memories: repos.memories, memoryVectors, embedder, log },
    options.indexer,
  );
  const processorOptions: ProcessorOptions = {
    workerId: 'worker-test',
    leaseMs: 60_000,
    maxBatchTokens: 8_192,
    maxExistingShown: 150,
    retryBaseMs: 2_000,
    retryMaxMs: 10 * 60_000,
    ...options.processor,
  };
  const processor = new MemoryProcessor(
    {
      processing: repos.processing,
      memories: repos.memories,
      profileConfigs: repos.profileConfigs,
      extractor,
      embedder,
      events,
      log,
      onCommitted: () => indexer.kick(),
    },
    processorOptions,
  );
  const buffer = new BufferScheduler(processor, repos.processing, log, {
    tokenThreshold: 1_024,
    idleMs: 60_000,
    sweepMs: 50,
    concurrency: 2,
    waitTimeoutMs: 5_000,
    ...options.scheduler,
  });

  const auth = new AuthService(repos.projects, repos.apiKeys, events, log);
  const blobs = new BlobService(repos.blobs);
  blobs.onInserted((blob, bufferTokens) => {
    indexer.kick();
    if (bufferTokens > 0) buffer.noteInserted(blob.userPk, bufferTokens);
  });
  const sweeper = new ExpirySweeper({ memories: repos.memories, bus: events, log, onSwept: () => indexer.kick() }, 50);
  const memoryEdits = new MemoryEditService(repos.memories, embedder, events);
  memoryEdits.onChanged(() => indexer.kick());
  const memorySearch = new MemorySearchService(
    repos.memories,
    repos.users,
    memoryVectors,
    embedder,
    options.hybrid ?? DEFAULT_MEMORY_HYBRID,
  );
  const exportFiles = new InMemoryExportFiles();
  const services: Services = {
    auth,
    users: new UserService(repos.users, events, exportFiles),
    blobs,
    query: new QueryService(repos.chunks, repos.blobs, vectors, embedder, options.hybrid ?? DEFAULT_HYBRID),
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
    memoryExports: new MemoryExportService({
      exports: repos.memoryExports,
      memories: repos.memories,
      profileConfigs: repos.profileConfigs,
      validator: new AjvSchemaValidator(),
      filler: options.filler ?? new OfflineSchemaFiller(),
      log,
    }),
    webhooks: new WebhookService(new InMemoryWebhookRepository(), new AcceptingWebhookTransport()),
    exports: new ExportService(
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
      { leaseMs: 60_000, retentionMs: 7 * 24 * 3_600_000 },
    ),
    imports: new ImportService(
      {
        imports: new InMemoryImportRepository(),
        files: new ImportFiles(path.join(os.tmpdir(), 'memql-unit-imports')),
        store: new RefusingImportStore(),
        projects: repos.projects,
        log,
      },
      { leaseMs: 60_000, batchLines: 100 },
    ),
    events,
  };

  const adminSecret = generateSecret();
  const project = await auth.bootstrap(adminSecret);
  const admin = await auth.authenticate(`Bearer ${adminSecret}`);

  return {
    repos,
    vectors,
    memoryVectors,
    embedder,
    extractor,
    events,
    log,
    services,
    indexer,
    processor,
    processorOptions,
    sweeper,
    project,
    admin,
    newUser: (id, viewer = admin) => services.users.create(viewer, { id: id ?? `user-${++userCounter}` }),
    newProject: async (name) => {
      const created = await auth.createProject(admin, name);
      const { secret } = await auth.createApiKey(admin, created.id, name);
      return auth.authenticate(`Bearer ${secret}`);
    },
    stop: async () => {
      await sweeper.stop();
      await buffer.stop();
      await indexer.stop();
      await events.close();
    },
  };
}
