import type { ExportRecord, ExportRepository, ExportStatus } from '../../domain/ports.js';
import type { JsonValue, Page, PageRequest } from '../../domain/types.js';
import type { Export as Row, Prisma, PrismaClient } from './generated/client.js';

function toRecord(row: Row): ExportRecord {
  return {
    id: row.id,
    projectId: row.projectId,
    userIds: row.userIds ?? [],
    filter: (row.filter ?? null) as JsonValue | null,
    includeBlobs: row.includeBlobs,
    status: row.status as ExportStatus,
    done: row.done,
    total: row.total,
    bytes: row.bytes === null ? null : Number(row.bytes),
    error: row.error,
    createdAt: row.createdAt,
    finishedAt: row.finishedAt,
  };
}

export class PrismaExportRepository implements ExportRepository {
  constructor(private readonly db: PrismaClient) {}

  async create(input: Parameters<ExportRepository['create']>[0]): Promise<ExportRecord> {
    const row = await this.db.export.create({
      data: {
        projectId: input.projectId,
        userIds: input.userIds,
        ...(input.filter === null ? {} : { filter: input.filter as Prisma.InputJsonValue }),
        includeBlobs: input.includeBlobs,
      },
    });
    return toRecord(row);
  }

  async findById(projectId: string, id: string): Promise<ExportRecord | null> {
    const row = await this.db.export.findFirst({ where: { id, projectId } });
    return row && toRecord(row);
  }

  async list(projectId: string, page: PageRequest): Promise<Page<ExportRecord>> {
    const after = page.after;
    const [rows, totalCount] = await Promise.all([
      this.db.export.findMany({
        where: after
          ? {
              projectId,
              OR: [{ createdAt: { gt: after.createdAt } }, { createdAt: after.createdAt, id: { gt: after.id } }],
            }
          : { projectId },
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        take: page.first + 1,
      }),
      this.db.export.count({ where: { projectId } }),
    ]);
    return { items: rows.slice(0, page.first).map(toRecord), hasNextPage: rows.length > page.first, totalCount };
  }

  async claim(id: string, leaseMs: number, now: Date): Promise<ExportRecord | null> {
    const { count } = await this.db.export.updateMany({
      where: { id, OR: [{ status: 'PENDING' }, { status: 'RUNNING', leaseUntil: { lt: now } }] },
      data: { status: 'RUNNING', leaseUntil: new Date(now.getTime() + leaseMs), done: 0 },
    });
    if (count === 0) return null;
    const row = await this.db.export.findUnique({ where: { id } });
    return row && toRecord(row);
  }

  async unfinished(now: Date, limit: number): Promise<string[]> {
    const rows = await this.db.export.findMany({
      where: { OR: [{ status: 'PENDING' }, { status: 'RUNNING', leaseUntil: { lt: now } }] },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take: limit,
      select: { id: true },
    });
    return rows.map((row) => row.id);
  }

  async progress(id: string, done: number, total: number, leaseUntil: Date): Promise<void> {
    await this.db.export.update({ where: { id }, data: { done, total, leaseUntil } });
  }

  async renew(id: string, leaseUntil: Date): Promise<void> {
    await this.db.export.updateMany({ where: { id, status: 'RUNNING' }, data: { leaseUntil } });
  }

  async finish(id: string, outcome: Parameters<ExportRepository['finish']>[1]): Promise<ExportRecord> {
    const row = await this.db.export.update({
      where: { id },
      data: {
        status: outcome.status,
        bytes: outcome.bytes === null ? null : BigInt(outcome.bytes),
        error: outcome.error,
        finishedAt: outcome.finishedAt,
        leaseUntil: null,
      },
    });
    return toRecord(row);
  }

  async deleteOlderThan(before: Date): Promise<string[]> {
    const rows = await this.db.export.findMany({ where: { createdAt: { lt: before } }, select: { id: true } });
    if (rows.length === 0) return [];
    await this.db.export.deleteMany({ where: { id: { in: rows.map((row) => row.id) } } });
    return rows.map((row) => row.id);
  }
}
