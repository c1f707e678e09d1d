import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { Context } from '../../context.js';
import type { ApiKeyRecord } from '../../domain/types.js';
import { ApiKey, ApiKeyRole, CreatedApiKey, Project } from './project.type.js';

@Resolver(() => Project)
export class ProjectResolver {
  @Query(() => Project, { description: "The caller's project." })
  project(@Ctx() ctx: Context): Promise<Project> {
    return ctx.services.auth.currentProject(ctx.viewer);
  }

  @Query(() => [Project], { description: 'Admin only. Every project, oldest first.' })
  projects(@Ctx() ctx: Context): Promise<Project[]> {
    return ctx.services.auth.listProjects(ctx.viewer);
  }

  @Query(() => [ApiKey], {
    description:
      "Admin only. The project's keys, revoked ones included, oldest first; the admin key is in the default project. Never a secret.",
  })
  async apiKeys(@Arg('projectId', () => ID) projectId: string, @Ctx() ctx: Context): Promise<ApiKey[]> {
    return (await ctx.services.auth.listApiKeys(ctx.viewer, projectId)).map(toApiKeyView);
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

  @Mutation(() => Boolean, {
    description:
      'Admin only. The key stops working at once, on every server process: its open WebSocket connections are closed (4403). Admin keys too, except the caller.',
  })
  revokeApiKey(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<boolean> {
    return ctx.services.auth.revokeApiKey(ctx.viewer, id);
  }
}

function toApiKeyView(key: ApiKeyRecord): ApiKey {
  return {
    id: key.id,
    projectId: key.projectId,
    name: key.name,
    prefix: key.prefix,
    role: key.role === 'admin' ? ApiKeyRole.ADMIN : ApiKeyRole.PROJECT,
    createdAt: key.createdAt,
    lastUsedAt: key.lastUsedAt,
    revokedAt: key.revokedAt,
  };
}
