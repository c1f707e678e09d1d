// Row <-> domain mapping for memories, their changes and events.

import type {
  JsonObject,
  MemoryChangeRecord,
  MemoryEventRecord,
  MemoryRecord,
  MemorySnapshot,
  TokenUsage,
} from '../../domain/types.js';
import type {
  Memory as MemoryRow,
  MemoryChange as ChangeRow,
  MemoryEvent as EventRow,
  Prisma,
} from './generated/client.js';

export function toMemoryRecord(row: MemoryRow): MemoryRecord {
  return {
    id: row.id,
    projectId: row.projectId,
    userPk: row.userPk,
    text: row.text,
    topic: row.topic,
    subTopic: row.subTopic,
    categories: row.categories,
    metadata: (row.metadata as JsonObject | null) ?? null,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    deletedAt: row.deletedAt,
  };
}

/** A memory's state as stored in a change's `before`/`after` JSON column. */
export function snapshotJson(memory: MemorySnapshot): Prisma.InputJsonObject {
  return { text: memory.text, topic: memory.topic, subTopic: memory.subTopic, categories: [...memory.categories] };
}

export function toChangeRecord(row: ChangeRow): MemoryChangeRecord {
  return {
    id: row.id,
    projectId: row.projectId,
    userPk: row.userPk,
    memoryId: row.memoryId,
    kind: row.kind,
    actor: row.actor,
    before: (row.before as MemorySnapshot | null) ?? null,
    after: (row.after as MemorySnapshot | null) ?? null,
    sourceBlobIds: row.sourceBlobs,
    eventId: row.eventId,
    createdAt: row.createdAt,
  };
}

export function toEventRecord(row: EventRow): MemoryEventRecord {
  return {
    id: row.id,
    projectId: row.projectId,
    userPk: row.userPk,
    summary: row.summary,
    tags: row.tags,
    blobIds: row.blobIds,
    usage: (row.usage as TokenUsage | null) ?? null,
    createdAt: row.createdAt,
  };
}

/** Groups rows by a key into lists aligned with `keys` (the DataLoader contract). */
export function groupInKeyOrder<T>(keys: readonly string[], rows: readonly T[], keyOf: (row: T) => string): T[][] {
  const groups = new Map<string, T[]>(keys.map((key) => [key, []]));
  for (const row of rows) groups.get(keyOf(row))?.push(row);
  return keys.map((key) => groups.get(key) ?? []);
}
