// Per-request DataLoaders over the repositories' batch methods. Created fresh
// for every request (and every subscription operation) so nothing is cached
// across callers or projects; a subscription clears them before each event, so
// an event never shows what an earlier one cached (a blob forgotten since).

import DataLoader from 'dataloader';
import { NotFoundError } from '../domain/errors.js';
import type {
  BlobListFilter,
  BlobRepository,
  MemoryRepository,
  ProcessingRepository,
  ScopeUsage,
  UserRepository,
} from '../domain/ports.js';
import type { BlobRecord, BufferStatus, MemoryChangeRecord, MemoryRecord, Page, UserRecord } from '../domain/types.js';
import { DEFAULT_PAGE_SIZE, pageRequest } from '../domain/validation.js';

export interface Loaders {
  userByPk: DataLoader<string, UserRecord>;
  /** Blobs by id; null for a blob deleted since it was referenced. */
  blobById: DataLoader<string, BlobRecord | null>;
  memoryById: DataLoader<string, MemoryRecord>;
  memorySourceIds: DataLoader<string, string[]>;
  memoryHistory: DataLoader<string, MemoryChangeRecord[]>;
  eventChanges: DataLoader<string, MemoryChangeRecord[]>;
  bufferStatus: DataLoader<string, BufferStatus>;
  /** Per user pk: live memories, blobs, agents and runs in use. */
  memoryCount: DataLoader<string, number>;
  blobCount: DataLoader<string, number>;
  agents: DataLoader<string, ScopeUsage[]>;
  runs: DataLoader<string, ScopeUsage[]>;
  /** The first page of a user's blobs, batched across users. */
  firstBlobPage(user: UserRecord, filter: BlobListFilter, first: number | null | undefined): Promise<Page<BlobRecord>>;
  /** Forgets everything loaded so far (a subscription, before it resolves its next event). */
  clearAll(): void;
}

export interface LoaderSources {
  users: UserRepository;
  blobs: BlobRepository;
  memories: MemoryRepository;
  processing: ProcessingRepository;
}

export function createLoaders(repos: LoaderSources): Loaders {
  const orNotFound =
    <T>(entity: string) =>
    (rows: (T | null)[], keys: readonly string[]) =>
      rows.map((row, i) => row ?? new NotFoundError(entity, keys[i]!));

  // One loader per (type, page size): users asking the same thing share a batch.
  const pageLoaders = new Map<string, DataLoader<string, Page<BlobRecord>>>();
  const firstBlobPage = (user: UserRecord, filter: BlobListFilter, first: number | null | undefined) => {
    const size = pageRequest(first ?? DEFAULT_PAGE_SIZE, null).first;
    const key = `${filter.type ?? '*'}|${size}`;
    let loader = pageLoaders.get(key);
    if (!loader) {
      loader = new DataLoader<string, Page<BlobRecord>>((pks) => repos.blobs.listFirstPageByUsers(pks, filter, size));
      pageLoaders.set(key, loader);
    }
    return loader.load(user.pk);
  };

  const loaders: Omit<Loaders, 'firstBlobPage' | 'clearAll'> = {
    userByPk: new DataLoader<string, UserRecord>(async (pks) =>
      orNotFound<UserRecord>('User')(await repos.users.findByPks(pks), pks),
    ),
    blobById: new DataLoader((ids) => repos.blobs.findByIds(ids)),
    memoryById: new DataLoader<string, MemoryRecord>(async (ids) =>
      orNotFound<MemoryRecord>('Memory')(await repos.memories.findByIds(ids), ids),
    ),
    memorySourceIds: new DataLoader((ids) => repos.memories.sourceBlobIds(ids)),
    memoryHistory: new DataLoader((ids) => repos.memories.history(ids)),
    eventChanges: new DataLoader((ids) => repos.memories.changesOfEvents(ids)),
    bufferStatus: new DataLoader((pks) => repos.processing.status(pks)),
    memoryCount: new DataLoader((pks) => repos.memories.countLive(pks, new Date())),
    blobCount: new DataLoader((pks) => repos.blobs.countByUsers(pks)),
    agents: new DataLoader((pks) => repos.memories.scopeUsage(pks, 'agentId', new Date())),
    runs: new DataLoader((pks) => repos.memories.scopeUsage(pks, 'runId', new Date())),
  };
  return {
    ...loaders,
    firstBlobPage,
    clearAll: () => {
      for (const loader of Object.values(loaders)) loader.clearAll();
      pageLoaders.clear();
    },
  };
}
