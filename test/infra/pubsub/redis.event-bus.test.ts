// The Redis event bus against the EventBus contract, on a real Redis:
// MEMQL_TEST_REDIS_URL when set (CI), else redis://127.0.0.1:6379 when a
// Redis answers there. With MEMQL_TEST_REDIS_URL set and no Redis, the suite
// fails. Without either, it reports that the Redis half of the contract did
// NOT run (a skipped test whose note says why, and a warning on stderr).

import { connect } from 'node:net';
import { describe, it } from 'vitest';
import { RedisEventBus } from '../../../src/infra/pubsub/redis.event-bus.js';
import { eventBusContract } from '../../contracts/event-bus.contract.js';
import { RecordingLog } from '../../fakes/test-domain.js';

const configured = process.env.MEMQL_TEST_REDIS_URL;
const url = configured ?? 'redis://127.0.0.1:6379';

/** True when something accepts TCP connections at the URL's host and port within a second. */
function answers(redisUrl: string): Promise<boolean> {
  const { hostname, port } = new URL(redisUrl);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port || 6379), timeout: 1_000 });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}

const available = configured !== undefined || (await answers(url));

if (available) {
  eventBusContract(`RedisEventBus (${url})`, async () => {
    const log = new RecordingLog();
    const bus = await RedisEventBus.connect(url, log);
    const peer = await RedisEventBus.connect(url, log).catch(async (error: unknown) => {
      await bus.close();
      throw error;
    });
    return {
      bus,
      peer,
      dispose: async () => {
        await Promise.all([bus.close(), peer.close()]);
        if (log.entries.length) throw new Error(`the Redis bus logged: ${JSON.stringify(log.entries)}`);
      },
    };
  });
} else {
  const note = `no Redis at ${url}: the RedisEventBus half of the EventBus contract did NOT run (set MEMQL_TEST_REDIS_URL or start Redis there)`;
  console.warn(`WARNING: ${note}`);
  describe('EventBus contract: RedisEventBus', () => {
    it('needs a Redis', (context) => {
      context.skip(note);
    });
  });
}
