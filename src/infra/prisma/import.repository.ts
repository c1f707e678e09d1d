// Imports: the job rows (Import) and the writes of a batch of an export
// file's lines into a project. A batch is one transaction: its records,
// their chunks, the index jobs that make the indexer embed them again (the
// outbox), and the job's `done` line, so a resumed import continues exactly
// after the last committed batch. Rows travel as JSON through
// jsonb_to_recordset, one statement per table, as the other bulk writes do.
// Every lookup by id asks which project holds it: an id another project
// holds is never read back, changed or deleted (ids are global).

import { type ImportLine, ImportLineError } from '../../domain/ports.js';
import type {
  ImportBatch,
  ImportConflict,
  ImportPresence,
  ImportRecord,
  ImportRepository,
  ImportStore,
} from '../../domain/ports.js';
import type { Page, PageRequest } from '../../domain/types.js';
import { blobContentToJson, locatorColumns } from './blob.mappers.js';
import { Prisma, type PrismaClient, type Import as Row } from './generated/client.js';
import { snapshotJson } from './memory.mappers.js';
import { enqueueMemorySync, insertChanges } from './memory-writes.js';
import type { UserKeyring } from './encryption/user-keys.js';

type Tx = Prisma.TransactionClient;
type Line<T extends ImportLine['type']> = Extract<ImportLine, { type: T }>;

function toRecord(row: Row): ImportRecord {
  return {
    id: row.id,
    projectId: row.projectId,
    file: row.file,
    onConflict: row.onConflict,
    status: row.status,
    done: row.done,
    total: row.total,
    written: row.written,
    skipped: row.skipped,
    error: row.error,
    errorCode: row.errorCode,
    createdAt: row.createdAt,
    finishedAt: row.finishedAt,
  };
}

export class PrismaImportRepository implements ImportRepository {
  constructor(private readonly db: PrismaClient) {}

  async create(input: { projectId: string; file: string; onConflict: ImportConflict }): Promise<ImportRecord> {
    return toRecord(await this.db.import.create({ data: input }));
  }

  async findById(id: string): Promise<ImportRecord | null> {
    const row = await this.db.import.findUnique({ where: { id } });
    return row && toRecord(row);
  }

  async list(page: PageRequest): Promise<Page<ImportRecord>> {
    const after = page.after;
    const [rows, totalCount] = await Promise.all([
      this.db.import.findMany({
        where: after
          ? { OR: [{ createdAt: { gt: after.createdAt } }, { createdAt: after.createdAt, id: { gt: after.id } }] }
          : {},
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        take: page.first + 1,
      }),
      this.db.import.count(),
    ]);
    return { items: rows.slice(0, page.first).map(toRecord), hasNextPage: rows.length > page.first, totalCount };
  }

  async claim(id: string, leaseMs: number, now: Date): Promise<ImportRecord | null> {
    const { count } = await this.db.import.updateMany({
      where: { id, OR: [{ status: 'PENDING' }, { status: 'RUNNING', leaseUntil: { lt: now } }] },
      data: { status: 'RUNNING', leaseUntil: new Date(now.getTime() + leaseMs) },
    });
    if (count === 0) return null;
    return this.findById(id);
  }

  async unfinished(now: Date, limit: number): Promise<string[]> {
    const rows = await this.db.import.findMany({
      where: { OR: [{ status: 'PENDING' }, { status: 'RUNNING', leaseUntil: { lt: now } }] },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take: limit,
      select: { id: true },
    });
    return rows.map((row) => row.id);
  }

  async renew(id: string, leaseUntil: Date): Promise<void> {
    await this.db.import.updateMany({ where: { id, status: 'RUNNING' }, data: { leaseUntil } });
  }

  async checked(id: string, total: number, leaseUntil: Date): Promise<void> {
    await this.db.import.update({ where: { id }, data: { total, leaseUntil } });
  }

  async finish(id: string, outcome: Parameters<ImportRepository['finish']>[1]): Promise<ImportRecord> {
    const row = await this.db.import.update({
      where: { id },
      data: { ...outcome, leaseUntil: null },
    });
    return toRecord(row);
  }
}

/** Why an import cannot run on an encrypted database (it would write the file's text in clear). */
export const IMPORT_ENCRYPTED_ERROR =
  'imports are not available with encryption at rest (MEMQL_ENCRYPTION_KEY) yet: this writer stores rows as the file ' +
  'holds them, in clear; import into a server started without the key';

export class PrismaImportStore implements ImportStore {
  /** `keys`: encryption at rest; while set, write() refuses before writing anything. */
  constructor(
    private readonly db: PrismaClient,
    private readonly keys: UserKeyring | null = null,
  ) {}

