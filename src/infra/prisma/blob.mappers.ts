// Row <-> domain mapping for blobs and chunks.
//
// Blob.content holds the type-specific payload without the discriminant (the
// row's `type` column is the discriminant):
//   CHAT       { messages: [{ role, content, name?, createdAt? (ISO string) }] }
//   DOC        { title, content }
//   TRANSCRIPT { segments: [{ start, end, text, speaker? }] }
//   SUMMARY    { summary }
//   CODE       { language, content }

import type {
  BlobContent,
  BlobRecord,
  BlobType,
  ChatMessage,
  ChunkLocator,
  ChunkRecord,
  JsonObject,
  JsonValue,
  TranscriptSegment,
} from '../../domain/types.js';
import type { Blob as BlobRow, Chunk as ChunkRow } from './generated/client.js';

/** A stored payload that does not have the shape its type promises (written by something else). */
export class CorruptRowError extends Error {
  constructor(table: string, id: string, problem: string) {
    super(`${table} ${id}: ${problem}`);
    this.name = 'CorruptRowError';
  }
}

// ---------------------------------------------------------------- blobs

/** The JSON stored in Blob.content for a payload. */
export function blobContentToJson(content: BlobContent): JsonObject {
  switch (content.type) {
    case 'CHAT':
      return { messages: content.messages.map(chatMessageToJson) };
    case 'DOC':
      return { title: content.title, content: content.content };
    case 'TRANSCRIPT':
      return { segments: content.segments.map(segmentToJson) };
    case 'SUMMARY':
      return { summary: content.summary };
    case 'CODE':
      return { language: content.language, content: content.content };
    default: {
      const unreachable: never = content;
      throw new Error(`unknown blob content ${JSON.stringify(unreachable)}`);
    }
  }
}

function chatMessageToJson(message: ChatMessage): JsonObject {
  const json: JsonObject = { role: message.role, content: message.content };
  if (message.name != null) json.name = message.name;
  if (message.createdAt != null) json.createdAt = message.createdAt.toISOString();
  return json;
}

function segmentToJson(segment: TranscriptSegment): JsonObject {
  const json: JsonObject = { start: segment.start, end: segment.end, text: segment.text };
  if (segment.speaker != null) json.speaker = segment.speaker;
  return json;
}

/** The fields of a Blob row the domain record is built from. */
export type BlobRowFields = Pick<
  BlobRow,
  'id' | 'projectId' | 'userPk' | 'type' | 'content' | 'metadata' | 'createdAt' | 'agentId' | 'runId'
>;

export function toBlobRecord(row: BlobRowFields): BlobRecord {
  return {
    id: row.id,
    projectId: row.projectId,
    userPk: row.userPk,
    content: blobContentFromJson(row.type, row.content as JsonValue, row.id),
    metadata: row.metadata === null ? null : asObject(row.metadata as JsonValue, row.id, 'metadata'),
    createdAt: row.createdAt,
    agentId: row.agentId,
    runId: row.runId,
  };
}

export function blobContentFromJson(type: BlobType, json: JsonValue, id: string): BlobContent {
  const payload = asObject(json, id, 'content');
  switch (type) {
    case 'CHAT':
      return {
        type,
        messages: asArray(payload.messages, id, 'content.messages').map((m) => chatMessageFromJson(m, id)),
      };
    case 'DOC':
      return {
        type,
        title: optionalString(payload.title, id, 'content.title'),
        content: requiredString(payload.content, id, 'content.content'),
      };
    case 'TRANSCRIPT':
      return { type, segments: asArray(payload.segments, id, 'content.segments').map((s) => segmentFromJson(s, id)) };
    case 'SUMMARY':
      return { type, summary: requiredString(payload.summary, id, 'content.summary') };
    case 'CODE':
      return {
        type,
        language: optionalString(payload.language, id, 'content.language'),
        content: requiredString(payload.content, id, 'content.content'),
      };
    default: {
      const unreachable: never = type;
      throw new CorruptRowError('Blob', id, `unknown type ${String(unreachable)}`);
    }
  }
}

