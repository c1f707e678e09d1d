import type { ExportStatus, MemoryExportRecord, MemoryExportRepository } from '../../domain/ports.js';
import type { JsonObject, JsonValue, TokenUsage } from '../../domain/types.js';
import type { MemoryExport as Row, Prisma, PrismaClient } from './generated/client.js';
import type { UserKeyring } from './encryption/user-keys.js';

function toRecord(row: Row): MemoryExportRecord {
  return {
    id: row.id,
    projectId: row.projectId,
    userPk: row.userPk,
    schema: row.schema as JsonObject,
    instructions: row.instructions,
    filter: (row.filter ?? null) as JsonValue | null,
    status: row.status as ExportStatus,
    result: (row.result ?? null) as JsonValue | null,
    errors: row.errors ?? [],
    usage: (row.usage ?? null) as TokenUsage | null,
    attempts: row.attempts,
    createdAt: row.createdAt,
    finishedAt: row.finishedAt,
  };
}

/** A JSON column's value; null leaves the column as it is (NULL: a job is finished once). */
function json(value: JsonValue | null): Prisma.InputJsonValue | undefined {
  return value === null ? undefined : (value as Prisma.InputJsonValue);
}

export class PrismaMemoryExportRepository implements MemoryExportRepository {
  /** `keys`: encryption at rest (null: off); the result is filled from the user's memories, so it is sealed. */
  constructor(
    private readonly db: PrismaClient,
    private readonly keys: UserKeyring | null = null,
  ) {}

  private async toOpenRecord(row: Row): Promise<MemoryExportRecord> {
    if (!this.keys || row.result === null) return toRecord(row);
    const ciphers = await this.keys.forRead([row.userPk]);
    return toRecord({ ...row, result: ciphers.openJson(row.userPk, row.result) as Prisma.JsonValue });
  }

  async create(input: Parameters<MemoryExportRepository['create']>[0]): Promise<MemoryExportRecord> {
    const row = await this.db.memoryExport.create({
      data: {
        projectId: input.projectId,
        userPk: input.userPk,
        schema: input.schema,
        instructions: input.instructions,
        ...(input.filter === null ? {} : { filter: input.filter as Prisma.InputJsonValue }),
        errors: [],
      },
    });
    return toRecord(row);
  }

  async findById(projectId: string, id: string): Promise<MemoryExportRecord | null> {
    const row = await this.db.memoryExport.findFirst({ where: { id, projectId } });
    return row && this.toOpenRecord(row);
  }

  async claim(id: string, leaseMs: number, now: Date): Promise<MemoryExportRecord | null> {
    const { count } = await this.db.memoryExport.updateMany({
      where: { id, OR: [{ status: 'PENDING' }, { status: 'RUNNING', leaseUntil: { lt: now } }] },
      data: { status: 'RUNNING', leaseUntil: new Date(now.getTime() + leaseMs) },
    });
    if (count === 0) return null;
    const row = await this.db.memoryExport.findUnique({ where: { id } });
    return row && this.toOpenRecord(row);
  }

  async unfinished(now: Date, limit: number): Promise<string[]> {
    const rows = await this.db.memoryExport.findMany({
      where: { OR: [{ status: 'PENDING' }, { status: 'RUNNING', leaseUntil: { lt: now } }] },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take: limit,
      select: { id: true },
    });
    return rows.map((row) => row.id);
  }

  async finish(id: string, outcome: Parameters<MemoryExportRepository['finish']>[1]): Promise<MemoryExportRecord> {
    let result = outcome.result;
    if (this.keys && result !== null) {
      const { userPk } = await this.db.memoryExport.findUniqueOrThrow({ where: { id }, select: { userPk: true } });
      result = (await this.keys.forWrite([userPk])).sealJson(userPk, result);
    }
    const row = await this.db.memoryExport.update({
      where: { id },
      data: {
        status: outcome.status,
        result: json(result),
        errors: outcome.errors,
        usage: json(outcome.usage as JsonValue | null),
        attempts: outcome.attempts,
        finishedAt: outcome.finishedAt,
        leaseUntil: null,
      },
    });
    // The result as written (in clear), not as stored.
    return outcome.result === null
      ? this.toOpenRecord(row)
      : toRecord({ ...row, result: outcome.result as Prisma.JsonValue });
  }
}
