// Lossless exports: a project's data (or some of its users') as one JSON
// Lines file. The job is a row (it survives a restart: a job left RUNNING
// by a dead process is written again from the start once its lease passes);
// records are read a page at a time and written with back-pressure, so the
// memory an export needs does not grow with its size. Vectors are never
// exported: an import re-indexes through the outbox.
//
// Lines, in order: a header (format, version, the embedding model and
// dimension); the project's profile configuration; then for each user: the
// user, its blobs (unless includeBlobs is false), its events, its memories
// with their full history (after the events their changes point at).

import { isUuid } from '../../lib/ids.js';
import { BadInputError, NotFoundError } from '../errors.js';
import { type MemorySelection, parseMemoryFilter } from '../memory/memory-filter.js';
import type { MemoryKeyset } from '../memory/memory-page.js';
import type {
  BlobRepository,
  EventRepository,
  ExportFileStore,
  ExportRecord,
  ExportRepository,
  ExportWriter,
  Log,
  MemoryRepository,
  ProfileConfigRepository,
  UserRepository,
} from '../ports.js';
import { DEFAULT_PROFILE_CONFIG } from '../profile/default-profile.js';
import type { JsonValue, Page, PageRequest, UserRecord, Viewer } from '../types.js';
import { pageRequest } from '../validation.js';
import { JobRunner } from './job-runner.js';

export const EXPORT_FORMAT = 'memql-export';
/** 2: events before memories (a change points at its event), blobs with insertedAt and extraction. */
export const EXPORT_VERSION = 2;
export const MAX_EXPORT_USERS = 1_000;
const PAGE = 100;

export interface CreateExportCommand {
  userIds?: readonly string[] | null;
  filter?: unknown;
  includeBlobs?: boolean | null;
}

export interface ExportOptions {
  leaseMs: number;
  /** Exports older than this are deleted with their files. */
  retentionMs: number;
}

/** Everything lossless: deleted and expired memories too, with their history. */
const EVERY_MEMORY: MemorySelection = { where: null, includeDeleted: true, includeExpired: true };

export class ExportService {
  private readonly jobs: JobRunner<ExportRecord>;

  constructor(
    private readonly deps: {
      exports: ExportRepository;
      files: ExportFileStore;
      users: UserRepository;
      blobs: BlobRepository;
      memories: MemoryRepository;
      events: EventRepository;
      profileConfigs: ProfileConfigRepository;
      embedding: { model: string; dimension: number };
      log: Log;
    },
    private readonly options: ExportOptions,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.jobs = new JobRunner(
      (id) => this.run(id),
      (id, error) => this.deps.log.error({ err: error, exportId: id }, 'export failed unexpectedly'),
      {
        everyMs: Math.max(1, Math.floor(this.options.leaseMs / 3)),
        renew: (id) => this.deps.exports.renew(id, this.lease()),
      },
    );
  }

  async create(viewer: Viewer, command: CreateExportCommand): Promise<ExportRecord> {
    const userIds = [...(command.userIds ?? [])];
    if (userIds.length > MAX_EXPORT_USERS)
      throw new BadInputError('input.userIds', `at most ${MAX_EXPORT_USERS} users (none: every user)`);
    for (const [i, id] of userIds.entries()) {
      const user =
        id.length >= 1 && id.length <= 128 ? await this.deps.users.findByExternalId(viewer.projectId, id) : null;
      if (!user) throw new NotFoundError('User', userIds[i]!);
    }
    parseMemoryFilter(command.filter, 'input.filter');
    const filter =
      command.filter === undefined || command.filter === null
        ? null
        : (JSON.parse(JSON.stringify(command.filter)) as JsonValue);
    const job = await this.deps.exports.create({
      projectId: viewer.projectId,
      userIds: [...new Set(userIds)],
      filter,
      includeBlobs: command.includeBlobs !== false,
    });
    void this.jobs.start(job.id);
    return job;
  }

  find(viewer: Viewer, id: string): Promise<ExportRecord | null> {
    return isUuid(id) ? this.deps.exports.findById(viewer.projectId, id) : Promise.resolve(null);
  }

  list(
    viewer: Viewer,
    first: number | null | undefined,
    after: string | null | undefined,
  ): Promise<Page<ExportRecord>> {
    return this.deps.exports.list(viewer.projectId, pageRequest(first, after));
  }

  /** The finished file of one of the viewer's exports, or null (absent, another project's, not finished). */
  async download(viewer: Viewer, id: string): Promise<{ bytes: number; chunks: AsyncIterable<Uint8Array> } | null> {
    const job = await this.find(viewer, id);
    if (job?.status !== 'FINISHED') return null;
    return this.deps.files.read(job.id);
  }

