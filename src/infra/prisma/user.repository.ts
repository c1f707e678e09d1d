import { ConflictError, NotFoundError } from '../../domain/errors.js';
import type { UserRepository } from '../../domain/ports.js';
import type { JsonObject, Page, PageRequest, UserRecord } from '../../domain/types.js';
import { isUuid } from '../../lib/ids.js';
import type { Prisma, PrismaClient, User as UserRow } from './generated/client.js';
import { toPage } from './pagination.js';
import { isUniqueViolation } from './prisma-errors.js';
import type { UserKeyring } from './encryption/user-keys.js';

/** The domain's User.id is the app's externalId; pk stays internal. */
function toUserRecord(row: UserRow): UserRecord {
  return {
    pk: row.pk,
    projectId: row.projectId,
    id: row.externalId,
    data: row.data as JsonObject,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export class PrismaUserRepository implements UserRepository {
  /** `keys`: encryption at rest (null: off); a deleted user's cached data key is dropped with it. */
  constructor(
    private readonly db: PrismaClient,
    private readonly keys: UserKeyring | null = null,
  ) {}

  async create(projectId: string, input: { externalId: string; data: JsonObject }): Promise<UserRecord> {
    try {
      const row = await this.db.user.create({ data: { projectId, externalId: input.externalId, data: input.data } });
      return toUserRecord(row);
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConflictError('input.id', 'a user with this id already exists');
      throw error;
    }
  }

  async update(pk: string, input: { data: JsonObject }): Promise<UserRecord> {
    const rows = await this.db.user.updateManyAndReturn({ where: { pk }, data: { data: input.data } });
    const row = rows[0];
    if (!row) throw new NotFoundError('User', pk);
    return toUserRecord(row);
  }

  /**
   * Deletes the user (its blobs, chunks, memories and events cascade) and
   * enqueues DELETE_USER for the vector index, in one transaction. A user
   * already gone is a no-op. With encryption at rest the row holds the
   * user's wrapped data key: deleting it shreds whatever of the user's
   * ciphertext is left elsewhere, and the in-process copy is dropped too.
   */
  async delete(user: UserRecord): Promise<{ exportIds: string[] }> {
    try {
      return await this.db.$transaction(async (tx) => {
        const { count } = await tx.user.deleteMany({ where: { pk: user.pk } });
        if (count === 0) return { exportIds: [] };
        await tx.indexJob.create({
          data: { kind: 'DELETE_USER', projectId: user.projectId, userPk: user.pk, blobId: null },
        });
        // An export of this user alone is its data, erased with it; exports of
        // several users (or of the whole project) are the project's backups and stay.
        const exports = await tx.$queryRaw<{ id: string }[]>`
          DELETE FROM "Export"
          WHERE "projectId" = ${user.projectId}::uuid AND "userIds" = ARRAY[${user.id}]::text[]
          RETURNING "id"`;
        return { exportIds: exports.map((row) => row.id) };
      });
    } finally {
      this.keys?.forget(user.pk);
    }
  }

  async findByExternalId(projectId: string, externalId: string): Promise<UserRecord | null> {
    if (!isUuid(projectId)) return null;
    const row = await this.db.user.findUnique({ where: { projectId_externalId: { projectId, externalId } } });
    return row && toUserRecord(row);
  }

  async findByPks(pks: readonly string[]): Promise<(UserRecord | null)[]> {
    const valid = [...new Set(pks.filter(isUuid))];
    const rows = valid.length ? await this.db.user.findMany({ where: { pk: { in: valid } } }) : [];
    const byPk = new Map(rows.map((row) => [row.pk, toUserRecord(row)]));
    return pks.map((pk) => byPk.get(pk) ?? null);
  }

  /** Oldest first; the keyset is (createdAt, externalId), the fields a cursor carries. */
  async list(projectId: string, page: PageRequest): Promise<Page<UserRecord>> {
    const where: Prisma.UserWhereInput = { projectId };
    const after = page.after;
    const [rows, totalCount] = await Promise.all([
      this.db.user.findMany({
        where: after
          ? {
              ...where,
              OR: [
                { createdAt: { gt: after.createdAt } },
                { createdAt: after.createdAt, externalId: { gt: after.id } },
              ],
            }
          : where,
        orderBy: [{ createdAt: 'asc' }, { externalId: 'asc' }],
        take: page.first + 1,
      }),
      this.db.user.count({ where }),
    ]);
    return toPage(rows, page.first, totalCount, toUserRecord);
  }
}
