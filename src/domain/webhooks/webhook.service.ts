// Webhooks of a project: created with a URL that may receive them (checked
// by the transport: http(s), and no private or loopback address unless the
// operator allows it), a list of events and a signing secret.

import { BadInputError, NotFoundError } from '../errors.js';
import type {
  WebhookDeliveryRecord,
  WebhookDeliveryState,
  WebhookEventKind,
  WebhookRecord,
  WebhookRepository,
  WebhookTransport,
} from '../ports.js';
import type { Viewer } from '../types.js';
import { isUuid } from '../../lib/ids.js';

export const MAX_WEBHOOKS_PER_PROJECT = 20;
const SECRET = { min: 16, max: 256 };

export class WebhookService {
  constructor(
    private readonly webhooks: WebhookRepository,
    private readonly transport: WebhookTransport,
  ) {}

  async create(
    viewer: Viewer,
    input: { url: string; events: WebhookEventKind[]; secret: string },
  ): Promise<WebhookRecord> {
    const url = input.url.trim();
    if (url.length > 2048) throw new BadInputError('url', 'must be at most 2048 characters');
    const problem = await this.transport.checkTarget(url);
    if (problem) throw new BadInputError('url', problem);
    const events = [...new Set(input.events)];
    if (events.length === 0) throw new BadInputError('events', 'name at least one event');
    if (input.secret.length < SECRET.min || input.secret.length > SECRET.max)
      throw new BadInputError('secret', `must be ${SECRET.min}-${SECRET.max} characters`);
    if ((await this.webhooks.list(viewer.projectId)).length >= MAX_WEBHOOKS_PER_PROJECT)
      throw new BadInputError('url', `a project has at most ${MAX_WEBHOOKS_PER_PROJECT} webhooks; delete one first`);
    return this.webhooks.create(viewer.projectId, { url, events, secret: input.secret });
  }

  list(viewer: Viewer): Promise<WebhookRecord[]> {
    return this.webhooks.list(viewer.projectId);
  }

  async delete(viewer: Viewer, id: string): Promise<boolean> {
    if (!isUuid(id) || !(await this.webhooks.delete(viewer.projectId, id))) throw new NotFoundError('Webhook', id);
    return true;
  }

  deliveries(
    webhook: WebhookRecord,
    first: number | null | undefined,
    state: WebhookDeliveryState | null | undefined,
  ): Promise<WebhookDeliveryRecord[]> {
    const limit = first ?? 20;
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new BadInputError('first', 'must be 1-100');
    return this.webhooks.deliveries(webhook.id, limit, state ?? null);
  }
}
