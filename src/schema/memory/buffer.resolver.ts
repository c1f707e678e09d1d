import { Arg, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import type { Context } from '../../context.js';
import type { BufferStatus as BufferStatusRecord } from '../../domain/types.js';
import { BufferStatus, FlushPayload } from './memory.type.js';

@Resolver(() => BufferStatus)
export class BufferResolver {
  @Mutation(() => FlushPayload, {
    description:
      "Processes the user's buffer now. With waitProcess (default) the answer holds what was extracted; a failure shows in buffer.state and buffer.lastError.",
  })
  async flush(
    @Arg('userId', () => ID) userId: string,
    @Ctx() ctx: Context,
    @Arg('waitProcess', () => Boolean, { nullable: true, defaultValue: true }) waitProcess?: boolean | null,
  ): Promise<FlushPayload> {
    const user = await ctx.services.users.require(ctx.viewer, userId);
    const target = { userPk: user.pk, projectId: user.projectId };
    let event = null;
    if (waitProcess !== false) event = (await ctx.services.buffer.flushAndWait(target)).event;
    else ctx.services.buffer.requestFlush(target);
    // Read after processing, bypassing the request's cache.
    ctx.loaders.bufferStatus.clear(user.pk);
    const buffer = (await ctx.loaders.bufferStatus.load(user.pk)) as BufferStatusRecord;
    return { event, buffer: buffer as BufferStatus };
  }
}
