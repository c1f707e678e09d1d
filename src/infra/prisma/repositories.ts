// Every Prisma adapter of the domain's persistence ports, over one client.

import type {
  ApiKeyRepository,
  BlobRepository,
  BlobRetentionRepository,
  ChunkRepository,
  EventRepository,
  IndexJobQueue,
  IndexStateRepository,
  ExportRepository,
  ImportRepository,
  ImportStore,
  MemoryExportRepository,
  MemoryRepository,
  ProcessingRepository,
  ProfileConfigRepository,
  ProjectRepository,
  UsageRepository,
  UserRepository,
  WebhookRepository,
} from '../../domain/ports.js';
import { PrismaApiKeyRepository } from './api-key.repository.js';
import { PrismaBlobRepository } from './blob.repository.js';
import { PrismaBlobRetentionRepository } from './blob-retention.repository.js';
import { PrismaChunkRepository } from './chunk.repository.js';
import { PrismaEventRepository } from './event.repository.js';
import type { PrismaClient } from './generated/client.js';
import { PrismaIndexJobQueue } from './index-job.repository.js';
import { PrismaIndexStateRepository } from './index-state.repository.js';
import { PrismaExportRepository } from './export.repository.js';
import { PrismaImportRepository, PrismaImportStore } from './import.repository.js';
import { PrismaMemoryExportRepository } from './memory-export.repository.js';
import { PrismaMemoryRepository } from './memory.repository.js';
import { PrismaProcessingRepository } from './processing.repository.js';
import { PrismaProfileConfigRepository } from './profile-config.repository.js';
import { PrismaProjectRepository } from './project.repository.js';
import { PrismaUsageRepository } from './usage.repository.js';
import { PrismaUserRepository } from './user.repository.js';
import { PrismaWebhookRepository } from './webhook.repository.js';
import type { UserKeyring } from './encryption/user-keys.js';

export interface Repositories {
  projects: ProjectRepository;
  apiKeys: ApiKeyRepository;
  users: UserRepository;
  blobs: BlobRepository;
  blobRetention: BlobRetentionRepository;
  chunks: ChunkRepository;
  indexJobs: IndexJobQueue;
  indexState: IndexStateRepository;
  memories: MemoryRepository;
  events: EventRepository;
  processing: ProcessingRepository;
  profileConfigs: ProfileConfigRepository;
  usage: UsageRepository;
  memoryExports: MemoryExportRepository;
  webhooks: WebhookRepository;
  exports: ExportRepository;
  imports: ImportRepository;
  importStore: ImportStore;
}

/**
 * `poolMax`: the pool's connections; concurrent blob inserts use at most half
 * of them (one on the embedded database). `keys`: encryption at rest
 * (MEMQL_ENCRYPTION_KEY); null: off, and the repositories read and write the
 * columns as they are.
 */
export function createRepositories(db: PrismaClient, poolMax = 1, keys: UserKeyring | null = null): Repositories {
  return {
    projects: new PrismaProjectRepository(db),
    apiKeys: new PrismaApiKeyRepository(db),
    users: new PrismaUserRepository(db, keys),
    blobs: new PrismaBlobRepository(db, Math.max(1, Math.floor(poolMax / 2)), keys),
    blobRetention: new PrismaBlobRetentionRepository(db),
    chunks: new PrismaChunkRepository(db, keys),
    indexJobs: new PrismaIndexJobQueue(db),
    indexState: new PrismaIndexStateRepository(db),
    memories: new PrismaMemoryRepository(db, keys),
    events: new PrismaEventRepository(db, keys),
    processing: new PrismaProcessingRepository(db, keys),
    profileConfigs: new PrismaProfileConfigRepository(db),
    usage: new PrismaUsageRepository(db),
    memoryExports: new PrismaMemoryExportRepository(db, keys),
    webhooks: new PrismaWebhookRepository(db, keys),
    exports: new PrismaExportRepository(db),
    imports: new PrismaImportRepository(db),
    importStore: new PrismaImportStore(db, keys),
  };
}
