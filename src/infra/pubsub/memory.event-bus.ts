// In-process fan-out of domain events (the embedded default). Each
// subscriber has a bounded queue: a slow or stalled subscriber loses its
// oldest events instead of holding up the publisher.

import type { DomainEvent, EventBus, EventSubscription } from '../../domain/ports.js';

/** Events kept for a subscriber that is not reading; older ones are dropped. */
export const SUBSCRIBER_QUEUE_LIMIT = 1_000;

class QueueSubscription implements EventSubscription {
  private readonly queue: DomainEvent[] = [];
  private waiting: ((result: IteratorResult<DomainEvent>) => void) | null = null;
  private closed = false;
  dropped = 0;

  constructor(
    readonly projectId: string,
    readonly filter: (event: DomainEvent) => boolean,
    private readonly onClose: (subscription: QueueSubscription) => void,
  ) {}

  push(event: DomainEvent): void {
    if (this.closed) return;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = null;
      resolve({ value: event, done: false });
      return;
    }
    if (this.queue.length >= SUBSCRIBER_QUEUE_LIMIT) {
      this.queue.shift();
      this.dropped++;
    }
    this.queue.push(event);
  }

  next(): Promise<IteratorResult<DomainEvent>> {
    const event = this.queue.shift();
    if (event) return Promise.resolve({ value: event, done: false });
    if (this.closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }

  return(): Promise<IteratorResult<DomainEvent>> {
    if (!this.closed) {
      this.closed = true;
      this.queue.length = 0;
      this.onClose(this);
      this.waiting?.({ value: undefined, done: true });
      this.waiting = null;
    }
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

export class InMemoryEventBus implements EventBus {
  private readonly subscriptions = new Set<QueueSubscription>();

  async publish(event: DomainEvent): Promise<void> {
    this.deliver(event);
  }

  /** Hands an event to the matching local subscribers (also used by the Redis bus). */
  deliver(event: DomainEvent): void {
    for (const subscription of this.subscriptions) {
      // The project check is here, not in callers' filters, so no subscription can ever cross projects.
      if (subscription.projectId === event.projectId && subscription.filter(event)) subscription.push(event);
    }
  }

  subscribe(projectId: string, filter: (event: DomainEvent) => boolean): EventSubscription {
    const subscription = new QueueSubscription(projectId, filter, (s) => this.subscriptions.delete(s));
    this.subscriptions.add(subscription);
    return subscription;
  }

  get subscriberCount(): number {
    return this.subscriptions.size;
  }

  async close(): Promise<void> {
    for (const subscription of [...this.subscriptions]) await subscription.return();
  }
}
