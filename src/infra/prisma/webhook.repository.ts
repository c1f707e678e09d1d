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
import { DecryptionError } from './encryption/envelope.js';
import { eventSummaryIsSealed } from './encryption/sealed-rows.js';
import type { UserKeyring } from './encryption/user-keys.js';

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

/** What a delivery of a user that was deleted before it was sent settles with: its data was shredded with its key. */
export const SHREDDED_DELIVERY_ERROR = 'not sent: the user was deleted and its data key destroyed (crypto-shredding)';

export class PrismaWebhookRepository implements WebhookRepository {
  /** `keys`: encryption at rest (null: off); the triggers copy sealed columns into payloads, opened here. */
  constructor(
    private readonly db: PrismaClient,
    private readonly keys: UserKeyring | null = null,
  ) {}

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
      (DeliveryRow & { projectId: string; url: string; secret: string; payload: Record<string, unknown> })[]
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
      SELECT c."id", c."webhookId", c."projectId"::text AS "projectId", c."event"::text AS "event", c."state"::text AS "state", c."attempts",
             c."nextAttemptAt", c."lastStatus", c."lastError", c."createdAt", c."deliveredAt", c."payload",
             w."url", w."secret"
      FROM claimed c JOIN "Webhook" w ON w."id" = c."webhookId"`;
    const claimed = rows.map((row) => ({ ...toDelivery(row), url: row.url, secret: row.secret, payload: row.payload }));
    return this.keys ? this.openPayloads(this.keys, claimed, rows, workerId) : claimed;
  }

  /**
   * With encryption at rest a payload holds what the triggers copied: a
   * change's sealed snapshots, an event's sealed summary. They are opened
   * with the user's key; a user deleted since has no key, so its deliveries
   * are settled FAILED here instead of being sent.
   */
  private async openPayloads(
    keys: UserKeyring,
    claimed: ClaimedDelivery[],
    rows: readonly { projectId: string }[],
    workerId: string,
  ): Promise<ClaimedDelivery[]> {
    const dataOf = (delivery: ClaimedDelivery) => (delivery.payload.data ?? {}) as Record<string, unknown>;
    const pairs = claimed.map((delivery, i) => ({
      projectId: rows[i]!.projectId,
      externalId: String(dataOf(delivery).userId ?? ''),
    }));
    const users = pairs.length
      ? await this.db.$queryRaw<{ projectId: string; externalId: string; pk: string }[]>`
          SELECT u."projectId"::text AS "projectId", u."externalId", u."pk"::text AS "pk"
          FROM "User" u
          JOIN jsonb_to_recordset(${JSON.stringify(pairs)}::jsonb) AS p("projectId" uuid, "externalId" text)
            ON u."projectId" = p."projectId" AND u."externalId" = p."externalId"`
      : [];
    const pkOf = new Map(users.map((user) => [`${user.projectId}/${user.externalId}`, user.pk]));
    const ciphers = await keys.forRead(users.map((user) => user.pk));
    const opened: ClaimedDelivery[] = [];
    for (const [i, delivery] of claimed.entries()) {
      const data = dataOf(delivery);
      const userPk = pkOf.get(`${pairs[i]!.projectId}/${pairs[i]!.externalId}`);
      try {
        if (!userPk) throw new DecryptionError('the user is gone');
        const open = (field: string) =>
          data[field] === null || data[field] === undefined ? data[field] : ciphers.openJson(userPk, data[field]);
        const plain =
          delivery.event === 'MEMORY_CHANGED'
            ? { ...data, before: open('before'), after: open('after') }
            : eventSummaryIsSealed(typeof data.kind === 'string' ? data.kind : undefined)
              ? { ...data, summary: ciphers.open(userPk, String(data.summary)) }
              : data;
        opened.push({ ...delivery, payload: { ...delivery.payload, data: plain } });
      } catch (error) {
        if (!(error instanceof DecryptionError)) throw error;
        await this.settle(delivery.id, workerId, { state: 'FAILED', status: null, error: SHREDDED_DELIVERY_ERROR });
      }
    }
    return opened;
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
