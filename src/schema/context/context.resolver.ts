import { Arg, Ctx, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import type { Context as RequestContext } from '../../context.js';
import type { PromptContext } from '../../domain/context/context.service.js';
import type { UserRecord } from '../../domain/types.js';
import { MemoryFilter } from '../memory/memory-filter.input.js';
import { User } from '../user/user.type.js';
import { Context, ContextFormat, ContextPart } from './context.type.js';

@Resolver(() => User)
export class UserContextResolver {
  @FieldResolver(() => Context, {
    description:
      'A prompt-ready summary of what is known about the user (Memobase context): the memories most relevant to `query`, the profile by topic and recent event summaries, packed in that order of priority into maxTokens (1-32,768, counted with o200k_base).',
  })
  context(
    @Root() user: UserRecord,
    @Ctx() ctx: RequestContext,
    @Arg('maxTokens', () => Int, { nullable: true, defaultValue: 1000 }) maxTokens?: number | null,
    @Arg('query', () => String, { nullable: true, description: 'What the prompt is about; ranks MEMORIES.' })
    query?: string | null,
    @Arg('topics', () => [String], { nullable: true, description: 'Only memories of these topics.' })
    topics?: string[] | null,
    @Arg('filter', () => MemoryFilter, { nullable: true, description: 'Only the memories it selects.' })
    filter?: MemoryFilter | null,
    @Arg('include', () => [ContextPart], {
      nullable: true,
      defaultValue: [ContextPart.PROFILE, ContextPart.MEMORIES, ContextPart.EVENTS],
    })
    include?: ContextPart[] | null,
    @Arg('format', () => ContextFormat, { nullable: true, defaultValue: ContextFormat.MARKDOWN })
    format?: ContextFormat | null,
  ): Promise<PromptContext> {
    return ctx.services.context.build(user, { maxTokens, query, topics, filter, include, format });
  }
}
