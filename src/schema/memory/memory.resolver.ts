import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, FieldResolver, Float, ID, Info, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../context.js';
import type { MemoryMatch as MemoryMatchRecord } from '../../domain/memory/memory-search.service.js';
import { encodeMemoryCursor } from '../../domain/memory/memory-page.js';
import type { ScopeUsage as ScopeUsageRecord } from '../../domain/ports.js';
import type {
  BlobRecord,
  MemoryChangeRecord,
  MemoryEventRecord,
  MemoryRecord,
  UserRecord,
} from '../../domain/types.js';
import { toBlobView } from '../blob/blob.mapper.js';
import { Blob, type BlobView } from '../blob/blob.type.js';
import { noticesOf } from '../common/notices.js';
import { toConnection, toConnectionWith } from '../common/page-info.js';
import { RERANK_ARG } from '../search/rerank.args.js';
import { QueryMode } from '../search/search.type.js';
import { User } from '../user/user.type.js';
import { MemoryFilter, MemoryOrder, MemoryOrderField, OrderDirection } from './memory-filter.input.js';
import {
  BufferStatus,
  CreateMemoryInput,
  Memory,
  MemoryChange,
  MemoryConnection,
  MemoryEvent,
  MemoryEventConnection,
  MemoryMatch,
  ProfileTopic,
  ResetPayload,
  ScopeUsage,
  TokenUsage,
  UpdateMemoriesItem,
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

  @Query(() => [MemoryMatch], {
    description:
      "Memories of the project that answer a question, best first: across all its users, or the users named in userIds (1-100). For admin tools; each user's own search is User.searchMemories.",
  })
  searchMemories(
    @Arg('text', () => String) text: string,
    @Ctx() ctx: Context,
    @Arg('filter', () => MemoryFilter, { nullable: true }) filter?: MemoryFilter | null,
    @Arg('userIds', () => [ID], { nullable: true }) userIds?: string[] | null,
    @Arg('topK', () => Int, { nullable: true, defaultValue: 10, description: 'Memories to return, 1-100.' })
    topK?: number | null,
    @Arg('threshold', () => Float, {
      nullable: true,
      description: 'Drops matches scoring below it (see MemoryMatch.score).',
    })
    threshold?: number | null,
    @Arg('mode', () => QueryMode, { nullable: true, defaultValue: QueryMode.HYBRID }) mode?: QueryMode | null,
    @Arg('rerank', () => Boolean, RERANK_ARG) rerank?: boolean | null,
    @Info() info?: GraphQLResolveInfo,
  ): Promise<MemoryMatchRecord[]> {
    const onNotice = info && noticesOf(ctx, info);
    return ctx.services.memorySearch.searchProject(ctx.viewer, {
      text,
      filter,
      userIds,
      topK,
      threshold,
      mode,
      rerank,
      onNotice,
    });
  }

  @Mutation(() => Memory, {
    description:
      'Writes a memory directly (no extraction). Recorded as an ADD by the API, embedded and indexed like an extracted memory; later extraction knows it (a repeat is not added again).',
  })
  async createMemory(
    @Arg('userId', () => ID) userId: string,
    @Arg('input', () => CreateMemoryInput) input: CreateMemoryInput,
    @Ctx() ctx: Context,
  ): Promise<MemoryRecord> {
    const user = await ctx.services.users.require(ctx.viewer, userId);
    return ctx.services.memoryEdits.create(user, input);
  }

  @Mutation(() => Memory, {
    description:
      'Patches a memory (fields left out keep their value); recorded in its history with actor API. An immutable memory is refused (BAD_USER_INPUT, field "immutable").',
  })
  updateMemory(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateMemoryInput) input: UpdateMemoryInput,
    @Ctx() ctx: Context,
  ): Promise<MemoryRecord> {
    return ctx.services.memoryEdits.update(ctx.viewer, id, input);
  }

  @Mutation(() => Boolean, { description: 'Deletes a memory; its history is kept and shows the deletion.' })
  deleteMemory(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<boolean> {
    return ctx.services.memoryEdits.delete(ctx.viewer, id);
  }

  @Mutation(() => [Memory], {
    description:
      'Up to 1,000 patches in one transaction: all apply or none. A bad item fails the call with BAD_USER_INPUT naming it (e.g. inputs[12].id). Each change is recorded and published.',
  })
  updateMemories(
    @Arg('inputs', () => [UpdateMemoriesItem]) inputs: UpdateMemoriesItem[],
    @Ctx() ctx: Context,
  ): Promise<MemoryRecord[]> {
    return ctx.services.memoryEdits.updateMany(ctx.viewer, inputs);
  }

  @Mutation(() => Int, {
    description:
      'Deletes up to 1,000 memories in one transaction: all or none; a bad id fails the call with BAD_USER_INPUT naming it (ids[3]). Returns how many were deleted.',
  })
  deleteMemories(@Arg('ids', () => [ID]) ids: string[], @Ctx() ctx: Context): Promise<number> {
    return ctx.services.memoryEdits.deleteMany(ctx.viewer, ids);
  }

  @Mutation(() => Int, {
    description:
      "Deletes the user's memories that the filter selects (every live one without a filter), in one transaction; each deletion is recorded and published. Returns how many.",
  })
  async deleteMemoriesWhere(
    @Arg('userId', () => ID) userId: string,
    @Ctx() ctx: Context,
    @Arg('filter', () => MemoryFilter, { nullable: true }) filter?: MemoryFilter | null,
  ): Promise<number> {
    const user = await ctx.services.users.require(ctx.viewer, userId);
    return ctx.services.memoryEdits.deleteWhere(user, filter);
  }

  @Mutation(() => ResetPayload, {
    description:
      "Wipes a user's memories (each deletion recorded and published), events and buffer state, in one transaction. Keeps the user and, unless keepBlobs is false, its blobs (those waiting in the buffer are not extracted).",
  })
  async resetUser(
    @Arg('userId', () => ID) userId: string,
    @Ctx() ctx: Context,
    @Arg('keepBlobs', () => Boolean, { nullable: true, defaultValue: true }) keepBlobs?: boolean | null,
  ): Promise<ResetPayload> {
    const user = await ctx.services.users.require(ctx.viewer, userId);
    return ctx.services.memoryEdits.reset(user, keepBlobs !== false);
  }

  @FieldResolver(() => [Blob], {
    description:
      'The blobs this memory was extracted from that still exist (deleted and forgotten ones are left out; sourceIds keeps them).',
  })
  async sources(@Root() memory: MemoryRecord, @Ctx() ctx: Context): Promise<BlobView[]> {
    return blobViews(ctx, await ctx.loaders.memorySourceIds.load(memory.id));
  }

  @FieldResolver(() => [ID], {
    description:
      "The ids of the blobs this memory was extracted from, including blobs deleted since or forgotten past the project's blobTokenCap.",
  })
  sourceIds(@Root() memory: MemoryRecord, @Ctx() ctx: Context): Promise<string[]> {
    return ctx.loaders.memorySourceIds.load(memory.id);
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

  @FieldResolver(() => [Blob], {
    description: 'The blobs of blobIds that still exist (none for BLOBS_FORGOTTEN).',
  })
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

  @FieldResolver(() => MemoryConnection, {
    description: 'The memories the filter selects (live ones by default), oldest first unless orderBy says otherwise.',
  })
  async memories(
    @Root() user: UserRecord,
    @Ctx() ctx: Context,
    @Arg('filter', () => MemoryFilter, { nullable: true }) filter?: MemoryFilter | null,
    @Arg('orderBy', () => MemoryOrder, { nullable: true }) orderBy?: MemoryOrder | null,
    @Arg('first', () => Int, { nullable: true, description: 'Default 20, at most 100.' }) first?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
  ): Promise<MemoryConnection> {
    const order = {
      field: orderBy?.field ?? MemoryOrderField.CREATED_AT,
      direction: orderBy?.direction ?? OrderDirection.ASC,
    };
    const page = await ctx.services.memories.list(user, { filter, orderBy: order, first, after });
    return toConnectionWith(
      page,
      (memory) => encodeMemoryCursor(memory, order),
      (memory) => memory,
    );
  }

  @FieldResolver(() => [MemoryMatch], {
    description:
      "The user's memories that answer a question, best first. The filter applies as in memories; threshold drops matches scoring below it (see MemoryMatch.score).",
  })
  searchMemories(
    @Root() user: UserRecord,
    @Arg('text', () => String) text: string,
    @Ctx() ctx: Context,
    @Arg('filter', () => MemoryFilter, { nullable: true }) filter?: MemoryFilter | null,
    @Arg('topK', () => Int, { nullable: true, defaultValue: 10, description: 'Memories to return, 1-100.' })
    topK?: number | null,
    @Arg('threshold', () => Float, { nullable: true }) threshold?: number | null,
    @Arg('mode', () => QueryMode, { nullable: true, defaultValue: QueryMode.HYBRID }) mode?: QueryMode | null,
    @Arg('rerank', () => Boolean, RERANK_ARG) rerank?: boolean | null,
    @Info() info?: GraphQLResolveInfo,
  ): Promise<MemoryMatchRecord[]> {
    const onNotice = info && noticesOf(ctx, info);
    return ctx.services.memorySearch.searchUser(user, { text, filter, topK, threshold, mode, rerank, onNotice });
  }

  @FieldResolver(() => Int, { description: 'Live memories (not deleted, not expired).' })
  memoryCount(@Root() user: UserRecord, @Ctx() ctx: Context): Promise<number> {
    return ctx.loaders.memoryCount.load(user.pk);
  }

  @FieldResolver(() => Int)
  blobCount(@Root() user: UserRecord, @Ctx() ctx: Context): Promise<number> {
    return ctx.loaders.blobCount.load(user.pk);
  }

  @FieldResolver(() => [ScopeUsage], { description: "The user's agents in use (by blobs or live memories), by id." })
  agents(@Root() user: UserRecord, @Ctx() ctx: Context): Promise<ScopeUsageRecord[]> {
    return ctx.loaders.agents.load(user.pk);
  }

  @FieldResolver(() => [ScopeUsage], {
    description: "The user's runs (sessions) in use (by blobs or live memories), by id.",
  })
  runs(@Root() user: UserRecord, @Ctx() ctx: Context): Promise<ScopeUsageRecord[]> {
    return ctx.loaders.runs.load(user.pk);
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
