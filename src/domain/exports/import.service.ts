// Imports of export files (export.service.ts writes them) into a project: a
// durable job, like an export. The file is read twice, a line at a time, so
// memory stays bounded whatever its size:
//
// 1. the check: every line parses and validates, the lines come in the
//    order the format promises, and no record conflicts (an id another
//    project holds, or with onConflict FAIL one the project holds). Nothing
//    is written; a bad line fails the import naming its line number.
// 2. the writes: a batch of lines per transaction, with the index jobs of
//    what it wrote (the indexer embeds and indexes chunks and memories
//    again: vectors are never exported) and the job's `done` line, so a
//    process that stops mid-import leaves whole batches and the next start
//    continues after the last committed line. One transaction for the whole
//    file would hold a huge file's rows (and locks) at once.
//
// A conflict that appears between the check and the writes (the app
// creating a record of the file meanwhile) is treated as SKIP.

import { isUuid } from '../../lib/ids.js';
import { requireAdmin } from '../auth/auth.service.js';
import { chunkBlob } from '../blobs/chunking.js';
import { bufferTokens, entersBuffer, storedTokens } from '../blobs/blob.service.js';
import { BadInputError, NotFoundError } from '../errors.js';
import {
  type ImportBatch,
  type ImportConflict,
  type ImportFileSource,
  type ImportLine,
  ImportLineError,
  type ImportPresence,
  type ImportRecord,
  type ImportRepository,
  type ImportStore,
  type Log,
  type ProjectRepository,
} from '../ports.js';
import type { Page, Viewer } from '../types.js';
import { pageRequest } from '../validation.js';
import { EXPORT_FORMAT, EXPORT_VERSION } from './export.service.js';
import { JobRunner } from './job-runner.js';

export interface ImportCommand {
  file: string;
  projectId?: string | null;
  onConflict?: ImportConflict | null;
}

export interface ImportOptions {
  leaseMs: number;
  /** Lines written per transaction. */
  batchLines: number;
}

/** A file name in the export dir: no folders, no dot files. */
const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

export class ImportService {
  private readonly jobs: JobRunner<ImportRecord>;

  constructor(
    private readonly deps: {
      imports: ImportRepository;
      files: ImportFileSource;
      store: ImportStore;
      projects: ProjectRepository;
      log: Log;
    },
    private readonly options: ImportOptions,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.jobs = new JobRunner(
      (id) => this.run(id),
      (id, error) => this.deps.log.error({ err: error, importId: id }, 'import failed unexpectedly'),
      {
        everyMs: Math.max(1, Math.floor(this.options.leaseMs / 3)),
        renew: (id) => this.deps.imports.renew(id, this.lease()),
      },
    );
  }

  /** Admin only. Checks the file's first line at once; the rest is the job's. */
  async create(viewer: Viewer, command: ImportCommand): Promise<ImportRecord> {
    requireAdmin(viewer);
    const projectId = command.projectId ?? viewer.projectId;
    const project = isUuid(projectId) ? await this.deps.projects.findById(projectId) : null;
    if (!project) throw new NotFoundError('Project', projectId);
    const file = command.file;
    if (!FILE_NAME.test(file) || file.includes('..'))
      throw new BadInputError('input.file', 'must be the name of a file in the export dir (no folders)');
    if (!(await this.deps.files.exists(file)))
      throw new BadInputError('input.file', `no file "${file}" in the export dir`);
    try {
      for await (const line of this.deps.files.lines(file)) {
        new LineOrder().accept(line);
        break;
      }
    } catch (error) {
      if (error instanceof ImportLineError) throw new BadInputError('input.file', error.message);
      throw error;
    }
    const job = await this.deps.imports.create({ projectId, file, onConflict: command.onConflict ?? 'FAIL' });
    void this.jobs.start(job.id);
    return job;
  }

  /** Admin only: an upload's name in the export dir, to import. */
  async upload(viewer: Viewer, chunks: AsyncIterable<Uint8Array>): Promise<{ file: string; bytes: number }> {
    requireAdmin(viewer);
    return this.deps.files.store(chunks);
  }

  async find(viewer: Viewer, id: string): Promise<ImportRecord | null> {
    requireAdmin(viewer);
    return isUuid(id) ? this.deps.imports.findById(id) : null;
  }

