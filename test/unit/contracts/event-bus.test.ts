// The in-memory event bus against the EventBus contract (the Redis bus runs
// the same suite in test/infra/pubsub/redis.event-bus.test.ts).

import { InMemoryEventBus } from '../../../src/infra/pubsub/memory.event-bus.js';
import { eventBusContract } from '../../contracts/event-bus.contract.js';

eventBusContract('InMemoryEventBus', async () => {
  const bus = new InMemoryEventBus();
  return { bus, peer: bus, dispose: () => bus.close() };
});
