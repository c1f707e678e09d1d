// Cross-process fan-out through Redis pub/sub: every server process
// publishes to one channel and delivers what it receives to its own
// subscribers, so a subscriber on one process sees changes made on another.

import { Redis } from 'ioredis';
import type { DomainEvent, EventBus, EventSubscription, Log } from '../../domain/ports.js';
import type { MemorySnapshot } from '../../domain/types.js';
import { InMemoryEventBus } from './memory.event-bus.js';

export const EVENTS_CHANNEL = 'memql:events';

export class RedisEventBus implements EventBus {
  private readonly local = new InMemoryEventBus();

  private constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
    private readonly log: Log,
  ) {}

  /** Connects both Redis clients; fails loudly when Redis does not answer. */
  static async connect(url: string, log: Log): Promise<RedisEventBus> {
    const options = { lazyConnect: true, maxRetriesPerRequest: 3, connectTimeout: 5_000 };
    const publisher = new Redis(url, options);
    const subscriber = new Redis(url, options);
    try {
      await Promise.all([publisher.connect(), subscriber.connect()]);
      await subscriber.subscribe(EVENTS_CHANNEL);
    } catch (error) {
      publisher.disconnect();
      subscriber.disconnect();
      throw new Error(`REDIS_URL: cannot connect to Redis (${error instanceof Error ? error.message : String(error)})`);
    }
    const bus = new RedisEventBus(publisher, subscriber, log);
    subscriber.on('message', (channel, message) => {
      if (channel === EVENTS_CHANNEL) bus.receive(message);
    });
    return bus;
  }

  async publish(event: DomainEvent): Promise<void> {
    try {
      await this.publisher.publish(EVENTS_CHANNEL, JSON.stringify(event));
    } catch (error) {
      // The change is committed either way; live delivery is best effort.
      this.log.error({ err: error, type: event.type }, 'could not publish an event to Redis');
    }
  }

  subscribe(projectId: string, filter: (event: DomainEvent) => boolean): EventSubscription {
    return this.local.subscribe(projectId, filter);
  }

  async close(): Promise<void> {
    await this.local.close();
    this.subscriber.disconnect();
    this.publisher.disconnect();
  }

  private receive(message: string): void {
    try {
      this.local.deliver(reviveEvent(JSON.parse(message) as DomainEvent));
    } catch (error) {
      this.log.warn({ err: error }, 'dropped a malformed event from Redis');
    }
  }
}

/** JSON carries dates as strings; give the records their Dates back. */
export function reviveEvent(event: DomainEvent): DomainEvent {
  switch (event.type) {
    case 'memory.changed': {
      const { change } = event;
      return {
        ...event,
        change: {
          ...change,
          before: reviveSnapshot(change.before),
          after: reviveSnapshot(change.after),
          createdAt: new Date(change.createdAt),
        },
      };
    }
    case 'memory.event':
      return { ...event, event: { ...event.event, createdAt: new Date(event.event.createdAt) } };
    case 'key.revoked':
    case 'user.deleted':
      return event;
    default: {
      const unreachable: never = event;
      throw new Error(`unknown event ${JSON.stringify(unreachable)}`);
    }
  }
}

function reviveSnapshot(snapshot: MemorySnapshot | null): MemorySnapshot | null {
  if (!snapshot) return null;
  return { ...snapshot, expiresAt: snapshot.expiresAt === null ? null : new Date(snapshot.expiresAt) };
}
