// Webhooks and their deliveries. Deliveries are inserted by the triggers of
// the webhooks migration (in the transactions that write MemoryChange and
// MemoryEvent rows); this adapter claims them with FOR UPDATE SKIP LOCKED
// and a lease, so two processes never send the same delivery at once.

import type {
  ClaimedDelivery,
  WebhookDeliveryRecord,
  WebhookDeliveryState,
  WebhookEventKind,
  WebhookRecord,
  WebhookRepository,
} from '../../domain/ports.js';
import type { PrismaClient } from './generated/client.js';

/** A delivery row as selected (the record's fields; the enums read back as text). */
type DeliveryRow = WebhookDeliveryRecord;

const toDelivery = (row: DeliveryRow): WebhookDeliveryRecord => ({
  id: row.id,
  webhookId: row.webhookId,
  event: row.event,
  state: row.state,
  attempts: row.attempts,
  nextAttemptAt: row.nextAttemptAt,
  lastStatus: row.lastStatus,
  lastError: row.lastError,
  createdAt: row.createdAt,
  deliveredAt: row.deliveredAt,
});

export class PrismaWebhookRepository implements WebhookRepository {
  constructor(private readonly db: PrismaClient) {}

  async create(
    projectId: string,
    input: { url: string; events: WebhookEventKind[]; secret: string },
  ): Promise<WebhookRecord> {
    const row = await this.db.webhook.create({ data: { projectId, ...input } });
    return { id: row.id, projectId: row.projectId, url: row.url, events: row.events, createdAt: row.createdAt };
  }

  async list(projectId: string): Promise<WebhookRecord[]> {
    const rows = await this.db.webhook.findMany({
      where: { projectId },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
    return rows.map((row) => ({
      id: row.id,
      projectId: row.projectId,
      url: row.url,
      events: row.events,
      createdAt: row.createdAt,
    }));
  }

  async delete(projectId: string, id: string): Promise<boolean> {
    return (await this.db.webhook.deleteMany({ where: { id, projectId } })).count === 1;
  }

  async deliveries(
    webhookId: string,
    limit: number,
    state: WebhookDeliveryState | null,
  ): Promise<WebhookDeliveryRecord[]> {
    const rows = await this.db.webhookDelivery.findMany({
      where: { webhookId, ...(state ? { state } : {}) },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: limit,
    });
    return rows.map(toDelivery);
  }

  async claimDue(workerId: string, leaseMs: number, limit: number, now: Date): Promise<ClaimedDelivery[]> {
    const until = new Date(now.getTime() + leaseMs);
    const rows = await this.db.$queryRaw<
      (DeliveryRow & { url: string; secret: string; payload: Record<string, unknown> })[]
    >`
      WITH due AS (
        SELECT d."id" FROM "WebhookDelivery" d
        WHERE d."state" = 'PENDING' AND d."nextAttemptAt" <= ${now}
          AND (d."lockedUntil" IS NULL OR d."lockedUntil" < ${now})
        ORDER BY d."nextAttemptAt", d."createdAt"
        LIMIT ${limit}
        FOR UPDATE SKIP LOCKED
      ), claimed AS (
        UPDATE "WebhookDelivery" d SET "lockedBy" = ${workerId}, "lockedUntil" = ${until}, "attempts" = d."attempts" + 1
        FROM due WHERE d."id" = due."id"
        RETURNING d.*
      )
      SELECT c."id", c."webhookId", c."event"::text AS "event", c."state"::text AS "state", c."attempts",
             c."nextAttemptAt", c."lastStatus", c."lastError", c."createdAt", c."deliveredAt", c."payload",
             w."url", w."secret"
      FROM claimed c JOIN "Webhook" w ON w."id" = c."webhookId"`;
    return rows.map((row) => ({ ...toDelivery(row), url: row.url, secret: row.secret, payload: row.payload }));
  }

  async settle(
    id: string,
    workerId: string,
    outcome:
      | { state: 'DELIVERED'; status: number; at: Date }
      | { state: 'PENDING'; status: number | null; error: string; retryAt: Date }
      | { state: 'FAILED'; status: number | null; error: string },
  ): Promise<void> {
    const released = { lockedBy: null, lockedUntil: null, lastStatus: outcome.status };
    const data =
      outcome.state === 'DELIVERED'
        ? { ...released, state: outcome.state, deliveredAt: outcome.at, lastError: null }
        : outcome.state === 'PENDING'
          ? {
              ...released,
              state: outcome.state,
              lastError: outcome.error.slice(0, 1000),
              nextAttemptAt: outcome.retryAt,
            }
          : { ...released, state: outcome.state, lastError: outcome.error.slice(0, 1000) };
    await this.db.webhookDelivery.updateMany({ where: { id, lockedBy: workerId }, data });
  }
}
