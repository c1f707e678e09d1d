// Sends due webhook deliveries: claims them under a lease (so that of several
// processes, one sends each), POSTs the event signed with the webhook's
// secret, and records the outcome: delivered on a 2xx, retried with
// exponential backoff otherwise, failed after the last attempt. Deliveries
// survive restarts (they are rows); a lease left by a dead process expires
// and another claims the delivery again, with the same idempotency id.

import { createHmac } from 'node:crypto';
import { SerialLoop } from '../../lib/serial-loop.js';
import type { ClaimedDelivery, Log, WebhookRepository, WebhookTransport } from '../ports.js';

export interface WebhookDelivererOptions {
  workerId: string;
  /** How long a claimed delivery is this process's (longer than a request's timeout). */
  leaseMs: number;
  /** Attempts before a delivery is FAILED. */
  maxAttempts: number;
  /** First retry after this; doubles each attempt, up to retryMaxMs. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** Poll interval when nothing kicks the loop. */
  pollMs: number;
  /** Deliveries sent at once. */
  concurrency: number;
}

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, as the `Memql-Signature` header carries it. */
export function webhookSignature(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export class WebhookDeliverer {
  private readonly loop: SerialLoop;

  constructor(
    private readonly deps: {
      webhooks: WebhookRepository;
      transport: WebhookTransport;
      log: Log;
      onAttempt?: (outcome: 'delivered' | 'retry' | 'failed') => void;
      clock?: () => Date;
    },
    private readonly options: WebhookDelivererOptions,
  ) {
    this.loop = new SerialLoop(() => this.round(), options.pollMs);
  }

  start(): void {
    this.loop.start();
  }

  /** Something was committed that may have enqueued deliveries. */
  kick(): void {
    this.loop.kick();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  private async round(): Promise<void> {
    try {
      const now = this.deps.clock?.() ?? new Date();
      const claimed = await this.deps.webhooks.claimDue(
        this.options.workerId,
        this.options.leaseMs,
        this.options.concurrency,
        now,
      );
      await Promise.all(claimed.map((delivery) => this.send(delivery)));
      if (claimed.length === this.options.concurrency) this.loop.requestAnotherRound();
    } catch (error) {
      this.deps.log.error({ err: error }, 'webhook delivery round failed; retrying on the next round');
    }
  }

  private async send(delivery: ClaimedDelivery): Promise<void> {
    const body = JSON.stringify({ id: delivery.id, ...delivery.payload });
    const timestamp = Math.floor((this.deps.clock?.() ?? new Date()).getTime() / 1000);
    let status: number | null = null;
    let error: string;
    try {
      status = await this.deps.transport.post(delivery.url, body, {
        'content-type': 'application/json',
        'user-agent': 'memql-webhooks',
        'memql-delivery': delivery.id,
        'memql-event': String(delivery.payload.type ?? ''),
        'memql-timestamp': String(timestamp),
        'memql-signature': webhookSignature(delivery.secret, timestamp, body),
      });
      if (status >= 200 && status < 300) {
        await this.deps.webhooks.settle(delivery.id, this.options.workerId, {
          state: 'DELIVERED',
          status,
          at: this.deps.clock?.() ?? new Date(),
        });
        this.deps.onAttempt?.('delivered');
        return;
      }
      error = `HTTP ${status}`;
    } catch (cause) {
      error = (cause as Error).message;
    }
    if (delivery.attempts >= this.options.maxAttempts) {
      await this.deps.webhooks.settle(delivery.id, this.options.workerId, { state: 'FAILED', status, error });
      this.deps.onAttempt?.('failed');
      this.deps.log.warn({ deliveryId: delivery.id, webhookId: delivery.webhookId, error }, 'webhook delivery failed');
      return;
    }
    const delay = Math.min(this.options.retryMaxMs, this.options.retryBaseMs * 2 ** (delivery.attempts - 1));
    const retryAt = new Date((this.deps.clock?.() ?? new Date()).getTime() + delay);
    await this.deps.webhooks.settle(delivery.id, this.options.workerId, { state: 'PENDING', status, error, retryAt });
    this.deps.onAttempt?.('retry');
  }
}
