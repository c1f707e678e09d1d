import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { MemoryChangeRecord, MemoryEventRecord, MemoryRecord } from '../../domain/types.js';
import { ConnectionType } from '../common/connection.js';
import { DateTimeScalar, JSONScalar } from '../common/scalars.js';

export enum MemoryChangeKind {
  ADD = 'ADD',
  UPDATE = 'UPDATE',
  DELETE = 'DELETE',
}
registerEnumType(MemoryChangeKind, { name: 'MemoryChangeKind' });

export enum ChangeActor {
  EXTRACTOR = 'EXTRACTOR',
  API = 'API',
  EXPIRY = 'EXPIRY',
}
registerEnumType(ChangeActor, {
  name: 'ChangeActor',
  description:
    'Who made a change: extraction from blobs, a call to the API (createMemory, updateMemory, deleteMemory, their batch forms, deleteMemoriesWhere, resetUser), or the sweep that deletes expired memories.',
});

export enum MemoryEventKind {
  EXTRACTION = 'EXTRACTION',
  BLOBS_FORGOTTEN = 'BLOBS_FORGOTTEN',
}
registerEnumType(MemoryEventKind, {
  name: 'MemoryEventKind',
  valuesConfig: {
    EXTRACTION: { description: "A batch of the user's buffer was extracted into memories." },
    BLOBS_FORGOTTEN: {
      description:
        "The user's oldest blobs were removed to keep it under the project's blobTokenCap; blobIds lists them, their memories stay.",
    },
  },
});

export enum ProcessingState {
  IDLE = 'IDLE',
  PROCESSING = 'PROCESSING',
  FAILED = 'FAILED',
}
registerEnumType(ProcessingState, { name: 'ProcessingState' });

@ObjectType({
  description:
    'A discrete fact about a user, extracted from what they said or written by the app, with its full history.',
})
export class Memory {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  text!: string;

  @Field(() => String)
  topic!: string;

  @Field(() => String)
  subTopic!: string;

  @Field(() => [String])
  categories!: string[];

  @Field(() => String, { nullable: true })
  title!: string | null;

  @Field(() => String, { nullable: true })
  summary!: string | null;

  @Field(() => [String], { description: "Labels for filtering. Extracted memories get the extractor's categories." })
  tags!: string[];

  @Field(() => Float, { nullable: true, description: '0-1, set by the app.' })
  importance!: number | null;

  @Field(() => Float, { nullable: true, description: '0-1: how sure the writer (the extractor or the app) was.' })
  confidence!: number | null;

  @Field(() => String, {
    nullable: true,
    description:
      "Where it came from: the blob's type (CHAT, SUMMARY) for extracted memories; free for API-created ones.",
  })
  source!: string | null;

  @Field(() => String, { nullable: true, description: 'The agent the memory belongs to, within its user.' })
  agentId!: string | null;

  @Field(() => String, { nullable: true, description: 'The run (session) the memory belongs to.' })
  runId!: string | null;

  @Field(() => DateTimeScalar, {
    nullable: true,
    description: 'From this instant the memory is left out of every read and search; a sweep then deletes it.',
  })
  expiresAt!: Date | null;

  @Field(() => Boolean, {
    description:
      'updateMemory refuses an immutable memory; extraction never changes it (a contradicting fact becomes a new memory).',
  })
  immutable!: boolean;

  @Field(() => JSONScalar, { nullable: true })
  metadata!: unknown;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  @Field(() => DateTimeScalar)
  updatedAt!: Date;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Set when the memory was deleted; its history stays.' })
  deletedAt!: Date | null;
}

@ObjectType({ description: 'One ADD, UPDATE or DELETE of a memory. An UPDATE keeps the old value in `before`.' })
export class MemoryChange {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  memoryId!: string;

  @Field(() => MemoryChangeKind)
  kind!: MemoryChangeKind;

  @Field(() => ChangeActor)
  actor!: ChangeActor;

  @Field(() => ID, { nullable: true, description: 'The extraction batch that made it; null for API edits.' })
  eventId!: string | null;

  @Field(() => DateTimeScalar)
  createdAt!: Date;
}

@ObjectType({
  description:
    "One processed batch of a user's buffer (what was extracted from which blobs), or the removal of its oldest blobs past the project's blobTokenCap.",
})
export class MemoryEvent {
  @Field(() => ID)
  id!: string;

  @Field(() => MemoryEventKind)
  kind!: MemoryEventKind;

  @Field(() => [ID], {
    description:
      'The ids of the blobs processed (EXTRACTION) or removed (BLOBS_FORGOTTEN), whether or not they still exist.',
  })
  blobIds!: string[];

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  @Field(() => String)
  summary!: string;

  @Field(() => [String])
  tags!: string[];
}

@ObjectType()
export class TokenUsage {
  @Field(() => Int)
  promptTokens!: number;

  @Field(() => Int)
  completionTokens!: number;

  @Field(() => Int, { description: 'LLM calls made, retries included.' })
  calls!: number;
}

@ObjectType()
export class ProfileTopic {
  @Field(() => String)
  topic!: string;

  @Field(() => [Memory])
  entries!: MemoryRecord[];
}

@ObjectType({ description: "A user's extraction buffer." })
export class BufferStatus {
  @Field(() => Int, { description: 'Blobs waiting to be processed.' })
  pendingBlobs!: number;

  @Field(() => Int)
  pendingTokens!: number;

