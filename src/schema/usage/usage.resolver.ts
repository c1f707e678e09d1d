import { Arg, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { Context } from '../../context.js';
import type { UserRecord } from '../../domain/types.js';
import { DateTimeScalar } from '../common/scalars.js';
import { Project } from '../project/project.type.js';
import { User } from '../user/user.type.js';
import { Usage } from './usage.type.js';

const SINCE = 'First day counted (its UTC day). Default: 29 days before `until`.';
const UNTIL = 'Last day counted (its UTC day). Default: today. At most 366 days from `since`.';

@Resolver(() => Project)
export class ProjectUsageResolver {
  @FieldResolver(() => Usage, {
    description: "The project's usage by UTC day: blobs and tokens stored, LLM calls and tokens of extraction.",
  })
  usage(
    @Root() project: Project,
    @Ctx() ctx: Context,
    @Arg('since', () => DateTimeScalar, { nullable: true, description: SINCE }) since?: Date | null,
    @Arg('until', () => DateTimeScalar, { nullable: true, description: UNTIL }) until?: Date | null,
  ): Promise<Usage> {
    return ctx.services.usage.forProject(project.id, { since, until });
  }
}

@Resolver(() => User)
export class UserUsageResolver {
  @FieldResolver(() => Usage, {
    description: "The user's usage by UTC day: blobs and tokens stored, LLM calls and tokens of extraction.",
  })
  usage(
    @Root() user: UserRecord,
    @Ctx() ctx: Context,
    @Arg('since', () => DateTimeScalar, { nullable: true, description: SINCE }) since?: Date | null,
    @Arg('until', () => DateTimeScalar, { nullable: true, description: UNTIL }) until?: Date | null,
  ): Promise<Usage> {
    return ctx.services.usage.forUser(user.projectId, user.pk, { since, until });
  }
}
