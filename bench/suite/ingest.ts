// Ingest: several clients insert chat blobs as fast as the server
// acknowledges them; a probe measures how long after its acknowledgement a
// blob becomes findable by semantic search (the indexing lag).

import { BenchClient, mapConcurrent } from '../lib/graphql.js';
import { type Latency, latency } from '../lib/stats.js';
import type { Corpus } from './corpus.js';
import { type ChatMessage, createUser, insertChat, queryBlobIds } from './operations.js';
import type { ServerProcess } from '../lib/server-process.js';

export interface IngestResult {
  blobs: number;
  clients: number;
  users: number;
  messagesPerBlob: number;
  seconds: number;
  blobsPerSecond: number;
  /** Per-insert round trip as the clients saw it. */
  ack: Latency;
  /** Acknowledgement to searchable, sampled one blob at a time during the run. */
  lag: Latency;
  /** Polling interval of the lag probe (its resolution). */
  probeIntervalMs: number;
  /** From the last acknowledgement until the last blob was searchable; null when it was not within `drainLimitSeconds`. */
  drainSeconds: number | null;
  drainLimitSeconds: number;
}

export async function benchIngest(
  server: ServerProcess,
  corpus: Corpus,
  options: { blobs: number; clients: number; users: number; messagesPerBlob: number; drainLimitSeconds: number },
): Promise<IngestResult> {
  const client = new BenchClient(server.url, server.adminKey);
  const users = Array.from({ length: options.users }, (_, i) => `ingest-${i}`);
  await mapConcurrent(users, 8, (id) => createUser(client, id));
  // Texts are prepared before the clock starts.
  const blobs = Array.from({ length: options.blobs }, (_, i) => ({
    userId: users[i % users.length]!,
    messages: Array.from(
      { length: options.messagesPerBlob },
      (_, m): ChatMessage => ({ role: m % 2 === 0 ? 'user' : 'assistant', content: corpus.message() }),
    ),
  }));

  const acks: number[] = [];
  const lags: number[] = [];
  const probeIntervalMs = 25;
  // The latest acknowledged blob not yet taken by the probe (an object: both loops write it).
  const shared: { latest: { userId: string; blobId: string; ackedAt: number } | null; running: boolean } = {
    latest: null,
    running: true,
  };
  const probe = (async () => {
    // One blob at a time: take the latest acknowledged one, poll until it is searchable.
    while (shared.running) {
      const target = shared.latest;
      if (!target) {
        await sleep(probeIntervalMs);
        continue;
      }
      shared.latest = null;
      for (;;) {
        if ((await queryBlobIds(client, target.userId, 'probe', 'SEMANTIC', 100)).includes(target.blobId)) {
          lags.push(performance.now() - target.ackedAt);
          break;
        }
        await sleep(probeIntervalMs);
      }
    }
  })();

  const start = performance.now();
  let next = 0;
  let last: { userId: string; blobId: string } | null = null;
  await Promise.all(
    Array.from({ length: options.clients }, async () => {
      const own = new BenchClient(server.url, server.adminKey);
      while (next < blobs.length) {
        const blob = blobs[next++]!;
        const t = performance.now();
        const blobId = await insertChat(own, blob.userId, blob.messages);
        const now = performance.now();
        acks.push(now - t);
        shared.latest ??= { userId: blob.userId, blobId, ackedAt: now };
        last = { userId: blob.userId, blobId };
      }
    }),
  );
  const ackedAll = performance.now();
  const seconds = (ackedAll - start) / 1000;
  shared.running = false;
  await probe;
  const final = last as { userId: string; blobId: string } | null;
  const drainDeadline = ackedAll + options.drainLimitSeconds * 1000;
  let drained = final === null;
  while (!drained && performance.now() < drainDeadline) {
    drained = (await queryBlobIds(client, final!.userId, 'probe', 'SEMANTIC', 100)).includes(final!.blobId);
    if (!drained) await sleep(probeIntervalMs);
  }
  return {
    blobs: options.blobs,
    clients: options.clients,
    users: options.users,
    messagesPerBlob: options.messagesPerBlob,
    seconds,
    blobsPerSecond: options.blobs / seconds,
    ack: latency(acks),
    lag: latency(lags),
    probeIntervalMs,
    drainSeconds: drained ? (performance.now() - ackedAll) / 1000 : null,
    drainLimitSeconds: options.drainLimitSeconds,
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
