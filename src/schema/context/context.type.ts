import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Memory, MemoryEvent } from '../memory/memory.type.js';

export enum ContextPart {
  PROFILE = 'PROFILE',
  MEMORIES = 'MEMORIES',
  EVENTS = 'EVENTS',
}
registerEnumType(ContextPart, {
  name: 'ContextPart',
  description:
    'PROFILE: live memories grouped by topic. MEMORIES: the memories most relevant to `query` (without a query and without PROFILE: the most important, then most recent). EVENTS: recent event summaries.',
});

export enum ContextFormat {
  MARKDOWN = 'MARKDOWN',
  TEXT = 'TEXT',
  JSON = 'JSON',
}
registerEnumType(ContextFormat, {
  name: 'ContextFormat',
  description:
    'MARKDOWN: headings and bullets. TEXT: plain lines. JSON: compact JSON valid against the schema in docs/context.md.',
});

@ObjectType({ description: 'What is known about a user, as one prompt-ready text within a token budget.' })
export class Context {
  @Field(() => String)
  text!: string;

  @Field(() => Int, { description: "Tokens of `text` by OpenAI's o200k_base tokenizer; never over maxTokens." })
  tokens!: number;

  @Field(() => [Memory], { description: 'The memories the text holds, in the order they appear.' })
  memories!: unknown[];

  @Field(() => [MemoryEvent], { description: 'The events the text holds, in the order they appear.' })
  events!: unknown[];

  @Field(() => Boolean, { description: 'Something selected did not fit the budget.' })
  truncated!: boolean;
}
