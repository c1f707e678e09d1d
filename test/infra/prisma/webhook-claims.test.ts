// Two processes sending webhooks from one database: each due delivery is
// claimed by exactly one of them (FOR UPDATE SKIP LOCKED and a lease), and a
// lease left by a dead process is taken over once it expires.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrismaClient, type PrismaClient } from '../../../src/infra/prisma/client.js';
import { PrismaWebhookRepository } from '../../../src/infra/prisma/webhook.repository.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';

describe('webhook delivery claims', () => {
  let database: TestDatabase;
  let clients: PrismaClient[];
  let webhookId: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    // Two clients (two processes' pools) on PostgreSQL; the embedded database serves one connection, so one client there.
    const open = () => createPrismaClient({ url: database.url, poolMax: database.poolMax });
    const first = open();
    clients = database.embedded ? [first, first] : [first, open()];
    const [db] = clients;
    const project = await db!.project.create({ data: { name: 'claims' } });
    const webhook = await db!.webhook.create({
      data: { projectId: project.id, url: 'http://127.0.0.1/', events: ['MEMORY_CHANGED'], secret: 'x'.repeat(16) },
    });
    webhookId = webhook.id;
    await db!.webhookDelivery.createMany({
      data: Array.from({ length: 60 }, (_, i) => ({
        webhookId,
        projectId: project.id,
        event: 'MEMORY_CHANGED' as const,
        payload: { type: 'memory.changed', n: i },
      })),
    });
  });
  afterAll(async () => {
    for (const client of new Set(clients ?? [])) await client.$disconnect();
    await database?.drop();
  });

  it('gives each due delivery to one claimer only', async () => {
    const now = new Date();
    const claimers = clients.map((db, i) => ({ repo: new PrismaWebhookRepository(db), worker: `worker-${i}` }));
    const claimed = await Promise.all(
      claimers.map(async ({ repo, worker }) => {
        const ids: string[] = [];
        for (
          let batch = await repo.claimDue(worker, 60_000, 7, now);
          batch.length;
          batch = await repo.claimDue(worker, 60_000, 7, now)
        )
          ids.push(...batch.map((delivery) => delivery.id));
        return ids;
      }),
    );
    const all = claimed.flat();
    expect(all).toHaveLength(60);
    expect(new Set(all).size).toBe(60);

    // A lease that expired (its holder died) is claimed again, with the attempt counted.
    const later = new Date(now.getTime() + 61_000);
    const [taken] = await claimers[1]!.repo.claimDue('worker-new', 60_000, 1, later);
    expect(taken).toMatchObject({
      attempts: 2,
      url: 'http://127.0.0.1/',
      payload: expect.objectContaining({ type: 'memory.changed' }),
    });
    // The old holder can no longer settle it; the new one can.
    const holder = claimed[0]!.includes(taken!.id) ? 'worker-0' : 'worker-1';
    await claimers[0]!.repo.settle(taken!.id, holder, { state: 'DELIVERED', status: 200, at: later });
    expect((await clients[0]!.webhookDelivery.findUnique({ where: { id: taken!.id } }))!.state).toBe('PENDING');
    await claimers[0]!.repo.settle(taken!.id, 'worker-new', { state: 'DELIVERED', status: 200, at: later });
    expect((await clients[0]!.webhookDelivery.findUnique({ where: { id: taken!.id } }))!.state).toBe('DELIVERED');
  });
});
