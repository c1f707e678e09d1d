import type { ManualEdit, MemoryRepository } from '../../domain/ports.js';
import type { MemoryChangeRecord, MemoryRecord, MemoryWithEmbedding, Page, PageRequest } from '../../domain/types.js';
import type { Prisma, PrismaClient } from './generated/client.js';
import { groupInKeyOrder, snapshotJson, toChangeRecord, toMemoryRecord } from './memory.mappers.js';

export class PrismaMemoryRepository implements MemoryRepository {
  constructor(private readonly db: PrismaClient) {}

  async findById(projectId: string, id: string): Promise<MemoryRecord | null> {
    const row = await this.db.memory.findFirst({ where: { id, projectId } });
    return row && toMemoryRecord(row);
  }

  async findByIds(ids: readonly string[]): Promise<(MemoryRecord | null)[]> {
    const rows = await this.db.memory.findMany({ where: { id: { in: [...ids] } } });
    const byId = new Map(rows.map((row) => [row.id, toMemoryRecord(row)]));
    return ids.map((id) => byId.get(id) ?? null);
  }

  async listLiveWithEmbeddings(userPk: string): Promise<MemoryWithEmbedding[]> {
    const rows = await this.db.memory.findMany({
      where: { userPk, deletedAt: null },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
    return rows.map((row) => ({ ...toMemoryRecord(row), embedding: row.embedding }));
  }

  async listByUser(userPk: string, page: PageRequest): Promise<Page<MemoryRecord>> {
    const where: Prisma.MemoryWhereInput = { userPk, deletedAt: null };
    const after = page.after;
    const [rows, totalCount] = await Promise.all([
      this.db.memory.findMany({
        where: after
          ? {
              ...where,
              OR: [{ createdAt: { gt: after.createdAt } }, { createdAt: after.createdAt, id: { gt: after.id } }],
            }
          : where,
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        take: page.first + 1,
        omit: { embedding: true },
      }),
      this.db.memory.count({ where }),
    ]);
    return {
      items: rows.slice(0, page.first).map((row) => toMemoryRecord({ ...row, embedding: [] })),
      hasNextPage: rows.length > page.first,
      totalCount,
    };
  }

  async listProfile(userPk: string, topics: string[] | null): Promise<MemoryRecord[]> {
    const rows = await this.db.memory.findMany({
      where: { userPk, deletedAt: null, ...(topics ? { topic: { in: topics } } : {}) },
      orderBy: [{ topic: 'asc' }, { subTopic: 'asc' }, { createdAt: 'asc' }, { id: 'asc' }],
      omit: { embedding: true },
    });
    return rows.map((row) => toMemoryRecord({ ...row, embedding: [] }));
  }

  async sourceBlobIds(memoryIds: readonly string[]): Promise<string[][]> {
    const rows = await this.db.memorySource.findMany({ where: { memoryId: { in: [...memoryIds] } } });
    return groupInKeyOrder(memoryIds, rows, (row) => row.memoryId).map((group) => group.map((row) => row.blobId));
  }

  async history(memoryIds: readonly string[]): Promise<MemoryChangeRecord[][]> {
    const rows = await this.db.memoryChange.findMany({
      where: { memoryId: { in: [...memoryIds] } },
      orderBy: [{ seq: 'asc' }],
    });
    return groupInKeyOrder(memoryIds, rows.map(toChangeRecord), (change) => change.memoryId);
  }

  async changesOfEvents(eventIds: readonly string[]): Promise<MemoryChangeRecord[][]> {
    const rows = await this.db.memoryChange.findMany({
      where: { eventId: { in: [...eventIds] } },
      orderBy: [{ seq: 'asc' }],
    });
    return groupInKeyOrder(eventIds, rows.map(toChangeRecord), (change) => change.eventId ?? '');
  }

  async applyManual(edit: ManualEdit): Promise<MemoryChangeRecord> {
    const { memory } = edit;
    return this.db.$transaction(async (tx) => {
      // Re-read inside the transaction: the history must record what was really replaced.
      const current = await tx.memory.findFirstOrThrow({ where: { id: memory.id, deletedAt: null } });
      const before = snapshotJson(current);
      switch (edit.kind) {
        case 'UPDATE':
          await tx.memory.update({
            where: { id: memory.id },
            data: {
              ...edit.after,
              metadata: (edit.metadata ?? undefined) as Prisma.InputJsonValue | undefined,
              embedding: edit.embedding,
            },
          });
          return toChangeRecord(
            await tx.memoryChange.create({
              data: {
                projectId: memory.projectId,
                userPk: memory.userPk,
                memoryId: memory.id,
                kind: 'UPDATE',
                actor: 'API',
                before,
                after: snapshotJson(edit.after),
                sourceBlobs: [],
              },
            }),
          );
        case 'DELETE':
          await tx.memory.update({ where: { id: memory.id }, data: { deletedAt: new Date() } });
          return toChangeRecord(
            await tx.memoryChange.create({
              data: {
                projectId: memory.projectId,
                userPk: memory.userPk,
                memoryId: memory.id,
                kind: 'DELETE',
                actor: 'API',
                before,
                sourceBlobs: [],
              },
            }),
          );
        default: {
          const unreachable: never = edit;
          throw new Error(`unknown edit ${JSON.stringify(unreachable)}`);
        }
      }
    });
  }
}