  /** Runs what a stopped process left, and deletes exports past their retention. */
  async resume(): Promise<number> {
    await this.sweep();
    return this.takeOver();
  }

  /** Starts the exports waiting: PENDING, or left RUNNING by a process whose lease has passed (called periodically). */
  async takeOver(): Promise<number> {
    const ids = await this.deps.exports.unfinished(this.clock(), 100);
    for (const id of ids) void this.jobs.start(id);
    return ids.length;
  }

  private lease(): Date {
    return new Date(this.clock().getTime() + this.options.leaseMs);
  }

  /** Deletes the exports (rows and files) older than the retention. */
  async sweep(): Promise<number> {
    const gone = await this.deps.exports.deleteOlderThan(new Date(this.clock().getTime() - this.options.retentionMs));
    for (const id of gone) await this.deps.files.remove(id);
    if (gone.length > 0) this.deps.log.info({ deleted: gone.length }, 'deleted exports past their retention');
    return gone.length;
  }

  /**
   * The export each time its progress or status changes (read every
   * `pollMs`, so any process's progress shows), ending after FINISHED or
   * FAILED. return() ends it at once. NOT_FOUND when absent.
   */
  async follow(viewer: Viewer, id: string, pollMs = 200): Promise<AsyncIterableIterator<ExportRecord>> {
    const first = await this.find(viewer, id);
    if (!first) throw new NotFoundError('Export', id);
    let last: string | null = null;
    let ended = false;
    let wake: (() => void) | null = null;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const done = (record: ExportRecord) => record.status === 'FINISHED' || record.status === 'FAILED';
    const finish = (): IteratorResult<ExportRecord> => {
      ended = true;
      if (timer) clearTimeout(timer);
      wake?.();
      return { done: true, value: undefined };
    };
    let pending: ExportRecord | null = first;
    const iterator: AsyncIterableIterator<ExportRecord> = {
      next: async () => {
        for (;;) {
          if (ended) return { done: true, value: undefined };
          const record = pending ?? (await this.find(viewer, id));
          pending = null;
          if (!record) return finish();
          const key = `${record.status}:${record.done}:${record.total}`;
          if (key !== last) {
            last = key;
            if (done(record)) ended = true;
            return { done: false, value: record };
          }
          await new Promise<void>((resolve) => {
            wake = resolve;
            timer = setTimeout(resolve, pollMs);
          });
        }
      },
      return: async () => finish(),
      [Symbol.asyncIterator]() {
        return iterator;
      },
    };
    return iterator;
  }

  /** Resolves once the job in flight (if any) is done. */
  settled(id: string): Promise<void> {
    return this.jobs.settled(id);
  }

  stop(): Promise<void> {
    return this.jobs.stop();
  }

  private async run(id: string): Promise<ExportRecord | null> {
    const job = await this.deps.exports.claim(id, this.options.leaseMs, this.clock());
    if (!job) return null;
    let writer: ExportWriter | null = null;
    try {
      writer = await this.deps.files.create(job.id);
      const users = await this.usersOf(job);
      const lease = () => this.lease();
      await this.deps.exports.progress(job.id, 0, users.length, lease());
      await writer.write(
        line({
          type: 'header',
          format: EXPORT_FORMAT,
          version: EXPORT_VERSION,
          createdAt: job.createdAt.toISOString(),
          embedding: this.deps.embedding,
          users: users.length,
          includeBlobs: job.includeBlobs,
          filter: job.filter,
        }),
      );
      const config = await this.deps.profileConfigs.get(job.projectId);
      await writer.write(
        line({ type: 'profileConfig', config: config ?? DEFAULT_PROFILE_CONFIG, custom: config !== null }),
      );
      const selection = job.filter === null ? EVERY_MEMORY : parseMemoryFilter(job.filter);
      for (const [i, user] of users.entries()) {
        if (this.jobs.stopped) throw new Error('the server is stopping; the export runs again at the next start');
        await this.writeUser(writer, user, job.includeBlobs, selection);
        await this.deps.exports.progress(job.id, i + 1, users.length, lease());
      }
      const bytes = await writer.finish();
      return await this.deps.exports.finish(job.id, {
        status: 'FINISHED',
        bytes,
        error: null,
        finishedAt: this.clock(),
      });
    } catch (error) {
      await writer?.abort();
      const message = error instanceof Error ? error.message : String(error);
      if (this.jobs.stopped) return null; // left RUNNING: taken again once its lease passes
      this.deps.log.warn({ exportId: id, error: message }, 'export failed');
      return this.deps.exports.finish(job.id, {
        status: 'FAILED',
        bytes: null,
        error: message,
        finishedAt: this.clock(),
      });
    }
  }

