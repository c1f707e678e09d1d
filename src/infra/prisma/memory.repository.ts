import { randomUUID } from 'node:crypto';
import { MemoryEditConflict } from '../../domain/errors.js';
import type { MemorySelection } from '../../domain/memory/memory-filter.js';
import type { MemoryKeyset, MemoryOrder, MemoryPageRequest } from '../../domain/memory/memory-page.js';
import type {
  MemoryEdit,
  MemoryRepository,
  MemoryScope,
  NewMemory,
  ScopeUsage,
  ScoredMemoryId,
} from '../../domain/ports.js';
import { rankWindows } from '../../domain/search/lexical-ranking.js';
import type {
  ChangeActor,
  MemoryChangeRecord,
  MemoryRecord,
  MemoryWithEmbedding,
  Page,
  Scope,
} from '../../domain/types.js';
import { isUuid } from '../../lib/ids.js';
import { queryWords, termCounts } from './chunk.repository.js';
import { type Memory as MemoryRow, Prisma, type PrismaClient } from './generated/client.js';
import { scopeSql, selectionSql } from './memory-filter.sql.js';
import {
  type ContentUpdate,
  enqueueMemorySync,
  insertChanges,
  lockMemories,
  lockMemoriesWhere,
  markDeleted,
  memoryTextColumns,
  type Tx,
  updateContents,
} from './memory-writes.js';
import { openChangeRows, openMemoryRows } from './encryption/sealed-rows.js';
import type { UserKeyring } from './encryption/user-keys.js';
import {
  contentOf,
  groupInKeyOrder,
  MEMORY_COLUMNS,
  type MemoryRowFields,
  memoryOmit,
  snapshotJson,
  toChangeRecord,
  toMemoryRecord,
} from './memory.mappers.js';

const COLUMNS = Prisma.raw(MEMORY_COLUMNS);
const ORDER_COLUMNS = {
  createdAt: Prisma.raw('m."createdAt"'),
  updatedAt: Prisma.raw('m."updatedAt"'),
  importance: Prisma.raw('m."importance"'),
} as const;
const SCOPE_COLUMNS = { agentId: Prisma.raw('"agentId"'), runId: Prisma.raw('"runId"') } as const;

/** Live and not expired at `now`, on alias m. */
function liveSql(now: Date): Prisma.Sql {
  return Prisma.sql`m."deletedAt" IS NULL AND (m."expiresAt" IS NULL OR m."expiresAt" > ${now}::timestamp)`;
}

export class PrismaMemoryRepository implements MemoryRepository {
  /** `keys`: encryption at rest (null: off). */
  constructor(
    private readonly db: PrismaClient,
    private readonly keys: UserKeyring | null = null,
  ) {}

  /** The selection's condition; with encryption at rest a text.contains is refused (memory-filter.sql.ts). */
  private selected(selection: MemorySelection, now: Date): Prisma.Sql {
    return selectionSql(selection, now, this.keys !== null);
  }

  private open<T extends MemoryRowFields>(rows: T[]): Promise<T[]> {
    return openMemoryRows(this.keys, rows);
  }

  async findById(projectId: string, id: string): Promise<MemoryRecord | null> {
    if (!isUuid(id) || !isUuid(projectId)) return null;
    const row = await this.db.memory.findFirst({ where: { id, projectId }, omit: memoryOmit });
    if (!row) return null;
    const [opened] = await this.open([row]);
    return toMemoryRecord(opened!);
  }

  async findByIds(ids: readonly string[]): Promise<(MemoryRecord | null)[]> {
    const valid = [...new Set(ids.filter(isUuid))];
    const rows = await this.open(
      valid.length ? await this.db.memory.findMany({ where: { id: { in: valid } }, omit: memoryOmit }) : [],
    );
    const byId = new Map(rows.map((row) => [row.id, toMemoryRecord(row)]));
    return ids.map((id) => byId.get(id) ?? null);
  }

