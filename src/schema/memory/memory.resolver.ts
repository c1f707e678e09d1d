import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../context.js';
import type {
  BlobRecord,
  MemoryChangeRecord,
  MemoryEventRecord,
  MemoryRecord,
  UserRecord,
} from '../../domain/types.js';
import { toBlobView } from '../blob/blob.mapper.js';
import { Blob, type BlobView } from '../blob/blob.type.js';
import { toConnection } from '../common/page-info.js';
import { User } from '../user/user.type.js';
import {
  BufferStatus,
  Memory,
  MemoryChange,
  MemoryConnection,
  MemoryEvent,
  MemoryEventConnection,
  ProfileTopic,
  TokenUsage,
  UpdateMemoryInput,
} from './memory.type.js';

/** Blobs that still exist, as views (a source may have been deleted since). */
async function blobViews(ctx: Context, ids: readonly string[]): Promise<BlobView[]> {
  const blobs = await ctx.loaders.blobById.loadMany(ids);
  return blobs.filter((blob): blob is BlobRecord => blob !== null && !(blob instanceof Error)).map(toBlobView);
}

@Resolver(() => Memory)
export class MemoryResolver {
  @Query(() => Memory, {
    nullable: true,
    description: 'Null when absent or in another project. Deleted memories are returned with deletedAt.',
  })
  memory(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<MemoryRecord | null> {
    return ctx.services.memories.find(ctx.viewer, id);
  }

  @Mutation(() => Memory, { description: 'Edits a memory by hand; recorded in its history with actor API.' })
  updateMemory(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateMemoryInput) input: UpdateMemoryInput,
    @Ctx() ctx: Context,
  ): Promise<MemoryRecord> {
    return ctx.services.memories.update(ctx.viewer, id, input);
  }

  @Mutation(() => Boolean, { description: 'Deletes a memory; its history is kept and shows the deletion.' })
  deleteMemory(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<boolean> {
    return ctx.services.memories.delete(ctx.viewer, id);
  }

  @FieldResolver(() => [Blob], { description: 'The blobs this memory was extracted from.' })
  async sources(@Root() memory: MemoryRecord, @Ctx() ctx: Context): Promise<BlobView[]> {
    return blobViews(ctx, await ctx.loaders.memorySourceIds.load(memory.id));
  }

  @FieldResolver(() => [MemoryChange], { description: 'Every change, oldest first.' })
  history(@Root() memory: MemoryRecord, @Ctx() ctx: Context): Promise<MemoryChangeRecord[]> {
    return ctx.loaders.memoryHistory.load(memory.id);
  }

  @FieldResolver(() => User)
  user(@Root() memory: MemoryRecord, @Ctx() ctx: Context): Promise<UserRecord> {
    return ctx.loaders.userByPk.load(memory.userPk);
  }
}

@Resolver(() => MemoryChange)
export class MemoryChangeResolver {
  @FieldResolver(() => String, { nullable: true, description: "The memory's text before the change (null for ADD)." })
  before(@Root() change: MemoryChangeRecord): string | null {
    return change.before?.text ?? null;
  }

  @FieldResolver(() => String, { nullable: true, description: "The memory's text after the change (null for DELETE)." })
  after(@Root() change: MemoryChangeRecord): string | null {
    return change.after?.text ?? null;
  }

  @FieldResolver(() => String)
  topic(@Root() change: MemoryChangeRecord): string {
    return (change.after ?? change.before)!.topic;
  }

  @FieldResolver(() => String)
  subTopic(@Root() change: MemoryChangeRecord): string {
    return (change.after ?? change.before)!.subTopic;
  }

  @FieldResolver(() => [Blob], { description: 'The blobs the change was extracted from (empty for API edits).' })
  sourceBlobs(@Root() change: MemoryChangeRecord, @Ctx() ctx: Context): Promise<BlobView[]> {
    return blobViews(ctx, change.sourceBlobIds);
  }

  @FieldResolver(() => Memory)
  memory(@Root() change: MemoryChangeRecord, @Ctx() ctx: Context): Promise<MemoryRecord> {
    return ctx.loaders.memoryById.load(change.memoryId);
  }
}

@Resolver(() => MemoryEvent)
export class MemoryEventResolver {
  @FieldResolver(() => [MemoryChange])
  changes(@Root() event: MemoryEventRecord, @Ctx() ctx: Context): Promise<MemoryChangeRecord[]> {
    return ctx.loaders.eventChanges.load(event.id);
  }

  @FieldResolver(() => [Blob], { description: 'The blobs processed in this batch.' })
  blobs(@Root() event: MemoryEventRecord, @Ctx() ctx: Context): Promise<BlobView[]> {
    return blobViews(ctx, event.blobIds);
  }

  @FieldResolver(() => TokenUsage, {
    nullable: true,
    description: 'LLM tokens spent (null for the offline extractor).',
  })
  usage(@Root() event: MemoryEventRecord): MemoryEventRecord['usage'] {
    return event.usage;
  }

  @FieldResolver(() => User)
  user(@Root() event: MemoryEventRecord, @Ctx() ctx: Context): Promise<UserRecord> {
    return ctx.loaders.userByPk.load(event.userPk);
  }
}

@Resolver(() => User)
export class UserMemoryResolver {
  @FieldResolver(() => [ProfileTopic], { description: "The user's current memories grouped by topic." })
  profile(
    @Root() user: UserRecord,
    @Ctx() ctx: Context,
    @Arg('topics', () => [String], { nullable: true }) topics?: string[] | null,
  ): Promise<ProfileTopic[]> {
    return ctx.services.memories.profile(user, topics);
  }

  @FieldResolver(() => MemoryConnection, { description: 'Live memories, oldest first.' })
  async memories(
    @Root() user: UserRecord,
    @Ctx() ctx: Context,
    @Arg('first', () => Int, { nullable: true }) first?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
  ): Promise<MemoryConnection> {
    return toConnection(await ctx.services.memories.list(user, first, after), (memory) => memory);
  }

  @FieldResolver(() => MemoryEventConnection, { description: 'Processed batches, oldest first.' })
  async events(
    @Root() user: UserRecord,
    @Ctx() ctx: Context,
    @Arg('first', () => Int, { nullable: true }) first?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
  ): Promise<MemoryEventConnection> {
    return toConnection(await ctx.services.memories.listEvents(user, first, after), (event) => event);
  }

  @FieldResolver(() => BufferStatus)
  buffer(@Root() user: UserRecord, @Ctx() ctx: Context): Promise<BufferStatus> {
    return ctx.loaders.bufferStatus.load(user.pk) as Promise<BufferStatus>;
  }
}
