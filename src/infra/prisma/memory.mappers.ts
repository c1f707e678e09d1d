// Row <-> domain mapping for memories, their changes and events.

import type {
  JsonObject,
  MemoryChangeRecord,
  MemoryContent,
  MemoryEventRecord,
  MemoryRecord,
  MemorySnapshot,
  TokenUsage,
} from '../../domain/types.js';
import type { MemoryChange as ChangeRow, MemoryEvent as EventRow, Prisma } from './generated/client.js';

/** The columns of a memory row the domain record is built from (never the embedding or the tsvector). */
export interface MemoryRowFields {
  id: string;
  projectId: string;
  userPk: string;
  text: string;
  topic: string;
  subTopic: string;
  categories: string[] | null;
  title: string | null;
  summary: string | null;
  tags: string[] | null;
  importance: number | null;
  confidence: number | null;
  source: string | null;
  agentId: string | null;
  runId: string | null;
  expiresAt: Date | null;
  immutable: boolean;
  metadata: unknown;
  createdAt: Date;
  updatedAt: Date;
  deletedAt: Date | null;
}

/** Those columns on alias `m`, for raw SQL. */
export const MEMORY_COLUMNS = `m."id"::text AS "id", m."projectId"::text AS "projectId", m."userPk"::text AS "userPk",
  m."text", m."topic", m."subTopic", m."categories", m."title", m."summary", m."tags", m."importance", m."confidence",
  m."source", m."agentId", m."runId", m."expiresAt", m."immutable", m."metadata", m."createdAt", m."updatedAt", m."deletedAt"`;

/** The same for the ORM: every column but the embedding (the tsvector is never selected by the ORM). */
export const memoryOmit = { embedding: true } as const;

export function toMemoryRecord(row: MemoryRowFields): MemoryRecord {
  return {
    id: row.id,
    projectId: row.projectId,
    userPk: row.userPk,
    text: row.text,
    topic: row.topic,
    subTopic: row.subTopic,
    categories: row.categories ?? [],
    title: row.title,
    summary: row.summary,
    tags: row.tags ?? [],
    importance: row.importance,
    confidence: row.confidence,
    source: row.source,
    agentId: row.agentId,
    runId: row.runId,
    expiresAt: row.expiresAt,
    immutable: row.immutable,
    metadata: (row.metadata as JsonObject | null) ?? null,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    deletedAt: row.deletedAt,
  };
}

/** The content part of a memory (what a change's snapshot holds). */
export function contentOf(memory: MemoryContent): MemoryContent {
  return {
    text: memory.text,
    topic: memory.topic,
    subTopic: memory.subTopic,
    categories: [...memory.categories],
    title: memory.title,
    summary: memory.summary,
    tags: [...memory.tags],
    importance: memory.importance,
    confidence: memory.confidence,
    source: memory.source,
    agentId: memory.agentId,
    runId: memory.runId,
    expiresAt: memory.expiresAt,
    immutable: memory.immutable,
  };
}

/** A memory's state as stored in a change's `before`/`after` JSON column. */
export function snapshotJson(memory: MemorySnapshot): Prisma.InputJsonObject {
  return { ...contentOf(memory), expiresAt: memory.expiresAt?.toISOString() ?? null };
}

/** A stored snapshot; changes written before a field existed read it as empty. */
function snapshotFromJson(json: unknown): MemorySnapshot | null {
  if (json === null || typeof json !== 'object') return null;
  const s = json as Partial<Record<keyof MemorySnapshot, unknown>>;
  const text = (value: unknown) => (typeof value === 'string' ? value : null);
  const number = (value: unknown) => (typeof value === 'number' ? value : null);
  const strings = (value: unknown) =>
    Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  return {
    text: text(s.text) ?? '',
    topic: text(s.topic) ?? '',
    subTopic: text(s.subTopic) ?? '',
    categories: strings(s.categories),
    title: text(s.title),
    summary: text(s.summary),
    tags: strings(s.tags),
    importance: number(s.importance),
    confidence: number(s.confidence),
    source: text(s.source),
    agentId: text(s.agentId),
    runId: text(s.runId),
    expiresAt: typeof s.expiresAt === 'string' ? new Date(s.expiresAt) : null,
    immutable: s.immutable === true,
  };
}

export function toChangeRecord(row: ChangeRow): MemoryChangeRecord {
  return {
    id: row.id,
    projectId: row.projectId,
    userPk: row.userPk,
    memoryId: row.memoryId,
    kind: row.kind,
    actor: row.actor,
    before: snapshotFromJson(row.before),
    after: snapshotFromJson(row.after),
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
    kind: row.kind,
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