  async presence(projectId: string, lines: readonly ImportLine[]): Promise<ImportPresence> {
    const ids = { user: [] as string[], blob: [] as string[], event: [] as string[], memory: [] as string[] };
    const changes: string[] = [];
    let asksProfile = false;
    for (const line of lines) {
      if (line.type === 'user') ids.user.push(line.id);
      else if (line.type === 'blob') ids.blob.push(line.blob.id);
      else if (line.type === 'event') ids.event.push(line.event.id);
      else if (line.type === 'memory') {
        ids.memory.push(line.memory.id);
        changes.push(...line.history.map((change) => change.id));
      } else if (line.type === 'profileConfig') asksProfile = true;
    }
    const inProject = new Set<string>();
    const elsewhere = new Set<string>();
    const users = await this.db.user.findMany({
      where: { projectId, externalId: { in: ids.user } },
      select: { externalId: true },
    });
    for (const user of users) inProject.add(`user:${user.externalId}`);
    const owners = async (kind: string, table: Prisma.Sql, list: string[]) => {
      if (list.length === 0) return;
      const rows = await this.db.$queryRaw<{ id: string; mine: boolean }[]>`
        SELECT "id"::text AS "id", "projectId" = ${projectId}::uuid AS "mine" FROM ${table} WHERE "id" = ANY(${list}::uuid[])`;
      for (const row of rows) (row.mine ? inProject : elsewhere).add(`${kind}:${row.id}`);
    };
    await owners('blob', Prisma.sql`"Blob"`, ids.blob);
    await owners('event', Prisma.sql`"MemoryEvent"`, ids.event);
    await owners('memory', Prisma.sql`"Memory"`, ids.memory);
    await owners('change', Prisma.sql`"MemoryChange"`, changes);
    const customProfile = asksProfile && (await this.db.profileConfig.count({ where: { projectId } })) > 0;
    return { inProject, elsewhere, customProfile };
  }

  async write(
    importId: string,
    projectId: string,
    batch: ImportBatch,
    onConflict: ImportConflict,
    leaseUntil: Date,
  ): Promise<{ written: number; skipped: number }> {
    if (this.keys) throw new Error(IMPORT_ENCRYPTED_ERROR);
    return this.db.$transaction(
      async (tx) => {
        const count = { written: 0, skipped: 0 };
        const overwrite = onConflict === 'OVERWRITE';
        const of = <T extends ImportLine['type']>(type: T) =>
          batch.lines.filter((line): line is Line<T> => line.type === type);
        await writeProfile(tx, projectId, of('profileConfig'), overwrite, count);
        await writeUsers(tx, projectId, of('user'), overwrite, count);
        const pks = await userPks(tx, projectId, batch.lines);
        await writeBlobs(tx, projectId, pks, of('blob'), batch, overwrite, count);
        await writeEvents(tx, projectId, pks, of('event'), overwrite, count);
        await writeMemories(tx, projectId, pks, of('memory'), overwrite, count);
        await tx.import.update({
          where: { id: importId },
          data: {
            done: batch.lastLine,
            written: { increment: count.written },
            skipped: { increment: count.skipped },
            leaseUntil,
          },
        });
        return count;
      },
      { timeout: 120_000 },
    );
  }
}

interface Count {
  written: number;
  skipped: number;
}

async function writeProfile(
  tx: Tx,
  projectId: string,
  lines: Line<'profileConfig'>[],
  overwrite: boolean,
  count: Count,
): Promise<void> {
  for (const line of lines) {
    if (!line.custom) continue; // the file's project used the default: nothing to store
    const held = (await tx.profileConfig.count({ where: { projectId } })) > 0;
    if (held && !overwrite) {
      count.skipped += 1;
      continue;
    }
    const config = line.config as unknown as Prisma.InputJsonValue;
    await tx.profileConfig.upsert({ where: { projectId }, create: { projectId, config }, update: { config } });
    count.written += 1;
  }
}

