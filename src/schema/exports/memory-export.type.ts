import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { DateTimeScalar, JSONScalar } from '../common/scalars.js';
import { TokenUsage } from '../memory/memory.type.js';

export enum ExportStatus {
  PENDING = 'PENDING',
  RUNNING = 'RUNNING',
  FINISHED = 'FINISHED',
  FAILED = 'FAILED',
}
registerEnumType(ExportStatus, {
  name: 'ExportStatus',
  description: 'PENDING, then RUNNING, then FINISHED (a result that validates) or FAILED (see errors).',
});

@ObjectType({
  description:
    "A user's memories written into a JSON Schema of yours (Mem0's memory export): by the configured LLM, or offline by memql's deterministic filler.",
})
export class MemoryExport {
  @Field(() => ID)
  id!: string;

  @Field(() => ExportStatus)
  status!: ExportStatus;

  @Field(() => JSONScalar, { nullable: true, description: 'Set when FINISHED: a value valid against the schema.' })
  result!: unknown;

  @Field(() => [String], {
    description: "When FAILED: the last attempt's validation errors (JSON Pointer: message), or why it failed.",
  })
  errors!: string[];

  @Field(() => TokenUsage, { nullable: true, description: 'LLM tokens spent (null offline).' })
  usage!: TokenUsage | null;

  @Field(() => Int, { description: 'Answers asked for (an LLM is asked again with the errors, up to 3 times).' })
  attempts!: number;

  @Field(() => JSONScalar, { description: 'The JSON Schema given.' })
  schema!: unknown;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  @Field(() => DateTimeScalar, { nullable: true })
  finishedAt!: Date | null;
}
