import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { Context } from '../../context.js';
import type { ImportRecord } from '../../domain/ports.js';
import { toConnection } from '../common/page-info.js';
import { Import, type ImportConflict, ImportConnection, ImportExportInput } from './import.type.js';

export function toImportView(record: ImportRecord): Import {
  return {
    ...record,
    status: record.status as Import['status'],
    onConflict: record.onConflict as ImportConflict,
    progress: { done: record.done, total: record.total },
  };
}

@Resolver(() => Import)
export class ImportResolver {
  @Mutation(() => Import, {
    description:
      'Admin only: imports an export file from the export dir into a project (a durable job). Follow it with import(id). BAD_USER_INPUT at once when the file is missing or its header is not an importable export.',
  })
  async importExport(
    @Ctx() ctx: Context,
    @Arg('input', () => ImportExportInput) input: ImportExportInput,
  ): Promise<Import> {
    return toImportView(await ctx.services.imports.create(ctx.viewer, input));
  }

  @Query(() => Import, { nullable: true, description: 'Admin only. Null when absent.' })
  async import(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<Import | null> {
    const record = await ctx.services.imports.find(ctx.viewer, id);
    return record && toImportView(record);
  }

  @Query(() => ImportConnection, { description: "Admin only: every project's imports, oldest first." })
  async imports(
    @Ctx() ctx: Context,
    @Arg('first', () => Int, { nullable: true, description: 'Default 20, at most 100.' }) first?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
  ): Promise<ImportConnection> {
    return toConnection(await ctx.services.imports.list(ctx.viewer, first, after), toImportView);
  }
}