async function writeUsers(
  tx: Tx,
  projectId: string,
  lines: Line<'user'>[],
  overwrite: boolean,
  count: Count,
): Promise<void> {
  if (lines.length === 0) return;
  const rows = lines.map((line) => ({
    externalId: line.id,
    data: line.data,
    createdAt: line.createdAt.toISOString(),
    updatedAt: line.updatedAt.toISOString(),
  }));
  const onConflict = overwrite
    ? Prisma.sql`DO UPDATE SET "data" = EXCLUDED."data", "createdAt" = EXCLUDED."createdAt", "updatedAt" = EXCLUDED."updatedAt"`
    : Prisma.sql`DO NOTHING`;
  const written = await tx.$executeRaw`
    INSERT INTO "User" ("pk", "projectId", "externalId", "data", "createdAt", "updatedAt")
    SELECT gen_random_uuid(), ${projectId}::uuid, u."externalId", u."data", u."createdAt", u."updatedAt"
    FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
      AS u("externalId" text, "data" jsonb, "createdAt" timestamp, "updatedAt" timestamp)
    ON CONFLICT ("projectId", "externalId") ${onConflict}`;
  count.written += written;
  count.skipped += lines.length - written;
}

/** The project's users the batch's lines belong to, by external id. */
async function userPks(tx: Tx, projectId: string, lines: readonly ImportLine[]): Promise<Map<string, string>> {
  const ids = new Set<string>();
  for (const line of lines) if ('userId' in line) ids.add(line.userId);
  if (ids.size === 0) return new Map();
  const rows = await tx.user.findMany({
    where: { projectId, externalId: { in: [...ids] } },
    select: { pk: true, externalId: true },
  });
  const pks = new Map(rows.map((row) => [row.externalId, row.pk]));
  for (const line of lines)
    if ('userId' in line && !pks.has(line.userId))
      throw new ImportLineError(line.line, `user "${line.userId}" is not in the project (its user line is missing)`);
  return pks;
}

/**
 * Locks the rows of `ids` in `table` and sorts the lines: the ids no row
 * has (to insert), the project's (to replace or skip). Another project's id
 * stops the batch: it is neither replaced nor shared.
 */
async function sortByOwner<L extends ImportLine>(
  tx: Tx,
  projectId: string,
  table: Prisma.Sql,
  lines: L[],
  idOf: (line: L) => string,
  name: string,
): Promise<{ fresh: L[]; held: Map<string, string> }> {
  if (lines.length === 0) return { fresh: [], held: new Map() };
  const rows = await tx.$queryRaw<{ id: string; projectId: string; userPk: string }[]>`
    SELECT "id"::text AS "id", "projectId"::text AS "projectId", "userPk"::text AS "userPk" FROM ${table}
    WHERE "id" = ANY(${lines.map(idOf)}::uuid[]) ORDER BY "id" FOR UPDATE`;
  const held = new Map<string, string>();
  for (const row of rows) {
    if (row.projectId !== projectId) {
      const line = lines.find((l) => idOf(l) === row.id)!;
      throw new ImportLineError(line.line, `${name} ${row.id}: the id is taken outside this project`);
    }
    held.set(row.id, row.userPk);
  }
  return { fresh: lines.filter((line) => !held.has(idOf(line))), held };
}

