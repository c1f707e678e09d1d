import { Arg, Ctx, ID, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import type { Context } from '../../context.js';
import type { ExportRecord } from '../../domain/ports.js';
import { toConnection } from '../common/page-info.js';
import { CreateExportInput, Export, ExportConnection } from './export.type.js';

export function toExportView(record: ExportRecord): Export {
  return {
    ...record,
    status: record.status as Export['status'],
    progress: { done: record.done, total: record.total },
    downloadPath: `/exports/${record.id}`,
  };
}

@Resolver(() => Export)
export class ExportResolver {
  @Mutation(() => Export, {
    description:
      'Starts a lossless export (a durable job: it survives a restart). Follow it with exportProgress or export(id); download the file with GET /exports/{id}.',
  })
  async createExport(
    @Ctx() ctx: Context,
    @Arg('input', () => CreateExportInput, { nullable: true }) input?: CreateExportInput | null,
  ): Promise<Export> {
    return toExportView(await ctx.services.exports.create(ctx.viewer, input ?? {}));
  }

  @Query(() => Export, { nullable: true, description: 'Null when absent, deleted or in another project.' })
  async export(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<Export | null> {
    const record = await ctx.services.exports.find(ctx.viewer, id);
    return record && toExportView(record);
  }

  @Query(() => ExportConnection, { description: "The project's exports, oldest first." })
  async exports(
    @Ctx() ctx: Context,
    @Arg('first', () => Int, { nullable: true, description: 'Default 20, at most 100.' }) first?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
  ): Promise<ExportConnection> {
    return toConnection(await ctx.services.exports.list(ctx.viewer, first, after), toExportView);
  }

  @Subscription(() => Export, {
    description: 'The export as it progresses, until it is FINISHED or FAILED (then the subscription ends).',
    subscribe: async ({ args, context }) => {
      const ctx = context as Context;
      return ctx.services.exports.follow(ctx.viewer, (args as { id: string }).id);
    },
  })
  exportProgress(@Arg('id', () => ID) _id: string, @Root() record: ExportRecord): Export {
    return toExportView(record);
  }
}