  async listLiveWithEmbeddings(userPk: string, scope: Scope, now: Date): Promise<MemoryWithEmbedding[]> {
    const rows = await this.db.memory.findMany({
      where: {
        userPk,
        agentId: scope.agentId,
        runId: scope.runId,
        deletedAt: null,
        OR: [{ expiresAt: null }, { expiresAt: { gt: now } }],
      },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
    return (await this.open(rows)).map((row) => ({ ...toMemoryRecord(row), embedding: row.embedding }));
  }

  async findWithEmbeddings(ids: readonly string[]): Promise<MemoryWithEmbedding[]> {
    const valid = [...new Set(ids.filter(isUuid))];
    if (valid.length === 0) return [];
    const rows = await this.open(await this.db.memory.findMany({ where: { id: { in: valid } } }));
    const byId = new Map(rows.map((row) => [row.id, { ...toMemoryRecord(row), embedding: row.embedding }]));
    return valid.flatMap((id) => byId.get(id) ?? []);
  }

  async *scanLive(batchSize: number, now: Date): AsyncIterable<MemoryWithEmbedding[]> {
    let after: string | null = null;
    for (;;) {
      const rows: MemoryRow[] = await this.db.memory.findMany({
        where: {
          deletedAt: null,
          OR: [{ expiresAt: null }, { expiresAt: { gt: now } }],
          ...(after ? { id: { gt: after } } : {}),
        },
        orderBy: { id: 'asc' },
        take: batchSize,
      });
      if (rows.length === 0) return;
      yield (await this.open(rows)).map((row) => ({ ...toMemoryRecord(row), embedding: row.embedding }));
      after = rows[rows.length - 1]!.id;
      if (rows.length < batchSize) return;
    }
  }

  async setEmbeddings(updates: readonly { id: string; embedding: number[] }[]): Promise<void> {
    if (updates.length === 0) return;
    await this.db.$executeRaw`
      UPDATE "Memory" AS m SET "embedding" = u."embedding"
      FROM jsonb_to_recordset(${JSON.stringify(updates)}::jsonb) AS u("id" uuid, "embedding" float8[])
      WHERE m."id" = u."id"`;
  }

  async fillEmbeddings(updates: readonly { id: string; embedding: number[] }[]): Promise<void> {
    if (updates.length === 0) return;
    await this.db.$executeRaw`
      UPDATE "Memory" AS m SET "embedding" = u."embedding"
      FROM jsonb_to_recordset(${JSON.stringify(updates)}::jsonb) AS u("id" uuid, "embedding" float8[])
      WHERE m."id" = u."id" AND cardinality(m."embedding") = 0`;
  }

  async list(
    userPk: string,
    selection: MemorySelection,
    page: MemoryPageRequest,
    now: Date,
  ): Promise<Page<MemoryRecord>> {
    if (!isUuid(userPk)) return { items: [], hasNextPage: false, totalCount: 0 };
    const where = Prisma.sql`m."userPk" = ${userPk}::uuid AND ${this.selected(selection, now)}`;
    const keyset = page.after ? Prisma.sql`AND ${keysetSql(page.order, page.after)}` : Prisma.empty;
    const [rows, counts] = await Promise.all([
      // `first + 1` rows even for first: 0, where the one row says whether a next page exists (Relay).
      this.db.$queryRaw<MemoryRowFields[]>`
        SELECT ${COLUMNS} FROM "Memory" m WHERE ${where} ${keyset}
        ORDER BY ${orderSql(page.order)} LIMIT ${page.first + 1}`,
      this.db.$queryRaw<{ total: number }[]>`SELECT count(*)::int AS "total" FROM "Memory" m WHERE ${where}`,
    ]);
    return {
      items: (await this.open(rows.slice(0, page.first))).map(toMemoryRecord),
      hasNextPage: rows.length > page.first,
      totalCount: counts[0]?.total ?? 0,
    };
  }

  async listProfile(userPk: string, topics: string[] | null, now: Date): Promise<MemoryRecord[]> {
    const rows = await this.db.memory.findMany({
      where: {
        userPk,
        deletedAt: null,
        OR: [{ expiresAt: null }, { expiresAt: { gt: now } }],
        ...(topics ? { topic: { in: topics } } : {}),
      },
      orderBy: [{ topic: 'asc' }, { subTopic: 'asc' }, { createdAt: 'asc' }, { id: 'asc' }],
      omit: memoryOmit,
    });
    return (await this.open(rows)).map(toMemoryRecord);
  }

  async select(
    ids: readonly string[],
    scope: MemoryScope,
    selection: MemorySelection,
    now: Date,
  ): Promise<MemoryRecord[]> {
    const valid = [...new Set(ids.filter(isUuid))];
    if (valid.length === 0 || !isUuid(scope.projectId)) return [];
    const rows = await this.db.$queryRaw<MemoryRowFields[]>`
      SELECT ${COLUMNS} FROM "Memory" m
      WHERE m."id" = ANY(${valid}::uuid[]) AND ${scopeSql(scope)} AND ${this.selected(selection, now)}`;
    const byId = new Map((await this.open(rows)).map((row) => [row.id, toMemoryRecord(row)]));
    return valid.flatMap((id) => byId.get(id) ?? []);
  }

  /**
   * BM25 over the memories in scope that the selection selects (English
   * stemming and stop words; a memory matches with ANY query term). For one
   * user, the user's memories are read once through the userPk index and
   * matched there (as chunk search does: the cost follows the user's data);
   * for a project-wide search the GIN index finds the matches.
   */
  async searchLexical(
    query: string,
    scope: MemoryScope,
    selection: MemorySelection,
    limit: number,
    now: Date,
  ): Promise<ScoredMemoryId[]> {
    const words = queryWords(query);
    if (words.length === 0 || limit <= 0 || !isUuid(scope.projectId)) return [];
    const perUser = scope.userPks !== null;
    const rows = await this.db.$queryRaw<
      { id: string; length: number; vector: string; lexemes: string[]; documents: bigint }[]
    >`
      WITH query AS (
        SELECT to_tsquery('simple', string_agg(lexeme, ' | ')) AS q, array_agg(lexeme) AS lexemes
        FROM (SELECT DISTINCT lexeme FROM unnest(tsvector_to_array(to_tsvector('english', ${words.join(' ')}::text))) AS lexeme) AS terms
      ),
      mine AS ${perUser ? Prisma.raw('MATERIALIZED') : Prisma.empty} (
        SELECT m."id", m."searchTsv" FROM "Memory" m WHERE ${scopeSql(scope)} AND ${this.selected(selection, now)}
      )
      SELECT n."id"::text AS "id", length(n."searchTsv") AS "length", n."searchTsv"::text AS "vector",
             query.lexemes AS "lexemes", (SELECT count(*) FROM mine) AS "documents"
      FROM mine n, query
      WHERE n."searchTsv" @@ query.q`;
    if (rows.length === 0) return [];
    const lexemes = new Set(rows[0]!.lexemes);
    return rankWindows({
      chunks: rows.map((row) => ({
        id: row.id,
        blobId: row.id,
        ordinal: 0,
        length: Number(row.length),
        terms: termCounts(row.vector, lexemes),
      })),
      documents: Number(rows[0]!.documents),
      context: [{ shift: 0, weight: 1 }],
      limit,
    }).map((hit) => ({ memoryId: hit.chunkId, score: hit.score }));
  }

  async countLive(userPks: readonly string[], now: Date): Promise<number[]> {
    const valid = [...new Set(userPks.filter(isUuid))];
    const rows = valid.length
      ? await this.db.$queryRaw<{ userPk: string; total: number }[]>`
          SELECT m."userPk"::text AS "userPk", count(*)::int AS "total" FROM "Memory" m
          WHERE m."userPk" = ANY(${valid}::uuid[]) AND ${liveSql(now)}
          GROUP BY m."userPk"`
      : [];
    const totals = new Map(rows.map((row) => [row.userPk, row.total]));
    return userPks.map((pk) => totals.get(pk) ?? 0);
  }

  async scopeUsage(userPks: readonly string[], field: 'agentId' | 'runId', now: Date): Promise<ScopeUsage[][]> {
    const valid = [...new Set(userPks.filter(isUuid))];
    const column = SCOPE_COLUMNS[field];
    const rows = valid.length
      ? await this.db.$queryRaw<{ userPk: string; id: string; memoryCount: number; blobCount: number }[]>`
          SELECT s."userPk"::text AS "userPk", s."id", sum(s."memories")::int AS "memoryCount", sum(s."blobs")::int AS "blobCount"
          FROM (
            SELECT m."userPk", m.${column} AS "id", count(*) AS "memories", 0 AS "blobs" FROM "Memory" m
            WHERE m."userPk" = ANY(${valid}::uuid[]) AND m.${column} IS NOT NULL AND ${liveSql(now)}
            GROUP BY 1, 2
            UNION ALL
            SELECT b."userPk", b.${column}, 0, count(*) FROM "Blob" b
            WHERE b."userPk" = ANY(${valid}::uuid[]) AND b.${column} IS NOT NULL
            GROUP BY 1, 2
          ) s
          GROUP BY s."userPk", s."id"
          ORDER BY s."userPk", s."id" COLLATE "C"`
      : [];
    return groupInKeyOrder(userPks, rows, (row) => row.userPk).map((group) =>
      group.map(({ id, memoryCount, blobCount }) => ({ id, memoryCount, blobCount })),
    );
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
    return groupInKeyOrder(
      memoryIds,
      (await openChangeRows(this.keys, rows)).map(toChangeRecord),
      (change) => change.memoryId,
    );
  }

  async changesOfEvents(eventIds: readonly string[]): Promise<MemoryChangeRecord[][]> {
    const rows = await this.db.memoryChange.findMany({
      where: { eventId: { in: [...eventIds] } },
      orderBy: [{ seq: 'asc' }],
    });
    return groupInKeyOrder(
      eventIds,
      (await openChangeRows(this.keys, rows)).map(toChangeRecord),
      (change) => change.eventId ?? '',
    );
  }

  /** The memory, its ADD and its index job in one statement (one round trip, atomic). */
  async create(memory: NewMemory): Promise<{ memory: MemoryRecord; change: MemoryChangeRecord }> {
    const ciphers = this.keys && (await this.keys.forWrite([memory.userPk]));
    const now = new Date();
    const record: MemoryRecord = {
      ...contentOf(memory),
      id: randomUUID(),
      projectId: memory.projectId,
      userPk: memory.userPk,
      metadata: memory.metadata,
      createdAt: now,
      updatedAt: now,
      deletedAt: null,
    };
    const change: MemoryChangeRecord = {
      id: randomUUID(),
      projectId: record.projectId,
      userPk: record.userPk,
      memoryId: record.id,
      kind: 'ADD',
      actor: 'API',
      before: null,
      after: contentOf(record),
      sourceBlobIds: [],
      eventId: null,
      createdAt: now,
    };
    const stored = memoryTextColumns(record, record.userPk, ciphers);
    const snapshot = snapshotJson(record);
    await this.db.$executeRaw`
      WITH new_memory AS (
        INSERT INTO "Memory" ("id", "projectId", "userPk", "text", "topic", "subTopic", "categories", "title", "summary",
          "tags", "importance", "confidence", "source", "agentId", "runId", "expiresAt", "immutable", "metadata",
          "embedding", "createdAt", "updatedAt", "searchTsv")
        VALUES (${record.id}::uuid, ${record.projectId}::uuid, ${record.userPk}::uuid, ${stored.text}, ${record.topic},
          ${record.subTopic}, ${record.categories}::text[], ${stored.title}, ${stored.summary}, ${record.tags}::text[],
          ${record.importance}::float8, ${record.confidence}::float8, ${record.source}, ${record.agentId},
          ${record.runId}, ${record.expiresAt}::timestamp, ${record.immutable},
          ${record.metadata === null ? null : JSON.stringify(record.metadata)}::jsonb, ${memory.embedding}::float8[],
          ${now}::timestamp, ${now}::timestamp, to_tsvector('english', ${stored.tsvSource ?? null}::text))
        RETURNING "id", "projectId", "userPk"
      ), new_change AS (
        INSERT INTO "MemoryChange" ("id", "projectId", "userPk", "memoryId", "kind", "actor", "after", "sourceBlobs", "createdAt")
        SELECT ${change.id}::uuid, "projectId", "userPk", "id", 'ADD', 'API',
          ${JSON.stringify(ciphers ? ciphers.sealJson(record.userPk, snapshot) : snapshot)}::jsonb,
          '{}', ${now}::timestamp
        FROM new_memory
      )
      INSERT INTO "IndexJob" ("kind", "projectId", "userPk", "memoryId")
      SELECT 'SYNC_MEMORY', "projectId", "userPk", "id" FROM new_memory`;
    return { memory: record, change };
  }

  async applyEdits(edits: readonly MemoryEdit[]): Promise<MemoryChangeRecord[]> {
    if (edits.length === 0) return [];
    const ciphers = this.keys && (await this.keys.forWrite(edits.map((edit) => edit.memory.userPk)));
    return this.db.$transaction(
      async (tx) => {
        // Re-read under lock: the history must record what was really replaced.
        const current = await lockMemories(
          tx,
          edits.map((edit) => edit.memory.id),
          this.keys,
        );
        edits.forEach((edit, index) => {
          const row = current.get(edit.memory.id);
          if (!row || row.deletedAt !== null) throw new MemoryEditConflict(index);
        });
        const now = new Date();
        const updates: ContentUpdate[] = [];
        const deletions: string[] = [];
        for (const edit of edits) {
          if (edit.kind === 'UPDATE')
            updates.push({
              id: edit.memory.id,
              userPk: edit.memory.userPk,
              content: edit.after,
              metadata: (edit.metadata ?? null) as Prisma.InputJsonValue | null,
              embedding: edit.embedding,
            });
          else deletions.push(edit.memory.id);
        }
        await updateContents(tx, updates, now, ciphers);
        await markDeleted(tx, deletions, now);
        const changes = await insertChanges(
          tx,
          edits.map((edit) => {
            const before = contentOf(toMemoryRecord(current.get(edit.memory.id)!));
            return {
              projectId: edit.memory.projectId,
              userPk: edit.memory.userPk,
              memoryId: edit.memory.id,
              kind: edit.kind,
              actor: 'API' as const,
              before,
              after: edit.kind === 'UPDATE' ? edit.after : null,
              sourceBlobIds: [],
              eventId: null,
            };
          }),
          now,
          ciphers,
        );
        await enqueueMemorySync(
          tx,
          edits.map((edit) => edit.memory),
        );
        return changes;
      },
      { timeout: 60_000 },
    );
  }

  async deleteWhere(userPk: string, selection: MemorySelection, now: Date): Promise<MemoryChangeRecord[]> {
    if (!isUuid(userPk)) return [];
    return this.db.$transaction(
      async (tx) => {
        const rows = await lockMemoriesWhere(
          tx,
          Prisma.sql`m."userPk" = ${userPk}::uuid AND m."deletedAt" IS NULL AND ${this.selected(selection, now)}`,
          this.keys,
        );
        return deleteRows(tx, rows, 'API', new Date(), 'each', this.keys);
      },
      { timeout: 60_000 },
    );
  }

  async reset(
    user: { pk: string; projectId: string },
    keepBlobs: boolean,
  ): Promise<{ changes: MemoryChangeRecord[]; eventsDeleted: number; blobsDeleted: number }> {
    return this.db.$transaction(
      async (tx) => {
        // First the processing state: this waits for a batch that is committing right now, and a
        // batch still running loses its lease (its commit then fails and writes nothing).
        await tx.userProcessing.deleteMany({ where: { userPk: user.pk } });
        let blobsDeleted = 0;
        if (keepBlobs) {
          await tx.blob.updateMany({
            where: { userPk: user.pk, bufferState: { in: ['PENDING', 'PROCESSING'] } },
            data: { bufferState: 'DONE' },
          });
        } else {
          blobsDeleted = (await tx.blob.deleteMany({ where: { userPk: user.pk } })).count;
          if (blobsDeleted > 0)
            await tx.indexJob.create({
              data: { kind: 'DELETE_USER_BLOBS', projectId: user.projectId, userPk: user.pk },
            });
        }
        const rows = await lockMemoriesWhere(
          tx,
          Prisma.sql`m."userPk" = ${user.pk}::uuid AND m."deletedAt" IS NULL`,
          this.keys,
        );
        const changes = await deleteRows(tx, rows, 'API', new Date(), 'none', this.keys);
        await tx.indexJob.create({
          data: { kind: 'DELETE_USER_MEMORIES', projectId: user.projectId, userPk: user.pk },
        });
        const eventsDeleted = (await tx.memoryEvent.deleteMany({ where: { userPk: user.pk } })).count;
        return { changes, eventsDeleted, blobsDeleted };
      },
      { timeout: 60_000 },
    );
  }

  async expire(now: Date, limit: number): Promise<MemoryChangeRecord[]> {
    return this.db.$transaction(
      async (tx) => {
        const rows = await tx.$queryRaw<MemoryRowFields[]>`
          SELECT ${COLUMNS} FROM "Memory" m
          WHERE m."deletedAt" IS NULL AND m."expiresAt" <= ${now}::timestamp
          ORDER BY m."expiresAt", m."id" LIMIT ${limit} FOR UPDATE SKIP LOCKED`;
        return deleteRows(tx, await openMemoryRows(this.keys, rows, tx), 'EXPIRY', new Date(), 'each', this.keys);
      },
      { timeout: 60_000 },
    );
  }
}

/** Marks (opened) rows deleted, records a DELETE for each and (with 'each') enqueues their index sync. */
async function deleteRows(
  tx: Tx,
  rows: readonly MemoryRowFields[],
  actor: ChangeActor,
  now: Date,
  jobs: 'each' | 'none',
  keys: UserKeyring | null,
): Promise<MemoryChangeRecord[]> {
  if (rows.length === 0) return [];
  // The users have keys: they have these memories.
  const ciphers =
    keys &&
    (await keys.forRead(
      rows.map((row) => row.userPk),
      tx,
    ));
  await markDeleted(
    tx,
    rows.map((row) => row.id),
    now,
  );
  const changes = await insertChanges(
    tx,
    rows.map((row) => ({
      projectId: row.projectId,
      userPk: row.userPk,
      memoryId: row.id,
      kind: 'DELETE' as const,
      actor,
      before: contentOf(toMemoryRecord(row)),
      after: null,
      sourceBlobIds: [],
      eventId: null,
    })),
    now,
    ciphers,
  );
  if (jobs === 'each') await enqueueMemorySync(tx, rows);
  return changes;
}

/** ORDER BY for a memory order: the value (nulls last), then the id, both in the order's direction. */
function orderSql(order: MemoryOrder): Prisma.Sql {
  const direction = Prisma.raw(order.direction === 'asc' ? 'ASC' : 'DESC');
  return Prisma.sql`${ORDER_COLUMNS[order.field]} ${direction} NULLS LAST, m."id" ${direction}`;
}

/** Rows after the keyset in that order (nulls sort last in both directions). */
function keysetSql(order: MemoryOrder, after: MemoryKeyset): Prisma.Sql {
  const column = ORDER_COLUMNS[order.field];
  const beyond = Prisma.raw(order.direction === 'asc' ? '>' : '<');
  const id = Prisma.sql`m."id" ${beyond} ${after.id}::uuid`;
  if (after.value === null) return Prisma.sql`(${column} IS NULL AND ${id})`;
  const value =
    after.value instanceof Date ? Prisma.sql`${after.value}::timestamp` : Prisma.sql`${after.value}::float8`;
  return Prisma.sql`(${column} ${beyond} ${value} OR (${column} = ${value} AND ${id}) OR ${column} IS NULL)`;
}