async function writeBlobs(
  tx: Tx,
  projectId: string,
  pks: Map<string, string>,
  lines: Line<'blob'>[],
  batch: ImportBatch,
  overwrite: boolean,
  count: Count,
): Promise<void> {
  const { fresh, held } = await sortByOwner(tx, projectId, Prisma.sql`"Blob"`, lines, (l) => l.blob.id, 'blob');
  const replaced = overwrite ? lines.filter((line) => held.has(line.blob.id)) : [];
  count.skipped += held.size - replaced.length;
  const writing = [...fresh, ...replaced];
  if (writing.length === 0) return;
  if (replaced.length > 0) {
    const ids = replaced.map((line) => line.blob.id);
    const gone = replaced.map((line) => ({ userPk: held.get(line.blob.id)!, blobId: line.blob.id }));
    // The old chunks' vectors go first; the indexer then upserts the new ones (jobs run in order).
    await enqueueBlobJobs(tx, 'DELETE_BLOB', projectId, gone);
    await tx.$executeRaw`DELETE FROM "Blob" WHERE "id" = ANY(${ids}::uuid[]) AND "projectId" = ${projectId}::uuid`;
  }
  const blobRows = writing.map((line) => {
    const prepared = batch.blobs.get(line.blob.id);
    if (!prepared) throw new Error(`blob ${line.blob.id} was not prepared`);
    return {
      id: line.blob.id,
      userPk: pks.get(line.userId)!,
      type: line.blob.content.type,
      content: blobContentToJson(line.blob.content),
      metadata: line.blob.metadata,
      createdAt: line.blob.createdAt.toISOString(),
      insertedAt: line.insertedAt.toISOString(),
      bufferState: line.extraction,
      tokens: line.extraction === 'NONE' ? 0 : prepared.bufferTokens,
      storedTokens: prepared.storedTokens,
      agentId: line.blob.agentId,
      runId: line.blob.runId,
    };
  });
  const chunkRows = writing.flatMap((line) =>
    batch.blobs.get(line.blob.id)!.chunks.map((chunk) => ({
      blobId: line.blob.id,
      userPk: pks.get(line.userId)!,
      ordinal: chunk.ordinal,
      text: chunk.text,
      searchText: chunk.searchText,
      ...locatorColumns(chunk.locator),
      createdAt: line.blob.createdAt.toISOString(),
    })),
  );
  await tx.$executeRaw`
    INSERT INTO "Blob" ("id", "projectId", "userPk", "type", "content", "metadata", "createdAt", "insertedAt", "bufferState", "tokens",
      "storedTokens", "agentId", "runId")
    SELECT b."id", ${projectId}::uuid, b."userPk", b."type"::"BlobType", b."content", b."metadata", b."createdAt", b."insertedAt",
           b."bufferState"::"BufferState", b."tokens", b."storedTokens", b."agentId", b."runId"
    FROM jsonb_to_recordset(${JSON.stringify(blobRows)}::jsonb)
      AS b("id" uuid, "userPk" uuid, "type" text, "content" jsonb, "metadata" jsonb, "createdAt" timestamp, "insertedAt" timestamp,
           "bufferState" text, "tokens" int, "storedTokens" int, "agentId" text, "runId" text)`;
  if (chunkRows.length > 0)
    await tx.$executeRaw`
      INSERT INTO "Chunk" ("id", "blobId", "projectId", "userPk", "ordinal", "text", "searchText", "messageIndex", "charStart", "charEnd", "startTime", "endTime", "createdAt")
      SELECT gen_random_uuid(), c."blobId", ${projectId}::uuid, c."userPk", c."ordinal", c."text", c."searchText", c."messageIndex", c."charStart", c."charEnd",
             c."startTime", c."endTime", c."createdAt"
      FROM jsonb_to_recordset(${JSON.stringify(chunkRows)}::jsonb)
        AS c("blobId" uuid, "userPk" uuid, "ordinal" int, "text" text, "searchText" text, "messageIndex" int, "charStart" int,
             "charEnd" int, "startTime" float8, "endTime" float8, "createdAt" timestamp)`;
  await enqueueBlobJobs(
    tx,
    'UPSERT_BLOB',
    projectId,
    blobRows.map((row) => ({ userPk: row.userPk, blobId: row.id })),
  );
  count.written += writing.length;
}

async function writeEvents(
  tx: Tx,
  projectId: string,
  pks: Map<string, string>,
  lines: Line<'event'>[],
  overwrite: boolean,
  count: Count,
): Promise<void> {
  const { fresh } = await sortByOwner(tx, projectId, Prisma.sql`"MemoryEvent"`, lines, (l) => l.event.id, 'event');
  // An event is updated in place: deleting it would unlink the changes that point at it.
  const writing = overwrite ? lines : fresh;
  count.skipped += lines.length - writing.length;
  if (writing.length === 0) return;
  const rows = writing.map((line) => ({
    id: line.event.id,
    userPk: pks.get(line.userId)!,
    kind: line.event.kind,
    summary: line.event.summary,
    tags: line.event.tags,
    blobIds: line.event.blobIds,
    usage: line.event.usage,
    createdAt: line.event.createdAt.toISOString(),
  }));
  await tx.$executeRaw`
    INSERT INTO "MemoryEvent" ("id", "projectId", "userPk", "kind", "summary", "tags", "blobIds", "usage", "createdAt")
    SELECT e."id", ${projectId}::uuid, e."userPk", e."kind"::"MemoryEventKind", e."summary", e."tags", e."blobIds", e."usage", e."createdAt"
    FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
      AS e("id" uuid, "userPk" uuid, "kind" text, "summary" text, "tags" text[], "blobIds" text[], "usage" jsonb, "createdAt" timestamp)
    ON CONFLICT ("id") DO UPDATE SET "userPk" = EXCLUDED."userPk", "kind" = EXCLUDED."kind", "summary" = EXCLUDED."summary", "tags" = EXCLUDED."tags",
      "blobIds" = EXCLUDED."blobIds", "usage" = EXCLUDED."usage", "createdAt" = EXCLUDED."createdAt"
    WHERE "MemoryEvent"."projectId" = ${projectId}::uuid`;
  count.written += writing.length;
}

