// Bulk writes of memory changes inside a transaction, shared by API edits
// (memory.repository.ts) and extraction batches (processing.repository.ts):
// one statement updates the memories, one records their history, one
// enqueues their index jobs (the outbox), however many memories change.

import { randomUUID } from 'node:crypto';
import type { ChangeActor, MemoryChangeKind, MemoryChangeRecord, MemoryContent } from '../../domain/types.js';
import { Prisma } from './generated/client.js';
import { MEMORY_COLUMNS, type MemoryRowFields, snapshotJson } from './memory.mappers.js';
import { memorySearchSource, openMemoryRows } from './encryption/sealed-rows.js';
import type { UserCiphers, UserKeyring } from './encryption/user-keys.js';

export type Tx = Prisma.TransactionClient;

/** The memories among `ids` (live or not), locked for the rest of the transaction, opened (encryption at rest). */
export async function lockMemories(
  tx: Tx,
  ids: readonly string[],
  keys: UserKeyring | null,
): Promise<Map<string, MemoryRowFields>> {
  if (ids.length === 0) return new Map();
  const rows = await tx.$queryRaw<MemoryRowFields[]>`
    SELECT ${Prisma.raw(MEMORY_COLUMNS)} FROM "Memory" m WHERE m."id" = ANY(${[...ids]}::uuid[]) ORDER BY m."id" FOR UPDATE`;
  return new Map((await openMemoryRows(keys, rows, tx)).map((row) => [row.id, row]));
}

/** Locks and returns the rows matching `where` (a condition on alias m), opened. */
export async function lockMemoriesWhere(
  tx: Tx,
  where: Prisma.Sql,
  keys: UserKeyring | null,
  limit?: number,
): Promise<MemoryRowFields[]> {
  const rows = await tx.$queryRaw<MemoryRowFields[]>`
    SELECT ${Prisma.raw(MEMORY_COLUMNS)} FROM "Memory" m WHERE ${where}
    ORDER BY m."id" ${limit === undefined ? Prisma.empty : Prisma.sql`LIMIT ${limit}`} FOR UPDATE`;
  return openMemoryRows(keys, rows, tx);
}

/**
 * A memory's text columns as written: with encryption at rest, text, title
 * and summary sealed, and `tsvSource` the full-text vector's source in clear
 * (only ever the argument of the database's to_tsvector, never stored).
 */
export function memoryTextColumns(
  memory: { text: string; title: string | null; summary: string | null },
  userPk: string,
  ciphers: UserCiphers | null,
): { text: string; title: string | null; summary: string | null; tsvSource?: string } {
  if (!ciphers) return { text: memory.text, title: memory.title, summary: memory.summary };
  return {
    text: ciphers.seal(userPk, memory.text),
    title: ciphers.sealNullable(userPk, memory.title),
    summary: ciphers.sealNullable(userPk, memory.summary),
    tsvSource: memorySearchSource(memory),
  };
}

/** A change's snapshot as stored: sealed whole with encryption at rest. */
function storedSnapshot(
  snapshot: MemoryContent | null,
  userPk: string,
  ciphers: UserCiphers | null,
): Prisma.InputJsonValue | null {
  if (!snapshot) return null;
  const json = snapshotJson(snapshot);
  return ciphers ? ciphers.sealJson(userPk, json) : json;
}

/** Sets the full-text vectors of sealed memories from their plaintext (the trigger cannot). */
export async function setMemorySearchVectors(
  tx: Tx,
  memories: readonly { id: string; tsvSource?: string }[],
): Promise<void> {
  const rows = memories.flatMap((m) => (m.tsvSource === undefined ? [] : [{ id: m.id, source: m.tsvSource }]));
  if (rows.length === 0) return;
  await tx.$executeRaw`
    UPDATE "Memory" AS m SET "searchTsv" = to_tsvector('english', u."source")
    FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS u("id" uuid, "source" text)
    WHERE m."id" = u."id"`;
}

export interface ContentUpdate {
  id: string;
  userPk: string;
  content: MemoryContent;
  /** undefined: leave the metadata as it is. */
  metadata?: Prisma.InputJsonValue | null;
  /** null: leave the embedding as it is. */
  embedding: number[] | null;
}

