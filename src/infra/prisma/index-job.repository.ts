import type { IndexJob, IndexJobQueue } from '../../domain/ports.js';
import type { IndexJob as IndexJobRow, PrismaClient } from './generated/client.js';
import { CorruptRowError } from './blob.mappers.js';

/** Longer error messages are cut: they are for operators, not a log store. */
const MAX_ERROR_LENGTH = 2000;

function toIndexJob(row: IndexJobRow): IndexJob {
  const base = { id: row.id, projectId: row.projectId, userPk: row.userPk, attempts: row.attempts };
  switch (row.kind) {
    case 'UPSERT_BLOB':
    case 'DELETE_BLOB':
      if (row.blobId === null) throw new CorruptRowError('IndexJob', String(row.id), `${row.kind} without a blobId`);
      return { ...base, kind: row.kind, blobId: row.blobId };
    case 'DELETE_USER':
    case 'DELETE_USER_MEMORIES':
    case 'DELETE_USER_BLOBS':
      return { ...base, kind: row.kind, blobId: null };
    case 'SYNC_MEMORY':
      if (row.memoryId === null)
        throw new CorruptRowError('IndexJob', String(row.id), `${row.kind} without a memoryId`);
      return { ...base, kind: row.kind, blobId: null, memoryId: row.memoryId };
    default: {
      const unreachable: never = row.kind;
      throw new CorruptRowError('IndexJob', String(row.id), `unknown kind ${String(unreachable)}`);
    }
  }
}

/**
 * The outbox between the database and the vector index. Jobs are written by
 * the blob and user repositories in the transaction of the change they
 * mirror; the indexer reads them here.
 */
export class PrismaIndexJobQueue implements IndexJobQueue {
  constructor(private readonly db: PrismaClient) {}

  /** Jobs with availableAt <= now (and an id above `after`), by id (the order they were committed in, per writer). */
  async due(limit: number, after: bigint | null = null): Promise<IndexJob[]> {
    const rows = await this.db.indexJob.findMany({
      where:
        after === null ? { availableAt: { lte: new Date() } } : { availableAt: { lte: new Date() }, id: { gt: after } },
      orderBy: { id: 'asc' },
      take: limit,
    });
    return rows.map(toIndexJob);
  }

  async complete(ids: readonly bigint[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db.indexJob.deleteMany({ where: { id: { in: [...ids] } } });
  }

  /** Counts the attempt, records the error and hides the job until `at`. A completed job is left alone. */
  async retryLater(id: bigint, error: string, at: Date): Promise<void> {
    await this.db.indexJob.updateMany({
      where: { id },
      data: { attempts: { increment: 1 }, lastError: error.slice(0, MAX_ERROR_LENGTH), availableAt: at },
    });
  }

  /** Every job not yet completed, due or not. */
  pendingCount(): Promise<number> {
    return this.db.indexJob.count();
  }
}
