import type { IndexStateRepository } from '../../domain/ports.js';
import type { PrismaClient } from './generated/client.js';

/** The single IndexState row. */
const STATE_ID = 'vector-index';

export class PrismaIndexStateRepository implements IndexStateRepository {
  constructor(private readonly db: PrismaClient) {}

  get(): Promise<{ model: string; dimension: number; collection: string } | null> {
    return this.db.indexState.findUnique({
      where: { id: STATE_ID },
      select: { model: true, dimension: true, collection: true },
    });
  }

  async set(state: { model: string; dimension: number; collection: string }): Promise<void> {
    await this.db.indexState.upsert({ where: { id: STATE_ID }, create: { id: STATE_ID, ...state }, update: state });
  }
}
