// One suite for every EventBus implementation (in-memory, Redis). Call it
// from a test file:
//
//   eventBusContract('redis', async () => ({ bus, peer, dispose }));
//
// `peer` is a second handle on the same medium, as another server process
// would hold it (the same instance for the in-memory bus, a second Redis
// connection for Redis): what is published on `bus` reaches subscribers on
// `peer`. Projects are random per test, so a shared Redis does no harm.

import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DomainEvent, EventBus, EventSubscription } from '../../src/domain/ports.js';
import type { MemorySnapshot } from '../../src/domain/types.js';
import { SUBSCRIBER_QUEUE_LIMIT } from '../../src/infra/pubsub/memory.event-bus.js';

export interface EventBusFixture {
  bus: EventBus;
  peer: EventBus;
  dispose(): Promise<void>;
}

function eventOf(projectId: string, summary: string, userPk = 'u1'): DomainEvent {
  return {
    type: 'memory.event',
    projectId,
    userPk,
    event: {
      id: randomUUID(),
      projectId,
      userPk,
      kind: 'EXTRACTION',
      summary,
      tags: ['a'],
      blobIds: [],
      usage: { promptTokens: 1, completionTokens: 2, calls: 1 },
      createdAt: new Date('2025-05-05T05:05:05.123Z'),
    },
  };
}

const SNAPSHOT: MemorySnapshot = {
  text: '',
  topic: 't',
  subTopic: 's',
  categories: [],
  title: null,
  summary: null,
  tags: [],
  importance: 0.5,
  confidence: null,
  source: 'CHAT',
  agentId: 'agent',
  runId: null,
  expiresAt: null,
  immutable: false,
};

function changeOf(projectId: string, text: string, userPk = 'u1'): DomainEvent {
  return {
    type: 'memory.changed',
    projectId,
    userPk,
    change: {
      id: randomUUID(),
      projectId,
      userPk,
      memoryId: randomUUID(),
      kind: 'UPDATE',
      actor: 'EXTRACTOR',
      before: { ...SNAPSHOT, text: 'old' },
      after: { ...SNAPSHOT, text, categories: ['c'], tags: ['c'], expiresAt: new Date('2030-01-01T00:00:00.000Z') },
      sourceBlobIds: [randomUUID()],
      eventId: null,
      createdAt: new Date('2025-05-05T05:05:06.456Z'),
    },
  };
}

const summaryOf = (event: DomainEvent): string => {
  switch (event.type) {
    case 'memory.event':
      return event.event.summary;
    case 'memory.changed':
      return event.change.after?.text ?? '';
    default:
      return event.type;
  }
};

/** The next `count` events of a subscription (waits for them). */
async function take(subscription: EventSubscription, count: number): Promise<DomainEvent[]> {
  const events: DomainEvent[] = [];
  while (events.length < count) {
    const next = await subscription.next();
    if (next.done) throw new Error(`subscription ended after ${events.length} of ${count} events`);
    events.push(next.value);
  }
  return events;
}

