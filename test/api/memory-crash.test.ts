// kill -9 of a real server process in the middle of a 1,000-item
// updateMemories: after a restart the batch is there entirely or not at all,
// history included. And between a memory's commit and its indexing: after a
// restart the outbox job indexes it. On a PostgreSQL server (MEMQL_TEST_DATABASE_URL) a proxy
// in front of the database holds the batch's bulk UPDATE, so the kill lands
// inside the open transaction for certain; on the embedded default the kills
// land at several points of a measured call.

import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChromaServer, startChromaServer } from '../../src/infra/chroma/chroma-server.js';
import { generateSecret } from '../../src/lib/secrets.js';
import {
  CreateMemoryDocument,
  CreateUserDocument,
  FilterMemoriesDocument,
  MemoryByIdDocument,
  SearchUserMemoriesDocument,
  UpdateMemoriesDocument,
} from '../generated/graphql.js';
import { createTestDatabase } from '../helpers/database.js';
import { GraphQLClient } from '../helpers/graphql-client.js';
import { type PausableProxy, startPausableProxy } from '../helpers/pausable-proxy.js';
import { type ServerProcess, startServerProcess } from '../helpers/server-process.js';

/** A TCP proxy that stops forwarding (both ways) once the client sends `marker`. */
async function startTrapProxy(target: URL, marker: string) {
  let armed = false;
  let sprung: () => void = () => {};
  const trapped = new Promise<void>((resolve) => {
    sprung = resolve;
  });
  let holding = false;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port), target.hostname);
    sockets.add(client).add(upstream);
    client.on('data', (chunk) => {
      if (holding) return;
      upstream.write(chunk);
      if (armed && chunk.includes(marker)) {
        holding = true; // the statement reaches the database; its answer, and the COMMIT, never get through
        sprung();
      }
    });
    upstream.on('data', (chunk) => {
      if (!holding) client.write(chunk);
    });
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `postgresql://${target.username}@127.0.0.1:${port}${target.pathname}`,
    arm: () => {
      armed = true;
      holding = false;
      return trapped;
    },
    reset: () => {
      armed = false;
      holding = false;
      for (const socket of sockets) socket.destroy();
      sockets.clear();
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('kill -9 during a batch of memory updates', () => {
  let dataDir: string;
  let chroma: ChromaServer;
  let chromaProxy: PausableProxy;
  let env: Record<string, string>;
  let dropDatabase = async () => {};
  let trap: Awaited<ReturnType<typeof startTrapProxy>> | null = null;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'memql-batch-crash-'));
    chroma = await startChromaServer({ dataDir: path.join(dataDir, 'chroma') });
    chromaProxy = await startPausableProxy(new URL(chroma.url));
    env = {
      MEMQL_DATA_DIR: path.join(dataDir, 'memql'),
      CHROMA_URL: chromaProxy.url,
      MEMQL_ADMIN_KEY: generateSecret(),
      MEMQL_EMBEDDINGS_PROVIDER: 'hashing',
    };
    if (process.env.MEMQL_TEST_DATABASE_URL) {
      const database = await createTestDatabase();
      dropDatabase = database.drop;
      trap = await startTrapProxy(new URL(database.url), 'UPDATE "Memory" AS m SET');
      env.DATABASE_URL = trap.url;
    }
  });
  afterAll(async () => {
    await trap?.close();
    await chromaProxy?.close();
    await chroma?.stop();
    await dropDatabase();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('leaves all 1,000 updates or none after a restart', async () => {
    let server: ServerProcess = await startServerProcess(env);
    let api = new GraphQLClient(server.url, env.MEMQL_ADMIN_KEY!);
    try {
      await api.ok(CreateUserDocument, { input: { id: 'crash' } });
      const ids: string[] = [];
      const queue = Array.from({ length: 1_000 }, (_, i) => i);
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          for (let i = queue.shift(); i !== undefined; i = queue.shift())
            ids[i] = (
              await api.ok(CreateMemoryDocument, { userId: 'crash', input: { text: `Crash fact ${i}` } })
            ).createMemory.id;
        }),
      );
      const batch = (round: string) => ({
        inputs: ids.map((id, i) => ({ id, input: { text: `Crash fact ${i}, ${round}`, tags: [round] } })),
      });
      const tagged = async (client: GraphQLClient, round: string) =>
        (await client.ok(FilterMemoriesDocument, { userId: 'crash', filter: { tags: { contains: round } }, first: 0 }))
          .user!.memories.totalCount;

      // How long one batch takes here, so that the kills below land inside it.
      const started = performance.now();
      await api.ok(UpdateMemoriesDocument, batch('warm'));
      const duration = performance.now() - started;
      expect(await tagged(api, 'warm')).toBe(1_000);

      const outcomes: number[] = [];
      const rounds = trap ? ['trapped'] : ['at-30', 'at-70', 'at-95', 'at-150'];
      for (const round of rounds) {
        const sent = api.raw(
          'mutation ($inputs: [UpdateMemoriesItem!]!) { updateMemories(inputs: $inputs) { id } }',
          batch(round),
        );
        sent.catch(() => undefined); // the connection dies with the server
        if (trap) await trap.arm();
        else await new Promise((resolve) => setTimeout(resolve, (Number(round.slice(3)) / 100) * duration));
        await server.kill('SIGKILL');
        trap?.reset();

        server = await startServerProcess(env);
        api = new GraphQLClient(server.url, env.MEMQL_ADMIN_KEY!);
        const count = await tagged(api, round);
        outcomes.push(count);
        expect([0, 1_000], `${round}: ${count} of 1,000 updates survived`).toContain(count);
        // The history agrees with the rows: an UPDATE of this round exists exactly when the row has it.
        const sample = (await api.ok(MemoryByIdDocument, { id: ids[421]! })).memory!;
        const recorded = sample.history.filter((h) => h.after?.endsWith(round)).length;
        expect(recorded).toBe(count === 1_000 ? 1 : 0);
        expect(sample.text.endsWith(round)).toBe(count === 1_000);
      }
      if (trap) expect(outcomes).toEqual([0]); // killed inside the transaction: nothing committed
      console.info(`batch of ${duration.toFixed(0)} ms; updates found after each kill -9: ${JSON.stringify(outcomes)}`);
      // Still a working store afterwards.
      await api.ok(UpdateMemoriesDocument, batch('after'));
      expect(await tagged(api, 'after')).toBe(1_000);
    } finally {
      await server.kill('SIGTERM');
    }
  }, 600_000);

  it('indexes after a restart the memories committed but not yet indexed when the process died', async () => {
    const first = await startServerProcess(env);
    const api = new GraphQLClient(first.url, env.MEMQL_ADMIN_KEY!);
    await api.ok(CreateUserDocument, { input: { id: 'unindexed' } });
    // The outbox still holds the index jobs of the batches above (thousands): let it drain first.
    const backlog = Date.now() + 180_000;
    for (;;) {
      const { user } = await api.ok(SearchUserMemoriesDocument, {
        userId: 'crash',
        text: 'Crash fact 999, after',
        mode: 'SEMANTIC',
        topK: 1,
        filter: { tags: { contains: 'after' }, text: { contains: 'fact 999,' } },
      });
      if (user!.searchMemories.length === 1 || Date.now() > backlog) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    chromaProxy.pause(); // commits go through, indexing cannot finish
    const ids: string[] = [];
    for (let i = 0; i < 5; i++)
      ids.push(
        (
          await api.ok(CreateMemoryDocument, {
            userId: 'unindexed',
            input: { text: `Keeps a quokka named Pip number ${i}` },
          })
        ).createMemory.id,
      );
    const search = (client: GraphQLClient, mode: 'LEXICAL' | 'SEMANTIC') =>
      client
        .ok(SearchUserMemoriesDocument, { userId: 'unindexed', text: 'quokka named Pip', mode, topK: 10 })
        .then((result) => result.user!.searchMemories.map((m) => m.memory.id).sort());
    expect(await search(api, 'LEXICAL')).toEqual([...ids].sort()); // committed: the database has them
    await first.kill('SIGKILL');
    chromaProxy.resume();

    const second = await startServerProcess(env);
    try {
      const again = new GraphQLClient(second.url, env.MEMQL_ADMIN_KEY!);
      // Generous: on a loaded machine the restart, the outbox round and Chroma's first write into a new shard take a while.
      const deadline = Date.now() + 90_000;
      let found: string[] = [];
      while (Date.now() < deadline) {
        found = await search(again, 'SEMANTIC');
        if (found.length === ids.length) break;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(found, JSON.stringify(second.logs.filter((entry) => Number(entry.level) >= 40)).slice(0, 2_000)).toEqual(
        [...ids].sort(),
      );
    } finally {
      await second.kill('SIGTERM');
    }
  }, 400_000);
});
