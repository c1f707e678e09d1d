import { GraphQLSafeInt } from 'graphql-scalars';
import { Field, Int, ObjectType } from 'type-graphql';

@ObjectType({ description: 'One UTC day of usage.' })
export class UsageDay {
  @Field(() => String, { description: 'YYYY-MM-DD (UTC).' })
  day!: string;

  @Field(() => Int, { description: 'Blobs inserted that day.' })
  blobs!: number;

  @Field(() => GraphQLSafeInt, {
    description: 'Estimated tokens of the text of those blobs (about 4 characters a token).',
  })
  tokensStored!: number;

  @Field(() => Int, {
    description:
      'LLM answers received by the extraction batches committed that day (a repeated call for invalid output counts; a batch that failed is not counted).',
  })
  llmCalls!: number;

  @Field(() => GraphQLSafeInt, { description: 'Prompt tokens those calls used, as the LLM endpoint reported them.' })
  llmPromptTokens!: number;

  @Field(() => GraphQLSafeInt, {
    description: 'Completion tokens those calls used, as the LLM endpoint reported them.',
  })
  llmCompletionTokens!: number;

  @Field(() => Int, { description: "Blobs forgotten that day to keep users under the project's blobTokenCap." })
  blobsForgotten!: number;

  @Field(() => GraphQLSafeInt, { description: 'Estimated tokens of those blobs.' })
  tokensForgotten!: number;
}

@ObjectType({
  description:
    'Usage over a range of UTC days: totals, and the days with any usage. A deleted user’s usage still counts for its project.',
})
export class Usage {
  @Field(() => String, { description: 'First day of the range (YYYY-MM-DD, UTC).' })
  since!: string;

  @Field(() => String, { description: 'Last day of the range (YYYY-MM-DD, UTC).' })
  until!: string;

  @Field(() => Int)
  blobs!: number;

  @Field(() => GraphQLSafeInt)
  tokensStored!: number;

  @Field(() => Int)
  llmCalls!: number;

  @Field(() => GraphQLSafeInt)
  llmPromptTokens!: number;

  @Field(() => GraphQLSafeInt)
  llmCompletionTokens!: number;

  @Field(() => Int)
  blobsForgotten!: number;

  @Field(() => GraphQLSafeInt)
  tokensForgotten!: number;

  @Field(() => [UsageDay], { description: 'Days with any usage, oldest first (days without any are left out).' })
  days!: UsageDay[];
}