  async list(
    viewer: Viewer,
    first: number | null | undefined,
    after: string | null | undefined,
  ): Promise<Page<ImportRecord>> {
    requireAdmin(viewer);
    return this.deps.imports.list(pageRequest(first, after));
  }

  /** Runs (or continues) what a stopped process left; called at start and periodically (a killed process's job, once its lease passes). */
  async resume(): Promise<number> {
    const ids = await this.deps.imports.unfinished(this.clock(), 100);
    for (const id of ids) void this.jobs.start(id);
    return ids.length;
  }

  /** Resolves once the job in flight (if any) is done. */
  settled(id: string): Promise<void> {
    return this.jobs.settled(id);
  }

  stop(): Promise<void> {
    return this.jobs.stop();
  }

  private lease(): Date {
    return new Date(this.clock().getTime() + this.options.leaseMs);
  }

  private async run(id: string): Promise<ImportRecord | null> {
    const job = await this.deps.imports.claim(id, this.options.leaseMs, this.clock());
    if (!job) return null;
    try {
      // Lines committed mean the check passed before: go on after them.
      if (job.done === 0) await this.check(job);
      await this.write(job);
      const finished = await this.deps.imports.finish(job.id, {
        status: 'FINISHED',
        error: null,
        errorCode: null,
        finishedAt: this.clock(),
      });
      await this.deps.files.removeUpload(job.file);
      return finished;
    } catch (error) {
      const badFile = error instanceof ImportLineError;
      if (this.jobs.stopped && !badFile) return null; // left RUNNING: taken again once its lease passes
      const message = error instanceof Error ? error.message : String(error);
      this.deps.log.warn({ importId: id, error: message }, 'import failed');
      return this.deps.imports.finish(job.id, {
        status: 'FAILED',
        error: message,
        errorCode: badFile ? 'BAD_USER_INPUT' : 'INTERNAL_SERVER_ERROR',
        finishedAt: this.clock(),
      });
    }
  }

  /** Pass 1: every line valid and in order, no conflict; returns the number of lines. Writes nothing. */
  private async check(job: ImportRecord): Promise<number> {
    const order = new LineOrder();
    let batch: ImportLine[] = [];
    let lines = 0;
    const flush = async () => {
      if (batch.length === 0) return;
      const presence = await this.deps.store.presence(job.projectId, batch);
      for (const line of batch) conflictOf(line, presence, job.onConflict);
      batch = [];
      await this.deps.imports.checked(job.id, 0, this.lease());
    };
    for await (const line of this.deps.files.lines(job.file)) {
      if (this.jobs.stopped) throw new Error('the server is stopping; the import runs again at the next start');
      order.accept(line);
      batch.push(line);
      lines = line.line;
      if (batch.length >= this.options.batchLines) await flush();
    }
    await flush();
    if (lines === 0) throw new ImportLineError(1, 'the file is empty');
    order.end(lines);
    await this.deps.imports.checked(job.id, lines, this.lease());
    return lines;
  }

  /** Pass 2: the lines after `done`, a batch per transaction. */
  private async write(job: ImportRecord): Promise<void> {
    let batch: ImportBatch = { lines: [], blobs: new Map(), lastLine: job.done };
    const flush = async () => {
      if (batch.lines.length === 0) return;
      await this.deps.store.write(job.id, job.projectId, batch, job.onConflict, this.lease());
      batch = { lines: [], blobs: new Map(), lastLine: batch.lastLine };
    };
    for await (const line of this.deps.files.lines(job.file)) {
      if (line.line <= job.done) continue;
      if (this.jobs.stopped) throw new Error('the server is stopping; the import goes on at the next start');
      batch.lines.push(line);
      batch.lastLine = line.line;
      if (line.type === 'blob') {
        const content = line.blob.content;
        const chunks = chunkBlob(content);
        batch.blobs.set(line.blob.id, {
          chunks,
          bufferTokens: entersBuffer(content) ? bufferTokens(content) : 0,
          storedTokens: line.storedTokens ?? storedTokens(chunks),
        });
      }
      if (batch.lines.length >= this.options.batchLines) await flush();
    }
    await flush();
  }
}

