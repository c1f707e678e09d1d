// What every resolver sees: who is calling, the use cases, and loaders that
// live for this request only.

import type { AuthService } from './domain/auth/auth.service.js';
import type { ContextService } from './domain/context/context.service.js';
import type { ExportService } from './domain/exports/export.service.js';
import type { ImportService } from './domain/exports/import.service.js';
import type { MemoryExportService } from './domain/exports/memory-export.service.js';
import type { BlobService } from './domain/blobs/blob.service.js';
import type { QueryService } from './domain/search/query.service.js';
import type { BufferScheduler } from './domain/memory/buffer-scheduler.js';
import type { MemoryEditService } from './domain/memory/memory-edits.service.js';
import type { MemorySearchService } from './domain/memory/memory-search.service.js';
import type { MemoryService } from './domain/memory/memory.service.js';
import type { EventBus } from './domain/ports.js';
import type { SearchNotice } from './domain/search/lexical-fallback.js';
import type { Viewer } from './domain/types.js';
import type { UsageService } from './domain/usage/usage.service.js';
import type { UserService } from './domain/users/user.service.js';
import type { WebhookService } from './domain/webhooks/webhook.service.js';
import type { Logger } from './lib/logger.js';
import type { Loaders } from './loaders/loaders.js';

export interface Services {
  auth: AuthService;
  users: UserService;
  blobs: BlobService;
  query: QueryService;
  memories: MemoryService;
  memoryEdits: MemoryEditService;
  memorySearch: MemorySearchService;
  buffer: BufferScheduler;
  context: ContextService;
  usage: UsageService;
  memoryExports: MemoryExportService;
  webhooks: WebhookService;
  exports: ExportService;
  imports: ImportService;
  events: EventBus;
}

export interface Context {
  viewer: Viewer;
  services: Services;
  loaders: Loaders;
  log: Logger;
  requestId: string;
  /**
   * Said in the response's `extensions.notices`: a search served lexically
   * while the vector index was down, how a search's rerank went.
   */
  notices: ResponseNotice[];
}

/** A notice and the field of the answer it is about. */
export type ResponseNotice = SearchNotice & { path: readonly (string | number)[] };
