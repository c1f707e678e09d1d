import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../context.js';
import type { UserRecord } from '../../domain/types.js';
import { toBlobView } from '../blob/blob.mapper.js';
import { BlobConnection, BlobType } from '../blob/blob.type.js';
import { toConnection } from '../common/page-info.js';
import { CreateUserInput, UpdateUserInput, User, UserConnection } from './user.type.js';

@Resolver(() => User)
export class UserResolver {
  @Query(() => User, { nullable: true, description: 'Null when no such user exists in your project.' })
  user(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<UserRecord | null> {
    return ctx.services.users.find(ctx.viewer, id);
  }

  @Query(() => UserConnection)
  async users(
    @Ctx() ctx: Context,
    @Arg('first', () => Int, { nullable: true, description: 'Default 20, at most 100.' }) first?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
  ): Promise<UserConnection> {
    const page = await ctx.services.users.list(ctx.viewer, first, after);
    return toConnection(page, (user) => user as User);
  }

  @Mutation(() => User)
  createUser(
    @Ctx() ctx: Context,
    @Arg('input', () => CreateUserInput, { nullable: true }) input?: CreateUserInput | null,
  ): Promise<UserRecord> {
    return ctx.services.users.create(ctx.viewer, input ?? {});
  }

  @Mutation(() => User)
  updateUser(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateUserInput) input: UpdateUserInput,
    @Ctx() ctx: Context,
  ): Promise<UserRecord> {
    return ctx.services.users.update(ctx.viewer, id, input);
  }

  @Mutation(() => Boolean, {
    description:
      'Deletes the user and everything it owns: blobs, memories (with their history), events and buffer state, from the database, its chunk and memory vectors from the vector index (through the outbox), and the lossless exports of that user alone (userIds: [id]) with their files; exports of several users or of the project stay until their retention ends. To wipe memories but keep the user, use resetUser.',
  })
  deleteUser(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<boolean> {
    return ctx.services.users.delete(ctx.viewer, id);
  }

  @FieldResolver(() => BlobConnection, { description: 'Oldest first.' })
  async blobs(
    @Root() user: UserRecord,
    @Ctx() ctx: Context,
    @Arg('type', () => BlobType, { nullable: true }) type?: BlobType | null,
    @Arg('first', () => Int, { nullable: true, description: 'Default 20, at most 100.' }) first?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
  ): Promise<BlobConnection> {
    const filter = { type: type ?? null };
    // The first page of many users' blobs is batched; later pages are rare and direct.
    const page = after
      ? await ctx.services.blobs.list(user, filter, first, after)
      : await ctx.loaders.firstBlobPage(user, filter, first);
    return toConnection(page, toBlobView);
  }
}
