import { describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../../src/domain/ports.js';
import { InMemoryEventBus, SUBSCRIBER_QUEUE_LIMIT } from '../../../src/infra/pubsub/memory.event-bus.js';

const event = (projectId: string, summary: string): DomainEvent => ({
  type: 'memory.event',
  projectId,
  userPk: 'u',
  event: {
    id: summary,
    projectId,
    userPk: 'u',
    kind: 'EXTRACTION',
    summary,
    tags: [],
    blobIds: [],
    usage: null,
    createdAt: new Date(),
  },
});

describe('InMemoryEventBus', () => {
  it("delivers only the subscriber's own project's events that pass its filter", async () => {
    const bus = new InMemoryEventBus();
    const mine = bus.subscribe('p1', (e) => e.type === 'memory.event' && e.event.summary !== 'skip');
    await bus.publish(event('p2', 'other project'));
    await bus.publish(event('p1', 'skip'));
    await bus.publish(event('p1', 'wanted'));
    const first = await mine.next();
    expect(first.value).toMatchObject({ event: { summary: 'wanted' } });
    await mine.return();
    expect(bus.subscriberCount).toBe(0);
  });

  it('never blocks the publisher on a subscriber that does not read: it keeps the newest events', async () => {
    const bus = new InMemoryEventBus();
    const stalled = bus.subscribe('p1', () => true);
    for (let i = 0; i < SUBSCRIBER_QUEUE_LIMIT + 50; i++) await bus.publish(event('p1', `e${i}`));
    const oldestKept = await stalled.next();
    expect(oldestKept.value).toMatchObject({ event: { summary: 'e50' } });
    await bus.close();
    expect((await stalled.next()).done).toBe(true);
  });
});
