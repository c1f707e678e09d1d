import type { EventRepository } from '../../domain/ports.js';
import type { MemoryEventRecord, Page, PageRequest } from '../../domain/types.js';
import type { PrismaClient } from './generated/client.js';
import { toEventRecord } from './memory.mappers.js';
import { openEventRows } from './encryption/sealed-rows.js';
import type { UserKeyring } from './encryption/user-keys.js';

export class PrismaEventRepository implements EventRepository {
  /** `keys`: encryption at rest (null: off). */
  constructor(
    private readonly db: PrismaClient,
    private readonly keys: UserKeyring | null = null,
  ) {}

  async findById(projectId: string, id: string): Promise<MemoryEventRecord | null> {
    const row = await this.db.memoryEvent.findFirst({ where: { id, projectId } });
    if (!row) return null;
    const [opened] = await openEventRows(this.keys, [row]);
    return toEventRecord(opened!);
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
    const items = await openEventRows(this.keys, rows.slice(0, page.first));
    return { items: items.map(toEventRecord), hasNextPage: rows.length > page.first, totalCount };
  }

  async listRecent(userPk: string, limit: number): Promise<MemoryEventRecord[]> {
    const rows = await this.db.memoryEvent.findMany({
      where: { userPk },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: limit,
    });
    return (await openEventRows(this.keys, rows)).map(toEventRecord);
  }
}