async function writeMemories(
  tx: Tx,
  projectId: string,
  pks: Map<string, string>,
  lines: Line<'memory'>[],
  overwrite: boolean,
  count: Count,
): Promise<void> {
  const { fresh, held } = await sortByOwner(tx, projectId, Prisma.sql`"Memory"`, lines, (l) => l.memory.id, 'memory');
  const replaced = overwrite ? lines.filter((line) => held.has(line.memory.id)) : [];
  count.skipped += held.size - replaced.length;
  const writing = [...fresh, ...replaced];
  if (writing.length === 0) return;
  if (replaced.length > 0) {
    // Its history and sources go with it (cascade) and come back from the file.
    const ids = replaced.map((line) => line.memory.id);
    await tx.$executeRaw`DELETE FROM "Memory" WHERE "id" = ANY(${ids}::uuid[]) AND "projectId" = ${projectId}::uuid`;
  }
  const changeIds = writing.flatMap((line) => line.history.map((change) => change.id));
  if (changeIds.length > 0) {
    const taken = await tx.$queryRaw<{ id: string }[]>`
      SELECT "id"::text AS "id" FROM "MemoryChange" WHERE "id" = ANY(${changeIds}::uuid[])`;
    if (taken.length > 0) {
      const id = taken[0]!.id;
      const line = writing.find((l) => l.history.some((change) => change.id === id))!;
      throw new ImportLineError(line.line, `memory change ${id}: the id is taken by another memory`);
    }
  }
  const memoryRows = writing.map((line) => {
    const m = line.memory;
    return {
      ...snapshotJson(m),
      id: m.id,
      userPk: pks.get(line.userId)!,
      metadata: m.metadata,
      createdAt: m.createdAt.toISOString(),
      updatedAt: m.updatedAt.toISOString(),
      deletedAt: m.deletedAt?.toISOString() ?? null,
    };
  });
  await tx.$executeRaw`
    INSERT INTO "Memory" ("id", "projectId", "userPk", "text", "topic", "subTopic", "categories", "title", "summary", "tags",
      "importance", "confidence", "source", "agentId", "runId", "expiresAt", "immutable", "metadata", "embedding",
      "createdAt", "updatedAt", "deletedAt")
    SELECT m."id", ${projectId}::uuid, m."userPk", m."text", m."topic", m."subTopic", m."categories", m."title", m."summary", m."tags",
      m."importance", m."confidence", m."source", m."agentId", m."runId", m."expiresAt", m."immutable", m."metadata", '{}'::float8[],
      m."createdAt", m."updatedAt", m."deletedAt"
    FROM jsonb_to_recordset(${JSON.stringify(memoryRows)}::jsonb) AS m(
      "id" uuid, "userPk" uuid, "text" text, "topic" text, "subTopic" text, "categories" text[], "title" text, "summary" text,
      "tags" text[], "importance" float8, "confidence" float8, "source" text, "agentId" text, "runId" text,
      "expiresAt" timestamp, "immutable" boolean, "metadata" jsonb, "createdAt" timestamp, "updatedAt" timestamp, "deletedAt" timestamp)`;
  const sources = writing.flatMap((line) =>
    [...new Set(line.sourceBlobIds)].map((blobId) => ({ memoryId: line.memory.id, blobId })),
  );
  if (sources.length > 0)
    await tx.$executeRaw`
      INSERT INTO "MemorySource" ("memoryId", "blobId")
      SELECT s."memoryId", s."blobId" FROM jsonb_to_recordset(${JSON.stringify(sources)}::jsonb) AS s("memoryId" uuid, "blobId" uuid)`;
  // In file order: `seq` (the history's order among changes of one instant) follows it.
  await insertChanges(
    tx,
    writing.flatMap((line) =>
      line.history.map((change) => ({
        ...change,
        projectId,
        userPk: pks.get(line.userId)!,
        memoryId: line.memory.id,
      })),
    ),
    new Date(),
    null, // in clear: write() refuses an encrypted database
  );
  await enqueueMemorySync(
    tx,
    memoryRows.map((row) => ({ id: row.id, projectId, userPk: row.userPk })),
  );
  count.written += writing.length;
}

async function enqueueBlobJobs(
  tx: Tx,
  kind: 'UPSERT_BLOB' | 'DELETE_BLOB',
  projectId: string,
  jobs: { userPk: string; blobId: string }[],
): Promise<void> {
  await tx.$executeRaw`
    INSERT INTO "IndexJob" ("kind", "projectId", "userPk", "blobId")
    SELECT ${kind}::"IndexJobKind", ${projectId}::uuid, j."userPk", j."blobId"
    FROM jsonb_to_recordset(${JSON.stringify(jobs)}::jsonb) AS j("userPk" uuid, "blobId" uuid)`;
}
