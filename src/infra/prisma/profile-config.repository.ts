import type { ProfileConfigRepository } from '../../domain/ports.js';
import type { ProfileConfig } from '../../domain/types.js';
import type { Prisma, PrismaClient } from './generated/client.js';

export class PrismaProfileConfigRepository implements ProfileConfigRepository {
  constructor(private readonly db: PrismaClient) {}

  async get(projectId: string): Promise<ProfileConfig | null> {
    const row = await this.db.profileConfig.findUnique({ where: { projectId } });
    return row ? (row.config as unknown as ProfileConfig) : null;
  }

  async set(projectId: string, config: ProfileConfig): Promise<void> {
    const json = config as unknown as Prisma.InputJsonValue;
    await this.db.profileConfig.upsert({
      where: { projectId },
      create: { projectId, config: json },
      update: { config: json },
    });
  }
}
