import { randomUUID } from 'node:crypto';
import type { BlobExtraction, BlobListFilter, BlobRepository, NewBlob } from '../../domain/ports.js';
import type { BlobRecord, BlobType, Page, PageRequest } from '../../domain/types.js';
import { isUuid } from '../../lib/ids.js';
import { usageDay } from './usage.repository.js';
import { Prisma, type PrismaClient } from './generated/client.js';
import { blobContentToJson, locatorColumns, toBlobRecord, type BlobRowFields } from './blob.mappers.js';
import { toPage } from './pagination.js';
import { GroupCommit } from '../../lib/group-commit.js';
import { NotFoundError } from '../../domain/errors.js';
import { isForeignKeyViolation } from './prisma-errors.js';
import { openBlobRows } from './encryption/sealed-rows.js';
import type { UserKeyring } from './encryption/user-keys.js';

const blobSelect = {
  id: true,
  projectId: true,
  userPk: true,
  type: true,
  content: true,
  metadata: true,
  createdAt: true,
  agentId: true,
  runId: true,
} as const;

/** Blobs acknowledged together at most; a batch of large blobs is still one statement of a few MB at worst. */
const MAX_INSERT_BATCH = 64;

export class PrismaBlobRepository implements BlobRepository {
  private readonly inserts: GroupCommit<NewBlob, BlobRecord>;

  /** `keys`: encryption at rest (null: off); `maxConcurrentInserts`: insert statements running at once (at most the pool's size). */
  constructor(
    private readonly db: PrismaClient,
    maxConcurrentInserts = 1,
    private readonly keys: UserKeyring | null = null,
  ) {
    this.inserts = new GroupCommit((blobs) => this.insertMany(blobs), {
      maxBatch: MAX_INSERT_BATCH,
      maxInFlight: maxConcurrentInserts,
    });
  }

  /**
   * The outbox write: the blob, its chunks and an UPSERT_BLOB index job commit
   * together or not at all. A blob entering the extraction buffer is PENDING
   * with its token count; others are NONE. Concurrent inserts are committed
   * together (group-commit.ts).
   */
  async insert(blob: NewBlob): Promise<BlobRecord> {
    try {
      return await this.inserts.submit(blob);
    } catch (error) {
      // The user was deleted between the request's lookup and this write.
      if (isForeignKeyViolation(error)) throw new NotFoundError('User', blob.userPk);
      throw error;
    }
  }