  @Field(() => ProcessingState)
  state!: ProcessingState;

  @Field(() => String, { nullable: true, description: 'Why the last batch failed (cleared by the next success).' })
  lastError!: string | null;

  @Field(() => Int, { description: 'Failed attempts of the current batch.' })
  attempts!: number;

  @Field(() => DateTimeScalar, { nullable: true })
  nextAttemptAt!: Date | null;
}

@ObjectType()
export class FlushPayload {
  @Field(() => MemoryEvent, {
    nullable: true,
    description: 'The last batch processed (with waitProcess); null when nothing was pending.',
  })
  event!: MemoryEventRecord | null;

  @Field(() => BufferStatus)
  buffer!: BufferStatus;
}

@ObjectType()
export class MemoryConnection extends ConnectionType<MemoryRecord>('Memory', () => Memory) {}

@ObjectType()
export class MemoryEventConnection extends ConnectionType<MemoryEventRecord>('MemoryEvent', () => MemoryEvent) {}

@InputType({ description: 'A memory written by the app. Only text is required.' })
export class CreateMemoryInput {
  @Field(() => String, { description: '1-2,000 characters.' })
  text!: string;

  @Field(() => String, { nullable: true, description: 'Default "general" (1-64 characters).' })
  topic?: string | null;

  @Field(() => String, { nullable: true, description: 'Default "note" (1-64 characters).' })
  subTopic?: string | null;

  @Field(() => [String], { nullable: true, description: 'At most 20.' })
  categories?: string[] | null;

  @Field(() => String, { nullable: true, description: 'At most 256 characters.' })
  title?: string | null;

  @Field(() => String, { nullable: true, description: 'At most 2,000 characters.' })
  summary?: string | null;

  @Field(() => [String], { nullable: true, description: 'At most 20, 1-64 characters each.' })
  tags?: string[] | null;

  @Field(() => Float, { nullable: true, description: '0-1.' })
  importance?: number | null;

  @Field(() => Float, { nullable: true, description: '0-1.' })
  confidence?: number | null;

  @Field(() => String, { nullable: true, description: '1-64 characters.' })
  source?: string | null;

  @Field(() => String, { nullable: true, description: '1-128 characters.' })
  agentId?: string | null;

  @Field(() => String, { nullable: true, description: '1-128 characters.' })
  runId?: string | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'In the future.' })
  expiresAt?: Date | null;

  @Field(() => Boolean, { nullable: true, description: 'Default false.' })
  immutable?: boolean | null;

  @Field(() => JSONScalar, { nullable: true, description: 'A JSON object, at most 16 KiB.' })
  metadata?: unknown;
}

@InputType({
  description:
    'A patch: a field left out keeps its value, null clears an optional field (text, topic, subTopic, categories, tags and immutable cannot be null); tags and categories replace the list.',
})
export class UpdateMemoryInput {
  @Field(() => String, { nullable: true })
  text?: string | null;

  @Field(() => String, { nullable: true })
  topic?: string | null;

  @Field(() => String, { nullable: true })
  subTopic?: string | null;

  @Field(() => [String], { nullable: true })
  categories?: string[] | null;

  @Field(() => String, { nullable: true })
  title?: string | null;

  @Field(() => String, { nullable: true })
  summary?: string | null;

  @Field(() => [String], { nullable: true })
  tags?: string[] | null;

  @Field(() => Float, { nullable: true })
  importance?: number | null;

  @Field(() => Float, { nullable: true })
  confidence?: number | null;

  @Field(() => String, { nullable: true })
  source?: string | null;

  @Field(() => String, { nullable: true })
  agentId?: string | null;

  @Field(() => String, { nullable: true })
  runId?: string | null;

  @Field(() => DateTimeScalar, { nullable: true })
  expiresAt?: Date | null;

  @Field(() => Boolean, { nullable: true })
  immutable?: boolean | null;

  @Field(() => JSONScalar, { nullable: true })
  metadata?: unknown;
}

@InputType({ description: 'One patch of updateMemories.' })
export class UpdateMemoriesItem {
  @Field(() => ID)
  id!: string;

  @Field(() => UpdateMemoryInput)
  input!: UpdateMemoryInput;
}

@ObjectType({ description: 'A memory that matched a search.' })
export class MemoryMatch {
  @Field(() => Memory)
  memory!: MemoryRecord;

  @Field(() => Float, {
    description:
      'Higher is better, comparable within one mode: SEMANTIC the cosine similarity (-1 to 1), LEXICAL the BM25 score (0 up), HYBRID the fused score (each list relative to its best match: 0.2 x similarity/best similarity + BM25/best BM25).',
  })
  score!: number;
}

@ObjectType({ description: 'An agent or a run of a user, with what it holds.' })
export class ScopeUsage {
  @Field(() => String, { description: 'The agentId or runId.' })
  id!: string;

  @Field(() => Int, { description: 'Live memories (not deleted, not expired).' })
  memoryCount!: number;

  @Field(() => Int)
  blobCount!: number;
}

@ObjectType()
export class ResetPayload {
  @Field(() => Int, { description: 'Memories deleted (each recorded in its history with actor API).' })
  memoriesDeleted!: number;

  @Field(() => Int)
  eventsDeleted!: number;

  @Field(() => Int, { description: '0 with keepBlobs.' })
  blobsDeleted!: number;
}

export type ChangeView = MemoryChangeRecord;
