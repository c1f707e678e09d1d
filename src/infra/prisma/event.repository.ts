import type { EventRepository } from '../../domain/ports.js';
import type { MemoryEventRecord, Page, PageRequest } from '../../domain/types.js';
import type { PrismaClient } from './generated/client.js';
import { toEventRecord } from './memory.mappers.js';

export class PrismaEventRepository implements EventRepository {
  constructor(private readonly db: PrismaClient) {}

  async findById(projectId: string, id: string): Promise<MemoryEventRecord | null> {
    const row = await this.db.memoryEvent.findFirst({ where: { id, projectId } });
    return row && toEventRecord(row);
  }

  async listByUser(userPk: string, page: PageRequest): Promise<Page<MemoryEventRecord>> {
    const after = page.after;
    const [rows, totalCount] = await Promise.all([
      this.db.memoryEvent.findMany({
        where: after
          ? {
              userPk,
              OR: [{ createdAt: { gt: after.createdAt } }, { createdAt: after.createdAt, id: { gt: after.id } }],
            }
          : { userPk },
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        take: page.first + 1,
      }),
      this.db.memoryEvent.count({ where: { userPk } }),
    ]);
    return { items: rows.slice(0, page.first).map(toEventRecord), hasNextPage: rows.length > page.first, totalCount };
  }

  async listRecent(userPk: string, limit: number): Promise<MemoryEventRecord[]> {
    const rows = await this.db.memoryEvent.findMany({
      where: { userPk },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: limit,
    });
    return rows.map(toEventRecord);
  }
}