  /**
   * One statement for all `blobs`, so one round trip and atomic without
   * BEGIN/COMMIT: on the embedded database every round trip is paid by the
   * whole server. Rows travel as JSON (a JSON null becomes SQL NULL);
   * timestamps as UTC text cast to `timestamp` (Prisma's DateTime columns
   * hold UTC). Foreign keys are checked at the end of the statement, when the
   * blobs the chunks point at are in. With encryption at rest the content and
   * the chunks' texts are sealed, and each chunk's full-text vector is made
   * from its plaintext here (the trigger leaves sealed rows alone).
   */
  private async insertMany(blobs: NewBlob[]): Promise<BlobRecord[]> {
    const ciphers = this.keys && (await this.keys.forWrite(blobs.map((blob) => blob.userPk)));
    const records = blobs.map(
      (blob): BlobRecord => ({
        id: randomUUID(),
        projectId: blob.projectId,
        userPk: blob.userPk,
        content: blob.content,
        metadata: blob.metadata,
        createdAt: blob.createdAt,
        agentId: blob.agentId,
        runId: blob.runId,
      }),
    );
    const blobRows = blobs.map((blob, i) => ({
      id: records[i]!.id,
      projectId: blob.projectId,
      userPk: blob.userPk,
      type: blob.content.type,
      content: ciphers
        ? ciphers.sealJson(blob.userPk, blobContentToJson(blob.content))
        : blobContentToJson(blob.content),
      metadata: blob.metadata,
      createdAt: blob.createdAt.toISOString(),
      bufferState: blob.buffer ? 'PENDING' : 'NONE',
      tokens: blob.buffer?.tokens ?? 0,
      storedTokens: blob.tokens,
      agentId: blob.agentId,
      runId: blob.runId,
    }));
    const chunkRows = blobs.flatMap((blob, i) =>
      blob.chunks.map((chunk) => ({
        blobId: records[i]!.id,
        projectId: blob.projectId,
        userPk: blob.userPk,
        ordinal: chunk.ordinal,
        ...(ciphers
          ? {
              text: ciphers.seal(blob.userPk, chunk.text),
              searchText: ciphers.seal(blob.userPk, chunk.searchText),
              tsvSource: chunk.searchText,
            }
          : { text: chunk.text, searchText: chunk.searchText }),
        ...locatorColumns(chunk.locator),
        createdAt: blob.createdAt.toISOString(),
      })),
    );
    const usageRows = blobUsage(blobs, usageDay(new Date()));
    await this.db.$executeRaw`
      WITH new_blobs AS (
        INSERT INTO "Blob" ("id", "projectId", "userPk", "type", "content", "metadata", "createdAt", "bufferState", "tokens", "storedTokens", "agentId", "runId")
        SELECT b."id", b."projectId", b."userPk", b."type"::"BlobType", b."content", b."metadata", b."createdAt",
               b."bufferState"::"BufferState", b."tokens", b."storedTokens", b."agentId", b."runId"
        FROM jsonb_to_recordset(${JSON.stringify(blobRows)}::jsonb)
          AS b("id" uuid, "projectId" uuid, "userPk" uuid, "type" text, "content" jsonb, "metadata" jsonb, "createdAt" timestamp, "bufferState" text, "tokens" int,
               "storedTokens" int, "agentId" text, "runId" text)
        RETURNING "id", "projectId", "userPk"
      ), new_chunks AS (
        INSERT INTO "Chunk" ("id", "blobId", "projectId", "userPk", "ordinal", "text", "searchText", "messageIndex", "charStart", "charEnd", "startTime", "endTime", "createdAt", "searchTsv")
        SELECT gen_random_uuid(), c."blobId", c."projectId", c."userPk", c."ordinal", c."text", c."searchText", c."messageIndex", c."charStart", c."charEnd",
               c."startTime", c."endTime", c."createdAt", to_tsvector('english', c."tsvSource")
        FROM jsonb_to_recordset(${JSON.stringify(chunkRows)}::jsonb)
          AS c("blobId" uuid, "projectId" uuid, "userPk" uuid, "ordinal" int, "text" text, "searchText" text, "messageIndex" int, "charStart" int,
               "charEnd" int, "startTime" float8, "endTime" float8, "createdAt" timestamp, "tsvSource" text)
      ), usage AS (
        -- Counted in the same statement as the blobs: usage never disagrees with what was stored.
        INSERT INTO "UsageDay" ("projectId", "userPk", "day", "blobs", "tokensStored")
        SELECT u."projectId", u."userPk", u."day", u."blobs", u."tokensStored"
        FROM jsonb_to_recordset(${JSON.stringify(usageRows)}::jsonb)
          AS u("projectId" uuid, "userPk" uuid, "day" date, "blobs" int, "tokensStored" bigint)
        ORDER BY u."projectId", u."userPk"
        ON CONFLICT ("projectId", "userPk", "day") DO UPDATE SET
          "blobs" = "UsageDay"."blobs" + EXCLUDED."blobs",
          "tokensStored" = "UsageDay"."tokensStored" + EXCLUDED."tokensStored"
      )
      INSERT INTO "IndexJob" ("kind", "projectId", "userPk", "blobId")
      SELECT 'UPSERT_BLOB', "projectId", "userPk", "id" FROM new_blobs`;
    return records;
  }

  async countByUsers(userPks: readonly string[]): Promise<number[]> {
    const pks = [...new Set(userPks.filter(isUuid))];
    const rows = pks.length
      ? await this.db.blob.groupBy({ by: ['userPk'], where: { userPk: { in: pks } }, _count: { _all: true } })
      : [];
    const totals = new Map(rows.map((row) => [row.userPk, row._count._all]));
    return userPks.map((pk) => totals.get(pk) ?? 0);
  }

  /** Deletes the blob (its chunks cascade) and enqueues DELETE_BLOB in one transaction; a blob already gone is a no-op. */
  async delete(blob: BlobRecord): Promise<void> {
    await this.db.$transaction(async (tx) => {
      const { count } = await tx.blob.deleteMany({ where: { id: blob.id, projectId: blob.projectId } });
      if (count === 0) return;
      await tx.indexJob.create({
        data: { kind: 'DELETE_BLOB', projectId: blob.projectId, userPk: blob.userPk, blobId: blob.id },
      });
    });
  }

  async findById(projectId: string, id: string): Promise<BlobRecord | null> {
    if (!isUuid(id) || !isUuid(projectId)) return null;
    const row = await this.db.blob.findFirst({ where: { id, projectId }, select: blobSelect });
    if (!row) return null;
    const [opened] = await openBlobRows(this.keys, [row]);
    return toBlobRecord(opened!);
  }

  async findByIds(ids: readonly string[]): Promise<(BlobRecord | null)[]> {
    const valid = [...new Set(ids.filter(isUuid))];
    const rows = await openBlobRows(
      this.keys,
      valid.length ? await this.db.blob.findMany({ where: { id: { in: valid } }, select: blobSelect }) : [],
    );
    const byId = new Map(rows.map((row) => [row.id, toBlobRecord(row)]));
    return ids.map((id) => byId.get(id) ?? null);
  }