/** The presence keys of a line's records: `kind:id` (users by their external id). */
export function recordKeysOf(line: ImportLine): { key: string; name: string }[] {
  switch (line.type) {
    case 'header':
      return [];
    case 'profileConfig':
      return line.custom ? [{ key: 'profileConfig:', name: 'a custom profile configuration' }] : [];
    case 'user':
      return [{ key: `user:${line.id}`, name: `user "${line.id}"` }];
    case 'blob':
      return [{ key: `blob:${line.blob.id}`, name: `blob ${line.blob.id}` }];
    case 'event':
      return [{ key: `event:${line.event.id}`, name: `event ${line.event.id}` }];
    case 'memory':
      return [
        { key: `memory:${line.memory.id}`, name: `memory ${line.memory.id}` },
        ...line.history.map((change) => ({ key: `change:${change.id}`, name: `memory change ${change.id}` })),
      ];
    default: {
      const unreachable: never = line;
      throw new Error(`unknown import line ${JSON.stringify(unreachable)}`);
    }
  }
}

/** Throws the line's first conflict: an id of another project (always), one of this project (FAIL). */
function conflictOf(line: ImportLine, presence: ImportPresence, onConflict: ImportConflict): void {
  for (const { key, name } of recordKeysOf(line)) {
    // Ids are global: another project's record can be neither replaced nor given a second owner.
    if (presence.elsewhere.has(key))
      throw new ImportLineError(line.line, `${name}: the id is taken outside this project; it cannot be imported here`);
    const held = key === 'profileConfig:' ? presence.customProfile : presence.inProject.has(key);
    // A change is part of its memory: the memory's own conflict decides.
    if (held && onConflict === 'FAIL' && !key.startsWith('change:'))
      throw new ImportLineError(
        line.line,
        `the project already holds ${name} (onConflict: FAIL; SKIP keeps it, OVERWRITE replaces it)`,
      );
  }
}

/**
 * The order the format promises: the header first (this format, this
 * version), the profile configuration before any user, then per user the
 * user, its blobs, its events, its memories (a memory's history points at
 * events already seen). Holds the current user's event ids only.
 */
class LineOrder {
  private seenHeader = false;
  private seenUsers = new Set<string>();
  private user: string | null = null;
  private stage: 'blob' | 'event' | 'memory' = 'blob';
  private events = new Set<string>();

  accept(line: ImportLine): void {
    const fail = (problem: string): never => {
      throw new ImportLineError(line.line, problem);
    };
    if (!this.seenHeader && line.type !== 'header')
      fail(`the first line must be the header ({"type":"header","format":"${EXPORT_FORMAT}",...})`);
    switch (line.type) {
      case 'header':
        if (this.seenHeader) fail('a second header');
        if (line.version !== EXPORT_VERSION)
          fail(`format version ${line.version} cannot be imported (this server reads version ${EXPORT_VERSION})`);
        this.seenHeader = true;
        return;
      case 'profileConfig':
        if (this.user !== null) fail('the profile configuration must come before the users');
        return;
      case 'user':
        if (this.seenUsers.has(line.id)) fail(`user "${line.id}" appears twice`);
        this.seenUsers.add(line.id);
        this.user = line.id;
        this.stage = 'blob';
        this.events.clear();
        return;
      case 'blob':
        this.within(line.userId, 'blob', fail);
        return;
      case 'event':
        this.within(line.userId, 'event', fail);
        this.events.add(line.event.id);
        return;
      case 'memory':
        this.within(line.userId, 'memory', fail);
        for (const change of line.history)
          if (change.eventId !== null && !this.events.has(change.eventId))
            fail(
              `memory change ${change.id} points at event ${change.eventId}, which is not among user "${line.userId}"'s events above`,
            );
        return;
      default: {
        const unreachable: never = line;
        fail(`unknown line ${JSON.stringify(unreachable)}`);
      }
    }
  }

  end(lines: number): void {
    if (!this.seenHeader) throw new ImportLineError(lines, 'no header');
  }

  private within(userId: string, stage: 'blob' | 'event' | 'memory', fail: (problem: string) => never): void {
    if (this.user !== userId) fail(`a ${stage} of user "${userId}" outside that user's section (after its user line)`);
    const rank = { blob: 0, event: 1, memory: 2 } as const;
    if (rank[stage] < rank[this.stage])
      fail(`a ${stage} after the user's ${this.stage}s (the order is blobs, events, memories)`);
    this.stage = stage;
  }
}
