import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { Context } from '../../context.js';
import type { MemoryExportRecord } from '../../domain/ports.js';
import { JSONScalar } from '../common/scalars.js';
import { MemoryFilter } from '../memory/memory-filter.input.js';
import { MemoryExport } from './memory-export.type.js';

@Resolver(() => MemoryExport)
export class MemoryExportResolver {
  @Mutation(() => MemoryExport, {
    description:
      "Writes the user's memories (those the filter selects; live ones by default) into your JSON Schema (draft 2020-12). An invalid schema is BAD_USER_INPUT naming the path inside it (schema.properties.age.type). With wait: true the answer comes once the export is FINISHED or FAILED; otherwise poll memoryExport(id).",
  })
  async createMemoryExport(
    @Arg('userId', () => ID) userId: string,
    @Arg('schema', () => JSONScalar) schema: unknown,
    @Ctx() ctx: Context,
    @Arg('instructions', () => String, { nullable: true, description: 'Guidance for the LLM (ignored offline).' })
    instructions?: string | null,
    @Arg('filter', () => MemoryFilter, { nullable: true }) filter?: MemoryFilter | null,
    @Arg('wait', () => Boolean, { nullable: true, defaultValue: false }) wait?: boolean | null,
  ): Promise<MemoryExportRecord> {
    const user = await ctx.services.users.require(ctx.viewer, userId);
    return ctx.services.memoryExports.create(user, { schema, instructions, filter }, wait === true);
  }

  @Query(() => MemoryExport, { nullable: true, description: 'Null when absent or in another project.' })
  memoryExport(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<MemoryExportRecord | null> {
    return ctx.services.memoryExports.find(ctx.viewer, id);
  }
}