/** Sets the content (and metadata, embedding) of existing memories in one statement (sealed with `ciphers`). */
export async function updateContents(
  tx: Tx,
  updates: readonly ContentUpdate[],
  now: Date,
  ciphers: UserCiphers | null,
): Promise<void> {
  if (updates.length === 0) return;
  const rows = updates.map((u) => ({
    ...snapshotJson(u.content),
    ...memoryTextColumns(u.content, u.userPk, ciphers),
    id: u.id,
    setMetadata: u.metadata !== undefined,
    metadata: u.metadata ?? null,
    embedding: u.embedding,
  }));
  await tx.$executeRaw`
    UPDATE "Memory" AS m SET
      "text" = u."text", "topic" = u."topic", "subTopic" = u."subTopic", "categories" = u."categories",
      "title" = u."title", "summary" = u."summary", "tags" = u."tags", "importance" = u."importance",
      "confidence" = u."confidence", "source" = u."source", "agentId" = u."agentId", "runId" = u."runId",
      "expiresAt" = u."expiresAt", "immutable" = u."immutable",
      "metadata" = CASE WHEN u."setMetadata" THEN u."metadata" ELSE m."metadata" END,
      "embedding" = COALESCE(u."embedding", m."embedding"),
      -- Sealed rows only; the trigger fills it from a row in clear.
      "searchTsv" = to_tsvector('english', u."tsvSource"),
      "updatedAt" = ${now}::timestamp
    FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS u(
      "id" uuid, "text" text, "topic" text, "subTopic" text, "categories" text[], "title" text, "summary" text,
      "tags" text[], "importance" float8, "confidence" float8, "source" text, "agentId" text, "runId" text,
      "expiresAt" timestamp, "immutable" boolean, "setMetadata" boolean, "metadata" jsonb, "embedding" float8[],
      "tsvSource" text)
    WHERE m."id" = u."id"`;
}

/** Marks memories deleted in one statement. */
export async function markDeleted(tx: Tx, ids: readonly string[], now: Date): Promise<void> {
  if (ids.length === 0) return;
  await tx.$executeRaw`
    UPDATE "Memory" SET "deletedAt" = ${now}::timestamp, "updatedAt" = ${now}::timestamp
    WHERE "id" = ANY(${[...ids]}::uuid[])`;
}

export interface NewChange {
  projectId: string;
  userPk: string;
  memoryId: string;
  kind: MemoryChangeKind;
  actor: ChangeActor;
  before: MemoryContent | null;
  after: MemoryContent | null;
  sourceBlobIds: string[];
  eventId: string | null;
  /** Given by an import (the change as exported); new changes get a new id and `now`. */
  id?: string;
  createdAt?: Date;
}

/** Records changes in one statement, in the given order (their `seq`); returns them as given (snapshots sealed with `ciphers`). */
export async function insertChanges(
  tx: Tx,
  changes: readonly NewChange[],
  now: Date,
  ciphers: UserCiphers | null,
): Promise<MemoryChangeRecord[]> {
  if (changes.length === 0) return [];
  const records: MemoryChangeRecord[] = changes.map((change) => ({
    ...change,
    id: change.id ?? randomUUID(),
    createdAt: change.createdAt ?? now,
  }));
  const rows = records.map((r, position) => ({
    position,
    id: r.id,
    projectId: r.projectId,
    userPk: r.userPk,
    memoryId: r.memoryId,
    kind: r.kind,
    actor: r.actor,
    before: storedSnapshot(r.before, r.userPk, ciphers),
    after: storedSnapshot(r.after, r.userPk, ciphers),
    sourceBlobs: r.sourceBlobIds,
    eventId: r.eventId,
    createdAt: r.createdAt.toISOString(),
  }));
  await tx.$executeRaw`
    INSERT INTO "MemoryChange" ("id", "projectId", "userPk", "memoryId", "kind", "actor", "before", "after", "sourceBlobs", "eventId", "createdAt")
    SELECT c."id", c."projectId", c."userPk", c."memoryId", c."kind"::"MemoryChangeKind", c."actor"::"ChangeActor",
           c."before", c."after", c."sourceBlobs", c."eventId", c."createdAt"
    FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS c(
      "position" int, "id" uuid, "projectId" uuid, "userPk" uuid, "memoryId" uuid, "kind" text, "actor" text,
      "before" jsonb, "after" jsonb, "sourceBlobs" text[], "eventId" uuid, "createdAt" timestamp)
    ORDER BY c."position"`;
  return records;
}

/** Enqueues SYNC_MEMORY for each memory: the indexer upserts a live one's vector and removes any other's. */
export async function enqueueMemorySync(
  tx: Tx,
  memories: readonly { id: string; projectId: string; userPk: string }[],
): Promise<void> {
  if (memories.length === 0) return;
  const rows = memories.map((m, position) => ({ position, projectId: m.projectId, userPk: m.userPk, memoryId: m.id }));
  await tx.$executeRaw`
    INSERT INTO "IndexJob" ("kind", "projectId", "userPk", "memoryId")
    SELECT 'SYNC_MEMORY', j."projectId", j."userPk", j."memoryId"
    FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS j("position" int, "projectId" uuid, "userPk" uuid, "memoryId" uuid)
    ORDER BY j."position"`;
}
