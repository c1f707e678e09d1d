import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../context.js';
import type { UserRecord } from '../../domain/types.js';
import { User } from '../user/user.type.js';
import { toBlobView } from './blob.mapper.js';
import { BlobInput } from './blob.input.js';
import { Blob, type BlobView, InsertBlobPayload } from './blob.type.js';

@Resolver(() => Blob)
export class BlobResolver {
  @Query(() => Blob, { nullable: true, description: 'Null when no such blob exists in your project.' })
  async blob(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<BlobView | null> {
    const blob = await ctx.services.blobs.find(ctx.viewer, id);
    return blob && toBlobView(blob);
  }

  @Mutation(() => InsertBlobPayload, {
    description:
      'Stores a blob for a user. Acknowledged once committed; searchable once indexed (milliseconds later). Chats and summaries enter the extraction buffer.',
  })
  async insertBlob(
    @Arg('userId', () => ID) userId: string,
    @Arg('input', () => BlobInput) input: BlobInput,
    @Ctx() ctx: Context,
    @Arg('waitProcess', () => Boolean, {
      nullable: true,
      defaultValue: false,
      description: "Process the user's buffer now and return what was extracted in `event`.",
    })
    waitProcess?: boolean | null,
  ): Promise<InsertBlobPayload> {
    const user = await ctx.services.users.require(ctx.viewer, userId);
    const blob = await ctx.services.blobs.insert(user, input);
    // The blob is stored whatever the flush does: a flush that fails (TIMEOUT) is
    // an error on `event` alone, and `blob` still answers.
    const event = waitProcess
      ? ctx.services.buffer
          .flushAndWait({ userPk: user.pk, projectId: user.projectId })
          .then((flushed) => flushed.event)
      : null;
    return { blob: toBlobView(blob), event };
  }

  @Mutation(() => Boolean, { description: 'Deletes the blob from the database and the vector index.' })
  deleteBlob(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<boolean> {
    return ctx.services.blobs.delete(ctx.viewer, id);
  }

  @FieldResolver(() => User)
  async user(@Root() blob: BlobView, @Ctx() ctx: Context): Promise<UserRecord> {
    return ctx.loaders.userByPk.load(blob.userPk);
  }
}
