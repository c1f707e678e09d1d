import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
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
}
registerEnumType(ChangeActor, {
  name: 'ChangeActor',
  description: 'Who made a change: extraction from blobs, or a call to updateMemory/deleteMemory.',
});

export enum ProcessingState {
  IDLE = 'IDLE',
  PROCESSING = 'PROCESSING',
  FAILED = 'FAILED',
}
registerEnumType(ProcessingState, { name: 'ProcessingState' });

@ObjectType({ description: 'A discrete fact about a user, extracted from what they said, with its full history.' })
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

@ObjectType({ description: "One processed batch of a user's buffer: what was extracted from which blobs." })
export class MemoryEvent {
  @Field(() => ID)
  id!: string;

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

@InputType()
export class UpdateMemoryInput {
  @Field(() => String, { nullable: true })
  text?: string | null;

  @Field(() => String, { nullable: true })
  topic?: string | null;

  @Field(() => String, { nullable: true })
  subTopic?: string | null;

  @Field(() => [String], { nullable: true })
  categories?: string[] | null;

  @Field(() => JSONScalar, { nullable: true })
  metadata?: unknown;
}

export type ChangeView = MemoryChangeRecord;
