// Live streams of committed changes. The event bus only ever delivers the
// subscriber's own project's events; the user filter narrows further.

import { Arg, ID, Resolver, Root, Subscription } from 'type-graphql';
import type { Context } from '../../context.js';
import type { DomainEvent } from '../../domain/ports.js';
import type { MemoryChangeRecord, MemoryEventRecord } from '../../domain/types.js';
import { MemoryChange, MemoryEvent } from './memory.type.js';

/**
 * The events that pass the filter; ends when `user` (when given) is deleted.
 * An iterator rather than an async generator: a generator's return() waits
 * behind its pending next(), so a client that leaves (or a closed socket)
 * would hold the subscription until the next event came; here return() ends
 * the bus subscription, and with it the pending next, at once.
 */
function stream(
  ctx: Context,
  user: { pk: string } | null,
  filter: (event: DomainEvent) => boolean,
): AsyncIterableIterator<DomainEvent> {
  const ended = (event: DomainEvent) => user !== null && event.type === 'user.deleted' && event.userPk === user.pk;
  const subscription = ctx.services.events.subscribe(ctx.viewer.projectId, (event) => ended(event) || filter(event));
  return {
    async next(): Promise<IteratorResult<DomainEvent>> {
      const result = await subscription.next();
      // Each event is resolved against the database as it is now, not what an earlier event loaded.
      ctx.loaders.clearAll();
      if (result.done || !ended(result.value)) return result;
      return subscription.return();
    },
    return: () => subscription.return(),
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

@Resolver()
export class MemorySubscriptionResolver {
  @Subscription(() => MemoryChange, {
    description: "Every change to the user's memories, as it is committed. Ends when the user is deleted.",
    subscribe: async ({ args, context }) => {
      const ctx = context as Context;
      const user = await ctx.services.users.require(ctx.viewer, (args as { userId: string }).userId);
      return stream(ctx, user, (event) => event.type === 'memory.changed' && event.userPk === user.pk);
    },
  })
  profileChanged(@Arg('userId', () => ID) _userId: string, @Root() event: DomainEvent): MemoryChangeRecord {
    if (event.type !== 'memory.changed') throw new Error('profileChanged received a non-change event');
    return event.change;
  }

  @Subscription(() => MemoryEvent, {
    description:
      "Each processed batch of one user's buffer (ends when the user is deleted), or of all users of the project when userId is omitted.",
    subscribe: async ({ args, context }) => {
      const ctx = context as Context;
      const userId = (args as { userId?: string | null }).userId;
      const user = userId ? await ctx.services.users.require(ctx.viewer, userId) : null;
      return stream(ctx, user, (event) => event.type === 'memory.event' && (user === null || event.userPk === user.pk));
    },
  })
  memoryEvents(
    @Root() event: DomainEvent,
    @Arg('userId', () => ID, { nullable: true }) _userId?: string | null,
  ): MemoryEventRecord {
    if (event.type !== 'memory.event') throw new Error('memoryEvents received a non-batch event');
    return event.event;
  }
}
