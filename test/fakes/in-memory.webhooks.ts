// Webhooks for the in-memory test domain (createTestDomain): webhooks are
// kept, but no delivery is ever enqueued, because the real enqueueing is done
// by database triggers (see the webhooks migration). Deliveries are tested
// through the API on PGlite and PostgreSQL (test/api/webhooks.test.ts).

import { randomUUID } from 'node:crypto';
import type {
  ClaimedDelivery,
  WebhookDeliveryRecord,
  WebhookEventKind,
  WebhookRecord,
  WebhookRepository,
  WebhookTransport,
} from '../../src/domain/ports.js';

export class InMemoryWebhookRepository implements WebhookRepository {
  private readonly rows = new Map<string, WebhookRecord & { secret: string }>();

  async create(
    projectId: string,
    input: { url: string; events: WebhookEventKind[]; secret: string },
  ): Promise<WebhookRecord> {
    const row = { id: randomUUID(), projectId, createdAt: new Date(), ...input, events: [...input.events] };
    this.rows.set(row.id, row);
    const { secret: _secret, ...record } = row;
    return record;
  }

  async list(projectId: string): Promise<WebhookRecord[]> {
    return [...this.rows.values()]
      .filter((row) => row.projectId === projectId)
      .map(({ secret: _secret, ...record }) => record);
  }

  async delete(projectId: string, id: string): Promise<boolean> {
    const row = this.rows.get(id);
    if (!row || row.projectId !== projectId) return false;
    return this.rows.delete(id);
  }

  async deliveries(): Promise<WebhookDeliveryRecord[]> {
    return [];
  }

  async claimDue(): Promise<ClaimedDelivery[]> {
    return [];
  }

  async settle(): Promise<void> {}
}

/** Accepts any http(s) URL; sends nothing. */
export class AcceptingWebhookTransport implements WebhookTransport {
  async checkTarget(url: string): Promise<string | null> {
    return /^https?:\/\//.test(url) ? null : 'must be an http:// or https:// URL';
  }

  async post(): Promise<number> {
    throw new Error('the in-memory test domain sends no webhooks');
  }
}