  private async usersOf(job: ExportRecord): Promise<UserRecord[]> {
    if (job.userIds.length > 0) {
      const users: UserRecord[] = [];
      for (const id of job.userIds) {
        const user = await this.deps.users.findByExternalId(job.projectId, id);
        if (user) users.push(user); // deleted since the export was asked for: nothing to write
      }
      return users;
    }
    return collect((page) => this.deps.users.list(job.projectId, page));
  }

  private async writeUser(
    writer: ExportWriter,
    user: UserRecord,
    includeBlobs: boolean,
    selection: MemorySelection,
  ): Promise<void> {
    await writer.write(
      line({
        type: 'user',
        id: user.id,
        data: user.data,
        createdAt: user.createdAt.toISOString(),
        updatedAt: user.updatedAt.toISOString(),
      }),
    );
    if (includeBlobs)
      await eachPage(
        (page) => this.deps.blobs.listByUser(user.pk, { type: null }, page),
        async (blobs) => {
          const storage = await this.deps.blobs.storageOf(blobs.map((blob) => blob.id));
          for (const [i, blob] of blobs.entries())
            await writer.write(
              line({
                type: 'blob',
                userId: user.id,
                id: blob.id,
                content: blob.content,
                metadata: blob.metadata,
                agentId: blob.agentId,
                runId: blob.runId,
                createdAt: blob.createdAt.toISOString(),
                insertedAt: storage[i]?.insertedAt.toISOString() ?? blob.createdAt.toISOString(),
                extraction: storage[i]?.extraction ?? 'NONE',
                storedTokens: storage[i]?.storedTokens ?? 0,
              }),
            );
        },
      );

    await each(
      (page) => this.deps.events.listByUser(user.pk, page),
      async (event) => {
        const { projectId: _p, userPk: _u, ...fields } = event;
        await writer.write(line({ type: 'event', userId: user.id, ...fields }));
      },
    );

    const order = { field: 'createdAt', direction: 'asc' } as const;
    let after: MemoryKeyset | null = null;
    for (;;) {
      const page = await this.deps.memories.list(user.pk, selection, { first: PAGE, after, order }, this.clock());
      const ids = page.items.map((memory) => memory.id);
      const [histories, sources] = await Promise.all([
        this.deps.memories.history(ids),
        this.deps.memories.sourceBlobIds(ids),
      ]);
      for (const [i, memory] of page.items.entries()) {
        const { projectId: _p, userPk: _u, ...fields } = memory;
        await writer.write(
          line({
            type: 'memory',
            userId: user.id,
            ...fields,
            sourceBlobIds: sources[i] ?? [],
            history: (histories[i] ?? []).map(({ projectId: _pp, userPk: _uu, memoryId: _m, ...change }) => change),
          }),
        );
      }
      const last = page.items.at(-1);
      if (!page.hasNextPage || !last) break;
      after = { value: last.createdAt, id: last.id };
    }
  }
}

/** One JSON line; dates become ISO strings. */
function line(record: object): string {
  return JSON.stringify(record);
}

/** Walks a keyset-paged list (createdAt, id) a page at a time. */
async function eachPage<T extends { createdAt: Date; id: string }>(
  fetch: (page: PageRequest) => Promise<Page<T>>,
  visit: (items: T[]) => Promise<void>,
): Promise<void> {
  let after: PageRequest['after'] = null;
  for (;;) {
    const page = await fetch({ first: PAGE, after });
    await visit(page.items);
    const last = page.items.at(-1);
    if (!page.hasNextPage || !last) return;
    after = { createdAt: last.createdAt, id: last.id };
  }
}

/** Walks a keyset-paged list (createdAt, id). */
async function each<T extends { createdAt: Date; id: string }>(
  fetch: (page: PageRequest) => Promise<Page<T>>,
  visit: (item: T) => Promise<void>,
): Promise<void> {
  await eachPage(fetch, async (items) => {
    for (const item of items) await visit(item);
  });
}

async function collect<T extends { createdAt: Date; id: string }>(
  fetch: (page: PageRequest) => Promise<Page<T>>,
): Promise<T[]> {
  const items: T[] = [];
  await each(fetch, async (item) => {
    items.push(item);
  });
  return items;
}
