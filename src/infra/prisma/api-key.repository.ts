import type { ApiKeyRepository } from '../../domain/ports.js';
import type { ApiKeyRecord, Role } from '../../domain/types.js';
import { isUuid } from '../../lib/ids.js';
import type { ApiKey as ApiKeyRow, ApiKeyRole, PrismaClient } from './generated/client.js';

const ROLE_TO_DB: Record<Role, ApiKeyRole> = { admin: 'ADMIN', project: 'PROJECT' };
const ROLE_FROM_DB: Record<ApiKeyRole, Role> = { ADMIN: 'admin', PROJECT: 'project' };

function toApiKeyRecord(row: ApiKeyRow): ApiKeyRecord {
  return {
    id: row.id,
    projectId: row.projectId,
    name: row.name,
    role: ROLE_FROM_DB[row.role],
    prefix: row.prefix,
    createdAt: row.createdAt,
    lastUsedAt: row.lastUsedAt,
    revokedAt: row.revokedAt,
  };
}

/** Keys are stored as hashes (the caller hashes); the secret never reaches the database. */
export class PrismaApiKeyRepository implements ApiKeyRepository {
  constructor(private readonly db: PrismaClient) {}

  async create(input: {
    projectId: string;
    name: string | null;
    role: Role;
    hash: string;
    prefix: string;
  }): Promise<ApiKeyRecord> {
    const row = await this.db.apiKey.create({
      data: {
        projectId: input.projectId,
        name: input.name,
        role: ROLE_TO_DB[input.role],
        hash: input.hash,
        prefix: input.prefix,
      },
    });
    return toApiKeyRecord(row);
  }

  async findActiveByHash(hash: string): Promise<ApiKeyRecord | null> {
    const row = await this.db.apiKey.findFirst({ where: { hash, revokedAt: null } });
    return row && toApiKeyRecord(row);
  }

  async findById(id: string): Promise<ApiKeyRecord | null> {
    if (!isUuid(id)) return null;
    const row = await this.db.apiKey.findUnique({ where: { id } });
    return row && toApiKeyRecord(row);
  }

  async listByProject(projectId: string): Promise<ApiKeyRecord[]> {
    if (!isUuid(projectId)) return [];
    const rows = await this.db.apiKey.findMany({
      where: { projectId },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
    return rows.map(toApiKeyRecord);
  }

  async listActiveByRole(role: Role): Promise<ApiKeyRecord[]> {
    const rows = await this.db.apiKey.findMany({
      where: { role: ROLE_TO_DB[role], revokedAt: null },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
    return rows.map(toApiKeyRecord);
  }

  async touch(id: string, at: Date): Promise<void> {
    if (!isUuid(id)) return;
    await this.db.apiKey.updateMany({ where: { id }, data: { lastUsedAt: at } });
  }

  /** True when this call revoked the key; false when it was absent or already revoked. */
  async revoke(id: string): Promise<boolean> {
    if (!isUuid(id)) return false;
    const { count } = await this.db.apiKey.updateMany({
      where: { id, revokedAt: null },
      data: { revokedAt: new Date() },
    });
    return count === 1;
  }
}
