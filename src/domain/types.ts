// Domain records. Plain data: no framework types cross this line.

export type BlobType = 'CHAT' | 'DOC' | 'TRANSCRIPT' | 'SUMMARY' | 'CODE';
export const BLOB_TYPES: readonly BlobType[] = ['CHAT', 'DOC', 'TRANSCRIPT', 'SUMMARY', 'CODE'];

export type Role = 'admin' | 'project';

/** Who is calling: resolved from the API key once per request or connection. */
export interface Viewer {
  readonly projectId: string;
  readonly role: Role;
  readonly keyId: string;
}

export interface Project {
  id: string;
  name: string;
  createdAt: Date;
}

export interface ApiKeyRecord {
  id: string;
  projectId: string;
  name: string | null;
  role: Role;
  createdAt: Date;
  revokedAt: Date | null;
}

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export interface UserRecord {
  /** Internal primary key; never leaves the server. */
  pk: string;
  projectId: string;
  /** The app's own id for the user (GraphQL `User.id`). */
  id: string;
  data: JsonObject;
  createdAt: Date;
  updatedAt: Date;
}

export interface ChatMessage {
  role: string;
  content: string;
  name?: string | null;
  createdAt?: Date | null;
}

export interface TranscriptSegment {
  start: number;
  end: number;
  text: string;
  speaker?: string | null;
}

/** A blob's payload, discriminated by type. */
export type BlobContent =
  | { type: 'CHAT'; messages: ChatMessage[] }
  | { type: 'DOC'; title: string | null; content: string }
  | { type: 'TRANSCRIPT'; segments: TranscriptSegment[] }
  | { type: 'SUMMARY'; summary: string }
  | { type: 'CODE'; language: string | null; content: string };

export interface BlobRecord {
  id: string;
  projectId: string;
  userPk: string;
  content: BlobContent;
  metadata: JsonObject | null;
  createdAt: Date;
}

/** Where a chunk sits inside its blob, so a match can be turned into a hit. */
export type ChunkLocator =
  | { kind: 'message'; messageIndex: number }
  | { kind: 'text'; start: number; end: number }
  | { kind: 'time'; start: number; end: number };

export interface NewChunk {
  ordinal: number;
  /** Exact text of the span a hit returns. */
  text: string;
  /** Text that is embedded and searched (may carry speaker, date, neighbours). */
  searchText: string;
  locator: ChunkLocator;
}

export interface ChunkRecord extends NewChunk {
  id: string;
  blobId: string;
  projectId: string;
  userPk: string;
  blobType: BlobType;
  createdAt: Date;
}

export interface Page<T> {
  items: T[];
  hasNextPage: boolean;
  totalCount: number;
}

export interface PageRequest {
  first: number;
  /** Opaque cursor of the last item already seen. */
  after: { createdAt: Date; id: string } | null;
}
