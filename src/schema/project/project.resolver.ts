import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { Context } from '../../context.js';
import { CreatedApiKey, Project } from './project.type.js';

@Resolver(() => Project)
export class ProjectResolver {
  @Query(() => Project, { description: "The caller's project." })
  project(@Ctx() ctx: Context): Promise<Project> {
    return ctx.services.auth.currentProject(ctx.viewer);
  }

  @Mutation(() => Project, { description: 'Admin only.' })
  createProject(@Arg('name', () => String) name: string, @Ctx() ctx: Context): Promise<Project> {
    return ctx.services.auth.createProject(ctx.viewer, name);
  }

  @Mutation(() => CreatedApiKey, {
    description: 'Admin only. Creates a key for a project; the secret is returned once.',
  })
  async createApiKey(
    @Arg('projectId', () => ID) projectId: string,
    @Arg('name', () => String, { nullable: true }) name: string | null,
    @Ctx() ctx: Context,
  ): Promise<CreatedApiKey> {
    const { key, secret } = await ctx.services.auth.createApiKey(ctx.viewer, projectId, name ?? null);
    return { id: key.id, name: key.name, projectId: key.projectId, secret };
  }

  @Mutation(() => Boolean, { description: 'Admin only. Revoked keys stop working at once.' })
  revokeApiKey(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<boolean> {
    return ctx.services.auth.revokeApiKey(ctx.viewer, id);
  }
}
