// Webhooks end to end: a receiver on loopback checks every signature, fails
// the first tries of each delivery, and must see every event exactly once
// (by idempotency id), across a restart of the server while it is down.

import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

const SECRET = 'whsec_test_0123456789abcdef';

interface Received {
  id: string;
  type: string;
  data: Record<string, unknown>;
}

/** A receiver that verifies `Memql-Signature`, answers 503 to each delivery's first `failFirst` tries, and 200 after. */
async function startReceiver(failFirst: number) {
  const tries = new Map<string, number>();
  const accepted: Received[] = [];
  const badSignatures: string[] = [];
  let down = false;
  let alwaysFail = false;
  const server: Server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => {
      body += chunk;
    });
    request.on('end', () => {
      const timestamp = String(request.headers['memql-timestamp']);
      const signature = String(request.headers['memql-signature']);
      const expected = `t=${timestamp},v1=${createHmac('sha256', SECRET).update(`${timestamp}.${body}`).digest('hex')}`;
      const fresh = Math.abs(Date.now() / 1000 - Number(timestamp)) < 300;
      if (
        !fresh ||
        signature.length !== expected.length ||
        !timingSafeEqual(Buffer.from(signature), Buffer.from(expected))
      ) {
        badSignatures.push(body);
        response.writeHead(401).end();
        return;
      }
      const event = JSON.parse(body) as Received;
      expect(request.headers['memql-delivery']).toBe(event.id);
      const n = (tries.get(event.id) ?? 0) + 1;
      tries.set(event.id, n);
      if (down || alwaysFail || n <= failFirst) {
        response.writeHead(503).end('try later');
        return;
      }
      accepted.push(event);
      response.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    accepted,
    tries,
    badSignatures,
    setDown: (value: boolean) => {
      down = value;
    },
    setAlwaysFail: (value: boolean) => {
      alwaysFail = value;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

type Receiver = Awaited<ReturnType<typeof startReceiver>>;

describe('webhooks', () => {
  let t: TestApp;
  let receiver: Receiver;
  let failing: Receiver;
  let webhookId: string;

  const gql = async <T>(query: string, variables?: Record<string, unknown>) => {
    const result = await t.admin.raw<T>(query, variables);
    if (result.errors) throw new Error(JSON.stringify(result.errors));
    return result.data!;
  };
  const deliveries = async (id: string) =>
    (
      await gql<{
        webhooks: {
          id: string;
          deliveries: { id: string; event: string; state: string; attempts: number; lastStatus: number | null }[];
        }[];
      }>('{ webhooks { id deliveries(first: 100) { id event state attempts lastStatus } } }')
    ).webhooks.find((w) => w.id === id)!.deliveries;
  const settled = async (id: string, count: number, timeoutMs = 60_000) => {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const list = await deliveries(id);
      if (list.length >= count && list.every((d) => d.state !== 'PENDING')) return list;
      if (Date.now() > until) throw new Error(`deliveries not settled: ${JSON.stringify(list)}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };

  beforeAll(async () => {
    receiver = await startReceiver(2);
    failing = await startReceiver(0);
    failing.setAlwaysFail(true);
    t = await startTestApp({
      env: {
        MEMQL_EMBEDDINGS_PROVIDER: 'hashing',
        MEMQL_WEBHOOKS_ALLOW_PRIVATE: 'true',
        MEMQL_WEBHOOKS_RETRY_SECONDS: '0.05',
        MEMQL_WEBHOOKS_MAX_ATTEMPTS: '4',
      },
    });
  });
  afterAll(async () => {
    await t?.destroy();
    await receiver?.close();
    await failing?.close();
  });

  it('refuses bad URLs, secrets and event lists, naming the argument', async () => {
    for (const [args, field] of [
      ['url: "ftp://example.com/x", events: [MEMORY_CHANGED], secret: "0123456789abcdef"', 'url'],
      ['url: "not a url", events: [MEMORY_CHANGED], secret: "0123456789abcdef"', 'url'],
      ['url: "http://user:pw@example.com/", events: [MEMORY_CHANGED], secret: "0123456789abcdef"', 'url'],
      ['url: "https://example.com/x", events: [], secret: "0123456789abcdef"', 'events'],
      ['url: "https://example.com/x", events: [MEMORY_CHANGED], secret: "short"', 'secret'],
    ] as const) {
      const result = await t.admin.raw(`mutation { createWebhook(${args}) { id } }`);
      expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
    expect((await gql<{ webhooks: unknown[] }>('{ webhooks { id } }')).webhooks).toEqual([]);
  });

  it('delivers every memory change and processed batch, signed, exactly once by idempotency id, after failed tries', async () => {
    const { createWebhook } = await gql<{ createWebhook: { id: string; url: string; events: string[] } }>(
      'mutation ($url: String!) { createWebhook(url: $url, events: [MEMORY_CHANGED, EVENT_PROCESSED], secret: "whsec_test_0123456789abcdef") { id url events } }',
      { url: receiver.url },
    );
    webhookId = createWebhook.id;
    expect(createWebhook).toMatchObject({ url: receiver.url, events: ['MEMORY_CHANGED', 'EVENT_PROCESSED'] });

    await gql('mutation { createUser(input: { id: "ivy" }) { id } }');
    await gql(
      'mutation { insertBlob(userId: "ivy", waitProcess: true, input: { chat: { messages: [{ role: "user", content: "I am vegetarian." }] } }) { event { id } } }',
    );
    const { createMemory } = await gql<{ createMemory: { id: string } }>(
      'mutation { createMemory(userId: "ivy", input: { text: "Prefers aisle seats" }) { id } }',
    );
    await gql('mutation ($id: ID!) { updateMemory(id: $id, input: { text: "Prefers window seats" }) { id } }', {
      id: createMemory.id,
    });
    await gql('mutation ($id: ID!) { deleteMemory(id: $id) }', { id: createMemory.id });

    // Another project's changes never reach this project's webhook.
    const { createProject } = await gql<{ createProject: { id: string } }>(
      'mutation { createProject(name: "other") { id } }',
    );
    const { createApiKey } = await gql<{ createApiKey: { secret: string } }>(
      'mutation ($p: ID!) { createApiKey(projectId: $p) { secret } }',
      { p: createProject.id },
    );
    const other = t.admin.withKey(createApiKey.secret);
    await other.raw('mutation { createUser(input: { id: "zed" }) { id } }');
    await other.raw('mutation { createMemory(userId: "zed", input: { text: "Not yours" }) { id } }');

    // 1 extracted ADD + 1 processed batch + ADD, UPDATE, DELETE by the API.
    const list = await settled(webhookId, 5);
    expect(list).toHaveLength(5);
    expect(list.every((d) => d.state === 'DELIVERED' && d.attempts === 3 && d.lastStatus === 200)).toBe(true);
    expect(receiver.badSignatures).toEqual([]);
    const ids = receiver.accepted.map((event) => event.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.sort()).toEqual(list.map((d) => d.id).sort());
    expect(receiver.accepted.some((event) => event.data.userId === 'zed')).toBe(false);

    const byType = (type: string) => receiver.accepted.filter((event) => event.type === type);
    expect(byType('event.processed')).toHaveLength(1);
    expect(byType('event.processed')[0]!.data).toMatchObject({ userId: 'ivy', summary: expect.any(String) });
    const changes = byType('memory.changed').map((event) => event.data);
    expect(changes.map((change) => [change.kind, change.actor])).toEqual(
      expect.arrayContaining([
        ['ADD', 'EXTRACTOR'],
        ['ADD', 'API'],
        ['UPDATE', 'API'],
        ['DELETE', 'API'],
      ]),
    );
    expect(changes.find((change) => change.kind === 'UPDATE')).toMatchObject({
      userId: 'ivy',
      memoryId: createMemory.id,
      before: expect.objectContaining({ text: 'Prefers aisle seats' }),
      after: expect.objectContaining({ text: 'Prefers window seats' }),
    });
  });

  it('lists a delivery that ran out of attempts as FAILED', async () => {
    const { createWebhook } = await gql<{ createWebhook: { id: string } }>(
      'mutation ($url: String!) { createWebhook(url: $url, events: [MEMORY_CHANGED], secret: "whsec_test_0123456789abcdef") { id } }',
      { url: failing.url },
    );
    await gql('mutation { createMemory(userId: "ivy", input: { text: "Drinks tea" }) { id } }');
    const [failed] = await settled(createWebhook.id, 1);
    expect(failed).toMatchObject({ state: 'FAILED', attempts: 4, lastStatus: 503 });
    const listed = await gql<{ webhooks: { id: string; deliveries: { id: string; lastError: string }[] }[] }>(
      '{ webhooks { id deliveries(state: FAILED) { id lastError } } }',
    );
    expect(listed.webhooks.find((w) => w.id === createWebhook.id)!.deliveries).toEqual([
      { id: failed!.id, lastError: 'HTTP 503' },
    ]);
    expect(listed.webhooks.find((w) => w.id === webhookId)!.deliveries).toEqual([]);
    expect(await gql('mutation ($id: ID!) { deleteWebhook(id: $id) }', { id: createWebhook.id })).toEqual({
      deleteWebhook: true,
    });
  });

  it('loses no delivery across a restart while the receiver is down', async () => {
    receiver.setDown(true);
    const before = receiver.accepted.length;
    const { createMemory } = await gql<{ createMemory: { id: string } }>(
      'mutation { createMemory(userId: "ivy", input: { text: "Runs on Sundays" }) { id } }',
    );
    await t.stop();
    t = await startTestApp({ reuse: t });
    receiver.setDown(false);
    const list = await settled(webhookId, 6);
    const latest = list.find((d) => !receiver.accepted.slice(0, before).some((e) => e.id === d.id))!;
    expect(latest.state).toBe('DELIVERED');
    const fresh = receiver.accepted.slice(before);
    expect(fresh).toHaveLength(1);
    expect(fresh[0]).toMatchObject({ id: latest.id, type: 'memory.changed', data: { memoryId: createMemory.id } });
    const ids = receiver.accepted.map((event) => event.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
