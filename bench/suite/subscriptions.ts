// Subscriptions: many graphql-ws clients follow one user's profile; each
// change made through the API is timed from its commit (MemoryChange.createdAt,
// written by the server on this machine's clock) to its arrival at every
// subscriber.

import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { BenchClient, mapConcurrent } from '../lib/graphql.js';
import type { ServerProcess } from '../lib/server-process.js';
import { type Latency, latency } from '../lib/stats.js';
import { createUser, insertChat } from './operations.js';

export interface SubscriptionResult {
  subscribers: number;
  changes: number;
  /** Deliveries received / expected. */
  delivered: number;
  expected: number;
  delay: Latency;
  connectSeconds: number;
}

const SUBSCRIPTION = `subscription ($userId: ID!) { profileChanged(userId: $userId) { id memoryId kind createdAt after } }`;

export async function benchSubscriptions(
  server: ServerProcess,
  options: { subscribers: number; changes: number; gapMs: number },
): Promise<SubscriptionResult> {
  const api = new BenchClient(server.url, server.adminKey);
  const userId = 'subscribed-user';
  await createUser(api, userId);
  // The offline extractor turns these self-statements into memories.
  await insertChat(api, userId, [{ role: 'user', content: 'My name is Sam. I live in Lisbon and I love climbing.' }]);
  await api.request(
    `mutation ($userId: ID!) { flush(userId: $userId, waitProcess: true) { buffer { pendingBlobs } } }`,
    { userId },
  );
  const memories = await api.request<{ user: { memories: { edges: { node: { id: string } }[] } } }>(
    `query ($userId: ID!) { user(id: $userId) { memories(first: 1) { edges { node { id } } } } }`,
    { userId },
  );
  const memoryId = memories.user.memories.edges[0]?.node.id;
  if (!memoryId) throw new Error('subscriptions bench: the offline extractor produced no memory to update');

  const delays: number[] = [];
  let delivered = 0;
  const clients: Client[] = [];
  const connectStart = performance.now();
  await mapConcurrent(
    Array.from({ length: options.subscribers }, (_, i) => i),
    50,
    async () => {
      const client = createClient({
        url: server.wsUrl,
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${server.adminKey}` },
        retryAttempts: 0,
        lazy: false,
      });
      clients.push(client);
      await new Promise<void>((resolve, reject) => {
        const off = client.on('connected', () => {
          off();
          resolve();
        });
        client.on('closed', (event) => reject(new Error(`subscriber connection closed: ${JSON.stringify(event)}`)));
      });
      client.subscribe<{ profileChanged: { createdAt: string } }>(
        { query: SUBSCRIPTION, variables: { userId } },
        {
          next: (value) => {
            const createdAt = value.data?.profileChanged.createdAt;
            if (!createdAt) return;
            delivered++;
            delays.push(Date.now() - Date.parse(createdAt));
          },
          error: () => {},
          complete: () => {},
        },
      );
    },
  );
  const connectSeconds = (performance.now() - connectStart) / 1000;
  // Subscriptions register asynchronously after the connection: let them settle.
  await new Promise((resolve) => setTimeout(resolve, 2_000));

  for (let i = 0; i < options.changes; i++) {
    await api.request(`mutation ($id: ID!, $text: String!) { updateMemory(id: $id, input: { text: $text }) { id } }`, {
      id: memoryId,
      text: `Loves climbing (${i + 1})`,
    });
    await new Promise((resolve) => setTimeout(resolve, options.gapMs));
  }
  const expected = options.subscribers * options.changes;
  const deadline = Date.now() + 10_000;
  while (delivered < expected && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  await Promise.all(clients.map((client) => client.dispose()));
  return {
    subscribers: options.subscribers,
    changes: options.changes,
    delivered,
    expected,
    delay: latency(delays),
    connectSeconds,
  };
}
