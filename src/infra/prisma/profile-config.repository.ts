import type { ProfileConfigRepository } from '../../domain/ports.js';
import { DEFAULT_BLOB_TOKEN_CAP } from '../../domain/profile/default-profile.js';
import type { ProfileConfig } from '../../domain/types.js';
import type { Prisma, PrismaClient } from './generated/client.js';

export class PrismaProfileConfigRepository implements ProfileConfigRepository {
  constructor(private readonly db: PrismaClient) {}

  async get(projectId: string): Promise<ProfileConfig | null> {
    const row = await this.db.profileConfig.findUnique({ where: { projectId } });
    // Configs saved before blobTokenCap existed have the default cap.
    return row
      ? ({
          blobTokenCap: DEFAULT_BLOB_TOKEN_CAP,
          ...(row.config as unknown as Partial<ProfileConfig>),
        } as ProfileConfig)
      : null;
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
