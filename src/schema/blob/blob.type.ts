import { Field, Float, ID, InterfaceType, ObjectType, registerEnumType } from 'type-graphql';
import type { BlobType as BlobTypeName, MemoryEventRecord } from '../../domain/types.js';
import { MemoryEvent } from '../memory/memory.type.js';
import { DateTimeScalar, JSONScalar } from '../common/scalars.js';
import { ConnectionType } from '../common/connection.js';
import { User } from '../user/user.type.js';

export enum BlobType {
  CHAT = 'CHAT',
  DOC = 'DOC',
  TRANSCRIPT = 'TRANSCRIPT',
  SUMMARY = 'SUMMARY',
  CODE = 'CODE',
}
registerEnumType(BlobType, { name: 'BlobType', description: 'What kind of content a blob holds.' });

/**
 * What the Blob fields resolve from: the domain record flattened (see
 * blob.mapper.ts). `userPk` stays internal; `user` is resolved by a loader.
 */
export interface BlobView {
  id: string;
  type: BlobTypeName;
  createdAt: Date;
  metadata: unknown;
  userPk: string;
  agentId: string | null;
  runId: string | null;
}

const TYPE_NAMES: Record<BlobTypeName, string> = {
  CHAT: 'ChatBlob',
  DOC: 'DocBlob',
  TRANSCRIPT: 'TranscriptBlob',
  SUMMARY: 'SummaryBlob',
  CODE: 'CodeBlob',
};

@InterfaceType({
  description: 'Something a user said or wrote, stored as sent.',
  resolveType: (blob: BlobView) => TYPE_NAMES[blob.type],
})
export abstract class Blob {
  @Field(() => ID)
  id!: string;

  @Field(() => BlobType)
  type!: BlobType;

  @Field(() => DateTimeScalar, { description: 'When it was said or written (defaults to the insert time).' })
  createdAt!: Date;

  @Field(() => JSONScalar, { nullable: true })
  metadata!: unknown;

  @Field(() => String, { nullable: true, description: 'The agent the blob belongs to, within its user.' })
  agentId!: string | null;

  @Field(() => String, { nullable: true, description: 'The run (session) the blob belongs to.' })
  runId!: string | null;

  @Field(() => User)
  user!: User;
}

@ObjectType()
export class ChatMessage {
  @Field(() => String, { description: 'user, assistant, system, ...' })
  role!: string;

  @Field(() => String)
  content!: string;

  @Field(() => String, { nullable: true, description: 'Speaker name, when the app knows it.' })
  name!: string | null;

  @Field(() => DateTimeScalar, { nullable: true })
  createdAt!: Date | null;
}

@ObjectType()
export class TranscriptSegment {
  @Field(() => Float, { description: 'Seconds from the start of the recording.' })
  start!: number;

  @Field(() => Float)
  end!: number;

  @Field(() => String)
  text!: string;

  @Field(() => String, { nullable: true })
  speaker!: string | null;
}

@ObjectType({ implements: Blob })
export class ChatBlob extends Blob {
  @Field(() => [ChatMessage])
  messages!: ChatMessage[];
}

@ObjectType({ implements: Blob })
export class DocBlob extends Blob {
  @Field(() => String, { nullable: true })
  title!: string | null;

  @Field(() => String)
  content!: string;
}

@ObjectType({ implements: Blob })
export class TranscriptBlob extends Blob {
  @Field(() => [TranscriptSegment])
  segments!: TranscriptSegment[];
}

@ObjectType({ implements: Blob })
export class SummaryBlob extends Blob {
  @Field(() => String)
  summary!: string;
}

@ObjectType({ implements: Blob })
export class CodeBlob extends Blob {
  @Field(() => String, { nullable: true })
  language!: string | null;

  @Field(() => String)
  content!: string;
}

@ObjectType()
export class BlobConnection extends ConnectionType<BlobView>('Blob', () => Blob) {}

@ObjectType()
export class InsertBlobPayload {
  @Field(() => Blob)
  blob!: BlobView;

  @Field(() => MemoryEvent, {
    nullable: true,
    description:
      'With waitProcess: the batch that processed the buffer, else null. An error here (TIMEOUT) leaves the stored blob as it is.',
  })
  /** A pending flush resolves here, so its failure is an error on this field only. */
  event!: MemoryEventRecord | null | Promise<MemoryEventRecord | null>;
}
