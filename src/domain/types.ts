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
  /** The first characters of the secret, kept in clear so a key can be recognised in a list. */
  prefix: string;
  createdAt: Date;
  /** When the key last authenticated a request (recorded at most once a minute). */
  lastUsedAt: Date | null;
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

/**
 * Scopes within a user (Mem0's entities): the agent, and the run (a session)
 * a blob or memory belongs to. Null: not scoped.
 */
export interface Scope {
  agentId: string | null;
  runId: string | null;
}

export interface BlobRecord extends Scope {
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

// ---------------------------------------------------------------- extraction

/** A slot in the profile: topic plus sub-topic, with guidance for the extractor. */
export interface ProfileSubTopic {
  name: string;
  description: string;
  /** One current value (name, city, age): a new fact replaces the old one (UPDATE). */
  singleValued: boolean;
}

export interface ProfileTopicConfig {
  name: string;
  description: string;
  subTopics: ProfileSubTopic[];
}

export interface ProfileConfig {
  topics: ProfileTopicConfig[];
  /** When true, facts outside the configured topic/sub-topic slots are dropped. */
  strict: boolean;
  /**
   * Most blob tokens (estimated, as usage counts them) one user may store;
   * past it, the user's oldest blobs are forgotten (their memories stay).
   */
  blobTokenCap: number;
}

/** A memory as the extractor sees it when deciding what changes. */
export interface ExistingMemory {
  id: string;
  text: string;
  topic: string;
  subTopic: string;
}

export interface ExtractionInput {
  /** The batch's messages in order (chat turns; summaries arrive as role "summary"). */
  messages: ChatMessage[];
  profile: ProfileConfig;
  /** The user's current memories that the batch may update, delete or repeat. */
  existing: ExistingMemory[];
  now: Date;
}

export interface NewFact {
  text: string;
  topic: string;
  subTopic: string;
  categories: string[];
  /** 0-1, when the extractor can tell how sure it is. */
  confidence?: number | null;
}

/** What the extractor decided for one fact (Mem0's ADD/UPDATE/DELETE/NONE). */
export type MemoryOperation =
  | ({ kind: 'ADD' } & NewFact)
  | ({ kind: 'UPDATE'; memoryId: string } & NewFact)
  | { kind: 'DELETE'; memoryId: string; reason: string }
  | { kind: 'NONE'; memoryId: string | null; text: string };

export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
  calls: number;
}

export interface ExtractionResult {
  operations: MemoryOperation[];
  /** One-line summary of the batch for the event log. */
  summary: string;
  tags: string[];
  usage: TokenUsage | null;
}

// ---------------------------------------------------------------- memories

/** What a memory says and how it is scoped: everything a change can touch but its metadata. */
export interface MemoryContent extends Scope {
  text: string;
  topic: string;
  subTopic: string;
  categories: string[];
  title: string | null;
  summary: string | null;
  tags: string[];
  /** 0-1. */
  importance: number | null;
  /** 0-1. */
  confidence: number | null;
  /** The blob type for extracted memories; free for API-created ones. */
  source: string | null;
  /** Hidden from every read and search from this instant on; deleted by the expiry sweep. */
  expiresAt: Date | null;
  /** Refused by updateMemory, never changed by extraction. */
  immutable: boolean;
}

/** A memory's content before or after a change, as kept in its history. */
export type MemorySnapshot = MemoryContent;

export interface MemoryRecord extends MemorySnapshot {
  id: string;
  projectId: string;
  userPk: string;
  metadata: JsonObject | null;
  createdAt: Date;
  updatedAt: Date;
  /** Set when deleted; the memory and its history stay readable. */
  deletedAt: Date | null;
}

/** A live memory with its embedding, as deduplication needs it. */
export interface MemoryWithEmbedding extends MemoryRecord {
  embedding: number[];
}

export type MemoryChangeKind = 'ADD' | 'UPDATE' | 'DELETE';
export type ChangeActor = 'EXTRACTOR' | 'API' | 'EXPIRY';

export interface MemoryChangeRecord {
  id: string;
  projectId: string;
  userPk: string;
  memoryId: string;
  kind: MemoryChangeKind;
  actor: ChangeActor;
  before: MemorySnapshot | null;
  after: MemorySnapshot | null;
  sourceBlobIds: string[];
  eventId: string | null;
  createdAt: Date;
}

/** EXTRACTION: a committed extraction batch; BLOBS_FORGOTTEN: blobs removed to keep the user under its blobTokenCap. */
export type MemoryEventKind = 'EXTRACTION' | 'BLOBS_FORGOTTEN';

export interface MemoryEventRecord {
  id: string;
  projectId: string;
  userPk: string;
  kind: MemoryEventKind;
  summary: string;
  tags: string[];
  blobIds: string[];
  usage: TokenUsage | null;
  createdAt: Date;
}

export type ProcessingState = 'IDLE' | 'PROCESSING' | 'FAILED';

export interface BufferStatus {
  pendingBlobs: number;
  pendingTokens: number;
  state: ProcessingState;
  lastError: string | null;
  attempts: number;
  nextAttemptAt: Date | null;
}
