import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { Context } from '../../context.js';
import { ProfileConfig, ProfileConfigInput } from './profile-config.type.js';

@Resolver(() => ProfileConfig)
export class ProfileConfigResolver {
  @Query(() => ProfileConfig, { description: "The project's profile slots (the default set until one is saved)." })
  profileConfig(@Ctx() ctx: Context): Promise<ProfileConfig> {
    return ctx.services.memories.profileConfig(ctx.viewer.projectId);
  }

  @Mutation(() => ProfileConfig, {
    description: "Replaces the project's profile slots. Existing memories keep their topics.",
  })
  setProfileConfig(
    @Arg('input', () => ProfileConfigInput) input: ProfileConfigInput,
    @Ctx() ctx: Context,
  ): Promise<ProfileConfig> {
    return ctx.services.memories.setProfileConfig(ctx.viewer, input);
  }
}
