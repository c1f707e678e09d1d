import { Field, Float, InputType } from 'type-graphql';
import { DateTimeScalar, JSONScalar } from '../common/scalars.js';

@InputType()
export class ChatMessageInput {
  @Field(() => String, { description: 'user, assistant, system, ...' })
  role!: string;

  @Field(() => String)
  content!: string;

  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => DateTimeScalar, { nullable: true })
  createdAt?: Date | null;
}

@InputType()
export class ChatInput {
  @Field(() => [ChatMessageInput], { description: 'At most 1,000 messages.' })
  messages!: ChatMessageInput[];
}

@InputType()
export class DocInput {
  @Field(() => String)
  content!: string;

  @Field(() => String, { nullable: true })
  title?: string | null;
}

@InputType()
export class TranscriptSegmentInput {
  @Field(() => Float)
  start!: number;

  @Field(() => Float)
  end!: number;

  @Field(() => String)
  text!: string;

  @Field(() => String, { nullable: true })
  speaker?: string | null;
}

@InputType()
export class TranscriptInput {
  @Field(() => [TranscriptSegmentInput])
  segments!: TranscriptSegmentInput[];
}

@InputType()
export class SummaryInput {
  @Field(() => String)
  summary!: string;
}

@InputType()
export class CodeInput {
  @Field(() => String)
  content!: string;

  @Field(() => String, { nullable: true })
  language?: string | null;
}

@InputType({ description: 'Exactly one of chat, doc, transcript, summary, code. At most 1 MB of text.' })
export class BlobInput {
  @Field(() => ChatInput, { nullable: true })
  chat?: ChatInput | null;

  @Field(() => DocInput, { nullable: true })
  doc?: DocInput | null;

  @Field(() => TranscriptInput, { nullable: true })
  transcript?: TranscriptInput | null;

  @Field(() => SummaryInput, { nullable: true })
  summary?: SummaryInput | null;

  @Field(() => CodeInput, { nullable: true })
  code?: CodeInput | null;

  @Field(() => JSONScalar, { nullable: true, description: 'Free-form JSON object, at most 64 KiB.' })
  metadata?: unknown;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When it was said or written. Default: now.' })
  createdAt?: Date | null;

  @Field(() => String, {
    nullable: true,
    description: 'The agent the blob belongs to, within the user (1-128 characters). Extracted memories inherit it.',
  })
  agentId?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'The run (session) the blob belongs to (1-128 characters). Extracted memories inherit it.',
  })
  runId?: string | null;
}