export function eventBusContract(name: string, create: () => Promise<EventBusFixture>): void {
  describe(`EventBus contract: ${name}`, () => {
    let fixture: EventBusFixture;
    let project: string;

    beforeEach(async () => {
      fixture = await create();
      project = randomUUID();
    });
    afterEach(async () => {
      await fixture.dispose();
    });

    it('delivers both kinds of event, whole, with their dates, to a subscriber of the project', async () => {
      const subscription = fixture.peer.subscribe(project, () => true);
      const change = changeOf(project, 'new text');
      const event = eventOf(project, 'batch');
      await fixture.bus.publish(change);
      await fixture.bus.publish(event);
      const received = await take(subscription, 2);
      expect(received).toEqual([change, event]);
      const [first, second] = received;
      if (first?.type !== 'memory.changed' || second?.type !== 'memory.event') throw new Error('wrong event types');
      expect(first.change.createdAt).toBeInstanceOf(Date);
      expect(second.event.createdAt).toBeInstanceOf(Date);
      await subscription.return();
    });

    it("never delivers another project's events, whatever the filter says", async () => {
      const other = randomUUID();
      const mine = fixture.peer.subscribe(project, () => true);
      await fixture.bus.publish(eventOf(other, 'not yours'));
      await fixture.bus.publish(eventOf(project, 'yours'));
      expect((await take(mine, 1)).map(summaryOf)).toEqual(['yours']);
      await mine.return();
    });

    it('applies each subscriber its own filter, and delivers to every subscriber in publish order', async () => {
      const all = fixture.peer.subscribe(project, () => true);
      const ofU2 = fixture.peer.subscribe(project, (event) => 'userPk' in event && event.userPk === 'u2');
      const local = fixture.bus.subscribe(project, (event) => event.type === 'memory.changed');
      for (let i = 0; i < 20; i++)
        await fixture.bus.publish(i % 2 ? changeOf(project, `c${i}`, 'u2') : eventOf(project, `e${i}`));
      expect((await take(all, 20)).map(summaryOf)).toEqual(
        Array.from({ length: 20 }, (_, i) => (i % 2 ? `c${i}` : `e${i}`)),
      );
      expect((await take(ofU2, 10)).map(summaryOf)).toEqual(Array.from({ length: 10 }, (_, i) => `c${2 * i + 1}`));
      expect((await take(local, 10)).map(summaryOf)).toEqual(Array.from({ length: 10 }, (_, i) => `c${2 * i + 1}`));
      await Promise.all([all.return(), ofU2.return(), local.return()]);
    });

    it('sees only what reaches the bus after it subscribed', async () => {
      // Delivery to a peer may lag the publish (Redis): wait until 'before' has reached the peer.
      const witness = fixture.peer.subscribe(project, () => true);
      await fixture.bus.publish(eventOf(project, 'before'));
      expect((await take(witness, 1)).map(summaryOf)).toEqual(['before']);
      const late = fixture.peer.subscribe(project, () => true);
      await fixture.bus.publish(eventOf(project, 'after'));
      expect((await take(late, 1)).map(summaryOf)).toEqual(['after']);
      await Promise.all([late.return(), witness.return()]);
    });

    it('ends a subscription on return(): a waiting next() resolves done, and nothing more arrives', async () => {
      const subscription = fixture.peer.subscribe(project, () => true);
      const waiting = subscription.next();
      await subscription.return();
      expect(await waiting).toEqual({ value: undefined, done: true });
      const witness = fixture.peer.subscribe(project, () => true);
      await fixture.bus.publish(eventOf(project, 'after return'));
      await take(witness, 1); // delivered by now
      expect(await subscription.next()).toEqual({ value: undefined, done: true });
      await witness.return();
    });

    it('never makes the publisher wait for a subscriber that does not read: it keeps the newest events', async () => {
      const stalled = fixture.peer.subscribe(project, () => true);
      const reader = fixture.peer.subscribe(project, () => true);
      const total = SUBSCRIBER_QUEUE_LIMIT + 50;
      const publishing = (async () => {
        for (let i = 0; i < total; i++) await fixture.bus.publish(eventOf(project, `e${i}`));
      })();
      const read = await take(reader, total); // every event arrived
      await publishing;
      expect(read.map(summaryOf).at(-1)).toBe(`e${total - 1}`);
      const oldestKept = await take(stalled, 1);
      expect(oldestKept.map(summaryOf)).toEqual([`e${total - SUBSCRIBER_QUEUE_LIMIT}`]);
      await Promise.all([stalled.return(), reader.return()]);
    });

    it('ends every subscription on close()', async () => {
      const subscription = fixture.bus.subscribe(project, () => true);
      const waiting = subscription.next();
      await fixture.bus.close();
      expect(await waiting).toEqual({ value: undefined, done: true });
    });
  });
}