function chatMessageFromJson(json: JsonValue, id: string): ChatMessage {
  const m = asObject(json, id, 'content.messages[]');
  const createdAt = optionalString(m.createdAt, id, 'message.createdAt');
  return {
    role: requiredString(m.role, id, 'message.role'),
    content: requiredString(m.content, id, 'message.content'),
    name: optionalString(m.name, id, 'message.name'),
    createdAt: createdAt === null ? null : new Date(createdAt),
  };
}

function segmentFromJson(json: JsonValue, id: string): TranscriptSegment {
  const s = asObject(json, id, 'content.segments[]');
  return {
    start: requiredNumber(s.start, id, 'segment.start'),
    end: requiredNumber(s.end, id, 'segment.end'),
    text: requiredString(s.text, id, 'segment.text'),
    speaker: optionalString(s.speaker, id, 'segment.speaker'),
  };
}

// ---------------------------------------------------------------- chunks

/** The Chunk columns that hold a locator (the others stay null). */
export function locatorColumns(
  locator: ChunkLocator,
): Pick<ChunkRow, 'messageIndex' | 'charStart' | 'charEnd' | 'startTime' | 'endTime'> {
  const none = { messageIndex: null, charStart: null, charEnd: null, startTime: null, endTime: null };
  switch (locator.kind) {
    case 'message':
      return { ...none, messageIndex: locator.messageIndex };
    case 'text':
      return { ...none, charStart: locator.start, charEnd: locator.end };
    case 'time':
      return { ...none, startTime: locator.start, endTime: locator.end };
    default: {
      const unreachable: never = locator;
      throw new Error(`unknown locator ${JSON.stringify(unreachable)}`);
    }
  }
}

export type ChunkRowFields = Pick<
  ChunkRow,
  | 'id'
  | 'blobId'
  | 'projectId'
  | 'userPk'
  | 'ordinal'
  | 'text'
  | 'searchText'
  | 'messageIndex'
  | 'charStart'
  | 'charEnd'
  | 'startTime'
  | 'endTime'
  | 'createdAt'
>;

/** Select for chunk reads: the columns above plus the blob's type. */
export const chunkSelect = {
  id: true,
  blobId: true,
  projectId: true,
  userPk: true,
  ordinal: true,
  text: true,
  searchText: true,
  messageIndex: true,
  charStart: true,
  charEnd: true,
  startTime: true,
  endTime: true,
  createdAt: true,
  blob: { select: { type: true } },
} as const;

export function toChunkRecord(row: ChunkRowFields & { blob: { type: BlobType } }): ChunkRecord {
  return {
    id: row.id,
    blobId: row.blobId,
    projectId: row.projectId,
    userPk: row.userPk,
    blobType: row.blob.type,
    createdAt: row.createdAt,
    ordinal: row.ordinal,
    text: row.text,
    searchText: row.searchText,
    locator: locatorFromRow(row),
  };
}

function locatorFromRow(row: ChunkRowFields): ChunkLocator {
  if (row.messageIndex !== null) return { kind: 'message', messageIndex: row.messageIndex };
  if (row.charStart !== null && row.charEnd !== null) return { kind: 'text', start: row.charStart, end: row.charEnd };
  if (row.startTime !== null && row.endTime !== null) return { kind: 'time', start: row.startTime, end: row.endTime };
  throw new CorruptRowError('Chunk', row.id, 'no locator columns set');
}

// ---------------------------------------------------------------- JSON guards

function asObject(value: JsonValue | undefined, id: string, field: string): JsonObject {
  if (value === null || value === undefined || typeof value !== 'object' || Array.isArray(value)) {
    throw new CorruptRowError('Blob', id, `${field} is not an object`);
  }
  return value;
}

function asArray(value: JsonValue | undefined, id: string, field: string): JsonValue[] {
  if (!Array.isArray(value)) throw new CorruptRowError('Blob', id, `${field} is not an array`);
  return value;
}

function requiredString(value: JsonValue | undefined, id: string, field: string): string {
  if (typeof value !== 'string') throw new CorruptRowError('Blob', id, `${field} is not a string`);
  return value;
}

function optionalString(value: JsonValue | undefined, id: string, field: string): string | null {
  if (value === null || value === undefined) return null;
  return requiredString(value, id, field);
}

function requiredNumber(value: JsonValue | undefined, id: string, field: string): number {
  if (typeof value !== 'number') throw new CorruptRowError('Blob', id, `${field} is not a number`);
  return value;
}