  async storageOf(
    ids: readonly string[],
  ): Promise<({ insertedAt: Date; extraction: BlobExtraction; storedTokens: number } | null)[]> {
    if (ids.length === 0) return [];
    const rows = await this.db.blob.findMany({
      where: { id: { in: [...ids] } },
      select: { id: true, insertedAt: true, bufferState: true, storedTokens: true },
    });
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => {
      const row = byId.get(id);
      if (!row) return null;
      // A batch in flight is still waiting for extraction as far as a copy is concerned.
      const extraction: BlobExtraction =
        row.bufferState === 'NONE' ? 'NONE' : row.bufferState === 'DONE' ? 'DONE' : 'PENDING';
      return { insertedAt: row.insertedAt, extraction, storedTokens: row.storedTokens };
    });
  }

  async listByUser(userPk: string, filter: BlobListFilter, page: PageRequest): Promise<Page<BlobRecord>> {
    const where: Prisma.BlobWhereInput = filter.type ? { userPk, type: filter.type } : { userPk };
    const after = page.after;
    const [rows, totalCount] = await Promise.all([
      this.db.blob.findMany({
        where: after
          ? {
              ...where,
              OR: [{ createdAt: { gt: after.createdAt } }, { createdAt: after.createdAt, id: { gt: after.id } }],
            }
          : where,
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        take: page.first + 1,
        select: blobSelect,
      }),
      this.db.blob.count({ where }),
    ]);
    return toPage(await openBlobRows(this.keys, rows), page.first, totalCount, toBlobRecord);
  }

  /**
   * The first page of each user's blobs in two queries whatever the number of
   * users: a window function numbers each user's blobs, and one grouped count
   * gives the totals.
   */
  async listFirstPageByUsers(
    userPks: readonly string[],
    filter: BlobListFilter,
    first: number,
  ): Promise<Page<BlobRecord>[]> {
    const pks = [...new Set(userPks.filter(isUuid))];
    if (pks.length === 0) return userPks.map(() => ({ items: [], hasNextPage: false, totalCount: 0 }));
    const typeFilter = filter.type ? Prisma.sql`AND b."type" = ${filter.type}::"BlobType"` : Prisma.empty;
    const [rows, counts] = await Promise.all([
      this.db.$queryRaw<(BlobRowFields & { type: BlobType })[]>`
        SELECT "id", "projectId", "userPk", "type"::text AS "type", "content", "metadata", "createdAt", "agentId", "runId"
        FROM (
          SELECT b."id", b."projectId", b."userPk", b."type", b."content", b."metadata", b."createdAt", b."agentId", b."runId",
                 row_number() OVER (PARTITION BY b."userPk" ORDER BY b."createdAt", b."id") AS "position"
          FROM "Blob" b
          WHERE b."userPk" = ANY(${pks}::uuid[]) ${typeFilter}
        ) ranked
        WHERE "position" <= ${first + 1}
        ORDER BY "userPk", "createdAt", "id"`,
      this.db.$queryRaw<{ userPk: string; total: number }[]>`
        SELECT b."userPk", count(*)::int AS "total"
        FROM "Blob" b
        WHERE b."userPk" = ANY(${pks}::uuid[]) ${typeFilter}
        GROUP BY b."userPk"`,
    ]);
    const rowsByUser = new Map<string, BlobRowFields[]>();
    for (const row of await openBlobRows(this.keys, rows)) {
      const list = rowsByUser.get(row.userPk) ?? [];
      list.push(row);
      rowsByUser.set(row.userPk, list);
    }
    const totals = new Map(counts.map((c) => [c.userPk, c.total]));
    return userPks.map((pk) => toPage(rowsByUser.get(pk) ?? [], first, totals.get(pk) ?? 0, toBlobRecord));
  }
}

/** One row per user: the blobs inserted and the estimated tokens of their text. Sorted, so concurrent inserts lock rows in one order. */
function blobUsage(blobs: readonly NewBlob[], day: string) {
  const byUser = new Map<
    string,
    { projectId: string; userPk: string; day: string; blobs: number; tokensStored: number }
  >();
  for (const blob of blobs) {
    const row = byUser.get(blob.userPk) ?? {
      projectId: blob.projectId,
      userPk: blob.userPk,
      day,
      blobs: 0,
      tokensStored: 0,
    };
    row.blobs += 1;
    row.tokensStored += blob.tokens;
    byUser.set(blob.userPk, row);
  }
  return [...byUser.values()].sort(
    (a, b) => a.projectId.localeCompare(b.projectId) || a.userPk.localeCompare(b.userPk),
  );
}
